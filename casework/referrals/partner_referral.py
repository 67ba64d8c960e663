"""A partner agency refers someone who has agreed to it, on the public partner form (spec 3.6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from casework.audit import Origin
from casework.errors import ValidationError
from casework.people.contact_details import (
    normalise_email,
)
from casework.referrals.intake import NewReferral, store_referrals
from casework.referrals.models import PartnerAgency, Referral
from casework.referrals.victim_details import (
    PARTNER_METHODS,
    VictimDetails,
    check_victim,
    existing_reference,
    submission_key,
)


@dataclass(frozen=True)
class ReferrerDetails:
    """Who is referring: the partner agency and the person there."""

    agency_name: str
    agency_kind: str = ""
    referrer_name: str = ""
    referrer_email: str = ""
    referrer_phone: str = ""


def find_or_create_agency(session, referrer: ReferrerDetails, now: datetime) -> PartnerAgency:
    """The partner agency by name (case-insensitive), recorded the first time it refers."""
    name = " ".join(referrer.agency_name.split())[:200]
    agency = session.scalar(
        sa.select(PartnerAgency).where(sa.func.lower(PartnerAgency.name) == name.lower())
    )
    if agency is None:
        agency = PartnerAgency(
            name=name,
            kind=referrer.agency_kind.strip()[:100] or None,
            contact_name=referrer.referrer_name.strip()[:200] or None,
            contact_email=(referrer.referrer_email.strip().lower()[:254] or None),
            contact_phone=referrer.referrer_phone.strip()[:32] or None,
            created_at=now,
        )
        session.add(agency)
        session.flush()
    return agency


def submit_partner_referral(
    session,
    referrer: ReferrerDetails,
    victim: VictimDetails,
    *,
    consent: bool,
    dedupe_token: str,
    calendar,
    now: datetime,
    origin: Origin,
    received_at: datetime | None = None,
) -> str:
    """Accept a partner agency's referral (form or standard email) and return its reference."""
    dedupe_key = submission_key("partner", dedupe_token)
    existing = existing_reference(session, dedupe_key)
    if existing:
        return existing
    errors = {}
    if not referrer.agency_name.strip():
        errors["agency_name"] = "Enter the name of your agency"
    if not referrer.referrer_name.strip():
        errors["referrer_name"] = "Enter your name"
    email, problem = normalise_email(referrer.referrer_email)
    if not email:
        errors["referrer_email"] = "Enter your work email address so we can reply"
    if not consent:
        errors["consent"] = "Confirm the person has agreed to be referred"
    try:
        clean = check_victim(victim, PARTNER_METHODS, calendar.local_date(now))
    except ValidationError as exc:
        errors = {**exc.errors, **errors}
    if errors:
        raise ValidationError(errors)
    agency = find_or_create_agency(session, referrer, now)
    item = NewReferral(
        source="partner",
        dedupe_key=dedupe_key,
        partner_agency_id=agency.id,
        referrer_name=referrer.referrer_name.strip()[:200],
        offence=(victim.account.strip()[:200] or None),
        **clean,
    )
    [referral_id] = store_referrals(
        session, [item], received_at=received_at or now, calendar=calendar, origin=origin, now=now
    )
    session.commit()
    return session.get(Referral, referral_id).reference


def partner_agencies_with_counts(session) -> list[tuple[PartnerAgency, int]]:
    """Every partner agency that has referred, with how many referrals each, by name."""
    return list(
        session.execute(
            sa.select(PartnerAgency, sa.func.count(Referral.id))
            .outerjoin(Referral, Referral.partner_agency_id == PartnerAgency.id)
            .group_by(PartnerAgency.id)
            .order_by(PartnerAgency.name)
        ).all()
    )
