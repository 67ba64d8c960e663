"""Approvals, built once for every use (issue 13 part 7): asking a team leader, deciding, and
withdrawing a request.

A feature that needs approval registers its ``kind`` with :func:`register`: what approving does
(run in the same transaction as the decision, so a refusal of that action leaves the request
undecided and nothing changed) and how a request of that kind reads in a list. Case closure is the
first kind (casework.closure.closing); restorative justice exceptions and hardship payments will
register theirs the same way.

Who decides: a team leader of the request's team, or an admin. Nobody approves or refuses their
own request, not even a team leader asking about a case of their own team: another team leader
of the team, or an admin, decides it, and the requester may withdraw it. Admins are the exception
(an admin's own request may be decided by that admin), since they are the last resort of every
team. Another team's request is the same NotFound as a missing one, on every page and list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from casework.access import ViewerKey, can_view_case, is_admin, refuse, visible_cases_clause
from casework.approvals.models import APPROVAL_STATUSES, Approval
from casework.audit import Origin, record_event
from casework.cases.models import Case
from casework.db import db
from casework.errors import NotFound, ValidationError

LONDON = ZoneInfo("Europe/London")
MAX_REASON = 1000
PER_PAGE = 25
STALE = (
    "Someone changed this request while you were looking at it. Nothing was saved: check it "
    "as it is now and decide again."
)


@dataclass(frozen=True)
class Handler:
    """What a kind of approval does when approved, and how one reads in a list."""

    # (session, approval, actor, origin, now): carry the request out, or raise ValidationError
    # (nothing changes, the message is shown to the person deciding). Never commits.
    on_approved: Callable
    # (approval) -> a short description of what is asked, e.g. "Close case WC-ABCD2345".
    describe: Callable[[Approval], str]
    # (session, approval, actor, origin, now), or None: run in the same transaction when a
    # request is refused or withdrawn (approval.status already says which), so the record it
    # asked about stores where it stands. Never commits.
    on_closed: Callable | None = None


HANDLERS: dict[str, Handler] = {}


def register(
    kind: str,
    on_approved: Callable,
    describe: Callable[[Approval], str],
    on_closed: Callable | None = None,
) -> None:
    """Make ``kind`` a kind of approval: ``on_approved`` runs when one is approved, and
    ``on_closed`` (if given) when one is refused or withdrawn."""
    HANDLERS[kind] = Handler(on_approved, describe, on_closed)


def _run_on_closed(session, approval: Approval, actor, origin, now) -> None:
    handler = HANDLERS.get(approval.kind)
    if handler is not None and handler.on_closed is not None:
        handler.on_closed(session, approval, actor, origin, now)


def describe(approval: Approval) -> str:
    """What ``approval`` asks, in words."""
    handler = HANDLERS.get(approval.kind)
    return handler.describe(approval) if handler else approval.kind.replace("_", " ").capitalize()


# --- who may do what -------------------------------------------------------------------------


def can_decide(viewer, approval: Approval) -> bool:
    """A request is seen and decided by a team leader of its team, or an admin; one about a
    case only while they may see that case (a case moved to another team takes its requests out
    of reach of its old team)."""
    if viewer is None or approval is None:
        return False
    if is_admin(viewer):
        return True
    return (
        viewer.role == "team_leader"
        and viewer.team_id is not None
        and viewer.team_id == approval.team_id
        and (approval.case is None or can_view_case(viewer, approval.case))
    )


def visible_approvals_clause(viewer):
    """The SQL form of :func:`can_decide`, for lists and counts."""
    if is_admin(viewer):
        return sa.true()
    if getattr(viewer, "role", None) == "team_leader" and viewer.team_id is not None:
        case_seen = sa.exists().where(Case.id == Approval.case_id, visible_cases_clause(viewer))
        return sa.and_(
            Approval.team_id == viewer.team_id,
            sa.or_(Approval.case_id.is_(None), case_seen),
        )
    return sa.false()


def who_decides(requester) -> str:
    """Who will decide a request ``requester`` made, in words for them and for the case page:
    never the team leader who asked (``own_request_refusal``)."""
    if getattr(requester, "role", None) == "team_leader":
        return "another team leader of the team or an admin"
    return "a team leader of the team or an admin"


def own_request_refusal(viewer, approval: Approval) -> str | None:
    """Why ``viewer`` may not decide their own request, or None."""
    if approval.requested_by_id == viewer.id and not is_admin(viewer):
        return (
            "You asked for this yourself, so another team leader of the team or an admin must "
            "decide it. You can withdraw it instead."
        )
    return None


def decided_message(approval: Approval) -> str:
    """ "Already decided by X at Y", for a request that is no longer waiting."""
    by = approval.requested_by if approval.status == "withdrawn" else approval.decided_by
    who = by.name if by is not None else "someone"
    when = approval.decided_at.astimezone(LONDON).strftime("%-d %B %Y at %H:%M")
    word = APPROVAL_STATUSES[approval.status].lower()
    return f"This request was already {word} by {who} on {when}. Nothing was changed."


# --- reading -----------------------------------------------------------------------------


def _audit(session, approval: Approval, action: str, actor, origin, now, **detail) -> None:
    record_event(
        session,
        action=action,
        actor=actor,
        origin=origin,
        record_type="approval",
        record_id=approval.id,
        person_id=approval.case.person_id if approval.case else None,
        at=now,
        detail={"kind": approval.kind, "case_id": approval.case_id, **detail},
    )


def _load(session, approval_id: int) -> Approval | None:
    return session.scalar(
        sa.select(Approval)
        .options(joinedload(Approval.case), joinedload(Approval.requested_by))
        .where(Approval.id == approval_id)
    )


def get_approval(session, approval_id: int, viewer, *, origin: Origin, now: datetime) -> Approval:
    """A request ``viewer`` may decide, its view audited; another team's or a missing one is
    NotFound (the refusal audited)."""
    approval = _load(session, approval_id)
    if approval is None or not can_decide(viewer, approval):
        refuse(
            session,
            actor=viewer,
            origin=origin,
            record_type="approval",
            record_id=approval_id,
            now=now,
        )
    _audit(session, approval, "approval.view", viewer, origin, now)
    session.commit()
    return approval


def list_approvals(
    session,
    viewer,
    *,
    decided: bool = False,
    page: int = 1,
    origin: Origin,
    now: datetime,
    per_page: int = PER_PAGE,
):
    """A team leader's requests: their team's waiting ones, oldest first; or (``decided``) the
    decided and withdrawn ones, most recent first. Admins see every team's. A page of
    Flask-SQLAlchemy's Pagination."""
    query = (
        sa.select(Approval)
        .options(
            joinedload(Approval.case),
            joinedload(Approval.requested_by),
            joinedload(Approval.decided_by),
        )
        .where(visible_approvals_clause(viewer))
    )
    if decided:
        query = query.where(Approval.status != "pending").order_by(
            sa.func.coalesce(Approval.decided_at, Approval.requested_at).desc(), Approval.id.desc()
        )
    else:
        query = query.where(Approval.status == "pending").order_by(
            Approval.requested_at, Approval.id
        )
    found = db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
    record_event(
        session,
        action="approval.list",
        actor=viewer,
        origin=origin,
        record_type="approval",
        at=now,
        detail={"decided": decided, "page": page},
    )
    session.commit()
    return found


def pending_count(session, viewer) -> int:
    """How many requests wait for ``viewer``'s decision (the menu's "Approvals (N pending)")."""
    return session.scalar(_pending_count_statement(ViewerKey.of(viewer)))


@lru_cache(maxsize=512)
def _pending_count_statement(viewer: ViewerKey):
    """The count's statement for one viewer, built once: every page of a team leader or admin
    shows it in the menu."""
    return sa.select(sa.func.count(Approval.id)).where(
        visible_approvals_clause(viewer), Approval.status == "pending"
    )


def case_approvals(session, case_id: int, kind: str | None = None) -> list[Approval]:
    """A case's requests, newest first (shown on the case to those who may see it)."""
    query = (
        sa.select(Approval)
        .options(joinedload(Approval.requested_by), joinedload(Approval.decided_by))
        .where(Approval.case_id == case_id)
        .order_by(Approval.requested_at.desc(), Approval.id.desc())
    )
    if kind is not None:
        query = query.where(Approval.kind == kind)
    return list(session.scalars(query))


def pending_for_case(session, case_id: int, kind: str) -> Approval | None:
    """The case's waiting request of ``kind``, if any (at most one)."""
    return session.scalar(
        sa.select(Approval).where(
            Approval.case_id == case_id, Approval.kind == kind, Approval.status == "pending"
        )
    )


# --- changes -----------------------------------------------------------------------------


def _clean_reason(reason: str | None, field: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: f"Give the reason {what}"})
    if len(reason) > MAX_REASON:
        raise ValidationError({field: f"The reason must be {MAX_REASON:,} characters or fewer"})
    return reason


def request(
    session,
    *,
    kind: str,
    case,
    reason: str,
    detail: dict | None = None,
    actor,
    origin: Origin,
    now: datetime,
) -> Approval:
    """Ask the team leaders of ``case``'s team to approve ``kind`` (one waiting request of a
    kind per case). The caller has checked that ``actor`` may ask, and commits."""
    if kind not in HANDLERS:
        raise ValueError(f"No approval kind {kind!r} is registered")
    if case is None or not can_view_case(actor, case):
        raise NotFound(getattr(case, "id", None))
    reason = _clean_reason(reason, "reason", "for asking")
    if pending_for_case(session, case.id, kind) is not None:
        raise ValidationError({"": "A request of this kind is already waiting for a decision"})
    approval = Approval(
        kind=kind,
        team_id=case.team_id,
        case_id=case.id,
        reason=reason,
        detail=detail or {},
        status="pending",
        requested_by_id=actor.id,
        requested_at=now,
    )
    session.add(approval)
    session.flush()
    # The reason's words stay on the request (emptied by retention), never in the trail, which
    # is kept whole: a justification may say much about the person.
    _audit(session, approval, "approval.request", actor, origin, now)
    return approval


def _commit(session) -> None:
    try:
        session.commit()
    except StaleDataError:
        session.rollback()
        raise ValidationError({"": STALE}) from None


def decide(
    session,
    approval_id: int,
    *,
    approve: bool,
    reason: str | None,
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> Approval:
    """Approve (running the kind's action in the same transaction) or refuse (a reason needed)
    a waiting request of ``actor``'s team. A decided one, a version the decider did not see, or
    an action that can no longer be carried out is refused and nothing changes."""
    approval = _load(session, approval_id)
    if approval is None or not can_decide(actor, approval):
        refuse(
            session,
            actor=actor,
            origin=origin,
            record_type="approval",
            record_id=approval_id,
            now=now,
        )
    if approval.status != "pending":
        raise ValidationError({"": decided_message(approval)})
    if expected_version != approval.version:
        raise ValidationError({"": STALE})
    refusal = own_request_refusal(actor, approval)
    if refusal:
        raise ValidationError({"": refusal})
    reason = (reason or "").strip()
    if approve:
        if len(reason) > MAX_REASON:
            raise ValidationError(
                {"reason": f"The reason must be {MAX_REASON:,} characters or fewer"}
            )
    else:
        reason = _clean_reason(reason, "reason", "for refusing")
    approval.status = "approved" if approve else "refused"
    approval.decided_by_id, approval.decided_at = actor.id, now
    approval.decision_reason = reason or None
    if approve:
        HANDLERS[approval.kind].on_approved(session, approval, actor, origin, now)
    else:
        _run_on_closed(session, approval, actor, origin, now)
    _audit(
        session,
        approval,
        "approval.approve" if approve else "approval.refuse",
        actor,
        origin,
        now,
        reason_given=bool(reason),
    )
    _commit(session)
    return approval


def withdraw(
    session,
    approval_id: int,
    *,
    expected_version: int | None = None,
    actor,
    origin: Origin,
    now: datetime,
) -> Approval:
    """The requester takes back a request still waiting for a decision."""
    approval = _load(session, approval_id)
    mine = approval is not None and approval.requested_by_id == actor.id
    if not mine or (approval.case is not None and not can_view_case(actor, approval.case)):
        refuse(
            session,
            actor=actor,
            origin=origin,
            record_type="approval",
            record_id=approval_id,
            now=now,
        )
    if approval.status != "pending":
        raise ValidationError({"": decided_message(approval)})
    if expected_version is not None and expected_version != approval.version:
        raise ValidationError({"": STALE})
    approval.status = "withdrawn"
    approval.decided_at = now
    _run_on_closed(session, approval, actor, origin, now)
    _audit(session, approval, "approval.withdraw", actor, origin, now)
    _commit(session)
    return approval
