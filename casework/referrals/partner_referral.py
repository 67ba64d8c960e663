"""A partner agency refers someone who has agreed to it, on the public partner form (spec 3.6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from casework.audit import Origin, record_event
from casework.db import made_by_key, made_once, submission_key
from casework.errors import ValidationError
from casework.partners.models import PartnerAgency, PartnerContact
from casework.people.contact_details import (
    normalise_email,
)
from casework.referrals.intake import NewReferral, store_referrals
from casework.referrals.models import Referral
from casework.referrals.victim_details import (
    PARTNER_METHODS,
    VictimDetails,
    check_victim,
)


@dataclass(frozen=True)
class ReferrerDetails:
    """Who is referring: the partner agency and the person there."""

    agency_name: str
    agency_kind: str = ""
    referrer_name: str = ""
    referrer_email: str = ""
    referrer_phone: str = ""


# Public webmail: an address there says nothing about which agency a person works for.
WEBMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "hotmail.co.uk",
        "live.com",
        "live.co.uk",
        "msn.com",
        "yahoo.com",
        "yahoo.co.uk",
        "icloud.com",
        "me.com",
        "aol.com",
        "btinternet.com",
        "sky.com",
        "virginmedia.com",
        "talktalk.net",
        "protonmail.com",
        "proton.me",
    }
)


# Secure email services shared by many organisations: an NHS, government, police or criminal
# justice address there says which sector the referrer works in, not which agency (a GP on
# nhs.net is not the mental health triage service that also uses it).
SHARED_SECURE_DOMAINS = frozenset(
    {"nhs.net", "nhs.uk", "gov.uk", "gcsx.gov.uk", "gsi.gov.uk", "police.uk", "pnn.police.uk"}
    | {"cjsm.net", "cjsm.gov.uk", "sch.uk", "ac.uk"}
)


def shared_domain(domain: str) -> bool:
    """Whether an address on ``domain`` says nothing about which agency sent it: webmail, or a
    shared secure service such as nhs.net (a subdomain of one, like a school's, is its own)."""
    return domain in WEBMAIL_DOMAINS or domain in SHARED_SECURE_DOMAINS


def agency_by_email_domain(session, email: str) -> PartnerAgency | None:
    """The one registry agency whose secure address or a contact's address is on the domain of
    ``email``; None for webmail or a shared secure service (nhs.net, cjsm.net ...), or when no
    agency or more than one has that domain."""
    domain = (email or "").strip().lower().rpartition("@")[2]
    if not domain or "@" not in (email or "") or shared_domain(domain):
        return None
    at_domain = "@" + domain
    on_domain = sa.or_(
        sa.func.lower(PartnerAgency.secure_email).endswith(at_domain, autoescape=True),
        sa.func.lower(PartnerAgency.contact_email).endswith(at_domain, autoescape=True),
        PartnerAgency.id.in_(
            sa.select(PartnerContact.agency_id).where(
                sa.func.lower(PartnerContact.email).endswith(at_domain, autoescape=True)
            )
        ),
    )
    found = session.scalars(
        sa.select(PartnerAgency).where(PartnerAgency.in_registry.is_(True), on_domain).limit(2)
    ).all()
    return found[0] if len(found) == 1 else None


def find_or_create_agency(
    session, referrer: ReferrerDetails, now: datetime, origin: Origin | None = None
) -> PartnerAgency:
    """The registry record of the agency referring: matched by name (spaces and case ignored),
    or else by the referrer's email domain when exactly one registry agency uses it (never a
    webmail domain); otherwise recorded now, awaiting its registry entry (``in_registry``
    false) for an admin to complete or merge, and audited."""
    name = " ".join(referrer.agency_name.split())[:200]
    agency = session.scalar(
        sa.select(PartnerAgency).where(sa.func.lower(PartnerAgency.name) == name.lower())
    )
    if agency is None:
        agency = agency_by_email_domain(session, referrer.referrer_email)
    if agency is None:
        agency = PartnerAgency(
            name=name,
            kind=referrer.agency_kind.strip()[:100] or None,
            contact_name=referrer.referrer_name.strip()[:200] or None,
            contact_email=(referrer.referrer_email.strip().lower()[:254] or None),
            contact_phone=referrer.referrer_phone.strip()[:32] or None,
            in_registry=False,
            created_at=now,
            updated_at=now,
        )
        session.add(agency)
        session.flush()
        record_event(
            session,
            action="partner.recorded",
            origin=origin or Origin(),
            record_type="partner_agency",
            record_id=agency.id,
            detail={"name": name, "awaiting_registry_entry": True},
            at=now,
        )
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
) -> Referral:
    """Accept a partner agency's referral (form or standard email) and return it. The same
    form sent twice makes one referral, returned again marked ``sent_before``."""
    dedupe_key = submission_key("partner", dedupe_token)
    if (earlier := made_by_key(session, Referral.dedupe_key, dedupe_key)) is not None:
        return earlier
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

    def store() -> Referral:
        agency = find_or_create_agency(session, referrer, now, origin)
        item = NewReferral(
            source="partner",
            dedupe_key=dedupe_key,
            partner_agency_id=agency.id,
            referrer_name=referrer.referrer_name.strip()[:200],
            offence=(victim.account.strip()[:200] or None),
            **clean,
        )
        [referral_id] = store_referrals(
            session,
            [item],
            received_at=received_at or now,
            calendar=calendar,
            origin=origin,
            now=now,
        )
        session.commit()
        return session.get(Referral, referral_id)

    # Two sends at the same moment (a double click): the second returns the first's referral.
    return made_once(session, Referral.dedupe_key, dedupe_key, store)
