"""Helpers for the benchmarks: a fresh, migrated SQLite app in a temporary folder."""

from __future__ import annotations

import os
import statistics
import tempfile
from pathlib import Path

os.environ.setdefault("WAYPOINT_ENV", "test")
os.environ.setdefault("WAYPOINT_INSTANCE_DIR", tempfile.mkdtemp(prefix="waypoint-bench-"))


def fresh_app(path: Path):
    """A Waypoint app on a new SQLite file at ``path``, built by the real migrations."""
    from flask_migrate import upgrade

    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        upgrade()
    return app


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def report(
    name: str,
    figures: dict[str, str],
    ratio: float,
    limit: float,
    extra_ok: bool = True,
    ratio_name: str = "",
):
    """Print the figures, the ratio to the baseline (of ``ratio_name``, where the benchmark
    times more than one thing) and whether the target is met."""
    met = ratio <= limit and extra_ok
    print(f"{name}")
    for key, value in figures.items():
        print(f"  {key}: {value}")
    of = f" ({ratio_name})" if ratio_name else ""
    print(f"  ratio to baseline{of}: {ratio:.2f}x (target at most {limit:g}x)")
    print(f"  target met: {'yes' if met else 'NO'}")
    return met


median = statistics.median
