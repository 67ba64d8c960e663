"""``demo seed`` shows the hardship fund and statement support in use: payments this financial
year (one waiting for a team leader), a statement given to court; seeded once."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import time_machine

import casework.models  # noqa: F401  (every model, before one of them is imported alone)
from casework.db import db, utcnow
from casework.support.hardship import fund_year
from casework.support.models import HardshipPayment, PersonalStatement
from triage.hardship import financial_year_at


@pytest.mark.parametrize(
    "moment",
    [
        None,  # today
        datetime(2027, 4, 1, 0, 30, tzinfo=UTC),  # 01:30 BST on 1 April: the year just began
    ],
)
def test_the_demo_seed_makes_payments_this_year_and_a_statement_given_to_court(app, runner, moment):
    with time_machine.travel(moment or datetime.now(UTC), tick=False):
        result = runner.invoke(args=["demo", "seed"])
        assert result.exit_code == 0, result.output
        assert "Demo hardship fund and statements: " in result.output
        db.session.rollback()
        year = financial_year_at(utcnow())
        payments = list(db.session.scalars(sa.select(HardshipPayment)))
        assert {p.year_starting for p in payments} == {year}
        statuses = sorted(p.status for p in payments)
        assert statuses == ["approved", "approved", "approved", "awaiting_approval"]
        approved_by_leader = [p for p in payments if p.approval_id and p.status == "approved"]
        assert approved_by_leader and approved_by_leader[0].approval.decided_by.role == (
            "team_leader"
        )
        # Nothing is paid, nor a statement offered, before the case it belongs to opened.
        for p in payments:
            assert p.requested_at >= p.case.opened_at, p.detail
            if p.approval_id and p.status == "approved":  # decided, never ahead of the seed
                assert p.requested_at <= p.approval.decided_at <= utcnow()
        for s in db.session.scalars(sa.select(PersonalStatement)):
            opened = s.case.opened_at.astimezone(ZoneInfo("Europe/London")).date()
            assert s.offered_on >= opened
        fund = fund_year(db.session, year)
        assert fund.approved == 4500 + 25000 + 3240 and fund.waiting == 18000
        statements = list(db.session.scalars(sa.select(PersonalStatement)))
        assert any(s.court == "Leicester Crown Court" for s in statements)
        assert any(s.answer == "declined" for s in statements)
        assert runner.invoke(args=["demo", "seed"]).exit_code == 0
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count(HardshipPayment.id))) == 4
