"""The partner registry as admins keep it (partnerships policy 3.4, 7-9): create and edit an
agency's entry, its contacts, the twice-yearly partnership reviews, and the lists staff read.

Every change is validated (nothing is stored when it is refused), checked against the version the
form was opened on, and audited under record type ``partner_agency``.
"""

from __future__ import annotations

import calendar as month_lengths
import re
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from casework.audit import Origin, record_event
from casework.db import MAX_ID, db, form_key, made_by_key, made_once
from casework.errors import NotFound, ValidationError
from casework.partners.models import (
    AGENCY_TYPES,
    MOU_REVIEW_MONTHS,
    ONWARD_SERVICES,
    PARTNERSHIP_LEVELS,
    PartnerAgency,
    PartnerContact,
)
from casework.staff.vetting import local_today

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_PATTERN = re.compile(r"^\+?[0-9 ()-]{6,32}$")
STALE = "Someone else changed this agency meanwhile: reload the page and try again"
# Reviews due this many days ahead appear on the admin's list (and every overdue one).
REVIEW_WARNING_DAYS = 30
# The oldest MOU the registry takes, and how far ahead a review may be set.
OLDEST_MOU_YEARS = 30
LATEST_REVIEW_YEARS = 3
PROVIDED_SERVICES = {k: v for k, v in ONWARD_SERVICES.items() if k != "other"}
FILTERS = {
    "registry": "In the registry",
    "awaiting": "Awaiting a registry entry",
    "reviews": "Reviews due",
}


@dataclass(frozen=True)
class AgencyDetails:
    """What an admin enters for an agency's registry entry."""

    name: str
    in_registry: bool = True
    agency_type: str | None = None
    partnership_level: str | None = None
    provides: str | None = None
    keyworker_name: str | None = None
    mou_signed_on: date | None = None
    mou_review_on: date | None = None
    isa_in_place: bool = False
    secure_email: str | None = None
    phone: str | None = None
    notes: str | None = None


def months_after(day: date, months: int) -> date:
    """The same day ``months`` calendar months later; the month's last day when it has no such
    day (31 August + 6 months is 28 or 29 February)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, month_lengths.monthrange(year, month)[1]))


def next_review_on(reviewed_on: date) -> date:
    """Partnerships policy 9.1: formal partnerships are reviewed not less than twice a year, so
    the next review is due MOU_REVIEW_MONTHS after the last (or after the MOU is signed)."""
    return months_after(reviewed_on, MOU_REVIEW_MONTHS)


def normalised_name(name: str | None) -> str:
    """An agency's name as it is compared: spaces collapsed, case ignored."""
    return " ".join((name or "").split()).lower()


def _clean(value: str | None, limit: int) -> str | None:
    value = " ".join((value or "").split()) if limit <= 254 else (value or "").strip()
    return value[:limit] if value else None


def _too_long(errors: dict, field: str, value: str | None, limit: int, what: str) -> None:
    if value and len(value) > limit and field not in errors:
        errors[field] = f"{what} must be {limit} characters or fewer"


def _check_details(session, details: AgencyDetails, agency_id: int | None, today: date):
    """The entry as it will be stored, or ValidationError naming every field to correct."""
    errors: dict[str, str] = {}
    name = " ".join((details.name or "").split())
    if not name:
        errors["name"] = "Enter the agency's name"
    elif len(name) > 200:
        errors["name"] = "The agency's name must be 200 characters or fewer"
    elif session.scalar(
        sa.select(PartnerAgency.id).where(
            sa.func.lower(PartnerAgency.name) == name.lower(),
            PartnerAgency.id != (agency_id or 0),
        )
    ):
        errors["name"] = "An agency with this name is already recorded"
    if details.agency_type and details.agency_type not in AGENCY_TYPES:
        errors["agency_type"] = "Select the type of agency from the list"
    elif details.in_registry and not details.agency_type:
        errors["agency_type"] = "Select the type of agency"
    if details.partnership_level and details.partnership_level not in PARTNERSHIP_LEVELS:
        errors["partnership_level"] = "Select the level of partnership from the list"
    elif details.in_registry and not details.partnership_level:
        errors["partnership_level"] = "Select the level of partnership"
    if details.provides and details.provides not in PROVIDED_SERVICES:
        errors["provides"] = "Select the service it provides from the list, or none"
    email = (details.secure_email or "").strip().lower() or None
    if email and (len(email) > 254 or not EMAIL_PATTERN.match(email)):
        errors["secure_email"] = (
            "Enter the secure email address in the correct format, like referrals@agency.org.uk"
        )
    phone = " ".join((details.phone or "").split()) or None
    if phone and not PHONE_PATTERN.match(phone):
        errors["phone"] = "Enter a telephone number, like 0116 496 0000"
    signed, review = details.mou_signed_on, details.mou_review_on
    if signed is not None:
        if signed > today:
            errors["mou_signed_on"] = "The date the MOU was signed must be today or in the past"
        elif signed.year < today.year - OLDEST_MOU_YEARS:
            errors["mou_signed_on"] = (
                f"The date the MOU was signed must be within the last {OLDEST_MOU_YEARS} years"
            )
    if review is not None:
        if signed is not None and review <= signed and "mou_signed_on" not in errors:
            errors["mou_review_on"] = "The next review must be after the date the MOU was signed"
        elif review.year > today.year + LATEST_REVIEW_YEARS:
            errors["mou_review_on"] = (
                f"The next review must be within {LATEST_REVIEW_YEARS} years of today"
            )
        elif review.year < today.year - OLDEST_MOU_YEARS:
            errors["mou_review_on"] = "Enter a review date in the last few years or the future"
    keyworker = " ".join((details.keyworker_name or "").split()) or None
    _too_long(errors, "keyworker_name", keyworker, 200, "The keyworker's name")
    notes = (details.notes or "").replace("\r\n", "\n").strip() or None
    _too_long(errors, "notes", notes, 5000, "Notes")
    if errors:
        raise ValidationError(errors)
    if signed is not None and review is None:
        review = next_review_on(signed)
    return {
        "name": name,
        "in_registry": bool(details.in_registry),
        "agency_type": details.agency_type or None,
        "partnership_level": details.partnership_level or None,
        "provides": details.provides or None,
        "keyworker_name": keyworker,
        "mou_signed_on": signed,
        "mou_review_on": review,
        "isa_in_place": bool(details.isa_in_place),
        "secure_email": email,
        "phone": phone,
        "notes": notes,
    }


def get_agency(session, agency_id: int) -> PartnerAgency:
    """One agency; NotFound when there is none with that id."""
    agency = session.get(PartnerAgency, agency_id) if 0 < agency_id <= MAX_ID else None
    if agency is None:
        raise NotFound(agency_id)
    return agency


def _audit(session, agency_id, action, *, actor, origin, now, detail=None) -> None:
    record_event(
        session,
        action=action,
        actor=actor,
        origin=origin,
        record_type="partner_agency",
        record_id=agency_id,
        detail=detail,
        at=now,
    )


def _save(session, *, name_clash_field: str = "name") -> None:
    """Flush the change: a concurrent save (its version moved on) or a name taken meanwhile is
    refused, and nothing is stored."""
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        raise ValidationError({"": STALE}) from None
    except IntegrityError:
        session.rollback()
        raise ValidationError(
            {name_clash_field: "An agency with this name is already recorded"}
        ) from None


def create_agency(
    session, details: AgencyDetails, *, actor, origin: Origin, now: datetime
) -> PartnerAgency:
    """Add an agency to the registry (or, unticked, as awaiting its entry), audited."""
    values = _check_details(session, details, None, local_today(now))
    agency = PartnerAgency(created_at=now, updated_at=now, **values)
    session.add(agency)
    _save(session)
    _audit(session, agency.id, "partner.create", actor=actor, origin=origin, now=now, detail=values)
    session.commit()
    return agency


def update_agency(
    session,
    agency_id: int,
    details: AgencyDetails,
    *,
    version: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> PartnerAgency:
    """Change an agency's entry (and tick it into the registry), audited with what changed.
    A form opened before someone else's change is refused."""
    agency = get_agency(session, agency_id)
    if version is None or version != agency.version:
        raise ValidationError({"": STALE})
    values = _check_details(session, details, agency.id, local_today(now))
    changes = {}
    for field, new in values.items():
        if getattr(agency, field) != new:
            changes[field] = new
            setattr(agency, field, new)
    if changes:
        agency.updated_at = now
        _save(session)
        _audit(
            session,
            agency.id,
            "partner.update",
            actor=actor,
            origin=origin,
            now=now,
            detail=changes,
        )
    session.commit()
    return agency


@dataclass(frozen=True)
class ContactDetails:
    """A named person at an agency."""

    name: str
    role: str | None = None
    email: str | None = None
    phone: str | None = None


def add_contact(
    session,
    agency_id: int,
    details: ContactDetails,
    *,
    actor,
    origin: Origin,
    now: datetime,
    submission_token: str | None = None,
) -> PartnerContact:
    """Add a named contact at an agency, audited. The same form sent twice
    (``submission_token``: a double click, a resend) adds one contact."""
    agency = get_agency(session, agency_id)
    key = form_key(f"partner_contact:{getattr(actor, 'id', None)}:{agency.id}", submission_token)
    if (added := made_by_key(session, PartnerContact.submission_key, key)) is not None:
        return added
    errors: dict[str, str] = {}
    name = " ".join((details.name or "").split())
    role = " ".join((details.role or "").split()) or None
    email = (details.email or "").strip().lower() or None
    phone = " ".join((details.phone or "").split()) or None
    if not name:
        errors["name"] = "Enter the contact's name"
    _too_long(errors, "name", name, 200, "The contact's name")
    _too_long(errors, "role", role, 200, "Their role")
    if email and (len(email) > 254 or not EMAIL_PATTERN.match(email)):
        errors["email"] = "Enter the email address in the correct format, like name@agency.org.uk"
    if phone and not PHONE_PATTERN.match(phone):
        errors["phone"] = "Enter a telephone number, like 0116 496 0000"
    if not email and not phone and "email" not in errors and "phone" not in errors:
        errors["email"] = "Enter an email address or a telephone number for the contact"
    if errors:
        raise ValidationError(errors)

    def add() -> PartnerContact:
        contact = PartnerContact(
            agency_id=agency.id,
            name=name,
            role=role,
            email=email,
            phone=phone,
            created_at=now,
            submission_key=key,
        )
        session.add(contact)
        session.flush()
        _audit(
            session,
            agency.id,
            "partner.contact.add",
            actor=actor,
            origin=origin,
            now=now,
            detail={"contact_id": contact.id, "name": name, "role": role, "email": email},
        )
        session.commit()
        return contact

    return made_once(session, PartnerContact.submission_key, key, add)


def remove_contact(
    session, agency_id: int, contact_id: int, *, actor, origin: Origin, now: datetime
) -> PartnerContact:
    """Remove a contact from an agency, audited; one already removed is refused clearly."""
    agency = get_agency(session, agency_id)
    contact = session.get(PartnerContact, contact_id) if 0 < contact_id <= MAX_ID else None
    if contact is None or contact.agency_id != agency.id:
        raise ValidationError({"": "That contact has already been removed"})
    session.delete(contact)
    _audit(
        session,
        agency.id,
        "partner.contact.remove",
        actor=actor,
        origin=origin,
        now=now,
        detail={"contact_id": contact.id, "name": contact.name},
    )
    session.commit()
    return contact


def record_review(
    session,
    agency_id: int,
    *,
    reviewed_on: date | None,
    version: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> PartnerAgency:
    """A twice-yearly partnership review held (partnerships policy 9.1): the next is due
    MOU_REVIEW_MONTHS after it. Audited; a review date in the future, or more than a year ago,
    is refused."""
    agency = get_agency(session, agency_id)
    today = local_today(now)
    if not agency.in_registry:
        raise ValidationError({"": "Complete the agency's registry entry before its reviews"})
    if version is None or version != agency.version:
        raise ValidationError({"": STALE})
    if reviewed_on is None:
        raise ValidationError({"reviewed_on": "Enter the date the review was held"})
    if reviewed_on > today:
        raise ValidationError({"reviewed_on": "The review date must be today or in the past"})
    if reviewed_on < today - timedelta(days=366):
        raise ValidationError({"reviewed_on": "The review date must be within the last year"})
    if agency.mou_signed_on and reviewed_on < agency.mou_signed_on:
        raise ValidationError(
            {"reviewed_on": "The review date must be on or after the date the MOU was signed"}
        )
    previous = agency.mou_review_on
    agency.mou_review_on = next_review_on(reviewed_on)
    agency.updated_at = now
    _save(session)
    _audit(
        session,
        agency.id,
        "partner.review",
        actor=actor,
        origin=origin,
        now=now,
        detail={"reviewed_on": reviewed_on, "was_due": previous, "next": agency.mou_review_on},
    )
    session.commit()
    return agency


def agencies_page(session, show: str, *, today: date, page: int, per_page: int, q: str = ""):
    """One page of agencies, by name: in the registry, awaiting an entry, or with a review due
    (those soonest due first). ``q`` narrows by part of the name."""
    query = sa.select(PartnerAgency)
    if show == "awaiting":
        query = query.where(PartnerAgency.in_registry.is_(False)).order_by(
            PartnerAgency.created_at.desc(), PartnerAgency.id.desc()
        )
    elif show == "reviews":
        query = query.where(_review_due_clause(today)).order_by(
            PartnerAgency.mou_review_on, PartnerAgency.name
        )
    else:
        query = query.where(PartnerAgency.in_registry.is_(True)).order_by(PartnerAgency.name)
    q = " ".join((q or "").split())[:200].lower()
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(sa.func.lower(PartnerAgency.name).like(f"%{escaped}%", escape="\\"))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def filter_counts(session, today: date) -> dict[str, int]:
    """How many agencies each of the list's filters holds."""
    registry, awaiting, due = session.execute(
        sa.select(
            sa.func.count().filter(PartnerAgency.in_registry.is_(True)),
            sa.func.count().filter(PartnerAgency.in_registry.is_(False)),
            sa.func.count().filter(_review_due_clause(today)),
        ).select_from(PartnerAgency)
    ).one()
    return {"registry": registry, "awaiting": awaiting, "reviews": due}


def _review_due_clause(today: date):
    return sa.and_(
        PartnerAgency.in_registry.is_(True),
        PartnerAgency.mou_review_on.is_not(None),
        PartnerAgency.mou_review_on <= today + timedelta(days=REVIEW_WARNING_DAYS),
    )


def reviews_due(session, today: date) -> list[PartnerAgency]:
    """Registry agencies whose partnership review falls within REVIEW_WARNING_DAYS of ``today``
    or has passed (partnerships policy 9.1): overdue first, then soonest."""
    return list(
        session.scalars(
            sa.select(PartnerAgency)
            .where(_review_due_clause(today))
            .order_by(PartnerAgency.mou_review_on, PartnerAgency.name)
        )
    )


def registry_agencies(session, provides: str | None = None) -> list[PartnerAgency]:
    """The agencies in the registry for a staff member to refer on to: those that provide the
    service ``provides`` first, then the rest, each by name."""
    first = sa.case((PartnerAgency.provides == provides, 0), else_=1) if provides else sa.literal(1)
    return list(
        session.scalars(
            sa.select(PartnerAgency)
            .where(PartnerAgency.in_registry.is_(True))
            .order_by(first, PartnerAgency.name)
        )
    )


def details_of(agency: PartnerAgency) -> AgencyDetails:
    """An agency's entry as the edit form starts from."""
    return AgencyDetails(**{f.name: getattr(agency, f.name) for f in fields(AgencyDetails)})
