import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.people.contact_details import normalise_email, normalise_phone, normalise_postcode


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("07700 900412", ("+447700900412", None)),
        ("+44 7700 900412", ("+447700900412", None)),
        ("+44 (0)7700-900412", ("+447700900412", None)),
        ("0116 496 0733", ("+441164960733", None)),
        ("020 7946 0000", ("+442079460000", None)),
        ("", (None, None)),
        ("12345", (None, "is not a possible UK phone number")),
        ("999", (None, "is not a possible UK phone number")),
        ("call me", (None, "is not a phone number")),
    ],
)
def test_phone_numbers(raw, expected):
    assert normalise_phone(raw) == expected


def _reference(raw: str):
    try:
        number = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.is_possible_number_with_reason(number) != 0:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@given(
    st.sampled_from(["0", "+44", "0044", "+44 (0)"]),
    st.text(alphabet="0123456789 -", min_size=6, max_size=14),
)
def test_fast_path_agrees_with_phonenumbers(prefix, rest):
    raw = prefix + rest
    assert normalise_phone(raw)[0] == _reference(raw)


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("le2 1hl", "LE2 1HL"),
        ("LE21HL", "LE2 1HL"),
        ("SW1A 1AA", "SW1A 1AA"),
        ("EC1A1BB", "EC1A 1BB"),
        ("M1 1AE", "M1 1AE"),
        ("B33 8TH", "B33 8TH"),
        ("CR2 6XH", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
    ],
)
def test_valid_postcodes_are_normalised(raw, expected):
    assert normalise_postcode(raw) == (expected, None)


@pytest.mark.parametrize("raw", ["LE2", "12345", "QQ1 1AA", "LE2 1HLX", "L E 2"])
def test_invalid_postcodes(raw):
    assert normalise_postcode(raw) == (None, "is not a valid UK postcode")


def test_emails():
    assert normalise_email(" Someone@Example.ORG ") == ("someone@example.org", None)
    assert normalise_email("no-at-sign")[1] == "is not a valid email address"
