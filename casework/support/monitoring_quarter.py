"""The quarters of the commissioner's quarterly monitoring return (spec 7 and 9): financial-year
quarters, April to June (quarter 1) to January to March (quarter 4), on UK dates. Group sessions
and complaints are counted by the quarter their date falls in. Pure date rules: no database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_CODE = re.compile(r"(20[0-9]{2})-([0-9]{2})-Q([1-4])")
FIRST_YEAR, LAST_YEAR = 2018, 2099  # the contract began in 2018
MONTHS = ("April to June", "July to September", "October to December", "January to March")


@dataclass(frozen=True)
class FinancialQuarter:
    """Quarter ``number`` (1-4) of the financial year starting 1 April ``year``: ``start`` up
    to, not including, ``end``."""

    year: int
    number: int

    @property
    def start(self) -> date:
        month = 3 * self.number + 1  # 4, 7, 10, 13
        return date(self.year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> date:
        following = self.next()
        return following.start

    def next(self) -> FinancialQuarter:
        """The quarter after this one."""
        if self.number == 4:
            return FinancialQuarter(self.year + 1, 1)
        return FinancialQuarter(self.year, self.number + 1)

    def previous(self) -> FinancialQuarter:
        """The quarter before this one."""
        if self.number == 1:
            return FinancialQuarter(self.year - 1, 4)
        return FinancialQuarter(self.year, self.number - 1)

    def __contains__(self, day: date) -> bool:
        return self.start <= day < self.end

    @property
    def code(self) -> str:
        """As in a link: ``2026-27-Q1``."""
        return f"{self.year}-{(self.year + 1) % 100:02d}-Q{self.number}"

    @property
    def label(self) -> str:
        """In words: "Quarter 4 of 2025/26 (January to March 2026)"."""
        return (
            f"Quarter {self.number} of {self.year}/{(self.year + 1) % 100:02d} "
            f"({MONTHS[self.number - 1]} {self.start.year})"
        )


def quarter_of(day: date) -> FinancialQuarter:
    """The financial quarter ``day`` falls in: 31 March is quarter 4 of the year before,
    1 April quarter 1 of the new one."""
    year = day.year if day.month >= 4 else day.year - 1
    return FinancialQuarter(year, (day.month - 4) % 12 // 3 + 1)


def parse_quarter(text: str | None, today: date) -> FinancialQuarter:
    """``2026-27-Q1`` as a quarter, or the current one when none is given; ValueError with a
    plain message for one that is not a quarter of the contract."""
    if not (text or "").strip():
        return quarter_of(today)
    found = _CODE.fullmatch(text.strip()[:20])
    if not found or int(found[2]) != (int(found[1]) + 1) % 100:
        raise ValueError(
            "Enter the quarter as a financial year and a quarter number, like 2026-27-Q1 "
            "(quarter 1 is April to June)"
        )
    if not FIRST_YEAR <= int(found[1]) <= LAST_YEAR:
        raise ValueError(f"The financial year must begin between {FIRST_YEAR} and {LAST_YEAR}")
    return FinancialQuarter(int(found[1]), int(found[3]))


def recent_quarters(today: date, shown: FinancialQuarter | None = None, count: int = 8):
    """The current quarter and the ones before it, newest first (the chooser), with ``shown``
    added at the end when it is not among them."""
    found = [quarter_of(today)]
    while len(found) < count:
        found.append(found[-1].previous())
    if shown is not None and shown not in found:
        found.append(shown)
    return found
