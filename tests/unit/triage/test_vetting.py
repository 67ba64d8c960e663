"""Staff vetting rules (spec 12 and 15): received or not on a day, with the reasons."""

from dataclasses import replace
from datetime import date

import pytest

from triage.allocation import AllocationNeeds, CaseworkerProfile, left_out, rank_caseworkers
from triage.vetting import (
    PersonFacts,
    VettingFacts,
    expiry_within,
    required_nppv,
    vetting_needs,
    vetting_status,
)

CASEWORKER = VettingFacts(
    role="caseworker",
    nppv_level="NPPV2",
    nppv_granted_on=date(2025, 3, 1),
    nppv_expires_on=date(2028, 3, 1),
    dbs_level="enhanced_barred",
    dbs_issued_on=date(2025, 2, 1),
    dbs_recheck_on=date(2028, 2, 1),
)
TODAY = date(2026, 11, 20)


def test_caseworker_with_nppv2_and_current_enhanced_dbs_is_received():
    status = vetting_status(CASEWORKER, TODAY)
    assert status.received and status.reasons == ()


def test_managers_need_nppv3_others_nppv2():
    assert required_nppv("team_leader") == "NPPV3"
    assert [required_nppv(r) for r in ("caseworker", "hsb_advisor", "analyst", "admin")] == [
        "NPPV2"
    ] * 4


def test_team_leader_with_nppv2_is_not_enough():
    status = vetting_status(replace(CASEWORKER, role="team_leader"), TODAY)
    assert not status.received
    assert status.reasons == ("police vetting is NPPV 2; a team leader needs NPPV 3",)
    assert vetting_status(
        replace(CASEWORKER, role="team_leader", nppv_level="NPPV3"), TODAY
    ).received


def test_nppv3_covers_a_caseworker():
    assert vetting_status(replace(CASEWORKER, nppv_level="NPPV3"), TODAY).received


@pytest.mark.parametrize(
    ("expires", "received"),
    [
        (date(2026, 11, 21), True),  # the day before it expires: still counts
        (date(2026, 11, 20), False),  # the expiry date is the first day it no longer counts
        (date(2026, 11, 19), False),
    ],
)
def test_police_vetting_expires_on_its_expiry_date(expires, received):
    status = vetting_status(replace(CASEWORKER, nppv_expires_on=expires), TODAY)
    assert status.received is received
    if not received:
        assert status.reasons == (f"police vetting expired on {expires.day} November 2026",)


def test_dbs_lapsed_at_its_recheck_date_is_not_received():
    status = vetting_status(replace(CASEWORKER, dbs_recheck_on=date(2026, 11, 20)), TODAY)
    assert not status.received
    assert status.reasons == ("the DBS check lapsed on 20 November 2026 (recheck due)",)


def test_dbs_without_barred_lists_is_not_enough():
    status = vetting_status(replace(CASEWORKER, dbs_level="enhanced"), TODAY)
    assert not status.received
    assert "an enhanced check with the barred lists is needed" in status.reasons[0]


def test_nothing_recorded_says_both():
    status = vetting_status(VettingFacts(role="caseworker"), TODAY)
    assert status.reasons == ("no police vetting recorded", "no DBS check recorded")


def test_vetting_granted_after_today_does_not_count_yet():
    status = vetting_status(replace(CASEWORKER, nppv_granted_on=date(2026, 12, 1)), TODAY)
    assert status.reasons == ("police vetting is not granted until 1 December 2026",)


@pytest.mark.parametrize(("days_left", "warned"), [(60, True), (61, False), (1, True)])
def test_expiring_within_60_days_is_warned_but_still_received(days_left, warned):
    expires = date.fromordinal(TODAY.toordinal() + days_left)
    status = vetting_status(replace(CASEWORKER, nppv_expires_on=expires), TODAY)
    assert status.received
    assert bool(status.expiring) is warned
    assert (
        expiry_within(replace(CASEWORKER, nppv_expires_on=expires), TODAY) is not None
    ) is warned


def test_expiry_within_takes_the_soonest_and_includes_the_past():
    facts = replace(CASEWORKER, nppv_expires_on=date(2026, 12, 30), dbs_recheck_on=date(2026, 1, 5))
    assert expiry_within(facts, TODAY) == date(2026, 1, 5)
    assert expiry_within(CASEWORKER, TODAY) is None


@pytest.mark.parametrize(
    ("facts", "needs"),
    [
        (PersonFacts(date_of_birth=date(2009, 1, 1)), ("under 18",)),
        (PersonFacts(date_of_birth=date(2008, 11, 20)), ()),  # 18 today
        (PersonFacts(date_of_birth=date(2008, 11, 21)), ("under 18",)),  # 18 tomorrow
        # 18 now, but a child at the time of the offence
        (PersonFacts(date_of_birth=date(2008, 1, 1), occurred_on=date(2025, 6, 1)), ("under 18",)),
        (PersonFacts(under_18_at_offence=True), ("under 18",)),
        (PersonFacts(flags=frozenset({"VULNERABLE"})), ("a vulnerable adult",)),
        (PersonFacts(priority_reasons=("vulnerable",)), ("a vulnerable adult",)),
        (
            PersonFacts(date_of_birth=date(2012, 1, 1), flags=frozenset({"VULNERABLE"})),
            ("under 18", "vulnerable"),
        ),
        (PersonFacts(date_of_birth=date(1980, 1, 1), flags=frozenset({"HATE_CRIME"})), ()),
        (PersonFacts(), ()),
    ],
)
def test_who_needs_vetted_staff(facts, needs):
    assert vetting_needs(facts, TODAY) == needs


def test_ranking_leaves_out_unvetted_workers_only_when_the_person_needs_vetted_staff():
    vetted = CaseworkerProfile(1, "Vetted", open_caseload=9)
    unvetted = CaseworkerProfile(2, "Unvetted", vetting_received=False)
    child = AllocationNeeds(specialisms=("children_young_people",), needs_vetted_staff=True)
    assert [s.name for s in rank_caseworkers(child, [vetted, unvetted])] == ["Vetted"]
    assert left_out(child, [vetted, unvetted]) == 1
    adult = AllocationNeeds()
    assert [s.name for s in rank_caseworkers(adult, [vetted, unvetted])] == ["Unvetted", "Vetted"]
    assert left_out(adult, [vetted, unvetted]) == 0
