"""One referral as staff open it, and the team leader's decisions on it: allocate (ranked
suggestions from their own team), raise the priority, decide a possible repeat-victim match.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from casework.access import (
    allocatable_caseworkers_clause,
    can_allocate_to,
    can_manage_case,
    can_manage_referral,
    can_view_referral,
    refuse,
)
from casework.audit import Origin, audit_referral
from casework.db import utcnow
from casework.errors import NotFound, ValidationError
from casework.obligations import lifecycle
from casework.people.models import PossibleMatch
from casework.people.records import merge_people
from casework.referrals.models import Referral
from casework.staff.models import Staff
from casework.staff.vetting import (
    local_today,
    referral_vetting_needs,
    refusal_for_referral,
    vetting_received_ids,
)
from triage.allocation import (
    AllocationNeeds,
    CaseworkerProfile,
    Suggestion,
    left_out,
    rank_caseworkers,
)
from triage.deadlines import phone_contact_due
from triage.enhanced import ENHANCED, ReferralFacts, assess_priority


def get_referral(
    session, referral_id: int, viewer, *, origin: Origin, now: datetime, audit_view: bool = True
) -> Referral:
    """Load a referral the viewer may see, recording the view; else NotFound (and audit)."""
    referral = session.get(Referral, referral_id)
    if referral is None or not can_view_referral(viewer, referral):
        refuse(
            session,
            actor=viewer,
            origin=origin,
            record_type="referral",
            record_id=referral_id,
            now=now,
        )
    if audit_view:
        audit_referral(session, referral, "referral.view", actor=viewer, origin=origin, at=now)
        session.commit()
    return referral


def _managed(session, referral_id: int, actor, origin: Origin, now: datetime) -> Referral:
    referral = get_referral(session, referral_id, actor, origin=origin, now=now, audit_view=False)
    if not can_manage_referral(actor, referral):
        refuse(
            session,
            actor=actor,
            origin=origin,
            record_type="referral",
            record_id=referral_id,
            now=now,
        )
    return referral


def open_caseloads(session, worker_ids: list[int]) -> dict[int, int]:
    """How much each of these caseworkers holds, as their caseload and the team view count it:
    their open cases, and the open referrals allocated to them that are not part of one of
    those. Allocation ranks by it."""
    from casework.caseloads.listing import referral_rows_clause
    from casework.cases.models import Case

    if not worker_ids:
        return {}
    loads: dict[int, int] = {}
    for worker, count in session.execute(
        sa.union_all(
            sa.select(Case.caseworker_id, sa.func.count())
            .where(Case.caseworker_id.in_(worker_ids), Case.status == "open")
            .group_by(Case.caseworker_id),
            sa.select(Referral.allocated_to_id, sa.func.count())
            .where(
                Referral.allocated_to_id.in_(worker_ids),
                referral_rows_clause(Referral.allocated_to_id),
            )
            .group_by(Referral.allocated_to_id),
        )
    ):
        loads[worker] = loads.get(worker, 0) + count
    return loads


@dataclass(frozen=True)
class AllocationPanel:
    """The ranked caseworkers for a referral, and how many were left out because the person
    needs vetted staff (a child or a vulnerable adult) and their vetting is not received."""

    suggestions: list[Suggestion]
    left_out: int
    needs: tuple[str, ...]


def allocation_panel(
    session, referral: Referral, actor, today: date | None = None
) -> AllocationPanel:
    """The caseworkers ``actor`` may allocate to (their own team's), ranked for this referral
    with reasons; for a child or vulnerable adult, those whose vetting is not received on
    ``today`` (default: today in the UK) are left out and only counted (spec 12)."""
    priority = assess_priority(
        ReferralFacts(
            offence=referral.offence or "",
            flags=frozenset(referral.flags or ()),
            date_of_birth=referral.date_of_birth,
            occurred_on=referral.occurred_on,
            received_on=referral.received_at.date(),
        )
    )
    workers = list(session.scalars(sa.select(Staff).where(allocatable_caseworkers_clause(actor))))
    loads = open_caseloads(session, [w.id for w in workers])
    # Staff vetting (spec 12): who may work with a child or a vulnerable adult.
    today = today or local_today(utcnow())
    needs = referral_vetting_needs(referral, today)
    received = vetting_received_ids(session, workers, today) if needs else set()
    profiles = [
        CaseworkerProfile(
            w.id,
            w.name,
            frozenset(w.specialisms or ()),
            loads.get(w.id, 0),
            w.npa,
            w.gender,
            frozenset(w.languages or ()),
            vetting_received=not needs or w.id in received,
        )
        for w in workers
    ]
    allocation_needs = AllocationNeeds(
        specialisms=priority.specialisms,
        npa=referral.npa,
        preferred_gender=referral.preferred_worker_gender,
        preferred_language=referral.preferred_language,
        needs_vetted_staff=bool(needs),
    )
    return AllocationPanel(
        rank_caseworkers(allocation_needs, profiles),
        left_out(allocation_needs, profiles),
        needs,
    )


def not_allocatable(referral: Referral, actor) -> str | None:
    """Why ``actor`` cannot allocate a referral, or None. A closed one is nobody's new work,
    and allocating it would only open it to another caseworker (one that joined a case moves
    with the case). An open one in a case waits on the queue when the case's caseworker may not
    work with this person (vetting): the case's team leaders allocate it, not another team's."""
    if referral.status != "open":
        if referral.case is not None:
            return (
                f"This referral is closed and part of case {referral.case.reference}: "
                "reassign the case to move it"
            )
        return "This referral is closed, so it is not allocated to anyone new"
    if referral.case is not None and not can_manage_case(actor, referral.case):
        return (
            f"This referral is part of case {referral.case.reference}, held by another team: "
            "that team's leader allocates it"
        )
    return None


def allocate(
    session, referral_id: int, caseworker_id: int | None, *, actor, origin: Origin, now: datetime
) -> Referral:
    """Allocate an open referral to an active caseworker (the team leader decides)."""
    referral = _managed(session, referral_id, actor, origin, now)
    # Read afresh under a row lock: a case opened from it at this moment is seen, or waits.
    session.refresh(referral, with_for_update=True)
    if refused := not_allocatable(referral, actor):
        raise ValidationError({"caseworker": refused})
    worker = session.get(Staff, caseworker_id) if caseworker_id else None
    if not can_allocate_to(actor, worker):
        raise ValidationError({"caseworker": "Select an active caseworker in your team"})
    refusal = refusal_for_referral(session, referral, worker, now=now)
    if refusal:
        raise ValidationError({"caseworker": refusal})
    referral.allocated_to_id = worker.id
    referral.updated_at = now
    audit_referral(
        session,
        referral,
        "referral.allocate",
        actor=actor,
        origin=origin,
        at=now,
        detail={"caseworker_id": worker.id},
    )
    session.commit()
    return referral


def raise_priority(
    session, referral_id: int, reason: str, *, actor, origin: Origin, now: datetime
) -> Referral:
    """Make a referral enhanced with the team leader's reason; a first call falls due at
    24 hours from receipt instead of 48 (D1)."""
    reason = " ".join((reason or "").split())
    if len(reason) < 5:
        raise ValidationError({"reason": "Give the reason for raising the priority"})
    if len(reason) > 300:
        raise ValidationError({"reason": "Reason must be 300 characters or fewer"})
    referral = _managed(session, referral_id, actor, origin, now)
    if referral.priority == ENHANCED:
        raise ValidationError({"reason": "This referral is already enhanced"})
    previous = referral.priority
    referral.priority = ENHANCED
    referral.raised_reason = reason
    referral.priority_reasons = [*referral.priority_reasons, f"raised by team leader: {reason}"]
    lifecycle.bring_forward(
        session, referral, "phone_contact", phone_contact_due(referral.received_at, ENHANCED)
    )
    referral.updated_at = now
    audit_referral(
        session,
        referral,
        "referral.raise_priority",
        actor=actor,
        origin=origin,
        at=now,
        detail={"from": previous, "reason": reason},
    )
    session.commit()
    return referral


@dataclass(frozen=True)
class PendingMatches:
    """A referral's undecided possible repeat-victim matches, as ``viewer`` may see them:
    those whose earlier referral they may open, in full; the rest only counted, with no detail,
    for the other team's leader to decide."""

    decidable: list[PossibleMatch]
    elsewhere: int


def pending_matches(session, referral: Referral, viewer) -> PendingMatches:
    """Possible matches waiting for a decision on ``referral``, split by what ``viewer`` may see.
    A match whose two referrals have since become one person (through another match) is no
    longer a question, and is left out."""
    matches = [
        m
        for m in session.scalars(
            sa.select(PossibleMatch).where(
                PossibleMatch.referral_id == referral.id, PossibleMatch.status == "pending"
            )
        )
        if m.earlier.person_id != referral.person_id
    ]
    decidable = [m for m in matches if can_view_referral(viewer, m.earlier)]
    return PendingMatches(decidable, len(matches) - len(decidable))


def decide_match(
    session,
    referral_id: int,
    match_id: int,
    confirm: bool,
    *,
    actor,
    origin: Origin,
    now: datetime,
) -> PossibleMatch:
    """Confirm (link as the same person, mark repeat victim) or reject a possible match of
    this referral."""
    match = session.get(PossibleMatch, match_id)
    if match is None or match.referral_id != referral_id:
        raise NotFound(match_id)
    referral = _managed(session, match.referral_id, actor, origin, now)
    if not can_view_referral(actor, match.earlier):
        refuse(
            session,
            actor=actor,
            origin=origin,
            record_type="possible_match",
            record_id=match_id,
            now=now,
        )
    if match.status != "pending":
        raise ValidationError({"match": "This match has already been decided"})
    if match.earlier.person_id == referral.person_id:
        raise ValidationError(
            {"match": "These referrals are already one person, through another match"}
        )
    match.status = "confirmed" if confirm else "rejected"
    match.decided_by_id = actor.id
    match.decided_at = now
    if confirm:
        # The person known first is kept (a referral already linked may be offered a person
        # recorded after its own); every referral that moves is a repeat of theirs.
        kept, merged = sorted((match.earlier.person, referral.person), key=lambda p: p.id)
        merge = merge_people(
            session,
            kept,
            merged,
            actor=actor,
            origin=origin,
            now=now,
            possible_match_id=match.id,
        )
        session.execute(
            sa.update(Referral)
            .where(Referral.id.in_(merge.referral_ids))
            .values(repeat_victim=True)
            .execution_options(synchronize_session=False)
        )
        referral.repeat_victim = True
        referral.updated_at = now
    audit_referral(
        session,
        referral,
        "referral.match_" + match.status,
        actor=actor,
        origin=origin,
        at=now,
        detail={"earlier_referral_id": match.earlier_referral_id},
    )
    session.commit()
    return match
