"""The HSB line's monthly monitoring for the funder (issue 16, spec Monitoring and Reporting):
anonymised counts for one Europe/London calendar month, as the JSON of DESIGN.md Stable
interfaces (``reports hsb-monthly``), and the page's themes and trends beside it.

Definitions (docs/hsb-report.md says the same for the funder):

- A contact belongs to the month its ``received_at`` falls in, on the UK clock.
- Calls partition into ``answered``; ``not_answered`` (missed or voicemail inside opening
  hours); and ``out_of_hours`` (received outside opening hours and not answered).
  ``not_answered_pct`` is not answered out of the calls inside opening hours (answered + not
  answered), to one decimal place; null when there were none.
- ``not_answered_by_weekday_hour``: the not-answered calls by UK weekday (Monday 0) and hour,
  only the cells with calls, in weekday then hour order.
- ``average_duration_seconds``: the mean of answered calls' end minus start, whole seconds;
  null when no answered call has both times.
- Callbacks: the D8 obligations of the month's contacts (not cancelled); ``made`` met at any
  time; ``made_within_d8`` met and never breached.
- Follow-up sessions: ``booked`` is the sessions booked in the month (a rescheduled session and
  the one replacing it count once: the replaced row is left out); ``held`` those held whose
  start falls in the month.
- Confidence: one pair per feedback answered in the month whose contact answered both
  questions at first contact and who answered both in the feedback. Each professional's before
  (and after) is the mean of their two answers; ``before_mean`` and ``after_mean`` average those
  over the pairs, and ``change_mean`` is after minus before; two decimal places; null with no
  pairs.
- ``signposted``: resources given in the month (each resource given to a contact once).
- ``total_charge_pence``: the month's contacts times the charge per contact (the setting now).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from casework.hsb.contacts import line_settings
from casework.hsb.models import (
    CHANNELS,
    CONCERN_TAGS,
    CONTINUUM,
    POLICY_TOPICS,
    REGIONS,
    SETTING_TYPES,
    TRAFFIC_LIGHT,
    AdviceContact,
    AdviceFeedback,
    AdviceResource,
    AdviceSession,
    ResourceGiven,
)
from casework.obligations.models import Obligation

LONDON = ZoneInfo("Europe/London")
FIRST_YEAR, LAST_YEAR = 2000, 2100
_MONTH = re.compile(r"(\d{4})-(\d{2})")
NOT_ANSWERED = ("missed", "voicemail")
TOP_RESOURCES = 10


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month on the UK clock."""

    year: int
    number: int

    @property
    def code(self) -> str:
        return f"{self.year:04d}-{self.number:02d}"

    @property
    def label(self) -> str:
        return date(self.year, self.number, 1).strftime("%B %Y")

    def following(self) -> Month:
        return Month(self.year + 1, 1) if self.number == 12 else Month(self.year, self.number + 1)

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.number == 1 else Month(self.year, self.number - 1)

    def start(self, tz=LONDON) -> datetime:
        """Midnight on the 1st, UK time (as an aware datetime)."""
        return datetime(self.year, self.number, 1, tzinfo=tz)

    def end(self, tz=LONDON) -> datetime:
        return self.following().start(tz)


def parse_month(text: str | None) -> Month:
    """``2026-10`` as a Month; ValueError with a plain message otherwise."""
    found = _MONTH.fullmatch((text or "").strip())
    if not found:
        raise ValueError("Enter the month as a year and month, like 2026-10")
    year, number = int(found[1]), int(found[2])
    if not 1 <= number <= 12:
        raise ValueError("The month must be between 01 and 12, like 2026-10")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"The year must be between {FIRST_YEAR} and {LAST_YEAR}")
    return Month(year, number)


def last_full_month(now: datetime) -> Month:
    """The month before the one ``now`` falls in, on the UK clock."""
    local = now.astimezone(LONDON)
    return Month(local.year, local.month).previous()


def recent_months(now: datetime, count: int = 13) -> list[Month]:
    """The current month and those before it, newest first (the page's chooser)."""
    local = now.astimezone(LONDON)
    found = [Month(local.year, local.month)]
    while len(found) < count:
        found.append(found[-1].previous())
    return found


# --- pure arithmetic --------------------------------------------------------------------------


def percent(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` as a percentage to one decimal place; None of none."""
    return round(100 * part / whole, 1) if whole else None


def mean(values: list[float], places: int = 2) -> float | None:
    """The mean to ``places`` decimal places; None of nothing."""
    return round(sum(values) / len(values), places) if values else None


def weekday_hour_cells(moments: list[datetime], tz=LONDON) -> list[list[int]]:
    """[[weekday (Monday 0), hour, n], ...] of moments on the clock of ``tz``, cells with
    any, in weekday then hour order."""
    counts = Counter()
    for moment in moments:
        local = moment.astimezone(tz)
        counts[(local.weekday(), local.hour)] += 1
    return [[day, hour, n] for (day, hour), n in sorted(counts.items())]


def confidence_pairs(
    answers: list[tuple[int | None, int | None, int | None, int | None]],
) -> dict:
    """``answers``: (identify before, respond before, identify after, respond after) per
    feedback. A pair needs all four; each professional's before and after are the mean of
    their two questions."""
    pairs = [
        ((ib + rb) / 2, (ia + ra) / 2) for ib, rb, ia, ra in answers if None not in (ib, rb, ia, ra)
    ]
    before = mean([b for b, _ in pairs])
    after = mean([a for _, a in pairs])
    return {
        "pairs": len(pairs),
        "before_mean": before,
        "after_mean": after,
        "change_mean": None if before is None else round(after - before, 2),
    }


# --- the figures ------------------------------------------------------------------------------


def _in(column, month: Month):
    return sa.and_(column >= month.start(), column < month.end())


def _counts(session, column, month: Month) -> dict[str, int]:
    rows = session.execute(
        sa.select(column, sa.func.count())
        .where(_in(AdviceContact.received_at, month))
        .group_by(column)
    ).all()
    return {key: n for key, n in rows if key is not None}


def monthly_figures(session, month: Month) -> dict:
    """The month's figures, exactly the keys of ``reports hsb-monthly`` (DESIGN.md)."""
    received = _in(AdviceContact.received_at, month)
    by_channel = _counts(session, AdviceContact.channel, month)
    contacts = {channel: by_channel.get(channel, 0) for channel in CHANNELS}
    contacts["total"] = sum(by_channel.values())

    calls = session.execute(
        sa.select(
            AdviceContact.call_outcome,
            AdviceContact.out_of_hours,
            AdviceContact.received_at,
            AdviceContact.started_at,
            AdviceContact.ended_at,
        ).where(received, AdviceContact.channel == "telephone")
    ).all()
    answered = [c for c in calls if c.call_outcome == "answered"]
    unanswered = [c for c in calls if c.call_outcome != "answered"]
    not_answered = [c for c in unanswered if not c.out_of_hours]
    out_of_hours = [c for c in unanswered if c.out_of_hours]
    durations = [
        (c.ended_at - c.started_at).total_seconds()
        for c in answered
        if c.started_at is not None and c.ended_at is not None and c.ended_at >= c.started_at
    ]

    month_contacts = sa.select(AdviceContact.id).where(received)
    callbacks = session.execute(
        sa.select(Obligation.status, Obligation.met_at.is_not(None), sa.func.count())
        .where(
            Obligation.kind == "callback",
            Obligation.status != "cancelled",
            Obligation.advice_contact_id.in_(month_contacts),
        )
        .group_by(Obligation.status, Obligation.met_at.is_not(None))
    ).all()

    emails = session.execute(
        sa.select(sa.func.count(), sa.func.count(AdviceContact.replied_at)).where(
            received, AdviceContact.channel == "email"
        )
    ).one()

    booked = session.scalar(
        sa.select(sa.func.count())
        .select_from(AdviceSession)
        .where(_in(AdviceSession.created_at, month), AdviceSession.replaced_by_id.is_(None))
    )
    held = session.scalar(
        sa.select(sa.func.count())
        .select_from(AdviceSession)
        .where(_in(AdviceSession.starts_at, month), AdviceSession.status == "held")
    )

    answers = session.execute(
        sa.select(
            AdviceContact.confidence_identify_before,
            AdviceContact.confidence_respond_before,
            AdviceFeedback.confidence_identify_after,
            AdviceFeedback.confidence_respond_after,
        )
        .join(AdviceContact, AdviceContact.id == AdviceFeedback.contact_id)
        .where(_in(AdviceFeedback.answered_at, month))
    ).all()

    signposted = session.scalar(
        sa.select(sa.func.count())
        .select_from(ResourceGiven)
        .where(_in(ResourceGiven.given_at, month))
    )
    charge = line_settings(session).charge_per_contact_pence
    return {
        "month": month.code,
        "contacts": contacts,
        "calls": {
            "answered": len(answered),
            "not_answered": len(not_answered),
            "not_answered_pct": percent(len(not_answered), len(answered) + len(not_answered)),
            "out_of_hours": len(out_of_hours),
            "not_answered_by_weekday_hour": weekday_hour_cells(
                [c.received_at for c in not_answered]
            ),
            "average_duration_seconds": (
                round(sum(durations) / len(durations)) if durations else None
            ),
        },
        "callbacks": {
            "due": sum(n for _, _, n in callbacks),
            "made": sum(n for _, made, n in callbacks if made),
            "made_within_d8": sum(n for status, made, n in callbacks if made and status == "met"),
        },
        "emails": {"received": int(emails[0]), "replied": int(emails[1])},
        "follow_up_sessions": {"booked": int(booked or 0), "held": int(held or 0)},
        "confidence": confidence_pairs([tuple(row) for row in answers]),
        "signposted": int(signposted or 0),
        "charge_per_contact_pence": int(charge),
        "total_charge_pence": int(charge) * contacts["total"],
    }


# --- themes and trends (the page, not the JSON) -----------------------------------------------


@dataclass(frozen=True)
class Theme:
    """One theme's counts this month and the month before, per choice (in the words' order)."""

    key: str
    title: str
    rows: list[tuple[str, int, int]] = field(default_factory=list)  # (label, this, previous)


def _list_counts(session, column, month: Month) -> Counter:
    counts: Counter = Counter()
    for values in session.scalars(sa.select(column).where(_in(AdviceContact.received_at, month))):
        counts.update(set(values or []))
    return counts


THEMES = (
    ("concern_tags", "Concerns", CONCERN_TAGS, True),
    ("traffic_light", "Brook traffic light", TRAFFIC_LIGHT, False),
    ("continuum", "Hackett's continuum", CONTINUUM, False),
    ("policy_topics", "Policy and whole-school topics", POLICY_TOPICS, True),
    ("setting_type", "Setting types", SETTING_TYPES, False),
    ("region", "Regions", REGIONS, False),
)


def themes(session, month: Month) -> list[Theme]:
    """Counts of each theme's choices among the month's contacts and the previous month's."""
    found = []
    for key, title, words, is_list in THEMES:
        column = getattr(AdviceContact, key)
        count = _list_counts if is_list else _counts
        now, before = count(session, column, month), count(session, column, month.previous())
        found.append(
            Theme(
                key, title, [(label, now.get(k, 0), before.get(k, 0)) for k, label in words.items()]
            )
        )
    return found


def top_resources(session, month: Month, limit: int = TOP_RESOURCES) -> list[tuple[str, int]]:
    """The resources given most in the month: (title, times given)."""
    times = sa.func.count(ResourceGiven.id)
    return [
        (title, n)
        for title, n in session.execute(
            sa.select(AdviceResource.title, times)
            .join(ResourceGiven, ResourceGiven.resource_id == AdviceResource.id)
            .where(_in(ResourceGiven.given_at, month))
            .group_by(AdviceResource.id, AdviceResource.title)
            .order_by(times.desc(), AdviceResource.title)
            .limit(limit)
        )
    ]


# --- the report as people see it: audited, and its CSV and anonymised export ------------------


@dataclass(frozen=True)
class MonthlyReport:
    """The month's figures (the JSON), its themes against the month before, and the resources
    signposted most."""

    month: Month
    figures: dict
    themes: list[Theme]
    resources: list[tuple[str, int]]


def _may_see(session, actor, origin, now, month: Month) -> None:
    from casework import access

    if actor is not None and not access.can_view_hsb_report(actor):
        access.refuse(
            session,
            actor=actor,
            origin=origin,
            record_type="hsb_monthly",
            record_id=month.code,
            now=now,
        )


def monthly_report(session, month: Month, *, actor, origin, now: datetime, what: str = "page"):
    """The report for ``month``, its viewing audited (``what``: page, csv or json)."""
    from casework.audit import record_event

    _may_see(session, actor, origin, now, month)
    report = MonthlyReport(
        month,
        monthly_figures(session, month),
        themes(session, month),
        top_resources(session, month),
    )
    record_event(
        session,
        action="hsb_monthly.viewed",
        origin=origin,
        actor=actor,
        record_type="hsb_monthly",
        record_id=month.code,
        detail={"as": what},
        at=now,
    )
    session.commit()
    return report


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def csv_rows(report: MonthlyReport) -> list[list[str]]:
    """The report as (section, measure, value) rows; every JSON figure, then the heatmap's
    cells, the themes and the resources."""
    f = report.figures

    def text(value) -> str:
        return "" if value is None else str(value)

    rows = [["Month", "Month", f["month"]]]
    for key, label in CHANNELS.items():
        rows.append(["Contacts", label, text(f["contacts"][key])])
    rows.append(["Contacts", "Total", text(f["contacts"]["total"])])
    calls = f["calls"]
    rows += [
        ["Calls", "Answered", text(calls["answered"])],
        ["Calls", "Not answered (inside opening hours)", text(calls["not_answered"])],
        ["Calls", "Not answered (%)", text(calls["not_answered_pct"])],
        ["Calls", "Outside opening hours", text(calls["out_of_hours"])],
        ["Calls", "Average duration (seconds)", text(calls["average_duration_seconds"])],
    ]
    for day, hour, n in calls["not_answered_by_weekday_hour"]:
        rows.append(["Calls not answered", f"{WEEKDAYS[day]} {hour:02d}:00", str(n)])
    rows += [
        ["Callbacks", "Due", text(f["callbacks"]["due"])],
        ["Callbacks", "Made", text(f["callbacks"]["made"])],
        ["Callbacks", "Made within D8", text(f["callbacks"]["made_within_d8"])],
        ["Emails", "Received", text(f["emails"]["received"])],
        ["Emails", "Replied to", text(f["emails"]["replied"])],
        ["Follow-up sessions", "Booked", text(f["follow_up_sessions"]["booked"])],
        ["Follow-up sessions", "Held", text(f["follow_up_sessions"]["held"])],
        ["Confidence", "Pairs", text(f["confidence"]["pairs"])],
        ["Confidence", "Before (mean)", text(f["confidence"]["before_mean"])],
        ["Confidence", "After (mean)", text(f["confidence"]["after_mean"])],
        ["Confidence", "Change (mean)", text(f["confidence"]["change_mean"])],
        ["Signposting", "Resources given", text(f["signposted"])],
        ["Charge", "Per contact (pence)", text(f["charge_per_contact_pence"])],
        ["Charge", "Total (pence)", text(f["total_charge_pence"])],
    ]
    for theme in report.themes:
        for label, this, previous in theme.rows:
            rows.append([f"Themes: {theme.title}", label, str(this)])
            rows.append([f"Themes: {theme.title} (previous month)", label, str(previous)])
    for title, n in report.resources:
        rows.append(["Resources signposted", title, str(n)])
    return rows


def _day(moment: datetime | None) -> str | None:
    """A moment's date on the UK clock (ISO 8601): the export holds no time of day."""
    if moment is None:
        return None
    return moment.astimezone(LONDON).date().isoformat()


# The export's columns: what the monitoring needs and nothing that names anyone (no name,
# organisation, email, phone or free text) or narrows a row to one school or one call: the
# region but not the local authority, the day but not the time (the figures hold the hours).
EXPORT_COLUMNS = (
    "channel",
    "call_outcome",
    "received_on",
    "out_of_hours",
    "call_duration_seconds",
    "replied_on",
    "setting_type",
    "region",
    "kind",
    "child_age",
    "incident_setting",
    "traffic_light",
    "continuum",
    "meets_threshold",
    "refer_to",
    "concern_tags",
    "ideology",
    "influencer",
    "policy_topics",
    "outcome",
    "confidence_identify_before",
    "confidence_respond_before",
    "confidence_identify_after",
    "confidence_respond_after",
    "satisfaction",
)


def export_rows(session, month: Month) -> list[dict]:
    """One anonymous row per contact received in the month, in order of receipt."""
    c = AdviceContact
    found = session.execute(
        sa.select(c, AdviceFeedback)
        .outerjoin(AdviceFeedback, AdviceFeedback.contact_id == c.id)
        .where(_in(c.received_at, month))
        .order_by(c.received_at, c.id)
    ).all()
    rows = []
    for number, (contact, feedback) in enumerate(found, start=1):
        duration = None
        if contact.started_at and contact.ended_at and contact.call_outcome == "answered":
            duration = round((contact.ended_at - contact.started_at).total_seconds())
        answered = feedback is not None and feedback.answered_at is not None
        rows.append(
            {
                "row": number,
                "channel": contact.channel,
                "call_outcome": contact.call_outcome,
                "received_on": _day(contact.received_at),
                "out_of_hours": bool(contact.out_of_hours),
                "call_duration_seconds": duration,
                "replied_on": _day(contact.replied_at),
                "setting_type": contact.setting_type,
                "region": contact.region,
                "kind": contact.kind,
                "child_age": contact.child_age,
                "incident_setting": contact.incident_setting,
                "traffic_light": contact.traffic_light,
                "continuum": contact.continuum,
                "meets_threshold": contact.meets_threshold,
                "refer_to": contact.refer_to,
                "concern_tags": ",".join(contact.concern_tags or []),
                "ideology": contact.ideology,
                "influencer": contact.influencer,
                "policy_topics": ",".join(contact.policy_topics or []),
                "outcome": contact.outcome,
                "confidence_identify_before": contact.confidence_identify_before,
                "confidence_respond_before": contact.confidence_respond_before,
                "confidence_identify_after": answered
                and feedback.confidence_identify_after
                or None,
                "confidence_respond_after": answered and feedback.confidence_respond_after or None,
                "satisfaction": answered and feedback.satisfaction or None,
            }
        )
    return rows


def anonymised_export(session, month: Month, *, actor, origin, now: datetime) -> bytes:
    """The month's contacts without anyone's details, as an SQLite database file (built with
    sqlite-utils): table ``contacts`` (EXPORT_COLUMNS), ``figures`` (the JSON, flattened) and
    ``resources_signposted``. Audited."""
    import json

    import sqlite_utils

    from casework.audit import record_event

    _may_see(session, actor, origin, now, month)
    rows = export_rows(session, month)
    figures = monthly_figures(session, month)
    resources = top_resources(session, month, limit=1000)
    out = sqlite_utils.Database(memory=True)
    columns = {"row": int, **dict.fromkeys(EXPORT_COLUMNS, str)}
    for name in (
        "out_of_hours",
        "call_duration_seconds",
        "child_age",
        "confidence_identify_before",
        "confidence_respond_before",
        "confidence_identify_after",
        "confidence_respond_after",
        "satisfaction",
    ):
        columns[name] = int
    out["contacts"].create(columns, pk="row")
    out["contacts"].insert_all(rows)
    out["figures"].create({"key": str, "value": str}, pk="key")
    out["figures"].insert_all(
        {"key": key, "value": json.dumps(value)} for key, value in figures.items()
    )
    out["resources_signposted"].create({"title": str, "times_given": int})
    out["resources_signposted"].insert_all(
        {"title": title, "times_given": n} for title, n in resources
    )
    data = out.conn.serialize()
    out.conn.close()
    record_event(
        session,
        action="hsb_monthly.exported",
        origin=origin,
        actor=actor,
        record_type="hsb_monthly",
        record_id=month.code,
        detail={"contacts": len(rows)},
        at=now,
    )
    session.commit()
    return data
