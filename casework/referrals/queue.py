"""The triage queue: open referrals a person may see, most urgent first, with filters, read through
statements built once per filter combination.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from casework.access import (
    ViewerKey,
    visible_referrals_clause,
)
from casework.db import UTCDateTime
from casework.obligations.models import Obligation
from casework.people.models import PossibleMatch
from casework.referrals.models import CONTACT_METHOD_LABELS, SOURCES, Referral
from casework.staff.models import Staff

QUEUE_ORDER = (
    Referral.queue_group,
    Referral.priority,
    Referral.next_due_at,
    Referral.risk_score.desc(),
    Referral.id,
)


@dataclass(frozen=True)
class QueueFilters:
    """The triage queue's filters as a person set them; empty means any."""

    priority: str | None = None
    source: str | None = None
    method: str | None = None
    npa: str | None = None
    due_today: bool = False
    overdue: bool = False
    unallocated: bool = False

    @classmethod
    def from_args(cls, args) -> QueueFilters:
        """Filters from a query string; unknown values are ignored rather than erroring."""

        def pick(name, allowed):
            value = (args.get(name) or "").strip()
            return value if value in allowed else None

        return cls(
            priority=pick("priority", {"enhanced", "standard"}),
            source=pick("source", SOURCES),
            method=pick("method", CONTACT_METHOD_LABELS),
            npa=(args.get("npa") or "").strip()[:100] or None,
            due_today=args.get("due") == "today",
            overdue=args.get("due") == "overdue",
            unallocated=args.get("allocated") == "no",
        )


# Each filter as SQL with its value left as a parameter, so a queue statement is built once
# per combination of filters and viewer and then only executed: building SQLAlchemy
# statements cost more than running them on the queue's first page.
_FILTER_SQL = {
    "priority": Referral.priority == sa.bindparam("priority"),
    "source": Referral.source == sa.bindparam("source"),
    "method": Referral.contact_method == sa.bindparam("method"),
    "npa": Referral.npa == sa.bindparam("npa"),
    "unallocated": Referral.allocated_to_id.is_(None),
    "due_today": Referral.next_due_at < sa.bindparam("day_end", type_=UTCDateTime),
    "overdue": sa.or_(
        Referral.next_due_at < sa.bindparam("now", type_=UTCDateTime), Referral.queue_group == 0
    ),
}


@dataclass(frozen=True)
class QueueQuery:
    """The viewer's filtered queue: statements for its rows and its count, and their values."""

    rows: sa.Select
    count: sa.Select
    params: dict


def queue_query(viewer, filters: QueueFilters, *, now: datetime, calendar) -> QueueQuery:
    """Which referrals are in the viewer's queue: open, visible to them, and filtered."""
    shape: list[str] = []
    params: dict = {}
    for name in ("priority", "source", "method", "npa"):
        if getattr(filters, name):
            shape.append(name)
            params[name] = getattr(filters, name)
    if filters.unallocated:
        shape.append("unallocated")
    if filters.due_today:
        shape.append("due_today")
        today = calendar.local_date(now)
        params["day_end"] = datetime.combine(
            today + timedelta(days=1), datetime.min.time(), tzinfo=calendar.tz
        )
    if filters.overdue:
        shape.append("overdue")
        params["now"] = now
    rows, count = _queue_statements(ViewerKey.of(viewer), tuple(shape))
    return QueueQuery(rows, count, params)


@lru_cache(maxsize=1024)
def _queue_statements(viewer: ViewerKey, shape: tuple[str, ...]) -> tuple[sa.Select, sa.Select]:
    conditions = [
        Referral.status == "open",
        visible_referrals_clause(viewer),
        *(_FILTER_SQL[name] for name in shape),
    ]
    rows = (
        sa.select(*_ROW_COLUMNS, Staff.name, _PENDING_MATCH)
        .outerjoin(Staff, Staff.id == Referral.allocated_to_id)
        .where(*conditions)
        .order_by(*QUEUE_ORDER)
        .offset(sa.bindparam("offset"))
        .limit(sa.bindparam("limit"))
    )
    bounded = sa.select(Referral.id).where(*conditions).limit(sa.bindparam("cap")).subquery()
    return rows, sa.select(sa.func.count()).select_from(bounded)


@dataclass(slots=True)
class QueueObligation:
    """An obligation as the queue shows it beside its referral."""

    kind: str
    status: str
    due_at: datetime


@dataclass(slots=True)
class QueueRow:
    """What one line of the triage queue shows about a referral, and nothing more."""

    id: int
    forename: str
    surname: str
    reference: str
    source: str
    self_route: str | None
    priority: str
    priority_reasons: list
    contact_method: str
    repeat_victim: bool
    contact_unusable: bool
    dob_problem: str | None
    address_needs_checking: bool
    safe_to_voicemail: bool | None
    safe_to_text: bool | None
    children_and_young_people: bool
    person_id: int
    allocated_name: str | None
    possible_match: bool
    obligations: list[QueueObligation] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.forename} {self.surname}"

    @property
    def joins_earlier_person(self) -> bool:
        return self.person_id != self.id

    @property
    def reasons_text(self) -> str:
        return ", ".join(self.priority_reasons) or "no enhanced category"


_ROW_COLUMNS = [
    getattr(Referral, f.name)
    for f in fields(QueueRow)
    if f.name not in {"allocated_name", "obligations", "possible_match"}
]


# Built once: only the ids change from page to page.
_UNMET_OBLIGATIONS = (
    sa.select(Obligation.referral_id, Obligation.kind, Obligation.status, Obligation.due_at)
    .where(
        Obligation.referral_id.in_(sa.bindparam("ids", expanding=True)),
        Obligation.status != "met",
    )
    .order_by(Obligation.due_at)
)


# A match waits only while its two referrals are two people: one merged into the other
# through another match is no longer a question (pending_matches leaves it out too).
_EARLIER = sa.orm.aliased(Referral, name="earlier")
_PENDING_MATCH = (
    sa.exists()
    .where(
        PossibleMatch.referral_id == Referral.id,
        PossibleMatch.status == "pending",
        _EARLIER.id == PossibleMatch.earlier_referral_id,
        _EARLIER.person_id != Referral.person_id,
    )
    .label("possible_match")
)


def queue_rows(session, query: QueueQuery, *, offset: int, limit: int) -> list[QueueRow]:
    """One page of the queue, in queue order, with each referral's unmet obligations and
    whether a possible repeat-victim match waits for a decision.

    Two small queries of plain columns rather than whole referrals and their relationships:
    the queue's first page is the most viewed page in Waypoint and should cost a few index
    lookups, not an object graph.
    """
    # Core statements on the session's connection: the ORM's execute adds nothing here.
    connection = session.connection()
    found = connection.execute(query.rows, {**query.params, "offset": offset, "limit": limit})
    rows = {values[0]: QueueRow(*values) for values in found}
    if rows:
        unmet = connection.execute(_UNMET_OBLIGATIONS, {"ids": list(rows)})
        for referral_id, *obligation in unmet:
            rows[referral_id].obligations.append(QueueObligation(*obligation))
    return list(rows.values())


def count_capped(session, query: QueueQuery, cap: int) -> int:
    """How many referrals are in the queue, counting no further than ``cap``."""
    return session.connection().scalar(query.count, {**query.params, "cap": cap})


def queue_for_export(session, viewer=None):
    """Every open referral in queue order with its obligations (the ``triage queue`` JSON)."""
    query = sa.select(Referral).where(Referral.status == "open")
    if viewer is not None:
        query = query.where(visible_referrals_clause(viewer))
    query = query.order_by(*QUEUE_ORDER).options(selectinload(Referral.obligations))
    return session.scalars(query.execution_options(yield_per=1000))


_NPA_CACHE: dict[str, tuple[float, list[str]]] = {}


NPA_CACHE_SECONDS = 60


def npas(session) -> list[str]:
    """Neighbourhood policing areas seen on referrals, for the queue's filter (cached a minute:
    reading them from 200,000 referrals on every page view would cost more than the page)."""
    key = str(session.get_bind().url)
    cached = _NPA_CACHE.get(key)
    if cached and time.monotonic() - cached[0] < NPA_CACHE_SECONDS:
        return cached[1]
    found = list(
        session.scalars(
            sa.select(Referral.npa)
            .where(Referral.npa.is_not(None))
            .distinct()
            .order_by(Referral.npa)
        )
    )
    _NPA_CACHE[key] = (time.monotonic(), found)
    return found
