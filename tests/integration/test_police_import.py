"""The police daily download: the contract, every Data formats rule, and all-or-nothing."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from casework.audit import Origin
from casework.db import db
from casework.obligations.models import Obligation
from casework.referrals.models import ImportBatch, Referral
from casework.referrals.police_import import import_police_download
from scheduling.service_calendars import victim_calendar
from tests.conftest import audit_rows
from tests.police import SAMPLE, police_csv, police_row

ROOT = Path(__file__).resolve().parents[2]
RECEIVED = "2026-11-20T07:00:00+00:00"


def run_import(runner, path, received=RECEIVED):
    result = runner.invoke(
        args=["referrals", "import-police", str(path), "--received-at", received]
    )
    return result


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_sample_download_imports_with_the_exact_json_contract(runner):
    result = run_import(runner, ROOT / SAMPLE)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "imported": 6,
        "duplicates": 0,
        "rejected": 1,
        "rejections": [
            {"line": 8, "reason": "victim declined referral; refused and no personal data kept"}
        ],
    }
    db.session.rollback()
    names = set(db.session.scalars(sa.select(Referral.surname)))
    assert "Blake" not in names and "Rahman" in names
    created = audit_rows("referral.create")
    assert len(created) == 6
    assert {e.detail_dict["source"] for e in created} == {"police"}
    assert all(e.record_type == "referral" and e.user_agent.startswith("cli:") for e in created)


def test_declined_row_leaves_no_personal_data_anywhere(runner):
    run_import(runner, ROOT / SAMPLE)
    db.session.rollback()
    batch = db.session.scalars(sa.select(ImportBatch)).one()
    stored = json.dumps(batch.rejections) + "".join((e.detail or "") for e in audit_rows())
    for detail in ("Blake", "Queens Road", "900777", "LE2 1WP", "LC-20261120-0072"):
        assert detail not in stored


def test_reimporting_the_same_file_changes_nothing(runner):
    run_import(runner, ROOT / SAMPLE)
    before = (count(Referral), count(Obligation))
    again = json.loads(run_import(runner, ROOT / SAMPLE).output)
    assert again["imported"] == 0 and again["duplicates"] == 6
    assert (count(Referral), count(Obligation)) == before


def test_a_row_seen_before_in_another_file_is_a_duplicate(runner, tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_bytes(police_csv(police_row()))
    second.write_bytes(
        police_csv(police_row(), police_row(crime_reference="LC-2-NEW", forename="Bo"))
    )
    run_import(runner, first)
    assert json.loads(run_import(runner, second).output)["duplicates"] == 1
    assert count(Referral) == 2


@pytest.mark.parametrize(
    "fields,reason",
    [
        ({"occurred_on": "18/11/2026"}, "occurred_on is not a date in the form YYYY-MM-DD"),
        ({"occurred_on": "2026-02-30"}, "occurred_on is not a real date"),
        ({"occurred_on": "20261118"}, "occurred_on is not a date in the form YYYY-MM-DD"),
        ({"occurred_on": "2026-11-21"}, "occurred_on is after the download was received"),
        (
            {"crime_group": "Murder most foul"},
            "crime_group is not one of the data.police.uk categories",
        ),
        ({"contact_method": "PIGEON"}, "contact_method is not one of"),
        ({"flags": "DOMESTIC_ABUSE;SECRET"}, "flags must be ;-separated police flags: "),
        ({"forename": ""}, "forename is missing"),
        ({"consent": "MAYBE"}, "consent must be ACCEPT or DECLINE"),
        ({"ethnicity": "ZZ"}, "ethnicity is not a police self-defined ethnicity code"),
    ],
)
def test_malformed_rows_are_rejected_by_line_and_the_rest_import(runner, tmp_path, fields, reason):
    path = tmp_path / "download.csv"
    path.write_bytes(
        police_csv(
            police_row(crime_reference="LC-1"),
            police_row(crime_reference="LC-2", **fields),
            police_row(crime_reference="LC-3"),
        )
    )
    out = json.loads(run_import(runner, path).output)
    assert out["imported"] == 2 and out["rejected"] == 1
    [rejection] = out["rejections"]
    assert rejection["line"] == 3 and rejection["reason"].startswith(reason)
    assert "Example" not in rejection["reason"]


def test_line_numbers_count_lines_as_an_editor_shows_them(runner, tmp_path):
    path = tmp_path / "multiline.csv"
    path.write_bytes(
        police_csv(
            police_row(crime_reference="LC-1", risk_notes="first line\nsecond line"),
            police_row(crime_reference="LC-2", occurred_on="bad"),
        )
    )
    [rejection] = json.loads(run_import(runner, path).output)["rejections"]
    assert rejection["line"] == 4


def test_unusable_contact_details_import_flagged_not_rejected(runner, tmp_path):
    path = tmp_path / "contact.csv"
    path.write_bytes(
        police_csv(
            police_row(crime_reference="LC-1", mobile_phone="12345"),
            police_row(crime_reference="LC-2", contact_method="EMAIL", email=""),
            police_row(crime_reference="LC-3", postcode="NOT A CODE", contact_method="POST"),
            police_row(crime_reference="LC-4", mobile_phone="0116 496 0733", contact_method="SMS"),
        )
    )
    assert json.loads(run_import(runner, path).output)["imported"] == 4
    db.session.rollback()
    problems = {
        r.crime_reference: r.contact_problems for r in db.session.scalars(sa.select(Referral))
    }
    assert problems["LC-1"] == [
        "mobile phone is not a possible UK phone number",
        "no usable mobile telephone number",
    ]
    assert problems["LC-2"] == ["no usable email address"]
    assert problems["LC-3"] == ["postcode is not a valid UK postcode", "no usable postal address"]
    assert problems["LC-4"] == ["no usable mobile number for SMS"]
    assert all(db.session.scalars(sa.select(Referral.contact_unusable)))


def test_phone_numbers_and_postcodes_are_normalised(runner, tmp_path):
    path = tmp_path / "n.csv"
    path.write_bytes(
        police_csv(
            police_row(
                mobile_phone="+44 (0)7700-900100", home_phone="0116 496 0733", postcode="le11aa"
            )
        )
    )
    run_import(runner, path)
    db.session.rollback()
    referral = db.session.scalars(sa.select(Referral)).one()
    assert (referral.mobile_phone, referral.home_phone, referral.postcode) == (
        "+447700900100",
        "+441164960733",
        "LE1 1AA",
    )


@pytest.mark.parametrize(
    "content,message",
    [
        (b"crime_reference,offence\nLC-1,Theft\n", "the header is missing column(s)"),
        (police_csv(police_row()).replace(b"Alex", b"\xff\xfe"), "not UTF-8"),
        (
            police_csv(police_row(offence='Theft "quoted')).replace(b'""', b'"') + b'"open\n',
            "is not valid CSV",
        ),
    ],
)
def test_an_unreadable_file_imports_nothing_and_says_why(runner, tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    result = run_import(runner, path)
    assert result.exit_code == 2
    assert message in result.output and "nothing was imported" in result.output
    assert count(Referral) == 0


def test_a_crash_before_commit_leaves_no_half_imported_batch(app):
    data = police_csv(*[police_row(crime_reference=f"LC-{i}") for i in range(50)])

    def crash(count, stage):
        if stage == "committing":
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        import_police_download(
            db.session,
            data,
            filename="x.csv",
            received_at=datetime(2026, 11, 20, 7, tzinfo=UTC),
            calendar=victim_calendar(app.config),
            origin=Origin(),
            now=datetime(2026, 11, 20, 7, tzinfo=UTC),
            progress=crash,
        )
    db.session.rollback()
    assert count(Referral) == 0 and count(Obligation) == 0 and count(ImportBatch) == 0


def test_received_at_must_carry_an_offset(runner):
    result = run_import(runner, ROOT / SAMPLE, received="2026-11-20T07:00")
    assert result.exit_code == 2 and "UTC offset" in result.output
    assert count(Referral) == 0


def test_repeat_victim_lookups_read_indexes_not_whole_tables(app):
    """Every import and self-referral compares the newcomers with every earlier referral; a
    lookup that scans the referral or match-key table gets slower with each referral stored."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("reads SQLite's query plans")
    rows = [
        police_row(crime_reference=f"LC-{i}", forename=f"Person{chr(65 + i)}") for i in range(5)
    ]
    load = police_csv(*rows)
    plans = []

    def explain(conn, cursor, statement, parameters, context, executemany):
        touches = "match_key" in statement or "match_name_dob" in statement
        if statement.lstrip().startswith("SELECT") and touches and not executemany:
            raw = conn.connection.dbapi_connection
            plans.append(raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall())

    sa.event.listen(db.engine, "before_cursor_execute", explain)
    try:
        import_police_download(
            db.session,
            load,
            filename="t.csv",
            received_at=datetime.fromisoformat(RECEIVED),
            calendar=victim_calendar(app.config),
            origin=Origin.command_line("test"),
            now=datetime.fromisoformat(RECEIVED),
        )
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", explain)
    details = [step[-1] for plan in plans for step in plan]
    assert len(plans) >= 3  # names, shared details, candidates' details
    assert not [d for d in details if d.startswith("SCAN")], details
