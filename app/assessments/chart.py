"""The distance-travelled chart's geometry: one horizontal bar per area or domain, drawn from a
centre line at no change, right (green) for better and left (red) for worse. Drawn on the
server as SVG by the template; the numbers are in a table beside it."""

from __future__ import annotations

from dataclasses import dataclass

from triage.needs import HIGHEST, LOWEST

# Each row: its label on a line of its own, the bar under it (long area names need the width).
PLOT_WIDTH = 440
VALUE_WIDTH = 70
LABEL_HEIGHT = 24
ROW_HEIGHT = 62
BAR_HEIGHT = 22
TOP = 34
# The furthest a score can move either way (1 to 5 is 4).
REACH = HIGHEST - LOWEST


@dataclass(frozen=True)
class Bar:
    """One bar: its label, the change it shows and where it sits."""

    label: str
    change: float | None
    label_y: float
    y: float
    x: float
    width: float
    direction: str  # better, worse, same or none

    @property
    def text(self) -> str:
        """The change as the chart prints it (+1, -0.5, 0, or no score)."""
        if self.change is None:
            return "no score"
        if self.change == 0:
            return "0"
        number = f"{self.change:+.1f}".replace(".0", "")
        return number.replace("-", "\u2212")


@dataclass(frozen=True)
class Chart:
    """A whole chart: its bars and its size."""

    bars: list[Bar]
    width: int
    height: int
    centre: float
    plot_width: int
    top: int
    bar_height: int


def bar_chart(movements) -> Chart:
    """A chart of ``movements`` (triage.needs.Movement: label and change) in their order."""
    centre = PLOT_WIDTH / 2
    scale = (PLOT_WIDTH / 2) / REACH
    bars = []
    for n, movement in enumerate(movements):
        change = movement.change
        label_y = TOP + n * ROW_HEIGHT + LABEL_HEIGHT - 6
        y = TOP + n * ROW_HEIGHT + LABEL_HEIGHT
        if change is None:
            bars.append(Bar(movement.label, None, label_y, y, centre, 0, "none"))
            continue
        width = abs(change) * scale
        x = centre if change >= 0 else centre - width
        direction = "better" if change > 0 else "worse" if change < 0 else "same"
        bars.append(Bar(movement.label, change, label_y, y, x, width, direction))
    return Chart(
        bars=bars,
        width=PLOT_WIDTH + VALUE_WIDTH,
        height=TOP + len(bars) * ROW_HEIGHT,
        centre=centre,
        plot_width=PLOT_WIDTH,
        top=TOP,
        bar_height=BAR_HEIGHT,
    )
