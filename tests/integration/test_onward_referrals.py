"""Onward referrals with consent (issue 14 part 2), through the real services, a real database
and a real local SMTP server that offers STARTTLS with a certificate made for the test: what is
shared and nothing else, consent withdrawn stopping a queued email and every later share, the
information-sharing agreement's reason, D11 owed and met, outcomes, per-record access, audit,
concurrent edits, and target-hardening referrals (emergency by phone in 8-8 Mon-Sat, D7)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from sqlalchemy.orm import Session

from casework.audit import Origin
from casework.db import db
from casework.errors import NotFound, ValidationError
from casework.messages import outbox
from casework.messages.models import OutboundMessage
from casework.obligations.models import Obligation
from casework.onward.consent import consent_in_force, record_consent
from casework.onward.models import OnwardReferral, SharingConsent, TargetHardening
from casework.onward.referring import ReferralDetails, make_referral, record_outcome
from casework.staff.models import Staff
from scheduling import sweeps
from scheduling.service_calendars import victim_calendar
from scheduling.sweeps import context
from tests.conftest import audit_rows, sent_at_the_same_moment
from tests.factories import create_case_for_notes, create_registry_agency
from tests.fakes.smtp import SmtpServer
from tests.police import police_row
from triage.onward import onward_follow_up_due, th_attendance_due

ORIGIN = Origin.command_line("test")
# Monday 23 November 2026, 10:00 GMT: the case was opened the Friday before.
NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)


@pytest.fixture
def tls_smtp(tmp_path):
    server = SmtpServer(tls_folder=tmp_path / "tls")
    yield server
    server.close()


@pytest.fixture
def app_overrides(tls_smtp):
    return {
        "EMAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": tls_smtp.port,
        "SMTP_CA_FILE": tls_smtp.ca_file,
    }


@pytest.fixture
def calendar(app):
    return victim_calendar(app.config)


@pytest.fixture
def team(create_team_record, create_staff_record):
    victims = create_team_record("City victims")
    worker = create_staff_record("caseworker", team=victims, name="Sam Okafor")
    leader = create_staff_record("team_leader", team=victims, name="Lee Leader")
    case = create_case_for_notes(
        caseworker=worker,
        team_leader=leader,
        row=police_row(
            forename="Aisha",
            surname="Rahman",
            date_of_birth="1991-07-02",
            mobile_phone="07700 900123",
            email="aisha@example.org",
        ),
    )
    return {
        "worker": worker,
        "leader": leader,
        "case": case,
        "case_id": case.id,
        "ref": case.reference,
        "team": victims,
    }


@pytest.fixture
def agencies(app):
    return {
        "sv": create_registry_agency(
            "Rape Crisis Leicestershire",
            provides="sexual_violence",
            secure_email="referrals@rapecrisis.example",
        ),
        "th": create_registry_agency(
            "SafeHome Contractors", provides="target_hardening", secure_email="th@safehome.example"
        ),
        "no_isa": create_registry_agency(
            "Community Drop-in", isa=False, secure_email="hello@dropin.example"
        ),
        "no_email": create_registry_agency("Phone-only Advice", secure_email=None),
    }


def make(team, calendar, now=NOW, actor=None, session=None, token=None, **fields):
    values = {
        "agency_id": None,
        "service": "sexual_violence",
        "method": "email",
        "shared_fields": ("name", "address", "reason"),
        "reason": "Asked for specialist support after the assault",
        "consent_now": True,
        "consent_how": "spoken",
    }
    values.update(fields)
    session = session or db.session
    return make_referral(
        session,
        team["case_id"],
        ReferralDetails(**values),
        actor=session.get(Staff, (actor or team["worker"]).id),
        origin=ORIGIN,
        now=now,
        calendar=calendar,
        submission_token=token,
    )


def dispatch(app, when):
    """The scheduler's sending sweep, in a session of its own as in the scheduler's process."""
    db.session.commit()
    with Session(db.engine) as session:
        return sweeps.dispatch_messages(session, context(app.config), now=when)


def refused(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    db.session.rollback()
    return caught.value.errors


def onward_obligations(case_id, kind="onward_follow_up"):
    db.session.rollback()
    return list(
        db.session.scalars(
            sa.select(Obligation).where(Obligation.case_id == case_id, Obligation.kind == kind)
        )
    )


def test_a_referral_form_sent_twice_makes_one_referral_and_one_email(app, team, agencies, calendar):
    """A double click (two sends at the same moment) or a resend would send the agency the
    person's details twice: the second send is shown the first's referral."""
    first, second = sent_at_the_same_moment(
        lambda session: make(
            team, calendar, agency_id=agencies["sv"].id, session=session, token="form-token"
        ),
        OnwardReferral.submission_key,
    )
    assert second.id == first
    assert make(team, calendar, agency_id=agencies["sv"].id, token="form-token").id == first
    db.session.rollback()
    assert db.session.scalars(sa.select(OnwardReferral.id)).all() == [first]
    assert len(db.session.scalars(sa.select(OutboundMessage)).all()) == 1
    assert len(audit_rows("onward.referral_made")) == 1


def test_an_emailed_referral_carries_exactly_the_shared_fields_over_tls(
    app, team, agencies, calendar, tls_smtp
):
    referral = make(team, calendar, agency_id=agencies["sv"].id)
    rid = referral.id
    assert referral.status == "queued"
    assert referral.sent_to == "referrals@rapecrisis.example"
    assert onward_obligations(team["case_id"]) == []  # D11 runs from sending

    sent_at = NOW + timedelta(minutes=1)
    assert dispatch(app, sent_at)["sent"] == 1
    assert tls_smtp.over_tls == [True]
    [email] = tls_smtp.messages
    assert email["To"] == "referrals@rapecrisis.example"
    body = email.get_content()
    assert "Name: Aisha Rahman" in body
    assert "Address: 1 Test Street, Leicester, LE1 1AA" in body
    assert f"Why we are referring: Our reference {team['ref']}." in body
    assert "Asked for specialist support after the assault" in body
    for not_shared in ("1991", "July", "7700", "aisha@example.org", "LC-2026", "Theft"):
        assert not_shared not in body
        assert not_shared not in email["Subject"]
    shared = [line.split(":")[0] for line in body.splitlines() if ": " in line]
    assert shared == ["Name", "Address", "Why we are referring"]

    db.session.rollback()
    referral = db.session.get(OnwardReferral, rid)
    assert referral.status == "sent"
    [d11] = onward_obligations(team["case_id"])
    assert d11.due_at == onward_follow_up_due(sent_at, calendar).due_at
    assert d11.status == "due"
    made = audit_rows("onward.referral_made")[-1]
    assert made.detail_dict["shared_fields"] == ["name", "address", "reason"]
    assert made.actor_id == team["worker"].id
    assert audit_rows("onward.consent_given")


def test_without_reason_ticked_the_case_reference_and_words_are_not_sent(
    app, team, agencies, calendar, tls_smtp
):
    errors = refused(
        lambda: make(
            team, calendar, agency_id=agencies["sv"].id, shared_fields=("name",), reason="Why"
        )
    )
    assert "only what is ticked is shared" in errors["reason"]
    make(team, calendar, agency_id=agencies["sv"].id, shared_fields=("name",), reason=None)
    dispatch(app, NOW + timedelta(minutes=1))
    [email] = tls_smtp.messages
    assert team["ref"] not in email.get_content()
    assert "Name: Aisha Rahman" in email.get_content()


def test_a_server_without_starttls_gets_nothing_and_the_failure_shows(
    app, team, agencies, calendar, tls_smtp
):
    plain = SmtpServer()
    try:
        app.config.update(SMTP_PORT=plain.port)
        referral = make(team, calendar, agency_id=agencies["sv"].id)
        rid, mid = referral.id, referral.message_id
        done = dispatch(app, NOW + timedelta(minutes=1))
        assert done == {"sent": 0, "failed": 1, "retrying": 0}
        assert plain.messages == []
        db.session.rollback()
        message = db.session.get(OutboundMessage, mid)
        assert message.status == "failed"
        assert "does not offer TLS" in message.error
        # Not tried again later.
        assert dispatch(app, NOW + timedelta(hours=2))["failed"] == 0
        assert plain.messages == []
        assert db.session.get(OnwardReferral, rid).status == "queued"
        assert onward_obligations(team["case_id"]) == []
    finally:
        plain.close()


def test_withdrawing_consent_stops_a_queued_email_and_every_later_share(
    app, team, agencies, calendar, tls_smtp
):
    sv = agencies["sv"]
    sv_id = sv.id
    referral = make(team, calendar, agency_id=sv_id)
    rid = referral.id
    done = record_consent(
        db.session,
        team["case_id"],
        sv_id,
        given=False,
        how="written",
        note="Emailed to say no",
        actor=team["worker"],
        origin=ORIGIN,
        now=NOW + timedelta(seconds=30),
    )
    assert [r.id for r in done.stopped] == [rid]
    assert dispatch(app, NOW + timedelta(minutes=1))["sent"] == 0
    assert tls_smtp.messages == []
    db.session.rollback()
    referral = db.session.get(OnwardReferral, rid)
    assert referral.status == "stopped" and referral.stopped_at is not None
    message = db.session.get(OutboundMessage, referral.message_id)
    assert message.status == "not_sent" and "withdrew" in message.error
    assert consent_in_force(db.session, team["case_id"], sv_id) is None
    withdrawn = audit_rows("onward.consent_withdrawn")[-1]
    assert withdrawn.detail_dict["stopped"] == [referral.id]

    errors = refused(
        lambda: make(team, calendar, agency_id=sv_id, consent_now=False, consent_how=None)
    )
    assert "has not consented" in errors["consent_now"]
    errors = refused(
        lambda: make(
            team, calendar, agency_id=sv_id, method="phone", consent_now=False, spoke_to="Jo"
        )
    )
    assert "consent_now" in errors

    # Consent given again: sharing is allowed again.
    record_consent(
        db.session,
        team["case_id"],
        sv_id,
        given=True,
        how="spoken",
        note=None,
        actor=team["leader"],
        origin=ORIGIN,
        now=NOW + timedelta(minutes=5),
    )
    again = make(team, calendar, agency_id=sv_id, consent_now=False, now=NOW + timedelta(minutes=6))
    assert again.status == "queued"
    assert dispatch(app, NOW + timedelta(minutes=7))["sent"] == 1
    assert len(tls_smtp.messages) == 1


def test_a_withdrawal_after_the_sender_claimed_the_email_cannot_stop_it(
    app, team, agencies, calendar
):
    sv = agencies["sv"]
    referral = make(team, calendar, agency_id=sv.id)
    assert outbox.claim_many(db.session, [referral.message_id], NOW) == [referral.message_id]
    done = record_consent(
        db.session,
        team["case_id"],
        sv.id,
        given=False,
        how="spoken",
        note=None,
        actor=team["worker"],
        origin=ORIGIN,
        now=NOW + timedelta(seconds=5),
    )
    assert done.stopped == [] and [r.id for r in done.already_sent] == [referral.id]
    db.session.rollback()
    assert db.session.get(OutboundMessage, referral.message_id).status == "sending"


def test_consent_withdrawn_while_queued_is_honoured_by_the_sender(app, team, agencies, calendar):
    """Even a consent withdrawal written beside the referral (no stop run) is checked at send."""
    sv = agencies["sv"]
    rid = make(team, calendar, agency_id=sv.id).id
    db.session.add(
        SharingConsent(
            case_id=team["case_id"],
            agency_id=sv.id,
            given=False,
            how="spoken",
            recorded_by_id=team["worker"].id,
            recorded_at=NOW + timedelta(seconds=1),
        )
    )
    db.session.commit()
    assert dispatch(app, NOW + timedelta(minutes=1))["failed"] == 1
    db.session.rollback()
    assert db.session.get(OnwardReferral, rid).status == "stopped"
    [stopped] = audit_rows("onward.stopped_at_send")
    assert stopped.record_id == str(team["case_id"])


def test_an_agency_without_an_isa_needs_a_reason(app, team, agencies, calendar):
    errors = refused(lambda: make(team, calendar, agency_id=agencies["no_isa"].id, service="other"))
    assert "no information-sharing agreement" in errors["no_isa_reason"]
    referral = make(
        team,
        calendar,
        agency_id=agencies["no_isa"].id,
        service="other",
        no_isa_reason="The only service open in the person's area this week",
    )
    assert referral.no_isa_reason.startswith("The only service")
    # An agency with an agreement keeps no such reason.
    other = make(team, calendar, agency_id=agencies["sv"].id, no_isa_reason="ignored")
    assert other.no_isa_reason is None


def test_refusals_say_what_to_fix_and_store_nothing(app, team, agencies, calendar):
    before = db.session.scalar(sa.select(sa.func.count()).select_from(OnwardReferral))
    errors = refused(
        lambda: make(team, calendar, agency_id=agencies["no_email"].id, service="other")
    )
    assert "no secure email address" in errors["method"]
    errors = refused(lambda: make(team, calendar, agency_id=agencies["th"].id))
    assert "does not provide sexual violence" in errors["agency_id"]
    errors = refused(lambda: make(team, calendar, agency_id=agencies["sv"].id, shared_fields=()))
    assert errors["shared_fields"] == "Select at least one thing to share"
    errors = refused(
        lambda: make(team, calendar, agency_id=agencies["sv"].id, shared_fields=("passport",))
    )
    assert "shared_fields" in errors
    errors = refused(lambda: make(team, calendar, agency_id=99999))
    assert "partner registry" in errors["agency_id"]
    errors = refused(
        lambda: make(
            team, calendar, agency_id=agencies["sv"].id, method="phone", spoke_to="", spoke_at=None
        )
    )
    assert {"spoke_to", "spoke_at"} <= set(errors)
    errors = refused(
        lambda: make(
            team,
            calendar,
            agency_id=agencies["sv"].id,
            method="phone",
            spoke_to="Duty worker",
            spoke_at=NOW + timedelta(minutes=5),
        )
    )
    assert "future" in errors["spoke_at"]
    errors = refused(
        lambda: make(team, calendar, agency_id=agencies["sv"].id, consent_how="telepathy")
    )
    assert "consent_how" in errors
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OnwardReferral)) == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SharingConsent)) == 0


def test_a_closed_case_cannot_make_referrals(app, team, agencies, calendar):
    case = team["case"]
    case.status, case.closed_at = "closed", NOW - timedelta(hours=1)
    db.session.commit()
    errors = refused(lambda: make(team, calendar, agency_id=agencies["sv"].id))
    assert errors[""] == "This case is closed: new onward referrals cannot be made from it."


def test_another_teams_worker_gets_not_found_and_is_audited(
    app, team, agencies, calendar, create_team_record, create_staff_record
):
    stranger = create_staff_record("team_leader", team=create_team_record("Other team"))
    with pytest.raises(NotFound):
        make(team, calendar, agency_id=agencies["sv"].id, actor=stranger)
    db.session.rollback()
    referral = make(
        team,
        calendar,
        agency_id=agencies["sv"].id,
        method="phone",
        spoke_to="Jo",
        spoke_at=NOW - timedelta(hours=1),
    )
    with pytest.raises(NotFound):
        record_outcome(
            db.session,
            team["case_id"],
            referral.id,
            outcome="accepted",
            outcome_at=NOW,
            note="ok",
            expected_version=referral.version,
            actor=stranger,
            origin=ORIGIN,
            now=NOW,
            calendar=calendar,
        )
    denied = audit_rows("access.denied")
    assert len(denied) == 2 and {r.actor_id for r in denied} == {stranger.id}


def test_a_phoned_referral_owes_d11_from_the_call_and_an_outcome_meets_it(
    app, team, agencies, calendar
):
    # Friday 27 November 2026 at 16:00: ten working days on is Friday 11 December.
    called = datetime(2026, 11, 27, 16, tzinfo=UTC)
    later = called + timedelta(days=1)
    referral = make(
        team,
        calendar,
        now=later,
        agency_id=agencies["sv"].id,
        method="phone",
        spoke_to="Duty worker Jo",
        spoke_at=called,
    )
    assert referral.status == "sent" and referral.made_at == called
    [d11] = onward_obligations(team["case_id"])
    assert d11.due_at == onward_follow_up_due(called, calendar).due_at
    assert calendar.local_date(d11.due_at).isoformat() == "2026-12-11"

    def outcome(**fields):
        values = {
            "outcome": "accepted",
            "outcome_at": later + timedelta(hours=1),
            "note": "Jo rang back: accepted, first session booked",
            "expected_version": referral.version,
        }
        values.update(fields)
        return record_outcome(
            db.session,
            team["case_id"],
            referral.id,
            actor=team["worker"],
            origin=ORIGIN,
            now=later + timedelta(hours=2),
            calendar=calendar,
            **values,
        )

    assert "future" in refused(lambda: outcome(outcome_at=later + timedelta(days=1)))["outcome_at"]
    assert (
        "before the referral"
        in refused(lambda: outcome(outcome_at=called - timedelta(hours=1)))["outcome_at"]
    )
    assert refused(lambda: outcome(outcome="maybe"))["outcome"] == "Select the outcome"
    assert "note" in refused(lambda: outcome(note="  "))
    version = referral.version
    outcome()
    [d11] = onward_obligations(team["case_id"])
    assert d11.status == "met"
    # A form opened before that save is refused.
    assert "Someone changed this referral" in refused(lambda: outcome(expected_version=version))[""]
    db.session.rollback()
    current = db.session.get(OnwardReferral, referral.id)
    changed = outcome(
        outcome="completed", note="Support finished", expected_version=current.version
    )
    assert changed.status == "completed"
    actions = [r.action for r in audit_rows() if r.action.startswith("onward.outcome")]
    assert actions == ["onward.outcome_recorded", "onward.outcome_changed"]
    assert audit_rows("onward.outcome_changed")[0].detail_dict["before"] == "accepted"


def test_an_emergency_target_hardening_referral_is_phoned_in_hours(app, team, agencies, calendar):
    th = agencies["th"]

    def emergency(**fields):
        values = {
            "agency_id": th.id,
            "service": "target_hardening",
            "method": "phone",
            "shared_fields": (),
            "reason": None,
            "urgency": "emergency",
            "vulnerability_factors": "Offender has a key; lives alone",
            "other_agencies": "IDVA service",
            "spoke_to": "SafeHome duty line",
        }
        values.update(fields)
        return make(team, calendar, **values)

    assert "made by phone" in refused(lambda: emergency(method="email"))["method"]
    # Sunday 22 November 2026, 12:00; Monday 23 November at 07:30 and 20:00 (closed then).
    for outside in (
        datetime(2026, 11, 22, 12, tzinfo=UTC),
        datetime(2026, 11, 23, 7, 30, tzinfo=UTC),
        datetime(2026, 11, 23, 20, tzinfo=UTC),
    ):
        errors = refused(lambda at=outside: emergency(spoke_at=at, now=at + timedelta(hours=1)))
        assert "between 8am and 8pm, Monday to Saturday" in errors["spoke_at"]
    assert "vulnerability_factors" in refused(
        lambda: emergency(vulnerability_factors="", spoke_at=NOW - timedelta(minutes=5))
    )
    assert "urgency" in refused(lambda: emergency(urgency=None, spoke_at=NOW))

    called = NOW - timedelta(minutes=20)
    referral = emergency(spoke_at=called)
    details = db.session.scalar(
        sa.select(TargetHardening).where(TargetHardening.referral_id == referral.id)
    )
    assert details.urgency == "emergency" and details.phoned_at == called
    # Target hardening always shares what the contractor needs.
    assert referral.shared_fields == ["name", "address", "phone", "vulnerability", "other_agencies"]
    [d7] = onward_obligations(team["case_id"], "th_attendance")
    assert d7.due_at == th_attendance_due(called, "emergency", calendar).due_at
    assert d7.due_at == called + timedelta(hours=4)
    assert onward_obligations(team["case_id"])  # D11 too


def test_a_standard_target_hardening_email_carries_what_the_contractor_needs(
    app, team, agencies, calendar, tls_smtp
):
    make(
        team,
        calendar,
        agency_id=agencies["th"].id,
        service="target_hardening",
        shared_fields=("name",),
        reason=None,
        urgency="standard",
        vulnerability_factors="Burgled twice this year",
        other_agencies="",
    )
    [d7] = onward_obligations(team["case_id"], "th_attendance")
    assert d7.due_at == th_attendance_due(NOW, "standard", calendar).due_at
    dispatch(app, NOW + timedelta(minutes=1))
    body = tls_smtp.messages[0].get_content()
    assert "Urgency: Standard" in body
    assert "Telephone number: mobile +447700900123" in body
    assert "Vulnerability factors: Burgled twice this year" in body
    assert "Other agencies working with the person: None known" in body
    assert "aisha@example.org" not in body and "1991" not in body


def test_a_withdrawal_stops_a_queued_target_hardening_referral_and_its_visit(
    app, team, agencies, calendar
):
    referral = make(
        team,
        calendar,
        agency_id=agencies["th"].id,
        service="target_hardening",
        shared_fields=(),
        reason=None,
        urgency="standard",
        vulnerability_factors="Lives alone",
    )
    record_consent(
        db.session,
        team["case_id"],
        agencies["th"].id,
        given=False,
        how="spoken",
        note=None,
        actor=team["worker"],
        origin=ORIGIN,
        now=NOW + timedelta(seconds=10),
    )
    db.session.rollback()
    assert db.session.get(OnwardReferral, referral.id).status == "stopped"
    [d7] = onward_obligations(team["case_id"], "th_attendance")
    assert d7.status == "cancelled"


@pytest.mark.parametrize(
    ("called", "due_day"),
    [
        # Christmas Eve 2026: Christmas Day, the Boxing Day substitute (Monday 28) and New
        # Year's Day are not working days; the weekends neither.
        (datetime(2026, 12, 24, 15, tzinfo=UTC), "2027-01-12"),
        # A Saturday call: counting starts on the Monday.
        (datetime(2026, 11, 28, 11, tzinfo=UTC), "2026-12-11"),
    ],
)
def test_d11_skips_weekends_and_bank_holidays(app, team, agencies, calendar, called, due_day):
    with time_machine.travel(called + timedelta(hours=1), tick=False):
        make(
            team,
            calendar,
            now=called + timedelta(hours=1),
            agency_id=agencies["sv"].id,
            method="phone",
            spoke_to="Duty worker",
            spoke_at=called,
        )
    [d11] = onward_obligations(team["case_id"])
    assert calendar.local_date(d11.due_at).isoformat() == due_day


def test_an_emergency_call_just_after_the_clocks_go_forward_is_in_hours(
    app, team, agencies, calendar
):
    """Monday 29 March 2027, the day after the clocks go forward: 07:30 UTC is 08:30 in the UK
    (open), 06:30 UTC is 07:30 (closed)."""
    th = agencies["th"]

    def emergency(at):
        return make(
            team,
            calendar,
            now=at + timedelta(minutes=10),
            agency_id=th.id,
            service="target_hardening",
            method="phone",
            shared_fields=(),
            reason=None,
            urgency="emergency",
            vulnerability_factors="Threats made at the door",
            spoke_to="SafeHome duty line",
            spoke_at=at,
        )

    errors = refused(lambda: emergency(datetime(2027, 3, 29, 6, 30, tzinfo=UTC)))
    assert "between 8am and 8pm" in errors["spoke_at"]
    referral = emergency(datetime(2027, 3, 29, 7, 30, tzinfo=UTC))
    [d7] = onward_obligations(team["case_id"], "th_attendance")
    assert d7.due_at == datetime(2027, 3, 29, 11, 30, tzinfo=UTC)
    assert referral.target_hardening.phoned_at == datetime(2027, 3, 29, 7, 30, tzinfo=UTC)


def test_a_withdrawal_after_the_email_failed_stops_the_referral_not_warns_of_a_share(
    app, team, agencies, calendar, tls_smtp
):
    plain = SmtpServer()  # offers no TLS: the email fails for good
    try:
        app.config.update(SMTP_PORT=plain.port)
        referral = make(team, calendar, agency_id=agencies["sv"].id)
        rid = referral.id
        assert dispatch(app, NOW + timedelta(minutes=1))["failed"] == 1
    finally:
        plain.close()
    done = record_consent(
        db.session,
        team["case_id"],
        agencies["sv"].id,
        given=False,
        how="spoken",
        note=None,
        actor=team["worker"],
        origin=ORIGIN,
        now=NOW + timedelta(minutes=2),
    )
    assert [r.id for r in done.stopped] == [rid]
    assert done.already_sent == []  # nothing reached the agency, so nobody is told to contact it
    db.session.rollback()
    assert db.session.get(OnwardReferral, rid).status == "stopped"


def test_consent_can_be_withdrawn_after_the_agency_left_the_registry(
    app, client, team, agencies, calendar
):
    from tests.conftest import post_form, sign_in

    sv_id = agencies["sv"].id
    referral = make(team, calendar, agency_id=sv_id)
    rid = referral.id
    db.session.get(type(agencies["sv"]), sv_id).in_registry = False  # an admin took it out
    db.session.commit()
    with time_machine.travel(NOW + timedelta(seconds=30), tick=False):
        sign_in(client, team["worker"].email)
        path = f"/cases/{team['case_id']}/onward/consent/{sv_id}/withdraw"
        assert client.get(path).status_code == 200
        response = post_form(client, path, {"how": "spoken"})
    assert response.status_code == 302
    db.session.rollback()
    assert consent_in_force(db.session, team["case_id"], sv_id) is None
    assert db.session.get(OnwardReferral, rid).status == "stopped"
    assert dispatch(app, NOW + timedelta(minutes=1))["sent"] == 0


def test_what_was_shared_stays_as_it_was_when_the_person_moves(app, team, agencies, calendar):
    from casework.onward.referring import what_was_shared

    referral = make(
        team,
        calendar,
        agency_id=agencies["sv"].id,
        method="phone",
        shared_fields=("name", "address"),
        reason=None,
        spoke_to="Duty worker",
        spoke_at=NOW - timedelta(minutes=5),
    )
    case = referral.case
    before = dict(what_was_shared(case, referral))
    case.person.address_line_1 = "99 New Street"  # they moved after the referral
    db.session.commit()
    db.session.expire_all()
    referral = db.session.get(OnwardReferral, referral.id)
    after = dict(what_was_shared(referral.case, referral))
    assert after == before and "99 New Street" not in after["Address"]
