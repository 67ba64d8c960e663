"""Demonstration restorative justice (spec 3.10): on the demo's open cases, an ordinary request
completed with a session and an outcome agreement, and a domestic violence one (on a case whose
team has a facilitator with the restorative justice specialism, chosen first) waiting for a
team leader to approve its exceptional circumstances and facilitator, all through the real
services."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from casework.access import can_work_case
from casework.audit import Origin
from casework.cases.models import Case
from casework.staff.models import Staff
from casework.staff.vetting import local_today
from casework.support.models import RestorativeJustice
from casework.support.restorative import (
    RequestDetails,
    ask_for_approval,
    choose_facilitator,
    facilitator_choices,
    is_specialist,
    police_categories,
    record_outcome,
    record_session,
    start_request,
)

ORIGIN = Origin.command_line("demo")


def _worker(session, case: Case) -> Staff | None:
    """Who records it: the case's caseworker, else a team leader of its team."""
    if case.caseworker is not None and can_work_case(case.caseworker, case):
        return case.caseworker
    return session.scalar(
        sa.select(Staff)
        .where(Staff.team_id == case.team_id, Staff.role == "team_leader", Staff.active.is_(True))
        .order_by(Staff.id)
    )


def seed_demo_restorative(session, *, now: datetime) -> str:
    """``demo seed``'s restorative justice, once: what was added, in words."""
    if session.scalar(sa.select(sa.func.count(RestorativeJustice.id))):
        return "Demo restorative justice: already there"
    cases = list(
        session.scalars(
            sa.select(Case)
            .where(Case.status == "open", Case.caseworker_id.is_not(None))
            .order_by(Case.id)
        )
    )
    # A sensitive request needs a facilitator with the specialism: a case of a team that has one.
    with_specialist = [
        c for c in cases if is_specialist(next(iter(facilitator_choices(session, c)), None))
    ]
    domestic = next(
        (c for c in with_specialist if "domestic_violence" in police_categories(c)), None
    )
    ordinary = next((c for c in cases if c is not domestic and not police_categories(c)), None)
    if domestic is None:
        domestic = next((c for c in with_specialist if c is not ordinary), None)
    today = local_today(now)
    added = []
    if ordinary is not None and (worker := _worker(session, ordinary)) is not None:
        asked = max(local_today(ordinary.opened_at), today - timedelta(days=21))
        rj = start_request(
            session,
            ordinary.id,
            RequestDetails(asked, True, True, "direct_conference"),
            actor=worker,
            origin=ORIGIN,
            now=now,
        )
        facilitator = facilitator_choices(session, ordinary)[0]
        rj = choose_facilitator(
            session,
            ordinary.id,
            rj.id,
            facilitator_id=facilitator.id,
            experienced=True,
            expected_version=rj.version,
            actor=worker,
            origin=ORIGIN,
            now=now,
        )
        record_session(
            session,
            ordinary.id,
            rj.id,
            held_on=min(today, asked + timedelta(days=7)),
            kind="direct_conference",
            note="Conference at the community centre; the victim's sister came as her supporter.",
            actor=worker,
            origin=ORIGIN,
            now=now,
        )
        rj = session.get(RestorativeJustice, rj.id)
        record_outcome(
            session,
            ordinary.id,
            rj.id,
            outcome="agreement",
            outcome_on=today,
            note="A written apology, and the offender repairs the damaged fence.",
            expected_version=rj.version,
            actor=worker,
            origin=ORIGIN,
            now=now,
        )
        added.append(f"1 completed ({ordinary.reference})")
    if domestic is not None and (worker := _worker(session, domestic)) is not None:
        asked = max(local_today(domestic.opened_at), today - timedelta(days=3))
        rj = start_request(
            session,
            domestic.id,
            RequestDetails(
                asked,
                True,
                True,
                "shuttle",
                ("domestic_violence",),
                # The demo's person may be of any sex: the words name nobody's.
                "Asked for it themselves, with their IDVA. The ex-partner is in custody, has "
                "pleaded guilty and wrote of a wish to apologise. Shuttle only, no meeting: the "
                "IDVA and the person agree it is safe and will help them close this chapter.",
            ),
            actor=worker,
            origin=ORIGIN,
            now=now,
        )
        rj = choose_facilitator(
            session,
            domestic.id,
            rj.id,
            facilitator_id=facilitator_choices(session, domestic)[0].id,
            experienced=True,
            expected_version=rj.version,
            actor=worker,
            origin=ORIGIN,
            now=now,
        )
        ask_for_approval(
            session,
            domestic.id,
            rj.id,
            expected_version=rj.version,
            actor=worker,
            origin=ORIGIN,
            now=now,
        )
        added.append(f"1 domestic violence waiting for approval ({domestic.reference})")
    return "Demo restorative justice: " + (", ".join(added) or "none (no open demo cases)")
