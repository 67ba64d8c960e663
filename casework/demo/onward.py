"""Demonstration onward referrals: demo cases referred on to registry agencies in every state
(waiting to be emailed, sent, accepted, declined, completed, no response, stopped because consent
was withdrawn), including target-hardening referrals (standard and emergency), all made through
the real services so consent, D11 and D7 follow as they would."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from casework.access import can_work_case
from casework.audit import Origin
from casework.messages import outbox
from casework.onward.consent import record_consent
from casework.onward.referring import (
    ReferralDetails,
    email_sent,
    make_referral,
    message_of,
    record_outcome,
)

ORIGIN = Origin.command_line("demo")


def _last_open_moment(calendar, before: datetime, after: datetime, hour: int = 10):
    """``hour``:00 UK time on the latest Monday-Saturday before ``before`` and after ``after``
    (the referring service's hours), or None when there is none."""
    day = calendar.local_date(before)
    while True:
        at = datetime.combine(day, time(hour), tzinfo=calendar.tz)
        if at <= after:
            return None
        if day.weekday() < 6 and at < before:
            return at
        day -= timedelta(days=1)


def _sent(session, referral, at: datetime, calendar) -> None:
    """The referral's email went at ``at``, as the scheduler would send it."""
    message = message_of(session, referral)
    outbox.claim_many(session, [message.id], at)
    session.refresh(message)
    outbox.record_sent(session, message, f"demo-{message.id}", at)
    email_sent(session, message, at, calendar)
    session.commit()


def seed_onward(session, cases, agencies, *, staff, now: datetime, calendar) -> dict[str, int]:
    """Give demo ``cases`` (open ones) onward referrals in each state. ``agencies`` maps
    'target_hardening', 'mental_health', 'sexual_violence' and 'domestic_abuse' to registry
    agencies providing them, and 'no_isa' to one without an information-sharing agreement.
    Each referral is made by the case's caseworker, or ``staff`` (a team leader) when the
    caseworker may not. Returns how many referrals ended in each status."""
    cases = [c for c in cases if c.status == "open"]
    if not cases:
        return {}
    made: dict[str, int] = {}
    turn = iter(range(10_000))

    def next_case():
        return cases[next(turn) % len(cases)]

    def actor_for(case):
        worker = case.caseworker
        return worker if worker is not None and can_work_case(worker, case) else staff

    def refer(case, service, agency, *, at, method="phone", fields=("name", "phone"), **extra):
        details = ReferralDetails(
            agency_id=agency.id,
            service=service,
            method=method,
            shared_fields=fields,
            reason=extra.pop("reason", None),
            consent_now=True,
            consent_how=extra.pop("consent_how", "spoken"),
            spoke_to=extra.pop("spoke_to", "Duty worker") if method == "phone" else None,
            spoke_at=at if method == "phone" else None,
            **extra,
        )
        return make_referral(
            session,
            case.id,
            details,
            actor=actor_for(case),
            origin=ORIGIN,
            now=at + timedelta(minutes=5) if method == "phone" else at,
            calendar=calendar,
        )

    def outcome(case, referral, status, at, note):
        record_outcome(
            session,
            case.id,
            referral.id,
            outcome=status,
            outcome_at=at,
            note=note,
            expected_version=referral.version,
            actor=actor_for(case),
            origin=ORIGIN,
            now=at + timedelta(minutes=1),
            calendar=calendar,
        )

    def when(case, days_ago: int, hour: int = 10):
        """A moment in the referring service's hours ``days_ago`` days back, after the case
        opened (else the latest such moment since)."""
        at = _last_open_moment(calendar, now - timedelta(days=days_ago), case.opened_at, hour)
        return at or _last_open_moment(calendar, now, case.opened_at, hour)

    def count(referral):
        session.refresh(referral)
        made[referral.status] = made.get(referral.status, 0) + 1

    # Waiting to be emailed (until the scheduler's next run).
    case = next_case()
    referral = refer(
        case,
        "sexual_violence",
        agencies["sexual_violence"],
        at=now,
        method="email",
        fields=("name", "phone", "safe_contact", "reason"),
        reason="Asked for specialist counselling after the assault.",
    )
    count(referral)

    # Sent by phone, waiting for an outcome (D11 due).
    case = next_case()
    at = when(case, 3)
    if at:
        count(
            refer(case, "mental_health", agencies["mental_health"], at=at, spoke_to="Triage nurse")
        )

    # Accepted, declined, completed and no response.
    for service, status, days, note in (
        ("domestic_abuse", "accepted", 8, "Accepted: an IDVA will call this week."),
        ("other", "declined", 9, "Declined: outside their area."),
        ("sexual_violence", "completed", 20, "Completed: eight counselling sessions."),
        ("mental_health", "no_response", 25, "No reply to two follow-up calls."),
    ):
        case = next_case()
        at = when(case, days)
        if not at:
            continue
        agency = agencies["no_isa"] if service == "other" else agencies[service]
        extra = {"no_isa_reason": "The only drop-in near them"} if service == "other" else {}
        if status == "no_response":
            referral = refer(case, service, agency, at=at, method="email", **extra)
            _sent(session, referral, at + timedelta(minutes=1), calendar)
        else:
            referral = refer(case, service, agency, at=at, **extra)
        outcome(case, referral, status, min(at + timedelta(days=2), now), note)
        count(referral)

    # Stopped: emailed, then consent withdrawn before it went.
    case = next_case()
    referral = refer(case, "domestic_abuse", agencies["domestic_abuse"], at=now, method="email")
    record_consent(
        session,
        case.id,
        agencies["domestic_abuse"].id,
        given=False,
        how="spoken",
        note="Changed their mind: does not want the service contacted.",
        actor=actor_for(case),
        origin=ORIGIN,
        now=now + timedelta(seconds=1),
    )
    count(referral)

    # Target hardening: a standard one by email, and an emergency one phoned in hours.
    th = agencies["target_hardening"]
    case = next_case()
    at = when(case, 4)
    if at:
        referral = refer(
            case,
            "target_hardening",
            th,
            at=at,
            method="email",
            fields=(),
            urgency="standard",
            vulnerability_factors="Burgled twice this year; lives alone; door lock broken.",
            other_agencies="None known",
        )
        _sent(session, referral, at + timedelta(minutes=1), calendar)
        count(referral)
    case = next_case()
    at = when(case, 1, hour=11)
    if at:
        count(
            refer(
                case,
                "target_hardening",
                th,
                at=at,
                fields=(),
                urgency="emergency",
                spoke_to="SafeHome duty line",
                vulnerability_factors="The offender has a key and has been seen outside.",
                other_agencies="IDVA service",
            )
        )
    return made


def seed_demo_onward(session, agencies, *, now: datetime, calendar) -> dict[str, int]:
    """``demo seed``'s onward referrals: on the demo's open cases, made by their caseworkers
    (or the City team leader), to the demo registry's agencies. Nothing without them."""
    import sqlalchemy as sa

    from casework.cases.models import Case
    from casework.staff.models import Staff

    leader = session.scalar(sa.select(Staff).where(Staff.email == "lead.city@waypoint.example"))
    cases = list(session.scalars(sa.select(Case).where(Case.status == "open").order_by(Case.id)))
    if leader is None or not cases:
        return {}
    return seed_onward(session, cases, agencies, staff=leader, now=now, calendar=calendar)
