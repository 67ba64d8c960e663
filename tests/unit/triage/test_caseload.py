"""The caseload's next-call rule: three calls, at least two hours apart (D1, spec 3.7)."""

from datetime import UTC, datetime, timedelta

import pytest

from triage.caseload import NextCall, is_failed_call, next_call

NOW = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # the night the clocks go forward


@pytest.mark.parametrize(
    ("failed", "owed", "expected"),
    [
        ([], True, NextCall("now")),
        ([], False, NextCall("none")),
        ([NOW - timedelta(hours=3)], False, NextCall("none")),
        ([NOW - timedelta(hours=2)], True, NextCall("now")),
        ([NOW - timedelta(minutes=119)], True, NextCall("later", NOW + timedelta(minutes=1))),
        (
            [NOW - timedelta(hours=5), NOW - timedelta(minutes=30)],
            True,
            NextCall("later", NOW + timedelta(minutes=90)),
        ),
        ([NOW - timedelta(hours=h) for h in (2, 4, 6)], True, NextCall("no_more")),
    ],
)
def test_next_call_allowed(failed, owed, expected):
    assert next_call(failed, call_owed=owed, now=NOW) == expected


def test_the_gap_is_measured_from_the_latest_failed_call_whatever_order_given():
    calls = [NOW - timedelta(minutes=10), NOW - timedelta(hours=4)]
    assert next_call(calls, call_owed=True, now=NOW).at == NOW + timedelta(minutes=110)


@pytest.mark.parametrize(
    ("channel", "outcome", "failed"),
    [
        ("telephone", "no_answer", True),
        ("telephone", "voicemail", True),
        ("telephone", "wrong_number", True),
        ("telephone", "spoke", False),
        ("home_visit", "no_answer", False),
    ],
)
def test_which_attempts_count_towards_the_three(channel, outcome, failed):
    assert is_failed_call(channel, outcome) is failed
