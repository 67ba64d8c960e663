"""The demo's hardship fund and Victim Personal Statement support, made through the real
services on the demo's open cases: payments this financial year (approved at once, approved by
a team leader, and one still waiting for approval), a statement given to court and an offer of
help that was declined. Idempotent: nothing when a payment already exists."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from casework.approvals import requests as approvals
from casework.audit import Origin
from casework.cases.models import Case
from casework.staff.models import Staff
from casework.staff.vetting import local_today
from casework.support.hardship import request_payment
from casework.support.models import HardshipPayment
from casework.support.statements import StatementDetails, save_statement
from triage.hardship import financial_year_at

ORIGIN = Origin.command_line("demo seed")

# (case index, days ago, amount, purpose, detail, approved by a team leader)
PAYMENTS = [
    (0, 9, "45.00", "food", "Food parcel while a stolen bank card is replaced", False),
    (0, 6, "250.00", "security", "New locks and a door chain after the break-in", True),
    (1, 4, "32.40", "travel", "Return train fare to the trial at Leicester Crown Court", False),
    (2, 1, "180.00", "replacement", "Replacing a stolen mobile phone (his only phone)", False),
]


def _in_this_year(now: datetime, days: int, opened_at: datetime, order: int) -> datetime:
    """``days`` before now, or a few minutes before when that would be last financial year;
    never before the case opened (a demo case opened today has today's payments, in order)."""
    when = now - timedelta(days=days)
    if financial_year_at(when) != financial_year_at(now):
        when = now - timedelta(minutes=days + 1)
    return max(when, min(now, opened_at + timedelta(minutes=20 * order)))


def _leader_of(session, case: Case, requester_id: int) -> Staff | None:
    return session.scalar(
        sa.select(Staff)
        .where(Staff.role == "team_leader", Staff.team_id == case.team_id, Staff.id != requester_id)
        .order_by(Staff.id)
    )


def seed_demo_hardship(session, now: datetime) -> dict[str, int]:
    """Payments and statement support on the first three open demo cases (by their
    caseworkers): how many of each were made."""
    if session.scalar(sa.select(sa.func.count(HardshipPayment.id))):
        return {}
    cases = list(
        session.scalars(
            sa.select(Case)
            .where(Case.status == "open", Case.caseworker_id.is_not(None))
            .order_by(Case.id)
            .limit(3)
        )
    )
    if len(cases) < 3:
        return {}
    made = {"approved": 0, "waiting": 0, "statements": 0}
    for order, (index, days, amount, purpose, detail, by_leader) in enumerate(PAYMENTS, 1):
        case = cases[index]
        worker = session.get(Staff, case.caseworker_id)
        when = _in_this_year(now, days, case.opened_at, order)
        payment = request_payment(
            session,
            case.id,
            amount=amount,
            purpose=purpose,
            detail=detail,
            actor=worker,
            origin=ORIGIN,
            now=when,
        )
        leader = _leader_of(session, case, worker.id) if by_leader else None
        if payment.status == "awaiting_approval" and leader is not None:
            approval = payment.approval
            approvals.decide(
                session,
                approval.id,
                approve=True,
                reason="Locks are the priority: the offender has a key",
                expected_version=approval.version,
                actor=leader,
                origin=ORIGIN,
                now=min(when + timedelta(hours=2), now),  # never in the future
            )
    today = local_today(now)
    opened = {case.id: local_today(case.opened_at) for case in cases}

    def since_opened(case: Case, days: int):
        """``days`` before today, but not before the case opened."""
        return max(today - timedelta(days=days), opened[case.id])

    for case, details in (
        (
            cases[0],
            StatementDetails(
                offered_on=since_opened(cases[0], 6),
                answer="accepted",
                helped_on=since_opened(cases[0], 4),
                given_on=since_opened(cases[0], 1),
                court="Leicester Crown Court",
                note="They read it to the court themselves.",
            ),
        ),
        (cases[1], StatementDetails(offered_on=since_opened(cases[1], 3), answer="declined")),
    ):
        save_statement(
            session,
            case.id,
            details,
            expected_version=None,
            actor=session.get(Staff, case.caseworker_id),
            origin=ORIGIN,
            now=now,
        )
        made["statements"] += 1
    made["approved"] = session.scalar(
        sa.select(sa.func.count(HardshipPayment.id)).where(HardshipPayment.status == "approved")
    )
    made["waiting"] = session.scalar(
        sa.select(sa.func.count(HardshipPayment.id)).where(
            HardshipPayment.status == "awaiting_approval"
        )
    )
    return made
