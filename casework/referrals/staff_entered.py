"""Self-referrals that staff take by phone, by email or at a community event (spec 3.6),
recorded through the same intake and triage as every other route.

Deadlines run from when the referral was received, which the staff member gives: any moment
from the start of the day seven days ago up to now (UK time). A referral taken at Saturday's
event and entered on Monday is received on Saturday, so its deadlines may already be due or
breached: that is the truth the quarterly figures must show, not something entry can hide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from casework.access import refuse
from casework.audit import Origin, audit_referral
from casework.db import made_by_key, made_once, submission_key
from casework.errors import ValidationError
from casework.referrals.intake import NewReferral, store_referrals
from casework.referrals.models import SELF_ROUTES, Referral
from casework.referrals.victim_details import (
    PARTNER_METHODS,
    VictimDetails,
    check_victim,
)
from casework.staff.vetting import refusal_for_referral

ENTRY_ROLES = {"caseworker", "team_leader"}
# How far back a received time may be: a weekend event entered on the next working day.
RECEIVED_WITHIN_DAYS = 7


@dataclass(frozen=True)
class HowReceived:
    """How a self-referral reached staff: the route, the community event, and when."""

    route: str
    received_at: datetime | None
    event_name: str = ""
    event_on: date | None = None


def received_problems(how: HowReceived, calendar, now: datetime) -> dict[str, str]:
    """What is wrong with the route, event and received time, by field."""
    errors = {}
    if how.route not in SELF_ROUTES:
        errors["route"] = "Select how the referral reached you"
    today = calendar.local_date(now)
    earliest_day = today - timedelta(days=RECEIVED_WITHIN_DAYS)
    if how.received_at is None:
        errors["received_day"] = "Enter when the referral was received"
    elif how.received_at > now:
        errors["received_day"] = "The time it was received cannot be in the future"
    elif calendar.local_date(how.received_at) < earliest_day:
        errors["received_day"] = (
            f"The time it was received must be within the last {RECEIVED_WITHIN_DAYS} days"
        )
    if how.route == "community_event":
        name = " ".join(how.event_name.split())
        if not name:
            errors["event_name"] = "Enter the name of the community event"
        elif len(name) > 200:
            errors["event_name"] = "Event name must be 200 characters or fewer"
        if how.event_on is None:
            errors["event_on"] = "Enter the date of the community event"
        elif how.event_on > today:
            errors["event_on"] = "The event date must be today or in the past"
        elif how.event_on < earliest_day:
            errors["event_on"] = (
                f"The event must be within the last {RECEIVED_WITHIN_DAYS} days: enter "
                "older referrals with the date they are entered"
            )
        elif "received_day" not in errors and calendar.local_date(how.received_at) < how.event_on:
            errors["received_day"] = "It cannot have been received before the event"
    return errors


def record_staff_referral(
    session,
    victim: VictimDetails,
    how: HowReceived,
    *,
    submission_token: str,
    actor,
    calendar,
    now: datetime,
    origin: Origin,
) -> Referral:
    """Record a self-referral a caseworker or team leader took, triaged like any other
    (priority, D1-D3 from when it was received, repeat-victim matching), with its route, its
    event and who entered it. A caseworker's own entry is allocated to them: they have
    already spoken to the person. Submitting the same form twice makes one referral."""
    if actor is None or actor.role not in ENTRY_ROLES:
        refuse(session, actor=actor, origin=origin, record_type="referral", record_id=0, now=now)
    token = (submission_token or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", token):
        raise ValidationError({"": "This form has expired. Reload the page and try again."})
    dedupe_key = submission_key(f"staff:{actor.id}", token)
    if (earlier := made_by_key(session, Referral.dedupe_key, dedupe_key)) is not None:
        return earlier
    errors = received_problems(how, calendar, now)
    try:
        clean = check_victim(victim, PARTNER_METHODS, calendar.local_date(now))
    except ValidationError as exc:
        errors = {**exc.errors, **errors}
    if errors:
        raise ValidationError(errors)
    community = how.route == "community_event"
    item = NewReferral(
        source="self",
        dedupe_key=dedupe_key,
        self_route=how.route,
        event_name=" ".join(how.event_name.split()) if community else None,
        event_on=how.event_on if community else None,
        entered_by_id=actor.id,
        **clean,
    )

    def store() -> Referral:
        [referral_id] = store_referrals(
            session,
            [item],
            received_at=how.received_at,
            calendar=calendar,
            origin=origin,
            actor=actor,
            now=now,
        )
        referral = session.get(Referral, referral_id)
        # A caseworker keeps what they entered, unless it is a child's or vulnerable adult's
        # and their vetting is not received: then it waits, unallocated, for the team leader;
        # or unless it joined the person's open case, whose caseworker it went to (kept, one
        # in another team's case showed that team's case to the caseworker who entered it).
        if (
            referral.case_id is None
            and actor.role == "caseworker"
            and _may_hold(actor)
            and refusal_for_referral(session, referral, actor, now=now) is None
        ):
            referral.allocated_to_id = actor.id
            audit_referral(
                session,
                referral,
                "referral.allocate",
                actor=actor,
                origin=origin,
                at=now,
                detail={"caseworker_id": actor.id, "entered": True},
            )
        session.commit()
        return referral

    # Two sends at the same moment (a double click): the second returns the first's referral.
    return made_once(session, Referral.dedupe_key, dedupe_key, store)


def _may_hold(worker) -> bool:
    """An active caseworker of a victim-service team, as allocation requires."""
    return bool(worker.active) and worker.team is not None and worker.team.service == "victim"
