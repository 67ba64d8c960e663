"""A caseworker picking up an unallocated referral themselves, when their team allows it. Two
people picking up the same referral at once: one gets it, the other is told it was taken."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from casework.access import can_view_referral, refuse
from casework.audit import Origin, audit_referral
from casework.caseloads.eligibility import refusal_to_take
from casework.caseloads.settings import team_settings
from casework.cases.models import Case
from casework.errors import ValidationError
from casework.referrals.models import Referral

TURNED_OFF = (
    "Your team does not allow caseworkers to pick up referrals. "
    "Ask your team leader to allocate it to you."
)
TAKEN = "A colleague has already picked up this referral, or it has been allocated."
CLOSED = "This referral is no longer open."


def pick_up_allowed(session, worker) -> bool:
    """Whether ``worker`` is a caseworker whose team lets caseworkers pick up referrals."""
    if worker is None or getattr(worker, "role", None) != "caseworker":
        return False
    return team_settings(session, worker.team_id).caseworkers_pick_up


def pick_up_referral(
    session, referral_id: int, *, actor, origin: Origin, now: datetime
) -> Referral:
    """Allocate an unallocated open referral to the caseworker asking, if their team allows it.

    The allocation is one conditional UPDATE (only while nobody holds it), so of two people
    picking it up at once exactly one succeeds; the other is refused and nothing changes."""
    referral = session.get(Referral, referral_id)
    if (
        referral is not None
        and referral.status == "open"
        and referral.allocated_to_id not in (None, actor.id)
        and pick_up_allowed(session, actor)
    ):
        # Taken by a colleague since the queue was read: say so (nothing about who or whom).
        raise ValidationError({"referral": TAKEN})
    if referral is None or not can_view_referral(actor, referral):
        refuse(
            session,
            actor=actor,
            origin=origin,
            record_type="referral",
            record_id=referral_id,
            now=now,
        )
    if not pick_up_allowed(session, actor):
        raise ValidationError({"referral": TURNED_OFF})
    if referral.status != "open":
        raise ValidationError({"referral": CLOSED})
    if referral.allocated_to_id == actor.id:
        raise ValidationError({"referral": "This referral is already yours."})
    case = session.get(Case, referral.case_id) if referral.case_id else None
    problem = refusal_to_take(session, actor, now=now, referral=referral, case=case)
    if problem:
        raise ValidationError({"referral": problem})
    won = session.execute(
        sa.update(Referral)
        .where(
            Referral.id == referral_id,
            Referral.allocated_to_id.is_(None),
            Referral.status == "open",
        )
        .values(allocated_to_id=actor.id, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        session.rollback()
        raise ValidationError({"referral": TAKEN})
    audit_referral(
        session,
        referral,
        "referral.pick_up",
        actor=actor,
        origin=origin,
        at=now,
        detail={"caseworker_id": actor.id},
    )
    session.commit()
    session.refresh(referral)
    return referral
