"""What other features read of a case's needs assessments: its complete ones in the order they
were held (the closure gate), and its latest complete one (the support plan's priorities)."""

from __future__ import annotations

import sqlalchemy as sa

from casework.assessments.models import NeedsAssessment
from triage.closure import HeldAssessment


def _complete(case_id: int):
    return (
        sa.select(NeedsAssessment)
        .where(NeedsAssessment.case_id == case_id, NeedsAssessment.status == "complete")
        .order_by(NeedsAssessment.held_on, NeedsAssessment.id)
    )


def held_assessments(session, case_id: int) -> list[HeldAssessment]:
    """The case's complete assessments, first held first, as the closure rules take them."""
    held = session.execute(
        sa.select(NeedsAssessment.held_on)
        .where(NeedsAssessment.case_id == case_id, NeedsAssessment.status == "complete")
        .order_by(NeedsAssessment.held_on, NeedsAssessment.id)
    ).scalars()
    return [HeldAssessment(held_on=day, first=n == 0) for n, day in enumerate(held)]


def latest_complete(session, case_id: int) -> NeedsAssessment | None:
    """The case's most recently held complete assessment, or None."""
    found = session.scalars(_complete(case_id)).all()
    return found[-1] if found else None
