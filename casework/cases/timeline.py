"""A case's (or a referral's) history, read from the append-only audit trail: the Timeline
(every event of the case and its referrals, newest first, views left out) and, for team
leaders and admins, Access (who viewed and who changed it). One indexed query a page.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from casework.access import can_manage_case, can_manage_referral
from casework.audit import AuditEvent
from casework.errors import NotFound
from casework.obligations.models import OBLIGATION_LABELS
from casework.referrals.models import Referral
from casework.staff.models import Staff
from triage.contact import CONVERSATION_OUTCOMES, KEY_DATES, PHONE_OUTCOMES, VISIT_OUTCOMES

PER_PAGE = 50
SOURCE_WORDS = {"police": "police download", "partner": "partner agency", "self": "self-referral"}
CASE_OPENED_HOW = {
    "further_support": "after the first conversation ended in further support",
    "team_leader": "by a team leader",
}
PAGE_WORDS = {
    "summary": "the summary",
    "contact": "Contact",
    "assessment": "Assessment and plan",
    "timeline": "Timeline",
    "access": "Access",
}


def _attempt(d: dict) -> str:
    if d.get("channel") == "home_visit":
        return "Home visit: " + VISIT_OUTCOMES.get(d.get("outcome"), "outcome recorded").lower()
    return "Call: " + PHONE_OUTCOMES.get(d.get("outcome"), "outcome recorded").lower()


def _case_open(d: dict) -> str:
    words = "Case opened " + CASE_OPENED_HOW.get(d.get("how"), "")
    return words.rstrip() + (f": {d['reason']}" if d.get("reason") else "")


def _key_date(d: dict) -> str:
    kind = KEY_DATES.get(d.get("kind"), "Key date")
    try:
        on = datetime.fromisoformat(d.get("on", "")).strftime("%-d %B %Y")
    except (TypeError, ValueError):
        on = None
    return f"Key date added: {kind.lower()}" + (f" on {on}" if on else "")


def _view(d: dict) -> str:
    return f"Viewed {PAGE_WORDS.get(d.get('page'), 'the page')}"


# Each action in words a caseworker reads at a glance; the detail fills in what it holds.
ACTION_WORDS = {
    "referral.create": lambda d, n: (
        "Referral received"
        + (f" ({SOURCE_WORDS[d['source']]})" if d.get("source") in SOURCE_WORDS else "")
    ),
    "referral.view": lambda d, n: "Viewed the referral",
    "referral.allocate": lambda d, n: (
        "Allocated to " + n.get(d.get("caseworker_id"), "a caseworker")
    ),
    "referral.raise_priority": lambda d, n: (
        "Priority raised to enhanced" + (f": {d['reason']}" if d.get("reason") else "")
    ),
    "referral.match_confirmed": lambda d, n: "Possible repeat victim confirmed as the same person",
    "referral.match_rejected": lambda d, n: (
        "Possible repeat victim found not to be the same person"
    ),
    "referral.anonymise": lambda d, n: "Personal details removed at the end of retention",
    "contact.attempt": lambda d, n: _attempt(d),
    "contact.conversation": lambda d, n: (
        "First conversation: "
        + CONVERSATION_OUTCOMES.get(d.get("outcome"), "outcome recorded").lower()
    ),
    "contact.appointment_held": lambda d, n: (
        OBLIGATION_LABELS.get(d.get("kind"), "Appointment") + " held"
    ),
    "contact.key_date": lambda d, n: _key_date(d),
    "letter.print": lambda d, n: "Letter opened for printing",
    "letter.posted": lambda d, n: "Letter marked as posted",
    "case.open": lambda d, n: _case_open(d),
    "case.close": lambda d, n: "Case closed" + (f": {d['reason']}" if d.get("reason") else ""),
    "case.view": lambda d, n: _view(d),
    "access.denied": lambda d, n: "Refused: not allowed to see it",
}


def describe(action: str, detail: dict, names: dict[int, str] | None = None) -> str:
    """An audit action in plain words; an action without words of its own reads as itself
    (so a new kind of event still shows, just less kindly)."""
    words = ACTION_WORDS.get(action)
    if words is None:
        return action.replace("_", " ").replace(".", ": ", 1).capitalize()
    try:
        return words(detail, names or {})
    except (AttributeError, TypeError):  # a detail of an older shape
        return action


@dataclass(frozen=True)
class Entry:
    """One row of a timeline or access log."""

    at: datetime
    action: str
    words: str
    outcome: str
    actor: str | None
    record_type: str | None
    record_id: str | None

    @property
    def is_view(self) -> bool:
        """A page view, not a change."""
        return self.action.endswith(".view")

    @property
    def refused(self) -> bool:
        """An attempt that was refused."""
        return self.outcome != "ok"


@dataclass(frozen=True)
class EventPage:
    """One page of entries, with what GOV.UK pagination needs (as Flask-SQLAlchemy's)."""

    items: list[Entry]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages there are."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        """Whether there is a page before this one."""
        return self.page > 1

    @property
    def prev_num(self) -> int:
        """The page before this one."""
        return min(self.page - 1, self.pages)

    @property
    def has_next(self) -> bool:
        """Whether there is a page after this one."""
        return self.page < self.pages

    @property
    def next_num(self) -> int:
        """The page after this one."""
        return self.page + 1

    def iter_pages(
        self, *, left_edge=2, left_current=2, right_current=4, right_edge=2
    ) -> Iterator[int | None]:
        """Page numbers to link, None where some are skipped (Flask-SQLAlchemy's rule)."""
        last = 0
        for number in range(1, self.pages + 1):
            if (
                number <= left_edge
                or self.page - left_current - 1 < number < self.page + right_current
                or number > self.pages - right_edge
            ):
                if last + 1 != number:
                    yield None
                yield number
                last = number


VIEWS = AuditEvent.action.like("%.view")
REFUSALS = AuditEvent.action == "access.denied"


def _records(case_id: int | None, referral_id: int | None = None):
    """Audit rows about the case and any of its referrals, or about one referral: each found
    through the (record_type, record_id) index, the case's referrals read in the same query."""
    if case_id is not None:
        referrals = sa.select(sa.cast(Referral.id, sa.String)).where(Referral.case_id == case_id)
        return sa.or_(
            sa.and_(AuditEvent.record_type == "case", AuditEvent.record_id == str(case_id)),
            sa.and_(AuditEvent.record_type == "referral", AuditEvent.record_id.in_(referrals)),
        )
    return sa.and_(AuditEvent.record_type == "referral", AuditEvent.record_id == str(referral_id))


def _page(session, where, page: int, per_page: int) -> EventPage:
    """One page, newest first, with the total counted in the same query."""
    total = sa.func.count().over().label("total")
    rows = session.execute(
        sa.select(AuditEvent, Staff.name, total)
        .outerjoin(Staff, Staff.id == AuditEvent.actor_id)
        .where(where)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    if rows:
        count = rows[0].total
    else:  # past the last page (or none at all): say how many there are
        count = session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(where))
    details = [(row.AuditEvent, json.loads(row.AuditEvent.detail or "{}")) for row in rows]
    names = _staff_names(session, details)
    items = [
        Entry(
            at=event.at,
            action=event.action,
            words=describe(event.action, detail, names),
            outcome=event.outcome,
            actor=name or event.actor_email,
            record_type=event.record_type,
            record_id=event.record_id,
        )
        for (event, detail), (_, name, _) in zip(details, rows, strict=True)
    ]
    return EventPage(items=items, page=page, per_page=per_page, total=count)


def _staff_names(session, details) -> dict[int, str]:
    """Names of the caseworkers the page's allocations name, in one read by primary key."""
    ids = {
        d["caseworker_id"]
        for e, d in details
        if e.action == "referral.allocate" and isinstance(d.get("caseworker_id"), int)
    }
    if not ids:
        return {}
    return dict(session.execute(sa.select(Staff.id, Staff.name).where(Staff.id.in_(ids))).all())


def case_timeline(session, case, *, page: int, per_page: int = PER_PAGE) -> EventPage:
    """Every event of the case and its referrals, newest first, page views and refusals left
    out: what happened, when and by whom."""
    return _page(session, sa.and_(_records(case.id), ~VIEWS, ~REFUSALS), page, per_page)


def case_access_log(session, case, viewer, *, page: int, per_page: int = PER_PAGE) -> EventPage:
    """Who viewed and who changed the case and its referrals, and who was refused, newest
    first: for the case's team leaders and admins only (anyone else: NotFound)."""
    if not can_manage_case(viewer, case):
        raise NotFound(case.id)
    return _page(session, _records(case.id), page, per_page)


def referral_timeline(session, referral, *, page: int, per_page: int = PER_PAGE) -> EventPage:
    """Every event of one referral, newest first, page views and refusals left out."""
    where = sa.and_(_records(None, referral.id), ~VIEWS, ~REFUSALS)
    return _page(session, where, page, per_page)


def referral_access_log(
    session, referral, viewer, *, page: int, per_page: int = PER_PAGE
) -> EventPage:
    """Who viewed and who changed one referral, and who was refused, newest first: for team
    leaders and admins who may manage it only (anyone else: NotFound)."""
    if not can_manage_referral(viewer, referral):
        raise NotFound(referral.id)
    return _page(session, _records(None, referral.id), page, per_page)
