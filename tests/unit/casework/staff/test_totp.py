"""Two-step verification codes against RFC 6238's own test values, and the acceptance window."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casework.staff import totp

# RFC 6238 Appendix B: the ASCII secret "12345678901234567890", HMAC-SHA1, 8 digits.
RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


@pytest.mark.parametrize(
    ("unix_time", "code"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_codes_match_rfc_6238(unix_time, code):
    moment = datetime.fromtimestamp(unix_time, UTC)
    assert totp.code_for(RFC_SECRET, totp.step_at(moment), digits=8) == code


def test_a_code_is_accepted_for_one_step_either_side_and_not_beyond():
    now = datetime(2026, 11, 21, 10, 0, 15, tzinfo=UTC)
    step = totp.step_at(now)
    for offset in (-1, 0, 1):
        assert totp.matching_step(RFC_SECRET, totp.code_for(RFC_SECRET, step + offset), now) == (
            step + offset
        )
    assert totp.matching_step(RFC_SECRET, totp.code_for(RFC_SECRET, step - 2), now) is None
    assert totp.matching_step(RFC_SECRET, totp.code_for(RFC_SECRET, step + 2), now) is None


def test_a_used_step_is_never_accepted_again():
    now = datetime(2026, 11, 21, 10, 0, 15, tzinfo=UTC)
    step = totp.step_at(now)
    code = totp.code_for(RFC_SECRET, step)
    assert totp.matching_step(RFC_SECRET, code, now, after=step) is None
    assert totp.matching_step(RFC_SECRET, code, now, after=step - 1) == step


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", None])
def test_anything_but_six_digits_is_refused(typed):
    assert totp.matching_step(RFC_SECRET, typed, datetime.now(UTC)) is None


def test_spaces_typed_inside_a_code_are_ignored():
    now = datetime(2026, 11, 21, 10, 0, 15, tzinfo=UTC)
    code = totp.code_for(RFC_SECRET, totp.step_at(now))
    assert totp.matching_step(RFC_SECRET, f"{code[:3]} {code[3:]}", now) is not None


@given(st.integers(min_value=0, max_value=2**40))
def test_codes_are_always_six_digits(step):
    code = totp.code_for(RFC_SECRET, step)
    assert len(code) == 6 and code.isdigit()


def test_new_secrets_are_distinct_and_read_back_through_the_link():
    first, second = totp.new_secret(), totp.new_secret()
    assert first != second and len(first) == 32
    link = totp.provisioning_uri(first, "sam@example.org")
    assert link.startswith("otpauth://totp/Waypoint:sam%40example.org?")
    assert f"secret={first}" in link
    assert totp.grouped(first).replace(" ", "") == first
