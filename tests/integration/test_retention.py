"""Retention: a person's details go once every referral of theirs has been closed and quiet for
RETENTION_YEARS; anyone with an open referral, recent activity or a key date to come keeps them."""

import json
from datetime import UTC, date, datetime

import sqlalchemy as sa

from casework.audit import Origin
from casework.contact.recording import record_key_date
from casework.db import db
from casework.messages.models import OutboundMessage
from casework.people.models import MatchKey, PossibleMatch
from casework.people.retention import anonymise_expired
from casework.referrals.models import Referral
from scheduling import sweeps
from scheduling.sweeps import context
from scheduling.worker import run_once
from tests.conftest import audit_rows
from tests.factories import create_referrals
from tests.police import police_row, referral_by_crime

RECEIVED = datetime(2026, 11, 20, 7, tzinfo=UTC)
CLOSED = datetime(2026, 11, 23, 12, tzinfo=UTC)
JUST_BEFORE = datetime(2032, 11, 23, 11, tzinfo=UTC)  # six years after closing, less an hour
JUST_AFTER = datetime(2032, 11, 23, 13, tzinfo=UTC)


def close(*crime_references: str, when=CLOSED) -> None:
    for referral in [referral_by_crime(crime) for crime in crime_references]:
        referral.status, referral.outcome, referral.updated_at = "closed", "declined", when
    db.session.commit()


def morgan(app):
    """Morgan, contacted by post (a letter was queued), whose case was closed."""
    create_referrals(
        police_row(
            crime_reference="LC-M",
            forename="Morgan",
            contact_method="POST",
            risk_notes="Lives with the suspect",
            occurred_on="2026-11-18",
        ),
    )
    sweeps.queue_contact_messages(
        db.session, context(app.config), now=datetime(2026, 11, 20, 9, tzinfo=UTC)
    )
    close("LC-M")
    return referral_by_crime("LC-M")


def test_details_go_after_the_retention_period_and_not_before(app):
    referral = morgan(app)
    referral.priority_reasons = ["domestic abuse", "raised by team leader: Dan is back home"]
    referral.raised_reason = "Dan is back home"
    db.session.commit()
    assert anonymise_expired(db.session, now=JUST_BEFORE, years=6) == 0
    assert referral_by_crime("LC-M").forename == "Morgan"

    assert anonymise_expired(db.session, now=JUST_AFTER, years=6) == 1
    db.session.rollback()
    gone = db.session.get(Referral, referral.id)
    assert (gone.forename, gone.surname, gone.date_of_birth) == ("Anonymised", "", None)
    assert gone.mobile_phone is None and gone.address_line_1 is None and gone.postcode is None
    assert gone.risk_notes is None and gone.crime_reference is None and gone.match_name_dob is None
    assert gone.occurred_on == date(2026, 11, 1)  # the month is enough for monitoring
    assert (gone.offence, gone.outcome, gone.reference) == (
        referral.offence,
        "declined",
        referral.reference,
    )
    assert gone.anonymised_at == JUST_AFTER
    assert gone.priority_reasons == ["domestic abuse", "raised by team leader"]
    assert gone.raised_reason is None
    letter = db.session.scalars(sa.select(OutboundMessage)).one()
    assert (letter.recipient, letter.body) == ("Anonymised", "")
    assert letter.status == "failed" and "retention" in letter.error  # never printed now
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MatchKey)) == 0
    [event] = audit_rows("referral.anonymise")
    assert event.record_id == str(referral.id) and event.person_id == referral.id
    assert anonymise_expired(db.session, now=JUST_AFTER, years=6) == 0  # once only


def test_an_open_referral_or_a_key_date_to_come_keeps_the_person(app, create_staff_record):
    create_referrals(
        police_row(crime_reference="LC-A1", forename="Avery"),
        police_row(
            crime_reference="LC-K",
            forename="Kit",
            mobile_phone="07700 900222",
            date_of_birth="1990-02-02",
        ),
    )
    create_referrals(
        police_row(crime_reference="LC-A2", forename="Avery", offence="Harassment"),
        received=datetime(2026, 11, 21, 7, tzinfo=UTC),
    )
    assert referral_by_crime("LC-A2").person_id == referral_by_crime("LC-A1").id
    close("LC-A1")  # Avery's second referral is still open
    worker = create_staff_record("team_leader")
    record_key_date(
        db.session,
        referral_by_crime("LC-K").id,
        kind="offender_release",
        event_on=date(2033, 6, 1),
        actor=worker,
        origin=Origin.command_line("test"),
        now=RECEIVED,
        calendar=context(app.config).calendar,
    )
    close("LC-K")
    assert anonymise_expired(db.session, now=JUST_AFTER, years=6) == 0
    assert (
        referral_by_crime("LC-A1").forename == "Avery"
        and referral_by_crime("LC-K").forename == "Kit"
    )
    # Once the release date is over six years past, Kit's details go too.
    assert anonymise_expired(db.session, now=datetime(2039, 6, 2, tzinfo=UTC), years=6) == 1


def test_an_anonymised_person_is_never_matched_again(app):
    morgan(app)
    anonymise_expired(db.session, now=JUST_AFTER, years=6)
    create_referrals(
        police_row(crime_reference="LC-NEW", forename="Morgan", contact_method="POST"),
        received=datetime(2032, 11, 24, 7, tzinfo=UTC),
    )
    newcomer = referral_by_crime("LC-NEW")
    assert newcomer.person_id == newcomer.id and not newcomer.repeat_victim
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PossibleMatch)) == 0


def test_the_scheduler_and_the_command_line_run_it(app, runner):
    morgan(app)
    summary = run_once(app, now=JUST_AFTER)
    assert summary["anonymised"] == 1
    result = runner.invoke(args=["people", "anonymise-expired", "--now", JUST_AFTER.isoformat()])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"anonymised": 0, "retention_years": 6}


def test_the_sweep_reads_only_the_retention_index(app):
    """It runs every minute: it must not read every closed referral to find none expired."""
    import pytest

    if db.engine.dialect.name != "sqlite":
        pytest.skip("reads SQLite's query plans")
    morgan(app)
    plans = []

    def explain(conn, cursor, statement, parameters, context, executemany):
        if "anonymised_at IS NULL" in statement and statement.lstrip().startswith("SELECT"):
            raw = conn.connection.dbapi_connection
            plans.append(raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall())

    sa.event.listen(db.engine, "before_cursor_execute", explain)
    try:
        anonymise_expired(db.session, now=JUST_BEFORE, years=6)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", explain)
    assert plans and "ix_referral_retention" in plans[0][0][-1], plans


def test_a_person_once_merged_by_a_confirmed_match_is_anonymised_in_time(
    app, create_staff_record, create_team_record
):
    """Two referrals a team leader confirmed were one person: six years after both closed,
    the person's details go like anyone's (the merge keeps its record, not the match)."""
    from casework.people.models import PersonMerge
    from casework.referrals.decisions import decide_match

    leader = create_staff_record("team_leader", team=create_team_record("North"))
    create_referrals(
        police_row(crime_reference="LC-1", mobile_phone="07700 900001"),
        police_row(crime_reference="LC-2", mobile_phone="07700 900002"),  # name and birth date
    )
    match = db.session.scalars(sa.select(PossibleMatch)).one()
    moved = match.referral_id
    decide_match(
        db.session,
        moved,
        match.id,
        True,
        actor=leader,
        origin=Origin.command_line("test"),
        now=CLOSED,
    )
    close("LC-1", "LC-2")
    assert anonymise_expired(db.session, now=JUST_AFTER, years=6) == 2
    db.session.rollback()
    assert {r.forename for r in db.session.scalars(sa.select(Referral))} == {"Anonymised"}
    merge = db.session.scalars(sa.select(PersonMerge)).one()
    assert merge.possible_match_id is None and merge.referral_ids == [moved]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PossibleMatch)) == 0
