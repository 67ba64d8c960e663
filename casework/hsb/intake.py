"""Who got in touch with the HSB advice line, and how (issue 16, deliverable 1): the public
/professionals form, an advisor logging an email or a chat by hand, an email's reply, and
correcting the professional's details and confidence before the advice.

A professional's details are checked the same way wherever they are typed: a name, role and
organisation of sensible length, a setting and region from the line's lists, and at least one
way to reach them (an email address that is one, or a UK phone number, kept in E.164). No
child's name is ever asked for; every free-text box warns against one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from casework import access
from casework.audit import Origin, record_event
from casework.db import made_by_key, made_once, refuse_stale
from casework.errors import NotFound, ValidationError
from casework.hsb.callbacks import called_back_by_email, meet_by_reply, reinstate_if_reachable
from casework.hsb.contacts import (
    Professional,
    create_contact,
    logged_key,
    logged_too_long_ago,
)
from casework.hsb.models import (
    CONFIDENCE_SCALE,
    CONTACT_KINDS,
    REGIONS,
    SETTING_TYPES,
    AdviceContact,
)
from casework.people.contact_details import normalise_email, normalise_phone

MAX_NAME, MAX_ROLE, MAX_ORGANISATION, MAX_AUTHORITY = 120, 120, 200, 100
MAX_REQUEST = 4000
LOGGED_CHANNELS = ("email", "chat")
# What a professional says the contact is about, on the public form: the same words as the
# advice's kind, so the advisor starts from the professional's own answer.
ABOUT = CONTACT_KINDS


@dataclass(frozen=True)
class ProfessionalAnswers:
    """The professional's details as typed (any form): checked by :func:`check_professional`."""

    name: str | None = None
    role: str | None = None
    setting_type: str | None = None
    organisation: str | None = None
    local_authority: str | None = None
    region: str | None = None
    email: str | None = None
    phone: str | None = None


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def check_professional(
    answers: ProfessionalAnswers,
    errors: dict[str, str],
    *,
    name_required: bool = True,
    by_staff: bool = False,
) -> Professional:
    """The professional's details, cleaned; problems added to ``errors`` by form field name.
    ``by_staff``: an advisor typing them in, so the messages speak of the professional."""
    name = _text(answers.name)
    if name_required and not name:
        errors["name"] = "Enter the professional's name" if by_staff else "Enter your name"
    for field, value, limit, what in (
        ("name", name, MAX_NAME, "The name"),
        ("role", answers.role, MAX_ROLE, "The role"),
        ("organisation", answers.organisation, MAX_ORGANISATION, "The organisation"),
        ("local_authority", answers.local_authority, MAX_AUTHORITY, "The local authority"),
    ):
        if value and len(value.strip()) > limit:
            errors[field] = f"{what} must be {limit} characters or fewer"
    setting = _text(answers.setting_type)
    if setting and setting not in SETTING_TYPES:
        errors["setting_type"] = "Select the type of setting from the list"
    region = _text(answers.region)
    if region and region not in REGIONS:
        errors["region"] = "Select the region from the list"
    email, email_problem = normalise_email(answers.email)
    if email_problem:
        errors["email"] = "Enter an email address in the correct format, like name@example.org"
    phone, phone_problem = normalise_phone(answers.phone)
    if phone_problem:
        errors["phone"] = "Enter a UK phone number, like 0116 496 0123 or 07700 900123"
    if not email and not phone and not email_problem and not phone_problem:
        errors["email"] = "Enter an email address or a phone number, so we can reply"
    return Professional(
        professional_name=name,
        professional_role=_text(answers.role),
        setting_type=setting,
        organisation=_text(answers.organisation),
        local_authority=_text(answers.local_authority),
        region=region,
        email=email,
        phone=phone,
    )


def check_confidence(
    identify: int | None, respond: int | None, errors: dict[str, str]
) -> tuple[int | None, int | None]:
    """The two confidence answers (1-5), each optional."""
    for field, value in (("confidence_identify", identify), ("confidence_respond", respond)):
        if value is not None and value not in CONFIDENCE_SCALE:
            errors[field] = "Select how confident you are from the scale"
    return identify, respond


def check_request(
    text: str | None, errors: dict[str, str], *, required: bool, by_staff: bool = False
) -> str | None:
    """What the professional asked: required where they typed it themselves, or an advisor
    logs their email or chat (``by_staff``: the message speaks of the professional)."""
    text = _text(text)
    if required and not text:
        errors["request_text"] = (
            "Enter what the professional asked"
            if by_staff
            else "Tell us what you need advice about"
        )
    elif text and len(text) > MAX_REQUEST:
        what = "What they asked" if by_staff else "What you need"
        errors["request_text"] = f"{what} must be {MAX_REQUEST:,} characters or fewer"
    return text


def _logged_details(
    answers: ProfessionalAnswers, request_text: str | None, confidence: tuple, errors: dict
) -> tuple[Professional, str | None, tuple[int | None, int | None]]:
    """A logged contact's professional, what they asked and their confidence, cleaned; the
    problems added to ``errors`` (the messages speak of the professional: staff type them)."""
    return (
        check_professional(answers, errors, by_staff=True),
        check_request(request_text, errors, required=True, by_staff=True),
        check_confidence(*confidence, errors),
    )


def check_logged_details(
    answers: ProfessionalAnswers, request_text: str | None, confidence: tuple
) -> None:
    """The professional's details, what they asked and their confidence, checked exactly as
    logging a contact checks them: ValidationError with every problem. For a log form that
    failed its own checks (a date that is not one), so these are shown with them, not after."""
    errors: dict[str, str] = {}
    _logged_details(answers, request_text, confidence, errors)
    if errors:
        raise ValidationError(errors)


def submit_request(
    session,
    *,
    answers: ProfessionalAnswers,
    request_text: str | None,
    about: str | None,
    confidence: tuple[int | None, int | None],
    calendar,
    now: datetime,
    origin: Origin,
) -> AdviceContact:
    """A professional's request for advice through the public form, received now: a web-form
    contact (out of hours, with its D8 callback); audited, committed. Whether the professional
    has been in touch before is never told back."""
    errors: dict[str, str] = {}
    professional = check_professional(answers, errors)
    text = check_request(request_text, errors, required=True)
    if about not in ABOUT:
        errors["about"] = "Select whether it is about a case or incident, or policy"
    confidence = check_confidence(*confidence, errors)
    if errors:
        raise ValidationError(errors)
    contact = create_contact(
        session,
        channel="web_form",
        received_at=now,
        calendar=calendar,
        now=now,
        origin=origin,
        professional=professional,
        request_text=text,
        confidence_before=confidence,
    )
    contact.kind = about
    session.commit()
    return contact


def may_use_advice_line(session, actor, origin: Origin, now: datetime, record_id=None) -> None:
    """Refuse (audited, NotFound) an ``actor`` who may not use the advice line."""
    if not access.can_use_advice_line(actor):
        access.refuse(
            session,
            actor=actor,
            origin=origin,
            record_type="advice_contact",
            record_id=record_id,
            now=now,
        )


def load_contact(session, contact_id: int, actor, *, origin: Origin, now: datetime):
    """The contact for a change by ``actor`` (no view audited): NotFound if missing or refused."""
    may_use_advice_line(session, actor, origin, now, contact_id)
    contact = session.get(AdviceContact, contact_id)
    if contact is None:
        raise NotFound(contact_id)
    return contact


def stale() -> ValidationError:
    """The answer to a save over a change made since the page was opened."""
    return ValidationError(
        {
            "": "Someone changed this contact after you opened this page. Your changes have "
            "not been saved. The page now shows it as it is: check it, then save again."
        }
    )


def check_version(contact: AdviceContact, expected_version: int | None) -> None:
    """Refuse a save made from a page opened before the contact last changed."""
    if expected_version is None or contact.version != expected_version:
        raise stale()


def refuse_if_anonymised(contact: AdviceContact) -> None:
    """No new words on a contact whose professional's details retention has removed."""
    if contact.anonymised_at is not None:
        raise ValidationError(
            {"": "This contact has been anonymised: the professional's details were removed"}
        )


def log_contact(
    session,
    *,
    channel: str,
    received_at: datetime | None,
    started_at: datetime | None,
    ended_at: datetime | None,
    replied_at: datetime | None,
    answers: ProfessionalAnswers,
    request_text: str | None,
    confidence: tuple[int | None, int | None],
    calendar,
    actor,
    origin: Origin,
    now: datetime,
    wording=None,
    submission_token: str | None = None,
) -> AdviceContact:
    """An email or a chat an advisor logs by hand: when it came (never in the future), a
    chat's start and end (end after start), an email's reply (after it was received), who it
    was from and what they asked; audited, committed. A reply already late counts its
    callback as missed, and the team leaders are told (in ``wording``), as the sweep tells
    them of one not made. The same form sent twice (``submission_token``) logs one contact."""
    may_use_advice_line(session, actor, origin, now)
    key = logged_key(actor, submission_token)
    if (earlier := made_by_key(session, AdviceContact.submission_key, key)) is not None:
        return earlier
    errors: dict[str, str] = {}
    if channel not in LOGGED_CHANNELS:
        raise ValidationError({"": "Log an email or a chat here"})
    if received_at is None:
        errors["received"] = "Enter when it was received"
    elif received_at > now:
        errors["received"] = "When it was received cannot be in the future"
    elif too_old := logged_too_long_ago(received_at, now):
        errors["received"] = too_old
    if channel == "chat":
        replied_at = None
        if started_at is None:
            errors["started"] = "Enter when the chat started"
        elif started_at > now:
            errors["started"] = "The chat's start cannot be in the future"
        if ended_at is None:
            errors["ended"] = "Enter when the chat ended"
        elif ended_at > now:
            errors["ended"] = "The chat's end cannot be in the future"
        elif started_at is not None and ended_at <= started_at:
            errors["ended"] = "The chat must end after it started"
    else:
        started_at = ended_at = None
        if replied_at is not None:
            if replied_at > now:
                errors["replied"] = "When it was replied to cannot be in the future"
            elif received_at is not None and replied_at < received_at:
                errors["replied"] = "The reply cannot be before the email was received"
    professional, text, confidence = _logged_details(answers, request_text, confidence, errors)
    if errors:
        raise ValidationError(errors)

    def log() -> AdviceContact:
        contact = create_contact(
            session,
            channel=channel,
            received_at=received_at,
            calendar=calendar,
            now=now,
            origin=origin,
            actor=actor,
            professional=professional,
            started_at=started_at,
            ended_at=ended_at,
            request_text=text,
            confidence_before=confidence,
            submission_key=key,
        )
        contact.replied_at = replied_at
        if replied_at is not None:
            meet_by_reply(session, contact, replied_at, wording=wording, tz=calendar.tz, now=now)
        session.commit()
        return contact

    return made_once(session, AdviceContact.submission_key, key, log)


@refuse_stale(stale)
def record_reply(
    session,
    contact_id: int,
    *,
    replied_at: datetime | None,
    expected_version: int | None,
    actor,
    wording,
    tz: tzinfo,
    origin: Origin,
    now: datetime,
) -> AdviceContact:
    """When an email contact (or one reached by email alone) was replied to: after it was
    received, not in the future. The reply meets its D8 callback, if it owed one; a corrected
    time that makes a late reply in time takes back its breach, and one that makes a reply in
    time late counts it as missed (the team leaders are told, in ``wording``, with times in
    ``tz``). Audited, committed."""
    contact = load_contact(session, contact_id, actor, origin=origin, now=now)
    check_version(contact, expected_version)
    if not called_back_by_email(contact):
        raise ValidationError(
            {"": "Only an email, or a request with an email address and no phone, is replied to"}
        )
    if replied_at is None:
        raise ValidationError({"replied": "Enter when the email was replied to"})
    if replied_at > now:
        raise ValidationError({"replied": "When it was replied to cannot be in the future"})
    if replied_at < contact.received_minute:
        raise ValidationError({"replied": "The reply cannot be before the email was received"})
    previous, contact.replied_at = contact.replied_at, replied_at
    contact.updated_at = now
    met = meet_by_reply(session, contact, replied_at, previous, wording=wording, tz=tz, now=now)
    record_event(
        session,
        action="advice_contact.replied",
        origin=origin,
        actor=actor,
        record_type="advice_contact",
        record_id=contact.id,
        detail={"fields": ["replied_at"], **({"callback_met": True} if met else {})},
        at=now,
    )
    session.commit()
    return contact


DETAIL_FIELDS = (
    "professional_name",
    "professional_role",
    "setting_type",
    "organisation",
    "local_authority",
    "region",
    "email",
    "phone",
    "confidence_identify_before",
    "confidence_respond_before",
)


@refuse_stale(stale)
def update_details(
    session,
    contact_id: int,
    *,
    answers: ProfessionalAnswers,
    confidence: tuple[int | None, int | None],
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> AdviceContact:
    """Correct the professional's details and their confidence before the advice; a save over
    a later change is refused; audited with the names of the fields changed, committed."""
    contact = load_contact(session, contact_id, actor, origin=origin, now=now)
    check_version(contact, expected_version)
    refuse_if_anonymised(contact)
    errors: dict[str, str] = {}
    professional = check_professional(answers, errors, name_required=False)
    identify, respond = check_confidence(*confidence, errors)
    if errors:
        raise ValidationError(errors)
    wanted = {
        **professional.as_dict(),
        "confidence_identify_before": identify,
        "confidence_respond_before": respond,
    }
    changed = [name for name in DETAIL_FIELDS if getattr(contact, name) != wanted[name]]
    for name in changed:
        setattr(contact, name, wanted[name])
    if changed:
        contact.updated_at = now
        reinstated = reinstate_if_reachable(session, contact)
        record_event(
            session,
            action="advice_contact.details_changed",
            origin=origin,
            actor=actor,
            record_type="advice_contact",
            record_id=contact.id,
            detail={"fields": changed, **({"callback_owed_again": True} if reinstated else {})},
            at=now,
        )
    session.commit()
    return contact


DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _clock(moment) -> str:
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{moment.hour % 12 or 12}{minutes}{'am' if moment.hour < 12 else 'pm'}"


def opening_hours_text(calendar) -> str:
    """The line's opening hours in words: "Monday to Friday, 8am to 8pm"."""
    spans: list[tuple[int, int, tuple]] = []
    for weekday in range(7):
        hours = calendar.hours.by_weekday.get(weekday)
        if hours is None:
            continue
        if spans and spans[-1][1] == weekday - 1 and spans[-1][2] == hours:
            spans[-1] = (spans[-1][0], weekday, hours)
        else:
            spans.append((weekday, weekday, hours))
    parts = []
    for first, last, (opens, closes) in spans:
        days = DAY_NAMES[first] if first == last else f"{DAY_NAMES[first]} to {DAY_NAMES[last]}"
        parts.append(f"{days}, {_clock(opens)} to {_clock(closes)}")
    return "; ".join(parts)
