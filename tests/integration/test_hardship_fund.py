"""The hardship fund's services on a real database: payments approved at once or waiting for a
team leader of the case's team, the balance checked again when approved, over-budget refusal
and an admin's override with a reason, withdrawing, the admin's settings (stale forms, bad
amounts, a budget below what is committed), team boundaries, and two payments racing for the
last of the budget."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from sqlalchemy.orm import Session

from casework.approvals import requests as approvals
from casework.approvals.models import Approval
from casework.audit import Origin
from casework.cases.timeline import describe
from casework.db import db
from casework.errors import NotFound, ValidationError
from casework.staff.models import Staff
from casework.support import hardship
from casework.support.models import HardshipBudget, HardshipPayment, HardshipSetting
from tests.conftest import audit_rows
from tests.factories import create_case_for_notes
from tests.police import police_row

# Monday 23 November 2026, 11:00 GMT: financial year 2026 (April 2026 to March 2027).
NOW = datetime(2026, 11, 23, 11, tzinfo=UTC)
ORIGIN = Origin.command_line("test")


@pytest.fixture
def fund(app, create_team_record, create_staff_record):
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        team, other_team = create_team_record("City victims"), create_team_record("County")
        worker = create_staff_record("caseworker", team=team, name="Sam Okafor")
        leader = create_staff_record("team_leader", team=team, name="Lee Leader")
        leader2 = create_staff_record("team_leader", team=team, name="Kim Second")
        admin = create_staff_record("admin", team=team, name="Ada Admin")
        analyst = create_staff_record("analyst", team=team)
        stranger = create_staff_record("caseworker", team=other_team)
        their_leader = create_staff_record("team_leader", team=other_team)
        case = create_case_for_notes(
            caseworker=worker,
            team_leader=leader,
            row=police_row(crime_reference="LC-20261120-0201", forename="Aisha"),
            at=NOW - timedelta(days=3),
        )
        their_case = create_case_for_notes(
            caseworker=stranger,
            team_leader=their_leader,
            row=police_row(crime_reference="LC-20261120-0202", forename="Bea", surname="Other"),
            at=NOW - timedelta(days=3),
        )
    return {
        "worker": worker,
        "leader": leader,
        "leader2": leader2,
        "admin": admin,
        "analyst": analyst,
        "stranger": stranger,
        "their_leader": their_leader,
        "case_id": case.id,
        "their_case_id": their_case.id,
    }


def pay(fund, amount, who="worker", case="case_id", purpose="food", reason=None, now=NOW):
    return hardship.request_payment(
        db.session,
        fund[case],
        amount=amount,
        purpose=purpose,
        detail="Food parcel and a week's travel",
        override_reason=reason,
        actor=fund[who],
        origin=ORIGIN,
        now=now,
    )


def budget(fund, amount, seen=500_000, year=2026):
    return hardship.set_budget(
        db.session, year, amount, seen_pence=seen, actor=fund["admin"], origin=ORIGIN, now=NOW
    )


def decide(fund, payment, who, approve=True, reason=None):
    approval = db.session.get(Approval, payment.approval_id)
    return approvals.decide(
        db.session,
        approval.id,
        approve=approve,
        reason=reason,
        expected_version=approval.version,
        actor=fund[who],
        origin=ORIGIN,
        now=NOW + timedelta(hours=1),
    )


def test_a_payment_at_the_threshold_is_approved_at_once_and_the_balance_falls(fund):
    assert hardship.fund_year(db.session, 2026).remaining == 500_000
    payment = pay(fund, "100.00")
    assert payment.status == "approved" and payment.paid_on is not None
    assert payment.year_starting == 2026 and payment.approval_id is None
    year = hardship.fund_year(db.session, 2026)
    assert (year.approved, year.waiting, year.remaining) == (10_000, 0, 490_000)
    [event] = audit_rows("hardship.payment_approved")
    assert event.record_type == "case" and event.record_id == str(fund["case_id"])


def test_above_the_threshold_waits_and_a_second_team_leader_approves(fund):
    payment = pay(fund, "100.01", who="leader")
    assert payment.status == "awaiting_approval"
    year = hardship.fund_year(db.session, 2026)
    assert (year.approved, year.waiting, year.remaining) == (0, 10_001, 489_999)
    # Not the team leader who asked, nor another team's leader, nor a caseworker.
    with pytest.raises(ValidationError, match="another team leader"):
        decide(fund, payment, "leader")
    db.session.rollback()
    with pytest.raises(NotFound):
        decide(fund, payment, "their_leader")
    with pytest.raises(NotFound):
        decide(fund, payment, "worker")
    decide(fund, payment, "leader2")
    db.session.refresh(payment)
    assert payment.status == "approved" and payment.paid_on is not None
    year = hardship.fund_year(db.session, 2026)
    assert (year.approved, year.waiting) == (10_001, 0)


def test_a_refused_or_withdrawn_request_releases_its_hold(fund):
    first = pay(fund, "250.00")
    decide(fund, first, "leader", approve=False, reason="Other help is available")
    db.session.refresh(first)
    assert hardship.payment_status(first) == "refused"
    assert hardship.fund_year(db.session, 2026).committed == 0
    second = pay(fund, "150.00")
    with pytest.raises(ValidationError, match="Only the person who asked"):
        hardship.withdraw_payment(
            db.session, fund["case_id"], second.id, actor=fund["leader"], origin=ORIGIN, now=NOW
        )
    db.session.rollback()
    hardship.withdraw_payment(
        db.session, fund["case_id"], second.id, actor=fund["worker"], origin=ORIGIN, now=NOW
    )
    db.session.refresh(second)
    assert second.status == "withdrawn" and second.approval.status == "withdrawn"
    assert hardship.fund_year(db.session, 2026).committed == 0
    assert audit_rows("hardship.payment_withdrawn")


def test_a_decision_on_approvals_stores_the_payments_status_and_tells_the_timeline(fund):
    first = pay(fund, "250.00")
    decide(fund, first, "leader", approve=False, reason="Other help is available")
    second = pay(fund, "150.00")
    # Withdrawn on /approvals itself, not through the case's page.
    approvals.withdraw(db.session, second.approval_id, actor=fund["worker"], origin=ORIGIN, now=NOW)
    db.session.expire_all()
    # The stored columns (read as they are by the subject access export), not only the screen's.
    first, second = (
        db.session.get(HardshipPayment, first.id),
        db.session.get(HardshipPayment, second.id),
    )
    assert (first.status, second.status) == ("refused", "withdrawn")
    assert first.decided_at is not None and second.decided_at is not None
    words = {
        e.action: describe(e.action, e.detail_dict)
        for e in audit_rows()
        if e.action in ("hardship.payment_refused", "hardship.payment_withdrawn")
    }
    assert words == {
        "hardship.payment_refused": "Hardship payment of £250.00 refused by a team leader",
        "hardship.payment_withdrawn": "Hardship payment of £150.00 withdrawn",
    }
    assert hardship.fund_year(db.session, 2026).committed == 0


def _set_case_status(fund, status):
    from casework.cases.models import Case

    db.session.get(Case, fund["case_id"]).status = status
    db.session.commit()


def test_a_closed_cases_waiting_payment_cannot_be_approved_nor_holds_the_budget(fund):
    waiting = pay(fund, "300.00")
    assert hardship.fund_year(db.session, 2026).waiting == 30_000
    _set_case_status(fund, "closed")
    # Closing the case releases its hold on the budget.
    assert hardship.fund_year(db.session, 2026).waiting == 0
    with pytest.raises(ValidationError, match="This case is closed"):
        decide(fund, waiting, "leader")
    db.session.rollback()
    db.session.expire_all()
    waiting = db.session.get(HardshipPayment, waiting.id)
    assert waiting.status == "awaiting_approval" and waiting.paid_on is None
    assert waiting.approval.status == "pending"
    assert not audit_rows("hardship.payment_approved")
    # Refusing it is still possible, and stored.
    decide(fund, waiting, "leader", approve=False, reason="The case has closed")
    db.session.expire_all()
    assert db.session.get(HardshipPayment, waiting.id).status == "refused"


def test_a_reopened_cases_waiting_payment_holds_the_budget_again(fund):
    waiting = pay(fund, "300.00")
    _set_case_status(fund, "closed")
    _set_case_status(fund, "open")
    assert hardship.fund_year(db.session, 2026).waiting == 30_000
    decide(fund, waiting, "leader")
    db.session.expire_all()
    assert db.session.get(HardshipPayment, waiting.id).status == "approved"


def test_the_timeline_says_paid_over_budget_without_the_admins_reason(fund):
    budget(fund, "100")
    over = pay(fund, "150.00", who="admin", reason="Locks changed tonight: she is at risk")
    [event] = audit_rows("hardship.over_budget")
    words = describe(event.action, event.detail_dict)
    assert words == (
        "Hardship payment over the fund's budget by £50.00: paid over budget on an "
        "administrator's decision"
    )
    assert "Locks changed" not in words
    # The reason stays on the payment, for the fund's page.
    assert db.session.get(HardshipPayment, over.id).over_budget_reason.startswith("Locks changed")


def test_one_waiting_payment_a_case_at_a_time(fund):
    pay(fund, "150.00")
    with pytest.raises(ValidationError, match="already waiting"):
        pay(fund, "160.00")


def test_over_the_balance_is_refused_with_the_numbers_unless_an_admin_overrides(fund):
    budget(fund, "300")
    pay(fund, "100.00")
    pay(fund, "100.00", who="leader")
    with pytest.raises(ValidationError) as refused:
        pay(fund, "100.01")
    message = refused.value.errors["amount"]
    assert "£100.01 is more than the £100.00 left" in message and "Only an admin" in message
    db.session.rollback()
    with pytest.raises(ValidationError) as no_reason:
        pay(fund, "100.01", who="admin")
    assert "give the reason" in no_reason.value.errors["override_reason"]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(HardshipPayment.id))) == 2
    over = pay(fund, "100.01", who="admin", reason="Locks changed tonight: she is at risk")
    assert over.over_budget_by_id == fund["admin"].id
    assert over.over_budget_reason == "Locks changed tonight: she is at risk"
    assert hardship.fund_year(db.session, 2026).remaining == -1
    [event] = audit_rows("hardship.over_budget")
    assert '"over_budget_by": 1' in event.detail


def test_approving_checks_the_balance_again_then(fund):
    budget(fund, "500")
    waiting = pay(fund, "300.00")
    pay(fund, "400.00", who="admin", reason="Emergency travel to a refuge", case="their_case_id")
    with pytest.raises(ValidationError, match="no longer fits") as refused:
        decide(fund, waiting, "leader")
    assert "£300.00 is more than the £100.00 left" in refused.value.errors[""]
    db.session.rollback()
    db.session.refresh(waiting)
    assert waiting.status == "awaiting_approval" and waiting.approval.status == "pending"


@pytest.mark.parametrize("typed", ["12.345", "-5", "1e3", "£", "NaN", "0", "", "90000.01"])
def test_bad_amounts_are_refused_and_nothing_is_stored(fund, typed):
    with pytest.raises(ValidationError) as refused:
        pay(fund, typed)
    assert refused.value.errors["amount"].startswith("Enter")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(HardshipPayment.id))) == 0


def test_only_those_who_may_work_the_case_ask(fund):
    with pytest.raises(NotFound):
        pay(fund, "10.00", who="stranger")
    with pytest.raises(NotFound):
        pay(fund, "10.00", who="their_leader")
    with pytest.raises(NotFound):
        pay(fund, "10.00", who="analyst")


def test_the_financial_year_of_a_payment_is_the_uk_date(fund):
    # 1 April 2027 00:30 BST is 23:30 UTC on 31 March: the payment is in 2027's fund.
    late = datetime(2027, 3, 31, 23, 30, tzinfo=UTC)
    payment = pay(fund, "20.00", now=late)
    assert payment.year_starting == 2027
    early = pay(fund, "20.00", now=datetime(2027, 3, 31, 22, 30, tzinfo=UTC))
    assert early.year_starting == 2026


def test_the_admin_sets_the_budget_and_threshold_audited_from_and_to(fund):
    row = budget(fund, "6,000.00")
    assert row.amount_pence == 600_000
    [event] = audit_rows("hardship.budget_set")
    assert '"from_pence": 500000' in event.detail and '"to_pence": 600000' in event.detail
    setting = hardship.set_threshold(
        db.session, "250", expected_version=0, actor=fund["admin"], origin=ORIGIN, now=NOW
    )
    assert setting.approval_threshold_pence == 25_000
    assert pay(fund, "250.00").status == "approved"
    [event] = audit_rows("hardship.threshold_set")
    assert '"from_pence": 10000' in event.detail and '"to_pence": 25000' in event.detail


def test_stale_settings_forms_are_refused(fund):
    budget(fund, "6000")
    with pytest.raises(ValidationError, match="changed the fund's settings"):
        budget(fund, "7000", seen=500_000)
    db.session.rollback()
    hardship.set_threshold(
        db.session, "250", expected_version=0, actor=fund["admin"], origin=ORIGIN, now=NOW
    )
    with pytest.raises(ValidationError, match="changed the fund's settings"):
        hardship.set_threshold(
            db.session, "300", expected_version=0, actor=fund["admin"], origin=ORIGIN, now=NOW
        )
    db.session.rollback()
    assert hardship.approval_threshold(db.session) == 25_000
    assert hardship.budget_for(db.session, 2026) == 600_000


@pytest.mark.parametrize("typed", ["12.345", "-5", "1e3", "£", "NaN", "1000000.01", "5,00"])
def test_absurd_settings_are_refused_clearly(fund, typed):
    with pytest.raises(ValidationError) as refused:
        budget(fund, typed)
    assert refused.value.errors["budget"].startswith("Enter")
    db.session.rollback()
    with pytest.raises(ValidationError) as refused:
        hardship.set_threshold(
            db.session, typed, expected_version=0, actor=fund["admin"], origin=ORIGIN, now=NOW
        )
    assert refused.value.errors["threshold"].startswith("Enter")
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(HardshipBudget.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(HardshipSetting.id))) == 0


def test_a_budget_below_what_is_committed_is_refused_with_the_numbers(fund):
    pay(fund, "100.00")
    pay(fund, "200.00", who="leader")
    with pytest.raises(ValidationError) as refused:
        budget(fund, "299.99", seen=500_000)
    message = refused.value.errors["budget"]
    assert "£300.00 already committed" in message
    assert "£100.00 approved, £200.00 waiting for approval" in message
    db.session.rollback()
    assert budget(fund, "300.00").amount_pence == 30_000


def test_only_an_admin_changes_the_settings(fund):
    for who in ("leader", "worker", "analyst"):
        with pytest.raises(ValidationError, match="Only an admin"):
            hardship.set_budget(
                db.session, 2026, "1", seen_pence=500_000, actor=fund[who], origin=ORIGIN, now=NOW
            )
        db.session.rollback()


def test_the_fund_page_list_keeps_to_the_team_and_totals_are_service_wide(fund):
    pay(fund, "40.00")
    pay(fund, "60.00", who="stranger", case="their_case_id")
    ours = hardship.fund_payments(db.session, fund["leader"], 2026, page=1, origin=ORIGIN, now=NOW)
    assert [p.case_id for p in ours.items] == [fund["case_id"]]
    theirs = hardship.fund_payments(
        db.session, fund["their_leader"], 2026, page=1, origin=ORIGIN, now=NOW
    )
    assert [p.case_id for p in theirs.items] == [fund["their_case_id"]]
    everyone = hardship.fund_payments(
        db.session, fund["analyst"], 2026, page=1, origin=ORIGIN, now=NOW
    )
    assert everyone.total == 2
    assert hardship.fund_year(db.session, 2026).approved == 10_000
    with pytest.raises(NotFound):
        hardship.fund_payments(db.session, fund["worker"], 2026, page=1, origin=ORIGIN, now=NOW)


def _race(app, fund, amount: str, n: int = 4):
    """``n`` people ask for ``amount`` at the same moment, each in a session of their own:
    (payments made, refusals)."""
    barrier = threading.Barrier(n)
    made, refused, errors = [], [], []
    case_id = fund["case_id"]
    actors = [fund["admin"].id, fund["leader"].id, fund["leader2"].id, fund["worker"].id][:n]

    def one(actor_id):
        with app.app_context():
            session = Session(db.engine)
            try:
                actor = session.get(Staff, actor_id)
                barrier.wait()
                payment = hardship.request_payment(
                    session,
                    case_id,
                    amount=amount,
                    purpose="travel",
                    detail="Travel to court",
                    actor=actor,
                    origin=ORIGIN,
                    now=NOW,
                )
                made.append(payment.id)
            except ValidationError as exc:
                refused.append(exc.errors)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(repr(exc))
            finally:
                session.close()

    threads = [threading.Thread(target=one, args=(a,)) for a in actors]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    return made, refused


@pytest.mark.parametrize("year_row", [True, False], ids=["budget-set", "no-budget-row"])
def test_payments_racing_for_the_last_of_the_budget_never_together_exceed_it(app, fund, year_row):
    if year_row:
        budget(fund, "100.00")
        limit = 10_000
    else:
        limit = 500_000
    amount = "60.00" if year_row else "100.00"
    hardship.set_threshold(
        db.session, "5000", expected_version=0, actor=fund["admin"], origin=ORIGIN, now=NOW
    )
    if not year_row:
        # Leave £150 of the default £5,000: two of the racers cannot both fit.
        db.session.add(
            HardshipPayment(
                case_id=fund["their_case_id"],
                year_starting=2026,
                amount_pence=485_000,
                purpose="other",
                detail="Earlier payments",
                status="approved",
                requested_by_id=fund["admin"].id,
                requested_at=NOW,
            )
        )
        db.session.commit()
    made, refused = _race(app, fund, amount)
    db.session.rollback()
    committed = hardship.fund_year(db.session, 2026).committed
    assert committed <= limit
    assert len(made) == 1, (made, refused)
    assert len(refused) == 3
    assert db.session.scalar(sa.select(sa.func.count(HardshipBudget.id))) == 1
