"""The target-hardening report's quarters (calendar quarters on UK dates) and the financial
year its spend to date runs in (from 1 April), and the percentages it shows."""

from datetime import date

import pytest

from casework.onward.hardening_report import Quarter, Share, parse_quarter, recent_quarters

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    "typed,code,start,end,year_from",
    [
        ("2026-Q1", "2026-Q1", date(2026, 1, 1), date(2026, 4, 1), date(2025, 4, 1)),
        ("2026-Q2", "2026-Q2", date(2026, 4, 1), date(2026, 7, 1), date(2026, 4, 1)),
        ("2026-Q3", "2026-Q3", date(2026, 7, 1), date(2026, 10, 1), date(2026, 4, 1)),
        ("2026-Q4", "2026-Q4", date(2026, 10, 1), date(2027, 1, 1), date(2026, 4, 1)),
        (" 2019-Q1 ", "2019-Q1", date(2019, 1, 1), date(2019, 4, 1), date(2018, 4, 1)),
        # None given is the current quarter.
        (None, "2026-Q4", date(2026, 10, 1), date(2027, 1, 1), date(2026, 4, 1)),
        ("", "2026-Q4", date(2026, 10, 1), date(2027, 1, 1), date(2026, 4, 1)),
    ],
)
def test_a_quarter_is_read_with_its_dates_and_financial_year(typed, code, start, end, year_from):
    quarter = parse_quarter(typed, TODAY)
    assert (quarter.code, quarter.start, quarter.end) == (code, start, end)
    assert quarter.financial_year_start == year_from


@pytest.mark.parametrize(
    "typed,problem",
    [
        ("2026-Q5", "Enter the quarter as a year and a quarter number, like 2026-Q3"),
        ("2026-Q9", "Enter the quarter as a year and a quarter number, like 2026-Q3"),
        ("1999-Q1", "Enter the quarter as a year and a quarter number, like 2026-Q3"),
        ("٢٠٢٦-Q1", "Enter the quarter as a year and a quarter number, like 2026-Q3"),
        ("x" * 500, "Enter the quarter as a year and a quarter number, like 2026-Q3"),
        ("2017-Q4", "The year must be between 2018 and 2100"),
    ],
)
def test_a_quarter_that_is_not_one_is_refused_in_words(typed, problem):
    with pytest.raises(ValueError) as refused:
        parse_quarter(typed, TODAY)
    assert str(refused.value) == problem


def test_the_chooser_offers_the_last_eight_quarters_newest_first():
    codes = [q.code for q in recent_quarters(TODAY)]
    assert codes == [
        "2026-Q4",
        "2026-Q3",
        "2026-Q2",
        "2026-Q1",
        "2025-Q4",
        "2025-Q3",
        "2025-Q2",
        "2025-Q1",
    ]
    assert Quarter(2027, 1).financial_year_label == "2026/27"


@pytest.mark.parametrize(
    "count,total,percent",
    [(2, 3, 67), (1, 3, 33), (1, 8, 13), (1, 200, 1), (0, 5, 0), (5, 5, 100), (0, 0, None)],
)
def test_percentages_are_whole_and_rounded_half_up(count, total, percent):
    assert Share(count, total).percent == percent
