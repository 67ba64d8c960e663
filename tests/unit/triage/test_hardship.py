"""The hardship fund's rules: the financial year of a UK date (the UK date decides, at the
turn of the year in British Summer Time), approval above the threshold only, a payment fitting
what is left, and amounts typed for the settings."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from casework.db import utcnow
from triage.hardship import (
    MAX_SETTING_PENCE,
    financial_year,
    financial_year_at,
    fits,
    needs_approval,
    over_budget_by,
    over_budget_message,
    remaining,
    setting_pounds_to_pence,
    year_bounds,
    year_words,
)
from triage.statements import statement_problems


def test_the_financial_year_is_named_by_the_year_it_starts():
    assert financial_year(date(2027, 3, 31)) == 2026
    assert financial_year(date(2027, 4, 1)) == 2027
    assert financial_year(date(2027, 1, 1)) == 2026
    assert financial_year(date(2026, 12, 31)) == 2026
    assert year_bounds(2026) == (date(2026, 4, 1), date(2027, 3, 31))
    assert year_words(2026) == "April 2026 to March 2027"


def test_at_2330_bst_on_31_march_it_is_still_the_old_year():
    # 31 March 2027 23:30 BST is 22:30 UTC (the clocks went forward on 28 March 2027).
    with time_machine.travel(datetime(2027, 3, 31, 22, 30, tzinfo=UTC), tick=False):
        assert financial_year_at(utcnow()) == 2026


def test_at_0030_bst_on_1_april_it_is_the_new_year_though_utc_is_still_31_march():
    # 1 April 2027 00:30 BST is 23:30 UTC on 31 March: the UK date decides.
    with time_machine.travel(datetime(2027, 3, 31, 23, 30, tzinfo=UTC), tick=False):
        now = utcnow()
        assert now.date() == date(2027, 3, 31)
        assert financial_year_at(now) == 2027


def test_only_an_amount_strictly_above_the_threshold_needs_approval():
    assert not needs_approval(10_000, 10_000)
    assert needs_approval(10_001, 10_000)
    assert not needs_approval(9_999, 10_000)
    assert needs_approval(1, 0)


def test_the_balance_is_the_budget_less_what_is_committed():
    assert remaining(500_000, 120_050) == 379_950
    assert fits(379_950, 500_000, 120_050)
    assert not fits(379_951, 500_000, 120_050)
    assert over_budget_by(379_951, 500_000, 120_050) == 1
    assert over_budget_by(100, 500_000, 510_000) == 100
    assert remaining(500_000, 510_000) == -10_000
    message = over_budget_message(50_000, 500_000, 470_000)
    assert "£500.00" in message and "£300.00 left" in message and "£5,000.00" in message


@pytest.mark.parametrize(
    "typed,pence",
    [
        ("5000", 500_000),
        ("£5,000.00", 500_000),
        ("£ 5,000", 500_000),
        ("0", 0),
        ("100.50", 10_050),
        ("1000000", MAX_SETTING_PENCE),
    ],
)
def test_settings_amounts_in_pounds_and_pence(typed, pence):
    assert setting_pounds_to_pence(typed) == pence


@pytest.mark.parametrize(
    "typed", ["12.345", "-5", "1e3", "£", "NaN", "", "12.5", "１２", "1000000.01", "9" * 30]
)
def test_settings_amounts_that_are_not_money_are_refused_clearly(typed):
    with pytest.raises(ValueError, match="Enter"):
        setting_pounds_to_pence(typed)


TODAY = date(2026, 11, 23)


def _vps(**fields):
    values = {
        "offered_on": date(2026, 11, 2),
        "answer": "accepted",
        "helped_on": date(2026, 11, 9),
        "given_on": date(2026, 11, 16),
        "court": "Leicester Crown Court",
        "today": TODAY,
    }
    values.update(fields)
    return statement_problems(**values)


def test_a_statement_offered_helped_and_given_in_order_is_fine():
    assert _vps() == {}
    assert _vps(helped_on=None, given_on=None, court=None) == {}
    assert _vps(answer="declined", helped_on=None, given_on=None, court="") == {}
    assert _vps(given_on=date(2026, 11, 9), offered_on=date(2026, 11, 9)) == {}


def test_a_statement_out_of_order_or_in_the_future_is_refused():
    assert "before it was offered" in _vps(helped_on=date(2026, 11, 1))["helped_on"]
    assert "before they were helped" in _vps(given_on=date(2026, 11, 8))["given_on"]
    assert (
        "future"
        in _vps(offered_on=date(2026, 11, 24), helped_on=None, given_on=None, court=None)[
            "offered_on"
        ]
    )
    assert "future" in _vps(given_on=date(2026, 11, 24))["given_on"]
    assert "did not want help" in _vps(answer="declined")["helped_on"]
    assert "helped to write it first" in _vps(helped_on=None)["given_on"]
    assert "Enter the court" in _vps(court=" ")["court"]
    assert "date it was given" in _vps(given_on=None)["given_on"]
    assert "Select" in _vps(answer="maybe")["answer"]
