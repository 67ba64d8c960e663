"""Closing a case with its gate, approvals of closures, and reopening (issue 13 parts 6-7)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from casework.approvals.requests import (
    decide,
    get_approval,
    list_approvals,
    pending_count,
    withdraw,
)
from casework.audit import Origin
from casework.closure.closing import (
    closure_checklist,
    closure_history,
    reopen_case,
    request_closure,
    withdraw_closure_request,
)
from casework.db import db
from casework.errors import NotFound, ValidationError
from casework.models import Approval, Case, CaseClosure, Obligation
from casework.obligations import lifecycle
from tests.conftest import audit_rows, csrf_token, sign_in
from tests.factories import (
    add_plan_action,
    create_case_for_notes,
    create_complete_assessment,
    set_closure_approval,
)
from tests.police import police_row
from triage.deadlines import DueObligation

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)  # Monday 10:00 GMT
OPENED = datetime(2026, 5, 1, 9, tzinfo=UTC)
ORIGIN = Origin.command_line("test")


def _calendar():
    from flask import current_app

    from scheduling.service_calendars import victim_calendar

    return victim_calendar(current_app.config)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def team(create_team_record):
    return create_team_record("City victim team")


@pytest.fixture
def worker(create_staff_record, team):
    return create_staff_record("caseworker", team=team, name="Sam Okafor")


@pytest.fixture
def leader(create_staff_record, team):
    return create_staff_record("team_leader", team=team, name="Lee Leader")


@pytest.fixture
def second_leader(create_staff_record, team):
    return create_staff_record("team_leader", team=team, name="Pat Second")


@pytest.fixture
def outsider(create_staff_record, create_team_record):
    return create_staff_record(
        "team_leader", team=create_team_record("County victim team"), name="Olu Other"
    )


@pytest.fixture
def admin(create_staff_record):
    return create_staff_record("admin", name="Ada Admin")


def new_case(worker, leader, n: int = 0):
    """An open case of ``worker``, opened in May 2026 from a police referral."""
    row = police_row(
        crime_reference=f"LC-20260430-{n:04d}",
        occurred_on="2026-04-28",
        surname=f"Example{n}",
        mobile_phone=f"07700 9001{n:02d}",
    )
    return create_case_for_notes(caseworker=worker, team_leader=leader, row=row, at=OPENED)


@pytest.fixture
def case(clock, worker, leader):
    return new_case(worker, leader)


def closing(case, actor, reason="support_complete", words=None, now=NOW):
    return request_closure(
        db.session, case.id, reason=reason, words=words, actor=actor, origin=ORIGIN, now=now
    )


def deciding(approval, actor, approve=True, reason=None, version=None, now=NOW):
    return decide(
        db.session,
        approval.id,
        approve=approve,
        reason=reason,
        expected_version=approval.version if version is None else version,
        actor=actor,
        origin=ORIGIN,
        now=now,
    )


def nothing_stored(case):
    db.session.rollback()
    assert db.session.get(Case, case.id).status == "open"
    assert db.session.scalar(sa.select(sa.func.count(CaseClosure.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Approval.id))) == 0
    assert audit_rows("case.close") == []


# --- the gate ------------------------------------------------------------------------------


def test_closure_is_refused_without_the_reassessment_it_needs_and_nothing_is_stored(case, worker):
    create_complete_assessment(case, worker=worker, held_on=date(2026, 5, 10))
    with pytest.raises(ValidationError) as refused:
        closing(case, worker)
    assert "Hold a reassessment before closing" in refused.value.errors["reason"]
    nothing_stored(case)


@pytest.mark.parametrize(
    "reason", ["declined", "not_contactable", "moved_away", "passed_on", "died"]
)
def test_a_reason_that_makes_reassessment_impossible_closes_without_one(case, worker, reason):
    create_complete_assessment(case, worker=worker, held_on=date(2026, 5, 10))
    outcome = closing(case, worker, reason=reason)
    assert outcome.closed
    assert db.session.get(Case, case.id).status == "closed"


def test_a_case_never_assessed_closes_without_a_reassessment(case, worker):
    assert not closure_checklist(db.session, case, NOW).assessed
    outcome = closing(case, worker)
    found = db.session.get(Case, case.id)
    assert outcome.closed and found.status == "closed" and found.closed_at == NOW
    assert found.closure_reason == "Support complete"
    (closure,) = closure_history(db.session, case.id)
    assert (closure.reason, closure.closed_by_id, closure.approval_id) == (
        "support_complete",
        worker.id,
        None,
    )


def test_a_reassessment_in_the_28_days_before_lets_support_complete_close(case, worker):
    create_complete_assessment(case, worker=worker, held_on=date(2026, 5, 10))
    create_complete_assessment(case, worker=worker, held_on=date(2026, 10, 26))  # 28 days before
    assert closure_checklist(db.session, case, NOW).reassessment_held
    assert closing(case, worker).closed


def test_other_needs_words_and_shows_them(case, worker):
    with pytest.raises(ValidationError) as refused:
        closing(case, worker, reason="other")
    assert "words" in refused.value.errors
    nothing_stored(case)
    closing(case, worker, reason="other", words="  Now supported by the hospital team ")
    assert db.session.get(Case, case.id).closure_reason == "Now supported by the hospital team"


def test_open_plan_actions_block_closure_until_settled(case, worker):
    first = add_plan_action(case, by=worker, status="in_progress")
    add_plan_action(case, by=worker, status="done")
    add_plan_action(case, by=worker, status="not_needed")
    with pytest.raises(ValidationError) as refused:
        closing(case, worker, reason="declined")
    assert refused.value.errors == {
        "actions": "Settle the support plan's 1 open action first (done, or no longer needed)"
    }
    nothing_stored(case)
    first.status = "done"
    db.session.commit()
    assert closing(case, worker, reason="declined").closed


def test_the_gate_reads_the_uk_date_around_the_clock_change(clock, worker, leader):
    """At 23:30 UTC on Saturday 24 October 2026 it is already 00:30 on Sunday 25 October in
    the UK (BST): a reassessment held on 26 September is then 29 UK days old."""
    case = new_case(worker, leader)
    create_complete_assessment(case, worker=worker, held_on=date(2026, 5, 10))
    create_complete_assessment(case, worker=worker, held_on=date(2026, 9, 26))
    late = datetime(2026, 10, 24, 23, 30, tzinfo=UTC)
    clock.move_to(late)
    with pytest.raises(ValidationError):
        closing(case, worker, now=late)
    nothing_stored(case)
    earlier = datetime(2026, 10, 24, 22, 30, tzinfo=UTC)  # 23:30 BST on the 24th
    clock.move_to(earlier)
    assert closing(case, worker, now=earlier).closed


def test_a_closed_case_cannot_be_closed_again(case, worker):
    closing(case, worker)
    with pytest.raises(ValidationError) as refused:
        closing(case, worker)
    assert refused.value.errors == {"reason": "This case is already closed"}


def test_another_team_cannot_close_the_case(case, outsider):
    with pytest.raises(NotFound):
        closing(case, outsider)
    assert db.session.get(Case, case.id).status == "open"


# --- obligations ---------------------------------------------------------------------------


def test_closing_cancels_open_obligations_but_re_engagement_prompts_still_fire(case, worker):
    due = NOW + timedelta(days=10)
    for kind in ("reassessment", "plan_review", "re_engagement"):
        lifecycle.add(db.session, case, DueObligation(kind, "case", due), NOW)
    db.session.commit()
    closing(case, worker)
    statuses = {
        o.kind: o.status
        for o in db.session.scalars(sa.select(Obligation).where(Obligation.case_id == case.id))
    }
    assert statuses["re_engagement"] == "due"
    assert statuses["reassessment"] == statuses["plan_review"] == "cancelled"
    assert all(v == "cancelled" for k, v in statuses.items() if k != "re_engagement")
    (event,) = audit_rows("case.close")
    assert event.record_id == str(case.id)


def test_a_re_engagement_prompt_still_fires_after_the_case_closed(app, case, worker, clock):
    from casework.messages.models import OutboundMessage
    from scheduling import sweeps
    from scheduling.sweeps import context

    sentencing_eve = datetime(2026, 11, 27, 18, tzinfo=UTC)  # Friday before a Monday hearing
    lifecycle.add(db.session, case, DueObligation("re_engagement", "case", sentencing_eve), NOW)
    db.session.commit()
    closing(case, worker)
    that_day = datetime(2026, 11, 27, 9, tzinfo=UTC)
    clock.move_to(that_day)
    assert sweeps.queue_re_engagement_prompts(db.session, context(app.config), now=that_day) == 1
    prompt = db.session.scalars(
        sa.select(OutboundMessage).where(OutboundMessage.kind == "re_engagement")
    ).one()
    assert prompt.recipient == worker.email and case.reference in prompt.subject + prompt.body


# --- approvals -----------------------------------------------------------------------------


def test_in_a_team_needing_approval_a_closure_waits_then_closes_when_approved(
    case, worker, leader, team
):
    set_closure_approval(team)
    outcome = closing(case, worker, reason="moved_away")
    assert not outcome.closed
    approval = outcome.approval
    assert (approval.kind, approval.status, approval.team_id) == (
        "case_closure",
        "pending",
        team.id,
    )
    assert approval.detail == {"reason": "moved_away", "words": None}
    assert db.session.get(Case, case.id).status == "open"
    assert closure_checklist(db.session, case, NOW).pending.id == approval.id
    assert pending_count(db.session, leader) == 1
    with pytest.raises(ValidationError):  # one waiting request of a kind per case
        closing(case, worker, reason="moved_away")
    set_closure_approval(team, False)
    with pytest.raises(ValidationError):  # nor closed past it when the setting changes
        closing(case, worker, reason="moved_away")
    set_closure_approval(team)

    later = NOW + timedelta(hours=2)
    deciding(approval, leader, now=later)
    found = db.session.get(Case, case.id)
    assert found.status == "closed" and found.closed_at == later
    (closure,) = closure_history(db.session, case.id)
    assert closure.approval_id == approval.id and closure.closed_by_id == worker.id
    approval = db.session.get(Approval, approval.id)
    assert (approval.status, approval.decided_by_id, approval.decided_at) == (
        "approved",
        leader.id,
        later,
    )
    assert [e.action for e in audit_rows() if e.action.startswith(("approval.", "case.c"))] == [
        "approval.request",
        "case.close",
        "approval.approve",
    ]


def test_a_refused_closure_keeps_the_case_open_and_needs_a_reason(case, worker, leader, team):
    set_closure_approval(team)
    approval = closing(case, worker).approval
    with pytest.raises(ValidationError) as refused:
        deciding(approval, leader, approve=False, reason="  ")
    assert refused.value.errors == {"reason": "Give the reason for refusing"}
    db.session.rollback()
    deciding(approval, leader, approve=False, reason="Hold the reassessment first")
    approval = db.session.get(Approval, approval.id)
    assert approval.status == "refused"
    assert approval.decision_reason == "Hold the reassessment first"
    assert db.session.get(Case, case.id).status == "open"
    # The words stay on the request (retention empties them); the trail, kept whole, says only
    # that a reason was given.
    [refused] = audit_rows("approval.refuse")
    assert refused.detail_dict["reason_given"] is True
    assert "Hold the reassessment" not in str(refused.detail_dict)
    [asked] = audit_rows("approval.request")
    assert "reason" not in asked.detail_dict
    # A new request may follow.
    assert not closing(case, worker).closed


def test_approval_is_refused_with_the_gate_s_message_when_it_no_longer_passes(
    case, worker, leader, team
):
    set_closure_approval(team)
    approval = closing(case, worker).approval
    add_plan_action(case, by=worker)
    with pytest.raises(ValidationError) as refused:
        deciding(approval, leader)
    assert refused.value.errors[""].startswith("This closure can no longer be approved: Settle")
    db.session.rollback()
    assert db.session.get(Approval, approval.id).status == "pending"
    assert db.session.get(Case, case.id).status == "open"
    assert audit_rows("approval.approve") == []


def test_another_team_s_leader_cannot_see_list_or_decide(case, worker, team, outsider):
    set_closure_approval(team)
    approval = closing(case, worker).approval
    with pytest.raises(NotFound):
        get_approval(db.session, approval.id, outsider, origin=ORIGIN, now=NOW)
    with pytest.raises(NotFound):
        deciding(approval, outsider)
    page = list_approvals(db.session, outsider, origin=ORIGIN, now=NOW)
    assert page.items == [] and pending_count(db.session, outsider) == 0
    assert db.session.get(Approval, approval.id).status == "pending"
    assert audit_rows("access.denied")


def test_the_menu_count_follows_a_team_leader_moved_to_another_team_and_back(
    app, case, worker, leader, team, outsider
):
    set_closure_approval(team)
    closing(case, worker, reason="moved_away")
    menu = client_for(app, leader)
    assert "Approvals (1 pending)" in menu.get("/account").get_data(as_text=True)
    leader.team_id = outsider.team_id
    db.session.commit()
    assert "Approvals (1 pending)" not in menu.get("/account").get_data(as_text=True)
    assert pending_count(db.session, leader) == 0
    leader.team_id = team.id
    db.session.commit()
    assert "Approvals (1 pending)" in menu.get("/account").get_data(as_text=True)


def test_a_caseworker_cannot_decide(case, worker, team, create_staff_record):
    set_closure_approval(team)
    approval = closing(case, worker).approval
    colleague = create_staff_record("caseworker", team=team)
    for who in (worker, colleague):
        with pytest.raises(NotFound):
            deciding(approval, who)
    assert db.session.get(Approval, approval.id).status == "pending"


def test_deciding_a_decided_request_says_who_decided_it_and_when(
    case, worker, leader, second_leader, team
):
    set_closure_approval(team)
    approval = closing(case, worker, reason="declined").approval
    version = approval.version
    deciding(approval, leader)
    with pytest.raises(ValidationError) as refused:
        deciding(approval, second_leader, approve=False, reason="No", version=version)
    assert refused.value.errors[""] == (
        "This request was already approved by Lee Leader on 23 November 2026 at 10:00. "
        "Nothing was changed."
    )


def test_a_decision_on_a_version_not_seen_is_refused(case, worker, leader, team):
    set_closure_approval(team)
    approval = closing(case, worker).approval
    with pytest.raises(ValidationError) as refused:
        deciding(approval, leader, version=approval.version + 1)
    assert "Someone changed this request" in refused.value.errors[""]
    db.session.rollback()
    assert db.session.get(Approval, approval.id).status == "pending"


def test_a_team_leader_cannot_approve_their_own_request_but_another_leader_or_admin_can(
    case, leader, second_leader, admin, team
):
    set_closure_approval(team)
    approval = closing(case, leader).approval
    with pytest.raises(ValidationError) as refused:
        deciding(approval, leader)
    assert "another team leader of the team or an admin" in refused.value.errors[""]
    db.session.rollback()
    deciding(approval, admin)
    assert db.session.get(Case, case.id).status == "closed"


def test_a_team_leader_asking_to_close_is_told_another_leader_or_an_admin_decides(
    app, case, leader, team
):
    """A team leader never decides their own request, so the page does not tell them that "a
    team leader" will: another one of the team, or an admin."""
    set_closure_approval(team)
    client = client_for(app, leader)
    path = f"/cases/{case.id}/closure"
    page = client.post(
        path,
        data={"csrf_token": csrf_token(client, path), "reason": "declined"},
        follow_redirects=True,
    ).get_data(as_text=True)
    told = "another team leader of the team or an admin will approve or refuse it."
    assert f"Closure requested: {told}" in page
    assert "Another team leader of the team or an admin will approve or refuse it." in page


def test_the_requester_withdraws_a_waiting_closure(case, worker, leader, team):
    set_closure_approval(team)
    approval = closing(case, worker).approval
    with pytest.raises(ValidationError):
        withdraw_closure_request(db.session, case.id, actor=leader, origin=ORIGIN, now=NOW)
    with pytest.raises(NotFound):
        withdraw(db.session, approval.id, actor=leader, origin=ORIGIN, now=NOW)
    withdraw_closure_request(db.session, case.id, actor=worker, origin=ORIGIN, now=NOW)
    assert db.session.get(Approval, approval.id).status == "withdrawn"
    assert audit_rows("approval.withdraw")
    with pytest.raises(ValidationError) as refused:
        deciding(db.session.get(Approval, approval.id), leader)
    assert "already withdrawn by Sam Okafor" in refused.value.errors[""]


def test_team_leaders_list_their_pending_requests_oldest_first_and_decided_ones_apart(
    clock, worker, leader, team
):
    set_closure_approval(team)
    cases = [new_case(worker, leader, n) for n in range(3)]
    asked = [
        closing(c, worker, now=NOW + timedelta(minutes=10 * (3 - n))).approval
        for n, c in enumerate(cases)
    ]
    deciding(asked[0], leader, approve=False, reason="Not yet")
    page = list_approvals(db.session, leader, origin=ORIGIN, now=NOW, per_page=1)
    assert [a.id for a in page.items] == [asked[2].id] and page.total == 2
    page = list_approvals(db.session, leader, page=2, origin=ORIGIN, now=NOW, per_page=1)
    assert [a.id for a in page.items] == [asked[1].id]
    decided = list_approvals(db.session, leader, decided=True, origin=ORIGIN, now=NOW)
    assert [a.id for a in decided.items] == [asked[0].id]
    assert audit_rows("approval.list")


# --- reopening -----------------------------------------------------------------------------


def test_reopening_keeps_the_history(case, worker, leader):
    closing(case, worker, reason="declined")
    later = NOW + timedelta(days=3)
    with pytest.raises(ValidationError) as refused:
        reopen_case(
            db.session,
            case.id,
            reason="",
            actor=leader,
            origin=ORIGIN,
            now=later,
            calendar=_calendar(),
        )
    assert refused.value.errors == {"reopen_reason": "Give the reason for reopening the case"}
    reopen_case(
        db.session,
        case.id,
        reason="They called back",
        actor=leader,
        origin=ORIGIN,
        now=later,
        calendar=_calendar(),
    )
    found = db.session.get(Case, case.id)
    assert (found.status, found.closed_at, found.closure_reason) == ("open", None, None)
    closing(case, worker, reason="moved_away", now=later + timedelta(days=1))
    newest, first = closure_history(db.session, case.id)
    assert (first.reason, first.reopened_by_id, first.reopened_at, first.reopen_reason) == (
        "declined",
        leader.id,
        later,
        "They called back",
    )
    assert newest.reason == "moved_away" and newest.reopened_at is None
    assert [e.detail_dict["reason"] for e in audit_rows("case.reopen")] == ["They called back"]


def test_a_caseworker_cannot_reopen(case, worker):
    closing(case, worker)
    with pytest.raises(ValidationError) as refused:
        reopen_case(
            db.session,
            case.id,
            reason="Back",
            actor=worker,
            origin=ORIGIN,
            now=NOW,
            calendar=_calendar(),
        )
    assert refused.value.errors == {
        "reopen_reason": "Only a team leader of the case's team can reopen it"
    }


def _another_open_case(case, reference: str, team_id: int, caseworker_id=None) -> None:
    """The person of ``case`` (closed) has another case open, ``reference``, in ``team_id``."""
    db.session.add(
        Case(
            reference=reference,
            person_id=case.person_id,
            team_id=team_id,
            caseworker_id=caseworker_id,
            status="open",
            opened_at=NOW,
            opened_how="team_leader",
            created_at=NOW,
            updated_at=NOW,
        )
    )
    db.session.commit()


def _reopening_refused(case, actor) -> str:
    """Why reopening ``case`` is refused."""
    with pytest.raises(ValidationError) as refused:
        reopen_case(
            db.session,
            case.id,
            reason="Back",
            actor=actor,
            origin=ORIGIN,
            now=NOW,
            calendar=_calendar(),
        )
    return refused.value.errors["reopen_reason"]


def test_reopening_is_refused_when_the_person_has_another_open_case(case, worker, leader):
    closing(case, worker)
    _another_open_case(case, "WC-OTHER001", case.team_id, worker.id)
    assert "another open case (WC-OTHER001)" in _reopening_refused(case, leader)
    db.session.rollback()
    assert db.session.get(Case, case.id).status == "closed"
    assert audit_rows("case.reopen") == []


def test_another_teams_open_case_is_not_named_to_a_leader_reopening_theirs(
    case, worker, leader, outsider
):
    """The person's open case in another team stops the reopening, but its reference is that
    team's: the refusal says another team holds it (found by a walk-through)."""
    closing(case, worker)
    _another_open_case(case, "WC-THEIRS01", outsider.team_id, outsider.id)
    said = _reopening_refused(case, leader)
    assert "open case held by another team" in said and "WC-THEIRS01" not in said


def test_a_race_with_another_opening_is_caught_by_the_unique_index(
    case, worker, leader, monkeypatch
):
    """Two team leaders at once: the check passes, the one-open-case index refuses."""
    from casework.closure import closing as closing_module

    closing(case, worker)
    _another_open_case(case, "WC-OTHER002", case.team_id)
    monkeypatch.setattr(closing_module, "_other_open_case", lambda session, case: None)
    assert "another open case" in _reopening_refused(case, leader)
    assert db.session.get(Case, case.id).status == "closed"


def test_the_old_close_case_still_closes_through_the_gate(case, worker, leader):
    from casework.cases.opening import close_case

    create_complete_assessment(case, worker=worker, held_on=date(2026, 5, 10))
    with pytest.raises(ValidationError):
        close_case(db.session, case, reason="Support ended", actor=leader, origin=ORIGIN, now=NOW)
    db.session.rollback()
    close_case(db.session, case, reason="died", actor=leader, origin=ORIGIN, now=NOW)
    db.session.commit()
    assert db.session.get(Case, case.id).closure_reason == "Died"


# --- pages ---------------------------------------------------------------------------------


def client_for(app, staff):
    client = app.test_client()
    assert sign_in(client, staff.email).status_code == 302
    return client


def test_the_closure_tab_says_what_closing_this_case_needs(app, case, worker, team):
    client = client_for(app, worker)
    page = client.get(f"/cases/{case.id}/closure").get_data(as_text=True)
    assert "This case was never assessed: it closes without one" in page
    assert "No support plan actions are open" in page
    create_complete_assessment(case, worker=worker, held_on=date(2026, 5, 10))
    add_plan_action(case, by=worker)
    set_closure_approval(team)
    page = client.get(f"/cases/{case.id}/closure").get_data(as_text=True)
    assert "A reassessment is needed (this case has a needs assessment), unless you close" in page
    assert (
        "declined, was not contactable, moved away, was passed on to another service, or died"
        in page
    )
    assert f"/cases/{case.id}/assessment" in page and f"/cases/{case.id}/plan" in page
    # Only the first assessment is held: it is not a reassessment, and the page says why.
    assert "a reassessment is a needs assessment after the first" in page
    assert "1 open action to settle first" in page
    assert "A team leader approves closures in this team" in page
    assert "Ask to close this case" in page


def test_a_refused_closure_form_shows_the_problems_and_stores_nothing(app, case, worker):
    create_complete_assessment(case, worker=worker, held_on=date(2026, 5, 10))
    add_plan_action(case, by=worker)
    client = client_for(app, worker)
    path = f"/cases/{case.id}/closure"
    response = client.post(
        path, data={"csrf_token": csrf_token(client, path), "reason": "support_complete"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Hold a reassessment before closing" in page and "Settle the support plan" in page
    nothing_stored(case)


def test_request_approve_and_reopen_through_the_pages(app, case, worker, leader, outsider, team):
    set_closure_approval(team)
    client = client_for(app, worker)
    path = f"/cases/{case.id}/closure"
    response = client.post(
        path,
        data={
            "csrf_token": csrf_token(client, path),
            "reason": "other",
            "words": "<b>Moved</b> to another service",
        },
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert (
        "Closure requested: a team leader of the team or an admin will approve or refuse it."
        in page
    )
    assert "&lt;b&gt;Moved&lt;/b&gt;" in page and "<b>Moved</b>" not in page
    assert "Withdraw the closure request" in page
    summary = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Closure waiting for approval" in summary
    assert client.get("/approvals").status_code == 403

    (approval,) = db.session.scalars(sa.select(Approval)).all()
    theirs = client_for(app, outsider)
    assert theirs.get(f"/approvals/{approval.id}").status_code == 404
    assert f"/approvals/{approval.id}" not in theirs.get("/approvals").get_data(as_text=True)
    assert "Approvals (1 pending)" not in theirs.get("/approvals").get_data(as_text=True)

    boss = client_for(app, leader)
    listing = boss.get("/approvals").get_data(as_text=True)
    assert "Approvals (1 pending)" in listing and f"Close case {case.reference}" in listing
    decision = f"/approvals/{approval.id}"
    page = boss.get(decision).get_data(as_text=True)
    assert case.reference in page
    response = boss.post(
        decision,
        data={"csrf_token": csrf_token(boss, decision), "decision": "refuse", "version": "1"},
    )
    assert response.status_code == 400
    assert "Give the reason for refusing" in response.get_data(as_text=True)
    response = boss.post(
        decision,
        data={"csrf_token": csrf_token(boss, decision), "decision": "approve", "version": "1"},
        follow_redirects=True,
    )
    assert f"Close case {case.reference}: approved." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "closed"
    summary = boss.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Closed on 23 November 2026" in summary
    # Who closed it: the leader who approved, at the caseworker's asking (not the asker alone).
    tab = boss.get(path).get_data(as_text=True)
    assert "Asked for by Sam Okafor; approved and closed by Lee Leader" in tab
    assert "Closed by Sam Okafor" not in tab
    caseload = client.get("/caseload").get_data(as_text=True)
    assert case.reference not in caseload

    page = client.get(path).get_data(as_text=True)
    assert "Reopen this case" not in page and "A team leader of the case's team can reopen" in page
    response = boss.post(
        path,
        data={"csrf_token": csrf_token(boss, path), "reopen_reason": ""},
    )
    assert response.status_code == 400
    response = boss.post(
        path,
        data={"csrf_token": csrf_token(boss, path), "reopen_reason": "They asked for more help"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Case reopened." in page and "Reopened by Lee Leader" in page
    assert "They asked for more help" in page


def test_the_decision_page_shows_why_a_closure_can_no_longer_be_approved(
    app, case, worker, leader, team
):
    set_closure_approval(team)
    approval = closing(case, worker).approval
    add_plan_action(case, by=worker)
    boss = client_for(app, leader)
    path = f"/approvals/{approval.id}"
    response = boss.post(
        path,
        data={"csrf_token": csrf_token(boss, path), "decision": "approve", "version": "1"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This closure can no longer be approved: Settle the support plan" in page
    db.session.expire_all()
    assert db.session.get(Approval, approval.id).status == "pending"
    assert db.session.get(Case, case.id).status == "open"


def test_the_requester_withdraws_from_the_closure_tab(app, case, worker, leader, team):
    set_closure_approval(team)
    approval = closing(case, worker).approval
    path = f"/cases/{case.id}/closure"
    boss = client_for(app, leader)
    assert "Withdraw the closure request" not in boss.get(path).get_data(as_text=True)
    response = boss.post(
        f"{path}/withdraw", data={"csrf_token": csrf_token(boss, path)}, follow_redirects=True
    )
    assert "Only the person who asked to close the case can withdraw it" in response.get_data(
        as_text=True
    )
    client = client_for(app, worker)
    response = client.post(
        f"{path}/withdraw", data={"csrf_token": csrf_token(client, path)}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "Closure request withdrawn." in page and "Withdrawn" in page
    assert "Ask to close this case" in page
    db.session.expire_all()
    assert db.session.get(Approval, approval.id).status == "withdrawn"


def test_a_reopened_case_owes_its_reassessment_and_plan_review_again_without_an_instant_breach(
    case, worker, leader
):
    # Assessed in May, plan made then; the person declined in November and the case closed,
    # cancelling its deadlines. Reopened on Thursday 24 December 2026, past the 182 days.
    create_complete_assessment(case, worker=worker, held_on=date(2026, 5, 10))
    add_plan_action(case, by=worker, status="done", now=datetime(2026, 5, 11, 9, tzinfo=UTC))
    closing(case, worker, reason="declined")

    def open_kinds():
        return {
            o.kind: o
            for o in db.session.scalars(sa.select(Obligation).where(Obligation.case_id == case.id))
            if o.status == "due"
        }

    assert "reassessment" not in open_kinds() and "plan_review" not in open_kinds()
    reopened_at = datetime(2026, 12, 24, 11, tzinfo=UTC)
    reopen_case(
        db.session,
        case.id,
        reason="Offender released; she asked for support again",
        actor=leader,
        origin=ORIGIN,
        now=reopened_at,
        calendar=_calendar(),
    )
    due = open_kinds()
    # Five working days from Christmas Eve skip Christmas Day, Monday 28 December (the
    # substitute for Saturday's Boxing Day) and New Year's Day: 29, 30, 31 December, 4 and 5
    # January, so Tuesday 5 January 2027 at 18:00 GMT.
    assert due["reassessment"].due_at == datetime(2027, 1, 5, 18, tzinfo=UTC)
    # The plan's 28-day review cycle from 11 May: the first review still to come.
    assert due["plan_review"].due_at > reopened_at
    assert due["plan_review"].due_at - reopened_at <= timedelta(days=31)


def test_a_request_still_waiting_on_the_case_holds_its_closure_until_decided(
    app, case, worker, leader, team
):
    """A hardship payment waiting for a team leader: closing is refused and says so (nothing
    stored), a closure already asked for can no longer be approved, and once the payment is
    decided the case closes."""
    from casework.support import hardship

    set_closure_approval(team)
    closure_request = closing(case, worker).approval
    payment = hardship.request_payment(
        db.session,
        case.id,
        amount="300.00",
        purpose="food",
        detail="Food parcel",
        actor=worker,
        origin=ORIGIN,
        now=NOW,
    )
    assert payment.status == "awaiting_approval"
    with pytest.raises(ValidationError, match="still waiting for a team leader's decision"):
        deciding(closure_request, leader)
    db.session.rollback()
    assert db.session.get(Case, case.id).status == "open"
    withdraw_closure_request(db.session, case.id, actor=worker, origin=ORIGIN, now=NOW)

    set_closure_approval(team, False)
    client = client_for(app, worker)
    path = f"/cases/{case.id}/closure"
    tab = client.get(path).get_data(as_text=True)
    assert "Waiting for a team leader's decision, to settle first" in tab
    assert "asked by Sam Okafor on 23 November 2026" in tab
    response = client.post(
        path, data={"csrf_token": csrf_token(client, path), "reason": "support_complete"}
    )
    assert response.status_code == 400
    assert "must be approved, refused or withdrawn before the case closes" in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "open" and audit_rows("case.close") == []

    approval = db.session.get(Approval, payment.approval_id)
    deciding(approval, leader, approve=False, reason="Paid by the food bank instead")
    assert closing(case, worker).closed


def test_a_waiting_request_reads_as_one_sentence_whatever_its_words_end_with(
    client, case, worker, team
):
    """The caseworker's words already ending in a full stop showed as "on the phone..";
    words without one still get one."""
    set_closure_approval(team)
    closing(case, worker, reason="declined", words="Declined further support on the phone.")
    sign_in(client, worker.email)
    html = client.get(f"/cases/{case.id}/closure").get_data(as_text=True)
    assert "Declined further support: Declined further support on the phone. A team" in html
    assert "phone.." not in html
