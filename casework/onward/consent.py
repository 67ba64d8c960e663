"""The person's consent to share with a registry agency: recorded as given or withdrawn, the
latest record in force. A withdrawal stops further sharing at once: any of the case's referrals
to that agency whose email has not gone yet is stopped (its queued email cancelled, so it is
never sent), and every later share with the agency is refused until consent is given again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from casework.access import can_view_case, is_admin
from casework.audit import Origin, audit_case
from casework.cases.loading import workable_case
from casework.cases.models import Case
from casework.errors import ValidationError
from casework.messages.models import OutboundMessage
from casework.obligations import lifecycle
from casework.onward.models import CONSENT_HOW, OnwardReferral, SharingConsent
from casework.partners.models import PartnerAgency

MAX_NOTE = 500
WITHDRAWN_ERROR = "Not sent: the person withdrew their consent to share with this agency"


def registry_agency(session, agency_id: int | None, field_name: str = "agency_id"):
    """The registry agency ``agency_id``; a ValidationError when it is not one."""
    agency = session.get(PartnerAgency, agency_id) if agency_id else None
    if agency is None or not agency.in_registry:
        raise ValidationError({field_name: "Select an agency from the partner registry"})
    return agency


def consent_in_force(session, case_id: int, agency_id: int) -> SharingConsent | None:
    """The consent record sharing with this agency rests on: the latest one for the case and
    agency, when it is a consent given; None when none was recorded or the latest withdrew it."""
    latest = session.scalar(
        sa.select(SharingConsent)
        .where(SharingConsent.case_id == case_id, SharingConsent.agency_id == agency_id)
        .order_by(SharingConsent.recorded_at.desc(), SharingConsent.id.desc())
        .limit(1)
    )
    return latest if latest is not None and latest.given else None


def withdrawable_agency(session, case_id: int, agency_id: int) -> PartnerAgency | None:
    """The agency a withdrawal of consent may name on this case: any registry agency, or one
    since taken out of the registry that the case has a consent record for (a withdrawal is
    always honoured). None otherwise."""
    agency = session.get(PartnerAgency, agency_id)
    if agency is None:
        return None
    if agency.in_registry or any(
        c.agency_id == agency.id for c in consents_by_agency(session, case_id)
    ):
        return agency
    return None


def consents_by_agency(session, case_id: int) -> list[SharingConsent]:
    """The latest consent record for each agency the case has one for (given or withdrawn),
    by agency name."""
    rows = session.scalars(
        sa.select(SharingConsent)
        .where(SharingConsent.case_id == case_id)
        .order_by(SharingConsent.recorded_at.desc(), SharingConsent.id.desc())
    ).all()
    latest: dict[int, SharingConsent] = {}
    for row in rows:
        latest.setdefault(row.agency_id, row)
    return sorted(latest.values(), key=lambda c: (c.agency.name.lower(), c.agency_id))


def consent_refusal(viewer, case: Case, *, given: bool) -> str | None:
    """Why ``viewer`` may not record consent on this case, or None. Consent is recorded by the
    case's caseworker or a leader of its team (admins too); a withdrawal is honoured on a closed
    case as well, so sharing can always be stopped."""
    if not can_view_case(viewer, case):
        return "Only the case's team can record consent"
    if given and case.status != "open":
        return "This case is closed: consent to share cannot be recorded on it."
    if is_admin(viewer) or viewer.role == "team_leader" or case.caseworker_id == viewer.id:
        return None
    return "Only the case's caseworker or a team leader can record consent to share"


def lock_case(session, case_id: int) -> None:
    """Serialise sharing decisions on one case (consent withdrawn while a referral is being
    made): the case row is locked until the transaction ends (PostgreSQL; SQLite writes are
    serialised anyway)."""
    session.execute(sa.select(Case.id).where(Case.id == case_id).with_for_update())


def checked_consent(how: str | None, note: str | None, errors: dict, prefix: str = ""):
    """How consent was given or withdrawn and the note, tidied; problems put in ``errors``."""
    if how not in CONSENT_HOW:
        errors[f"{prefix}how"] = "Select how the person said so"
    text = (note or "").strip()
    if len(text) > MAX_NOTE:
        errors[f"{prefix}note"] = f"The note must be {MAX_NOTE} characters or fewer"
    return how, text or None


def new_consent(session, case, agency, *, given, how, note, actor, now) -> SharingConsent:
    """A consent record (checked already); the caller audits and commits."""
    consent = SharingConsent(
        case_id=case.id,
        agency_id=agency.id,
        given=given,
        how=how,
        note=note,
        recorded_by_id=actor.id,
        recorded_at=now,
    )
    session.add(consent)
    session.flush()
    return consent


@dataclass
class ConsentRecorded:
    """What recording consent did: the record, and for a withdrawal the referrals it stopped
    and those already sent (the agency holds what they shared)."""

    consent: SharingConsent
    stopped: list[OnwardReferral] = field(default_factory=list)
    already_sent: list[OnwardReferral] = field(default_factory=list)


def record_consent(
    session,
    case_id: int,
    agency_id: int | None,
    *,
    given: bool,
    how: str | None,
    note: str | None,
    actor,
    origin: Origin,
    now: datetime,
) -> ConsentRecorded:
    """Record the person's consent to share with a registry agency, given or withdrawn. A
    withdrawal stops the case's referrals to that agency whose email has not been sent."""

    def refusal(viewer, case):
        return consent_refusal(viewer, case, given=given)

    case = workable_case(session, case_id, actor, origin, now, refusal)
    errors: dict[str, str] = {}
    agency = None
    if given:
        try:
            agency = registry_agency(session, agency_id)
        except ValidationError as exc:
            errors.update(exc.errors)
    else:
        # A withdrawal is always honoured, even for an agency since taken out of the registry.
        agency = session.get(PartnerAgency, agency_id) if agency_id else None
        if agency is None:
            errors["agency_id"] = "Select the agency the person no longer agrees to share with"
    how, note = checked_consent(how, note, errors)
    if errors:
        raise ValidationError(errors)
    lock_case(session, case.id)
    consent = new_consent(
        session, case, agency, given=given, how=how, note=note, actor=actor, now=now
    )
    done = ConsentRecorded(consent)
    if not given:
        done.stopped, done.already_sent = stop_sharing(session, case, agency.id, now)
    audit_case(
        session,
        case,
        "onward.consent_given" if given else "onward.consent_withdrawn",
        actor=actor,
        origin=origin,
        at=now,
        detail={
            "agency_id": agency.id,
            "consent_id": consent.id,
            "how": how,
            "stopped": [r.id for r in done.stopped],
        },
    )
    session.commit()
    return done


def cancel_queued_email(session, message_id: int | None, now: datetime) -> bool:
    """Cancel an email still waiting in the outbox, so it is never sent. One conditional update:
    a sender that has claimed it already (sending, sent) wins, and False is returned."""
    if message_id is None:
        return False
    changed = session.execute(
        sa.update(OutboundMessage)
        .where(OutboundMessage.id == message_id, OutboundMessage.status == "queued")
        .values(status="not_sent", error=WITHDRAWN_ERROR, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    message = session.get(OutboundMessage, message_id)
    if message is not None:
        session.refresh(message)
    return changed == 1


def stop_referral(session, referral: OnwardReferral, now: datetime) -> None:
    """The referral was never shared and never will be: stopped, and nothing is owed for it
    (a target-hardening visit it would have asked for is cancelled)."""
    referral.status = "stopped"
    referral.stopped_at = now
    referral.updated_at = now
    details = referral.target_hardening
    if details is not None:
        # The visit D7 asked for was owed from when the referral was made.
        for obligation in referral.case.obligations:
            if (
                obligation.kind == "th_attendance"
                and obligation.status == "due"
                and obligation.created_at == referral.made_at
            ):
                lifecycle.cancel(session, obligation, now)
    session.flush()


def stop_sharing(session, case: Case, agency_id: int, now: datetime):
    """Stop the case's referrals to ``agency_id`` that wait to be emailed: (stopped, already
    sent or being sent)."""
    referrals = session.scalars(
        sa.select(OnwardReferral)
        .where(OnwardReferral.case_id == case.id, OnwardReferral.agency_id == agency_id)
        .order_by(OnwardReferral.id)
    ).all()
    stopped, already = [], []
    for referral in referrals:
        if referral.status != "queued":
            if referral.status != "stopped":
                already.append(referral)
            continue
        if cancel_queued_email(session, referral.message_id, now) or never_sent(
            session, referral.message_id
        ):
            stop_referral(session, referral, now)
            stopped.append(referral)
        else:
            already.append(referral)
    return stopped, already


def never_sent(session, message_id: int | None) -> bool:
    """Whether a referral's email certainly never left: it failed for good or was cancelled,
    with no sending time. One left mid-send ("sending") may have gone, so it is not."""
    message = session.get(OutboundMessage, message_id) if message_id else None
    return (
        message is not None and message.sent_at is None and message.status in ("failed", "not_sent")
    )
