"""The obligation lifecycle, owned here and nowhere else: obligations are created, met,
breached and cancelled by these functions, which also keep each referral's place in the queue.

The rules that decide what is due when are pure (``triage.deadlines``, ``triage.contact``) and
return ``DueObligation(kind, channel, due_at)``; the record is ``Obligation``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from casework.bulk import Same, bulk_insert
from casework.obligations.models import Obligation
from casework.referrals.models import Referral
from triage.deadlines import DueObligation

CHUNK = 500


def create_for_new_referrals(
    session, due_by_referral: Iterable[tuple[int, list[DueObligation]]], now: datetime
) -> None:
    """The first obligations of referrals just stored (D1-D3, D5), written in bulk; their queue
    position was set with them (``next_due_at``: the earliest; ``queue_group`` 1)."""
    each = [(rid, due) for rid, found in due_by_referral for due in found]
    bulk_insert(
        session,
        Obligation.__table__,
        {
            "referral_id": [rid for rid, _ in each],
            "kind": [d.kind for _, d in each],
            "channel": [d.channel for _, d in each],
            "due_at": [d.due_at for _, d in each],
            "status": Same("due"),
            "met_at": Same(None),
            "created_at": Same(now),
        },
    )


def add(session, owner, due: DueObligation, now: datetime, *, unique: bool = True) -> Obligation:
    """A new obligation on a referral or a case (D1b, D3b, D4, D9 ...); with ``unique``, not
    when one of that kind exists already. A referral's queue position follows."""
    existing = next((o for o in owner.obligations if o.kind == due.kind), None)
    if unique and existing is not None:
        return existing
    obligation = Obligation(
        kind=due.kind, channel=due.channel, due_at=due.due_at, status="due", created_at=now
    )
    owner.obligations.append(obligation)
    if isinstance(owner, Referral):
        refresh_queue_position(session, owner.id)
    else:
        session.flush()
    return obligation


def move_to_case(session, referral: Referral, case, kinds: Iterable[str]) -> None:
    """Unmet obligations of these kinds pass from a referral to the case it became (D4, D9):
    the case now owes them. The referral's queue position follows."""
    kinds = set(kinds)
    for obligation in list(referral.obligations):
        if obligation.kind in kinds and obligation.met_at is None:
            obligation.referral = None
            obligation.case = case
    refresh_queue_position(session, referral.id)


def meet(session, obligation: Obligation, now: datetime, *, late: bool = False) -> bool:
    """The event an obligation asked for happened: met (a breached one stays counted as
    breached, now with the time it was met). ``late``: it happened after the due time (a needs
    assessment held after D4's), so one the breach sweep has not reached yet is counted as
    breached at its due time too. False when it was met already."""
    if obligation.met_at is not None or obligation.status == "cancelled":
        return False
    obligation.met_at = now
    if obligation.status == "due" and late:
        obligation.status, obligation.breached_at = "breached", obligation.due_at
    elif obligation.status == "due":
        obligation.status = "met"
    if obligation.referral_id is not None:
        refresh_queue_position(session, obligation.referral_id)
    else:
        session.flush()
    return True


def remeet(session, obligation: Obligation, met_at: datetime) -> bool:
    """The time an obligation was met is corrected (a reply's time mended): met at ``met_at``,
    and counted as breached at its due time only if that is after it. True when a breach was
    taken back (the team leaders told of it are told again)."""
    was_breached = obligation.status == "breached"
    obligation.met_at = met_at
    if met_at > obligation.due_at:
        obligation.status = "breached"
        obligation.breached_at = obligation.breached_at or obligation.due_at
    else:
        obligation.status, obligation.breached_at = "met", None
    refresh_queue_position(session, obligation.referral_id)
    return was_breached and obligation.status == "met"


def cancel(session, obligation: Obligation, now: datetime) -> None:
    """Nothing more is owed (a case closed before its appointment): cancelled, never breached."""
    if obligation.met_at is None and obligation.status == "due":
        obligation.status = "cancelled"
        refresh_queue_position(session, obligation.referral_id)


def lock(session, obligation: Obligation) -> None:
    """Read the obligation afresh under a row lock before deciding on its status: a sweep
    breaching it (and alerting) at this moment is seen, or waits until this is done."""
    session.refresh(obligation, with_for_update=True)


def withdraw(session, obligation: Obligation) -> bool:
    """It was never owed (a call's callback, owed while its outcome was unknown, for a call
    later reported answered): cancelled, and a breach recorded meanwhile is taken back. True
    when a breach was taken back (the team leaders told of it are told again)."""
    lock(session, obligation)
    was_breached = obligation.status == "breached"
    if obligation.met_at is None and obligation.status in ("due", "breached"):
        obligation.status, obligation.breached_at = "cancelled", None
        refresh_queue_position(session, obligation.referral_id)
        return was_breached
    return False


def reinstate(session, obligation: Obligation) -> None:
    """A withdrawn obligation is owed again, from its first due time (a callback withdrawn for
    want of a number, the number since found): due, so the breach sweep counts it if late."""
    if obligation.status == "cancelled" and obligation.met_at is None:
        obligation.status, obligation.breached_at = "due", None
        refresh_queue_position(session, obligation.referral_id)


def meet_kinds(session, referral: Referral, kinds: Iterable[str], now: datetime) -> None:
    """Meet every open obligation of these kinds on a referral (a spoken call meets D1 ...)."""
    kinds = set(kinds)
    for obligation in referral.obligations:
        if obligation.kind in kinds and obligation.status in ("due", "breached"):
            meet(session, obligation, now)


# The statements run for each message the scheduler sends are built once, on the tables
# rather than the mapped classes: building an ORM statement, and the ORM's work in running
# one, cost several times what the database does (neither loads nor syncs any object).
_OBLIGATION, _REFERRAL = Obligation.__table__.c, Referral.__table__.c
_MEET_BY_ID = (
    sa.update(Obligation.__table__)
    .where(_OBLIGATION.id == sa.bindparam("obligation_id"), _OBLIGATION.met_at.is_(None))
    .values(
        met_at=sa.bindparam("now"),
        status=sa.case((_OBLIGATION.status == "due", "met"), else_=_OBLIGATION.status),
    )
)


def meet_by_id(session, obligation_id: int, referral_id: int, now: datetime) -> None:
    """Meet one obligation by id without loading it (a message sent by the scheduler), safely
    beside other sweeps: only if it is still unmet."""
    session.flush()
    session.execute(_MEET_BY_ID, {"obligation_id": obligation_id, "now": now})
    refresh_queue_positions(session, [referral_id])


def bring_forward(session, referral: Referral, kind: str, due_at: datetime) -> None:
    """An open obligation of ``kind`` falls due no later than ``due_at`` (a raised priority
    brings the first call forward to 24 hours)."""
    for obligation in referral.obligations:
        if obligation.kind == kind and obligation.status == "due":
            obligation.due_at = min(obligation.due_at, due_at)
    refresh_queue_position(session, referral.id)


def _open_on_case(case, kind: str) -> list[Obligation]:
    return [
        o
        for o in case.obligations
        if o.kind == kind and o.met_at is None and o.status != "cancelled"
    ]


def meet_open_on_case(session, case, kind: str, now: datetime) -> bool:
    """Meet the case's open obligations of ``kind`` (due, or breached and not yet met): a plan
    review recorded meets D10. False when none was open."""
    met = [meet(session, o, now) for o in _open_on_case(case, kind)]
    return any(met)


def replace_on_case(session, case, due: DueObligation, now: datetime) -> Obligation:
    """The case owes ``due`` from now on, in place of any open obligation of its kind: a still
    due one is cancelled (never breached), then the new one added (D10 after a plan, a review,
    or a reopened case)."""
    for obligation in _open_on_case(case, due.kind):
        if obligation.status == "due":
            cancel(session, obligation, now)
    return add(session, case, due, now, unique=False)


def bring_forward_on_case(session, case, due: DueObligation, now: datetime) -> Obligation:
    """The case's open obligation of ``due.kind`` falls due no later than ``due.due_at``; when it
    has none open, one is added (a review that prompts a reassessment brings D6 forward)."""
    found = _open_on_case(case, due.kind)
    if not found:
        return add(session, case, due, now, unique=False)
    for obligation in found:
        if obligation.status == "due":
            obligation.due_at = min(obligation.due_at, due.due_at)
    session.flush()
    return found[0]


# Asked every minute, so built once: building a statement costs more than running it.
_OVERDUE = (Obligation.status == "due", Obligation.due_at < sa.bindparam("now"))
_ANY_OVERDUE = sa.select(sa.exists().where(*_OVERDUE))


def breach_overdue(session, now: datetime) -> list:
    """Mark every obligation whose due time has passed unmet as breached, once, and put its
    referral at the head of the queue. One UPDATE ... RETURNING, so concurrent sweeps each get
    only the rows they changed: (id, referral_id, kind, due_at)."""
    if not session.scalar(_ANY_OVERDUE, {"now": now}):
        return []
    breached = session.execute(
        sa.update(Obligation)
        .where(*_OVERDUE)
        .values(status="breached", breached_at=now)
        .returning(Obligation.id, Obligation.referral_id, Obligation.kind, Obligation.due_at)
        .execution_options(synchronize_session=False),
        {"now": now},
    ).all()
    referral_ids = sorted({row.referral_id for row in breached if row.referral_id is not None})
    for start in range(0, len(referral_ids), CHUNK):
        session.execute(
            sa.update(Referral)
            .where(Referral.id.in_(referral_ids[start : start + CHUNK]))
            .values(queue_group=0)
            .execution_options(synchronize_session=False)
        )
    return breached


def refresh_queue_position(session, referral_id: int | None) -> None:
    """Recompute a referral's place in the queue from its obligations (after any change)."""
    session.flush()
    if referral_id is None:  # a case's obligation: cases are not on the queue
        return
    refresh_queue_positions(session, [referral_id])
    referral = session.get(Referral, referral_id)
    session.expire(referral, ["next_due_at", "queue_group"])


def _refresh_positions_statement():
    o = _OBLIGATION
    mine = o.referral_id == _REFERRAL.id
    # Unmet: due, or breached and still not met.
    unmet = sa.or_(o.status == "due", sa.and_(o.status == "breached", o.met_at.is_(None)))
    next_due = sa.select(sa.func.min(o.due_at)).where(mine, unmet).scalar_subquery()
    any_unmet = sa.exists().where(mine, unmet)
    any_breach = sa.exists().where(mine, o.status == "breached", o.met_at.is_(None))
    return (
        sa.update(Referral.__table__)
        .where(_REFERRAL.id.in_(sa.bindparam("ids", expanding=True)))
        .values(next_due_at=next_due, queue_group=sa.case((any_breach, 0), (any_unmet, 1), else_=2))
    )


_REFRESH_POSITIONS = _refresh_positions_statement()


def refresh_queue_positions(session, referral_ids: list[int]) -> None:
    """Place referrals in the queue from their unmet obligations: a breached one first
    (queue_group 0), then any due (1), then nothing outstanding (2); earliest due time."""
    session.flush()  # the statement is on the table: what the session holds goes first
    for start in range(0, len(referral_ids), CHUNK):
        session.execute(_REFRESH_POSITIONS, {"ids": referral_ids[start : start + CHUNK]})
