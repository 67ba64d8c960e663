"""Making an onward referral from a case, and recording its outcome (issue 14 part 2).

A referral goes to an agency in the partner registry, for a service it provides (or "other": any
registry agency), sharing the fields the worker ticks and nothing else, on the person's consent
in force (which the form may record at the same time). An agency without an information-sharing
agreement needs a reason. By email it goes to the agency's secure address through the outbox,
over SMTP with TLS required; by phone it is recorded as made with who was spoken to and when.
D11 follows from when it was sent or made, met when an outcome is recorded. A target-hardening
referral also carries urgency, vulnerability factors and other agencies; an emergency one is
phoned in the referring service's hours, and D7 follows (casework.onward.target_hardening).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from casework.access import can_view_case, refuse
from casework.audit import Origin, audit_case
from casework.cases.loading import case_work_refusal, viewable_case, workable_case
from casework.cases.models import Case
from casework.db import form_key, made_by_key, made_once, refuse_stale
from casework.errors import ValidationError
from casework.messages import outbox
from casework.messages.models import OutboundMessage
from casework.obligations import lifecycle
from casework.onward import target_hardening
from casework.onward.consent import (
    checked_consent,
    consent_in_force,
    lock_case,
    new_consent,
    registry_agency,
    stop_referral,
)
from casework.onward.models import (
    OUTCOMES,
    SEND_METHODS,
    SHAREABLE_FIELDS,
    TARGET_HARDENING_FIELDS,
    URGENCIES,
    OnwardReferral,
    TargetHardening,
)
from casework.partners.models import ONWARD_SERVICES
from triage.onward import onward_follow_up_due, referring_service_open

KIND = "onward_referral"
MAX_REASON = 2000
MAX_NO_ISA_REASON = 500
MAX_SPOKE_TO = 200
MAX_VULNERABILITY = 2000
MAX_OTHER_AGENCIES = 500
MAX_OUTCOME_NOTE = 1000


@dataclass(frozen=True)
class ReferralDetails:
    """What the worker fills in to make an onward referral."""

    agency_id: int | None
    service: str | None
    method: str | None
    shared_fields: tuple[str, ...] = ()
    reason: str | None = None
    # "They agreed": consent recorded with the referral, and how.
    consent_now: bool = False
    consent_how: str | None = None
    consent_note: str | None = None
    no_isa_reason: str | None = None
    # By phone: who was spoken to, and when (for an emergency target-hardening referral, the
    # call the contractor's 4 hours run from).
    spoke_to: str | None = None
    spoke_at: datetime | None = None
    # Target hardening.
    urgency: str | None = None
    vulnerability_factors: str | None = None
    other_agencies: str | None = None


def work_refusal(viewer, case: Case) -> str | None:
    """Why ``viewer`` may not make or change the case's onward referrals, or None."""
    return case_work_refusal(
        viewer,
        case,
        closed="new onward referrals cannot be made from it.",
        only="make or change its onward referrals.",
    )


def outcome_refusal(viewer, case: Case) -> str | None:
    """Why ``viewer`` may not record an onward referral's outcome, or None."""
    return case_work_refusal(
        viewer,
        case,
        closed="the outcomes of its onward referrals can be read but not changed.",
        only="record the outcome of its onward referrals.",
    )


def _text(value, limit, errors, name, what, required=False):
    text = (value or "").strip()
    if required and not text:
        errors[name] = f"Enter {what}"
    elif len(text) > limit:
        errors[name] = f"{what[0].upper()}{what[1:]} must be {limit:,} characters or fewer"
    return text or None


# --- what is shared ---------------------------------------------------------------------------


def _address(person) -> str | None:
    parts = [person.address_line_1, person.address_line_2, person.town, person.postcode]
    found = [p for p in parts if p]
    return ", ".join(found) or None


def _phones(person) -> str | None:
    found = [
        f"{label} {number}"
        for label, number in (
            ("mobile", person.mobile_phone),
            ("home", person.home_phone),
            ("work", person.work_phone),
        )
        if number
    ]
    return "; ".join(found) or None


def _yes_no(value) -> str:
    return {True: "yes", False: "no"}.get(value, "not asked")


def shared_values(case: Case, referral: OnwardReferral) -> list[tuple[str, str]]:
    """What the referral carries, field by field in SHAREABLE_FIELDS order: (label, words).
    Only the ticked fields; nothing else about the person."""
    person = case.person
    details = referral.target_hardening
    ticked = set(referral.shared_fields or [])
    values: list[tuple[str, str]] = []
    for key, label in SHAREABLE_FIELDS.items():
        if key not in ticked:
            continue
        if key == "name":
            value = f"{person.forename} {person.surname}"
        elif key == "address":
            value = _address(person)
        elif key == "phone":
            value = _phones(person)
        elif key == "email":
            value = person.email
        elif key == "date_of_birth":
            value = person.date_of_birth.strftime("%-d %B %Y") if person.date_of_birth else None
        elif key == "crime":
            value = "; ".join(
                f"{r.crime_reference}" + (f" ({r.offence})" if r.offence else "")
                for r in case.referrals
                if r.crime_reference
            )
        elif key == "vulnerability":
            if details is not None:
                value = details.vulnerability_factors
            else:
                value = "; ".join(
                    reason for r in case.referrals for reason in (r.priority_reasons or [])
                )
        elif key == "other_agencies":
            if details is not None:
                value = details.other_agencies or "None known"
            else:
                value = "; ".join(
                    sorted({r.partner_agency.name for r in case.referrals if r.partner_agency})
                )
        elif key == "safe_contact":
            value = (
                f"Safe to text: {_yes_no(person.safe_to_text)}. "
                f"Safe to email: {_yes_no(person.safe_to_email)}. "
                f"Safe to leave a voicemail: {_yes_no(person.safe_to_voicemail)}. "
                f"Safe to post letters: {_yes_no(person.safe_to_post)}."
                + (f" Safe times: {person.safe_times}." if person.safe_times else "")
            )
        else:  # reason: the case's reference and the worker's words
            value = f"Our reference {case.reference}. {referral.reason or ''}".strip()
        values.append((label, value or "Not recorded"))
    return values


def what_was_shared(case: Case, referral: OnwardReferral) -> list[tuple[str, str]]:
    """What the referral carried, as recorded when it was made (a referral from before that
    was recorded: as the case's records say now)."""
    if referral.shared_values is not None:
        return [(label, value) for label, value in referral.shared_values]
    return shared_values(case, referral)


def email_subject(referral: OnwardReferral, service_name: str) -> str:
    """The subject line: who it is from and the service; never anything about the person."""
    return f"Onward referral from {service_name}: {ONWARD_SERVICES[referral.service]}"


def email_body(case: Case, referral: OnwardReferral, *, service_name: str) -> str:
    """The email to the agency: the shared fields, each on its own line, and nothing else
    about the person."""
    lines = [
        f"{referral.agency.name},",
        "",
        f"{service_name} refers the person below to you "
        f"({ONWARD_SERVICES[referral.service].lower()}), with their consent.",
    ]
    details = referral.target_hardening
    if details is not None:
        lines += ["", f"Urgency: {URGENCIES[details.urgency]}"]
    lines.append("")
    for label, value in what_was_shared(case, referral):
        lines.append(f"{label}: {value}")
    lines += [
        "",
        f"Referred by {referral.made_by.name}, {service_name}. Please reply to this email "
        "with the outcome (accepted, declined or completed).",
    ]
    return "\n".join(lines)


# --- making one -----------------------------------------------------------------------------


def _checked(session, case: Case, details: ReferralDetails, *, now: datetime, calendar):
    """The agency, tidied details and the problems with them by form field."""
    errors: dict[str, str] = {}
    agency = None
    if details.service not in ONWARD_SERVICES:
        errors["service"] = "Select the service you are referring to"
    try:
        agency = registry_agency(session, details.agency_id)
    except ValidationError as exc:
        errors.update(exc.errors)
    if (
        agency is not None
        and details.service in ONWARD_SERVICES
        and details.service != "other"
        and agency.provides != details.service
    ):
        errors["agency_id"] = (
            f"{agency.name} does not provide {ONWARD_SERVICES[details.service].lower()}: "
            "select an agency that does, or choose another agency in the registry"
        )
    fields = list(dict.fromkeys(f for f in details.shared_fields if f in SHAREABLE_FIELDS))
    if len(fields) != len(set(details.shared_fields)):
        errors["shared_fields"] = "Select what to share from the list"
    th = details.service == "target_hardening"
    if th:
        fields = list(dict.fromkeys([*fields, *TARGET_HARDENING_FIELDS]))
    fields = [f for f in SHAREABLE_FIELDS if f in fields]
    if not fields:
        errors.setdefault("shared_fields", "Select at least one thing to share")
    reason = _text(details.reason, MAX_REASON, errors, "reason", "why you are referring")
    if "reason" in fields and not reason:
        errors["reason"] = "Enter why you are referring, or untick “Why we are referring”"
    elif reason and "reason" not in fields:
        errors["reason"] = (
            "Tick “Why we are referring” to share these words, or remove them: only what is "
            "ticked is shared"
        )
    if details.method not in SEND_METHODS:
        errors["method"] = "Select how the referral is made"
    no_isa = _text(
        details.no_isa_reason,
        MAX_NO_ISA_REASON,
        errors,
        "no_isa_reason",
        "why you are sharing without an agreement",
    )
    if agency is not None and not agency.isa_in_place:
        if not no_isa:
            errors["no_isa_reason"] = (
                f"{agency.name} has no information-sharing agreement: give the reason for "
                "sharing without one"
            )
    else:
        no_isa = None
    if details.method == "email" and agency is not None and not agency.secure_email:
        errors["method"] = (
            f"{agency.name} has no secure email address in the registry: make the referral "
            "by phone, or ask an admin to add the address"
        )
    spoke_to = spoke_at = None
    if details.method == "phone":
        spoke_to = _text(
            details.spoke_to, MAX_SPOKE_TO, errors, "spoke_to", "who you spoke to", True
        )
        spoke_at = details.spoke_at
        if spoke_at is None:
            errors["spoke_at"] = "Enter when you phoned, like 14:30 today"
        elif spoke_at > now:
            errors["spoke_at"] = "The time you phoned cannot be in the future"
        elif spoke_at < case.opened_at:
            errors["spoke_at"] = "The time you phoned cannot be before the case was opened"
    urgency = vulnerability = others = None
    if th:
        urgency = details.urgency
        if urgency not in URGENCIES:
            errors["urgency"] = "Select whether the referral is standard or an emergency"
        vulnerability = _text(
            details.vulnerability_factors,
            MAX_VULNERABILITY,
            errors,
            "vulnerability_factors",
            "the person's vulnerability factors",
            True,
        )
        others = _text(
            details.other_agencies,
            MAX_OTHER_AGENCIES,
            errors,
            "other_agencies",
            "the other agencies working with the person",
        )
        if urgency == "emergency":
            if details.method == "email":
                errors["method"] = (
                    "An emergency target-hardening referral is made by phone: choose Telephone "
                    "and record when you called"
                )
            elif (
                spoke_at is not None
                and "spoke_at" not in errors
                and not referring_service_open(spoke_at, calendar)
            ):
                errors["spoke_at"] = (
                    "Emergency referrals are phoned between 8am and 8pm, Monday to "
                    "Saturday: enter the time of the call within those hours"
                )
    consent = None
    if details.consent_now:
        _, _ = checked_consent(details.consent_how, details.consent_note, errors, "consent_")
    elif agency is not None:
        consent = consent_in_force(session, case.id, agency.id)
        if consent is None:
            errors["consent_now"] = (
                f"The person has not consented to share with {agency.name}, or withdrew their "
                "consent: record their consent first (they agreed, and how)"
            )
    tidy = {
        "fields": fields,
        "reason": reason if "reason" in fields else None,
        "no_isa": no_isa,
        "spoke_to": spoke_to,
        "spoke_at": spoke_at,
        "urgency": urgency,
        "vulnerability": vulnerability,
        "others": others,
        "consent": consent,
    }
    return agency, tidy, errors


def make_referral(
    session,
    case_id: int,
    details: ReferralDetails,
    *,
    actor,
    origin: Origin,
    now: datetime,
    calendar,
    service_name: str = "Victim First",
    submission_token: str | None = None,
) -> OnwardReferral:
    """Make an onward referral from a case the actor may work; refused with the problems, and
    nothing stored, when anything is wrong. By email it is queued to the agency's secure address
    (sent by the scheduler, TLS required); by phone it is recorded as made. The same form sent
    twice (``submission_token``: a double click, a resend, two at once) makes one referral and
    sends the agency one email."""
    case = workable_case(session, case_id, actor, origin, now, work_refusal)
    key = form_key(f"onward:{actor.id}:{case.id}", submission_token)
    if (earlier := made_by_key(session, OnwardReferral.submission_key, key)) is not None:
        return earlier
    lock_case(session, case.id)
    # Held: a send of this form at the same moment has committed its referral, or not begun.
    if (earlier := made_by_key(session, OnwardReferral.submission_key, key)) is not None:
        session.rollback()
        return earlier

    def make() -> OnwardReferral:
        agency, tidy, errors = _checked(session, case, details, now=now, calendar=calendar)
        if errors:
            raise ValidationError(errors)
        consent = tidy["consent"]
        if details.consent_now:
            consent = new_consent(
                session,
                case,
                agency,
                given=True,
                how=details.consent_how,
                note=(details.consent_note or "").strip() or None,
                actor=actor,
                now=now,
            )
            audit_case(
                session,
                case,
                "onward.consent_given",
                actor=actor,
                origin=origin,
                at=now,
                detail={"agency_id": agency.id, "consent_id": consent.id, "how": consent.how},
            )
        by_phone = details.method == "phone"
        made_at = tidy["spoke_at"] if by_phone else now
        referral = OnwardReferral(
            case_id=case.id,
            agency_id=agency.id,
            service=details.service,
            method=details.method,
            shared_fields=tidy["fields"],
            reason=tidy["reason"],
            consent_id=consent.id,
            no_isa_reason=tidy["no_isa"],
            sent_to=None if by_phone else agency.secure_email,
            spoke_to=tidy["spoke_to"],
            made_at=made_at,
            made_by_id=actor.id,
            status="sent" if by_phone else "queued",
            created_at=now,
            updated_at=now,
            submission_key=key,
        )
        referral.case, referral.agency, referral.made_by = case, agency, actor
        session.add(referral)
        if details.service == "target_hardening":
            referral.target_hardening = TargetHardening(
                urgency=tidy["urgency"],
                vulnerability_factors=tidy["vulnerability"],
                other_agencies=tidy["others"],
                phoned_at=tidy["spoke_at"] if by_phone else None,
                updated_at=now,
            )
        session.flush()
        referral.shared_values = [list(pair) for pair in shared_values(case, referral)]
        if by_phone:
            lifecycle.add(session, case, onward_follow_up_due(made_at, calendar), now, unique=False)
        else:
            outbox.queue_message(
                session,
                dedupe_key=f"onward:{referral.id}",
                kind=KIND,
                channel="email",
                recipient=agency.secure_email,
                subject=email_subject(referral, service_name),
                body=email_body(case, referral, service_name=service_name),
                now=now,
                send_after=now,
                case_id=case.id,
            )
            message_key = f"onward:{referral.id}"
            referral.message_id = session.scalar(
                sa.select(OutboundMessage.id).where(OutboundMessage.dedupe_key == message_key)
            )
            session.execute(
                sa.update(OutboundMessage)
                .where(OutboundMessage.id == referral.message_id)
                .values(sent_by_id=actor.id)
                .execution_options(synchronize_session=False)
            )
        if referral.target_hardening is not None:
            target_hardening.on_referral_made(session, referral, calendar=calendar, now=now)
        session.flush()
        audit_case(
            session,
            case,
            "onward.referral_made",
            actor=actor,
            origin=origin,
            at=now,
            detail={
                "onward_id": referral.id,
                "agency_id": agency.id,
                "service": referral.service,
                "method": referral.method,
                "shared_fields": referral.shared_fields,
                "consent_id": consent.id,
                "no_isa_reason": bool(referral.no_isa_reason),
                "urgency": tidy["urgency"],
            },
        )
        session.commit()
        return referral

    return made_once(session, OnwardReferral.submission_key, key, make)


# --- after sending --------------------------------------------------------------------------


def referral_of_message(session, message_id: int) -> OnwardReferral | None:
    """The onward referral an outbox message carries, if any."""
    return session.scalar(sa.select(OnwardReferral).where(OnwardReferral.message_id == message_id))


def no_longer_shareable(session, message: OutboundMessage, now: datetime) -> str | None:
    """Why an onward referral's email must not go now though it was queued: the person has since
    withdrawn consent to share with the agency (the referral is stopped). None to send it."""
    referral = referral_of_message(session, message.id)
    if referral is None:
        return None
    if referral.status == "stopped":
        return "Not sent: the referral was stopped"
    if consent_in_force(session, referral.case_id, referral.agency_id) is None:
        stop_referral(session, referral, now)
        audit_case(
            session,
            referral.case,
            "onward.stopped_at_send",
            actor=None,
            origin=Origin.command_line("scheduler"),
            at=now,
            detail={"onward_id": referral.id, "agency_id": referral.agency_id},
        )
        return "Not sent: the person withdrew their consent to share with this agency"
    return None


def email_sent(session, message: OutboundMessage, now: datetime, calendar) -> None:
    """The referral's email went: sent, and D11 owed from now."""
    referral = referral_of_message(session, message.id)
    if referral is None or referral.status != "queued":
        return
    referral.status = "sent"
    referral.updated_at = now
    if calendar is not None:
        lifecycle.add(
            session, referral.case, onward_follow_up_due(now, calendar), now, unique=False
        )
    session.flush()


# --- reading --------------------------------------------------------------------------------


def case_referrals(session, case_id: int) -> list[OnwardReferral]:
    """The case's onward referrals, newest first."""
    return list(
        session.scalars(
            sa.select(OnwardReferral)
            .where(OnwardReferral.case_id == case_id)
            .order_by(OnwardReferral.made_at.desc(), OnwardReferral.id.desc())
        )
    )


def message_of(session, referral: OnwardReferral) -> OutboundMessage | None:
    """The outbox email carrying a referral (None for one made by phone)."""
    return session.get(OutboundMessage, referral.message_id) if referral.message_id else None


def sent_at(session, referral: OnwardReferral) -> datetime:
    """When the referral reached the agency: its email's sending time, or the phone call."""
    message = message_of(session, referral)
    if message is not None and message.sent_at is not None:
        return message.sent_at
    return referral.made_at


def follow_up_due_at(session, referral: OnwardReferral, calendar) -> datetime | None:
    """When D11 falls due for a referral still waiting for an outcome (None otherwise)."""
    if referral.status != "sent":
        return None
    return onward_follow_up_due(sent_at(session, referral), calendar).due_at


def referral_of_case(
    session, case_id: int, onward_id: int, viewer, *, origin: Origin, now: datetime
) -> OnwardReferral:
    """One of the case's onward referrals, when ``viewer`` may see the case; else NotFound (the
    refusal audited)."""
    case = viewable_case(session, case_id, viewer, origin, now)
    referral = session.get(OnwardReferral, onward_id)
    if referral is None or referral.case_id != case.id or not can_view_case(viewer, case):
        refuse(
            session,
            actor=viewer,
            origin=origin,
            record_type="onward_referral",
            record_id=onward_id,
            now=now,
        )
    return referral


def view_referral(
    session, case_id: int, onward_id: int, viewer, *, origin: Origin, now: datetime
) -> OnwardReferral:
    """An onward referral to show, its view audited."""
    referral = referral_of_case(session, case_id, onward_id, viewer, origin=origin, now=now)
    audit_case(
        session,
        referral.case,
        "onward.view_referral",
        actor=viewer,
        origin=origin,
        at=now,
        detail={"onward_id": referral.id},
    )
    session.commit()
    return referral


# --- the outcome ----------------------------------------------------------------------------


@refuse_stale(lambda: ValidationError({"": _conflict()}))
def record_outcome(
    session,
    case_id: int,
    onward_id: int,
    *,
    outcome: str | None,
    outcome_at: datetime | None,
    note: str | None,
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
    calendar,
) -> OnwardReferral:
    """Record what the agency reported back (accepted, declined, completed, no response), when,
    and a note; D11 is met. Changing an outcome later is allowed and audited; a save over a
    change made since the page was opened is refused."""
    case = workable_case(session, case_id, actor, origin, now, outcome_refusal)
    referral = referral_of_case(session, case.id, onward_id, actor, origin=origin, now=now)
    if referral.target_hardening is not None:
        raise ValidationError(
            {
                "": "Record what the target-hardening contractor reports on its own page: the "
                "visit, a refusal or the completed works"
            }
        )
    if referral.status in ("queued", "stopped"):
        raise ValidationError(
            {
                "": "This referral has not been sent, so it has no outcome yet"
                if referral.status == "queued"
                else "This referral was stopped when consent was withdrawn: it has no outcome"
            }
        )
    if expected_version is None or referral.version != expected_version:
        raise ValidationError({"": _conflict()})
    errors: dict[str, str] = {}
    if outcome not in OUTCOMES:
        errors["outcome"] = "Select the outcome"
    if outcome_at is None:
        errors["outcome_at"] = "Enter when the agency told you the outcome"
    elif outcome_at > now:
        errors["outcome_at"] = "The date of the outcome cannot be in the future"
    elif outcome_at < referral.made_at:
        errors["outcome_at"] = (
            "The date of the outcome cannot be before the referral was made "
            f"({referral.made_at:%-d %B %Y})"
        )
    text = _text(note, MAX_OUTCOME_NOTE, errors, "note", "a note of what the agency said", True)
    if errors:
        raise ValidationError(errors)
    before = referral.status if referral.status in OUTCOMES else None
    if before == outcome and referral.outcome_at == outcome_at and referral.outcome_note == text:
        session.rollback()
        return referral
    referral.status, referral.outcome_at, referral.outcome_note = outcome, outcome_at, text
    referral.updated_at = now
    if before is None:
        meet_follow_up(session, case, referral, now, calendar)
    session.flush()  # a concurrent save is refused by refuse_stale
    audit_case(
        session,
        case,
        "onward.outcome_changed" if before else "onward.outcome_recorded",
        actor=actor,
        origin=origin,
        at=now,
        detail={"onward_id": referral.id, "outcome": outcome, "before": before},
    )
    session.commit()
    return referral


def meet_follow_up(session, case: Case, referral: OnwardReferral, now: datetime, calendar):
    """Meet this referral's D11: the case's open onward follow-up due when this referral's is
    (from when it reached the agency); when none is due then, the case's only open one, if it
    has exactly one. Otherwise none is met: another referral's follow-up is never taken."""
    open_ones = [
        o
        for o in case.obligations
        if o.kind == "onward_follow_up" and o.met_at is None and o.status != "cancelled"
    ]
    due = onward_follow_up_due(sent_at(session, referral), calendar).due_at
    mine = [o for o in open_ones if o.due_at == due]
    if mine or len(open_ones) == 1:
        lifecycle.meet(session, (mine or open_ones)[0], now)


def _conflict() -> str:
    return (
        "Someone changed this referral after you opened this page. Your changes have not been "
        "saved. The page now shows it as it is: check it, then save again."
    )
