"""Evidence of local practice (issue 16, deliverable 7; the statement's output 5): good
practice, challenges and barriers to multi-agency working that professionals describe, tagged by
theme and area, recorded from a contact or on their own, listed and exported without any
professional's details."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from casework import access
from casework.audit import Origin, record_event
from casework.cases.timeline import EventPage
from casework.db import form_key, made_by_key, made_once
from casework.errors import NotFound, ValidationError
from casework.hsb.models import (
    EVIDENCE_KINDS,
    EVIDENCE_THEMES,
    REGIONS,
    SETTING_TYPES,
    AdviceContact,
    PracticeEvidence,
)

LONDON = ZoneInfo("Europe/London")
MAX_SUMMARY = 4000
MAX_LOCAL_AUTHORITY = 100
PER_PAGE = 20
EXPORT_LIMIT = 50_000


@dataclass(frozen=True)
class EvidenceFilters:
    """What the list is narrowed to: a kind, a theme, a region and recorded dates (inclusive,
    UK dates)."""

    kind: str | None = None
    theme: str | None = None
    region: str | None = None
    recorded_from: date | None = None
    recorded_to: date | None = None

    def as_detail(self) -> dict:
        return {
            "kind": self.kind,
            "theme": self.theme,
            "region": self.region,
            "from": self.recorded_from.isoformat() if self.recorded_from else None,
            "to": self.recorded_to.isoformat() if self.recorded_to else None,
        }


def _refuse_unless_allowed(session, actor, origin, now, record_type="practice_evidence", rid=None):
    if not access.can_use_advice_line(actor):
        access.refuse(
            session, actor=actor, origin=origin, record_type=record_type, record_id=rid, now=now
        )


def clean_fields(*, kind, themes, region, local_authority, setting_type, summary) -> dict:
    """The entry's fields, checked; ValidationError with every problem."""
    errors: dict[str, str] = {}
    themes = [t for t in dict.fromkeys(themes or []) if t]
    summary = (summary or "").strip()
    local_authority = (local_authority or "").strip() or None
    region = region or None
    setting_type = setting_type or None
    if kind not in EVIDENCE_KINDS:
        errors["kind"] = "Select whether it is good practice, a challenge or a barrier"
    if not themes:
        errors["themes"] = "Select at least one theme"
    elif any(t not in EVIDENCE_THEMES for t in themes):
        errors["themes"] = "Select themes from the list"
    if region is not None and region not in REGIONS:
        errors["region"] = "Select a region from the list"
    if local_authority and len(local_authority) > MAX_LOCAL_AUTHORITY:
        errors["local_authority"] = (
            f"The local authority must be {MAX_LOCAL_AUTHORITY} characters or fewer"
        )
    if setting_type is not None and setting_type not in SETTING_TYPES:
        errors["setting_type"] = "Select a setting from the list"
    if not summary:
        errors["summary"] = "Enter a summary of the practice"
    elif len(summary) > MAX_SUMMARY:
        errors["summary"] = f"The summary must be {MAX_SUMMARY:,} characters or fewer"
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "themes": themes,
        "region": region,
        "local_authority": local_authority,
        "setting_type": setting_type,
        "summary": summary,
    }


def record_evidence(
    session,
    *,
    contact_id: int | None = None,
    actor,
    origin: Origin,
    now: datetime,
    submission_token: str | None = None,
    **fields,
) -> PracticeEvidence:
    """Record evidence of local practice, from a contact or on its own; audited, committed.
    The same form sent twice (``submission_token``: a double click, a resend) records one."""
    _refuse_unless_allowed(
        session,
        actor,
        origin,
        now,
        "advice_contact" if contact_id else "practice_evidence",
        contact_id,
    )
    if contact_id is not None and session.get(AdviceContact, contact_id) is None:
        raise NotFound(contact_id)
    key = form_key(f"evidence:{actor.id}:{contact_id}", submission_token)
    if (recorded := made_by_key(session, PracticeEvidence.submission_key, key)) is not None:
        return recorded
    values = clean_fields(**fields)

    def record() -> PracticeEvidence:
        entry = PracticeEvidence(
            contact_id=contact_id,
            **values,
            recorded_by_id=actor.id,
            recorded_at=now,
            submission_key=key,
        )
        session.add(entry)
        session.flush()
        record_event(
            session,
            action="practice_evidence.recorded",
            actor=actor,
            origin=origin,
            record_type="practice_evidence",
            record_id=entry.id,
            detail={"kind": entry.kind, "themes": entry.themes, "contact_id": contact_id},
            at=now,
        )
        session.commit()
        return entry

    return made_once(session, PracticeEvidence.submission_key, key, record)


def evidence_of(session, contact: AdviceContact) -> list[PracticeEvidence]:
    """Evidence recorded from this contact, oldest first."""
    return list(
        session.scalars(
            sa.select(PracticeEvidence)
            .where(PracticeEvidence.contact_id == contact.id)
            .order_by(PracticeEvidence.recorded_at, PracticeEvidence.id)
        )
    )


def check_dates(recorded_from: date | None, recorded_to: date | None) -> None:
    """Refuse a date range that ends before it starts."""
    if recorded_from and recorded_to and recorded_from > recorded_to:
        raise ValidationError({"to": "The end date must be the same as or after the start date"})


def _query(filters: EvidenceFilters):
    query = sa.select(PracticeEvidence).order_by(
        PracticeEvidence.recorded_at.desc(), PracticeEvidence.id.desc()
    )
    if filters.kind in EVIDENCE_KINDS:
        query = query.where(PracticeEvidence.kind == filters.kind)
    if filters.theme in EVIDENCE_THEMES:
        # The JSON list as text holds the key in quotes (keys are plain words).
        query = query.where(sa.cast(PracticeEvidence.themes, sa.Text).like(f'%"{filters.theme}"%'))
    if filters.region in REGIONS:
        query = query.where(PracticeEvidence.region == filters.region)
    if filters.recorded_from:
        start = datetime.combine(filters.recorded_from, time(0), tzinfo=LONDON)
        query = query.where(PracticeEvidence.recorded_at >= start.astimezone(UTC))
    if filters.recorded_to:
        end = datetime.combine(filters.recorded_to + timedelta(days=1), time(0), tzinfo=LONDON)
        query = query.where(PracticeEvidence.recorded_at < end.astimezone(UTC))
    return query


def list_evidence(
    session,
    viewer,
    filters: EvidenceFilters,
    *,
    page: int,
    origin: Origin,
    now: datetime,
    per_page: int = PER_PAGE,
) -> EventPage:
    """A page of the evidence, newest first, narrowed by ``filters``; the view audited."""
    _refuse_unless_allowed(session, viewer, origin, now)
    check_dates(filters.recorded_from, filters.recorded_to)
    query = _query(filters)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    items = list(
        session.scalars(
            query.options(selectinload(PracticeEvidence.recorded_by))
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    record_event(
        session,
        action="practice_evidence.list",
        actor=viewer,
        origin=origin,
        record_type="practice_evidence",
        at=now,
        detail={**filters.as_detail(), "page": page},
    )
    session.commit()
    return EventPage(items=items, page=page, per_page=per_page, total=total)


def export_evidence(
    session, viewer, filters: EvidenceFilters, *, origin: Origin, now: datetime
) -> list[PracticeEvidence]:
    """Every entry matching ``filters``, for the CSV; the export audited."""
    _refuse_unless_allowed(session, viewer, origin, now)
    check_dates(filters.recorded_from, filters.recorded_to)
    rows = list(session.scalars(_query(filters).limit(EXPORT_LIMIT)))
    record_event(
        session,
        action="practice_evidence.exported",
        actor=viewer,
        origin=origin,
        record_type="practice_evidence",
        at=now,
        detail={**filters.as_detail(), "rows": len(rows)},
    )
    session.commit()
    return rows


def local_date(moment: datetime) -> date:
    """The UK date of a stored moment."""
    return moment.astimezone(LONDON).date()
