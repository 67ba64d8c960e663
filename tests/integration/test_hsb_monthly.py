"""The HSB line's monthly monitoring: October 2026 (the clocks go back on Sunday 25th) built
contact by contact, every figure of the JSON worked out by hand; the CLI, the page, the CSV
and the anonymised export; bad months; who may see it."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from casework.db import db
from casework.hsb.contacts import line_settings
from casework.hsb.models import AdviceFeedback, AdviceResource, AdviceSession, ResourceGiven
from casework.obligations import lifecycle
from tests.conftest import audit_rows
from tests.hsb_report_factories import make_contact


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def _callback(contact):
    return next(o for o in contact.obligations if o.kind == "callback")


def _session(contact, staff, created, starts, status="booked", uid="s"):
    row = AdviceSession(
        contact_id=contact.id,
        starts_at=starts,
        duration_minutes=60,
        means="video",
        joining_details="https://video.example/room",
        status=status,
        ics_uid=f"{uid}@waypoint.test",
        booked_by_id=staff.id,
        created_at=created,
        updated_at=created,
    )
    db.session.add(row)
    db.session.flush()
    return row


def _feedback(contact, answered, after, satisfaction=4):
    db.session.add(
        AdviceFeedback(
            contact_id=contact.id,
            token_hash=f"{contact.id:064d}",
            sent_at=contact.received_at + timedelta(hours=2),
            expires_at=contact.received_at + timedelta(days=30),
            answered_at=answered,
            confidence_identify_after=after[0],
            confidence_respond_after=after[1],
            satisfaction=satisfaction if answered else None,
            comments="Thank you Priya" if answered else None,
        )
    )


@pytest.fixture
def october(app, create_staff_record):
    """October 2026's contacts, with September's and November's either side."""
    staff = create_staff_record("hsb_advisor")
    tags = {"concern_tags": ["online", "image_sharing"], "traffic_light": "amber"}
    # Telephone: two answered (10 and 20 minutes), three not answered inside hours, two
    # outside hours (a Saturday; 07:30 GMT on the Monday after the clocks went back).
    t1 = make_contact(
        received_at=utc(2026, 10, 1, 9),
        duration=timedelta(minutes=10),
        confidence_before=(2, 3),
        advised=True,
        continuum="problematic",
        **tags,
    )
    t2 = make_contact(received_at=utc(2026, 10, 26, 9), duration=timedelta(minutes=20))
    t3 = make_contact(received_at=utc(2026, 10, 5, 13, 30), call_outcome="missed")  # Mon 14:30
    t4 = make_contact(received_at=utc(2026, 10, 23, 7, 30), call_outcome="voicemail")  # Fri 08:30
    make_contact(received_at=utc(2026, 10, 27, 14, 10), call_outcome="missed")  # Tue 14:10
    make_contact(received_at=utc(2026, 10, 26, 7, 30), call_outcome="voicemail")  # 07:30
    t7 = make_contact(received_at=utc(2026, 10, 10, 10), call_outcome="missed")  # Saturday
    # Emails: one at 00:30 BST on the 1st (October, out of hours), two in hours; one at 23:30
    # BST on 30 September (September).
    b1 = make_contact("email", utc(2026, 9, 30, 23, 30), replied_at=utc(2026, 10, 1, 9))
    make_contact("email", utc(2026, 9, 30, 22, 30), setting_type="primary", traffic_light="red")
    e1 = make_contact(
        "email",
        utc(2026, 10, 14, 10),
        replied_at=utc(2026, 10, 14, 12),
        confidence_before=(3, 3),
        advised=True,
        setting_type="primary",
        concern_tags=["online"],
    )
    make_contact("email", utc(2026, 10, 15, 10))
    # Chats: one in hours; one at 23:30 GMT on Saturday 31st; one on 1 November (November).
    c1 = make_contact("chat", utc(2026, 10, 13, 12), confidence_before=(None, 4), advised=True)
    make_contact("chat", utc(2026, 10, 31, 23, 30), region="london")
    make_contact("chat", utc(2026, 11, 1, 0, 10))
    # The public form: one in hours, one on a Sunday evening.
    w1 = make_contact("web_form", utc(2026, 10, 7, 9), kind="policy_advice")
    make_contact("web_form", utc(2026, 10, 18, 20), policy_topics=["rshe", "policy"])

    # Callbacks: T3 and T7 made in time, T4 made after its D8 time; the rest not made.
    lifecycle.meet(db.session, _callback(t3), utc(2026, 10, 5, 14))
    lifecycle.meet(db.session, _callback(t4), utc(2026, 10, 23, 13), late=True)
    lifecycle.meet(db.session, _callback(t7), utc(2026, 10, 12, 9))

    # Sessions: S0 booked in September and held on 2 October; S1 booked and held in October;
    # S2 booked in October and rescheduled to S3 (3 November): one booking.
    _session(t1, staff, utc(2026, 9, 28, 9), utc(2026, 10, 2, 9), "held", "s0")
    _session(t1, staff, utc(2026, 10, 1, 9), utc(2026, 10, 8, 9), "held", "s1")
    s3 = _session(w1, staff, utc(2026, 10, 9, 9), utc(2026, 11, 3, 9), "booked", "s3")
    s2 = _session(w1, staff, utc(2026, 10, 7, 9), utc(2026, 10, 20, 9), "rescheduled", "s2")
    s2.replaced_by_id = s3.id

    # Feedback: two pairs in October; one without a before answer; one in November; one unanswered.
    _feedback(t1, utc(2026, 10, 20, 9), (4, 4))
    _feedback(e1, utc(2026, 10, 21, 9), (3, 2), satisfaction=2)
    _feedback(c1, utc(2026, 10, 22, 9), (5, 5))
    _feedback(w1, utc(2026, 11, 2, 9), (5, 5))
    _feedback(t2, None, (None, None))

    # Resources: three given in October, one on 1 November.
    brook = AdviceResource(
        title="Brook traffic light tool",
        kind="link",
        topic="identifying",
        audiences=["dsl"],
        created_by_id=staff.id,
        created_at=utc(2026, 9, 1),
        updated_at=utc(2026, 9, 1),
    )
    guidance = AdviceResource(
        title="HSB guidance for schools",
        kind="material",
        topic="responding",
        audiences=["dsl"],
        created_by_id=staff.id,
        created_at=utc(2026, 9, 1),
        updated_at=utc(2026, 9, 1),
    )
    db.session.add_all([brook, guidance])
    db.session.flush()
    for resource, contact, at in (
        (brook, t1, utc(2026, 10, 1, 9, 30)),
        (brook, e1, utc(2026, 10, 14, 12)),
        (guidance, c1, utc(2026, 10, 13, 12)),
        (guidance, w1, utc(2026, 11, 1, 9)),
    ):
        db.session.add(
            ResourceGiven(
                resource_id=resource.id, contact_id=contact.id, given_at=at, given_by_id=staff.id
            )
        )
    line_settings(db.session).charge_per_contact_pence = 4500
    db.session.commit()
    return {"b1": b1}


EXPECTED = {
    "month": "2026-10",
    # 7 calls, 3 emails (B1 at 00:30 BST on the 1st counts), 2 chats, 2 forms.
    "contacts": {"telephone": 7, "email": 3, "web_form": 2, "chat": 2, "total": 14},
    "calls": {
        "answered": 2,
        "not_answered": 3,  # T3, T4, T5
        "not_answered_pct": 60.0,  # 3 of the 5 calls inside opening hours
        "out_of_hours": 2,  # T6 (07:30 GMT), T7 (Saturday)
        # T3 Monday 14:30 BST; T5 Tuesday 14:10 GMT; T4 Friday 08:30 BST (07:30 UTC).
        "not_answered_by_weekday_hour": [[0, 14, 1], [1, 14, 1], [4, 8, 1]],
        "average_duration_seconds": 900,  # (600 + 1200) / 2
    },
    # T3, T4, T5, T6, T7, and the out-of-hours B1, the Saturday-night chat and Sunday form.
    "callbacks": {"due": 8, "made": 3, "made_within_d8": 2},
    "emails": {"received": 3, "replied": 2},
    "follow_up_sessions": {"booked": 2, "held": 2},
    # T1: before (2+3)/2 = 2.5, after 4; E1: before 3, after (3+2)/2 = 2.5.
    "confidence": {"pairs": 2, "before_mean": 2.75, "after_mean": 3.25, "change_mean": 0.5},
    "signposted": 3,
    "charge_per_contact_pence": 4500,
    "total_charge_pence": 63000,  # 14 x £45
}


def test_every_figure_of_the_month_by_hand(app, runner, october):
    result = runner.invoke(args=["reports", "hsb-monthly", "--month", "2026-10", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures == EXPECTED
    assert list(figures) == list(EXPECTED)
    assert list(figures["calls"]) == list(EXPECTED["calls"])


def test_an_empty_month_has_zeros_and_nulls(app, runner):
    result = runner.invoke(args=["reports", "hsb-monthly", "--month", "2026-02", "--json"])
    figures = json.loads(result.output)
    assert figures["contacts"]["total"] == 0
    assert figures["calls"]["not_answered_pct"] is None
    assert figures["calls"]["average_duration_seconds"] is None
    assert figures["confidence"] == {
        "pairs": 0,
        "before_mean": None,
        "after_mean": None,
        "change_mean": None,
    }


@pytest.mark.parametrize("month", ["2026-13", "26-10", "October", "2026-00", "1899-10", ""])
def test_a_bad_month_on_the_command_line_is_a_clear_error(app, runner, month):
    result = runner.invoke(args=["reports", "hsb-monthly", "--month", month, "--json"])
    assert result.exit_code == 2
    assert "month" in result.output.lower() or "year" in result.output.lower()


def test_the_page_shows_charts_tables_and_themes_and_no_ones_details(
    app, client, sign_in_as, october
):
    sign_in_as("analyst")
    response = client.get("/reports/hsb-monthly?month=2026-10")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "HSB advice line, October 2026" in html
    assert html.count('role="img"') >= 4
    assert "Contacts by channel (the chart’s figures)" in html
    assert "Friday 08:00: 1" in html  # the heatmap's description
    assert "3 (60.0% of calls inside opening hours)" in html
    assert "£630.00 for 14 contacts" in html
    assert "Brook traffic light tool" in html
    assert "against September 2026" in html
    for secret in ("Priya", "dsl@school.example", "Oakfield", "900123", "pupil shared"):
        assert secret not in html
    assert [e.detail_dict.get("as") for e in audit_rows("hsb_monthly.viewed")] == ["page"]


def test_the_page_defaults_to_the_last_full_month(app, client, sign_in_as):
    with time_machine.travel(utc(2026, 11, 1, 0, 30), tick=False):  # 1 November, 00:30 GMT
        sign_in_as("hsb_advisor")
        html = client.get("/reports/hsb-monthly").get_data(as_text=True)
    assert "HSB advice line, October 2026" in html
    assert "No contacts were received in October 2026." in html


@pytest.mark.parametrize("month", ["2026-13", "x", "2026-1", "9999-99", "2026-10-01"])
def test_a_bad_month_on_the_page_is_explained(app, client, sign_in_as, month):
    sign_in_as("analyst")
    response = client.get(f"/reports/hsb-monthly?month={month}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    for path in ("/reports/hsb-monthly.csv", "/reports/hsb-monthly/export.db"):
        refused = client.get(f"{path}?month={month}")
        assert refused.status_code == 400 and "month" in refused.get_data(as_text=True).lower()


def test_a_month_that_has_not_begun_is_refused_not_reported_as_zeros(app, client, sign_in_as):
    with time_machine.travel(utc(2026, 11, 24, 10), tick=False):
        sign_in_as("analyst")
        assert client.get("/reports/hsb-monthly?month=2026-11").status_code == 200  # so far
        for path in ("/reports/hsb-monthly", "/reports/hsb-monthly.csv"):
            refused = client.get(f"{path}?month=2026-12")
            assert refused.status_code == 400, path
            assert "December 2026 has not begun" in refused.get_data(as_text=True)


def test_the_csv_has_every_figure_and_no_ones_details(app, client, sign_in_as, october):
    sign_in_as("hsb_advisor")
    response = client.get("/reports/hsb-monthly.csv?month=2026-10")
    assert response.status_code == 200
    assert 'filename="hsb-monthly-2026-10.csv"' in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Section", "Measure", "Value"]
    assert ["Contacts", "Total", "14"] in rows
    assert ["Calls", "Not answered (%)", "60.0"] in rows
    assert ["Calls not answered", "Friday 08:00", "1"] in rows
    assert ["Confidence", "Change (mean)", "0.5"] in rows
    assert ["Themes: Concerns", "Online", "2"] in rows
    assert ["Resources signposted", "Brook traffic light tool", "2"] in rows
    for secret in ("Priya", "dsl@school.example", "Oakfield", "900123"):
        assert secret not in text


def test_the_anonymised_export_holds_the_months_contacts_without_details(
    app, client, sign_in_as, october, tmp_path
):
    sign_in_as("analyst")
    response = client.get("/reports/hsb-monthly/export.db?month=2026-10")
    assert response.status_code == 200
    path = tmp_path / "export.db"
    path.write_bytes(response.get_data())
    conn = sqlite3.connect(path)
    columns = [row[1] for row in conn.execute("PRAGMA table_info(contacts)")]
    for banned in (
        "professional_name",
        "organisation",
        "email",
        "phone",
        "request_text",
        "local_authority",
    ):
        assert banned not in columns
    rows = conn.execute("SELECT * FROM contacts ORDER BY row").fetchall()
    assert len(rows) == 14
    first = dict(zip(columns, rows[0], strict=True))
    # B1, 00:30 BST on 1 October (the last day of September in UTC): the UK date only.
    assert first["received_on"] == "2026-10-01"
    assert (first["channel"], first["out_of_hours"]) == ("email", 1)
    t1 = dict(zip(columns, rows[1], strict=True))
    assert (t1["call_duration_seconds"], t1["traffic_light"]) == (600, "amber")
    assert t1["concern_tags"] == "online,image_sharing"
    assert (t1["confidence_identify_before"], t1["confidence_identify_after"]) == (2, 4)
    figures = dict(conn.execute("SELECT key, value FROM figures"))
    assert json.loads(figures["contacts"])["total"] == 14
    assert conn.execute("SELECT title, times_given FROM resources_signposted").fetchall()
    dump = "\n".join(conn.iterdump())
    conn.close()
    for secret in ("Priya", "dsl@school.example", "Oakfield", "900123", "pupil", "Thank you"):
        assert secret not in dump
    exported = audit_rows("hsb_monthly.exported")
    assert len(exported) == 1 and exported[0].detail_dict == {"contacts": 14}


@pytest.mark.parametrize("role", ["caseworker", "volunteer", "team_leader"])
def test_victim_service_staff_do_not_see_the_hsb_report(app, client, sign_in_as, role):
    sign_in_as(role)
    for path in (
        "/reports/hsb-monthly?month=2026-10",
        "/reports/hsb-monthly.csv?month=2026-10",
        "/reports/hsb-monthly/export.db?month=2026-10",
    ):
        assert client.get(path).status_code == 403


@pytest.mark.parametrize("role,shown", [("team_leader", False), ("analyst", True), ("admin", True)])
def test_the_reports_page_links_the_hsb_report_only_for_those_who_may_see_it(
    app, client, sign_in_as, role, shown
):
    sign_in_as(role)
    html = client.get("/reports").get_data(as_text=True)
    assert ("HSB advice line monthly monitoring" in html) is shown
