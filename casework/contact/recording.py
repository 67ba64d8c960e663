"""Recording calls, visits and the first conversation, and what follows from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from casework.access import can_work_referral, refuse
from casework.audit import Origin, audit_referral, record_event
from casework.cases.opening import open_for_further_support
from casework.contact.models import ContactAttempt, InitialContact, KeyDate
from casework.db import form_key, made_by_key, made_once
from casework.errors import NotFound, ValidationError
from casework.messages.models import STAFF_KINDS, OutboundMessage
from casework.obligations import lifecycle
from casework.obligations.models import Obligation
from casework.people.answers import SafeContactAnswers, apply_answers, checked_answers
from casework.referrals.models import Referral
from triage import contact as rules
from triage import safe_times
from triage.contact_modes import attempt_mode
from triage.deadlines import DueObligation

PHONE_KINDS = ("phone_contact",)
VISIT_KINDS = ("home_visit", "home_visit_second")
ATTEMPT_KINDS = (*PHONE_KINDS, *VISIT_KINDS)


UNMET_STATUSES = ("due", "breached")
CLOSED_REFERRAL = "This referral is closed: there is nothing more to record on it here."


def recordable_channels(referral: Referral) -> tuple[str, ...]:
    """The attempts that may be recorded on the referral now ("telephone", "home_visit"): on an
    open one, those its contact method or obligations ask for (D1, D3); on one closed into a
    case that is still open, only a first call or visit still owed on it (a team leader opened
    the case from it before anyone had reached the person: the case page, the caseload and the
    deadline view show it, and the breach sweep counts it). None on any other closed referral.
    The pages offer these and the service accepts only these."""
    if referral.status == "open":
        return rules.attempt_channels(
            referral.contact_method, [o.kind for o in referral.obligations]
        )
    if referral.case is None or referral.case.status != "open":
        return ()
    owed = [
        o.kind
        for o in referral.obligations
        if o.kind in ATTEMPT_KINDS and o.met_at is None and o.status in UNMET_STATUSES
    ]
    return rules.attempt_channels("", owed)


def _workable(session, referral_id: int, actor, origin: Origin, now: datetime) -> Referral:
    referral = session.get(Referral, referral_id)
    if referral is None or not can_work_referral(actor, referral):
        refuse(
            session,
            actor=actor,
            origin=origin,
            record_type="referral",
            record_id=referral_id,
            now=now,
        )
    return referral


def _apply(session, referral: Referral, follow: rules.FollowOn, now: datetime) -> None:
    lifecycle.meet_kinds(session, referral, follow.meets, now)
    for due in follow.creates:
        lifecycle.add(session, referral, due, now)


def record_attempt(
    session,
    referral_id: int,
    *,
    channel: str,
    outcome: str,
    at: datetime,
    notes: str | None,
    actor,
    origin: Origin,
    now: datetime,
    calendar,
    submission_token: str | None = None,
) -> ContactAttempt:
    """Record a call or home visit; the D1, D1b, D3 and D3b rules follow automatically. The
    same form sent twice (``submission_token``: a double click, a resend, two at once) records
    one attempt, so the calls counted towards the final letter are the calls made."""
    referral = _workable(session, referral_id, actor, origin, now)
    key = form_key(f"attempt:{actor.id}:{referral.id}", submission_token)
    if (earlier_send := made_by_key(session, ContactAttempt.submission_key, key)) is not None:
        return earlier_send
    if channel not in ("telephone", "home_visit"):
        raise ValidationError({"channel": "Select a call or a home visit"})
    if referral.status != "open" and channel not in recordable_channels(referral):
        raise ValidationError({"": CLOSED_REFERRAL})
    earlier = list(
        session.scalars(
            sa.select(ContactAttempt)
            .where(ContactAttempt.referral_id == referral.id, ContactAttempt.channel == channel)
            .order_by(ContactAttempt.attempted_at)
        )
    )
    problem = rules.attempt_problem(
        channel,
        outcome,
        at,
        [a.attempted_at for a in earlier if a.outcome in rules.FAILED_CALL]
        if channel == "telephone"
        else [],
        safe_to_voicemail=referral.safe_to_voicemail,
        now=now,
        tz=calendar.tz,
        received_at=referral.received_at,
    )
    if problem:
        # Two sends at once: the other's call, read just now, is not "a call too near" this one.
        if (earlier_send := made_by_key(session, ContactAttempt.submission_key, key)) is not None:
            return earlier_send
        raise ValidationError({"outcome" if "Select" in problem else "at": problem})

    def record() -> ContactAttempt:
        attempt = ContactAttempt(
            referral_id=referral.id,
            channel=channel,
            mode=attempt_mode(channel),
            outcome=outcome,
            attempted_at=at,
            notes=(notes or "").strip()[:2000] or None,
            recorded_by_id=actor.id,
            created_at=now,
            submission_key=key,
        )
        session.add(attempt)
        if channel == "telephone":
            failed_before = sum(1 for a in earlier if a.outcome in rules.FAILED_CALL)
            follow = rules.after_phone_attempt(outcome, failed_before, at, calendar)
        else:
            open_visits = [
                o
                for o in referral.obligations
                if o.kind in VISIT_KINDS and o.status in ("due", "breached") and o.met_at is None
            ]
            kind = open_visits[0].kind if open_visits else "home_visit"
            follow = rules.after_visit(
                outcome, kind, at, calendar.local_date(referral.received_at), calendar
            )
        if (outcome == "declined" or outcome == "refused") and referral.status == "open":
            # One already closed into its case keeps how it closed: the case decides what follows.
            referral.status, referral.outcome = "closed", "declined"
        _apply(session, referral, follow, now)
        referral.updated_at = now
        audit_referral(
            session,
            referral,
            "contact.attempt",
            actor=actor,
            origin=origin,
            at=now,
            detail={"channel": channel, "outcome": outcome},
        )
        session.commit()
        return attempt

    return made_once(session, ContactAttempt.submission_key, key, record)


def record_conversation(
    session,
    referral_id: int,
    *,
    outcome: str,
    key_risks: str | None,
    held_at: datetime,
    booked_at: datetime | None,
    passed_to: str | None,
    actor,
    origin: Origin,
    now: datetime,
    calendar,
    safe_contact: SafeContactAnswers | None = None,
    characteristics: dict[str, str | None] | None = None,
) -> InitialContact:
    """Record the first conversation ("offload"); further support books a needs assessment
    inside 5 working days (D4); other outcomes close the referral with that reason. The
    safe-contact answers and protected characteristics asked in it are written onto the
    person (and the referral), each only where answered."""
    referral = _workable(session, referral_id, actor, origin, now)
    if referral.status != "open":
        raise ValidationError({"": CLOSED_REFERRAL})
    errors = {}
    try:
        answers = checked_answers(safe_contact or SafeContactAnswers(), characteristics or {})
    except ValidationError as exc:
        errors, answers = dict(exc.errors), {}
    if outcome not in rules.CONVERSATION_OUTCOMES:
        errors["outcome"] = "Select how the conversation ended"
    if session.scalar(
        sa.select(InitialContact.id).where(InitialContact.referral_id == referral.id)
    ):
        errors["outcome"] = "The first conversation has already been recorded"
    if held_at > now:
        errors["held_at"] = "The conversation cannot be in the future"
    due = rules.needs_assessment_due(calendar.local_date(held_at), calendar)
    if outcome == "further_support":
        if booked_at is None:
            errors["booked_at"] = "Book the needs assessment: enter a date and time"
        elif not (now < booked_at <= due):
            errors["booked_at"] = (
                "Book it for a time from now until "
                f"{due.astimezone(calendar.tz):%A %-d %B, %H:%M} "
                "(within 5 working days)"
            )
    if outcome == "passed_on" and not (passed_to or "").strip():
        errors["passed_to"] = "Say which service the person was passed to"
    if errors:
        raise ValidationError(errors)
    conversation = InitialContact(
        referral_id=referral.id,
        held_at=held_at,
        key_risks=(key_risks or "").strip() or None,
        outcome=outcome,
        passed_to=(passed_to or "").strip()[:200] or None,
        recorded_by_id=actor.id,
        created_at=now,
    )
    session.add(conversation)
    apply_answers([referral.person, referral], answers)
    lifecycle.meet_kinds(session, referral, rules.CONVERSATION_MEETS, now)
    if outcome == "further_support":
        case = open_for_further_support(session, referral, actor=actor, origin=origin, now=now)
        assessment = DueObligation("needs_assessment", "appointment", due)
        lifecycle.add(session, case, assessment, now, unique=False).booked_at = booked_at
    else:
        referral.status, referral.outcome = "closed", outcome
    referral.updated_at = now
    audit_referral(
        session,
        referral,
        "contact.conversation",
        actor=actor,
        origin=origin,
        at=now,
        detail={"outcome": outcome, "answered": sorted(answers)},
    )
    session.commit()
    return conversation


# Booked appointments met by marking them held. The needs assessment is not one of them: only a
# complete needs assessment meets D4 (casework.assessments.deadlines).
HELD_KINDS = ("web_chat", "re_engagement")


def _refuse_before_booked_time(obligation: Obligation, now: datetime, calendar, what: str) -> None:
    """A booked appointment is marked held only once its time has come (D5 for a web chat)."""
    starts = rules.held_from(obligation.kind, obligation.due_at, obligation.booked_at)
    if obligation.met_at is None and starts is not None and now < starts:
        raise ValidationError(
            {
                "": f"{what} booked for {starts.astimezone(calendar.tz):%a %-d %b %H:%M}. "
                "Mark it as held once it has taken place."
            }
        )


def record_appointment_held(
    session,
    referral_id: int,
    obligation_id: int,
    *,
    actor,
    origin: Origin,
    now: datetime,
    calendar,
) -> Obligation:
    """A booked web chat or re-engagement contact of this referral (or of the case it joined)
    took place: its obligation is met. A web chat only once its slot has come (D5)."""
    obligation = session.get(Obligation, obligation_id)
    if obligation is None or obligation.kind not in HELD_KINDS:
        raise NotFound(obligation_id)
    referral = _workable(session, referral_id, actor, origin, now)
    owned = obligation.referral_id == referral.id or (
        obligation.case_id is not None and obligation.case_id == referral.case_id
    )
    if not owned:
        raise NotFound(obligation_id)
    what = "web chat" if obligation.kind == "web_chat" else "re-engagement contact"
    _refuse_before_booked_time(obligation, now, calendar, f"The {what} is")
    if lifecycle.meet(session, obligation, now):
        audit_referral(
            session,
            referral,
            "contact.appointment_held",
            actor=actor,
            origin=origin,
            at=now,
            detail={"kind": obligation.kind},
        )
        session.commit()
    return obligation


def record_key_date(
    session,
    referral_id: int,
    *,
    kind: str,
    event_on,
    actor,
    origin: Origin,
    now: datetime,
    calendar,
) -> Obligation:
    """Record a court date, sentencing or offender release; a re-engagement prompt falls due
    the working day before (D9), on open and closed cases alike."""
    referral = _workable(session, referral_id, actor, origin, now)
    errors = {}
    if kind not in rules.KEY_DATES:
        errors["kind"] = "Select what the date is for"
    if event_on is None:
        errors["event_on"] = "Enter the date"
    elif event_on <= calendar.local_date(now):
        errors["event_on"] = "The date must be in the future"
    if errors:
        raise ValidationError(errors)
    due = DueObligation("re_engagement", "staff", rules.re_engagement_due(event_on, calendar))
    # Key dates sit on the case where there is one (DESIGN.md D9).
    case = referral.case
    obligation = lifecycle.add(session, case or referral, due, now, unique=False)
    session.flush()
    session.add(
        KeyDate(
            referral_id=None if case else referral.id,
            case_id=case.id if case else None,
            kind=kind,
            event_on=event_on,
            obligation_id=obligation.id,
            recorded_by_id=actor.id,
            created_at=now,
        )
    )
    audit_referral(
        session,
        referral,
        "contact.key_date",
        actor=actor,
        origin=origin,
        at=now,
        detail={"kind": kind, "on": event_on.isoformat()},
    )
    session.commit()
    return obligation


def record_case_appointment_held(
    session,
    case_id: int,
    obligation_id: int,
    *,
    actor,
    origin: Origin,
    now: datetime,
    calendar,
) -> Obligation:
    """A booked appointment the case owes (a re-engagement contact) took place: met, by
    someone who may work the case, once its booked time has come."""
    from casework.access import can_work_case
    from casework.cases.models import Case

    case = session.get(Case, case_id)
    if case is None or not can_work_case(actor, case):
        refuse(session, actor=actor, origin=origin, record_type="case", record_id=case_id, now=now)
    obligation = session.get(Obligation, obligation_id)
    if obligation is None or obligation.case_id != case.id or obligation.kind not in HELD_KINDS:
        raise NotFound(obligation_id)
    _refuse_before_booked_time(obligation, now, calendar, "It is")
    if lifecycle.meet(session, obligation, now):
        record_event(
            session,
            action="case.appointment_held",
            actor=actor,
            origin=origin,
            record_type="case",
            record_id=case.id,
            person_id=case.person_id,
            at=now,
            detail={"kind": obligation.kind},
        )
        session.commit()
    return obligation


@dataclass(frozen=True)
class ContactHistory:
    """Everything recorded about contacting the person behind one referral, oldest first."""

    attempts: list[ContactAttempt]
    conversation: InitialContact | None
    messages: list[OutboundMessage]
    opted_out: bool


def contact_history(session, referral) -> ContactHistory:
    """Calls and visits, the first conversation, the messages sent (not staff alerts), and
    whether the person texted STOP, for the referral's page."""
    from casework.messages.opt_outs import is_opted_out

    return ContactHistory(
        attempts=list(
            session.scalars(
                sa.select(ContactAttempt)
                .where(ContactAttempt.referral_id == referral.id)
                .order_by(ContactAttempt.attempted_at)
            )
        ),
        conversation=session.scalar(
            sa.select(InitialContact).where(InitialContact.referral_id == referral.id)
        ),
        messages=list(
            session.scalars(
                sa.select(OutboundMessage)
                .where(
                    OutboundMessage.referral_id == referral.id,
                    OutboundMessage.kind.not_in(STAFF_KINDS),
                )
                .order_by(OutboundMessage.created_at)
            )
        ),
        opted_out=is_opted_out(session, referral.mobile_phone),
    )


def conversation_recorded(session, referral) -> bool:
    """Whether the referral's first conversation has been recorded (it is recorded once)."""
    return (
        session.scalar(
            sa.select(InitialContact.id).where(InitialContact.referral_id == referral.id)
        )
        is not None
    )


def texts_opted_out(session, referral) -> bool:
    """Whether the person's mobile number texted STOP (no text goes to it until START)."""
    from casework.messages.opt_outs import is_opted_out

    return is_opted_out(session, referral.mobile_phone)


def safe_times_reminder(session, attempt: ContactAttempt, tz) -> str | None:
    """A reminder when a call or visit was made outside the safe times the person gave: it is
    recorded (it happened), and the next one should keep to them. None when it was inside them
    or they gave none."""
    person = session.get(Referral, attempt.referral_id).person
    windows = safe_times.from_json(person.safe_windows)
    if not safe_times.outside_windows(attempt.attempted_at, windows, tz):
        return None
    return (
        f"It was outside the safe times they gave ({safe_times.describe(windows)}): keep to "
        "them next time."
    )
