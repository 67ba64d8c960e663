"""A caseworker keeps a case's notes in a real browser: writes a note, edits it, corrects it;
every notes page passes axe (WCAG 2.2 AA)."""

import os
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from casework.cases.notes_models import CaseNote, CaseNoteAmendment
from casework.db import db
from tests.conftest import PASSWORD
from tests.e2e.conftest import axe_violations
from tests.factories import create_case_for_notes
from tests.police import police_row

pytestmark = pytest.mark.e2e
SHOTS = os.environ.get("NOTES_SHOTS_DIR", "/tmp/wt-notes-shots")


def _shot(page, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_a_caseworker_writes_edits_and_corrects_a_note(
    app, live_server, axe_page, create_team_record, create_staff_record
):
    now = datetime.now(UTC)
    team = create_team_record("City victim team")
    leader = create_staff_record("team_leader", team=team, name="Lee Leader")
    worker = create_staff_record("caseworker", team=team, name="Sam Okafor")
    opened = now - timedelta(days=3)
    case = create_case_for_notes(
        caseworker=worker,
        team_leader=leader,
        row=police_row(
            forename="Aisha",
            surname="Rahman",
            occurred_on=(opened - timedelta(days=1)).date().isoformat(),
        ),
        at=opened,
    )
    page = axe_page
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill(worker.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/(caseload|queue|)$"))

    page.goto(f"{live_server}/cases/{case.id}/notes")
    expect(page.get_by_role("heading", name="Notes", exact=True)).to_be_visible()
    expect(page.get_by_text("No notes have been written on this case yet.")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Add a note").click()
    expect(page.get_by_role("heading", name="Add a note")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save note").click()  # nothing chosen: the error summary
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select how the contact happened, or No contact")
    expect(summary).to_contain_text("Enter the note")
    assert page.title().startswith("Error: ")
    assert axe_violations(page) == []

    page.get_by_label("Face to face").check()
    page.get_by_label("Note", exact=True).fill(
        "Met Aisha at the community centre.\nShe wants help with a Victim Personal Statement."
    )
    page.get_by_label("Restricted: only the case's caseworker and team leaders can read it").check()
    _shot(page, "1-add-note")
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("Note added."))
    expect(page.get_by_text("Met Aisha at the community centre.")).to_be_visible()
    expect(page.locator(".govuk-summary-card__title")).to_contain_text("Face to face")
    expect(page.locator(".govuk-summary-card__title")).to_contain_text("Restricted")
    assert axe_violations(page) == []

    page.get_by_role("link", name=re.compile("^Edit")).click()
    expect(page.get_by_role("heading", name="Edit note")).to_be_visible()
    expect(page.get_by_text(re.compile("You can edit this note until"))).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Note", exact=True).fill(
        "Met Aisha and her sister at the community centre.\n"
        "She wants help with a Victim Personal Statement."
    )
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("Note updated."))
    expect(page.get_by_text(re.compile("edited by Sam Okafor"))).to_be_visible()

    page.get_by_role("link", name=re.compile("^Add a correction")).click()
    expect(page.get_by_role("heading", name="Add a correction")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_label("Correction").fill("The meeting was on the Tuesday, not the Monday.")
    page.get_by_role("button", name="Add correction").click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("Correction added."))
    expect(page.get_by_text("The meeting was on the Tuesday, not the Monday.")).to_be_visible()
    assert axe_violations(page) == []
    _shot(page, "2-notes-list")

    db.session.rollback()
    [note] = db.session.scalars(sa.select(CaseNote)).all()
    assert note.text.startswith("Met Aisha and her sister")
    assert (note.mode, note.restricted, note.version) == ("face_to_face", True, 2)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseNoteAmendment)) == 1


def _signed_in(browser, live_server, staff):
    context = browser.new_context(bypass_csp=True)  # bypass only so axe can be injected
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill(staff.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/(caseload|queue|)$"))
    return context, page


def test_the_second_of_two_editors_is_shown_what_changed_and_nothing_is_lost(
    app, live_server, browser, create_team_record, create_staff_record
):
    from casework.audit import Origin
    from casework.cases.notes import NoteDetails, add_note

    now = datetime.now(UTC)
    team = create_team_record("City victim team")
    leader = create_staff_record("team_leader", team=team, name="Lee Leader")
    worker = create_staff_record("caseworker", team=team, name="Sam Okafor")
    opened = now - timedelta(days=3)
    case = create_case_for_notes(
        caseworker=worker,
        team_leader=leader,
        row=police_row(occurred_on=(opened - timedelta(days=1)).date().isoformat()),
        at=opened,
    )
    note = add_note(
        db.session,
        case.id,
        NoteDetails("telephone", now - timedelta(hours=1), "Spoke to Alex.", False),
        actor=worker,
        origin=Origin.command_line("test"),
        now=now,
    )
    edit = f"{live_server}/cases/{case.id}/notes/{note.id}/edit"
    mine, my_page = _signed_in(browser, live_server, worker)
    theirs, their_page = _signed_in(browser, live_server, leader)
    try:
        my_page.goto(edit)
        their_page.goto(edit)
        their_page.get_by_label("Note", exact=True).fill("Spoke to Alex and their mother.")
        their_page.get_by_role("button", name="Save changes").click()
        expect(their_page.get_by_role("alert")).to_have_text(re.compile("Note updated."))

        my_page.get_by_label("Note", exact=True).fill("Spoke to Alex by phone.")
        my_page.get_by_role("button", name="Save changes").click()
        summary = my_page.locator(".govuk-error-summary")
        expect(summary).to_contain_text("Lee Leader changed the text after you opened this note")
        expect(my_page.locator("#current-note")).to_contain_text("Spoke to Alex and their mother.")
        expect(my_page.get_by_label("Note", exact=True)).to_have_value("Spoke to Alex by phone.")
        assert axe_violations(my_page) == []
        _shot(my_page, "3-edit-conflict")
        db.session.rollback()
        assert db.session.get(CaseNote, note.id).text == "Spoke to Alex and their mother."

        my_page.get_by_role("button", name="Save changes").click()  # having seen it: replace
        expect(my_page.get_by_role("alert")).to_have_text(re.compile("Note updated."))
    finally:
        mine.close()
        theirs.close()
    db.session.rollback()
    assert db.session.get(CaseNote, note.id).text == "Spoke to Alex by phone."
