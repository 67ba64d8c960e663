"""Opening cases and attaching referrals to them (DESIGN.md Records and Lifecycle).

A case opens when a first conversation ends in "further support" (its needs assessment, D4,
and any key dates move to it and the referral leaves the triage queue), or when a team leader
opens one with a reason. A new referral for a person with an open case attaches to it, and its
D1-D3 go to the case's caseworker.
"""

from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa

from casework.access import can_allocate_to, can_manage_referral, can_view_case, refuse
from casework.audit import Origin, record_event
from casework.cases.models import Case
from casework.contact.models import KeyDate
from casework.errors import NotFound, ValidationError
from casework.obligations import lifecycle
from casework.people.models import Person
from casework.referrals.models import Referral
from casework.staff.models import Staff, Team
from casework.staff.vetting import (
    local_today,
    referral_vetting_needs,
    refusal_for_referral,
    vetting_received_ids,
)

CHUNK = 500
# Obligations a case takes over from the referral it grew from.
CASE_KINDS = ("needs_assessment", "re_engagement")
REFERENCE_CHARACTERS = "ACDEFGHJKLMNPQRTUVWXY34679"


def new_case_reference() -> str:
    """A case reference a person can read out: WC- and eight unambiguous characters."""
    return "WC-" + "".join(secrets.choice(REFERENCE_CHARACTERS) for _ in range(8))


def open_case_of(session, person_id: int) -> Case | None:
    """The person's open case, if they have one (at most one)."""
    return session.scalar(sa.select(Case).where(Case.person_id == person_id, Case.status == "open"))


def attach_to_open_cases(session, person_of: dict[int, int], now: datetime) -> None:
    """New referrals (id -> their person) of people with an open case attach to it, allocated
    to its caseworker, who owes their D1-D3 (unless the person needs vetted staff and that
    caseworker's vetting is not received: then unallocated, for the team leader)."""
    people = sorted(set(person_of.values()))
    case_of: dict[int, tuple[int, int | None]] = {}
    for start in range(0, len(people), CHUNK):
        for person, case, worker in session.execute(
            sa.select(Case.person_id, Case.id, Case.caseworker_id).where(
                Case.person_id.in_(people[start : start + CHUNK]), Case.status == "open"
            )
        ):
            case_of[person] = (case, worker)
    attaching = {rid: case_of[p] for rid, p in person_of.items() if p in case_of}
    unvetted = _unvetted_for(session, attaching, now)
    changes = [
        {
            "id": rid,
            "case_id": case,
            "allocated_to_id": None if rid in unvetted else worker,
            "updated_at": now,
        }
        for rid, (case, worker) in attaching.items()
    ]
    if changes:
        session.execute(sa.update(Referral), changes)


def gather_waiting_referrals(
    session, case: Case, *, opened_from: int, actor, origin: Origin, now: datetime
) -> list[int]:
    """A case just opened takes in the person's other referrals still open on the triage queue
    (a repeat victim's earlier or same-download referral, or one left in a case since closed),
    so one caseworker holds the person rather than a second calling them from the queue. Each
    goes to the case's caseworker, as a new referral for someone with an open case does
    (DESIGN.md Records), unless vetting says not: then the team leader allocates it. One held
    in another team stays out, that team's to work. The rows are read under a lock, so an
    allocation at this moment waits and then sees the case. Audited on each referral, with
    who held it before. The caller commits."""
    team_workers = sa.select(Staff.id).where(Staff.team_id == case.team_id)
    closed_cases = sa.select(Case.id).where(Case.person_id == case.person_id, Case.status != "open")
    waiting = list(
        session.scalars(
            sa.select(Referral)
            .where(
                Referral.person_id == case.person_id,
                Referral.status == "open",
                sa.or_(Referral.case_id.is_(None), Referral.case_id.in_(closed_cases)),
                Referral.id != opened_from,
                sa.or_(
                    Referral.allocated_to_id.is_(None), Referral.allocated_to_id.in_(team_workers)
                ),
            )
            .order_by(Referral.id)
            .with_for_update()
        )
    )
    held_by = {referral.id: referral.allocated_to_id for referral in waiting}
    attach_to_open_cases(session, dict.fromkeys(held_by, case.person_id), now)
    session.flush()
    for referral in waiting:
        session.refresh(referral)
        record_event(
            session,
            action="referral.join_case",
            actor=actor,
            origin=origin,
            record_type="referral",
            record_id=referral.id,
            person_id=case.person_id,
            at=now,
            detail={
                "case_id": case.id,
                "allocated_to_id": referral.allocated_to_id,
                "held_by_id": held_by[referral.id],
            },
        )
    return list(held_by)


def _unvetted_for(session, attaching: dict[int, tuple[int, int | None]], now: datetime) -> set:
    """Of new referrals joining open cases, those whose person is a child or a vulnerable adult
    while the case's caseworker's vetting is not received (spec 12): they join the case but stay
    unallocated on the queue for the team leader, never given to that worker."""
    workers = {worker for _, worker in attaching.values() if worker is not None}
    if not workers:
        return set()
    today = local_today(now)
    staff = list(session.scalars(sa.select(Staff).where(Staff.id.in_(sorted(workers)))))
    received = vetting_received_ids(session, staff, today)
    doubtful = sorted(rid for rid, (_, w) in attaching.items() if w and w not in received)
    found = set()
    for start in range(0, len(doubtful), CHUNK):
        for referral in session.scalars(
            sa.select(Referral).where(Referral.id.in_(doubtful[start : start + CHUNK]))
        ):
            if referral_vetting_needs(referral, today):
                found.add(referral.id)
    return found


def _team_for(session, referral: Referral, actor) -> int:
    """The team a case from this referral belongs to: its caseworker's, else the actor's, else
    the first victim-service team."""
    for worker in (referral.allocated_to, actor):
        if worker is not None and worker.team_id is not None:
            return worker.team_id
    team = session.scalar(sa.select(sa.func.min(Team.id)).where(Team.service == "victim"))
    if team is None:
        raise ValidationError({"outcome": "No victim-service team exists to hold the case"})
    return team


def _take_over(session, referral: Referral, case: Case, now: datetime) -> None:
    """The referral joins the case: its key dates and D4/D9 obligations move, and it leaves
    the triage queue (closed with the outcome "further support")."""
    lifecycle.move_to_case(session, referral, case, CASE_KINDS)
    session.execute(
        sa.update(KeyDate)
        .where(KeyDate.referral_id == referral.id)
        .values(referral_id=None, case_id=case.id)
        .execution_options(synchronize_session=False)
    )
    referral.case = case
    referral.status, referral.outcome = "closed", "further_support"
    referral.updated_at = now


def open_for_further_support(
    session, referral: Referral, *, actor, origin: Origin, now: datetime
) -> Case:
    """The case a first conversation's "further support" leads to: the person's open case if
    they have one, else a new one, with this referral's caseworker. The caller commits."""
    case = open_case_of(session, referral.person_id)
    if case is None:
        worker = referral.allocated_to or (actor if actor.role == "caseworker" else None)
        # Staff vetting (spec 12): a child or vulnerable adult's case never opens with a worker
        # whose vetting is not received. The conversation is still recorded (it happened); the
        # case opens without a caseworker for the team leader to allocate, and the audit says why.
        left_out = _vetting_refusal(session, referral, worker, now)
        if left_out:
            worker = None
        case = Case(
            reference=new_case_reference(),
            person_id=referral.person_id,
            team_id=_team_for(session, referral, actor),
            caseworker_id=getattr(worker, "id", None),
            status="open",
            opened_at=now,
            opened_by_id=actor.id,
            opened_how="further_support",
            created_at=now,
            updated_at=now,
        )
        session.add(case)
        session.flush()
        _audit_open(session, case, actor, origin, now, referral.id, left_out=left_out)
        gather_waiting_referrals(
            session, case, opened_from=referral.id, actor=actor, origin=origin, now=now
        )
    _take_over(session, referral, case, now)
    return case


def _vetting_refusal(session, referral: Referral, worker, now: datetime) -> str | None:
    """Why ``worker`` may not be this referral's person's caseworker (staff vetting), or None."""
    if worker is None:
        return None
    return refusal_for_referral(session, referral, worker, now=now)


def open_by_team_leader(
    session,
    referral_id: int,
    *,
    caseworker_id: int | None,
    reason: str,
    actor,
    origin: Origin,
    now: datetime,
) -> Case:
    """A team leader opens a case for the person of a referral they manage, with a reason and
    a caseworker they may allocate to."""
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise NotFound(referral_id)
    if not can_manage_referral(actor, referral):
        refuse(
            session,
            actor=actor,
            origin=origin,
            record_type="referral",
            record_id=referral_id,
            now=now,
        )
    errors = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Give the reason for opening a case"
    elif len(reason) > 500:
        errors["reason"] = "The reason must be 500 characters or fewer"
    worker = session.get(Staff, caseworker_id) if caseworker_id else None
    if worker is None or not can_allocate_to(actor, worker):
        errors["caseworker"] = "Select a caseworker in your team"
    elif refusal := _vetting_refusal(session, referral, worker, now):
        errors["caseworker"] = refusal
    if (existing := open_case_of(session, referral.person_id)) is not None:
        # Named for those who may open it; to anyone else only that there is one.
        named = f" ({existing.reference})" if can_view_case(actor, existing) else ""
        errors["reason"] = f"This person already has an open case{named}"
    if referral.anonymised_at is not None:
        errors["reason"] = "This referral's personal details have been removed"
    if errors:
        raise ValidationError(errors)
    case = Case(
        reference=new_case_reference(),
        person_id=referral.person_id,
        team_id=worker.team_id,
        caseworker_id=worker.id,
        status="open",
        opened_at=now,
        opened_by_id=actor.id,
        opened_how="team_leader",
        opened_reason=reason,
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    referral.allocated_to_id = worker.id
    _take_over(session, referral, case, now)
    _audit_open(session, case, actor, origin, now, referral.id, reason=reason)
    gather_waiting_referrals(
        session, case, opened_from=referral.id, actor=actor, origin=origin, now=now
    )
    session.commit()
    return case


def close_case(session, case: Case, *, reason: str, actor, origin: Origin, now: datetime) -> Case:
    """Close a case now with a reason in words, through the closure gate (reassessment, open
    plan actions) but without the team's approval step: for callers that have checked who may
    close it. A reason that is a code of triage.closure.CLOSURE_REASONS is that reason; other
    words are the reason "other". The caller commits. People close cases through
    casework.closure.closing.request_closure."""
    from casework.closure.closing import close, gate_problems
    from triage.closure import CLOSURE_REASONS

    words = (reason or "").strip()
    code = words if words in CLOSURE_REASONS else "other"
    words = "" if code == words else words
    if case.status != "open":
        raise ValidationError({"reason": "This case is already closed"})
    problems = gate_problems(session, case, code, words, now)
    if problems:
        raise ValidationError(problems)
    close(
        session,
        case,
        reason=code,
        words=words,
        closed_by_id=actor.id,
        actor=actor,
        origin=origin,
        now=now,
    )
    return case


def _audit_open(
    session,
    case: Case,
    actor,
    origin: Origin,
    now: datetime,
    referral_id: int,
    *,
    reason=None,
    left_out=None,
) -> None:
    record_event(
        session,
        action="case.open",
        actor=actor,
        origin=origin,
        record_type="case",
        record_id=case.id,
        person_id=case.person_id,
        at=now,
        detail={
            "referral_id": referral_id,
            "how": case.opened_how,
            **({"reason": reason} if reason else {}),
            **({"caseworker_left_out": left_out} if left_out else {}),
        },
    )


def person_of_case(session, case: Case) -> Person:
    """The person a case supports."""
    return session.get(Person, case.person_id)
