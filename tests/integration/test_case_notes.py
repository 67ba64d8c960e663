"""Case notes (issue "People and cases", part 6): written on an open case by those who may work
it, edited only in their first 24 hours by the author or a team leader, amended after; restricted
notes read only by the caseworker, team leaders and admins, each reading audited; a save over a
change made since the page was opened is refused; another team's case is a 404 like a missing one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from werkzeug.datastructures import MultiDict

from casework.audit import Origin
from casework.cases.notes import EditConflict, NoteDetails, add_note, edit_note
from casework.cases.notes_models import CaseNote, CaseNoteAmendment
from casework.cases.opening import close_case
from casework.db import db
from tests.conftest import (
    audit_rows,
    csrf_token,
    sent_at_the_same_moment,
    sign_in,
    submission_token,
)
from tests.factories import create_case_for_notes
from tests.police import police_row

NOW = "2026-11-23 10:00 +0000"  # Monday 10:00 GMT
ORIGIN = Origin.command_line("test")


@pytest.fixture
def clock():
    """The clock stands still at NOW for the test (move it with clock.move_to)."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def team(create_team_record):
    return create_team_record("City victim team")


@pytest.fixture
def worker(create_staff_record, team):
    return create_staff_record("caseworker", team=team, name="Sam Okafor")


@pytest.fixture
def leader(create_staff_record, team):
    return create_staff_record("team_leader", team=team, name="Lee Leader")


@pytest.fixture
def case(clock, worker, leader):
    return create_case_for_notes(
        caseworker=worker, team_leader=leader, at=datetime(2026, 11, 20, 9, tzinfo=UTC)
    )


def client_for(app, staff):
    """A browser of its own, signed in as ``staff``."""
    client = app.test_client()
    assert sign_in(client, staff.email).status_code == 302
    return client


def note_fields(
    mode="telephone",
    when="2026-11-23 09:30",
    text="Spoke to Alex; they feel safer.",
    restricted=False,
    **extra,
):
    day, hm = when.split(" ")
    y, m, d = day.split("-")
    data = {"mode": mode, "day": [d, m, y], "at": hm, "text": text, **extra}
    if restricted:
        data["restricted"] = "y"
    return data


def post(client, path, data, token_from=None):
    return client.post(path, data={"csrf_token": csrf_token(client, token_from or path), **data})


def notes_path(case, *rest):
    return "/".join([f"/cases/{case.id}/notes", *map(str, rest)])


def add(case, author, text="Spoke to Alex.", *, restricted=False, mode="telephone", at=None):
    """A note written through the service at the current (frozen) time."""
    now = datetime.now(UTC)
    return add_note(
        db.session,
        case.id,
        NoteDetails(mode, at or now - timedelta(minutes=30), text, restricted),
        actor=author,
        origin=ORIGIN,
        now=now,
    )


def notes():
    db.session.rollback()
    return list(db.session.scalars(sa.select(CaseNote).order_by(CaseNote.id)))


# --- writing and reading -----------------------------------------------------------------


def test_a_caseworker_writes_notes_and_reads_them_newest_first(app, clock, case, worker):
    client = client_for(app, worker)
    empty = client.get(notes_path(case)).get_data(as_text=True)
    assert "No notes have been written on this case yet." in empty
    assert f'href="{notes_path(case, "new")}"' in empty

    form = client.get(notes_path(case, "new")).get_data(as_text=True)
    assert 'value="23"' in form and 'value="10:00"' in form  # today, now, UK time
    for label in ("Telephone", "Face to face", "Web chat", "Email", "Letter", "SMS text"):
        assert label in form
    assert "No contact" in form

    first = post(client, notes_path(case, "new"), note_fields(when="2026-11-21 14:00"))
    assert first.status_code == 302 and first.location.endswith(notes_path(case))
    second = post(
        client,
        notes_path(case, "new"),
        note_fields(mode="none", when="2026-11-22 09:15", text="Police updated: court date set."),
    )
    assert second.status_code == 302
    page = client.get(notes_path(case)).get_data(as_text=True)
    assert "Note added." in page
    assert page.index("Police updated") < page.index("Spoke to Alex")  # newest first
    assert "Sun 22 Nov 2026 09:15 · No contact" in page
    assert "Sat 21 Nov 2026 14:00 · Telephone" in page
    assert "Written by Sam Okafor" in page

    stored = notes()
    assert [(n.mode, n.author_id, n.restricted, n.version) for n in stored] == [
        ("telephone", worker.id, False, 1),
        ("none", worker.id, False, 1),
    ]
    assert stored[0].happened_at == datetime(2026, 11, 21, 14, tzinfo=UTC)
    added = audit_rows("case_note.add")
    assert [(r.record_type, r.record_id, r.person_id, r.actor_id) for r in added] == [
        ("case", str(case.id), case.person_id, worker.id)
    ] * 2
    assert added[0].detail_dict == {
        "note_id": stored[0].id,
        "mode": "telephone",
        "restricted": False,
    }
    assert all(r.record_id == str(case.id) for r in audit_rows("case_note.list"))


def test_a_time_in_british_summer_time_is_stored_in_utc(app, worker, leader, clock):
    case = create_case_for_notes(
        caseworker=worker,
        team_leader=leader,
        row=police_row(occurred_on="2026-06-28"),
        at=datetime(2026, 6, 30, 9, tzinfo=UTC),
    )
    client = client_for(app, worker)
    post(client, notes_path(case, "new"), note_fields(when="2026-07-01 14:00"))
    assert notes()[0].happened_at == datetime(2026, 7, 1, 13, tzinfo=UTC)
    assert "Wed 1 Jul 2026 14:00" in client.get(notes_path(case)).get_data(as_text=True)


def test_the_notes_list_is_paginated(app, clock, case, worker):
    start = datetime(2026, 11, 20, 9, tzinfo=UTC)
    for n in range(23):
        add(case, worker, f"Note number {n:02d}.", at=start + timedelta(hours=n))
    client = client_for(app, worker)
    first = client.get(notes_path(case)).get_data(as_text=True)
    assert "23 notes, newest first." in first
    assert "Note number 22." in first and "Note number 03." in first
    assert "Note number 02." not in first
    assert 'rel="next"' in first
    second = client.get(notes_path(case) + "?page=2").get_data(as_text=True)
    assert "Note number 02." in second and "Note number 00." in second
    assert "Note number 03." not in second
    past = client.get(notes_path(case) + "?page=9")
    assert past.status_code == 200
    assert "There are no notes on this page." in past.get_data(as_text=True)


BAD_NOTES = [
    ({"mode": None}, "Select how the contact happened, or No contact"),
    ({"mode": "carrier_pigeon"}, "Select how the contact happened, or No contact"),
    ({"day": ["", "", ""]}, "Enter the date it happened"),
    ({"day": ["31", "2", "2026"]}, "must be a real date"),
    ({"day": ["1", "", "2026"]}, "must include a day, month and year"),
    ({"day": ["1", "1", "99999"]}, "must be a real date"),
    ({"at": "25:00"}, "Enter a time like 14:30"),
    ({"at": ""}, "Enter the time it happened"),
    ({"when": "2026-11-23 10:01"}, "cannot be in the future"),
    # A year typed wrong (1900, or 2016 for 2026): nothing about the case happened before the
    # service heard of it.
    (
        {"when": "1900-01-01 09:30"},
        "The date it happened cannot be before the referral was received (20 November 2026)",
    ),
    ({"when": "2016-11-23 09:30"}, "cannot be before the referral was received"),
    ({"text": "   "}, "Enter the note"),
    ({"text": "x" * 20_001}, "The note must be 20,000 characters or fewer"),
]


@pytest.mark.parametrize("change,message", BAD_NOTES, ids=[m for _, m in BAD_NOTES])
def test_a_note_that_cannot_be_stored_is_refused_clearly(app, clock, case, worker, change, message):
    client = client_for(app, worker)
    change = dict(change)
    fields = note_fields(when=change.pop("when", "2026-11-23 09:30"))
    fields.update(change)
    fields = {k: v for k, v in fields.items() if v is not None}
    response = post(client, notes_path(case, "new"), fields)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and message in html
    assert "<title>Error: " in html
    assert notes() == []


def test_a_date_before_the_case_is_told_with_the_forms_other_problems(app, clock, case, worker):
    """Every problem at once: the service's date rule is not held back until the text is in."""
    client = client_for(app, worker)
    fields = note_fields(when="1900-01-01 09:30", text="")
    html = post(client, notes_path(case, "new"), fields).get_data(as_text=True)
    assert "Enter the note" in html
    assert "The date it happened cannot be before the referral was received" in html
    assert notes() == []


def test_exactly_twenty_thousand_characters_are_kept(app, clock, case, worker):
    client = client_for(app, worker)
    text = "y" * 20_000
    assert post(client, notes_path(case, "new"), note_fields(text=text)).status_code == 302
    assert notes()[0].text == text


def test_a_note_is_shown_as_text_never_as_markup(app, clock, case, worker):
    client = client_for(app, worker)
    post(client, notes_path(case, "new"), note_fields(text="<script>alert(1)</script>{{7*7}}"))
    page = client.get(notes_path(case)).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;{{7*7}}" in page


# --- restricted notes ----------------------------------------------------------------------


def test_restricted_notes_are_read_by_the_caseworker_team_leaders_and_admins_each_audited(
    app, clock, case, worker, leader, create_staff_record, team
):
    add(case, worker, "Ordinary update.")
    secret = add(case, worker, "Disclosed abuse by a family member.", restricted=True)
    admin = create_staff_record("admin")
    for reader in (worker, leader, admin):
        before = len(audit_rows("case_note.view_restricted"))
        page = client_for(app, reader).get(notes_path(case)).get_data(as_text=True)
        assert "Disclosed abuse by a family member." in page
        assert "Restricted" in page
        rows = audit_rows("case_note.view_restricted")[before:]
        assert [(r.actor_id, r.record_id, r.person_id, r.detail_dict) for r in rows] == [
            (reader.id, str(case.id), case.person_id, {"note_id": secret.id})
        ]


@pytest.mark.parametrize(
    "who,status",
    [
        ("colleague", 404),  # another caseworker of the same team
        ("other_leader", 404),  # a team leader of another team
        ("analyst", 403),
        ("hsb_advisor", 403),
    ],
)
def test_people_who_may_not_see_the_case_see_none_of_its_notes(
    app, clock, case, worker, create_staff_record, create_team_record, team, who, status
):
    add(case, worker, "Disclosed abuse by a family member.", restricted=True)
    role = {"colleague": "caseworker", "other_leader": "team_leader"}.get(who, who)
    outsider = create_staff_record(role, team=create_team_record() if who != "colleague" else team)
    response = client_for(app, outsider).get(notes_path(case))
    assert response.status_code == status
    assert "Disclosed abuse" not in response.get_data(as_text=True)
    assert not [r for r in audit_rows("case_note.view_restricted") if r.actor_id == outsider.id]


def test_someone_who_may_see_the_case_but_not_restricted_notes_sees_only_that_one_exists(
    app, clock, case, worker, create_staff_record, team, monkeypatch
):
    """Today everyone who may open a case may also read its restricted notes; should the case
    rule widen (a colleague covering the caseload), restricted text stays with the caseworker,
    team leaders and admins. The widening is simulated here."""
    import casework.cases.loading as service
    from casework.access import can_view_case

    colleague = create_staff_record("caseworker", team=team, name="Covering Colleague")
    monkeypatch.setattr(
        service,
        "can_view_case",
        lambda viewer, c: can_view_case(viewer, c) or viewer.team_id == c.team_id,
    )
    add(case, worker, "Ordinary update.")
    secret = add(case, worker, "Disclosed abuse by a family member.", restricted=True)
    client = client_for(app, colleague)
    page = client.get(notes_path(case)).get_data(as_text=True)
    assert "Ordinary update." in page
    assert "Disclosed abuse" not in page
    assert "This note is restricted: only the case's caseworker and team leaders" in page
    assert notes_path(case, secret.id, "edit") not in page
    assert notes_path(case, secret.id, "amend") not in page
    assert audit_rows("case_note.view_restricted") == []
    for action in ("edit", "amend"):
        opened = client.get(notes_path(case, secret.id, action))
        assert opened.status_code == 302
        assert "Disclosed abuse" not in client.get(opened.location).get_data(as_text=True)
    refused = post(
        client,
        notes_path(case, secret.id, "amend"),
        {"text": "A correction"},
        token_from=notes_path(case),
    )
    assert refused.status_code == 400
    assert "Disclosed abuse" not in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseNoteAmendment)) == 0
    assert audit_rows("case_note.view_restricted") == []


def test_opening_a_restricted_note_to_edit_or_amend_it_is_audited(app, clock, case, worker):
    secret = add(case, worker, "Disclosed abuse.", restricted=True)
    client = client_for(app, worker)
    for action in ("edit", "amend"):
        page = client.get(notes_path(case, secret.id, action)).get_data(as_text=True)
        assert "Disclosed abuse." in page
    assert len(audit_rows("case_note.view_restricted")) == 2


# --- editing in the first 24 hours, then amending -------------------------------------------


def test_the_author_edits_a_note_in_its_first_24_hours(app, clock, case, worker):
    note = add(case, worker, "Spoke to Alex.")
    client = client_for(app, worker)
    form = client.get(notes_path(case, note.id, "edit")).get_data(as_text=True)
    assert "Spoke to Alex." in form and 'name="version" type="hidden" value="1"' in form
    assert "You can edit this note until Tuesday 24 November 2026, 10:00" in form
    saved = post(
        client,
        notes_path(case, note.id, "edit"),
        note_fields(mode="face_to_face", text="Met Alex at the office.", version="1"),
        token_from=notes_path(case, note.id, "edit"),
    )
    assert saved.status_code == 302
    [stored] = notes()
    assert (stored.text, stored.mode, stored.version) == (
        "Met Alex at the office.",
        "face_to_face",
        2,
    )
    [row] = audit_rows("case_note.edit")
    assert (row.record_type, row.record_id, row.person_id) == ("case", str(case.id), case.person_id)
    assert row.detail_dict == {
        "note_id": note.id,
        "changed": ["mode", "text"],
        "version": 2,
    }
    assert "Met Alex at the office." not in row.detail  # the trail never copies a note's text
    assert "Note updated." in client.get(saved.location).get_data(as_text=True)


def test_a_team_leader_may_edit_anothers_note_an_admin_may_not(
    app, clock, case, worker, leader, create_staff_record
):
    note = add(case, worker, "Spoke to Alex.")
    admin = create_staff_record("admin")
    admins = client_for(app, admin)
    assert notes_path(case, note.id, "edit") not in admins.get(notes_path(case)).get_data(
        as_text=True
    )
    refused = post(
        admins,
        notes_path(case, note.id, "edit"),
        note_fields(text="Changed by admin", version="1"),
        token_from=notes_path(case),
    )
    assert refused.status_code == 400
    assert "Only the note&#39;s author or a team leader can edit it" in refused.get_data(
        as_text=True
    )

    leaders = client_for(app, leader)
    saved = post(
        leaders,
        notes_path(case, note.id, "edit"),
        note_fields(text="Spoke to Alex (their mother was present).", version="1"),
        token_from=notes_path(case),
    )
    assert saved.status_code == 302
    assert notes()[0].edited_by_id == leader.id
    page = leaders.get(notes_path(case)).get_data(as_text=True)
    assert "edited by Lee Leader" in page


def test_saving_an_unchanged_note_changes_nothing(app, clock, case, worker):
    note = add(case, worker, "Spoke to Alex.", at=datetime(2026, 11, 23, 9, 30, tzinfo=UTC))
    client = client_for(app, worker)
    saved = post(
        client,
        notes_path(case, note.id, "edit"),
        note_fields(text="Spoke to Alex.", version="1"),
        token_from=notes_path(case),
    )
    assert saved.status_code == 302
    assert notes()[0].version == 1 and audit_rows("case_note.edit") == []


# Each: when the note is written (UTC), the last moment it can be edited, the first it cannot,
# and how the page shows the deadline (UK time). Elapsed hours count, not the clock on the wall.
WINDOWS = [
    pytest.param(
        "2026-11-23 10:00 +0000",
        "2026-11-24 09:59 +0000",
        "2026-11-24 10:00 +0000",
        "24 Nov 2026 10:00",
        id="winter",
    ),
    pytest.param(  # written 12:00 BST on Saturday; clocks go back at 02:00 BST on Sunday 25 Oct
        "2026-10-24 11:00 +0000",
        "2026-10-25 10:59 +0000",
        "2026-10-25 11:30 +0000",  # 11:30 GMT: a wall-clock day (till 12:00) would still allow it
        "25 Oct 2026 11:00",
        id="october-clock-change",
    ),
    pytest.param(  # written 12:00 GMT on Saturday; clocks go forward at 01:00 GMT on Sunday 28 Mar
        "2027-03-27 12:00 +0000",
        "2027-03-28 11:30 +0000",  # 12:30 BST: a wall-clock day (till 12:00 BST) would refuse it
        "2027-03-28 12:00 +0000",
        "28 Mar 2027 13:00",
        id="march-clock-change",
    ),
]


@pytest.mark.parametrize("written,last,closed,shown", WINDOWS)
def test_a_note_can_be_edited_for_24_hours_then_only_amended(
    app, worker, leader, written, last, closed, shown
):
    with time_machine.travel(written, tick=False):
        written_at = datetime.now(UTC)
        opened = written_at - timedelta(days=2)
        case = create_case_for_notes(
            caseworker=worker,
            team_leader=leader,
            row=police_row(occurred_on=(opened - timedelta(days=1)).date().isoformat()),
            at=opened,
        )
        note = add(case, worker, "First version.")
        page = client_for(app, worker).get(notes_path(case)).get_data(as_text=True)
        assert f"Can be edited until {shown}" in page

    with time_machine.travel(last, tick=False):
        client = client_for(app, worker)
        assert notes_path(case, note.id, "edit") in client.get(notes_path(case)).get_data(
            as_text=True
        )
        saved = post(
            client,
            notes_path(case, note.id, "edit"),
            note_fields(when=f"{opened:%Y-%m-%d} 09:00", text="Second version.", version="1"),
            token_from=notes_path(case, note.id, "edit"),
        )
        assert saved.status_code == 302
        assert notes()[0].text == "Second version."

    with time_machine.travel(closed, tick=False):
        client = client_for(app, worker)
        page = client.get(notes_path(case)).get_data(as_text=True)
        assert notes_path(case, note.id, "edit") not in page
        assert notes_path(case, note.id, "amend") in page
        opened = client.get(notes_path(case, note.id, "edit"))
        assert opened.status_code == 302
        assert "more than 24 hours ago" in client.get(opened.location).get_data(as_text=True)
        refused = post(
            client,
            notes_path(case, note.id, "edit"),
            note_fields(when="2020-01-01 09:00", text="Third version.", version="2"),
            token_from=notes_path(case),
        )
        assert refused.status_code == 400
        assert "can no longer be edited" in refused.get_data(as_text=True)
        assert notes()[0].text == "Second version."

        amended = post(
            client,
            notes_path(case, note.id, "amend"),
            {"text": "Correction: it was their sister, not their mother."},
        )
        assert amended.status_code == 302
        page = client.get(notes_path(case)).get_data(as_text=True)
        assert "Correction added." in page
        assert "Second version." in page
        assert "Correction: it was their sister, not their mother." in page
        assert "Correction by Sam Okafor" in page
    assert notes()[0].text == "Second version." and notes()[0].version == 2
    [row] = audit_rows("case_note.amend")
    assert (row.record_type, row.record_id, row.person_id) == ("case", str(case.id), case.person_id)
    assert row.detail_dict["note_id"] == note.id


def test_a_correction_that_cannot_be_stored_is_refused_clearly(app, clock, case, worker):
    note = add(case, worker, "Spoke to Alex.")
    client = client_for(app, worker)
    for text, message in (
        ("  ", "Enter the correction"),
        ("x" * 20_001, "The correction must be 20,000 characters or fewer"),
    ):
        response = post(client, notes_path(case, note.id, "amend"), {"text": text})
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert "There is a problem" in html and message in html
        assert "Spoke to Alex." in html  # the note being corrected stays in view
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseNoteAmendment)) == 0


# --- concurrent edits ------------------------------------------------------------------------


def test_a_save_over_a_change_made_since_the_page_opened_is_refused_with_the_current_note(
    app, clock, case, worker, leader
):
    note = add(case, worker, "Spoke to Alex.", at=datetime(2026, 11, 23, 9, 30, tzinfo=UTC))
    mine, theirs = client_for(app, worker), client_for(app, leader)
    edit_path = notes_path(case, note.id, "edit")
    my_token, their_token = csrf_token(mine, edit_path), csrf_token(theirs, edit_path)

    first = theirs.post(
        edit_path,
        data={
            "csrf_token": their_token,
            **note_fields(text="Spoke to Alex and their mother.", version="1", restricted=True),
        },
    )
    assert first.status_code == 302
    second = mine.post(
        edit_path,
        data={"csrf_token": my_token, **note_fields(text="Spoke to Alex by phone.", version="1")},
    )
    assert second.status_code == 400
    html = second.get_data(as_text=True)
    assert "Lee Leader changed the text and whether it is restricted after you opened" in html
    assert "Your changes have not been saved." in html
    assert "The note as it is now" in html and "Spoke to Alex and their mother." in html
    assert "Spoke to Alex by phone." in html  # what they typed is kept, to compare and re-apply
    assert 'name="version" type="hidden" value="2"' in html
    stored = notes()[0]
    assert (stored.text, stored.version) == ("Spoke to Alex and their mother.", 2)
    [conflict] = audit_rows("case_note.edit_conflict")
    assert conflict.outcome == "ok" and conflict.detail_dict["expected_version"] == 1

    # Having seen the note as it is, saving again replaces it deliberately.
    again = mine.post(
        edit_path,
        data={"csrf_token": my_token, **note_fields(text="Spoke to Alex by phone.", version="2")},
    )
    assert again.status_code == 302
    assert notes()[0].text == "Spoke to Alex by phone." and notes()[0].version == 3


def test_a_save_racing_another_in_the_same_instant_is_refused_not_lost(app, clock, case, worker):
    """Both editors passed the version check; the database's version column catches the
    second UPDATE (PostgreSQL and SQLite alike)."""
    note = add(case, worker, "Spoke to Alex.")

    def someone_else_saves_first(session, flush_context, instances):
        with db.engine.connect() as other:
            other.execute(
                sa.update(CaseNote)
                .where(CaseNote.id == note.id)
                .values(text="Saved a moment earlier.", version=2)
            )
            other.commit()

    session = db.session()
    sa.event.listen(session, "before_flush", someone_else_saves_first, once=True)
    now = datetime.now(UTC)
    with pytest.raises(EditConflict) as refused:
        edit_note(
            db.session,
            case.id,
            note.id,
            NoteDetails("telephone", now - timedelta(hours=1), "My version.", False),
            expected_version=1,
            actor=worker,
            origin=ORIGIN,
            now=now,
        )
    assert isinstance(refused.value, EditConflict)
    assert refused.value.note.text == "Saved a moment earlier."
    assert notes()[0].text == "Saved a moment earlier."


@pytest.mark.parametrize("version", ["", "abc", "0", "-1", "١", "9" * 40])
def test_an_edit_without_a_sensible_version_is_refused(app, clock, case, worker, version):
    note = add(case, worker, "Spoke to Alex.")
    response = post(
        client_for(app, worker),
        notes_path(case, note.id, "edit"),
        note_fields(text="Changed", version=version),
        token_from=notes_path(case),
    )
    assert response.status_code == 400
    assert notes()[0].text == "Spoke to Alex."


def test_the_same_note_form_sent_twice_writes_one_note(app, clock, case, worker):
    """A double click on "Save note", or a resend after a slow answer, sends the same form
    again: the caseworker lands on the notes with one note, not two, told the second send saved
    nothing (not "Note added."). A new form with the same words is a new note."""
    client = client_for(app, worker)
    form = client.get(notes_path(case, "new")).get_data(as_text=True)
    data = {
        **note_fields(text="Called Alex: no answer."),
        "submission_token": submission_token(form),
    }
    for _ in range(2):
        response = post(client, notes_path(case, "new"), data)
        assert response.status_code == 302 and response.location.endswith(notes_path(case))
    page = client.get(notes_path(case)).get_data(as_text=True)
    assert "You sent this form twice" in page and "Note added." not in page
    assert page.count("Called Alex: no answer.") == 1
    assert [n.text for n in notes()] == ["Called Alex: no answer."]
    assert len(audit_rows("case_note.add")) == 1

    again = client.get(notes_path(case, "new")).get_data(as_text=True)
    assert submission_token(again) != data["submission_token"]
    post(client, notes_path(case, "new"), {**data, "submission_token": submission_token(again)})
    assert [n.text for n in notes()] == ["Called Alex: no answer."] * 2


def test_a_note_corrected_and_sent_again_on_its_form_says_the_correction_was_not_saved(
    app, clock, case, worker
):
    """Saved, then Back, a typo put right and sent again: the form is the one already saved,
    so the page says the change was not saved, rather than letting the worker think it was."""
    client = client_for(app, worker)
    path = notes_path(case, "new")
    token = submission_token(client.get(path).get_data(as_text=True))
    first = post(client, path, {**note_fields(text="Called Alx."), "submission_token": token})
    assert "You sent this form twice" not in client.get(first.location).get_data(as_text=True)
    again = post(client, path, {**note_fields(text="Called Alex."), "submission_token": token})
    page = client.get(again.location).get_data(as_text=True)
    assert "anything you changed before sending it again has not been saved" in page
    assert [n.text for n in notes()] == ["Called Alx."]


def test_a_form_sent_twice_at_the_same_moment_still_writes_one_note(app, clock, case, worker):
    """Both requests found no note yet; the second's INSERT meets the first's committed note
    (the unique submission key, on PostgreSQL and SQLite alike) and returns it, no error."""
    now = datetime.now(UTC)
    details = NoteDetails("telephone", now - timedelta(minutes=5), "Called Alex.", False)

    first_id, second = sent_at_the_same_moment(
        lambda session: add_note(
            session,
            case.id,
            details,
            actor=session.get(type(worker), worker.id),
            origin=ORIGIN,
            now=now,
            submission_token="the-same-form-token",
        ),
        CaseNote.submission_key,
    )
    assert second.id == first_id
    assert [n.text for n in notes()] == ["Called Alex."]
    assert len(audit_rows("case_note.add")) == 1


# --- access ---------------------------------------------------------------------------------


def test_another_teams_case_is_a_404_like_a_missing_one_on_every_notes_page(
    app, clock, case, worker, create_staff_record, create_team_record
):
    note = add(case, worker, "Spoke to Alex.")
    other_team = create_team_record("Other victim team")
    outsider = create_staff_record("team_leader", team=other_team)
    missing = case.id + 1000
    client = client_for(app, outsider)
    for case_id in (case.id, missing):
        for path in (
            f"/cases/{case_id}/notes",
            f"/cases/{case_id}/notes/new",
            f"/cases/{case_id}/notes/{note.id}/edit",
            f"/cases/{case_id}/notes/{note.id}/amend",
        ):
            assert client.get(path).status_code == 404, path
            token = csrf_token(client, "/account")
            fields = {"csrf_token": token, **note_fields(version="1")}
            assert client.post(path, data=fields).status_code in (404, 405), path
    denied = audit_rows("access.denied")
    assert {r.record_id for r in denied} == {str(case.id), str(missing)}
    assert all(r.actor_id == outsider.id and r.outcome == "failed" for r in denied)
    assert [(n.text, n.version) for n in notes()] == [("Spoke to Alex.", 1)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseNoteAmendment)) == 0


def test_a_note_of_another_case_is_not_found_through_this_one(app, clock, case, worker, leader):
    other_case = create_case_for_notes(
        caseworker=worker,
        team_leader=leader,
        row=police_row(crime_reference="LC-20261120-0200", forename="Bo", surname="Other"),
        at=datetime(2026, 11, 20, 9, tzinfo=UTC),
    )
    theirs = add(other_case, worker, "Bo's note.")
    client = client_for(app, worker)
    for action in ("edit", "amend"):
        assert client.get(notes_path(case, theirs.id, action)).status_code == 404


def test_a_closed_case_s_notes_are_read_only(app, clock, case, worker, leader):
    note = add(case, worker, "Spoke to Alex.")
    close_case(
        db.session,
        case,
        reason="Support complete",
        actor=leader,
        origin=ORIGIN,
        now=datetime.now(UTC),
    )
    db.session.commit()
    for person in (worker, leader):
        client = client_for(app, person)
        page = client.get(notes_path(case)).get_data(as_text=True)
        assert "Spoke to Alex." in page
        assert "This case is closed: its notes can be read but not added to or changed." in page
        assert notes_path(case, "new") not in page
        assert notes_path(case, note.id, "edit") not in page
        assert notes_path(case, note.id, "amend") not in page
        for action in ("new", f"{note.id}/edit", f"{note.id}/amend"):
            opened = client.get(f"{notes_path(case)}/{action}")
            assert opened.status_code == 302 and opened.location.endswith(notes_path(case))
        token_page = notes_path(case)
        assert post(client, notes_path(case, "new"), note_fields(), token_page).status_code == 400
        edited = post(
            client,
            notes_path(case, note.id, "edit"),
            note_fields(text="Changed", version="1"),
            token_page,
        )
        assert edited.status_code == 400
        assert "This case is closed" in edited.get_data(as_text=True)
        amended = post(client, notes_path(case, note.id, "amend"), {"text": "More"}, token_page)
        assert amended.status_code == 400
    assert [(n.text, n.version) for n in notes()] == [("Spoke to Alex.", 1)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseNoteAmendment)) == 0
    assert len(audit_rows("case_note.add")) == 1


def test_notes_pages_need_a_signed_in_worker(app, client, clock, case, worker):
    note = add(case, worker, "Spoke to Alex.")
    for path in (notes_path(case), notes_path(case, "new"), notes_path(case, note.id, "edit")):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location


def test_flash_messages_are_plain_text(app, clock, case, worker):
    client = client_for(app, worker)
    saved = post(client, notes_path(case, "new"), note_fields(text="<b>bold</b>"))
    with client.session_transaction() as session:
        flashes = session.get("_flashes", [])
    assert flashes == [("success", "Note added.")]
    assert saved.status_code == 302


def test_posting_every_field_twice_is_refused_not_an_error(app, clock, case, worker):
    client = client_for(app, worker)
    token = csrf_token(client, notes_path(case, "new"))
    data = MultiDict(
        [
            ("csrf_token", token),
            ("mode", "telephone"),
            ("mode", "email"),
            ("at", "09:00"),
            ("at", "10:00"),
            ("day", "1"),
            ("text", "a"),
            ("text", "b"),
        ]
    )
    response = client.post(notes_path(case, "new"), data=data)
    assert response.status_code == 400
    assert notes() == []


def test_an_edit_sent_with_errors_for_a_note_of_another_case_is_still_a_404(
    app, clock, case, worker, leader
):
    other_case = create_case_for_notes(
        caseworker=worker,
        team_leader=leader,
        row=police_row(crime_reference="LC-20261120-0201", forename="Cy", surname="Other"),
        at=datetime(2026, 11, 20, 9, tzinfo=UTC),
    )
    theirs = add(other_case, worker, "Cy's note.")
    response = post(
        client_for(app, worker),
        notes_path(case, theirs.id, "edit"),
        note_fields(text="", version="1"),
        token_from=notes_path(case),
    )
    assert response.status_code == 404


def test_invisible_characters_pasted_into_a_note_are_not_stored(app, clock, case, worker):
    """Control characters and a right-to-left override (which shows the rest of the line
    backwards) are taken out; a line break pasted from a word processor becomes a space; tab,
    line breaks and letters with accents stay."""
    client = client_for(app, worker)
    pasted = "Spoke to Alex\x0bagain.\x01\x1b[31m Zoë\u200b said\u202e fine\tthen\r\nbye"
    assert post(client, notes_path(case, "new"), note_fields(text=pasted)).status_code == 302
    [note] = notes()
    assert note.text == "Spoke to Alex again.[31m Zoë said fine\tthen\r\nbye"
