"""Priority bands and reasons (Victims' Code enhanced entitlement)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from triage.enhanced import ENHANCED, FLAG_REASONS, STANDARD, ReferralFacts, assess_priority


@pytest.mark.parametrize(
    "facts,band,reasons",
    [
        (ReferralFacts(offence="Theft of pedal cycle"), STANDARD, ()),
        (
            ReferralFacts(offence="Assault", flags=frozenset({"DOMESTIC_ABUSE", "INTIMIDATED"})),
            ENHANCED,
            ("domestic abuse", "intimidated"),
        ),
        (
            ReferralFacts(offence="Racially aggravated public order offence"),
            ENHANCED,
            ("hate crime",),
        ),
        (
            ReferralFacts(offence="Rape of a woman 16 or over"),
            ENHANCED,
            ("sexual offence", "intimidated"),
        ),
        (
            ReferralFacts(offence="Rape", opted_out_of_intimidated=True),
            ENHANCED,
            ("sexual offence",),
        ),
        (
            ReferralFacts(offence="Stalking involving fear of violence"),
            ENHANCED,
            ("persistently targeted",),
        ),
        (
            ReferralFacts(offence="Criminal damage", flags=frozenset({"REPEAT_VICTIM"})),
            ENHANCED,
            ("persistently targeted (repeat victim)",),
        ),
        (
            ReferralFacts(offence="Wounding with intent to do grievous bodily harm"),
            ENHANCED,
            ("wounding or grievous bodily harm with intent",),
        ),
        (
            ReferralFacts(offence="Burglary", flags=frozenset({"VULNERABLE", "REFUSED_PHONE"})),
            ENHANCED,
            ("vulnerable",),
        ),
        (
            ReferralFacts(offence="Theft", raised_reason="caller distressed on the phone"),
            ENHANCED,
            ("raised by team leader: caller distressed on the phone",),
        ),
    ],
)
def test_bands_and_reasons(facts, band, reasons):
    priority = assess_priority(facts)
    assert priority.band == band
    assert priority.reasons == reasons


@pytest.mark.parametrize(
    "born,occurred,under_18",
    [
        (date(2010, 6, 21), date(2026, 11, 19), True),  # 16
        (date(2008, 11, 19), date(2026, 11, 19), False),  # 18 that very day
        (date(2008, 11, 20), date(2026, 11, 19), True),  # 18 tomorrow
        (date(2008, 2, 29), date(2026, 2, 28), True),  # leap-day birthday not yet reached
    ],
)
def test_under_18_at_the_time_of_the_offence(born, occurred, under_18):
    priority = assess_priority(
        ReferralFacts(offence="Theft", date_of_birth=born, occurred_on=occurred)
    )
    assert priority.children_and_young_people is under_18
    assert ("under 18" in priority.reasons) is under_18
    assert ("children_young_people" in priority.specialisms) is under_18


def test_several_categories_are_all_shown_and_pathway_suggested():
    priority = assess_priority(
        ReferralFacts(offence="Sexual assault", flags=frozenset({"DOMESTIC_ABUSE", "VULNERABLE"}))
    )
    assert set(priority.reasons) >= {
        "domestic abuse",
        "vulnerable",
        "sexual offence",
        "intimidated",
    }
    assert priority.pathway in {"domestic_abuse", "sexual_violence"}


@given(st.sets(st.sampled_from(sorted(FLAG_REASONS))), st.text(max_size=40))
def test_any_enhanced_flag_makes_the_referral_enhanced_and_never_less(flags, offence):
    with_flags = assess_priority(ReferralFacts(offence=offence, flags=frozenset(flags)))
    without = assess_priority(ReferralFacts(offence=offence))
    if flags:
        assert with_flags.band == ENHANCED
    assert with_flags.risk_score >= without.risk_score
    assert set(without.reasons) <= set(with_flags.reasons)
    assert (with_flags.band == ENHANCED) == bool(with_flags.reasons)
