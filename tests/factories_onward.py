"""Target-hardening referrals written straight to the models, for the tests of what the
contractor reports back and of the report (the pages that make onward referrals are built
elsewhere): the contractor, the person's consent, the referral and its details, and the
obligations a referral made owes (D7 through on_referral_made, D11 through the lifecycle)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa


def contractor(name: str = "24/7 Locks"):
    """The target-hardening contractor in the partner registry (made once per name)."""
    from casework.db import db
    from casework.partners.models import PartnerAgency

    found = db.session.scalar(sa.select(PartnerAgency).where(PartnerAgency.name == name))
    if found is not None:
        return found
    agency = PartnerAgency(
        name=name,
        created_at=datetime(2026, 1, 5, 9, tzinfo=UTC),
        in_registry=True,
        agency_type="contractor",
        provides="target_hardening",
        isa_in_place=True,
        secure_email="referrals@locks.example",
    )
    db.session.add(agency)
    db.session.commit()
    return agency


def record_consent(case, agency, *, given: bool, by, at: datetime):
    """The person's consent to share with ``agency``, given or withdrawn, as recorded."""
    from casework.db import db
    from casework.onward.models import SharingConsent

    consent = SharingConsent(
        case_id=case.id,
        agency_id=agency.id,
        given=given,
        how="spoken",
        recorded_by_id=by.id,
        recorded_at=at,
    )
    db.session.add(consent)
    db.session.commit()
    return consent


def create_hardening_referral(
    case,
    *,
    by,
    made_at: datetime,
    urgency: str = "standard",
    phoned_at: datetime | None = None,
    agency=None,
    vulnerability: str = "Lives alone; the offender knows the address",
    other_agencies: str | None = "Housing association",
    status: str = "sent",
    owes_d11: bool = True,
):
    """A target-hardening referral of ``case`` made at ``made_at`` by ``by`` (emailed, or phoned
    for an emergency), on consent given, with the case owing D7 and (``owes_d11``) D11.
    Returns the OnwardReferral."""
    from flask import current_app

    from casework.db import db
    from casework.obligations import lifecycle
    from casework.onward.models import OnwardReferral, TargetHardening
    from casework.onward.target_hardening import on_referral_made
    from scheduling.service_calendars import victim_calendar
    from triage.onward import onward_follow_up_due

    agency = agency or contractor()
    consent = record_consent(case, agency, given=True, by=by, at=made_at)
    emergency = urgency == "emergency"
    referral = OnwardReferral(
        case_id=case.id,
        agency_id=agency.id,
        service="target_hardening",
        method="phone" if emergency else "email",
        shared_fields=["name", "address", "phone", "vulnerability", "other_agencies"],
        reason="Burglary; frightened at home",
        consent_id=consent.id,
        sent_to=None if emergency else agency.secure_email,
        spoke_to="Duty manager" if emergency else None,
        made_at=made_at,
        made_by_id=by.id,
        status=status,
        created_at=made_at,
        updated_at=made_at,
    )
    referral.target_hardening = TargetHardening(
        urgency=urgency,
        vulnerability_factors=vulnerability,
        other_agencies=other_agencies,
        phoned_at=phoned_at or (made_at if emergency else None),
        updated_at=made_at,
    )
    db.session.add(referral)
    db.session.flush()
    calendar = victim_calendar(current_app.config)
    on_referral_made(db.session, referral, calendar=calendar, now=made_at)
    if owes_d11:
        lifecycle.add(
            db.session, case, onward_follow_up_due(made_at, calendar), made_at, unique=False
        )
    db.session.commit()
    return referral
