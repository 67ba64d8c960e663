"""The quarterly return's financial-year quarters: 31 March is the last day of quarter 4, and
1 April starts quarter 1 of the next financial year."""

from datetime import date

import pytest

from casework.support.monitoring_quarter import (
    FinancialQuarter,
    parse_quarter,
    quarter_of,
    recent_quarters,
)


@pytest.mark.parametrize(
    ("day", "year", "number"),
    [
        (date(2026, 3, 31), 2025, 4),
        (date(2026, 4, 1), 2026, 1),
        (date(2026, 6, 30), 2026, 1),
        (date(2026, 7, 1), 2026, 2),
        (date(2026, 12, 31), 2026, 3),
        (date(2027, 1, 1), 2026, 4),
    ],
)
def test_a_day_falls_in_its_financial_quarter(day, year, number):
    quarter = quarter_of(day)
    assert (quarter.year, quarter.number) == (year, number)
    assert day in quarter


def test_quarter_four_runs_from_january_to_the_end_of_march():
    q4 = FinancialQuarter(2025, 4)
    assert (q4.start, q4.end) == (date(2026, 1, 1), date(2026, 4, 1))
    assert date(2026, 3, 31) in q4 and date(2026, 4, 1) not in q4
    assert q4.code == "2025-26-Q4"
    assert q4.label == "Quarter 4 of 2025/26 (January to March 2026)"


def test_a_quarter_code_is_read_back_none_is_the_current_quarter_and_nonsense_is_refused():
    today = date(2026, 11, 23)
    assert parse_quarter("2025-26-Q4", today) == FinancialQuarter(2025, 4)
    assert parse_quarter("2030-31-Q1", today) == FinancialQuarter(2030, 1)  # lists may look ahead
    for nothing in (None, "", "  "):
        assert parse_quarter(nothing, today) == FinancialQuarter(2026, 3)
    for nonsense in ("2025-27-Q4", "2025-26-Q5", "2026-27-Q7", "x", "x" * 500):
        with pytest.raises(ValueError, match=r"^Enter the quarter as a financial year"):
            parse_quarter(nonsense, today)
    with pytest.raises(ValueError, match="must begin between 2018 and 2099"):
        parse_quarter("2017-18-Q1", today)


def test_the_chooser_lists_recent_quarters_newest_first_and_an_older_one_shown():
    found = recent_quarters(date(2026, 4, 1), FinancialQuarter(2019, 2), count=3)
    assert [q.code for q in found] == ["2026-27-Q1", "2025-26-Q4", "2025-26-Q3", "2019-20-Q2"]
