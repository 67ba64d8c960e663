"""The triage queue and the team leader's decisions on it: allocate, raise priority, matches."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from casework.access import (
    allocatable_caseworkers_clause,
    can_allocate_to,
    can_manage_referral,
    can_view_referral,
    refuse,
    visible_referrals_clause,
)
from casework.audit import Origin, audit_referral
from casework.db import UTCDateTime
from casework.errors import NotFound, ValidationError
from casework.obligations import lifecycle
from casework.obligations.models import Obligation
from casework.people.models import PossibleMatch
from casework.referrals.models import CONTACT_METHOD_LABELS, SOURCES, Referral
from casework.staff.models import Staff
from triage.allocation import AllocationNeeds, CaseworkerProfile, Suggestion, rank_caseworkers
from triage.deadlines import phone_contact_due
from triage.enhanced import ENHANCED, ReferralFacts, assess_priority

QUEUE_ORDER = (
    Referral.queue_group,
    Referral.priority,
    Referral.next_due_at,
    Referral.risk_score.desc(),
    Referral.id,
)


@dataclass(frozen=True)
class QueueFilters:
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
class _Viewer:
    """The parts of a staff member that decide what they may see (hashable, for the cache)."""

    role: str
    id: int
    team_id: int | None


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
    rows, count = _queue_statements(_Viewer(viewer.role, viewer.id, viewer.team_id), tuple(shape))
    return QueueQuery(rows, count, params)


@lru_cache(maxsize=1024)
def _queue_statements(viewer: _Viewer, shape: tuple[str, ...]) -> tuple[sa.Select, sa.Select]:
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
    allocated_name: str | None
    possible_match: bool
    obligations: list[QueueObligation] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.forename} {self.surname}"

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
_PENDING_MATCH = (
    sa.exists()
    .where(PossibleMatch.referral_id == Referral.id, PossibleMatch.status == "pending")
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


def get_referral(
    session, referral_id: int, viewer, *, origin: Origin, now: datetime, audit_view: bool = True
) -> Referral:
    """Load a referral the viewer may see, recording the view; else NotFound (and audit)."""
    referral = session.get(Referral, referral_id)
    if referral is None or not can_view_referral(viewer, referral):
        refuse(
            session,
            actor=viewer,
            origin=origin,
            record_type="referral",
            record_id=referral_id,
            now=now,
        )
    if audit_view:
        audit_referral(session, referral, "referral.view", actor=viewer, origin=origin, at=now)
        session.commit()
    return referral


def _managed(session, referral_id: int, actor, origin: Origin, now: datetime) -> Referral:
    referral = get_referral(session, referral_id, actor, origin=origin, now=now, audit_view=False)
    if not can_manage_referral(actor, referral):
        refuse(
            session,
            actor=actor,
            origin=origin,
            record_type="referral",
            record_id=referral_id,
            now=now,
        )
    return referral


def open_caseloads(session) -> dict[int, int]:
    return dict(
        session.execute(
            sa.select(Referral.allocated_to_id, sa.func.count())
            .where(Referral.status == "open", Referral.allocated_to_id.is_not(None))
            .group_by(Referral.allocated_to_id)
        ).all()
    )


def allocation_suggestions(session, referral: Referral, actor) -> list[Suggestion]:
    """The caseworkers ``actor`` may allocate to (their own team's), ranked for this referral
    with reasons."""
    priority = assess_priority(
        ReferralFacts(
            offence=referral.offence or "",
            flags=frozenset(referral.flags or ()),
            date_of_birth=referral.date_of_birth,
            occurred_on=referral.occurred_on,
            received_on=referral.received_at.date(),
        )
    )
    loads = open_caseloads(session)
    workers = session.scalars(sa.select(Staff).where(allocatable_caseworkers_clause(actor)))
    profiles = [
        CaseworkerProfile(
            w.id,
            w.name,
            frozenset(w.specialisms or ()),
            loads.get(w.id, 0),
            w.npa,
            w.gender,
            frozenset(w.languages or ()),
        )
        for w in workers
    ]
    needs = AllocationNeeds(
        specialisms=priority.specialisms,
        npa=referral.npa,
        preferred_gender=referral.preferred_worker_gender,
        preferred_language=referral.preferred_language,
    )
    return rank_caseworkers(needs, profiles)


def allocate(
    session, referral_id: int, caseworker_id: int | None, *, actor, origin: Origin, now: datetime
) -> Referral:
    """Allocate a referral to an active caseworker (the team leader decides)."""
    referral = _managed(session, referral_id, actor, origin, now)
    worker = session.get(Staff, caseworker_id) if caseworker_id else None
    if not can_allocate_to(actor, worker):
        raise ValidationError({"caseworker": "Select an active caseworker in your team"})
    referral.allocated_to_id = worker.id
    referral.updated_at = now
    audit_referral(
        session,
        referral,
        "referral.allocate",
        actor=actor,
        origin=origin,
        at=now,
        detail={"caseworker_id": worker.id},
    )
    session.commit()
    return referral


def raise_priority(
    session, referral_id: int, reason: str, *, actor, origin: Origin, now: datetime
) -> Referral:
    """Make a referral enhanced with the team leader's reason; a first call falls due at
    24 hours from receipt instead of 48 (D1)."""
    reason = " ".join((reason or "").split())
    if len(reason) < 5:
        raise ValidationError({"reason": "Give the reason for raising the priority"})
    if len(reason) > 300:
        raise ValidationError({"reason": "Reason must be 300 characters or fewer"})
    referral = _managed(session, referral_id, actor, origin, now)
    if referral.priority == ENHANCED:
        raise ValidationError({"reason": "This referral is already enhanced"})
    previous = referral.priority
    referral.priority = ENHANCED
    referral.raised_reason = reason
    referral.priority_reasons = [*referral.priority_reasons, f"raised by team leader: {reason}"]
    lifecycle.bring_forward(
        session, referral, "phone_contact", phone_contact_due(referral.received_at, ENHANCED)
    )
    referral.updated_at = now
    audit_referral(
        session,
        referral,
        "referral.raise_priority",
        actor=actor,
        origin=origin,
        at=now,
        detail={"from": previous, "reason": reason},
    )
    session.commit()
    return referral


@dataclass(frozen=True)
class PendingMatches:
    """A referral's undecided possible repeat-victim matches, as ``viewer`` may see them:
    those whose earlier referral they may open, in full; the rest only counted, with no detail,
    for the other team's leader to decide."""

    decidable: list[PossibleMatch]
    elsewhere: int


def pending_matches(session, referral: Referral, viewer) -> PendingMatches:
    """Possible matches waiting for a decision on ``referral``, split by what ``viewer`` may see."""
    matches = session.scalars(
        sa.select(PossibleMatch).where(
            PossibleMatch.referral_id == referral.id, PossibleMatch.status == "pending"
        )
    ).all()
    decidable = [m for m in matches if can_view_referral(viewer, m.earlier)]
    return PendingMatches(decidable, len(matches) - len(decidable))


def decide_match(
    session,
    referral_id: int,
    match_id: int,
    confirm: bool,
    *,
    actor,
    origin: Origin,
    now: datetime,
) -> PossibleMatch:
    """Confirm (link as the same person, mark repeat victim) or reject a possible match of
    this referral."""
    match = session.get(PossibleMatch, match_id)
    if match is None or match.referral_id != referral_id:
        raise NotFound(match_id)
    referral = _managed(session, match.referral_id, actor, origin, now)
    if not can_view_referral(actor, match.earlier):
        refuse(
            session,
            actor=actor,
            origin=origin,
            record_type="possible_match",
            record_id=match_id,
            now=now,
        )
    if match.status != "pending":
        raise ValidationError({"match": "This match has already been decided"})
    match.status = "confirmed" if confirm else "rejected"
    match.decided_by_id = actor.id
    match.decided_at = now
    if confirm:
        earlier = match.earlier
        referral.person_id = earlier.person_id or earlier.id
        referral.repeat_victim = True
        referral.updated_at = now
    audit_referral(
        session,
        referral,
        "referral.match_" + match.status,
        actor=actor,
        origin=origin,
        at=now,
        detail={"earlier_referral_id": match.earlier_referral_id},
    )
    session.commit()
    return match


def open_caseload(session, worker) -> list[Referral]:
    """The open referrals allocated to ``worker``, in queue order (their caseload)."""
    return list(
        session.scalars(
            sa.select(Referral)
            .where(Referral.status == "open", Referral.allocated_to_id == worker.id)
            .order_by(*QUEUE_ORDER)
        )
    )
