"""The police download keeps every victim who accepted support (issue 9, DESIGN.md Data formats).

A doubtful birth date or postcode is flagged for a person to check, never a reason to lose the
referral; a row the database cannot hold is rejected alone; no reason repeats a cell.
"""

import json
import re

import pytest
import sqlalchemy as sa
import time_machine

from casework.db import db
from casework.referrals.models import Referral
from casework.referrals.police_import import COLUMNS
from tests.police import police_csv, police_row

RECEIVED = "2026-11-20T07:00:00+00:00"


def run_import(runner, path, received: str | None = RECEIVED):
    args = ["referrals", "import-police", str(path)]
    if received:
        args += ["--received-at", received]
    return runner.invoke(args=args)


def referrals() -> dict[str, Referral]:
    db.session.rollback()
    return {r.crime_reference: r for r in db.session.scalars(sa.select(Referral))}


@pytest.mark.parametrize(
    "date_of_birth,problem",
    [
        ("1900-01-01", "date of birth given is a placeholder"),
        ("1890-05-05", "date of birth given is more than 120 years ago"),
        ("2026-12-25", "date of birth given is in the future"),
        ("2026-11-19", "date of birth given is after the offence"),
        ("05/05/1980", "date of birth given is not a date in the form YYYY-MM-DD"),
        ("1980-02-30", "date of birth given is not a real date"),
    ],
)
def test_a_doubtful_birth_date_imports_unknown_and_flagged_for_checking(
    runner, tmp_path, date_of_birth, problem
):
    path = tmp_path / "dob.csv"
    path.write_bytes(
        police_csv(
            police_row(crime_reference="LC-1", date_of_birth=date_of_birth),
            police_row(crime_reference="LC-2", forename="Bo"),
        )
    )
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert (out["imported"], out["rejected"]) == (2, 0)
    stored = referrals()
    assert stored["LC-1"].date_of_birth is None
    assert stored["LC-1"].dob_problem == problem
    assert stored["LC-2"].dob_problem is None
    assert stored["LC-2"].date_of_birth.isoformat() == "1980-05-05"


@pytest.mark.parametrize(
    "date_of_birth,flagged",
    [
        ("1900-02-28", True),  # 120 years and a day before 29 February 2020
        ("1900-03-01", False),  # 1900 had no 29 February: 120 years to the day is 1 March
    ],
)
def test_more_than_120_years_is_counted_from_the_day_received_even_on_29_february(
    runner, tmp_path, date_of_birth, flagged
):
    path = tmp_path / "leap.csv"
    path.write_bytes(police_csv(police_row(date_of_birth=date_of_birth, occurred_on="2020-02-27")))
    with time_machine.travel("2020-02-29 12:00 +0000", tick=False):
        result = run_import(runner, path, received=None)
    assert json.loads(result.output)["imported"] == 1, result.output
    referral = referrals()["LC-20261120-0100"]
    assert (referral.dob_problem is not None) is flagged
    assert (referral.date_of_birth is None) is flagged


def test_the_birth_date_flag_shows_on_the_queue_and_the_referral(
    runner, tmp_path, client, team_leader
):
    path = tmp_path / "dob.csv"
    path.write_bytes(police_csv(police_row(date_of_birth="1900-01-01")))
    run_import(runner, path)
    referral = referrals()["LC-20261120-0100"]
    queue = client.get("/queue").get_data(as_text=True)
    assert "Date of birth needs checking" in queue
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "Date of birth needs checking" in page
    assert "Date of birth given is a placeholder" in page


@pytest.mark.parametrize(
    "method,unusable",
    [("MOBILE_PHONE", False), ("POST", True), ("IN_PERSON", True)],
)
def test_a_postcode_that_is_not_a_uk_postcode_is_flagged_address_needs_checking(
    runner, tmp_path, client, team_leader, method, unusable
):
    path = tmp_path / "postcode.csv"
    path.write_bytes(
        police_csv(
            police_row(crime_reference="LC-1", postcode="75001", contact_method=method),
            police_row(crime_reference="LC-2", forename="Bo", contact_method=method),
        )
    )
    assert json.loads(run_import(runner, path).output)["imported"] == 2
    stored = referrals()
    assert stored["LC-1"].address_needs_checking is True
    assert stored["LC-1"].contact_unusable is unusable
    assert stored["LC-2"].address_needs_checking is False
    assert stored["LC-2"].contact_unusable is False
    queue = client.get("/queue").get_data(as_text=True)
    assert queue.count("Address needs checking") == 1
    page = client.get(f"/referrals/{stored['LC-1'].id}").get_data(as_text=True)
    assert "Address needs checking" in page


@pytest.mark.parametrize(
    "column,character",
    [
        ("forename", "\x00"),
        ("risk_notes", "\x00"),
        ("address_line_1", "\x1b"),
        ("officer", "\x7f"),
        ("offence", "\x08"),
    ],
)
def test_a_nul_or_control_character_rejects_only_its_row(runner, tmp_path, column, character):
    path = tmp_path / "control.csv"
    bad = police_row(crime_reference="LC-2")
    bad[column] = "Jane" + character + "Doe"
    path.write_bytes(
        police_csv(police_row(crime_reference="LC-1"), bad, police_row(crime_reference="LC-3"))
    )
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert (out["imported"], out["rejected"]) == (2, 1)
    [rejection] = out["rejections"]
    assert rejection["line"] == 3
    assert rejection["reason"].startswith(f"{column} contains a control character")
    assert "Jane" not in rejection["reason"] and "Doe" not in rejection["reason"]
    assert set(referrals()) == {"LC-1", "LC-3"}


def test_tabs_and_line_breaks_inside_a_field_are_not_control_characters(runner, tmp_path):
    path = tmp_path / "text.csv"
    path.write_bytes(police_csv(police_row(risk_notes="first\tline\r\nsecond line")))
    assert json.loads(run_import(runner, path).output)["imported"] == 1


RLO, ZWSP, SHY = "\u202e", "\u200b", "\u00ad"


def test_format_characters_are_taken_out_of_every_cell_as_forms_take_them_out(
    runner, tmp_path, client, team_leader
):
    """A right-to-left override shows a name, and the text after it, backwards in every list;
    a zero-width space keeps an email address from being delivered and a crime reference from
    being recognised when it is sent again."""
    path = tmp_path / "format.csv"
    path.write_bytes(
        police_csv(
            police_row(
                crime_reference=f"LC{ZWSP}-1",
                surname=f"{RLO}Example",
                email=f"alex.example{ZWSP}@example.org",
                address_line_1=f"1 Test{SHY} Street {ZWSP}",
            )
        )
    )
    assert json.loads(run_import(runner, path).output)["imported"] == 1
    referral = referrals()["LC-1"]
    assert (referral.surname, referral.email, referral.address_line_1) == (
        "Example",
        "alex.example@example.org",
        "1 Test Street",
    )
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert RLO not in page and ZWSP not in page
    # The same row sent again without them is the same referral.
    again = tmp_path / "again.csv"
    again.write_bytes(police_csv(police_row(crime_reference="LC-1")))
    assert json.loads(run_import(runner, again).output)["duplicates"] == 1


PERSONAL = "JANE DOE 07700900123 LE1 1AA"


@pytest.mark.parametrize("column", COLUMNS)
def test_no_rejection_reason_repeats_what_a_cell_held(runner, tmp_path, column):
    path = tmp_path / "canary.csv"
    path.write_bytes(police_csv(police_row(**{column: PERSONAL}), police_row(forename="Bo")))
    result = run_import(runner, path)
    assert result.exit_code == 0, result.output
    for rejection in json.loads(result.output)["rejections"]:
        reason = rejection["reason"].upper()
        assert reason.startswith(column.upper()), rejection
        for word in PERSONAL.split():
            assert not re.search(rf"\b{word}\b", reason), rejection


def test_a_repeated_header_column_rejects_the_file(runner, tmp_path):
    path = tmp_path / "twice.csv"
    columns = [*COLUMNS, "forename"]
    path.write_bytes(police_csv(police_row(), columns=columns))
    result = run_import(runner, path)
    assert result.exit_code == 2
    assert "the header repeats column(s): forename" in result.output
    assert "nothing was imported" in result.output
    assert referrals() == {}
