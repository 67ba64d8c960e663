"""Victim Personal Statement support on a case (spec 3.8): that help with a statement was
offered and the person's answer, the date they were helped to write it, and the date it was given
to court and which court. One record a case, version-checked, each stage reached audited.

Who: anyone who may work the case (its caseworker, a team leader of its team, an admin).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from casework.audit import Origin, audit_case
from casework.cases.loading import before_case_began, case_work_refusal, workable_case
from casework.cases.models import Case
from casework.db import refuse_stale
from casework.errors import ValidationError
from casework.staff.vetting import local_today
from casework.support.models import PersonalStatement
from triage.statements import statement_problems

MAX_NOTE = 2000
STALE = (
    "Someone changed this statement's record while you were looking at it. Nothing was saved: "
    "check it as it is now and try again."
)


@dataclass(frozen=True)
class StatementDetails:
    """What the form says of the statement."""

    offered_on: date | None
    answer: str | None
    helped_on: date | None = None
    given_on: date | None = None
    court: str | None = None
    note: str | None = None


def statement_of(session, case_id: int) -> PersonalStatement | None:
    """The case's statement record, if any."""
    return session.scalar(sa.select(PersonalStatement).where(PersonalStatement.case_id == case_id))


def statement_refusal(viewer, case: Case) -> str | None:
    """Why ``viewer`` may not record statement support on this case, or None."""
    return case_work_refusal(
        viewer,
        case,
        closed="statement support can no longer be recorded",
        only="record Victim Personal Statement support",
    )


def stage_of(statement: PersonalStatement | None) -> str:
    """How far the statement got: none, offered, declined, helped, given."""
    if statement is None:
        return "none"
    if statement.given_to_court_on is not None:
        return "given"
    if statement.helped_on is not None:
        return "helped"
    return "declined" if statement.answer == "declined" else "offered"


@refuse_stale(lambda: ValidationError({"": STALE}))
def check_statement(details: StatementDetails, case: Case, now: datetime) -> None:
    """What saving these details would refuse (a ValidationError with every problem), storing
    nothing: so a form with problems of its own shows these too, all at once."""
    note = (details.note or "").strip()
    problems = statement_problems(
        offered_on=details.offered_on,
        answer=details.answer,
        helped_on=details.helped_on,
        given_on=details.given_on,
        court=(details.court or "").strip() or None,
        today=local_today(now),
    )
    if "offered_on" not in problems and (early := before_case_began(details.offered_on, case)):
        problems["offered_on"] = f"The date it was offered {early}"
    if len(note) > MAX_NOTE:
        problems["note"] = f"The note must be {MAX_NOTE:,} characters or fewer"
    if problems:
        raise ValidationError(problems)


def save_statement(
    session,
    case_id: int,
    details: StatementDetails,
    *,
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> PersonalStatement:
    """Record (or correct) the case's statement support: dates in order, none in the future,
    "helped" only when the person wanted help. ``expected_version`` is the version the form was
    shown with (None when there was no record yet); another's change since is refused."""
    case = workable_case(session, case_id, actor, origin, now, statement_refusal)
    court = (details.court or "").strip() or None
    note = (details.note or "").strip() or None
    check_statement(details, case, now)
    statement = statement_of(session, case.id)
    if (statement.version if statement is not None else None) != expected_version:
        raise ValidationError({"": STALE})
    before = stage_of(statement)
    old = (
        None
        if statement is None
        else (
            statement.offered_on,
            statement.answer,
            statement.helped_on,
            statement.given_to_court_on,
            statement.court,
            statement.note,
        )
    )
    new = (details.offered_on, details.answer, details.helped_on, details.given_on, court, note)
    if old == new:
        raise ValidationError({"": "Nothing was changed"})
    if statement is None:
        statement = PersonalStatement(case_id=case.id, created_at=now)
        session.add(statement)
    statement.offered_on, statement.answer = details.offered_on, details.answer
    statement.helped_on, statement.given_to_court_on = details.helped_on, details.given_on
    statement.court, statement.note = court, note
    statement.updated_by_id, statement.updated_at = actor.id, now
    try:
        session.flush()
    except IntegrityError:  # another person recorded the first offer at the same moment
        session.rollback()
        raise ValidationError({"": STALE}) from None
    after = stage_of(statement)
    order = ["none", "offered", "declined", "helped", "given"]
    if after != before and order.index(after) > order.index(before):
        action = {
            "offered": "vps.offered",
            "declined": "vps.declined",
            "helped": "vps.helped",
            "given": "vps.given_to_court",
        }[after]
    else:
        action = "vps.changed"
    audit_case(
        session,
        case,
        action,
        actor=actor,
        origin=origin,
        at=now,
        detail={
            "statement_id": statement.id,
            "offered_on": details.offered_on,
            "answer": details.answer,
            "helped_on": details.helped_on,
            "given_on": details.given_on,
            "court": court,
            "from_stage": before,
            "to_stage": after,
        },
    )
    session.commit()
    return statement
