"""Demo partner registry for Leicester, Leicestershire and Rutland: the commissioned services a
case is referred on to, a housing association without an information-sharing agreement, a
partnership whose review is overdue, and an agency awaiting its registry entry. Synthetic
organisations on .example addresses; added once, through the real services."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from casework.audit import Origin
from casework.partners.models import PartnerAgency
from casework.partners.registry import (
    AgencyDetails,
    ContactDetails,
    add_contact,
    create_agency,
    months_after,
)
from casework.referrals.partner_referral import ReferrerDetails, find_or_create_agency
from casework.staff.vetting import local_today

AWAITING_NAME = "Rutland Community Wellbeing Hub"


def _demo_agencies(today) -> list[tuple[AgencyDetails, list[ContactDetails]]]:
    signed = months_after(today, -4)
    return [
        (
            AgencyDetails(
                name="24/7 Locks Target Hardening",
                agency_type="contractor",
                partnership_level="contributor",
                provides="target_hardening",
                keyworker_name="Jo Patel",
                mou_signed_on=signed,
                isa_in_place=True,
                secure_email="referrals@247locks.example.org",
                phone="0116 496 0700",
                notes="Commissioned contractor: attends standard referrals within 5 working "
                "days, emergencies within 4 hours (Lot 2).",
            ),
            [
                ContactDetails(
                    "Dan Fitter", "Operations manager", "dan.fitter@247locks.example.org"
                ),
            ],
        ),
        (
            AgencyDetails(
                name="LLR Mental Health Triage",
                agency_type="health",
                partnership_level="partner_specialist",
                provides="mental_health",
                keyworker_name="Sam Okafor",
                mou_signed_on=months_after(today, -2),
                isa_in_place=True,
                secure_email="mh.triage@llrhealth.example.org",
                phone="0116 496 0710",
            ),
            [
                ContactDetails(
                    "Priya Nurse", "Triage nurse lead", "priya.nurse@llrhealth.example.org"
                )
            ],
        ),
        (
            AgencyDetails(
                name="Juniper Lodge Sexual Violence Service",
                agency_type="specialist_support",
                partnership_level="partner_specialist",
                provides="sexual_violence",
                keyworker_name="Jo Patel",
                mou_signed_on=months_after(today, -5) - timedelta(days=10),
                isa_in_place=True,
                secure_email="referrals@juniperlodge.example.org",
                phone="0116 496 0720",
            ),
            [],
        ),
        (
            AgencyDetails(
                name="Freeva Domestic Abuse Service",
                agency_type="specialist_support",
                partnership_level="partner_specialist",
                provides="domestic_abuse",
                keyworker_name="Jo Patel",
                mou_signed_on=months_after(today, -1),
                isa_in_place=True,
                secure_email="referrals@freeva.example.org",
                phone="0116 496 0730",
            ),
            [ContactDetails("Maya Advocate", "IDVA team leader", None, "0116 496 0731")],
        ),
        (
            AgencyDetails(
                name="Soar Valley Housing Association",
                agency_type="housing",
                partnership_level="associate",
                keyworker_name="Chris Lowe",
                isa_in_place=False,
                secure_email="tenancy.support@soarvalleyhousing.example.org",
                phone="0116 496 0740",
                notes="No information-sharing agreement yet: give a reason before sharing.",
            ),
            [],
        ),
        (
            AgencyDetails(
                name="Charnwood Citizens Advice",
                agency_type="voluntary",
                partnership_level="partner",
                keyworker_name="Dee Marsh",
                mou_signed_on=months_after(today, -8),
                mou_review_on=months_after(today, -2),  # overdue
                isa_in_place=True,
                secure_email="advice@charnwoodca.example.org",
                phone="0116 496 0750",
            ),
            [],
        ),
    ]


def seed_partners(session, now: datetime) -> dict[str, PartnerAgency]:
    """The demo registry, added once (an agency already recorded by name is left as it is).
    Returns the agencies keyed by the service each provides, by name, and 'no_isa' for the one
    without an information-sharing agreement (what casework.demo.onward.seed_onward takes)."""
    origin = Origin.command_line("demo seed")
    today = local_today(now)
    found: dict[str, PartnerAgency] = {}
    for details, contacts in _demo_agencies(today):
        agency = session.scalar(
            sa.select(PartnerAgency).where(
                sa.func.lower(PartnerAgency.name) == details.name.lower()
            )
        )
        if agency is None:
            agency = create_agency(session, details, actor=None, origin=origin, now=now)
            for contact in contacts:
                add_contact(session, agency.id, contact, actor=None, origin=origin, now=now)
        found[agency.name] = agency
        if agency.provides:
            found.setdefault(agency.provides, agency)
        if agency.in_registry and not agency.isa_in_place:
            found.setdefault("no_isa", agency)
    awaiting = find_or_create_agency(
        session,
        ReferrerDetails(AWAITING_NAME, "Community group", "Robin Helper", "robin@rcwh.example"),
        now,
        origin,
    )
    session.commit()
    found[awaiting.name] = awaiting
    return found
