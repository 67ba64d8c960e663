"""Contact modes on the records (issue "People and cases", part 5): every attempt records its
mode, and a case's attempts and notes say how its person was supported, for the quarterly
return's "Support provided" figures (spec section 7)."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from casework.audit import Origin
from casework.cases.contact_modes import case_support, support_by_case
from casework.cases.notes import NoteDetails, add_note
from casework.contact.models import ContactAttempt
from casework.contact.recording import record_attempt
from casework.db import db
from casework.referrals.models import Referral
from scheduling.service_calendars import victim_calendar
from tests.factories import create_case, create_referrals
from tests.police import police_row
from triage.contact_modes import SupportModes

OPENED = datetime(2026, 11, 20, 9, tzinfo=UTC)
NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
ORIGIN = Origin.command_line("test")


def _case(worker, leader, n: int, name: str, *attempts):
    """A case opened by the team leader from a police referral, after these ``attempts``
    (channel, outcome, hours after receipt) were recorded on the referral while it was open:
    the calls and visits of first contact, made before anyone opened the case."""
    row = police_row(crime_reference=f"LC-20261120-03{n:02d}", forename=name)
    create_referrals(row, received=OPENED)
    referral_id = db.session.scalar(
        sa.select(Referral.id).where(Referral.crime_reference == row["crime_reference"])
    )
    db.session.get(Referral, referral_id).allocated_to_id = worker.id
    db.session.commit()
    for channel, outcome, hours in attempts:
        record_attempt(
            db.session,
            referral_id,
            channel=channel,
            outcome=outcome,
            at=OPENED + timedelta(hours=hours),
            notes=None,
            actor=worker,
            origin=ORIGIN,
            now=NOW,
            calendar=victim_calendar(current_app.config),
        )
    return create_case(
        referral_id, caseworker=worker, leader=leader, now=OPENED + timedelta(hours=5)
    )


def _note(case, worker, mode):
    add_note(
        db.session,
        case.id,
        NoteDetails(mode, NOW - timedelta(hours=1), f"A {mode} note.", False),
        actor=worker,
        origin=ORIGIN,
        now=NOW,
    )


def test_each_attempt_records_its_mode(app, create_team_record, create_staff_record):
    team = create_team_record()
    worker = create_staff_record("caseworker", team=team)
    leader = create_staff_record("team_leader", team=team)
    _case(worker, leader, 1, "Ann", ("telephone", "no_answer", 1), ("home_visit", "visited", 4))
    db.session.rollback()
    modes = db.session.execute(
        sa.select(ContactAttempt.channel, ContactAttempt.mode).order_by(ContactAttempt.id)
    ).all()
    assert modes == [("telephone", "telephone"), ("home_visit", "face_to_face")]


def test_a_cases_support_comes_from_its_attempts_that_reached_the_person_and_its_notes(
    app, create_team_record, create_staff_record
):
    team = create_team_record()
    worker = create_staff_record("caseworker", team=team)
    leader = create_staff_record("team_leader", team=team)
    phone_only = _case(
        worker,
        leader,
        1,
        "Ann",
        ("telephone", "spoke", 1),
        ("home_visit", "no_answer", 4),  # nobody in: not support
    )
    _note(phone_only, worker, "none")  # a case discussion: no contact
    _note(phone_only, worker, "telephone")

    both = _case(worker, leader, 2, "Bea", ("home_visit", "visited", 2))
    _note(both, worker, "web_chat")

    chat = _case(worker, leader, 3, "Cal", ("telephone", "voicemail", 1))
    _note(chat, worker, "web_chat")
    _note(chat, worker, "email")

    nothing = _case(worker, leader, 4, "Dee", ("telephone", "no_answer", 1))
    _note(nothing, worker, "none")

    found = support_by_case(db.session, [phone_only.id, both.id, chat.id, nothing.id])
    assert found[phone_only.id].modes == {"telephone"}
    assert found[phone_only.id].category == "phone_only"
    assert found[phone_only.id].figures == SupportModes(True, False, False)

    assert found[both.id].modes == {"face_to_face", "web_chat"}
    assert found[both.id].figures == SupportModes(False, True, True)  # counted in both figures
    assert found[both.id].category == "some_face_to_face"

    assert found[chat.id].modes == {"web_chat", "email"}
    assert found[chat.id].figures == SupportModes(False, False, True)

    assert found[nothing.id].modes == set()
    assert found[nothing.id].category == "none"
    assert found[nothing.id].figures == SupportModes(False, False, False)

    assert case_support(db.session, both.id) == found[both.id]
    assert support_by_case(db.session, []) == {}
