"""The distance-travelled chart's geometry: bars from the centre, right for better, left for
worse, none without both scores; the printed change."""

import pytest

from app.assessments.chart import PLOT_WIDTH, REACH, bar_chart
from triage.needs import Movement


def test_bars_grow_from_the_centre_in_proportion_to_the_change():
    chart = bar_chart(
        [
            Movement("a", "Better", 1, 5),
            Movement("b", "Worse", 4, 2),
            Movement("c", "Same", 3, 3),
            Movement("d", "Not scored", None, 3),
        ]
    )
    better, worse, same, missing = chart.bars
    step = (PLOT_WIDTH / 2) / REACH
    assert (better.x, better.width, better.direction) == (chart.centre, 4 * step, "better")
    assert (worse.x, worse.width, worse.direction) == (chart.centre - 2 * step, 2 * step, "worse")
    assert (same.width, same.direction) == (0, "same")
    assert (missing.width, missing.direction, missing.text) == (0, "none", "no score")
    assert [b.y for b in chart.bars] == sorted(b.y for b in chart.bars)
    assert chart.height > chart.bars[-1].y + chart.bar_height


@pytest.mark.parametrize(
    "first,latest,text", [(1, 5, "+4"), (4, 2, "\u22122"), (3, 3, "0"), (1.5, 4, "+2.5")]
)
def test_the_change_is_printed_with_its_sign(first, latest, text):
    (bar,) = bar_chart([Movement("a", "A", first, latest)]).bars
    assert bar.text == text
