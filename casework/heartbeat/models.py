"""The scheduler's heartbeat: one row, rewritten after every sweep run."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from casework.db import UTCDateTime, db

HEARTBEAT_ID = 1


class SchedulerHeartbeat(db.Model):
    """When the scheduler last finished a sweep run, and which process ran it."""

    __tablename__ = "scheduler_heartbeat"
    __table_args__ = (sa.CheckConstraint(f"id = {HEARTBEAT_ID}", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_sweep_at: Mapped[datetime] = mapped_column(UTCDateTime)
    host: Mapped[str] = mapped_column(sa.String(255))
    pid: Mapped[int] = mapped_column(sa.Integer)
