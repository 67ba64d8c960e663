"""What an agency's page shows of the work with it: the referrals that came from it (how many,
and those the viewer may see) and the onward referrals sent to it (how many, by state).

Team boundaries hold: the referrals listed and counted are filtered in SQL by the same rule as
the queue (casework.access.visible_referrals_clause), and the onward referrals counted are those
of cases the viewer may see (visible_cases_clause), so nothing here, not even a number, is about
another team's people.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from casework.access import visible_cases_clause, visible_referrals_clause
from casework.cases.models import Case
from casework.db import db
from casework.onward.models import ONWARD_STATUSES, OnwardReferral
from casework.referrals.models import Referral


@dataclass(frozen=True)
class AgencyActivity:
    """Counts for one agency's page."""

    referrals_total: int
    onward_total: int
    onward_by_status: list[tuple[str, int]]  # (label, count), in ONWARD_STATUSES order


def agency_activity(session, agency_id: int, viewer) -> AgencyActivity:
    """How many referrals came from the agency, and how many onward referrals went to it in
    each state, of those ``viewer`` may see."""
    referrals_total = session.scalar(
        sa.select(sa.func.count()).where(
            Referral.partner_agency_id == agency_id, visible_referrals_clause(viewer)
        )
    )
    counts = dict(
        session.execute(
            sa.select(OnwardReferral.status, sa.func.count())
            .join(Case, Case.id == OnwardReferral.case_id)
            .where(OnwardReferral.agency_id == agency_id, visible_cases_clause(viewer))
            .group_by(OnwardReferral.status)
        ).all()
    )
    by_status = [(label, counts[key]) for key, label in ONWARD_STATUSES.items() if counts.get(key)]
    return AgencyActivity(referrals_total or 0, sum(counts.values()), by_status)


def visible_referrals_from(agency_id: int, viewer, *, page: int, per_page: int):
    """One page of the referrals that came from the agency which ``viewer`` may see, newest
    first."""
    query = (
        sa.select(Referral)
        .where(Referral.partner_agency_id == agency_id, visible_referrals_clause(viewer))
        .order_by(Referral.received_at.desc(), Referral.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
