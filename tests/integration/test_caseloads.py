"""Caseloads (issue 12, part 1): a caseworker's cases and referrals by next deadline with calls,
last contact and markers; picking up referrals when the team allows it; "My team"; and a team
leader reassigning a case. Other teams' people never appear on any of these."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from flask import current_app
from sqlalchemy.orm import Session

from casework.audit import Origin
from casework.caseloads.listing import CaseloadFilters, caseload_rows
from casework.caseloads.models import CaseReassignment
from casework.caseloads.pick_up import pick_up_referral
from casework.cases.models import Case
from casework.cases.opening import close_case
from casework.contact.models import ContactAttempt
from casework.contact.recording import record_attempt
from casework.db import db
from casework.errors import ValidationError
from casework.messages import outbox
from casework.messages.models import OutboundMessage
from casework.obligations import lifecycle
from casework.obligations.models import Obligation
from casework.people.models import Person
from casework.referrals.models import Referral
from scheduling.service_calendars import victim_calendar
from tests.conftest import audit_rows, csrf_token, hidden_value, post_form, sign_in
from tests.factories import RECEIVED, create_case, create_complete_assessment, create_referrals
from tests.integration.test_queue import referral_by_ref
from tests.police import police_row
from tests.query_plans import sqlite_plans
from triage.deadlines import DueObligation

ORIGIN = Origin.command_line("test")
# Saturday 21 November 2026, 11:00 GMT: a service day; the referrals came on Friday at 07:00.
NOW = datetime(2026, 11, 21, 11, tzinfo=UTC)


@pytest.fixture
def world(app, create_team_record, create_staff_record):
    """Team A: a leader, Wendy (the caseworker whose caseload we read) and Colin; team B: a
    leader and Olive, a caseworker. Wendy holds three referrals and two cases; Olive one
    referral; one referral is unallocated."""
    team_a, team_b = create_team_record("Victims A"), create_team_record("Victims B")
    s = {
        "leader": create_staff_record("team_leader", team=team_a, name="Lee Leader"),
        "wendy": create_staff_record("caseworker", team=team_a, name="Wendy Worker"),
        "colin": create_staff_record("caseworker", team=team_a, name="Colin Colleague"),
        "other_leader": create_staff_record("team_leader", team=team_b, name="Olga Other"),
        "olive": create_staff_record("caseworker", team=team_b, name="Olive Outside"),
        "team_a": team_a,
        "team_b": team_b,
    }
    create_referrals(
        # Mobile phone: a first call within 48 hours (Sunday 07:00).
        police_row(crime_reference="LC-1", forename="Phoebe", surname="Phone"),
        # Domestic abuse: enhanced, first call within 24 hours (Saturday 07:00, passed).
        police_row(
            crime_reference="LC-2",
            forename="Dana",
            surname="Young",
            date_of_birth="2010-02-02",
            flags="DOMESTIC_ABUSE",
            mobile_phone="07700 900102",
        ),
        # Email: an initial message by close of Friday (passed).
        police_row(
            crime_reference="LC-3",
            forename="Emma",
            surname="Mail",
            contact_method="EMAIL",
            email="emma@example.test",
            mobile_phone="07700 900103",
        ),
        police_row(
            crime_reference="LC-4", forename="Carl", surname="Case", mobile_phone="07700 900104"
        ),
        police_row(crime_reference="LC-5", forename="Quinn", surname="Quiet", mobile_phone=""),
        police_row(
            crime_reference="LC-6", forename="Otto", surname="Theirs", mobile_phone="07700 900106"
        ),
        police_row(
            crime_reference="LC-7", forename="Una", surname="Nobody", mobile_phone="07700 900107"
        ),
    )
    for ref, worker in (("LC-1", "wendy"), ("LC-2", "wendy"), ("LC-3", "wendy"), ("LC-6", "olive")):
        referral_by_ref(ref).allocated_to_id = s[worker].id
        db.session.commit()
    carl = create_case(referral_by_ref("LC-4").id, caseworker=s["wendy"], leader=s["leader"])
    quinn = create_case(referral_by_ref("LC-5").id, caseworker=s["wendy"], leader=s["leader"])
    # Carl's needs assessment is booked for Saturday 15:00 (a case's own deadline).
    lifecycle.add(
        db.session,
        carl,
        DueObligation("needs_assessment", "phone", datetime(2026, 11, 21, 15, tzinfo=UTC)),
        RECEIVED,
    )
    db.session.commit()
    return {**s, "carl": carl.id, "quinn": quinn.id}


def rows(worker, *, now=NOW, **filters):
    """The worker's whole caseload, as the service reads it."""
    return caseload_rows(
        db.session,
        worker.id,
        CaseloadFilters(**filters),
        now=now,
        today=now.date(),
        offset=0,
        limit=100,
    )


def attempt(referral_id, at, outcome="no_answer", actor=None):
    """A call recorded through the real service."""
    return record_attempt(
        db.session,
        referral_id,
        channel="telephone",
        outcome=outcome,
        at=at,
        notes=None,
        actor=actor,
        origin=ORIGIN,
        now=at,
        calendar=victim_calendar(current_app.config),
    )


def test_caseload_lists_cases_and_referrals_overdue_first_then_soonest_deadline(world):
    found = rows(world["wendy"])
    assert [r.name for r in found] == [
        "Emma Mail",  # initial message due Friday 18:00: overdue
        "Dana Young",  # enhanced first call due Saturday 07:00: overdue
        "Carl Case",  # case: needs assessment Saturday 15:00
        # The case a team leader opened before anyone called: its first call is still owed,
        # Sunday 07:00, on the referral closed into it (a case before a referral due then).
        "Quinn Quiet",
        "Phoebe Phone",  # first call due Sunday 07:00
    ]
    assert [r.kind for r in found] == ["referral", "referral", "case", "case", "referral"]
    assert [r.overdue(NOW) for r in found] == [True, True, False, False, False]
    assert found[2].next_obligation.kind == "needs_assessment"
    assert found[3].next_obligation.kind == "phone_contact"
    assert [r.name for r in rows(world["wendy"], overdue=True)] == ["Emma Mail", "Dana Young"]
    assert [r.name for r in rows(world["wendy"], kind="case")] == ["Carl Case", "Quinn Quiet"]


def _row_of(html: str, name: str) -> str:
    start = html.index(name)
    return html[start : html.index("</tr>", start)]


def _post_call(client, referral_id, outcome="no_answer", at="10:30"):
    return client.post(
        f"/referrals/{referral_id}/calls",
        data={
            "call-csrf_token": csrf_token(client, "/caseload"),
            "call-outcome": outcome,
            "call-day": ["21", "11", "2026"],
            "call-at": at,
        },
    )


def test_a_first_call_owed_on_a_case_opened_before_anyone_called_is_shown_and_can_be_made(
    client, world
):
    """A team leader opened Carl's case from his referral before anyone had called him. The
    first call is still owed (Sunday 07:00): the case page shows it and the breach sweep would
    count it, so his line on Wendy's caseload says so, and his referral, closed into the case,
    still offers "Record a call". Speaking to him meets it, and the line says so."""
    carl = referral_by_ref("LC-4")
    assert carl.status == "closed" and carl.case_id == world["carl"]
    with time_machine.travel(NOW, tick=False):
        sign_in(client, world["wendy"].email)
        # The needs assessment (Saturday 15:00) comes first; the first call is owed after it.
        db.session.execute(
            sa.update(Obligation)
            .where(Obligation.case_id == world["carl"])
            .values(status="met", met_at=NOW)
        )
        db.session.commit()
        line = _row_of(client.get("/caseload").get_data(as_text=True), "Carl Case")
        assert "First telephone call" in line and "Sun 22 Nov" in line
        page = client.get(f"/referrals/{carl.id}/contact").get_data(as_text=True)
        assert "Record a call" in page and "Record the first conversation" not in page
        form = client.get(f"/referrals/{carl.id}/record/call").get_data(as_text=True)
        assert "This referral is closed" not in form and 'name="call-outcome"' in form
        assert _post_call(client, carl.id, outcome="spoke").status_code == 302
        line = _row_of(client.get("/caseload").get_data(as_text=True), "Carl Case")
        assert "First telephone call" not in line
        page = client.get(f"/referrals/{carl.id}/contact").get_data(as_text=True)
        assert "Record a call" not in page
        closed = client.get(f"/referrals/{carl.id}/record/call").get_data(as_text=True)
        assert "This referral is closed: there is nothing more to record on it here." in closed


def test_a_call_on_a_closed_referral_is_refused_unless_one_is_owed_and_never_reopens_it(
    client, world
):
    """The service, not only the page, decides: a call sent to a closed referral that owes
    none is refused and stores nothing; on the one Carl's case was opened from, owing a first
    call, "declined" meets the call but leaves the referral as it was closed, into the case."""
    carl = referral_by_ref("LC-4")
    with time_machine.travel(NOW, tick=False):
        sign_in(client, world["wendy"].email)
        assert _post_call(client, carl.id, outcome="spoke").status_code == 302
        again = _post_call(client, carl.id, at="10:45")
        assert again.status_code == 400
        assert "This referral is closed" in again.get_data(as_text=True)
        quinn = referral_by_ref("LC-5")
        assert _post_call(client, quinn.id, outcome="declined").status_code == 302
    db.session.rollback()
    calls = sa.select(sa.func.count()).where(ContactAttempt.referral_id == carl.id)
    assert db.session.scalar(calls) == 1
    quinn = db.session.get(Referral, quinn.id)
    assert (quinn.status, quinn.outcome) == ("closed", "further_support")
    assert db.session.get(Case, world["quinn"]).status == "open"


def test_the_owed_call_goes_with_the_case_to_its_new_caseworker_and_ends_with_it(
    app, client, world
):
    """Reassigned, Carl's case takes the referral still owing his first call to Colin, who
    may now make it and Wendy may not; closed, the case ends that call: nothing is left due."""
    carl = referral_by_ref("LC-4")
    with time_machine.travel(NOW, tick=False):
        sign_in(client, world["leader"].email)
        response = reassign(
            client, world["carl"], {"caseworker": world["colin"].id, "reason": "Wendy is away"}
        )
        assert response.status_code == 302
        colin = app.test_client()
        sign_in(colin, world["colin"].email)
        assert "Record a call" in colin.get(f"/referrals/{carl.id}/contact").get_data(as_text=True)
        wendy = app.test_client()
        sign_in(wendy, world["wendy"].email)
        assert wendy.get(f"/referrals/{carl.id}/record/call").status_code == 404
        assert _post_call(colin, carl.id).status_code == 302
    db.session.rollback()
    case = db.session.get(Case, world["carl"])
    close_case(db.session, case, reason="moved_away", actor=world["leader"], origin=ORIGIN, now=NOW)
    db.session.commit()
    owed = db.session.scalars(
        sa.select(Obligation).where(
            Obligation.referral_id == carl.id, Obligation.status.in_(("due", "breached"))
        )
    ).all()
    assert owed == []
    with time_machine.travel(NOW, tick=False):
        page = colin.get(f"/referrals/{carl.id}/contact").get_data(as_text=True)
    assert "Record a call" not in page


def test_the_caseload_page_shows_the_lines_and_never_another_workers(client, world):
    with time_machine.travel(NOW, tick=False):
        sign_in(client, world["wendy"].email)
        html = client.get("/caseload").get_data(as_text=True)
    order = [html.index(name) for name in ("Emma Mail", "Dana Young", "Carl Case", "Phoebe")]
    assert order == sorted(order)
    assert "Overdue by" in html  # said in words, not by colour alone
    assert "5 lines" in html
    assert "Otto" not in html and "Una" not in html
    assert f'href="/cases/{world["carl"]}"' in html
    assert f'href="/referrals/{referral_by_ref("LC-1").id}"' in html


def test_calls_made_and_when_the_next_may_be(world):
    phoebe = referral_by_ref("LC-1").id
    attempt(phoebe, datetime(2026, 11, 21, 10, tzinfo=UTC), actor=world["wendy"])
    line = next(r for r in rows(world["wendy"]) if r.name == "Phoebe Phone")
    assert line.calls_made == 1
    assert (line.next_call.state, line.next_call.at) == (
        "later",
        datetime(2026, 11, 21, 12, tzinfo=UTC),
    )
    later = NOW + timedelta(hours=1, minutes=1)
    assert (
        next(
            r for r in rows(world["wendy"], now=later) if (r.kind, r.id) == ("referral", phoebe)
        ).next_call.state
        == "now"
    )
    attempt(phoebe, datetime(2026, 11, 21, 12, tzinfo=UTC), actor=world["wendy"])
    attempt(phoebe, datetime(2026, 11, 21, 14, tzinfo=UTC), actor=world["wendy"])
    done = next(
        r
        for r in rows(world["wendy"], now=datetime(2026, 11, 21, 15, tzinfo=UTC))
        if (r.kind, r.id) == ("referral", phoebe)
    )
    assert done.calls_made == 3
    # The third failed call met the first-call deadline and brought the final letter (D1b).
    assert done.next_call.state == "none"
    assert done.next_obligation.kind == "final_letter"
    assert done.last_contact == datetime(2026, 11, 21, 14, tzinfo=UTC)
    assert done.last_contact_how == "call"


def test_a_referral_with_no_calls_may_be_called_now_and_an_email_referral_owes_none(world):
    lines = {r.name: r for r in rows(world["wendy"])}
    assert lines["Dana Young"].next_call.state == "now"
    assert lines["Dana Young"].calls_made == 0
    assert lines["Emma Mail"].next_call.state == "none"
    assert lines["Emma Mail"].last_contact is None


def test_the_page_gives_the_next_call_within_the_persons_safe_times(client, world):
    """Phoebe may be called now by the three-call rule, but it is safe only on weekday
    evenings: on Saturday morning the caseload says Monday 17:00 (the service closes at 18:00),
    not 'now'."""
    person = db.session.get(Person, referral_by_ref("LC-1").person_id)
    person.safe_windows = [{"days": [0, 1, 2, 3, 4], "start": "17:00", "end": "19:00"}]
    db.session.commit()
    with time_machine.travel(NOW, tick=False):
        sign_in(client, world["wendy"].email)
        html = client.get("/caseload").get_data(as_text=True)
    row = html[html.index("Phoebe Phone") : html.index("</tr>", html.index("Phoebe Phone"))]
    assert "Next call from 17:00 Mon 23 Nov (their safe times)" in row
    assert "Next call: now" not in row


def test_after_closing_the_page_gives_the_next_call_from_when_the_service_opens(client, world):
    """Read at 18:30 on Saturday 21 November, after closing (and the service is shut on
    Sunday): Phoebe, who gave no safe times, is next called at 09:00 on Monday, not 'now'."""
    with time_machine.travel(datetime(2026, 11, 21, 18, 30, tzinfo=UTC), tick=False):
        sign_in(client, world["wendy"].email)
        html = client.get("/caseload").get_data(as_text=True)
    row = html[html.index("Phoebe Phone") : html.index("</tr>", html.index("Phoebe Phone"))]
    assert "Next call from 09:00 Mon 23 Nov (when we open)" in row
    assert "Next call: now" not in row


def test_markers_safe_contact_under_18_repeat_victim_and_held_letter(world):
    phoebe = referral_by_ref("LC-1")
    person = db.session.get(Person, phoebe.person_id)
    person.safe_to_text, person.safe_to_voicemail, person.safe_to_post = False, False, False
    person.safe_windows = [{"days": [0, 1, 2], "start": "18:00", "end": "20:00"}]
    db.session.commit()
    referral_by_ref("LC-3").repeat_victim = True
    db.session.commit()
    quinn = db.session.get(Case, world["quinn"])
    outbox.queue_message(
        db.session,
        dedupe_key="held-test",
        kind="final_letter",
        channel="post",
        recipient="1 Test Street",
        body="Dear Quinn",
        now=RECEIVED,
        send_after=RECEIVED,
        referral_id=quinn.referrals[0].id,
        status="held",
    )
    db.session.commit()
    lines = {r.name: r.markers for r in rows(world["wendy"])}
    assert lines["Phoebe Phone"] == [
        "Not safe to text",
        "No voicemail",
        "Not safe to post",
        "Safe times set",
    ]
    assert lines["Dana Young"] == ["Under 18"]  # born 2010
    assert lines["Emma Mail"] == ["Repeat victim"]
    assert lines["Quinn Quiet"] == ["Held letter"]
    assert lines["Carl Case"] == []


def test_last_contact_counts_messages_that_reached_the_person_not_staff_alerts(world):
    emma = referral_by_ref("LC-3")
    sent_at = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    for key, kind in (("a", "initial_message"), ("b", "breach_alert")):
        outbox.queue_message(
            db.session,
            dedupe_key=key,
            kind=kind,
            channel="email",
            recipient="x@example.test",
            body="x",
            now=sent_at,
            send_after=sent_at,
            referral_id=emma.id,
        )
    db.session.execute(
        sa.update(OutboundMessage)
        .where(OutboundMessage.dedupe_key == "a")
        .values(status="sent", sent_at=sent_at)
    )
    db.session.execute(
        sa.update(OutboundMessage)
        .where(OutboundMessage.dedupe_key == "b")
        .values(status="sent", sent_at=sent_at + timedelta(hours=5))
    )
    db.session.commit()
    line = next(r for r in rows(world["wendy"]) if r.name == "Emma Mail")
    assert (line.last_contact, line.last_contact_how) == (sent_at, "message")


def test_last_contact_counts_case_notes_of_contact_and_needs_assessments(client, world):
    """Carl was spoken to by phone (a case note) on Friday; a later note of no contact (a
    team discussion) is not contact. Quinn's needs assessment was held face to face on
    Thursday: a day, said as a day."""
    from casework.cases.notes import NoteDetails, add_note

    carl, quinn = (db.session.get(Case, world[k]) for k in ("carl", "quinn"))
    spoke = datetime(2026, 11, 20, 14, 5, tzinfo=UTC)
    for mode, at in (("telephone", spoke), ("none", spoke + timedelta(hours=3))):
        add_note(
            db.session,
            carl.id,
            NoteDetails(mode, at, "Spoke about court" if mode != "none" else "Team talk", False),
            actor=world["wendy"],
            origin=ORIGIN,
            now=NOW,
        )
    held = create_complete_assessment(quinn, worker=world["wendy"], held_on=date(2026, 11, 19))
    held.mode = "face_to_face"
    db.session.commit()
    lines = {r.name: (r.last_contact, r.last_contact_how) for r in rows(world["wendy"])}
    assert lines["Carl Case"] == (spoke, "note")
    assert lines["Quinn Quiet"] == (datetime(2026, 11, 19, tzinfo=UTC), "assessment")  # GMT
    with time_machine.travel(NOW, tick=False):
        sign_in(client, world["wendy"].email)
        html = client.get("/caseload").get_data(as_text=True)
    quinn_row = html[html.index("Quinn Quiet") : html.index("</tr>", html.index("Quinn Quiet"))]
    assert "19 Nov 2026<br>" in quinn_row and "Needs assessment" in quinn_row
    carl_row = html[html.index("Carl Case") : html.index("</tr>", html.index("Carl Case"))]
    assert "20 Nov 2026 14:05" in carl_row and "Case note" in carl_row


def test_the_caseload_is_paginated_and_has_an_empty_state(client, world, app):
    app.config["PAGE_SIZE"] = 2
    with time_machine.travel(NOW, tick=False):
        sign_in(client, world["wendy"].email)
        first = client.get("/caseload").get_data(as_text=True)
        third = client.get("/caseload?page=3").get_data(as_text=True)
    assert "Emma Mail" in first and "Carl Case" not in first and 'rel="next"' in first
    assert "Phoebe Phone" in third and "Emma Mail" not in third
    colin = app.test_client()
    sign_in(colin, world["colin"].email)
    html = colin.get("/caseload").get_data(as_text=True)
    assert "You have no open cases or referrals" in html
    assert "Nothing on your caseload matches" in colin.get("/caseload?due=overdue").get_data(
        as_text=True
    )


def test_a_page_costs_the_same_number_of_queries_however_many_lines(world, app):
    counts = []

    def count(conn, cursor, statement, *args):
        counts[-1] += 1

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        for limit in (1, 5):
            counts.append(0)
            caseload_rows(
                db.session,
                world["wendy"].id,
                CaseloadFilters(),
                now=NOW,
                today=NOW.date(),
                offset=0,
                limit=limit,
            )
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert counts[0] == counts[1]


def test_the_caseload_page_reads_by_the_workers_lines_never_every_open_record(client, world):
    """Each query of a caseload page seeks from the worker's own cases and lines: none reads
    every open referral or unmet obligation of the service by status (it did, three of them,
    which cost most of a page's database time among a few thousand referrals)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("reads SQLite's query plans")
    with time_machine.travel(NOW, tick=False):
        sign_in(client, world["wendy"].email)
        with sqlite_plans() as plans:
            assert client.get("/caseload").status_code == 200
    assert any("support_case" in statement for statement in plans)
    by_status = {
        statement: [
            detail
            for *_, detail in plan
            if detail.split()[:2] in (["SCAN", "referral"], ["SCAN", "obligation"])
            or (detail.split()[1:2] in (["referral"], ["obligation"]) and "(status=?)" in detail)
        ]
        for statement, plan in plans.items()
    }
    found = {s: d for s, d in by_status.items() if d}
    assert not found, "\n\n".join(f"{s}\n  -> {d}" for s, d in found.items())


# --- picking up referrals ------------------------------------------------------------------


def turn_pick_up(client, team_id, on: bool):
    path = f"/teams/{team_id}/caseload-settings"
    html = client.get(path).get_data(as_text=True)
    version = hidden_value(html, "version")
    return post_form(
        client,
        path,
        {
            "caseworkers_pick_up": "yes" if on else "no",
            "plan_review_days": "28",
            "closure_needs_approval": "no",
            "version": version,
        },
    )


def test_a_settings_answer_not_offered_asks_for_one_in_words(client, world):
    sign_in(client, world["leader"].email)
    path = f"/teams/{world['leader'].team_id}/caseload-settings"
    version = hidden_value(client.get(path).get_data(as_text=True), "version")
    data = {"caseworkers_pick_up": "no", "plan_review_days": "28", "version": version}
    refused = post_form(client, path, {**data, "closure_needs_approval": "maybe"})
    assert refused.status_code == 400
    said = refused.get_data(as_text=True)
    assert "Select whether team leaders approve every closure" in said
    assert "valid choice" not in said


def test_pick_up_is_refused_while_the_team_setting_is_off(client, world):
    una = referral_by_ref("LC-7")
    sign_in(client, world["wendy"].email)
    assert "Pick up" not in client.get("/queue").get_data(as_text=True)
    response = post_form(client, f"/referrals/{una.id}/pick-up", {}, token_from="/queue")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your team does not allow caseworkers to pick up referrals" in page
    db.session.expire_all()
    assert referral_by_ref("LC-7").allocated_to_id is None


def test_team_leader_turns_pick_up_on_and_a_caseworker_picks_one_up(client, app, world):
    sign_in(client, world["leader"].email)
    assert turn_pick_up(client, world["team_a"].id, True).status_code == 302
    setting = audit_rows("team.caseload_settings")[-1]
    assert setting.actor_id == world["leader"].id and '"to": true' in setting.detail
    other = app.test_client()
    sign_in(other, world["wendy"].email)
    queue = other.get("/queue").get_data(as_text=True)
    assert "Pick up" in queue
    una = referral_by_ref("LC-7")
    response = post_form(other, f"/referrals/{una.id}/pick-up", {}, token_from="/queue")
    assert response.headers["Location"] == f"/referrals/{una.id}"
    db.session.expire_all()
    assert referral_by_ref("LC-7").allocated_to_id == world["wendy"].id
    row = audit_rows("referral.pick_up")[-1]
    assert row.actor_id == world["wendy"].id and row.record_id == str(una.id)
    assert "Una Nobody" in other.get("/caseload").get_data(as_text=True)


def test_another_teams_leader_cannot_change_the_setting(client, world):
    sign_in(client, world["other_leader"].email)
    assert client.get(f"/teams/{world['team_a'].id}/caseload-settings").status_code == 404
    assert audit_rows("access.denied")[-1].record_id == str(world["team_a"].id)


def test_a_stale_settings_form_is_refused(client, app, world):
    sign_in(client, world["leader"].email)
    path = f"/teams/{world['team_a'].id}/caseload-settings"
    stale = client.get(path).get_data(as_text=True)
    version = hidden_value(stale, "version")
    turn_pick_up(client, world["team_a"].id, True)
    response = post_form(
        client,
        path,
        {
            "caseworkers_pick_up": "no",
            "plan_review_days": "28",
            "closure_needs_approval": "no",
            "version": version,
        },
    )
    assert response.status_code == 400
    assert "Someone else changed these settings" in response.get_data(as_text=True)


def test_two_caseworkers_picking_up_the_same_referral_one_is_told_it_was_taken(client, app, world):
    sign_in(client, world["leader"].email)
    turn_pick_up(client, world["team_a"].id, True)
    una_id = referral_by_ref("LC-7").id
    # Colin's session has read the referral as unallocated, as his pick-up is about to.
    colin_session = Session(db.engine)
    try:
        seen = colin_session.get(Referral, una_id)
        assert seen.allocated_to_id is None
        pick_up_referral(db.session, una_id, actor=world["wendy"], origin=ORIGIN, now=NOW)
        colin = colin_session.get(type(world["colin"]), world["colin"].id)
        with pytest.raises(ValidationError) as refused:
            pick_up_referral(colin_session, una_id, actor=colin, origin=ORIGIN, now=NOW)
    finally:
        colin_session.close()
    assert "already picked up" in refused.value.errors["referral"]
    db.session.expire_all()
    assert referral_by_ref("LC-7").allocated_to_id == world["wendy"].id
    assert len(audit_rows("referral.pick_up")) == 1


def test_a_referral_taken_since_the_queue_was_read_is_refused_with_a_message(client, app, world):
    sign_in(client, world["leader"].email)
    turn_pick_up(client, world["team_a"].id, True)
    una_id = referral_by_ref("LC-7").id
    colin = app.test_client()
    sign_in(colin, world["colin"].email)
    token = csrf_token(colin, "/queue")
    pick_up_referral(db.session, una_id, actor=world["wendy"], origin=ORIGIN, now=NOW)
    response = colin.post(f"/referrals/{una_id}/pick-up", data={"csrf_token": token})
    assert response.headers["Location"] == "/queue"
    assert "already picked up" in colin.get("/queue").get_data(as_text=True)
    db.session.expire_all()
    assert referral_by_ref("LC-7").allocated_to_id == world["wendy"].id


# --- My team --------------------------------------------------------------------------------


def test_team_view_counts_each_caseworkers_cases_referrals_and_overdue(client, world):
    with time_machine.travel(NOW, tick=False):
        sign_in(client, world["leader"].email)
        html = client.get("/team").get_data(as_text=True)
    wendy = re.search(r"Wendy Worker.*?</tr>", html, re.S).group(0)
    cells = re.findall(r'cell--numeric">(.*?)</td>', wendy)
    assert cells[:2] == ["2", "3"]
    assert "2 overdue" in cells[2]  # Emma's initial message and Dana's first call
    # A day on, Carl's and Quinn's first calls are overdue too, on the referrals their cases
    # were opened from before anyone called (the caseload shows them; so does this count),
    # as are Phoebe's first call and Carl's needs assessment.
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        sign_in(client, world["leader"].email)
        html = client.get("/team").get_data(as_text=True)
        overdue = client.get(f"/team/caseworkers/{world['wendy'].id}?due=overdue")
    wendy_later = re.search(r"Wendy Worker.*?</tr>", html, re.S).group(0)
    assert "6 overdue" in re.findall(r'cell--numeric">(.*?)</td>', wendy_later)[2]
    assert "5 lines" in overdue.get_data(as_text=True)
    colin = re.search(r"Colin Colleague.*?</tr>", html, re.S).group(0)
    # open cases, referrals, overdue deadlines, overdue plan actions, resilience plans due
    assert re.findall(r'cell--numeric">(.*?)</td>', colin) == ["0", "0", "0", "0", "0"]
    assert "Olive" not in html and "Otto" not in html
    assert f"/team/caseworkers/{world['wendy'].id}" in html


def test_team_leader_opens_a_caseworkers_caseload_but_not_another_teams(client, world):
    with time_machine.travel(NOW, tick=False):
        sign_in(client, world["leader"].email)
        html = client.get(f"/team/caseworkers/{world['wendy'].id}").get_data(as_text=True)
    sign_in(client, world["leader"].email)
    assert "Wendy Worker’s caseload" in html and "Emma Mail" in html
    view = audit_rows("caseload.view")[-1]
    assert view.actor_id == world["leader"].id and view.record_id == str(world["wendy"].id)
    assert client.get(f"/team/caseworkers/{world['olive'].id}").status_code == 404
    assert client.get(f"/team/caseworkers/{world['leader'].id}").status_code == 404
    assert client.get("/team/caseworkers/2147483647").status_code == 404
    assert audit_rows("access.denied")[-1].record_id == "2147483647"


def test_a_caseworker_cannot_open_the_team_view_or_a_colleagues_caseload(client, world):
    sign_in(client, world["colin"].email)
    assert client.get("/team").status_code == 403
    assert client.get(f"/team/caseworkers/{world['wendy'].id}").status_code == 403


# --- reassigning a case ---------------------------------------------------------------------


def reassign(client, case_id, data, *, version=None):
    path = f"/cases/{case_id}/reassign"
    html = client.get(path).get_data(as_text=True)
    shown = hidden_value(html, "version")
    return post_form(client, path, {"version": version or shown, **data})


def test_team_leader_reassigns_a_case_and_the_new_caseworker_is_told(client, app, world):
    sign_in(client, world["leader"].email)
    assert "Reassign case" in client.get(f"/cases/{world['carl']}").get_data(as_text=True)
    response = reassign(
        client, world["carl"], {"caseworker": world["colin"].id, "reason": "Wendy is on leave"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, world["carl"]).caseworker_id == world["colin"].id
    row = audit_rows("case.reassign")[-1]
    assert row.actor_id == world["leader"].id
    assert row.detail_dict == {
        "from": world["wendy"].id,
        "to": world["colin"].id,
        "reason": "Wendy is on leave",
    }
    email = db.session.scalar(
        sa.select(OutboundMessage).where(OutboundMessage.kind == "case_reassigned")
    )
    assert email.recipient == world["colin"].email and email.status == "queued"
    assert "Carl" not in email.body and "leave" not in email.body
    colin = app.test_client()
    sign_in(colin, world["colin"].email)
    html = colin.get("/caseload").get_data(as_text=True)
    assert "New to you" in html and "Lee Leader" in html and "Wendy is on leave" in html
    colin.get(f"/cases/{world['carl']}")  # opening the case: no longer new
    assert "New to you" not in colin.get("/caseload").get_data(as_text=True)
    wendy = app.test_client()
    sign_in(wendy, world["wendy"].email)
    assert "Carl Case" not in wendy.get("/caseload").get_data(as_text=True)
    assert wendy.get(f"/cases/{world['carl']}").status_code == 404


def test_reassigning_moves_the_cases_open_referrals_too(client, world):
    # A new referral for Carl attaches to his open case and its first call goes to Wendy.
    create_referrals(
        police_row(
            crime_reference="LC-8",
            forename="Carl",
            surname="Case",
            mobile_phone="07700 900104",
            date_of_birth="1980-05-05",
        ),
        received=RECEIVED + timedelta(hours=1),
    )
    new = referral_by_ref("LC-8")
    assert new.case_id == world["carl"]
    assert new.allocated_to_id == world["wendy"].id
    carl = next(r for r in rows(world["wendy"]) if (r.kind, r.id) == ("case", world["carl"]))
    assert carl.next_call.state == "now"  # the new referral's first call is owed
    assert "Carl" not in [r.name.split()[0] for r in rows(world["wendy"]) if r.kind == "referral"]
    sign_in(client, world["leader"].email)
    reassign(client, world["carl"], {"caseworker": world["colin"].id, "reason": "Balancing load"})
    db.session.expire_all()
    assert referral_by_ref("LC-8").allocated_to_id == world["colin"].id


@pytest.mark.parametrize(
    ("who", "reason", "message"),
    [
        ("olive", "Moving teams", "Select a caseworker in the case"),
        ("leader", "Covering", "Select an active caseworker"),
        ("wendy", "Same again", "already with this caseworker"),
        ("colin", "", "Give the reason for reassigning the case"),
    ],
)
def test_reassignment_rules_refuse_with_a_clear_message(client, world, who, reason, message):
    sign_in(client, world["leader"].email)
    response = reassign(client, world["carl"], {"caseworker": world[who].id, "reason": reason})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, world["carl"]).caseworker_id == world["wendy"].id
    assert audit_rows("case.reassign") == []


def test_an_inactive_caseworker_cannot_take_a_case(client, world, create_staff_record):
    create_staff_record("caseworker", team=world["team_a"], name="Ivy Active")
    db.session.execute(
        sa.update(type(world["colin"]))
        .where(type(world["colin"]).id == world["colin"].id)
        .values(active=False)
    )
    db.session.commit()
    sign_in(client, world["leader"].email)
    response = reassign(client, world["carl"], {"caseworker": world["colin"].id, "reason": "Cover"})
    assert response.status_code == 400 and "Select an active caseworker" in response.get_data(
        as_text=True
    )


def test_a_stale_reassignment_form_is_refused_and_changes_nothing(client, app, world):
    sign_in(client, world["leader"].email)
    path = f"/cases/{world['carl']}/reassign"
    html = client.get(path).get_data(as_text=True)
    stale = hidden_value(html, "version")
    reassign(client, world["carl"], {"caseworker": world["colin"].id, "reason": "First change"})
    response = post_form(
        client, path, {"caseworker": world["wendy"].id, "reason": "Second change", "version": stale}
    )
    assert response.status_code == 400
    assert "Someone else changed this case" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, world["carl"]).caseworker_id == world["colin"].id
    assert len(db.session.scalars(sa.select(CaseReassignment)).all()) == 1


def test_other_teams_never_reach_reassignment_or_a_caseworker_in_the_choices(client, world):
    sign_in(client, world["leader"].email)
    html = client.get(f"/cases/{world['carl']}/reassign").get_data(as_text=True)
    assert "Colin Colleague" in html and "Olive" not in html
    client.post("/logout", data={"csrf_token": csrf_token(client, "/team")})
    sign_in(client, world["other_leader"].email)
    assert client.get(f"/cases/{world['carl']}/reassign").status_code == 404
    assert "Reassign" not in client.get("/team").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/team")})
    sign_in(client, world["wendy"].email)
    assert client.get(f"/cases/{world['carl']}/reassign").status_code == 403
    assert "Reassign case" not in client.get(f"/cases/{world['carl']}").get_data(as_text=True)


def test_admin_chooses_a_team_and_may_change_its_settings(client, world, create_staff_record):
    admin = create_staff_record("admin", name="Ada Admin")
    sign_in(client, admin.email)
    html = client.get(f"/team?team={world['team_b'].id}").get_data(as_text=True)
    assert "Olive Outside" in html and "Wendy Worker" not in html
    assert client.get(f"/team/caseworkers/{world['olive'].id}").status_code == 200
    assert turn_pick_up(client, world["team_b"].id, True).status_code == 302
    assert "Caseworkers may pick up" in client.get(f"/team?team={world['team_b'].id}").get_data(
        as_text=True
    )


def test_a_childs_case_is_not_reassigned_to_a_caseworker_whose_vetting_is_not_received(
    client, world, create_staff_record
):
    dana = create_case(
        referral_by_ref("LC-2").id, caseworker=world["wendy"], leader=world["leader"]
    )
    new = create_staff_record("caseworker", team=world["team_a"], name="Nell New", vetted=False)
    sign_in(client, world["leader"].email)
    response = reassign(client, dana.id, {"caseworker": new.id, "reason": "Balancing load"})
    assert response.status_code == 400
    assert "under 18" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, dana.id).caseworker_id == world["wendy"].id
    assert audit_rows("case.reassign") == []
    # An adult's case may go to them.
    response = reassign(client, world["carl"], {"caseworker": new.id, "reason": "Balancing load"})
    assert response.status_code == 302
