"""The Support tab's Victim Personal Statement and hardship fund sections through the test
client: recording a statement from offer to court (dates in order, stale forms refused), asking
for payments (approved at once, or waiting and approved by another team leader on /approvals),
bad amounts, the fund's page and its settings, and another team's case a 404."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

import casework.models  # noqa: F401  (every model, before one of them is imported alone)
from casework.db import db
from casework.support.models import HardshipBudget, HardshipPayment, PersonalStatement
from tests.conftest import audit_rows, post_form, sent_at_the_same_moment, sign_in
from tests.factories import create_case_for_notes
from tests.police import police_row

# Monday 23 November 2026, 11:00 GMT.
NOW = datetime(2026, 11, 23, 11, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def setting(app, create_team_record, create_staff_record):
    team, other_team = create_team_record("City victims"), create_team_record("County")
    people = {
        "worker": create_staff_record("caseworker", team=team),
        "leader": create_staff_record("team_leader", team=team),
        "leader2": create_staff_record("team_leader", team=team),
        "admin": create_staff_record("admin", team=team),
        "analyst": create_staff_record("analyst", team=team),
        "stranger": create_staff_record("caseworker", team=other_team),
        "their_leader": create_staff_record("team_leader", team=other_team),
    }
    case = create_case_for_notes(
        caseworker=people["worker"],
        team_leader=people["leader"],
        row=police_row(
            crime_reference="LC-20261120-0301", forename="Aisha", occurred_on="2026-11-05"
        ),
        at=NOW - timedelta(days=14),
    )
    their_case = create_case_for_notes(
        caseworker=people["stranger"],
        team_leader=people["their_leader"],
        row=police_row(
            crime_reference="LC-20261120-0302",
            forename="Bea",
            surname="Other",
            occurred_on="2026-11-05",
        ),
        at=NOW - timedelta(days=14),
    )
    return {**people, "case": case, "their_case": their_case}


def _as(app, setting, who):
    """A browser of its own, signed in as ``who``."""
    client = app.test_client()
    assert sign_in(client, setting[who].email).status_code == 302
    return client


def _vps(**fields):
    data = {"offered_on": ["9", "11", "2026"], "answer": "accepted"}
    data.update(fields)
    return data


def test_a_statement_from_offer_to_court(app, setting):
    client = _as(app, setting, "worker")
    case_id = setting["case"].id
    tab = client.get(f"/cases/{case_id}/support").get_data(as_text=True)
    assert "Help to write a Victim Personal Statement for court has not been offered yet" in tab
    url = f"/cases/{case_id}/support/statement"
    assert post_form(client, url, _vps()).status_code == 302
    tab = client.get(f"/cases/{case_id}/support").get_data(as_text=True)
    assert "9 November 2026: wanted help" in tab and "Not yet" in tab
    # Given to court before they were helped: refused, nothing changes.
    response = post_form(
        client,
        url,
        _vps(
            helped_on=["16", "11", "2026"],
            given_on=["13", "11", "2026"],
            court="Leicester Crown Court",
            version="1",
        ),
    )
    assert response.status_code == 400
    assert "cannot be before they were helped" in response.get_data(as_text=True)
    response = post_form(
        client,
        url,
        _vps(
            helped_on=["16", "11", "2026"],
            given_on=["20", "11", "2026"],
            court="Leicester Crown Court",
            version="1",
        ),
    )
    assert response.status_code == 302
    tab = client.get(f"/cases/{case_id}/support").get_data(as_text=True)
    assert "20 November 2026, Leicester Crown Court" in tab
    assert [e.action for e in audit_rows() if e.action.startswith("vps.")] == [
        "vps.offered",
        "vps.given_to_court",
    ]
    timeline = client.get(f"/cases/{case_id}/timeline").get_data(as_text=True)
    assert "Victim Personal Statement: given to court (Leicester Crown Court)" in timeline


def test_statement_refusals(app, setting):
    client = _as(app, setting, "worker")
    case_id = setting["case"].id
    url = f"/cases/{case_id}/support/statement"
    future = _vps(offered_on=["24", "11", "2026"])
    response = post_form(client, url, future)
    assert response.status_code == 400
    assert "cannot be in the future" in response.get_data(as_text=True)
    # A year typed wrong is refused, naming the day the service first heard of the case, and
    # said with the form's own problems (here, no answer), not after they are put right.
    response = post_form(client, url, _vps(offered_on=["2", "1", "1900"], answer=""))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert (
        "The date it was offered cannot be before the referral was received (9 November 2026)"
        in page
    )
    assert "Select whether the person wanted help" in page
    declined_but_helped = _vps(
        answer="declined",
        helped_on=["16", "11", "2026"],
    )
    response = post_form(client, url, declined_but_helped)
    assert "did not want help" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(PersonalStatement.id))) == 0
    assert post_form(client, url, _vps()).status_code == 302
    # A form shown before that save (no version) is stale now.
    response = post_form(client, url, _vps(answer="declined"))
    assert response.status_code == 400
    assert "Someone changed this statement" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(sa.select(PersonalStatement.answer)) == "accepted"


def test_another_teams_case_is_a_404_on_every_page(app, setting):
    client = _as(app, setting, "stranger")
    case_id = setting["case"].id
    assert client.get(f"/cases/{case_id}/support/statement").status_code == 404
    assert client.get(f"/cases/{case_id}/support/hardship/new").status_code == 404
    client = _as(app, setting, "their_leader")
    assert client.get(f"/cases/{case_id}/support/hardship/new").status_code == 404
    fund = client.get("/hardship").get_data(as_text=True)
    assert setting["case"].reference not in fund


def _payment(amount, **fields):
    return {"amount": amount, "purpose": "food", "detail": "Food parcel", **fields}


def test_a_payment_form_sent_twice_at_the_same_moment_pays_once(app, setting):
    """Both sends found no payment yet; the second, held on the year's budget row until the
    first committed, then finds the first's payment and returns it: the fund pays once."""
    from casework.audit import Origin
    from casework.staff.models import Staff
    from casework.support.hardship import request_payment

    worker, case = setting["worker"], setting["case"]
    first, second = sent_at_the_same_moment(
        lambda session: request_payment(
            session,
            case.id,
            amount="20.00",
            purpose="food",
            detail="Food parcel",
            actor=session.get(Staff, worker.id),
            origin=Origin.command_line("test"),
            now=NOW,
            submission_token="the-same-form-token",
        ),
        HardshipPayment.submission_key,
    )
    assert second.id == first
    db.session.rollback()
    assert db.session.scalars(sa.select(HardshipPayment.amount_pence)).all() == [2000]
    assert len(audit_rows("hardship.payment_approved")) == 1


def test_payments_from_a_case_then_approved_on_approvals(app, setting):
    client = _as(app, setting, "worker")
    case = setting["case"]
    url = f"/cases/{case.id}/support/hardship/new"
    tab = client.get(f"/cases/{case.id}/support").get_data(as_text=True)
    assert "£5,000.00 is left of this year" in tab and "Request a payment" in tab
    response = post_form(client, url, _payment("45.00"), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Payment of £45.00 approved." in page
    assert "£4,955.00 is left of this year" in page
    response = post_form(client, url, _payment("250.00"), follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Payment of £250.00 waiting for a team leader" in page
    assert "£4,705.00 is left" in page
    timeline = client.get(f"/cases/{case.id}/timeline").get_data(as_text=True)
    assert "Hardship payment of £250.00 asked for" in timeline

    client = _as(app, setting, "leader2")
    listing = client.get("/approvals").get_data(as_text=True)
    assert f"Hardship payment of £250.00 for {case.reference}" in listing
    approval_id = int(re.search(r"/approvals/(\d+)", listing).group(1))
    page = client.get(f"/approvals/{approval_id}").get_data(as_text=True)
    # The request links to where the payment is, not to the case's Closure tab.
    assert f'href="/cases/{case.id}/support">its Support tab' in page
    assert "its Closure tab" not in page
    version = re.search(r'name="version"[^>]*value="(\d+)"', page) or re.search(
        r'value="(\d+)"[^>]*name="version"', page
    )
    response = post_form(
        client,
        f"/approvals/{approval_id}",
        {"decision": "approve", "reason": "", "version": version.group(1)},
        follow_redirects=True,
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    db.session.rollback()
    statuses = sorted(db.session.scalars(sa.select(HardshipPayment.status)))
    assert statuses == ["approved", "approved"]


@pytest.mark.parametrize("typed", ["12.345", "-5", "1e3", "£", "NaN"])
def test_bad_amounts_on_the_form(app, setting, typed):
    client = _as(app, setting, "worker")
    response = post_form(
        client, f"/cases/{setting['case'].id}/support/hardship/new", _payment(typed)
    )
    assert response.status_code == 400
    assert "Enter an amount in pounds and pence" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(HardshipPayment.id))) == 0


@pytest.mark.parametrize(
    ("posted", "problem"),
    [
        ({}, "Say what the payment is for and why the person needs it"),
        # The form's own length check fails first; the amount and purpose are still checked.
        ({"detail": "x" * 5000}, "characters or fewer"),
    ],
)
def test_a_wrong_payment_form_says_every_problem_at_once(app, setting, posted, problem):
    client = _as(app, setting, "worker")
    response = post_form(client, f"/cases/{setting['case'].id}/support/hardship/new", posted)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    for message in (
        problem,
        "Enter an amount in pounds and pence",
        "Select what the payment is for",
    ):
        assert message in page, message
    assert db.session.scalar(sa.select(sa.func.count(HardshipPayment.id))) == 0


def test_over_budget_refused_then_an_admin_overrides(app, setting):
    client = _as(app, setting, "admin")
    post_form(
        client,
        "/hardship/settings/budget",
        {"year": "2026", "seen": "500000", "budget": "50"},
        token_from="/hardship/settings",
    )
    url = f"/cases/{setting['case'].id}/support/hardship/new"
    client = _as(app, setting, "worker")
    response = post_form(client, url, _payment("60.00", override_reason="ignored"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "A payment of £60.00 is more than the £50.00 left" in page
    assert "Only an admin can pay over the budget" in page
    client = _as(app, setting, "admin")
    response = post_form(client, url, _payment("60.00"))
    assert "give the reason for going over the budget" in response.get_data(as_text=True)
    response = post_form(
        client, url, _payment("60.00", override_reason="Emergency locks"), follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "Payment of £60.00 approved." in page and "Over budget" in page
    fund = client.get("/hardship").get_data(as_text=True)
    assert "-£10.00" in fund and "(over the budget)" in fund


def test_the_fund_page_and_settings(app, setting):
    client = _as(app, setting, "worker")
    post_form(client, f"/cases/{setting['case'].id}/support/hardship/new", _payment("45.00"))
    assert client.get("/hardship").status_code == 403
    client = _as(app, setting, "stranger")
    post_form(client, f"/cases/{setting['their_case'].id}/support/hardship/new", _payment("55.00"))
    client = _as(app, setting, "leader")
    page = client.get("/hardship").get_data(as_text=True)
    assert setting["case"].reference in page
    assert setting["their_case"].reference not in page
    assert "£100.00" in page  # approved, service-wide
    assert "£4,900.00" in page
    assert client.get("/hardship/settings").status_code == 403
    client = _as(app, setting, "analyst")
    page = client.get("/hardship").get_data(as_text=True)
    assert "2 payments" in page and setting["case"].reference not in page
    client = _as(app, setting, "admin")
    page = client.get("/hardship?year=2026").get_data(as_text=True)
    assert setting["case"].reference in page and setting["their_case"].reference in page
    settings = "/hardship/settings"
    # Below what is committed, stale, and bad amounts: refused, nothing changes.
    response = post_form(
        client,
        f"{settings}/budget",
        {"year": "2026", "seen": "500000", "budget": "99.99"},
        token_from=settings,
    )
    assert response.status_code == 400
    assert "cannot be less than the £100.00 already committed" in response.get_data(as_text=True)
    response = post_form(
        client,
        f"{settings}/budget",
        {"year": "2026", "seen": "400000", "budget": "6000"},
        token_from=settings,
    )
    assert "Someone changed the fund" in response.get_data(as_text=True)
    for typed in ("12.345", "-5", "1e3", "£", "NaN", "2000000"):
        response = post_form(
            client,
            f"{settings}/budget",
            {"year": "2026", "seen": "500000", "budget": typed},
            token_from=settings,
        )
        assert response.status_code == 400
        assert "Enter a budget" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(HardshipBudget.id))) == 1  # the payments'
    response = post_form(
        client,
        f"{settings}/budget",
        {"year": "2026", "seen": "500000", "budget": "6,000"},
        token_from=settings,
        follow_redirects=True,
    )
    assert "Budget saved: £6,000.00." in response.get_data(as_text=True)
    response = post_form(
        client,
        f"{settings}/threshold",
        {"threshold": "40", "version": "0"},
        token_from=settings,
        follow_redirects=True,
    )
    assert "Payments above £40.00 now need a team leader" in response.get_data(as_text=True)
    response = post_form(
        client, f"{settings}/threshold", {"threshold": "50", "version": "0"}, token_from=settings
    )
    assert "Someone changed the fund" in response.get_data(as_text=True)
    page = client.get("/hardship").get_data(as_text=True)
    assert "Payments above £40.00 need" in page and "£5,900.00" in page


@pytest.mark.parametrize("asked", ["abc", "99999", "1e3", "٢٠٢٦", "2026-27", "0"])
def test_a_year_that_is_not_one_is_refused_with_the_years_to_choose(app, setting, asked):
    """The fund's figures for a year asked for wrongly are never this year's shown under that
    address: a 400 says so and offers the years (the quarter reports do the same)."""
    client = _as(app, setting, "leader")
    response = client.get(f"/hardship?year={asked}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose a financial year from the list" in html
    assert '<option value="2026">April 2026 to March 2027</option>' in html
    assert 'name="year"' in html and "Show this financial year" in html
    assert client.get("/hardship?year=2026").status_code == 200


def test_a_settings_form_sent_back_with_a_bad_year_in_its_address_is_the_settings_page(
    app, setting
):
    """Only a page asked for by address answers a bad year with the years to choose: a form
    sent back with its own problems stays the settings form (whose years page could not have
    been sent back to a POST-only address)."""
    client = _as(app, setting, "admin")
    path = "/hardship/settings/threshold?year=abc"
    response = post_form(client, path, {"threshold": "-5"}, token_from="/hardship/settings")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose a financial year from the list" not in html
    assert 'action="/hardship/settings/threshold"' in html


def test_withdrawing_a_waiting_payment_from_the_support_tab(app, setting):
    client = _as(app, setting, "worker")
    case_id = setting["case"].id
    post_form(client, f"/cases/{case_id}/support/hardship/new", _payment("150.00"))
    payment_id = db.session.scalar(sa.select(HardshipPayment.id))
    tab = f"/cases/{case_id}/support"
    assert "Withdraw" in client.get(tab).get_data(as_text=True)
    # Only the person who asked: a team leader of the team sees no button and is refused.
    leader = _as(app, setting, "leader")
    response = post_form(
        leader, f"{tab}/hardship/{payment_id}/withdraw", {}, token_from=tab, follow_redirects=True
    )
    assert "Only the person who asked for the payment can withdraw it" in response.get_data(
        as_text=True
    )
    stranger = _as(app, setting, "stranger")
    response = post_form(
        stranger, f"{tab}/hardship/{payment_id}/withdraw", {}, token_from="/account"
    )
    assert response.status_code == 404
    response = post_form(
        client, f"{tab}/hardship/{payment_id}/withdraw", {}, token_from=tab, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "Payment of £150.00 withdrawn." in page and "£5,000.00 is left" in page
    db.session.rollback()
    assert db.session.scalar(sa.select(HardshipPayment.status)) == "withdrawn"
