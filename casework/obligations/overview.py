"""The team leader's view of the contact deadlines: what falls due soon, what is overdue, who
has what outstanding, and the breaches this quarter."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from casework.access import visible_cases_clause, visible_referrals_clause
from casework.cases.models import Case
from casework.messages.held_letters import waiting_messages
from casework.obligations.models import Obligation
from casework.referrals.models import Referral
from casework.staff.models import Staff

LIST_LIMIT = 200


@dataclass(frozen=True)
class DeadlineOverview:
    """What the deadline view shows, for the referrals one team leader may see."""

    upcoming: list[Obligation]
    overdue: list[Obligation]
    per_worker: list[tuple[str, int, int]]  # name, outstanding, of which overdue
    breaches: int
    quarter_start: datetime
    hours: int
    # Each listed obligation's message still waiting: held for a decision or for a safe time.
    waiting: dict = field(default_factory=dict)


def quarter_start(now: datetime, tz: tzinfo) -> datetime:
    """The start of the calendar quarter ``now`` falls in, in local time (the return's
    quarters: January, April, July, October)."""
    local = now.astimezone(tz)
    return local.replace(
        month=3 * ((local.month - 1) // 3) + 1, day=1, hour=0, minute=0, second=0, microsecond=0
    )


def deadline_overview(session, viewer, *, now: datetime, tz: tzinfo, hours: int = 8):
    """Due in the next ``hours``, overdue, outstanding per caseworker, and breaches so far
    this quarter, on the open referrals and cases ``viewer`` may see (and on a referral closed
    into an open case, while a deadline of its own is still owed)."""

    def owned(query):
        return query.outerjoin(Referral, Obligation.referral_id == Referral.id).outerjoin(
            Case, Obligation.case_id == Case.id
        )

    referral_seen = sa.and_(Referral.id.is_not(None), visible_referrals_clause(viewer))
    case_seen = sa.and_(Case.id.is_not(None), visible_cases_clause(viewer))
    visible = sa.or_(referral_seen, case_seen)
    # A referral's deadline while it is open, or while the case it was closed into is: a first
    # call still owed when a team leader opened the case from it before anyone had called.
    open_case = aliased(Case)
    in_open_case = Referral.case_id.in_(sa.select(open_case.id).where(open_case.status == "open"))
    still_open = sa.or_(
        sa.and_(referral_seen, sa.or_(Referral.status == "open", in_open_case)),
        sa.and_(case_seen, Case.status == "open"),
    )
    base = owned(sa.select(Obligation)).where(still_open)
    unmet = sa.or_(
        Obligation.status == "due",
        sa.and_(Obligation.status == "breached", Obligation.met_at.is_(None)),
    )
    upcoming = session.scalars(
        base.where(
            Obligation.status == "due",
            Obligation.due_at >= now,
            Obligation.due_at < now + timedelta(hours=hours),
        )
        .order_by(Obligation.due_at)
        .limit(LIST_LIMIT)
    ).all()
    overdue = session.scalars(
        base.where(unmet, Obligation.due_at < now).order_by(Obligation.due_at).limit(LIST_LIMIT)
    ).all()
    per_worker = session.execute(
        sa.select(
            Staff.name,
            sa.func.count(Obligation.id),
            sa.func.sum(sa.case((Obligation.due_at < now, 1), else_=0)),
        )
        .select_from(Obligation)
        .outerjoin(Referral, Obligation.referral_id == Referral.id)
        .outerjoin(Case, Obligation.case_id == Case.id)
        .join(Staff, sa.func.coalesce(Case.caseworker_id, Referral.allocated_to_id) == Staff.id)
        .where(still_open, unmet)
        .group_by(Staff.name)
        .order_by(Staff.name)
    ).all()
    start = quarter_start(now, tz)
    breaches = session.scalar(
        owned(sa.select(sa.func.count()).select_from(Obligation)).where(
            visible, Obligation.status == "breached", Obligation.breached_at >= start
        )
    )
    return DeadlineOverview(
        upcoming=list(upcoming),
        overdue=list(overdue),
        per_worker=[tuple(row) for row in per_worker],
        breaches=breaches or 0,
        quarter_start=start,
        hours=hours,
        waiting=waiting_messages(session, [o.id for o in [*upcoming, *overdue]], now),
    )
