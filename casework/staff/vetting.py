"""What staff vetting decides (spec 12 and 15): a staff member's vetting status, and whether
they may be given a child or a vulnerable adult.

Nobody works with children or vulnerable adults until their vetting is received:
:func:`allocation_refusal` (or :func:`refusal_for_referral` / :func:`refusal_for_case`) is what
every allocation (a referral, a case opened or reassigned) asks before giving such a person to
a worker. Recording is in ``vetting_records``, the expiring list in ``vetting_expiry``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from casework.staff.models import Staff
from casework.staff.vetting_models import StaffVetting, TrainingRecord
from triage.vetting import (
    NPPV_LEVELS,
    PersonFacts,
    VettingFacts,
    VettingStatus,
    required_nppv,
    vetting_needs,
    vetting_status,
)

LONDON = ZoneInfo("Europe/London")


def local_today(now: datetime) -> date:
    """The date in the UK at ``now``: vetting counts by UK calendar day."""
    return now.astimezone(LONDON).date()


def get_vetting(session, staff_id: int) -> StaffVetting | None:
    """A staff member's vetting record, if any has been recorded."""
    return session.scalar(sa.select(StaffVetting).where(StaffVetting.staff_id == staff_id))


def facts_of(staff: Staff, vetting: StaffVetting | None) -> VettingFacts:
    """The plain facts the vetting rules read."""
    if vetting is None:
        return VettingFacts(role=staff.role)
    return VettingFacts(
        role=staff.role,
        nppv_level=vetting.nppv_level,
        nppv_granted_on=vetting.nppv_granted_on,
        nppv_expires_on=vetting.nppv_expires_on,
        dbs_level=vetting.dbs_level,
        dbs_issued_on=vetting.dbs_issued_on,
        dbs_recheck_on=vetting.dbs_recheck_on,
    )


def staff_vetting_status(session, staff: Staff, today: date) -> VettingStatus:
    """Whether ``staff``'s vetting is received on ``today``, and why not."""
    return vetting_status(facts_of(staff, get_vetting(session, staff.id)), today)


@dataclass(frozen=True)
class VettingOverview:
    """Everything the staff page shows about one person's vetting and training."""

    staff: Staff
    vetting: StaffVetting | None
    status: VettingStatus
    required_level: str
    training: list[TrainingRecord]
    today: date

    @property
    def version(self) -> int:
        """The vetting record's version a form carries (0 before anything is recorded)."""
        return self.vetting.version if self.vetting else 0


def vetting_overview(session, staff: Staff, today: date) -> VettingOverview:
    """A staff member's vetting, its status on ``today`` and their training, newest first."""
    vetting = get_vetting(session, staff.id)
    training = list(
        session.scalars(
            sa.select(TrainingRecord)
            .where(TrainingRecord.staff_id == staff.id)
            .order_by(TrainingRecord.completed_on.desc(), TrainingRecord.id.desc())
        )
    )
    return VettingOverview(
        staff,
        vetting,
        vetting_status(facts_of(staff, vetting), today),
        NPPV_LEVELS[required_nppv(staff.role)],
        training,
        today,
    )


# --- what vetting decides ---------------------------------------------------------------


def referral_vetting_needs(referral, today: date) -> tuple[str, ...]:
    """Why a referral's person needs vetted staff (under 18, vulnerable), or empty."""
    return vetting_needs(
        PersonFacts(
            date_of_birth=referral.date_of_birth,
            occurred_on=referral.occurred_on,
            under_18_at_offence=bool(referral.children_and_young_people),
            flags=frozenset(referral.flags or ()),
            priority_reasons=tuple(referral.priority_reasons or ()),
        ),
        today,
    )


def case_vetting_needs(case, today: date) -> tuple[str, ...]:
    """Why a case's person needs vetted staff: any of the case's referrals shows it."""
    needs: list[str] = []
    for referral in case.referrals:
        for need in referral_vetting_needs(referral, today):
            if need not in needs:
                needs.append(need)
    return tuple(needs)


def vetting_received_ids(session, staff: list[Staff], today: date) -> set[int]:
    """Of ``staff``, the ids whose vetting is received on ``today`` (one query)."""
    ids = [s.id for s in staff]
    if not ids:
        return set()
    rows = {
        v.staff_id: v
        for v in session.scalars(sa.select(StaffVetting).where(StaffVetting.staff_id.in_(ids)))
    }
    return {s.id for s in staff if vetting_status(facts_of(s, rows.get(s.id)), today).received}


def allocation_refusal(
    session, staff: Staff, *, needs_vetting: bool, today: date, needs: tuple[str, ...] = ()
) -> str | None:
    """Why ``staff`` may not be given this person, in words, or None when they may.

    ``needs_vetting`` says the person is a child or a vulnerable adult (see
    :func:`referral_vetting_needs` and :func:`case_vetting_needs`; ``needs`` may pass those
    reasons to name them). Nobody works with them until their vetting is received (spec 12).
    """
    if not needs_vetting:
        return None
    status = staff_vetting_status(session, staff, today)
    if status.received:
        return None
    person = f"this person ({' and '.join(needs)})" if needs else "children or vulnerable adults"
    return (
        f"{staff.name} cannot work with {person} until their vetting is received: "
        + "; ".join(status.reasons)
        + "."
    )


def refusal_for_referral(session, referral, staff: Staff, *, now: datetime) -> str | None:
    """Why ``staff`` may not be given this referral's person (staff vetting), or None."""
    today = local_today(now)
    needs = referral_vetting_needs(referral, today)
    return allocation_refusal(session, staff, needs_vetting=bool(needs), today=today, needs=needs)


def refusal_for_case(session, case, staff: Staff, *, now: datetime) -> str | None:
    """Why ``staff`` may not be this case's caseworker (staff vetting), or None: what a
    reassignment asks before changing anything."""
    today = local_today(now)
    needs = case_vetting_needs(case, today)
    return allocation_refusal(session, staff, needs_vetting=bool(needs), today=today, needs=needs)
