"""An agency recorded the first time it referred, merged into the registry agency it really is:
everything that names it moves across, its contact is kept, and the duplicate goes. Audited."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from casework.audit import Origin, record_event
from casework.db import MAX_ID
from casework.errors import ValidationError
from casework.onward.models import OnwardReferral, SharingConsent
from casework.partners.models import PartnerAgency, PartnerContact
from casework.partners.registry import STALE, get_agency
from casework.plans.models import PlanAction
from casework.referrals.models import Referral

# What points at an agency: (what the audit row calls it, the column).
LINKS = (
    ("referrals", Referral.partner_agency_id),
    ("plan_actions", PlanAction.owner_partner_id),
    ("onward_referrals", OnwardReferral.agency_id),
    ("sharing_consents", SharingConsent.agency_id),
)


def merge_agency(
    session,
    duplicate_id: int,
    into_id: int | None,
    *,
    version: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> PartnerAgency:
    """Merge the agency ``duplicate_id`` into the registry agency ``into_id``: referrals that
    came from it, plan actions it owns, onward referrals and consents to share with it move to
    ``into_id``; its contacts (and the referrer it was recorded with) become contacts there; the
    duplicate is deleted. ``version`` is the duplicate's, as the form was opened."""
    duplicate = get_agency(session, duplicate_id)
    if version is None or version != duplicate.version:
        raise ValidationError({"": STALE})
    if duplicate.in_registry:
        # Two registry agencies are two agencies: merging would move people's consent to share
        # to an agency they never agreed to, and cannot be undone.
        raise ValidationError(
            {"": "Only an agency awaiting a registry entry can be merged into a registry agency"}
        )
    target = session.get(PartnerAgency, into_id) if into_id and 0 < into_id <= MAX_ID else None
    if target is None or not target.in_registry:
        raise ValidationError({"into_id": "Select the registry agency to merge it into"})
    if target.id == duplicate.id:
        raise ValidationError({"into_id": "Select a different agency from this one"})
    moved = {}
    for name, column in LINKS:
        result = session.execute(
            sa.update(column.table)
            .where(column == duplicate.id)
            .values({column.key: target.id})
            .execution_options(synchronize_session=False)
        )
        moved[name] = result.rowcount
    known = {(c.email or "").lower() for c in target.contacts} | {target.secure_email or ""}
    kept = []
    people = [(c.name, c.role, c.email, c.phone) for c in duplicate.contacts]
    if duplicate.contact_name or duplicate.contact_email:
        people.append(
            (
                duplicate.contact_name or duplicate.contact_email,
                "Referred someone to us",
                duplicate.contact_email,
                duplicate.contact_phone,
            )
        )
    for name, role, email, phone in people:
        if email and email.lower() in known:
            continue
        known.add((email or "").lower())
        session.add(
            PartnerContact(
                agency_id=target.id,
                name=name[:200],
                role=role,
                email=email,
                phone=phone,
                created_at=now,
            )
        )
        kept.append(name)
    detail = {
        "merged": duplicate.id,
        "merged_name": duplicate.name,
        "into": target.id,
        "into_name": target.name,
        "contacts_kept": kept,
        **moved,
    }
    session.delete(duplicate)
    target.updated_at = now
    try:
        session.flush()
    except StaleDataError:
        session.rollback()
        raise ValidationError({"": STALE}) from None
    for record_id in (duplicate.id, target.id):
        record_event(
            session,
            action="partner.merge",
            actor=actor,
            origin=origin,
            record_type="partner_agency",
            record_id=record_id,
            detail=detail,
            at=now,
        )
    session.commit()
    return target
