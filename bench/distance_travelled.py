"""Benchmark: distance travelled for a cohort of 50,000 closed cases (issue 13), on SQLite.

Each case has its needs assessments as real casework leaves them: most have two or three
complete ones, some only one (no distance travelled, not counted), some none but a draft, a tenth
a draft reassessment beside their complete ones, and about one in six is the children and young
people's version. Rows are written in bulk (casework.bulk) into a database built by the real
migrations.

casework.assessments.distance.distance_for_cohort is timed over the cases closed in a window
holding 12,500, 25,000 and all 50,000 of them (median of RUNS runs each), beside one SQL
aggregate over the same area rows (SELECT area, avg(score) ... GROUP BY area) as the baseline,
taken in turn in the same process. Target: the 50,000-case cohort in under 2 seconds; the ratio
to the baseline is printed with it.
Run: .venv/bin/python -m bench.distance_travelled
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import fresh_app, median

CASES = 50_000
SIZES = (12_500, 25_000, 50_000)
RUNS = 5
LIMIT_SECONDS = 2.0
START = datetime(2026, 1, 1, 12, tzinfo=UTC)


def _assessments_for(rng: random.Random) -> list[str]:
    """The statuses of one case's assessments, in the order held."""
    roll = rng.random()
    if roll < 0.04:
        return ["draft"]  # never completed
    if roll < 0.12:
        complete = ["complete"]  # closed before a reassessment was possible
    elif roll < 0.60:
        complete = ["complete", "complete"]
    else:
        complete = ["complete", "complete", "complete"]
    return complete + (["draft"] if rng.random() < 0.10 else [])


def _seed(app) -> int:
    """Write the cases, their assessments and areas; returns how many area rows."""
    from casework.assessments.models import AssessmentArea, NeedsAssessment
    from casework.audit import Origin
    from casework.bulk import Same, bulk_insert
    from casework.cases.models import Case
    from casework.db import db
    from casework.people.models import Person
    from casework.staff.accounts import StaffDetails, create_staff, create_team
    from triage.needs import AREAS

    rng = random.Random(13)
    origin = Origin.command_line("bench")
    with app.app_context():
        team = create_team(
            db.session, name="Bench team", service="victim", actor=None, origin=origin, now=START
        )
        worker = create_staff(
            db.session,
            StaffDetails(
                email="w@bench.test", name="Bench Worker", role="caseworker", team_id=team.id
            ),
            password="bench password for distance travelled",  # noqa: S106 (a throwaway account)
            actor=None,
            origin=origin,
            now=START,
        )
        ids = list(range(1, CASES + 1))
        bulk_insert(
            db.session,
            Person.__table__,
            {
                "id": ids,
                "forename": [f"Person{n}" for n in ids],
                "surname": Same("Bench"),
                "address_needs_checking": Same(False),
                "created_at": Same(START),
                "updated_at": Same(START),
            },
        )
        # Closed in case order over a year, so a window of the first n holds n cases.
        closed = [START + timedelta(minutes=10 * n) for n in ids]
        bulk_insert(
            db.session,
            Case.__table__,
            {
                "id": ids,
                "reference": [f"C-{n:07d}" for n in ids],
                "person_id": ids,
                "team_id": Same(team.id),
                "caseworker_id": Same(worker.id),
                "status": Same("closed"),
                "opened_at": [c - timedelta(days=400) for c in closed],
                "opened_how": Same("team_leader"),
                "closed_at": closed,
                "closure_reason": Same("Support complete"),
                "created_at": Same(START),
                "updated_at": Same(START),
            },
        )
        assessments: dict[str, list] = {
            k: []
            for k in ("id", "case_id", "status", "young_person", "held_on", "completed_at", "mode")
        }
        areas: dict[str, list] = {"assessment_id": [], "area": [], "score": []}
        next_id = 1
        for case_id, closed_at in zip(ids, closed, strict=True):
            young = rng.random() < 0.16
            held = closed_at.date() - timedelta(days=380)
            for status in _assessments_for(rng):
                complete = status == "complete"
                assessments["id"].append(next_id)
                assessments["case_id"].append(case_id)
                assessments["status"].append(status)
                assessments["young_person"].append(young)
                assessments["held_on"].append(held if complete else None)
                assessments["completed_at"].append(START if complete else None)
                assessments["mode"].append(rng.choice(("telephone", "face_to_face", "web_chat")))
                for area in AREAS:
                    areas["assessment_id"].append(next_id)
                    areas["area"].append(area)
                    scored = complete or rng.random() < 0.5
                    areas["score"].append(rng.randint(1, 5) if scored else None)
                next_id += 1
                held += timedelta(days=rng.randint(150, 190))
        count = len(assessments["id"])
        bulk_insert(
            db.session,
            NeedsAssessment.__table__,
            {
                **assessments,
                "worker_id": [
                    worker.id if held is not None else None for held in assessments["held_on"]
                ],
                "created_by_id": Same(worker.id),
                "created_at": Same(START),
                "updated_at": Same(START),
                "version": Same(1),
            },
        )
        bulk_insert(
            db.session,
            AssessmentArea.__table__,
            {**areas, "priority": [s is not None and s <= 2 for s in areas["score"]]},
        )
        db.session.commit()
        print(
            f"  seeded {CASES:,} closed cases, {count:,} assessments, {len(areas['area']):,} areas"
        )
        return len(areas["area"])


def _timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main() -> int:
    import sqlalchemy as sa

    from casework.assessments.distance import distance_for_cohort
    from casework.db import db

    with tempfile.TemporaryDirectory(prefix="waypoint-bench-") as folder:
        app = fresh_app(Path(folder) / "bench.db")
        started = time.perf_counter()
        _seed(app)
        print(f"  seeding took {time.perf_counter() - started:.1f} s")
        baseline_sql = sa.text("SELECT area, avg(score) FROM needs_assessment_area GROUP BY area")
        with app.app_context():
            session = db.session
            figures, medians = {}, {}
            samples = {size: [] for size in SIZES}
            baseline = []
            counted = {}
            for _ in range(RUNS):
                for size in SIZES:
                    window = (START, START + timedelta(minutes=10 * size + 1))

                    def run(window=window, size=size):
                        counted[size] = distance_for_cohort(session, closed_between=window)

                    samples[size].append(_timed(run))
                    session.rollback()
                baseline.append(_timed(lambda: session.execute(baseline_sql).all()))
                session.rollback()
            base = median(baseline)
            figures["baseline: one SQL aggregate over all area rows (median)"] = (
                f"{base * 1000:.0f} ms"
            )
            for size in SIZES:
                medians[size] = median(samples[size])
                found = counted[size]
                figures[f"{size:,} closed cases (median of {RUNS})"] = (
                    f"{medians[size] * 1000:.0f} ms, {found.cases:,} with distance travelled, "
                    f"{medians[size] / base:.1f}x the baseline"
                )
            by_ids = _timed(lambda: distance_for_cohort(session, list(range(1, CASES + 1))))
            figures["50,000 cases given by id (once)"] = f"{by_ids * 1000:.0f} ms"
            growth = medians[SIZES[-1]] / medians[SIZES[0]]
            figures["growth 12.5k -> 50k"] = f"{growth:.1f}x for 4x the cases"
            sample = counted[SIZES[-1]]
            figures["mean change, personal safety (all)"] = (
                f"{sample.areas[0].mean_change:+.3f} over {sample.areas[0].cases:,} cases"
            )
        full = medians[SIZES[-1]]
        met = full < LIMIT_SECONDS
        print("Distance travelled for a cohort of closed cases (SQLite)")
        for key, value in figures.items():
            print(f"  {key}: {value}")
        print(f"  ratio to baseline (50,000 cases): {full / base:.2f}x")
        print(f"  target (50,000 cases under {LIMIT_SECONDS:g} s) met: {'yes' if met else 'NO'}")
        return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
