"""Restorative justice rules: the sensitive categories the police data shows, and whether a
restorative process may go ahead (spec 3.10)."""

from datetime import date

import pytest

from casework.support.models import RJ_SENSITIVE
from triage.enhanced import POLICE_FLAGS
from triage.restorative import (
    SENSITIVE_FLAGS,
    SENSITIVE_WORDS,
    RestorativeFacts,
    combined_sensitive,
    may_go_ahead,
    missing,
    police_sensitive,
    sensitive_words,
)


def test_the_categories_are_those_of_the_records():
    assert list(SENSITIVE_WORDS) == list(RJ_SENSITIVE)
    assert set(SENSITIVE_FLAGS) <= POLICE_FLAGS


@pytest.mark.parametrize(
    "offence,flags,expected",
    [
        ("Theft from a motor vehicle", [], ()),
        ("Assault occasioning actual bodily harm", ["DOMESTIC_ABUSE"], ("domestic_violence",)),
        ("Controlling or coercive behaviour in a relationship", [], ("domestic_violence",)),
        ("Common assault (domestic)", [], ("domestic_violence",)),
        ("Rape of a woman 16 or over", [], ("sexual_violence",)),
        ("Sexual assault on a female", [], ("sexual_violence",)),
        ("Assault", ["SEXUAL_OFFENCE"], ("sexual_violence",)),
        ("Holding a person in slavery or servitude", [], ("trafficking",)),
        ("Arranging travel with a view to exploitation", ["TRAFFICKING"], ("trafficking",)),
        ("Human trafficking for sexual exploitation", [], ("sexual_violence", "trafficking")),
        ("Stalking involving fear of violence", [], ("stalking",)),
        # Harassment is persistent targeting, not stalking, unless the police say stalking.
        ("Harassment without violence", [], ()),
        (
            "Child sexual exploitation: paying for sexual services of a child",
            [],
            ("sexual_violence", "cse"),
        ),
        ("Sexual activity with a child (CSE concern)", [], ("sexual_violence", "cse")),
        ("Murder", [], ("death",)),
        ("Manslaughter", [], ("death",)),
        ("Causing death by dangerous driving", [], ("death",)),
        ("Burglary dwelling", ["BEREAVED"], ("death",)),
        # Not a death: the victim survived.
        ("Attempted murder", [], ()),
        ("Conspiracy to murder", [], ()),
        ("Threats to kill", [], ()),
        ("Robbery", ["HATE_CRIME", "VULNERABLE", "REPEAT_VICTIM"], ()),
    ],
)
def test_police_categories_from_flags_and_offence(offence, flags, expected):
    assert police_sensitive([offence], flags) == expected


def test_a_sexual_offence_against_a_child_is_not_cse_without_the_words():
    assert police_sensitive(["Sexual assault on a girl under 13"], []) == ("sexual_violence",)


def test_categories_from_every_referral_of_the_case_in_order():
    found = police_sensitive(["Stalking", None, "Murder"], {"DOMESTIC_ABUSE"})
    assert found == ("domestic_violence", "stalking", "death")


def test_categories_are_only_added_never_taken_away():
    police = ("domestic_violence",)
    recorded = ("domestic_violence", "stalking")
    declared = ("death",)  # the worker ticked only this one now
    assert combined_sensitive(police, recorded, declared) == (
        "domestic_violence",
        "stalking",
        "death",
    )
    assert combined_sensitive(police, (), ("nonsense",)) == ("domestic_violence",)


def test_categories_in_words():
    assert sensitive_words(["stalking"]) == "stalking"
    assert sensitive_words(["death", "stalking", "domestic_violence"]) == (
        "domestic violence, stalking and a case resulting in death"
    )


ORDINARY = RestorativeFacts(
    requested_on=date(2026, 3, 31),
    offender_admitted_guilt=True,
    offender_accepted_responsibility=True,
)


def test_an_ordinary_request_goes_ahead_without_approval_or_facilitator():
    assert missing(ORDINARY) == ()
    assert may_go_ahead(ORDINARY)


@pytest.mark.parametrize(
    "change,words",
    [
        ({"requested_on": None}, "victim-initiated"),
        ({"offender_admitted_guilt": False}, "not admitted guilt"),
        ({"offender_accepted_responsibility": False}, "not accepted responsibility"),
    ],
)
def test_each_basic_condition_is_said_when_missing(change, words):
    facts = RestorativeFacts(**{**ORDINARY.__dict__, **change})
    assert not may_go_ahead(facts)
    (reason,) = missing(facts)
    assert words in reason


def test_admitted_guilt_without_accepting_responsibility_is_not_enough():
    facts = RestorativeFacts(date(2026, 4, 1), True, False)
    assert missing(facts) == ("The offender has not accepted responsibility for the harm caused",)


def test_a_sensitive_case_needs_justification_approval_and_experienced_facilitator():
    facts = RestorativeFacts(**{**ORDINARY.__dict__, "sensitive": ("domestic_violence",)})
    reasons = missing(facts)
    assert len(reasons) == 3
    assert all(r.startswith("This is a case of domestic violence, so") for r in reasons)
    assert "record why they apply" in reasons[0]
    assert "specialism: choose one before asking for approval" in reasons[1]
    assert reasons[2].endswith("must approve the exceptional circumstances and the facilitator")


def test_an_inexperienced_facilitator_is_not_enough_in_a_sensitive_case():
    facts = RestorativeFacts(
        **{
            **ORDINARY.__dict__,
            "sensitive": ("stalking",),
            "exceptional_justification": "The victim asked, with her IDVA, for shuttle contact",
            "approved": True,
            "facilitator_chosen": True,
            "facilitator_experienced": False,
            "facilitator_specialist": True,
        }
    )
    (reason,) = missing(facts)
    assert "not recorded as experienced" in reason


def test_a_facilitator_without_the_specialism_is_not_enough_in_a_sensitive_case():
    facts = RestorativeFacts(
        **{
            **ORDINARY.__dict__,
            "sensitive": ("stalking",),
            "exceptional_justification": "The victim asked, with her IDVA, for shuttle contact",
            "approved": True,
            "facilitator_chosen": True,
            "facilitator_experienced": True,
            "facilitator_specialist": False,
        }
    )
    (reason,) = missing(facts)
    assert "does not hold" in reason and "restorative justice specialism" in reason


def test_an_ordinary_request_needs_no_specialist_facilitator():
    facts = RestorativeFacts(**{**ORDINARY.__dict__, "facilitator_chosen": True})
    assert may_go_ahead(facts)


def test_a_sensitive_case_with_everything_goes_ahead():
    facts = RestorativeFacts(
        **{
            **ORDINARY.__dict__,
            "sensitive": ("death", "stalking"),
            "exceptional_justification": "The family asked for it; the offender has engaged",
            "approved": True,
            "facilitator_chosen": True,
            "facilitator_experienced": True,
            "facilitator_specialist": True,
        }
    )
    assert may_go_ahead(facts)


def test_a_blank_justification_is_no_justification():
    facts = RestorativeFacts(
        **{
            **ORDINARY.__dict__,
            "sensitive": ("cse",),
            "exceptional_justification": "   ",
            "approved": True,
            "facilitator_chosen": True,
            "facilitator_experienced": True,
            "facilitator_specialist": True,
        }
    )
    (reason,) = missing(facts)
    assert "record why" in reason


def test_everything_missing_at_once_is_all_said():
    facts = RestorativeFacts(None, False, False, ("sexual_violence",))
    assert len(missing(facts)) == 6
