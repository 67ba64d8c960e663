"""The unanswered-calls heatmap shows the line's usual hours (08-19, Monday to Friday) and any
other day or hour with calls: here the line also opens early on Mondays and on Saturdays."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.hsb_report_factories import make_contact


@pytest.fixture
def app_overrides():
    return {
        "HSB_LINE_HOURS": "mon=07:00-20:00,tue=08:00-20:00,wed=08:00-20:00,"
        "thu=08:00-20:00,fri=08:00-20:00,sat=09:00-13:00"
    }


def test_the_heatmap_adds_days_and_hours_with_calls(app, client, sign_in_as):
    make_contact(received_at=datetime(2026, 11, 2, 7, 15, tzinfo=UTC), call_outcome="missed")
    make_contact(received_at=datetime(2026, 11, 7, 10, 5, tzinfo=UTC), call_outcome="voicemail")
    sign_in_as("analyst")
    html = client.get("/reports/hsb-monthly?month=2026-11").get_data(as_text=True)
    assert "Monday 07:00: 1; Saturday 10:00: 1" in html
    svg = html[html.index('id="chart-heatmap-desc"') :]
    svg = svg[: svg.index("</svg>")]
    assert ">07</text>" in svg and ">08</text>" in svg and ">19</text>" in svg
    assert ">Saturday</text>" in svg and ">Sunday</text>" not in svg
