"""A report or list asked for a quarter that is not one says so in words, with the quarters to
choose from; a return for a quarter still to come is refused. Each used to show the current
quarter's figures under the address asked for (2026-Q9 gave October to December 2026, and a CSV
named for the wrong quarter)."""

import pytest
import time_machine

NOW = "2026-11-24 10:00 +0000"


@pytest.fixture
def analyst(client, sign_in_as):
    with time_machine.travel(NOW, tick=False):
        yield sign_in_as("analyst")


@pytest.fixture
def leader(client, sign_in_as):
    with time_machine.travel(NOW, tick=False):
        yield sign_in_as("team_leader")


@pytest.mark.parametrize(
    "path,problem",
    [
        (
            "/reports/target-hardening?quarter=2026-Q9",
            "Enter the quarter as a year and a quarter number, like 2026-Q3",
        ),
        (
            "/reports/target-hardening?quarter=2031-Q1",
            "January to March 2031 has not begun: choose this quarter or an earlier one",
        ),
        (
            "/complaints/return?quarter=2026-27-Q7",
            "Enter the quarter as a financial year and a quarter number, like 2026-27-Q1",
        ),
        (
            "/complaints/return?quarter=2030-31-Q1",
            "Quarter 1 of 2030/31 (April to June 2030) has not begun",
        ),
    ],
)
def test_a_report_for_a_quarter_that_is_not_one_says_why(client, analyst, path, problem):
    response = client.get(path)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and problem in html
    assert '<option value="2026-Q4">' in html or '<option value="2026-27-Q3">' in html
    csv = client.get(path.replace("?", ".csv?"))
    assert csv.status_code == 400 and csv.mimetype == "text/plain"
    assert problem in csv.get_data(as_text=True)
    assert "Content-Disposition" not in csv.headers


def test_the_current_quarter_and_no_quarter_still_report(client, analyst):
    assert client.get("/reports/target-hardening?quarter=2026-Q4").status_code == 200
    assert client.get("/reports/target-hardening").status_code == 200
    assert client.get("/complaints/return?quarter=2026-27-Q3").status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/complaints?quarter=2026-Q1", "/groups?quarter=nonsense", "/groups/return.csv?quarter=x"],
)
def test_a_list_filtered_by_a_quarter_that_is_not_one_says_why(client, leader, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "Enter the quarter as a financial year" in response.get_data(as_text=True)


def test_a_list_may_look_at_a_quarter_to_come(client, leader):
    """Group sessions are planned ahead: next quarter's list is a real question."""
    assert client.get("/groups?quarter=2027-28-Q1").status_code == 200
