"""The one list of contact modes and the quarterly return's support figures (spec section 7),
checked over every combination of modes a person's contacts can have."""

from itertools import chain, combinations

import pytest

from triage.contact import PHONE_OUTCOMES, VISIT_OUTCOMES
from triage.contact_modes import (
    ATTEMPT_CHANNEL_MODES,
    CONTACT_MODES,
    NO_CONTACT,
    NOTE_MODES,
    SupportModes,
    attempt_mode,
    attempt_support_mode,
    mode_label,
    support_mode_flags,
    support_modes,
)

# Every mode, plus what is not a contact mode: "none" (a note of no contact) and a stray value.
VALUES = [*CONTACT_MODES, NO_CONTACT, "carrier_pigeon"]
EVERY_SET = [
    frozenset(c)
    for c in chain.from_iterable(combinations(VALUES, n) for n in range(len(VALUES) + 1))
]


def test_every_combination_is_checked():
    assert len(EVERY_SET) == 2 ** len(VALUES) == 256


@pytest.mark.parametrize("modes", EVERY_SET, ids=lambda s: "+".join(sorted(s)) or "nothing")
def test_support_figures_for_every_combination_of_modes(modes):
    contact = modes & set(CONTACT_MODES)
    for order in (sorted(modes), sorted(modes, reverse=True), [*sorted(modes)] * 2):
        flags = support_mode_flags(order)
        # "telephone support only": every contact was a telephone contact, and there was one.
        assert flags.telephone_only == (contact == {"telephone"})
        # "some face to face" and "some online web chat" are independent: both can be true.
        assert flags.some_face_to_face == ("face_to_face" in contact)
        assert flags.some_web_chat == ("web_chat" in contact)
        assert not (flags.telephone_only and (flags.some_face_to_face or flags.some_web_chat))

        category = support_modes(order)
        if not contact:
            assert category == "none"
        elif "face_to_face" in contact:
            assert category == "some_face_to_face"
        elif "web_chat" in contact:
            assert category == "some_web_chat"
        elif contact == {"telephone"}:
            assert category == "phone_only"
        else:
            assert category == "other"


@pytest.mark.parametrize(
    "modes,expected",
    [
        ([], SupportModes(False, False, False)),
        (["none", "none"], SupportModes(False, False, False)),
        (["telephone"], SupportModes(True, False, False)),
        (["telephone", "telephone", "none"], SupportModes(True, False, False)),
        (["telephone", "email"], SupportModes(False, False, False)),
        (["telephone", "face_to_face"], SupportModes(False, True, False)),
        (["web_chat"], SupportModes(False, False, True)),
        (["face_to_face", "web_chat"], SupportModes(False, True, True)),
        (["letter", "sms"], SupportModes(False, False, False)),
    ],
)
def test_support_figures_named_cases(modes, expected):
    assert support_mode_flags(modes) == expected


def test_note_modes_are_the_contact_modes_and_no_contact():
    assert list(NOTE_MODES) == [*CONTACT_MODES, NO_CONTACT]
    assert mode_label(NO_CONTACT) == "No contact"
    assert mode_label(None) == "No contact"
    assert all(mode_label(m) == label for m, label in CONTACT_MODES.items())


def test_every_attempt_channel_counts_as_a_contact_mode():
    assert set(ATTEMPT_CHANNEL_MODES.values()) <= set(CONTACT_MODES)
    assert attempt_mode("telephone") == "telephone"
    assert attempt_mode("home_visit") == "face_to_face"
    assert attempt_mode("carrier_pigeon") is None


ATTEMPTS = [("telephone", o) for o in PHONE_OUTCOMES] + [("home_visit", o) for o in VISIT_OUTCOMES]


@pytest.mark.parametrize("channel,outcome", ATTEMPTS)
def test_only_an_attempt_that_reached_the_person_is_support(channel, outcome):
    reached = outcome in ("spoke", "visited")
    expected = ATTEMPT_CHANNEL_MODES[channel] if reached else None
    assert attempt_support_mode(channel, outcome) == expected
