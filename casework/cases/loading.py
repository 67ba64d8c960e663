"""Loading a case for a feature of its pages (notes, assessments, the support plan, closure):
one that the viewer may see, or one they may also change, with the refusal said in the
feature's own words. Another team's case and a missing one are the same NotFound, audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from casework.access import can_view_case, can_work_case, refuse
from casework.audit import Origin
from casework.cases.models import Case
from casework.errors import ValidationError
from casework.staff.vetting import local_today


def viewable_case(session, case_id: int, viewer, origin: Origin, now: datetime) -> Case:
    """A case ``viewer`` may see; else NotFound, the refusal audited."""
    case = session.get(Case, case_id)
    if case is None or not can_view_case(viewer, case):
        refuse(session, actor=viewer, origin=origin, record_type="case", record_id=case_id, now=now)
    return case


def case_work_refusal(viewer, case: Case, *, closed: str, only: str) -> str | None:
    """Why ``viewer`` may not change this part of the case, or None when they may: ``closed``
    finishes "This case is closed: ...", ``only`` finishes "Only the case's caseworker or a
    team leader can ..."."""
    if can_work_case(viewer, case):
        return None
    if case.status != "open":
        return f"This case is closed: {closed}"
    return f"Only the case's caseworker or a team leader can {only}"


def workable_case(
    session,
    case_id: int,
    actor,
    origin: Origin,
    now: datetime,
    refusal: Callable[[object, Case], str | None],
) -> Case:
    """A case ``actor`` may see and change (``refusal`` says why not): NotFound, or a
    ValidationError with the reason."""
    case = viewable_case(session, case_id, actor, origin, now)
    reason = refusal(actor, case)
    if reason:
        raise ValidationError({"": reason})
    return case


def before_case_began(day: date | None, case: Case) -> str | None:
    """Why ``day`` cannot be on the case, or None. The service first heard of a case when its
    earliest referral arrived (or it opened, if that came first); nothing recorded on it (a
    note, a request, an offer) happened before that, so a year typed wrong (1900, or 2016 for
    2026) is refused ("cannot be before the referral was received (3 March 2026)"), not
    stored."""
    first = min([*(r.received_at for r in case.referrals), case.opened_at])
    began = local_today(first)
    if day is None or day >= began:
        return None
    received = any(r.received_at == first for r in case.referrals)
    what = "the referral was received" if received else "the case was opened"
    return f"cannot be before {what} ({began:%-d %B %Y})"
