"""Recording that the scheduler swept, and reading back how recently it did."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from casework.heartbeat.models import HEARTBEAT_ID, SchedulerHeartbeat


@dataclass(frozen=True)
class SchedulerStatus:
    """How recently the scheduler swept, as of ``now``: ``state`` is ``ok``, ``stale`` (no sweep
    for longer than the allowed gap) or ``never`` (no sweep recorded at all)."""

    state: str
    last_sweep_at: datetime | None = None
    host: str | None = None
    pid: int | None = None
    age: timedelta | None = None

    @property
    def ok(self) -> bool:
        """Whether the scheduler has swept recently enough."""
        return self.state == "ok"


def _upsert(insert):
    """The heartbeat row written, or rewritten, from bound values (one dialect's upsert)."""
    values = {key: sa.bindparam(key) for key in _WRITTEN}
    statement = insert(SchedulerHeartbeat.__table__).values(id=HEARTBEAT_ID, **values)
    return statement.on_conflict_do_update(
        index_elements=["id"], set_={key: statement.excluded[key] for key in _WRITTEN}
    )


# Written every minute, so built once: building a statement costs more than running it.
_WRITTEN = ("last_sweep_at", "host", "pid")
_UPSERT = {"postgresql": _upsert(postgresql.insert), "sqlite": _upsert(sqlite.insert)}


def record_sweep(session, *, now: datetime, host: str, pid: int) -> None:
    """The scheduler finished a sweep run at ``now`` in process ``pid`` on ``host``: the one
    heartbeat row says so (an upsert, so two runs at once cannot collide)."""
    upsert = _UPSERT[session.get_bind().dialect.name]
    session.execute(upsert, {"last_sweep_at": now, "host": host[:255], "pid": pid})
    session.commit()


def scheduler_status(session, *, now: datetime, stale_after: timedelta) -> SchedulerStatus:
    """When the scheduler last swept and whether that is recent enough: stale once more than
    ``stale_after`` (READY_SCHEDULER_STALE_SECONDS) has passed since, ``never`` without a row."""
    beat = session.scalar(
        sa.select(SchedulerHeartbeat).where(SchedulerHeartbeat.id == HEARTBEAT_ID)
    )
    if beat is None:
        return SchedulerStatus(state="never")
    age = max(now - beat.last_sweep_at, timedelta(0))
    return SchedulerStatus(
        state="stale" if age > stale_after else "ok",
        last_sweep_at=beat.last_sweep_at,
        host=beat.host,
        pid=beat.pid,
        age=age,
    )
