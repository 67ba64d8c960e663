"""Distance travelled (issue 13 part 3; DESIGN.md Needs assessment; spec 7): per area and per
reporting domain, a case's first complete assessment against its latest.

For one case it is read from the two assessments and worked out by the pure rules in
triage.needs. For a cohort (the quarterly return) the database does the work: the first and
latest complete assessment of each case by min/max subqueries, joined to their areas, the areas
mapped to domains with a CASE, and everything aggregated by area and by domain, so 50,000 cases
cost one statement, not 50,000 (bench/distance_travelled.py). A case with fewer than two
complete assessments has no distance travelled and is not counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from casework.assessments.models import AssessmentArea, NeedsAssessment
from casework.cases.models import Case
from triage.needs import AREAS, DOMAINS, Movement, area_movements, domain_movements

CHUNK = 5_000
# Areas that share a domain with another (personal safety and mental health make up "health"):
# only these are grouped per case to score their domain.
SHARED_AREAS = {a for _l, areas in DOMAINS.values() if len(areas) > 1 for a in areas}


@dataclass(frozen=True)
class CaseDistance:
    """A case's distance travelled: its first and latest complete assessments and how each
    area and domain moved between them."""

    first: NeedsAssessment
    latest: NeedsAssessment
    areas: list[Movement]
    domains: list[Movement]


def case_distance(session, case_id: int) -> CaseDistance | None:
    """The case's distance travelled, or None with fewer than two complete assessments."""
    found = list(
        session.scalars(
            sa.select(NeedsAssessment)
            .where(NeedsAssessment.case_id == case_id, NeedsAssessment.status == "complete")
            .order_by(NeedsAssessment.held_on, NeedsAssessment.id)
        )
    )
    if len(found) < 2:
        return None
    first, latest = found[0], found[-1]
    before = {a.area: a.score for a in first.areas}
    after = {a.area: a.score for a in latest.areas}
    return CaseDistance(
        first, latest, area_movements(before, after), domain_movements(before, after)
    )


@dataclass(frozen=True)
class CohortMovement:
    """How one area or domain moved across a cohort: the cases counted, the mean change
    (latest minus first; positive is better), and how many improved, stayed the same or got
    worse."""

    key: str
    label: str
    cases: int
    mean_change: float | None
    improved: int
    unchanged: int
    worse: int


@dataclass(frozen=True)
class CohortDistance:
    """Distance travelled for a cohort: ``cases`` with two or more complete assessments, and
    the movement per area and per domain (spec 7), in the form's and the return's order."""

    cases: int
    areas: list[CohortMovement]
    domains: list[CohortMovement]


def _domain_of(area_column):
    """SQL mapping an area code to its reporting domain (triage.needs.DOMAINS)."""
    whens = [
        (area_column == area, domain)
        for domain, (_label, areas) in DOMAINS.items()
        for area in areas
    ]
    return sa.case(*whens, else_=sa.null())


def _pairs(cases_where):
    """Each counted case's first and latest complete assessment ids: the days of its first and
    latest by min and max over the case's complete assessments (two or more), then the first
    one held that first day and the last one held that latest day, found by the
    (case, status, held_on, id) index. Min/max subqueries, not window functions: SQLite does
    the grouping in one pass of the index, where ranking sorts every assessment twice."""
    days = (
        sa.select(
            NeedsAssessment.case_id,
            sa.func.min(NeedsAssessment.held_on).label("first_day"),
            sa.func.max(NeedsAssessment.held_on).label("latest_day"),
        )
        .join(Case, Case.id == NeedsAssessment.case_id)
        .where(NeedsAssessment.status == "complete", *cases_where)
        .group_by(NeedsAssessment.case_id)
        .having(sa.func.count() >= 2)
        .subquery("days")
    )
    other = aliased(NeedsAssessment, name="other")

    def held(day, pick):
        return (
            sa.select(pick(other.id))
            .where(
                other.case_id == days.c.case_id,
                other.status == "complete",
                other.held_on == day,
            )
            .scalar_subquery()
        )

    return sa.select(
        days.c.case_id,
        held(days.c.first_day, sa.func.min).label("first_id"),
        held(days.c.latest_day, sa.func.max).label("latest_id"),
    ).cte("pairs")


def _scores(pairs, name: str, areas=None):
    """Each counted case's first and latest score per area (only ``areas``, when given), with
    the area's reporting domain: the pairs joined to their areas by the (assessment, area)
    index."""
    first = aliased(AssessmentArea, name=f"{name}_first")
    latest = aliased(AssessmentArea, name=f"{name}_latest")
    query = (
        sa.select(
            pairs.c.case_id,
            first.area.label("area"),
            _domain_of(first.area).label("domain"),
            first.score.label("first"),
            latest.score.label("latest"),
        )
        .select_from(pairs)
        .join(first, first.assessment_id == pairs.c.first_id)
        .join(
            latest,
            sa.and_(latest.assessment_id == pairs.c.latest_id, latest.area == first.area),
        )
        .where(first.score.is_not(None), latest.score.is_not(None))
    )
    if areas is not None:
        query = query.where(first.area.in_(sorted(areas)))
    return query.subquery(name)


def _movement_sums(session, cases_where) -> tuple[int, dict, dict]:
    """(cases, per area, per domain) sums for the cases matching ``cases_where``: each row
    (cases, total change, improved, unchanged, worse). One statement: the pairs are a common
    table expression (SQLite materialises a CTE read more than once) joined to the areas once
    for the areas' figures, and again for the areas that share a domain, whose mean per case
    gives the domain's figures."""
    pairs = _pairs(cases_where)
    scores = _scores(pairs, "scores")
    shared = _scores(pairs, "shared", SHARED_AREAS)
    change = sa.cast(scores.c.latest - scores.c.first, sa.Float)
    per_domain = (
        sa.select(
            shared.c.domain,
            (
                sa.cast(sa.func.avg(sa.cast(shared.c.latest, sa.Float)), sa.Float)
                - sa.cast(sa.func.avg(sa.cast(shared.c.first, sa.Float)), sa.Float)
            ).label("delta"),
        )
        .group_by(shared.c.case_id, shared.c.domain)
        .having(sa.func.count() == _domain_size(shared.c.domain))
        .subquery("per_domain")
    )

    def tallies(kind: str, key, delta):
        return sa.select(
            sa.literal(kind).label("kind"),
            sa.cast(key, sa.String).label("key"),
            sa.func.count().label("cases"),
            sa.cast(sa.func.sum(delta), sa.Float).label("total"),
            sa.func.sum(sa.case((delta > 0, 1), else_=0)).label("improved"),
            sa.func.sum(sa.case((delta == 0, 1), else_=0)).label("unchanged"),
            sa.func.sum(sa.case((delta < 0, 1), else_=0)).label("worse"),
        )

    counted = sa.select(
        sa.literal("cases").label("kind"),
        sa.cast(sa.null(), sa.String).label("key"),
        sa.func.count().label("cases"),
        sa.cast(sa.null(), sa.Float).label("total"),
        sa.literal(0).label("improved"),
        sa.literal(0).label("unchanged"),
        sa.literal(0).label("worse"),
    ).select_from(pairs)
    statement = sa.union_all(
        tallies("area", scores.c.area, change).group_by(scores.c.area),
        tallies("domain", per_domain.c.domain, per_domain.c.delta).group_by(per_domain.c.domain),
        counted,
    )
    cases, areas, domains = 0, {}, {}
    for kind, key, *row in session.execute(statement):
        if kind == "cases":
            cases = row[0]
        else:
            (areas if kind == "area" else domains)[key] = tuple(row)
    # A domain of one area moves exactly as its area: taken from the area's row, not grouped
    # again per case.
    for domain, (_label, members) in DOMAINS.items():
        if len(members) == 1 and members[0] in areas:
            domains[domain] = areas[members[0]]
    return cases, areas, domains


def _domain_size(domain_column):
    """SQL: how many areas make up a domain (a domain is scored only with all of them)."""
    return sa.case(
        *[(domain_column == d, len(areas)) for d, (_l, areas) in DOMAINS.items()], else_=0
    )


def _add(total: dict, found: dict) -> None:
    for key, row in found.items():
        before = total.get(key, (0, 0, 0, 0, 0))
        total[key] = tuple(a + (b or 0) for a, b in zip(before, row, strict=True))


def _movements(sums: dict, labels: Iterable[tuple[str, str]]) -> list[CohortMovement]:
    found = []
    for key, label in labels:
        cases, total, improved, unchanged, worse = sums.get(key, (0, 0, 0, 0, 0))
        found.append(
            CohortMovement(
                key,
                label,
                int(cases),
                float(total) / cases if cases else None,
                int(improved or 0),
                int(unchanged or 0),
                int(worse or 0),
            )
        )
    return found


def distance_for_cohort(
    session,
    case_ids: Iterable[int] | None = None,
    *,
    closed_between: tuple[datetime, datetime] | None = None,
) -> CohortDistance:
    """Distance travelled for a cohort of cases (the quarterly return's): the cases in
    ``case_ids`` (default: every case) and, with ``closed_between`` (start, end), only those
    closed from start up to but not including end (UTC moments). Per area and per domain: cases
    counted, mean change, improved, unchanged and worse. Cases with fewer than two complete
    assessments are not counted."""
    where = []
    if closed_between is not None:
        start, end = closed_between
        where += [Case.status == "closed", Case.closed_at >= start, Case.closed_at < end]
    chunks = [where]
    if case_ids is not None:
        ids = sorted(set(case_ids))
        chunks = [[*where, Case.id.in_(ids[n : n + CHUNK])] for n in range(0, len(ids), CHUNK)]
    cases, areas, domains = 0, {}, {}
    for chunk in chunks:
        found, by_area, by_domain = _movement_sums(session, chunk)
        cases += found
        _add(areas, by_area)
        _add(domains, by_domain)
    return CohortDistance(
        cases,
        _movements(areas, AREAS.items()),
        _movements(domains, ((d, label) for d, (label, _a) in DOMAINS.items())),
    )
