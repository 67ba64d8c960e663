"""The target-hardening report for a quarter (Lot 2 section 4): referrals and from which team,
completions at each service level, emergencies, refusals, time from referral to fitting, cost
per property and spend against the annual funding, works within the D7 time, and the 12-month
outcomes (feels safer, is safer). Counts and sums only: no names, no case references.

Quarters are calendar quarters ("2026-Q3" is July to September 2026), on UK dates; the
financial year for spend to date runs from 1 April. Money is summed in whole pence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from statistics import median

import sqlalchemy as sa

from casework.cases.models import Case
from casework.onward.models import SERVICE_LEVELS, YES_NO_UNKNOWN, OnwardReferral, TargetHardening
from casework.staff.models import Team
from triage.onward import pence_to_pounds, th_attendance_due

# Lot 2 section 14: the service receives £90,000 a year.
ANNUAL_FUNDING_PENCE = 90_000 * 100
_QUARTER = re.compile(r"(20[0-9]{2})-Q([1-4])")
FIRST_YEAR, LAST_YEAR = 2018, 2100  # the contract began in August 2018


@dataclass(frozen=True)
class Quarter:
    """A calendar quarter: ``start`` up to (not including) ``end``, as UK dates."""

    year: int
    number: int

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        return (
            date(self.year + 1, 1, 1)
            if self.number == 4
            else date(self.year, 3 * self.number + 1, 1)
        )

    @property
    def code(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def label(self) -> str:
        months = ("January to March", "April to June", "July to September", "October to December")
        return f"{months[self.number - 1]} {self.year}"

    @property
    def financial_year_start(self) -> date:
        """1 April of the financial year the quarter's first day falls in."""
        return date(self.year if self.start.month >= 4 else self.year - 1, 4, 1)

    @property
    def financial_year_label(self) -> str:
        first = self.financial_year_start.year
        return f"{first}/{str(first + 1)[-2:]}"


def quarter_of(day: date) -> Quarter:
    """The calendar quarter ``day`` falls in."""
    return Quarter(day.year, (day.month - 1) // 3 + 1)


def parse_quarter(text: str | None, today: date) -> Quarter:
    """``2026-Q3`` as a Quarter, or the current quarter when none is given; ValueError with a
    plain message for one that is not a quarter Waypoint reports on."""
    if not (text or "").strip():
        return quarter_of(today)
    found = _QUARTER.fullmatch(text.strip()[:20])
    if not found:
        raise ValueError("Enter the quarter as a year and a quarter number, like 2026-Q3")
    if not FIRST_YEAR <= int(found[1]) <= LAST_YEAR:
        raise ValueError(f"The year must be between {FIRST_YEAR} and {LAST_YEAR}")
    return Quarter(int(found[1]), int(found[2]))


def recent_quarters(today: date, count: int = 8) -> list[Quarter]:
    """The current quarter and the ones before it, newest first (the chooser)."""
    found = [quarter_of(today)]
    while len(found) < count:
        q = found[-1]
        found.append(Quarter(q.year - 1, 4) if q.number == 1 else Quarter(q.year, q.number - 1))
    return found


@dataclass(frozen=True)
class Share:
    """``count`` of ``total``, with its percentage (whole, rounded half up; None of none)."""

    count: int
    total: int

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return (200 * self.count + self.total) // (2 * self.total)


@dataclass
class HardeningReport:
    """The quarter's figures."""

    quarter: Quarter
    referrals: int = 0
    by_team: list[tuple[str, int]] = field(default_factory=list)
    emergencies: int = 0
    refused: int = 0
    completed_by_level: dict[int, int] = field(default_factory=dict)
    fitting_working_days: list[int] = field(default_factory=list)
    completed_properties: int = 0
    spent_pence: int = 0
    year_spent_pence: int = 0
    attended: int = 0
    attended_in_time: int = 0
    feels_safer: dict[str, int] = field(default_factory=dict)
    is_safer: dict[str, int] = field(default_factory=dict)

    @property
    def completed(self) -> int:
        return sum(self.completed_by_level.values())

    @property
    def fitting_median(self) -> float | None:
        return median(self.fitting_working_days) if self.fitting_working_days else None

    @property
    def fitting_mean(self) -> float | None:
        days = self.fitting_working_days
        return round(sum(days) / len(days), 1) if days else None

    @property
    def mean_cost_pence(self) -> int | None:
        """Spend per property completed in the quarter, to the nearest penny (half up)."""
        n = self.completed_properties
        return (2 * self.spent_pence + n) // (2 * n) if n else None

    @property
    def year_left_pence(self) -> int:
        return ANNUAL_FUNDING_PENCE - self.year_spent_pence

    @property
    def year_share(self) -> Share:
        return Share(self.year_spent_pence, ANNUAL_FUNDING_PENCE)

    @property
    def within_time(self) -> Share:
        return Share(self.attended_in_time, self.attended)

    def outcome_shares(self, answers: dict[str, int]) -> list[tuple[str, Share]]:
        total = sum(answers.values())
        return [(label, Share(answers.get(k, 0), total)) for k, label in YES_NO_UNKNOWN.items()]


def _utc_start(day: date, calendar) -> datetime:
    """Midnight at the start of ``day`` on the UK clock, in UTC."""
    return datetime.combine(day, time(0), tzinfo=calendar.tz).astimezone(UTC)


def working_days_between(start: date, end: date, calendar) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when the same day)."""
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            count += 1
    return count


def hardening_report(session, quarter: Quarter, calendar) -> HardeningReport:
    """The figures for ``quarter`` across every team."""
    q_start, q_end = _utc_start(quarter.start, calendar), _utc_start(quarter.end, calendar)
    year_start = quarter.financial_year_start
    within = sa.and_

    rows = session.execute(
        sa.select(
            Team.name,
            OnwardReferral.made_at,
            TargetHardening.phoned_at,
            TargetHardening.urgency,
            TargetHardening.refused,
            TargetHardening.attended_at,
            TargetHardening.service_level,
            TargetHardening.cost_pence,
            TargetHardening.fitted_on,
            TargetHardening.completed_on,
            TargetHardening.follow_up_at,
            TargetHardening.follow_up_feels_safer,
            TargetHardening.follow_up_is_safer,
        )
        .join(OnwardReferral, OnwardReferral.id == TargetHardening.referral_id)
        .join(Case, Case.id == OnwardReferral.case_id)
        .join(Team, Team.id == Case.team_id)
        .where(
            sa.or_(
                within(OnwardReferral.made_at >= q_start, OnwardReferral.made_at < q_end),
                within(TargetHardening.attended_at >= q_start, TargetHardening.attended_at < q_end),
                within(
                    TargetHardening.follow_up_at >= q_start, TargetHardening.follow_up_at < q_end
                ),
                within(
                    TargetHardening.fitted_on >= quarter.start,
                    TargetHardening.fitted_on < quarter.end,
                ),
                within(
                    TargetHardening.completed_on >= year_start,
                    TargetHardening.completed_on < quarter.end,
                ),
            )
        )
    ).all()

    report = HardeningReport(quarter, completed_by_level=dict.fromkeys(SERVICE_LEVELS, 0))
    teams: dict[str, int] = {}
    feels = dict.fromkeys(YES_NO_UNKNOWN, 0)
    is_ = dict.fromkeys(YES_NO_UNKNOWN, 0)
    for row in rows:
        made = row.phoned_at if row.urgency == "emergency" and row.phoned_at else row.made_at
        if q_start <= row.made_at < q_end:
            report.referrals += 1
            teams[row.name] = teams.get(row.name, 0) + 1
            report.emergencies += row.urgency == "emergency"
            report.refused += bool(row.refused)
        if row.attended_at is not None and q_start <= row.attended_at < q_end:
            report.attended += 1
            due = th_attendance_due(made, row.urgency, calendar).due_at
            report.attended_in_time += row.attended_at <= due
        if row.fitted_on is not None and quarter.start <= row.fitted_on < quarter.end:
            report.fitting_working_days.append(
                working_days_between(calendar.local_date(row.made_at), row.fitted_on, calendar)
            )
        if row.completed_on is not None and year_start <= row.completed_on < quarter.end:
            report.year_spent_pence += row.cost_pence or 0
            if quarter.start <= row.completed_on:
                report.completed_properties += 1
                report.spent_pence += row.cost_pence or 0
                if row.service_level in report.completed_by_level:
                    report.completed_by_level[row.service_level] += 1
        if row.follow_up_at is not None and q_start <= row.follow_up_at < q_end:
            if row.follow_up_feels_safer in feels:
                feels[row.follow_up_feels_safer] += 1
            if row.follow_up_is_safer in is_:
                is_[row.follow_up_is_safer] += 1
    report.by_team = sorted(teams.items())
    report.feels_safer, report.is_safer = feels, is_
    return report


def report_rows(report: HardeningReport) -> list[tuple[str, str, str]]:
    """The report as (section, measure, value) rows, for the CSV download."""

    def pct(share: Share) -> str:
        return "" if share.percent is None else f"{share.percent}%"

    q = report.quarter
    rows = [("Quarter", q.label, q.code), ("Referrals", "Referrals made", str(report.referrals))]
    rows += [("Referrals by team", name, str(n)) for name, n in report.by_team]
    rows += [
        ("Referrals", "Emergency referrals", str(report.emergencies)),
        ("Referrals", "Refused the service", str(report.refused)),
    ]
    rows += [
        ("Completed", SERVICE_LEVELS[level], str(n))
        for level, n in report.completed_by_level.items()
    ]
    rows += [
        ("Completed", "All levels", str(report.completed)),
        (
            "Referral to fitting (working days)",
            "Median",
            "" if report.fitting_median is None else f"{report.fitting_median:g}",
        ),
        (
            "Referral to fitting (working days)",
            "Mean",
            "" if report.fitting_mean is None else f"{report.fitting_mean:g}",
        ),
        (
            "Referral to fitting (working days)",
            "Properties fitted",
            str(len(report.fitting_working_days)),
        ),
        ("Cost", "Spent in the quarter", pence_to_pounds(report.spent_pence)),
        ("Cost", "Mean cost per property completed", pence_to_pounds(report.mean_cost_pence)),
        (
            "Cost",
            f"Spent in financial year {q.financial_year_label} to the quarter's end",
            pence_to_pounds(report.year_spent_pence),
        ),
        ("Cost", "Annual funding", pence_to_pounds(ANNUAL_FUNDING_PENCE)),
        ("Cost", "Funding left this financial year", pence_to_pounds(report.year_left_pence)),
        ("Works within the D7 time", "Attended", str(report.attended)),
        ("Works within the D7 time", "Attended in time", str(report.attended_in_time)),
        ("Works within the D7 time", "Percentage in time", pct(report.within_time)),
    ]
    for title, answers in (
        ("12 months on: feels safer", report.feels_safer),
        ("12 months on: is safer", report.is_safer),
    ):
        for label, share in report.outcome_shares(answers):
            rows.append((title, label, f"{share.count} ({pct(share) or 'n/a'})"))
    return rows
