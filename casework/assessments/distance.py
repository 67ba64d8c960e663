"""Distance travelled (issue 13 part 3; DESIGN.md Needs assessment; spec 7): per area and per
reporting domain, a case's first complete assessment against its latest.

For one case it is read from the two assessments and worked out by the pure rules in
triage.needs. For a cohort (the quarterly return) the database does the work: the first and
latest complete assessment of each case by window functions, joined to their areas, the areas
mapped to domains with a CASE, and everything aggregated by area and by domain, so 50,000 cases
cost a few queries, not 50,000 (bench/distance_travelled.py). A case with fewer than two
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
    """Each counted case's first and latest complete assessment ids (window functions)."""
    complete = (
        sa.select(
            NeedsAssessment.case_id,
            NeedsAssessment.id,
            sa.func.row_number()
            .over(
                partition_by=NeedsAssessment.case_id,
                order_by=(NeedsAssessment.held_on, NeedsAssessment.id),
            )
            .label("n_first"),
            sa.func.row_number()
            .over(
                partition_by=NeedsAssessment.case_id,
                order_by=(NeedsAssessment.held_on.desc(), NeedsAssessment.id.desc()),
            )
            .label("n_latest"),
        )
        .join(Case, Case.id == NeedsAssessment.case_id)
        .where(NeedsAssessment.status == "complete", *cases_where)
        .subquery("complete")
    )
    return (
        sa.select(
            complete.c.case_id,
            sa.func.max(sa.case((complete.c.n_first == 1, complete.c.id))).label("first_id"),
            sa.func.max(sa.case((complete.c.n_latest == 1, complete.c.id))).label("latest_id"),
        )
        .where(sa.or_(complete.c.n_first == 1, complete.c.n_latest == 1))
        .group_by(complete.c.case_id)
        .having(sa.func.count() == 2)  # the first and the latest are two assessments
        .cte("pairs")
    )


def _movement_sums(session, cases_where) -> tuple[int, dict, dict]:
    """(cases, per area, per domain) sums for the cases matching ``cases_where``: each row
    (cases, total change, improved, unchanged, worse)."""
    pairs = _pairs(cases_where)
    first, latest = (
        aliased(AssessmentArea, name="first_area"),
        aliased(AssessmentArea, name="latest_area"),
    )
    scores = (
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
        .cte("scores")
    )
    change = scores.c.latest - scores.c.first

    def tallies(key, delta):
        return (
            key,
            sa.func.count(),
            sa.func.sum(delta),
            sa.func.sum(sa.case((delta > 0, 1), else_=0)),
            sa.func.sum(sa.case((delta == 0, 1), else_=0)),
            sa.func.sum(sa.case((delta < 0, 1), else_=0)),
        )

    by_area = sa.select(*tallies(scores.c.area, change)).group_by(scores.c.area)
    per_domain = (
        sa.select(
            scores.c.domain,
            (
                sa.cast(sa.func.avg(sa.cast(scores.c.latest, sa.Float)), sa.Float)
                - sa.cast(sa.func.avg(sa.cast(scores.c.first, sa.Float)), sa.Float)
            ).label("delta"),
        )
        .where(scores.c.domain.is_not(None))
        .group_by(scores.c.case_id, scores.c.domain)
        .having(sa.func.count() == _domain_size(scores.c.domain))
        .subquery("per_domain")
    )
    by_domain = sa.select(*tallies(per_domain.c.domain, per_domain.c.delta)).group_by(
        per_domain.c.domain
    )
    counted = sa.select(sa.func.count()).select_from(pairs)
    cases = session.scalar(counted) or 0
    areas = {row[0]: row[1:] for row in session.execute(by_area)}
    domains = {row[0]: row[1:] for row in session.execute(by_domain)}
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
