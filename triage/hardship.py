"""The hardship fund's rules, pure (spec 3.8: practical support via a small hardship fund,
currently £5k a year): the financial year of a day, whether a payment needs a team leader's
approval, whether it fits what is left of the year's budget, and money typed for the fund's
settings. Amounts are whole pence in integers; rules never query or read a clock.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from triage.onward import _POUNDS, pence_to_pounds

UK = ZoneInfo("Europe/London")
# A financial year runs from 1 April to 31 March and is named by the year it starts in.
YEAR_START_MONTH = 4
# The most a budget or the approval threshold may be set to: a sanity bound on typing.
MAX_SETTING_PENCE = 1_000_000 * 100
# Longer than any amount up to MAX_SETTING_PENCE could be written ("£1,000,000.00" is 13).
_MAX_TYPED = 20


def financial_year(day: date) -> int:
    """The financial year ``day`` falls in, named by the year it starts: 31 March 2027 is in
    2026 (2026 to 2027), 1 April 2027 in 2027."""
    return day.year if day.month >= YEAR_START_MONTH else day.year - 1


def financial_year_at(moment: datetime) -> int:
    """The financial year of ``moment``'s date in the UK (not in UTC: 00:30 BST on 1 April is
    still 31 March in UTC, but the new year in the UK)."""
    return financial_year(moment.astimezone(UK).date())


def year_bounds(year: int) -> tuple[date, date]:
    """The first and last days of financial year ``year``."""
    return date(year, YEAR_START_MONTH, 1), date(year + 1, YEAR_START_MONTH - 1, 31)


def year_words(year: int) -> str:
    """Financial year ``year`` in words: "April 2026 to March 2027"."""
    return f"April {year} to March {year + 1}"


def needs_approval(amount_pence: int, threshold_pence: int) -> bool:
    """A payment needs a team leader's approval when it is more than the threshold (a payment
    of exactly the threshold does not)."""
    return amount_pence > threshold_pence


def remaining(budget_pence: int, committed_pence: int) -> int:
    """What is left of the year's budget: the budget less what is committed (payments approved
    and those waiting for approval). Negative when an admin paid over the budget."""
    return budget_pence - committed_pence


def fits(amount_pence: int, budget_pence: int, committed_pence: int) -> bool:
    """Whether a payment of ``amount_pence`` fits what is left of the budget (it may use up
    exactly what is left)."""
    return amount_pence <= remaining(budget_pence, committed_pence)


def over_budget_by(amount_pence: int, budget_pence: int, committed_pence: int) -> int:
    """How much a payment would take the year over its budget (0 when it fits)."""
    return max(0, amount_pence - max(0, remaining(budget_pence, committed_pence)))


def over_budget_message(amount_pence: int, budget_pence: int, committed_pence: int) -> str:
    """Why a payment does not fit, with the numbers."""
    left = max(0, remaining(budget_pence, committed_pence))
    return (
        f"A payment of {pence_to_pounds(amount_pence)} is more than the "
        f"{pence_to_pounds(left)} left in this year's hardship fund (budget "
        f"{pence_to_pounds(budget_pence)}, {pence_to_pounds(committed_pence)} already paid or "
        f"waiting for approval)"
    )


def setting_pounds_to_pence(text: str, what: str = "an amount") -> int:
    """A budget or threshold typed in pounds and pence ("£5,000", "100.00") as whole pence,
    from £0 to £1,000,000. Refused with a message a person can act on: more than two decimal
    places, a minus sign, an exponent, "NaN" or a bare "£" are not amounts."""
    cleaned = (text or "").strip()
    limit = f"Enter {what} no more than £{MAX_SETTING_PENCE // 100:,}"
    if len(cleaned) > _MAX_TYPED:
        raise ValueError(limit)
    match = _POUNDS.fullmatch(cleaned)
    if not match:
        raise ValueError(f"Enter {what} in pounds and pence, like 5,000.00")
    pence = int(match.group(1).replace(",", "")) * 100 + int(match.group(2) or 0)
    if pence > MAX_SETTING_PENCE:
        raise ValueError(limit)
    return pence
