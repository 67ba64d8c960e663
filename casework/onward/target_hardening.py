"""Target hardening (Lot 2): what follows when a referral to the contractor is made, and what the
contractor reports back, recorded by staff: the visit agreed and attended (D7), a refusal, the
service level with its items and cost, satisfaction at the visit, completion (which owes the
12-month follow-up), the 12-month answers, and an additional need fed back with consent.

Who: the case's team sees it (casework.access.can_view_case); its caseworker, a team leader of
its team or an admin records. What the contractor reports can be recorded on a closed case too:
the contractor works to its own timetable and the 12-month follow-up falls long after most cases
close, so a closed case does not stop the record of work already done.

Obligations belong to the case, not to one referral, so a case with two target-hardening
referrals owes two D7 visits of the same kind, and meeting every open one of a kind on the case
(lifecycle.meet_open_on_case) would meet the other referral's too. Each referral's own
obligation is found instead by its due time, which the pure rule gives again from the referral
(``th_attendance_due`` from when it was made or phoned, ``th_follow_up_due`` from its
completion, ``onward_follow_up_due`` from when it was made). Only when the case has no
obligation of that kind due then (one made by other means) is its open one taken, and only if it
is the only one: with two open and neither ours, nothing is met, and the deadline stays for a
person to settle rather than another referral's being met by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from casework.access import can_view_case, refuse
from casework.audit import Origin, audit_case
from casework.cases.loading import viewable_case
from casework.cases.models import Case
from casework.db import MAX_ID, refuse_stale
from casework.errors import ValidationError
from casework.obligations import lifecycle
from casework.obligations.models import Obligation
from casework.onward.models import (
    OPEN_ONWARD_STATUSES,
    SERVICE_LEVELS,
    YES_NO_UNKNOWN,
    OnwardReferral,
    SharingConsent,
    TargetHardening,
)
from casework.staff.vetting import local_today
from triage.onward import (
    pounds_to_pence,
    th_attendance_due,
    th_follow_up_due,
)

MAX_ITEMS = 2_000
MAX_REASON = 500
MAX_NEED = 2_000
SATISFACTION = {
    1: "1: very dissatisfied",
    2: "2: dissatisfied",
    3: "3: neither satisfied nor dissatisfied",
    4: "4: satisfied",
    5: "5: very satisfied",
}


def on_referral_made(session, referral: OnwardReferral, *, calendar, now: datetime) -> None:
    """A target-hardening referral was made (emailed or phoned): the case owes D7, the
    contractor's visit (5 working days; an emergency within 4 hours of the call)."""
    lifecycle.add(session, referral.case, attendance_due(referral, calendar), now, unique=False)


def made_moment(referral: OnwardReferral) -> datetime:
    """When the referral counts as made for D7: an emergency's phone call, else when made."""
    details = referral.target_hardening
    if details.urgency == "emergency" and details.phoned_at:
        return details.phoned_at
    return referral.made_at


def attendance_due(referral: OnwardReferral, calendar):
    """The referral's D7 visit, as the rule gives it."""
    return th_attendance_due(made_moment(referral), referral.target_hardening.urgency, calendar)


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HardeningView:
    """A target-hardening referral as its page shows it."""

    referral: OnwardReferral
    details: TargetHardening
    attendance: Obligation | None  # the referral's D7 obligation, when found
    attendance_due_at: datetime
    attended_in_time: bool | None  # None until attended
    follow_up: Obligation | None
    consent_withdrawn: SharingConsent | None  # the withdrawal in force, if any
    may_change: bool


def _open(case: Case, kind: str) -> list[Obligation]:
    return [
        o
        for o in case.obligations
        if o.kind == kind and o.met_at is None and o.status != "cancelled"
    ]


def own_obligation(case: Case, kind: str, due_at: datetime, *, open_only=True):
    """The case's obligation of ``kind`` that is this referral's: the one due at ``due_at``
    (None when that one is met or cancelled already and ``open_only``); when the case has none
    due then, its only open one of the kind, if it has exactly one (see the module's
    docstring)."""
    mine = [o for o in case.obligations if o.kind == kind and o.due_at == due_at]
    if mine:
        found = min(mine, key=lambda o: o.id or 0)
        if open_only and (found.met_at is not None or found.status == "cancelled"):
            return None
        return found
    pool = _open(case, kind)
    return pool[0] if len(pool) == 1 else None


def consent_withdrawal(session, case_id: int, agency_id: int) -> SharingConsent | None:
    """The withdrawal of consent to share with the agency, when the latest record is one."""
    latest = session.scalar(
        sa.select(SharingConsent)
        .where(SharingConsent.case_id == case_id, SharingConsent.agency_id == agency_id)
        .order_by(SharingConsent.recorded_at.desc(), SharingConsent.id.desc())
        .limit(1)
    )
    return latest if latest is not None and not latest.given else None


def work_refusal(viewer, case: Case) -> str | None:
    """Why ``viewer`` may not record what the contractor reports on this case, or None."""
    if not can_view_case(viewer, case):
        return "Only the case's team can see this case"
    if viewer.role in {"team_leader", "admin"} or case.caseworker_id == viewer.id:
        return None
    return "Only the case's caseworker or a team leader can record what the contractor reports"


def _referral_of(session, case: Case, referral_id: int) -> OnwardReferral | None:
    if not (isinstance(referral_id, int) and 0 < referral_id <= MAX_ID):
        return None
    referral = session.get(OnwardReferral, referral_id)
    if referral is None or referral.case_id != case.id or referral.target_hardening is None:
        return None
    return referral


def _referral_or_refuse(session, case: Case, referral_id, viewer, origin, now) -> OnwardReferral:
    """The case's target-hardening referral ``referral_id``; else NotFound, the refusal audited."""
    referral = _referral_of(session, case, referral_id)
    if referral is None:
        refuse(
            session,
            actor=viewer,
            origin=origin,
            record_type="onward_referral",
            record_id=referral_id,
            now=now,
        )
    return referral


def hardening_view(session, case: Case, referral_id: int, viewer, *, origin, now, calendar):
    """The page of one target-hardening referral of ``case`` (already loaded for ``viewer``):
    NotFound, audited, when it is not one of this case's."""
    referral = _referral_or_refuse(session, case, referral_id, viewer, origin, now)
    details = referral.target_hardening
    due = attendance_due(referral, calendar)
    attendance = own_obligation(case, "th_attendance", due.due_at, open_only=False)
    follow_up = None
    if details.completed_on is not None:
        follow_due = th_follow_up_due(details.completed_on, calendar)
        follow_up = own_obligation(case, "th_follow_up", follow_due.due_at, open_only=False)
    return HardeningView(
        referral=referral,
        details=details,
        attendance=attendance,
        attendance_due_at=due.due_at,
        attended_in_time=None if details.attended_at is None else details.attended_at <= due.due_at,
        follow_up=follow_up,
        consent_withdrawn=consent_withdrawal(session, case.id, referral.agency_id),
        may_change=work_refusal(viewer, case) is None,
    )


# --- recording --------------------------------------------------------------------------------


@dataclass
class _Change:
    case: Case
    referral: OnwardReferral
    details: TargetHardening


def _load(session, case_id, referral_id, expected_version, *, actor, origin, now) -> _Change:
    """The case (seen by ``actor``: else NotFound), its target-hardening referral (else
    NotFound), then ``actor`` allowed to record and the page's version still current."""
    case = viewable_case(session, case_id, actor, origin, now)
    referral = _referral_or_refuse(session, case, referral_id, actor, origin, now)
    reason = work_refusal(actor, case)
    if reason:
        raise ValidationError({"": reason})
    details = referral.target_hardening
    if expected_version is None or details.version != expected_version:
        raise _conflict()
    return _Change(case, referral, details)


def _conflict() -> ValidationError:
    return ValidationError(
        {
            "": "Someone else recorded something on this target-hardening referral after you "
            "opened the page. Your changes have not been saved. The page now shows it as it "
            "is: check it, then save again."
        }
    )


def _save(session, change: _Change, action: str, *, actor, origin, now, **detail) -> None:
    """Flush, audit, commit."""
    change.details.updated_at = now
    session.flush()  # a concurrent save is refused by refuse_stale on every recording service
    audit_case(
        session,
        change.case,
        action,
        actor=actor,
        origin=origin,
        at=now,
        detail={"referral_id": change.referral.id, "version": change.details.version, **detail},
    )
    session.commit()


def _earliest_moment(referral: OnwardReferral) -> datetime:
    """The referral's first moment (made or phoned), to the minute: a visit typed to the
    minute may fall in the minute it was made."""
    moments = [referral.made_at]
    if referral.target_hardening.phoned_at:
        moments.append(referral.target_hardening.phoned_at)
    return min(moments).replace(second=0, microsecond=0)


def _outcome_arrived(session, change: _Change, status: str, now: datetime, calendar) -> None:
    """The contractor reported back: a referral that reached it and waits for an outcome
    (sent, or accepted) takes ``status``; the first outcome of a sent one meets its own D11
    follow-up. One whose email has not gone yet, one stopped (consent withdrawn) or declined
    keeps its status (the details are still recorded)."""
    from casework.onward.referring import meet_follow_up  # referring makes these referrals

    referral = change.referral
    if referral.status == "sent":
        meet_follow_up(session, change.case, referral, now, calendar)
    if referral.status in ("sent", "accepted") and referral.status != status:
        referral.status, referral.outcome_at, referral.updated_at = status, now, now


@refuse_stale(_conflict)
def record_visit(
    session,
    case_id: int,
    referral_id: int,
    *,
    visit_agreed_for: datetime | None,
    attended_at: datetime | None,
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
    calendar,
) -> TargetHardening:
    """The date and time the contractor agreed with the person, and when it attended: not in
    the future, not before the referral. Attendance meets the referral's D7 (late when after
    its due time) and the referral counts as accepted."""
    change = _load(
        session, case_id, referral_id, expected_version, actor=actor, origin=origin, now=now
    )
    details, referral = change.details, change.referral
    errors: dict[str, str] = {}
    earliest = _earliest_moment(referral)
    if visit_agreed_for is None and attended_at is None:
        errors["visit_agreed_for_day"] = (
            "Enter the visit agreed, when the contractor attended, or both"
        )
    if visit_agreed_for is not None and visit_agreed_for < earliest:
        errors["visit_agreed_for_day"] = "The visit agreed cannot be before the referral was made"
    if visit_agreed_for is not None and visit_agreed_for > now + timedelta(days=366):
        errors["visit_agreed_for_day"] = "The visit agreed must be within a year"
    if attended_at is not None:
        if details.refused:
            errors["attended_day"] = (
                "The person refused the service, so the contractor cannot have attended"
            )
        elif attended_at > now:
            errors["attended_day"] = "When the contractor attended cannot be in the future"
        elif attended_at < earliest:
            errors["attended_day"] = "When the contractor attended cannot be before the referral"
        elif details.fitted_on is not None and calendar.local_date(attended_at) > details.fitted_on:
            errors["attended_day"] = (
                "The contractor cannot have attended after the items were fitted"
            )
    if errors:
        raise ValidationError(errors)
    changed = []
    if visit_agreed_for is not None and visit_agreed_for != details.visit_agreed_for:
        details.visit_agreed_for = visit_agreed_for
        changed.append("visit_agreed_for")
    late = None
    if attended_at is not None and attended_at != details.attended_at:
        details.attended_at = attended_at
        changed.append("attended_at")
        due = attendance_due(referral, calendar)
        late = attended_at > due.due_at
        d7 = own_obligation(change.case, "th_attendance", due.due_at)
        if d7 is not None:
            lifecycle.meet(session, d7, now, late=late)
    if not changed:
        return details
    _outcome_arrived(session, change, "accepted", now, calendar)
    _save(
        session,
        change,
        "target_hardening.visit",
        actor=actor,
        origin=origin,
        now=now,
        changed=changed,
        **({"late": late} if late is not None else {}),
    )
    return details


@refuse_stale(_conflict)
def record_refusal(
    session,
    case_id: int,
    referral_id: int,
    *,
    reason: str | None,
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
    calendar,
) -> TargetHardening:
    """The person refused the service (with the reason): the referral's open D7 is cancelled
    and the referral is declined. Not once the contractor attended."""
    change = _load(
        session, case_id, referral_id, expected_version, actor=actor, origin=origin, now=now
    )
    details = change.details
    reason = (reason or "").strip()
    if details.attended_at is not None:
        raise ValidationError(
            {"refused_reason": "The contractor attended, so the service cannot be refused now"}
        )
    if details.refused:
        raise ValidationError({"refused_reason": "The refusal is already recorded"})
    if not reason:
        raise ValidationError({"refused_reason": "Enter why the person refused the service"})
    if len(reason) > MAX_REASON:
        raise ValidationError(
            {"refused_reason": f"The reason must be {MAX_REASON} characters or fewer"}
        )
    details.refused, details.refused_reason = True, reason
    d7 = own_obligation(
        change.case, "th_attendance", attendance_due(change.referral, calendar).due_at
    )
    if d7 is not None:
        lifecycle.cancel(session, d7, now)
    if change.referral.status in OPEN_ONWARD_STATUSES:
        change.referral.outcome_note = f"The person refused the service: {reason}"[:1000]
    _outcome_arrived(session, change, "declined", now, calendar)
    _save(session, change, "target_hardening.refused", actor=actor, origin=origin, now=now)
    return details


@refuse_stale(_conflict)
def record_outcome(
    session,
    case_id: int,
    referral_id: int,
    *,
    service_level: int | None,
    items: str | None,
    cost: str | None,
    fitted_on: date | None,
    satisfaction: int | None,
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
    calendar,
) -> TargetHardening:
    """The visit's outcome: the service level (1 advice; 2 items the person fits; 3 items a
    specialist fits), the items and their cost in pounds and pence (level 1 has neither; levels
    2 and 3 need the items), the day they were fitted, and satisfaction at the visit (1-5)."""
    change = _load(
        session, case_id, referral_id, expected_version, actor=actor, origin=origin, now=now
    )
    details = change.details
    errors: dict[str, str] = {}
    if details.attended_at is None:
        raise ValidationError({"": "Record when the contractor attended first"})
    if service_level not in SERVICE_LEVELS:
        errors["service_level"] = "Select the service level"
    items = (items or "").strip() or None
    cost = (cost or "").strip()
    pence = None
    if service_level == 1:
        if items:
            errors["items"] = "Level 1 is advice only: remove the items, or choose level 2 or 3"
        if cost:
            errors["cost"] = "Level 1 is advice only: remove the cost, or choose level 2 or 3"
        if fitted_on is not None:
            errors["fitted_on"] = "Level 1 is advice only: nothing is fitted"
    elif service_level in (2, 3):
        if not items:
            errors["items"] = "Enter the items supplied"
        elif len(items) > MAX_ITEMS:
            errors["items"] = f"The items must be {MAX_ITEMS:,} characters or fewer"
        if not cost:
            errors["cost"] = "Enter the cost of the items in pounds and pence, like 125.50"
        else:
            try:
                pence = pounds_to_pence(cost)
            except ValueError as exc:
                errors["cost"] = str(exc)
    if fitted_on is not None and service_level in (2, 3):
        attended_day = calendar.local_date(details.attended_at)
        if fitted_on > local_today(now):
            errors["fitted_on"] = "The date fitted cannot be in the future"
        elif fitted_on < attended_day:
            errors["fitted_on"] = "The date fitted cannot be before the contractor attended"
    if satisfaction is not None and satisfaction not in SATISFACTION:
        errors["satisfaction"] = "Select how satisfied the person was, from 1 to 5"
    if errors:
        raise ValidationError(errors)
    before = (
        details.service_level,
        details.items,
        details.cost_pence,
        details.fitted_on,
        details.satisfaction,
    )
    details.service_level, details.items, details.cost_pence = service_level, items, pence
    details.fitted_on = fitted_on if service_level != 1 else None
    details.satisfaction = satisfaction
    after = (service_level, items, pence, details.fitted_on, satisfaction)
    names = ("service_level", "items", "cost_pence", "fitted_on", "satisfaction")
    changed = [n for n, b, a in zip(names, before, after, strict=True) if b != a]
    if not changed:
        return details
    _save(
        session,
        change,
        "target_hardening.outcome",
        actor=actor,
        origin=origin,
        now=now,
        changed=changed,
        service_level=service_level,
        cost_pence=pence,
    )
    return details


@refuse_stale(_conflict)
def record_completion(
    session,
    case_id: int,
    referral_id: int,
    *,
    completed_on: date | None,
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
    calendar,
) -> TargetHardening:
    """The works are complete: needs attendance and the service level; the referral is
    completed (its D11 met) and the case owes the 12-month follow-up (D7), replacing this
    referral's earlier one when the date is corrected."""
    change = _load(
        session, case_id, referral_id, expected_version, actor=actor, origin=origin, now=now
    )
    details = change.details
    if details.attended_at is None:
        raise ValidationError({"": "Record when the contractor attended first"})
    if details.service_level is None:
        raise ValidationError({"": "Record the service level before the completion"})
    if completed_on is None:
        raise ValidationError({"completed_on": "Enter the date the works were completed"})
    if completed_on > local_today(now):
        raise ValidationError({"completed_on": "The date completed cannot be in the future"})
    if completed_on < calendar.local_date(details.attended_at):
        raise ValidationError(
            {"completed_on": "The date completed cannot be before the contractor attended"}
        )
    if details.fitted_on is not None and completed_on < details.fitted_on:
        raise ValidationError(
            {"completed_on": "The date completed cannot be before the items were fitted"}
        )
    if completed_on == details.completed_on:
        return details
    if details.completed_on is not None:
        earlier = own_obligation(
            change.case, "th_follow_up", th_follow_up_due(details.completed_on, calendar).due_at
        )
        if earlier is not None:
            lifecycle.cancel(session, earlier, now)
    details.completed_on = completed_on
    due = th_follow_up_due(completed_on, calendar)
    lifecycle.add(session, change.case, due, now, unique=False)
    _outcome_arrived(session, change, "completed", now, calendar)
    _save(
        session,
        change,
        "target_hardening.completed",
        actor=actor,
        origin=origin,
        now=now,
        completed_on=completed_on.isoformat(),
        follow_up_due=due.due_at.isoformat(),
    )
    return details


@refuse_stale(_conflict)
def record_follow_up(
    session,
    case_id: int,
    referral_id: int,
    *,
    feels_safer: str | None,
    is_safer: str | None,
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
    calendar,
) -> TargetHardening:
    """The 12-month answers (Lot 2 section 4 outcomes: feels safer, is safer; yes, no or not
    known): they meet the referral's 12-month follow-up."""
    change = _load(
        session, case_id, referral_id, expected_version, actor=actor, origin=origin, now=now
    )
    details = change.details
    if details.completed_on is None:
        raise ValidationError({"": "Record when the works were completed first"})
    errors = {}
    if feels_safer not in YES_NO_UNKNOWN:
        errors["feels_safer"] = "Select whether the person feels safer"
    if is_safer not in YES_NO_UNKNOWN:
        errors["is_safer"] = "Select whether the person is safer"
    if errors:
        raise ValidationError(errors)
    if (details.follow_up_feels_safer, details.follow_up_is_safer) == (feels_safer, is_safer):
        return details
    first = details.follow_up_at is None
    details.follow_up_feels_safer, details.follow_up_is_safer = feels_safer, is_safer
    if first:
        details.follow_up_at = now
        due = th_follow_up_due(details.completed_on, calendar)
        found = own_obligation(change.case, "th_follow_up", due.due_at)
        if found is not None:
            lifecycle.meet(session, found, now, late=now > found.due_at)
    _save(
        session,
        change,
        "target_hardening.follow_up",
        actor=actor,
        origin=origin,
        now=now,
        feels_safer=feels_safer,
        is_safer=is_safer,
    )
    return details


@refuse_stale(_conflict)
def record_additional_need(
    session,
    case_id: int,
    referral_id: int,
    *,
    need: str | None,
    consent: bool,
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
    calendar,
) -> TargetHardening:
    """An additional need the contractor fed back (Lot 2 section 6), recorded only with the
    person's consent to feed it back. Consent to share with the contractor withdrawn does not
    stop this: it is the contractor telling us, and nothing is sent anywhere."""
    change = _load(
        session, case_id, referral_id, expected_version, actor=actor, origin=origin, now=now
    )
    details = change.details
    need = (need or "").strip()
    if not need:
        raise ValidationError({"additional_need": "Enter the additional need fed back"})
    if len(need) > MAX_NEED:
        raise ValidationError(
            {"additional_need": f"The need must be {MAX_NEED:,} characters or fewer"}
        )
    if consent is not True:
        raise ValidationError(
            {
                "additional_need_consent": "An additional need is recorded only when the person "
                "agreed to the contractor feeding it back: tick to confirm they did, or do not "
                "record it"
            }
        )
    if need == details.additional_need:
        return details
    details.additional_need, details.additional_need_consent = need, True
    _save(session, change, "target_hardening.additional_need", actor=actor, origin=origin, now=now)
    return details
