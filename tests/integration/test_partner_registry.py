"""The partner registry (issue 14 part 1; partnerships policy 3.4, 7-9): agencies validated and
unique by name, MOU reviews every six months (month ends included) on the admin's list, contacts,
reviews recorded and audited, the partner form and standard email linking referrals to registry
records by name or email domain (never webmail), agencies awaiting an entry completed or merged,
non-admins refused on every change, and team boundaries on an agency's referrals."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
import time_machine

from casework.audit import Origin
from casework.db import db
from casework.errors import ValidationError
from casework.onward.models import OnwardReferral, SharingConsent
from casework.partners.merging import merge_agency
from casework.partners.models import PartnerAgency, PartnerContact
from casework.partners.registry import (
    AgencyDetails,
    ContactDetails,
    add_contact,
    create_agency,
    months_after,
    record_review,
    registry_agencies,
    reviews_due,
    update_agency,
)
from casework.plans.models import PlanAction
from casework.referrals.models import Referral
from casework.referrals.partner_referral import (
    ReferrerDetails,
    find_or_create_agency,
    submit_partner_referral,
)
from casework.referrals.victim_details import VictimDetails
from scheduling.service_calendars import victim_calendar
from tests.conftest import audit_rows, csrf_token, hidden_value, sent_twice, sign_in
from tests.factories import add_plan_action, create_case_for_notes

ORIGIN = Origin.command_line("test")
NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)  # Monday


def _agency(name="Freeva Domestic Abuse Service", **fields) -> PartnerAgency:
    details = AgencyDetails(
        name=name,
        agency_type=fields.pop("agency_type", "specialist_support"),
        partnership_level=fields.pop("partnership_level", "partner_specialist"),
        **fields,
    )
    return create_agency(db.session, details, actor=None, origin=ORIGIN, now=NOW)


def _count(model) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields,field,message",
    [
        ({"name": "   "}, "name", "Enter the agency's name"),
        ({"name": "x" * 201}, "name", "200 characters or fewer"),
        ({"secure_email": "referrals at freeva"}, "secure_email", "correct format"),
        ({"secure_email": "a@b"}, "secure_email", "correct format"),
        ({"agency_type": "spaceship"}, "agency_type", "from the list"),
        ({"agency_type": None}, "agency_type", "Select the type of agency"),
        ({"partnership_level": "best_friend"}, "partnership_level", "from the list"),
        ({"partnership_level": None}, "partnership_level", "Select the level"),
        ({"provides": "other"}, "provides", "from the list"),
        ({"provides": "pizza"}, "provides", "from the list"),
        ({"mou_signed_on": date(2026, 11, 24)}, "mou_signed_on", "today or in the past"),
        ({"mou_signed_on": date(1901, 1, 1)}, "mou_signed_on", "within the last 30 years"),
        (
            {"mou_signed_on": date(2026, 5, 1), "mou_review_on": date(2026, 5, 1)},
            "mou_review_on",
            "after the date the MOU was signed",
        ),
        ({"mou_review_on": date(2099, 1, 1)}, "mou_review_on", "within 3 years"),
        ({"phone": "call reception"}, "phone", "telephone number"),
        ({"keyworker_name": "k" * 201}, "keyworker_name", "200 characters or fewer"),
        ({"notes": "n" * 5001}, "notes", "5000 characters or fewer"),
    ],
)
def test_a_bad_entry_is_refused_with_a_clear_message_and_nothing_is_stored(
    app, fields, field, message
):
    with pytest.raises(ValidationError) as refused:
        _agency(**{"name": "Freeva", **fields})
    assert message in refused.value.errors[field]
    assert _count(PartnerAgency) == 0 and audit_rows("partner.create") == []


def test_an_agency_awaiting_its_entry_needs_no_type_or_level(app):
    agency = create_agency(
        db.session,
        AgencyDetails("Oadby Hub", in_registry=False),
        actor=None,
        origin=ORIGIN,
        now=NOW,
    )
    assert agency.in_registry is False and agency.agency_type is None


def test_names_are_unique_whatever_their_case_and_spacing(app):
    _agency("Soar Valley Housing Association")
    with pytest.raises(ValidationError) as refused:
        _agency("  soar   VALLEY housing association ")
    assert refused.value.errors["name"] == "An agency with this name is already recorded"
    other = _agency("Another")
    with pytest.raises(ValidationError):
        update_agency(
            db.session,
            other.id,
            AgencyDetails("SOAR VALLEY HOUSING ASSOCIATION", True, "housing", "associate"),
            version=other.version,
            actor=None,
            origin=ORIGIN,
            now=NOW,
        )
    db.session.rollback()
    assert db.session.get(PartnerAgency, other.id).name == "Another"


@pytest.mark.parametrize(
    "signed,review",
    [
        (date(2026, 5, 23), date(2026, 11, 23)),
        (date(2026, 8, 31), date(2027, 2, 28)),  # no 31 February: the month's last day
        (date(2025, 8, 29), date(2026, 2, 28)),
        (date(2026, 3, 31), date(2026, 9, 30)),
        (date(2026, 7, 31), date(2027, 1, 31)),  # across the year end
    ],
)
def test_an_mou_signed_is_reviewed_six_months_later_at_month_ends_too(app, signed, review):
    assert _agency(mou_signed_on=signed).mou_review_on == review


def test_months_after_a_31_august_in_a_leap_year_is_29_february():
    assert months_after(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert months_after(date(2026, 1, 31), -2) == date(2025, 11, 30)


def test_a_review_date_given_is_kept(app):
    agency = _agency(mou_signed_on=date(2026, 5, 1), mou_review_on=date(2026, 8, 1))
    assert agency.mou_review_on == date(2026, 8, 1)


def test_an_edit_opened_before_someone_elses_is_refused(app):
    agency = _agency()
    opened = agency.version
    details = AgencyDetails("Freeva", True, "specialist_support", "partner", keyworker_name="Jo")
    update_agency(
        db.session, agency.id, details, version=opened, actor=None, origin=ORIGIN, now=NOW
    )
    late = AgencyDetails("Freeva DA", True, "specialist_support", "partner")
    with pytest.raises(ValidationError) as refused:
        update_agency(
            db.session, agency.id, late, version=opened, actor=None, origin=ORIGIN, now=NOW
        )
    assert "Someone else changed this agency" in refused.value.errors[""]
    db.session.rollback()
    assert db.session.get(PartnerAgency, agency.id).name == "Freeva"
    [change] = audit_rows("partner.update")
    assert change.detail_dict == {
        "name": "Freeva",
        "partnership_level": "partner",
        "keyworker_name": "Jo",
    }


# --- reviews ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "today,due",
    [
        (date(2026, 11, 30), ["Overdue", "Today"]),  # 31 December is 31 days away
        (date(2026, 12, 1), ["Overdue", "Today", "Year end"]),  # 30 days away: due
        (date(2027, 1, 31), ["Overdue", "Year end", "Today", "Leap"]),
        (date(2026, 10, 1), ["Overdue", "Today"]),
    ],
)
def test_reviews_due_within_30_days_or_overdue_are_listed_overdue_first(app, today, due):
    _agency("Year end", mou_review_on=date(2026, 12, 31))
    _agency("Leap", mou_review_on=date(2027, 2, 28))
    _agency("Today", mou_review_on=today)
    _agency("Overdue", mou_review_on=date(2026, 9, 30))
    _agency("Never", mou_review_on=None)
    create_agency(
        db.session,
        AgencyDetails("Not in the registry", in_registry=False, mou_review_on=date(2026, 9, 1)),
        actor=None,
        origin=ORIGIN,
        now=NOW,
    )
    assert [a.name for a in reviews_due(db.session, today)] == due


def _review_on_31_august(agency, admin) -> None:
    """The admin records the agency's MOU review as held on 31 August 2026, that day."""
    with time_machine.travel("2026-08-31 09:00 +0000", tick=False):
        record_review(
            db.session,
            agency.id,
            reviewed_on=date(2026, 8, 31),
            version=agency.version,
            actor=admin,
            origin=ORIGIN,
            now=datetime(2026, 8, 31, 9, tzinfo=UTC),
        )


def test_a_review_recorded_sets_the_next_six_months_on_and_is_audited(app, sign_in_as):
    admin = sign_in_as("admin")
    agency = _agency(mou_signed_on=date(2026, 2, 28))
    _review_on_31_august(agency, admin)
    assert db.session.get(PartnerAgency, agency.id).mou_review_on == date(2027, 2, 28)
    [row] = audit_rows("partner.review")
    assert (row.actor_id, row.record_type, row.record_id) == (
        admin.id,
        "partner_agency",
        str(agency.id),
    )
    assert row.detail_dict["next"] == "2027-02-28"


def test_an_agencys_audit_link_opens_its_changes(app, client, sign_in_as):
    """The agency page's 'Changes to this entry' link searches the trail for the agency: its
    record type is one the search offers, so it answers with the changes, not an error."""
    admin = sign_in_as("admin")
    agency = _agency(mou_signed_on=date(2026, 2, 28))
    _review_on_31_august(agency, admin)
    page = client.get(f"/partners/{agency.id}").get_data(as_text=True)
    link = re.search(r'href="(/admin/audit\?[^"]+)">Changes to this entry', page)
    response = client.get(html.unescape(link.group(1)))
    assert response.status_code == 200
    trail = response.get_data(as_text=True)
    assert "partner.review" in trail and f"Partner agency {agency.id}" in trail
    assert "Not a valid choice" not in trail


@pytest.mark.parametrize(
    "reviewed_on,message",
    [
        (None, "Enter the date the review was held"),
        (date(2026, 11, 24), "today or in the past"),
        (date(2025, 1, 1), "within the last year"),
        (date(2026, 1, 31), "on or after the date the MOU was signed"),
    ],
)
def test_an_impossible_review_is_refused_and_changes_nothing(app, reviewed_on, message):
    agency = _agency(mou_signed_on=date(2026, 2, 1))
    with pytest.raises(ValidationError) as refused:
        record_review(
            db.session,
            agency.id,
            reviewed_on=reviewed_on,
            version=agency.version,
            actor=None,
            origin=ORIGIN,
            now=NOW,
        )
    assert message in refused.value.errors["reviewed_on"]
    db.session.rollback()
    assert db.session.get(PartnerAgency, agency.id).mou_review_on == date(2026, 8, 1)


def test_the_onward_form_is_offered_registry_agencies_providing_the_service_first(app):
    _agency("Alpha Advice")
    _agency("Zeta Locks", provides="target_hardening")
    _agency("Beta Locks", provides="target_hardening")
    create_agency(
        db.session, AgencyDetails("Awaiting Locks", False), actor=None, origin=ORIGIN, now=NOW
    )
    assert [a.name for a in registry_agencies(db.session, "target_hardening")] == [
        "Beta Locks",
        "Zeta Locks",
        "Alpha Advice",
    ]
    assert [a.name for a in registry_agencies(db.session)] == [
        "Alpha Advice",
        "Beta Locks",
        "Zeta Locks",
    ]


# --- the partner form and the standard email link to registry records ---------------------------


def _referrer(agency: str, email: str) -> ReferrerDetails:
    return ReferrerDetails(agency, "", "Harriet Referrer", email)


def test_a_referrer_is_matched_by_name_whatever_the_spacing_and_case(app):
    agency = _agency("Soar Valley Housing Association")
    found = find_or_create_agency(
        db.session, _referrer(" soar  valley HOUSING association", "h@elsewhere.example"), NOW
    )
    assert found.id == agency.id


def test_a_referrer_is_matched_by_the_domain_of_a_registry_agencys_address(app):
    freeva = _agency("Freeva", secure_email="referrals@freeva.example.org")
    locks = _agency("24/7 Locks")
    add_contact(
        db.session,
        locks.id,
        ContactDetails("Dan", email="dan@247locks.example.org"),
        actor=None,
        origin=ORIGIN,
        now=NOW,
    )
    by_secure = find_or_create_agency(
        db.session, _referrer("FREEVA LLR", "ann@Freeva.example.org"), NOW
    )
    by_contact = find_or_create_agency(
        db.session, _referrer("Locks", "x@247locks.example.org"), NOW
    )
    assert (by_secure.id, by_contact.id) == (freeva.id, locks.id)
    assert _count(PartnerAgency) == 2


@pytest.mark.parametrize(
    "email",
    [
        "someone@gmail.com",
        "a@outlook.com",
        "a@hotmail.com",
        "a@yahoo.com",
        "a@icloud.com",
        "a@btinternet.com",
        # Shared secure services: a GP on nhs.net is not the triage service also on it.
        "gp.reception@nhs.net",
        "officer@cjsm.net",
    ],
)
def test_a_webmail_address_never_matches_an_agency(app, email):
    _agency("Hub on webmail", secure_email=f"hub@{email.split('@')[1]}")
    found = find_or_create_agency(db.session, _referrer("Rutland Hub", email), NOW)
    assert found.name == "Rutland Hub" and found.in_registry is False


def test_a_domain_two_agencies_share_or_only_an_unregistered_one_uses_matches_nothing(app):
    _agency("Council housing", secure_email="housing@council.example.gov.uk")
    _agency("Council social care", secure_email="care@council.example.gov.uk")
    create_agency(
        db.session,
        AgencyDetails("Awaiting", False, secure_email="x@awaiting.example.org"),
        actor=None,
        origin=ORIGIN,
        now=NOW,
    )
    shared = find_or_create_agency(
        db.session, _referrer("Council", "a@council.example.gov.uk"), NOW
    )
    unregistered = find_or_create_agency(
        db.session, _referrer("Other", "b@awaiting.example.org"), NOW
    )
    assert (shared.name, unregistered.name) == ("Council", "Other")
    assert not shared.in_registry and not unregistered.in_registry


def _partner_referral(agency_name: str, email: str, n: int) -> Referral:
    return submit_partner_referral(
        db.session,
        _referrer(agency_name, email),
        VictimDetails(
            f"Peter{n}",
            "Demo",
            "HOME_PHONE",
            phone=f"0116 496 05{n:02d}",
            safe_to_voicemail=True,
            safe_to_text=False,
            account="Neighbours keep throwing things at his windows",
        ),
        consent=True,
        dedupe_token=f"test-{agency_name}-{n}",
        calendar=victim_calendar(app_config()),
        now=NOW,
        origin=ORIGIN,
    )


def app_config():
    from flask import current_app

    return current_app.config


def test_the_public_form_links_its_referral_to_the_registry_record(client, app):
    agency = _agency("Freeva", secure_email="referrals@freeva.example.org")
    page = client.get("/partner-referral").get_data(as_text=True)
    token = hidden_value(page, "submission_token")
    response = client.post(
        "/partner-referral",
        data={
            "csrf_token": csrf_token(client, "/partner-referral"),
            "submission_token": token,
            "agency_name": "Freeva Leicester",
            "agency_kind": "Charity",
            "referrer_name": "Ann",
            "referrer_email": "ann@freeva.example.org",
            "consent": "y",
            "forename": "Robin",
            "surname": "Sample",
            "contact_method": "MOBILE_PHONE",
            "phone": "07700 900123",
            "safe_to_voicemail": "no",
            "safe_to_text": "yes",
            "account": "Her ex keeps turning up",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    [referral] = db.session.scalars(sa.select(Referral)).all()
    assert referral.partner_agency_id == agency.id and _count(PartnerAgency) == 1


# --- awaiting a registry entry: completed or merged -----------------------------------------


def test_merging_moves_everything_to_the_registry_agency_and_deletes_the_duplicate(
    app, create_staff_record, create_team_record
):
    team = create_team_record()
    worker = create_staff_record("caseworker", team=team)
    leader = create_staff_record("team_leader", team=team)
    admin = create_staff_record("admin")
    real = _agency("Soar Valley Housing Association", secure_email="t@soarvalley.example.org")
    first = _partner_referral("Soar Valley HA", "harriet@gmail.com", 1)
    second = _partner_referral("Soar Valley HA", "harriet@gmail.com", 2)
    duplicate = db.session.get(PartnerAgency, first.partner_agency_id)
    assert duplicate.id != real.id and second.partner_agency_id == duplicate.id
    case = create_case_for_notes(caseworker=worker, team_leader=leader)
    action = add_plan_action(case, by=worker)
    action.owner_kind, action.owner_partner_id = "partner", duplicate.id
    consent = SharingConsent(
        case_id=case.id,
        agency_id=duplicate.id,
        given=True,
        how="spoken",
        recorded_by_id=worker.id,
        recorded_at=NOW,
    )
    db.session.add(consent)
    db.session.flush()
    db.session.add(
        OnwardReferral(
            case_id=case.id,
            agency_id=duplicate.id,
            service="other",
            method="phone",
            shared_fields=["name"],
            consent_id=consent.id,
            made_at=NOW,
            made_by_id=worker.id,
            status="sent",
            created_at=NOW,
            updated_at=NOW,
        )
    )
    db.session.commit()
    duplicate_id = duplicate.id

    merge_agency(
        db.session,
        duplicate_id,
        real.id,
        version=duplicate.version,
        actor=admin,
        origin=ORIGIN,
        now=NOW,
    )

    db.session.rollback()
    assert db.session.get(PartnerAgency, duplicate_id) is None
    assert {
        r.partner_agency_id
        for r in db.session.scalars(sa.select(Referral).where(Referral.source == "partner"))
    } == {real.id}
    assert db.session.get(PlanAction, action.id).owner_partner_id == real.id
    assert db.session.scalar(sa.select(SharingConsent.agency_id)) == real.id
    assert db.session.scalar(sa.select(OnwardReferral.agency_id)) == real.id
    assert [c.email for c in db.session.scalars(sa.select(PartnerContact))] == ["harriet@gmail.com"]
    rows = audit_rows("partner.merge")
    assert {r.record_id for r in rows} == {str(duplicate_id), str(real.id)}
    assert rows[0].detail_dict["referrals"] == 2 and rows[0].detail_dict["onward_referrals"] == 1
    assert rows[0].actor_id == admin.id


def test_merging_into_an_agency_not_in_the_registry_or_itself_is_refused(app):
    awaiting = create_agency(
        db.session, AgencyDetails("Awaiting", False), actor=None, origin=ORIGIN, now=NOW
    )
    other = create_agency(
        db.session, AgencyDetails("Also awaiting", False), actor=None, origin=ORIGIN, now=NOW
    )
    for into in (other.id, awaiting.id, None, 2**31):
        with pytest.raises(ValidationError):
            merge_agency(
                db.session,
                awaiting.id,
                into,
                version=awaiting.version,
                actor=None,
                origin=ORIGIN,
                now=NOW,
            )
        db.session.rollback()
    assert _count(PartnerAgency) == 2 and audit_rows("partner.merge") == []


def test_a_registry_agency_is_never_merged_away(app):
    first = create_agency(
        db.session,
        AgencyDetails("Locks One", True, "contractor", "partner"),
        actor=None,
        origin=ORIGIN,
        now=NOW,
    )
    second = create_agency(
        db.session,
        AgencyDetails("Locks Two", True, "contractor", "partner"),
        actor=None,
        origin=ORIGIN,
        now=NOW,
    )
    with pytest.raises(ValidationError) as refused:
        merge_agency(
            db.session,
            first.id,
            second.id,
            version=first.version,
            actor=None,
            origin=ORIGIN,
            now=NOW,
        )
    assert "awaiting a registry entry" in refused.value.errors[""]
    db.session.rollback()
    assert _count(PartnerAgency) == 2 and audit_rows("partner.merge") == []


# --- pages --------------------------------------------------------------------------------------


@pytest.fixture
def clock():
    with time_machine.travel("2026-11-23 10:00 +0000", tick=False) as traveller:
        yield traveller


def test_an_admin_adds_an_agency_a_contact_and_a_review_through_the_pages(client, clock, admin):
    response = client.post(
        "/partners/new",
        data={
            "csrf_token": csrf_token(client, "/partners/new"),
            "name": "Juniper Lodge",
            "in_registry": "y",
            "agency_type": "specialist_support",
            "partnership_level": "partner_specialist",
            "provides": "sexual_violence",
            "keyworker_name": "Jo Patel",
            "mou_signed_on": ["1", "6", "2026"],
            "isa_in_place": "y",
            "secure_email": "Referrals@JuniperLodge.example.org",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    agency = db.session.scalar(sa.select(PartnerAgency))
    assert (agency.mou_review_on, agency.secure_email, agency.isa_in_place) == (
        date(2026, 12, 1),
        "referrals@juniperlodge.example.org",
        True,
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Juniper Lodge added to the registry." in page and "Record a partnership review" in page
    response = client.post(
        f"/partners/{agency.id}/contacts/new",
        data={
            "csrf_token": csrf_token(client, f"/partners/{agency.id}/contacts/new"),
            "name": "Priya Nurse",
            "email": "priya@juniperlodge.example.org",
        },
    )
    assert response.status_code == 302
    registry = client.get("/partners").get_data(as_text=True)
    assert "Partnership reviews due" in registry and "Juniper Lodge" in registry
    db.session.rollback()
    agency = db.session.get(PartnerAgency, agency.id)
    response = client.post(
        f"/partners/{agency.id}/review",
        data={
            "csrf_token": csrf_token(client, f"/partners/{agency.id}"),
            "version": str(agency.version),
            "reviewed_on": ["20", "11", "2026"],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Review recorded. The next is due by 20 May 2027." in page
    assert [r.action for r in audit_rows() if r.action.startswith("partner.")] == [
        "partner.create",
        "partner.contact.add",
        "partner.review",
    ]


def test_the_same_contact_form_sent_twice_adds_one_contact(client, admin):
    """A resend would list the person twice at the agency."""
    agency = _agency("Freeva", mou_signed_on=date(2026, 6, 1))
    path = f"/partners/{agency.id}/contacts/new"
    page = sent_twice(client, path, {"name": "Priya Nurse", "phone": "0116 496 0731"})
    assert _count(PartnerContact) == 1 and len(audit_rows("partner.contact.add")) == 1
    assert "Priya Nurse added as a contact." not in page  # the second send added nothing
    fresh = {
        "csrf_token": csrf_token(client, path),
        "name": "Priya Nurse",
        "phone": "0116 496 0731",
    }
    assert client.post(path, data=fresh).status_code == 302  # a fresh form adds another
    assert _count(PartnerContact) == 2


def test_a_bad_form_is_shown_back_with_its_errors_and_nothing_stored(client, admin):
    response = client.post(
        "/partners/new",
        data={
            "csrf_token": csrf_token(client, "/partners/new"),
            "name": "",
            "in_registry": "y",
            "secure_email": "not an address",
            "mou_signed_on": ["31", "2", "2026"],
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html and "Enter the agency" in html
    assert "must be a real date" in html
    assert _count(PartnerAgency) == 0


@pytest.fixture
def agency_with_contact(app):
    agency = _agency("Freeva", mou_signed_on=date(2026, 6, 1))
    contact = add_contact(
        db.session,
        agency.id,
        ContactDetails("Maya", phone="0116 496 0731"),
        actor=None,
        origin=ORIGIN,
        now=NOW,
    )
    return agency, contact


@pytest.mark.parametrize("role", ["caseworker", "team_leader", "analyst"])
def test_only_admins_change_the_registry(client, sign_in_as, agency_with_contact, role):
    agency, contact = agency_with_contact
    sign_in_as(role)
    token = csrf_token(client, "/account")
    posts = {
        "/partners/new": {
            "name": "Sneaky",
            "agency_type": "other",
            "partnership_level": "associate",
        },
        f"/partners/{agency.id}/edit": {"name": "Renamed", "version": "1"},
        f"/partners/{agency.id}/contacts/new": {"name": "Eve", "email": "eve@x.example"},
        f"/partners/{agency.id}/contacts/{contact.id}/remove": {},
        f"/partners/{agency.id}/review": {"reviewed_on": ["1", "11", "2026"], "version": "1"},
        f"/partners/{agency.id}/merge": {"into_id": str(agency.id), "version": "1"},
    }
    before = (_count(PartnerAgency), _count(PartnerContact))
    for path, data in posts.items():
        assert client.post(path, data={"csrf_token": token, **data}).status_code == 403, path
        if not path.endswith(("remove", "review")):
            assert client.get(path).status_code == 403, path
    db.session.rollback()
    assert (_count(PartnerAgency), _count(PartnerContact)) == before
    assert db.session.get(PartnerAgency, agency.id).name == "Freeva"
    assert len(audit_rows("access.denied")) >= len(posts)
    # ... but they read the registry and the agency's page, without the admin's links
    page = client.get(f"/partners/{agency.id}").get_data(as_text=True)
    assert "Maya" in page and "Edit the entry" not in page and "Record a partnership" not in page
    listing = client.get("/partners").get_data(as_text=True)
    assert "Freeva" in listing and "Partnership reviews due" not in listing


@pytest.mark.parametrize(
    ("role", "service"),
    [
        ("hsb_advisor", "hsb"),
        ("team_leader", "hsb"),
        ("hsb_advisor", "victim"),
        ("volunteer", "victim"),
    ],
)
def test_the_advice_line_and_volunteers_never_read_the_registry(
    client, sign_in_as, create_team_record, agency_with_contact, role, service
):
    """An entry names the agency's keyworkers and who referred victims from it: the advice
    line's staff (found typing its address) and volunteers get 403, audited, on every page."""
    agency, _ = agency_with_contact
    sign_in_as(role, team=create_team_record(service=service))
    for path in ("/partners", f"/partners/{agency.id}", "/partners?show=awaiting"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "Maya" not in response.get_data(as_text=True)
    assert len(audit_rows("access.denied")) == 3


def test_the_old_address_of_the_admins_partner_list_leads_to_the_registry(client, admin):
    response = client.get("/admin/partners?show=awaiting&_external=1")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/partners?show=awaiting")


def test_staff_find_the_registry_in_their_menu(client, caseworker):
    assert 'href="/partners"' in client.get("/account").get_data(as_text=True)


def test_an_agencys_page_lists_only_the_referrals_the_viewer_may_see(
    app, client, create_staff_record, create_team_record
):
    ours, theirs = create_team_record("City"), create_team_record("County")
    me = create_staff_record("caseworker", team=ours)
    colleague = create_staff_record("caseworker", team=theirs)
    agency = _agency("Freeva", secure_email="r@freeva.example.org")
    mine = _partner_referral("Freeva", "a@freeva.example.org", 1)
    other = _partner_referral("Freeva", "a@freeva.example.org", 2)
    queue = _partner_referral("Freeva", "a@freeva.example.org", 3)
    mine.allocated_to_id, other.allocated_to_id = me.id, colleague.id
    db.session.commit()
    sign_in(client, me.email)
    page = client.get(f"/partners/{agency.id}").get_data(as_text=True)
    # Counted as listed: another team's referral is not even a number here.
    assert "2 referrals you can see came from Freeva." in page
    assert mine.reference in page and queue.reference in page
    assert other.reference not in page and f"/referrals/{other.id}" not in page
    # the referral page names the agency with a link to its entry
    referral_page = client.get(f"/referrals/{mine.id}").get_data(as_text=True)
    assert f'href="/partners/{agency.id}">Freeva</a>' in referral_page


def test_the_agencys_page_counts_onward_referrals_by_state(
    app, client, create_staff_record, create_team_record
):
    team = create_team_record()
    worker = create_staff_record("caseworker", team=team)
    leader = create_staff_record("team_leader", team=team)
    agency = _agency("Freeva")
    case = create_case_for_notes(caseworker=worker, team_leader=leader)
    consent = SharingConsent(
        case_id=case.id,
        agency_id=agency.id,
        given=True,
        how="spoken",
        recorded_by_id=worker.id,
        recorded_at=NOW,
    )
    db.session.add(consent)
    db.session.flush()
    for status in ("sent", "sent", "accepted"):
        db.session.add(
            OnwardReferral(
                case_id=case.id,
                agency_id=agency.id,
                service="domestic_abuse",
                method="phone",
                shared_fields=["name"],
                consent_id=consent.id,
                made_at=NOW,
                made_by_id=worker.id,
                status=status,
                created_at=NOW,
                updated_at=NOW,
            )
        )
    db.session.commit()
    sign_in(client, worker.email)
    page = client.get(f"/partners/{agency.id}").get_data(as_text=True)
    assert "3 onward referrals you can see were sent to Freeva" in page
    assert "Sent, waiting for an outcome: 2" in page and "Accepted: 1" in page
    assert case.reference not in page
    # Another team's caseworker: not even the number of this team's referrals.
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    sign_in(client, create_staff_record("caseworker", team=create_team_record()).email)
    page = client.get(f"/partners/{agency.id}").get_data(as_text=True)
    assert "No onward referral you can see has been sent to Freeva." in page


# --- demo -----------------------------------------------------------------------------------


def test_the_demo_registry_is_seeded_once_with_each_kind_of_partner(app):
    from casework.demo.partners import seed_partners

    first = seed_partners(db.session, NOW)
    again = seed_partners(db.session, NOW)
    assert {k: a.id for k, a in first.items()} == {k: a.id for k, a in again.items()}
    assert {"target_hardening", "mental_health", "sexual_violence", "domestic_abuse"} <= set(first)
    locks = first["target_hardening"]
    assert locks.isa_in_place and locks.secure_email.endswith(".example.org")
    assert first["no_isa"].agency_type == "housing" and not first["no_isa"].isa_in_place
    today = date(2026, 11, 23)
    assert any(a.mou_review_on < today for a in reviews_due(db.session, today))
    assert [a for a in first.values() if not a.in_registry]


def test_an_admin_completes_an_agency_awaiting_its_entry_and_a_stale_form_is_refused(
    client, clock, admin
):
    awaiting = find_or_create_agency(
        db.session,
        ReferrerDetails("Oadby Hub", "Community", "Robin", "robin@oadby.example", "0116 496 0999"),
        NOW,
    )
    db.session.commit()
    form = client.get(f"/partners/{awaiting.id}/edit").get_data(as_text=True)
    assert "referred someone before it had a registry entry" in form
    assert 'value="0116 496 0999"' in form  # the number it gave, offered for the entry
    data = {
        "csrf_token": csrf_token(client, f"/partners/{awaiting.id}/edit"),
        "version": str(awaiting.version),
        "name": "Oadby Community Hub",
        "in_registry": "y",
        "agency_type": "voluntary",
        "partnership_level": "associate",
        "mou_signed_on": ["31", "8", "2026"],
    }
    assert client.post(f"/partners/{awaiting.id}/edit", data=data).status_code == 302
    db.session.rollback()
    done = db.session.get(PartnerAgency, awaiting.id)
    assert (done.in_registry, done.name, done.mou_review_on) == (
        True,
        "Oadby Community Hub",
        date(2027, 2, 28),
    )
    form = client.get(f"/partners/{awaiting.id}/edit").get_data(as_text=True)
    assert re.search(r'id="mou_signed_on-day"[^>]*value="31"', form), (
        "the signed date is shown back"
    )
    stale = client.post(f"/partners/{awaiting.id}/edit", data={**data, "name": "Late"})
    assert stale.status_code == 400
    assert "Someone else changed this agency meanwhile" in stale.get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(PartnerAgency, awaiting.id).name == "Oadby Community Hub"
    [change] = audit_rows("partner.update")
    assert change.detail_dict["in_registry"] is True


def test_an_agency_first_recorded_by_a_referral_is_audited(app):
    agency = find_or_create_agency(
        db.session, _referrer("Rutland Hub", "r@rutlandhub.example"), NOW, ORIGIN
    )
    db.session.commit()
    [row] = audit_rows("partner.recorded")
    assert (row.record_id, row.user_agent) == (str(agency.id), "cli:test")
    find_or_create_agency(db.session, _referrer("RUTLAND HUB", "r@rutlandhub.example"), NOW, ORIGIN)
    db.session.commit()
    assert len(audit_rows("partner.recorded")) == 1
