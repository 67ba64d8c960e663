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
from functools import lru_cache

import sqlalchemy as sa

from casework.access import can_manage_case, can_manage_referral
from casework.audit import AuditEvent
from casework.errors import NotFound
from casework.obligations.models import OBLIGATION_LABELS
from casework.onward.models import ONWARD_STATUSES, SEND_METHODS
from casework.partners.models import ONWARD_SERVICES
from casework.referrals.models import SELF_ROUTES, Referral
from casework.staff.models import Staff
from casework.support.models import RJ_OUTCOMES, RJ_SENSITIVE, RJ_TYPES
from triage.closure import CLOSURE_REASONS
from triage.contact import CONVERSATION_OUTCOMES, KEY_DATES, PHONE_OUTCOMES, VISIT_OUTCOMES
from triage.onward import pence_to_pounds

PER_PAGE = 50
SOURCE_WORDS = {"police": "police download", "partner": "partner agency", "self": "self-referral"}
CASE_OPENED_HOW = {
    "further_support": "after the first conversation ended in further support",
    "team_leader": "by a team leader",
}
PAGE_WORDS = {
    "summary": "Summary",
    "contact": "Contact",
    "assessment": "Assessment",
    "plan": "Support plan",
    "onward referrals": "Onward referrals",
    "target hardening": "Target hardening",
    "support": "Support",
    "closure": "Closure",
    "notes": "Notes",
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


def _conversation(d: dict) -> str:
    outcome = CONVERSATION_OUTCOMES.get(d.get("outcome"))
    return "First conversation" + (f" ({outcome.lower()})" if outcome else "")


def _onward_outcome(words: str, d: dict) -> str:
    outcome = ONWARD_STATUSES.get(d.get("outcome"))
    return words + (f": {outcome.lower()}" if outcome else "")


def _on(d: dict, key: str) -> str:
    try:
        return " on " + datetime.fromisoformat(d.get(key, "")).strftime("%-d %B %Y")
    except (TypeError, ValueError):
        return ""


def _attendance(d: dict) -> str:
    did = "Attended" if d.get("attended") else "Did not attend"
    return f"{did} a young people's group session" + _on(d, "held_on")


def _complaint(words: str, d: dict) -> str:
    # Imported here: casework.support.models names Approval, so importing it with this module
    # (before every model is loaded) would leave its mappers unable to configure.
    from casework.support.models import COMPLAINT_CHANNELS, COMPLAINT_OUTCOMES

    channel = COMPLAINT_CHANNELS.get(d.get("channel"))
    outcome = COMPLAINT_OUTCOMES.get(d.get("outcome"))
    return (
        words
        + (f" ({channel.lower()})" if channel else "")
        + (f": {outcome.lower()}" if outcome else "")
    )


def _view(d: dict) -> str:
    page = PAGE_WORDS.get(d.get("page"))
    return "Viewed the case" + (f" ({page})" if page else "")


# Each action in words a caseworker reads at a glance; the detail fills in what it holds.
ACTION_WORDS = {
    "referral.create": lambda d, n: (
        "Referral received"
        + (
            f" ({SOURCE_WORDS[d['source']]}"
            + (f" {SELF_ROUTES[d['route']]}" if d.get("route") in SELF_ROUTES else "")
            + ")"
            if d.get("source") in SOURCE_WORDS
            else ""
        )
    ),
    "referral.view": lambda d, n: "Viewed the referral",
    "referral.allocate": lambda d, n: (
        "Allocated to " + n.get(d.get("caseworker_id"), "a caseworker")
    ),
    "referral.join_case": lambda d, n: (
        "Referral joined the case"
        + (f", with {n[d['allocated_to_id']]}" if d.get("allocated_to_id") in n else "")
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
    "contact.conversation": lambda d, n: _conversation(d),
    "contact.appointment_held": lambda d, n: (
        OBLIGATION_LABELS.get(d.get("kind"), "Appointment") + " held"
    ),
    "contact.key_date": lambda d, n: _key_date(d),
    "letter.print": lambda d, n: "Letter opened for printing",
    "letter.posted": lambda d, n: "Letter marked as posted",
    "case.open": lambda d, n: _case_open(d),
    "case.close": lambda d, n: (
        "Case closed" + (_closure_reason(d["reason"]) if d.get("reason") else "")
    ),
    "case.reopen": lambda d, n: "Case reopened" + (f": {d['reason']}" if d.get("reason") else ""),
    "case.reassign": lambda d, n: (
        "Case reassigned"
        + (f" from {n[d['from']]}" if d.get("from") in n else "")
        + (f" to {n[d['to']]}" if d.get("to") in n else "")
    ),  # the reason stays on the caseload and the audit: it may be about the caseworker
    "case.appointment_held": lambda d, n: (
        "Appointment held"
        + (
            f": {OBLIGATION_LABELS[d['kind']].lower()}"
            if d.get("kind") in OBLIGATION_LABELS
            else ""
        )
    ),
    "case_note.add": lambda d, n: (
        "Case note written" + (" (restricted)" if d.get("restricted") else "")
    ),
    "case_note.edit": lambda d, n: "Case note edited",
    "case_note.amend": lambda d, n: "Case note amended",
    "case_note.edit_conflict": lambda d, n: (
        "Case note edit not saved: someone else had changed the note"
    ),
    "case_note.list": lambda d, n: "Viewed the case notes",
    "case_note.view_restricted": lambda d, n: "Viewed a restricted case note",
    "support_plan.view_form": lambda d, n: "Opened the support plan form",
    "support_plan.view_action": lambda d, n: "Viewed a support plan action",
    "support_plan.create": lambda d, n: (
        "Support plan made"
        + (
            f" with {d['actions']} action{'' if d['actions'] == 1 else 's'}"
            if d.get("actions")
            else ""
        )
    ),
    "support_plan.edit_goals": lambda d, n: "Support plan goals changed",
    "support_plan.add_action": lambda d, n: "Support plan action added",
    "support_plan.edit_action": lambda d, n: (
        "Support plan action changed" + (f": {', '.join(d['words'])}" if d.get("words") else "")
    ),
    "support_plan.review": lambda d, n: "Support plan reviewed" + _on(d, "held_on"),
    "support_plan.resilience": lambda d, n: (
        "Resilience plan recorded" + (" with a volunteer" if d.get("volunteer") else "")
    ),
    "search.open": lambda d, n: "Opened from a search",
    "case.view": lambda d, n: _view(d),
    "access.denied": lambda d, n: "Tried to open it, and was refused",
    "assessment.list": lambda d, n: "Viewed the needs assessments",
    "assessment.view": lambda d, n: "Viewed a needs assessment",
    "assessment.new_form": lambda d, n: "Opened a new needs assessment",
    "assessment.start": lambda d, n: (
        "Needs assessment started"
        + (" (children and young people's version)" if d.get("young_person") else "")
    ),
    "assessment.save": lambda d, n: "Needs assessment saved",
    "assessment.complete": lambda d, n: "Needs assessment completed" + _on(d, "held_on"),
    "assessment.edit_conflict": lambda d, n: (
        "Needs assessment not saved: it had changed since it was opened"
    ),
    "onward.referral_made": lambda d, n: (
        "Onward referral made"
        + (
            f": {ONWARD_SERVICES[d['service']].lower()}"
            if d.get("service") in ONWARD_SERVICES
            else ""
        )
        + (f", by {SEND_METHODS[d['method']].lower()}" if d.get("method") in SEND_METHODS else "")
    ),
    "onward.view_referral": lambda d, n: "Viewed an onward referral",
    "onward.consent_given": lambda d, n: "Consent to share with an agency recorded",
    "onward.consent_withdrawn": lambda d, n: (
        "Consent to share with an agency withdrawn"
        + (f"; {len(d['stopped'])} referral(s) not yet emailed stopped" if d.get("stopped") else "")
    ),
    "onward.stopped_at_send": lambda d, n: (
        "Onward referral email not sent: consent to share had been withdrawn"
    ),
    "onward.outcome_recorded": lambda d, n: _onward_outcome("Onward referral outcome", d),
    "onward.outcome_changed": lambda d, n: _onward_outcome("Onward referral outcome changed", d),
    "target_hardening.visit": lambda d, n: "Target hardening: the contractor's visit recorded",
    "target_hardening.refused": lambda d, n: "Target hardening: the person refused the service",
    "target_hardening.outcome": lambda d, n: "Target hardening: what the contractor did recorded",
    "target_hardening.completed": lambda d, n: "Target hardening: works completed",
    "target_hardening.follow_up": lambda d, n: "Target hardening: 12-month follow-up recorded",
    "group_session.attendance": lambda d, n: _attendance(d),
    "complaint.record": lambda d, n: _complaint("Complaint received", d),
    "complaint.investigation": lambda d, n: "Complaint: investigation notes updated",
    "complaint.decided": lambda d, n: _complaint("Complaint decided", d),
    "complaint.outcome_changed": lambda d, n: _complaint("Complaint outcome changed", d),
    "target_hardening.additional_need": lambda d, n: (
        "Target hardening: an additional need fed back by the contractor"
    ),
    "restorative.start": lambda d, n: _restorative("Victim asked for restorative justice", d),
    "restorative.edit": lambda d, n: (
        "Restorative justice request changed"
        + (
            "; categories added: " + _rj_categories(d.get("added"))
            if _rj_categories(d.get("added"))
            else ""
        )
    ),
    "restorative.exception_requested": lambda d, n: (
        "Restorative justice: a team leader asked to approve the exceptional circumstances"
    ),
    "restorative.exception_approved": lambda d, n: (
        "Restorative justice: the exceptional circumstances approved by a team leader"
    ),
    "restorative.exception_refused": lambda d, n: (
        "Restorative justice: a team leader refused the exceptional circumstances"
    ),
    "restorative.exception_withdrawn": lambda d, n: (
        "Restorative justice: the request to approve the exceptional circumstances withdrawn"
    ),
    "restorative.facilitator": lambda d, n: (
        "Restorative justice facilitator chosen"
        + (" (experienced)" if d.get("experienced") else " (not recorded as experienced)")
    ),
    "restorative.session": lambda d, n: (
        "Restorative justice session held"
        + (f": {RJ_TYPES[d['kind']].lower()}" if d.get("kind") in RJ_TYPES else "")
    ),
    "restorative.outcome": lambda d, n: (
        "Restorative justice outcome"
        + (f": {RJ_OUTCOMES[d['outcome']].lower()}" if d.get("outcome") in RJ_OUTCOMES else "")
    ),
    "vps.offered": lambda d, n: "Victim Personal Statement: help offered, and wanted",
    "vps.declined": lambda d, n: "Victim Personal Statement: help offered, not wanted",
    "vps.helped": lambda d, n: "Victim Personal Statement: helped to write it",
    "vps.given_to_court": lambda d, n: (
        "Victim Personal Statement: given to court" + (f" ({d['court']})" if d.get("court") else "")
    ),
    "vps.changed": lambda d, n: "Victim Personal Statement: record corrected",
    "hardship.payment_requested": lambda d, n: (
        f"Hardship payment of {pence_to_pounds(d.get('amount_pence'))} asked for: waiting for "
        "a team leader's approval"
    ),
    "hardship.payment_approved": lambda d, n: (
        f"Hardship payment of {pence_to_pounds(d.get('amount_pence'))} approved"
    ),
    "hardship.payment_withdrawn": lambda d, n: (
        f"Hardship payment of {pence_to_pounds(d.get('amount_pence'))} withdrawn"
    ),
    "hardship.payment_refused": lambda d, n: (
        f"Hardship payment of {pence_to_pounds(d.get('amount_pence'))} refused by a team leader"
    ),
    # The admin's reason stays on the payment and the fund's page (leaders and admins): the
    # timeline is read by everyone who may see the case.
    "hardship.over_budget": lambda d, n: (
        f"Hardship payment over the fund's budget by {pence_to_pounds(d.get('over_budget_by'))}"
        ": paid over budget on an administrator's decision"
    ),
    "case_volunteer.assign": lambda d, n: f"Volunteer {d['volunteer']} assigned to the case",
    "case_volunteer.step_down": lambda d, n: f"Volunteer {d['volunteer']} stepped down",
}


def _closure_reason(reason: str) -> str:
    """The reason's label; its words for "other" stay on the closure, where the case's team
    reads them."""
    if reason == "other" or reason not in CLOSURE_REASONS:
        return " (another reason)"
    return f": {CLOSURE_REASONS[reason].lower()}"


def _rj_categories(keys) -> str:
    return ", ".join(RJ_SENSITIVE[k].lower() for k in keys or [] if k in RJ_SENSITIVE)


def _restorative(words: str, d: dict) -> str:
    kind = f" ({RJ_TYPES[d['rj_type']].lower()})" if d.get("rj_type") in RJ_TYPES else ""
    categories = _rj_categories(d.get("sensitive"))
    return words + kind + (f"; sensitive: {categories}" if categories else "")


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
# Newest first; events of one moment by action, then as written. The order of the
# (record_type, record_id, at, action) index, whose entries end with the row id in SQLite.
NEWEST_FIRST = (AuditEvent.at.desc(), AuditEvent.action.desc(), AuditEvent.id.desc())


def _records(case_id: int | None, referral_ids: list[int]) -> list[tuple[str, str]]:
    """The (record_type, record_id) of each record whose rows are shown: the case and its
    referrals, or one referral."""
    records = [("case", str(case_id))] if case_id is not None else []
    return records + [("referral", str(r)) for r in referral_ids]


@lru_cache(maxsize=64)
def _page_statement(records: int, views: bool):
    """The statement reading a page and the total for ``records`` records (with or without
    page views and refusals), built once per shape with bound parameters: building and keying
    a statement this size costs more than running it."""
    filters = () if views else (~VIEWS, ~REFUSALS)
    enough = sa.bindparam("enough", type_=sa.Integer)
    branches, counts = [], []
    for n in range(records):
        about = (
            AuditEvent.record_type == sa.bindparam(f"type_{n}", type_=sa.String),
            AuditEvent.record_id == sa.bindparam(f"id_{n}", type_=sa.String),
        )
        branches.append(
            sa.select(AuditEvent.id, AuditEvent.at, AuditEvent.action)
            .where(*about, *filters)
            .order_by(*NEWEST_FIRST)
            .limit(enough)
            .subquery()
            .select()
        )
        counts.append(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(*about, *filters)
            .scalar_subquery()
        )
    merged = sa.union_all(*branches).subquery("merged") if records > 1 else branches[0].subquery()
    chosen = (
        sa.select(merged.c.id)
        .order_by(merged.c.at.desc(), merged.c.action.desc(), merged.c.id.desc())
        .limit(sa.bindparam("per_page", type_=sa.Integer))
        .offset(sa.bindparam("skip", type_=sa.Integer))
        .subquery("chosen")
    )
    total = sum(counts[1:], counts[0]).label("total")
    page = (
        sa.select(
            AuditEvent.at,
            AuditEvent.action,
            AuditEvent.outcome,
            AuditEvent.record_type,
            AuditEvent.record_id,
            AuditEvent.actor_email,
            AuditEvent.detail,
            Staff.name,
            total,
        )
        .join(chosen, chosen.c.id == AuditEvent.id)
        .outerjoin(Staff, Staff.id == AuditEvent.actor_id)
        .order_by(*NEWEST_FIRST)
    )
    return page, sa.select(total)


def _page(session, records: list[tuple[str, str]], page: int, per_page: int, *, views: bool):
    """One page, newest first, and the total, in one statement. Each record's rows come off
    the (record_type, record_id, at, action) index already in order, so only the first
    ``page * per_page`` of each are read and merged; the total counts index entries only; then
    just the page's rows are fetched."""
    if not records:
        return EventPage(items=[], page=page, per_page=per_page, total=0)
    statement, count_only = _page_statement(len(records), views)
    params = {"enough": page * per_page, "per_page": per_page, "skip": (page - 1) * per_page}
    for n, (record_type, record_id) in enumerate(records):
        params[f"type_{n}"], params[f"id_{n}"] = record_type, record_id
    rows = session.execute(statement, params).all()
    # Past the last page (or with none at all), the total is asked for on its own.
    count = rows[0].total if rows else session.scalar(count_only, params)
    details = [_detail(row.detail) for row in rows]
    names = _staff_names(session, rows, details)
    items = [
        Entry(
            at=row.at,
            action=row.action,
            words=describe(row.action, detail, names),
            outcome=row.outcome,
            actor=row.name or row.actor_email,
            record_type=row.record_type,
            record_id=row.record_id,
        )
        for row, detail in zip(rows, details, strict=True)
    ]
    return EventPage(items=items, page=page, per_page=per_page, total=count)


def _detail(text: str | None) -> dict:
    try:
        detail = json.loads(text) if text else {}
    except ValueError:
        return {}
    return detail if isinstance(detail, dict) else {}


STAFF_NAMED = {
    "referral.allocate": ("caseworker_id",),
    "referral.join_case": ("allocated_to_id",),
    "case.reassign": ("from", "to"),
}


def _staff_names(session, rows, details) -> dict[int, str]:
    """Names of the caseworkers the page's allocations and reassignments name, in one read by
    primary key."""
    ids = {
        value
        for row, d in zip(rows, details, strict=True)
        for key in STAFF_NAMED.get(row.action, ())
        if isinstance(value := d.get(key), int)
    }
    if not ids:
        return {}
    return dict(session.execute(sa.select(Staff.id, Staff.name).where(Staff.id.in_(ids))).all())


def referral_ids_of(session, case) -> list[int]:
    """The ids of the referrals that joined the case."""
    return list(session.scalars(sa.select(Referral.id).where(Referral.case_id == case.id)))


def case_timeline(
    session,
    case,
    *,
    page: int,
    per_page: int = PER_PAGE,
    referral_ids: list[int] | None = None,
) -> EventPage:
    """Every event of the case and its referrals, newest first, page views and refusals left
    out: what happened, when and by whom. ``referral_ids`` saves a read when the caller has
    the case's referrals already."""
    if referral_ids is None:
        referral_ids = referral_ids_of(session, case)
    records = _records(case.id, referral_ids)
    return _page(session, records, page, per_page, views=False)


def case_access_log(
    session,
    case,
    viewer,
    *,
    page: int,
    per_page: int = PER_PAGE,
    referral_ids: list[int] | None = None,
) -> EventPage:
    """Who viewed and who changed the case and its referrals, and who was refused, newest
    first: for the case's team leaders and admins only (anyone else: NotFound)."""
    if not can_manage_case(viewer, case):
        raise NotFound(case.id)
    if referral_ids is None:
        referral_ids = referral_ids_of(session, case)
    return _page(session, _records(case.id, referral_ids), page, per_page, views=True)


def referral_timeline(session, referral, *, page: int, per_page: int = PER_PAGE) -> EventPage:
    """Every event of one referral, newest first, page views and refusals left out."""
    return _page(session, _records(None, [referral.id]), page, per_page, views=False)


def referral_access_log(
    session, referral, viewer, *, page: int, per_page: int = PER_PAGE
) -> EventPage:
    """Who viewed and who changed one referral, and who was refused, newest first: for team
    leaders and admins who may manage it only (anyone else: NotFound)."""
    if not can_manage_referral(viewer, referral):
        raise NotFound(referral.id)
    return _page(session, _records(None, [referral.id]), page, per_page, views=True)
