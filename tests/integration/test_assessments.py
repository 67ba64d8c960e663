"""Needs assessments through the app (issue 13 parts 1-3): starting, saving a draft, completing
(adult and children and young people's versions), the deadlines they meet (D4, D6), refusals
that store nothing, access, concurrent edits, distance travelled, and the support modes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
import time_machine
from flask import current_app

from casework.assessments.deadlines import reschedule_reassessment
from casework.assessments.details import AreaAnswer, AssessmentDetails
from casework.assessments.distance import distance_for_cohort
from casework.assessments.recording import save_assessment, start_assessment
from casework.audit import Origin
from casework.cases.contact_modes import case_support
from casework.db import db
from casework.models import AssessmentArea, Case, NeedsAssessment, Obligation
from casework.obligations import lifecycle
from scheduling.service_calendars import victim_calendar
from tests.conftest import audit_rows, csrf_token, sign_in
from tests.factories import create_case_for_notes
from tests.police import police_row
from triage.deadlines import DueObligation
from triage.needs import AREAS

OPENED = datetime(2026, 11, 20, 7, tzinfo=UTC)  # Friday, before the service opens
MONDAY = "2026-11-23 11:00 +0000"


@pytest.fixture
def team_case(create_team_record, create_staff_record):
    """An open case of a caseworker in a team with its leader: (case, worker, leader)."""
    team = create_team_record("City victim team")
    leader = create_staff_record("team_leader", team=team, name="Lee Leader")
    worker = create_staff_record("caseworker", team=team, name="Sam Okafor")
    case = create_case_for_notes(caseworker=worker, team_leader=leader, at=OPENED)
    return case, worker, leader


def _sign_in(client, staff) -> None:
    assert sign_in(client, staff.email).status_code == 302


def _form(
    scores=None,
    *,
    held_on=(23, 11, 2026),
    mode="face_to_face",
    worker=None,
    button="complete",
    **extra,
) -> dict:
    """A filled-in form: ``scores`` an int for every area, or {area: score}; None for none."""
    if isinstance(scores, int):
        scores = dict.fromkeys(AREAS, scores)
    data = {f"score_{area}": str(s) for area, s in (scores or {}).items()}
    data.update({f"own_words_{area}": f"In my words: {area}" for area in (scores or {})})
    if held_on:
        data["held_on"] = [str(p) for p in held_on]
    if mode:
        data["mode"] = mode
    if worker is not None:
        data["worker"] = str(worker.id)
    data["save_draft" if button == "draft" else "complete"] = "x"
    data.update(extra)
    return data


def _post(client, path, data, token_from):
    return client.post(path, data={"csrf_token": csrf_token(client, token_from), **data})


def _assessments(case_id) -> list[NeedsAssessment]:
    db.session.rollback()
    return list(
        db.session.scalars(
            sa.select(NeedsAssessment)
            .where(NeedsAssessment.case_id == case_id)
            .order_by(NeedsAssessment.id)
        )
    )


def _add_d4(case, due_at: datetime) -> Obligation:
    obligation = lifecycle.add(
        db.session,
        db.session.get(Case, case.id),
        DueObligation("needs_assessment", "appointment", due_at),
        OPENED,
    )
    db.session.commit()
    return obligation


def _obligations(case_id, kind) -> list[Obligation]:
    db.session.rollback()
    return list(
        db.session.scalars(
            sa.select(Obligation)
            .where(Obligation.case_id == case_id, Obligation.kind == kind)
            .order_by(Obligation.id)
        )
    )


def test_a_caseworker_saves_a_draft_then_completes_the_assessment(client, team_case):
    case, worker, _leader = team_case
    tab, new = f"/cases/{case.id}/assessment", f"/cases/{case.id}/assessment/new"
    with time_machine.travel(MONDAY, tick=False):
        _sign_in(client, worker)
        page = client.get(tab).get_data(as_text=True)
        assert "No needs assessment yet" in page and "Start the needs assessment" in page
        form = client.get(new).get_data(as_text=True)
        assert "Personal safety" in form and "5: No need" in form
        assert "Feeling safe" not in form  # an adult: the adult version
        draft = _post(
            client,
            new,
            _form({"personal_safety": 2}, held_on=None, mode=None, button="draft"),
            new,
        )
        assert draft.status_code == 302
        (saved,) = _assessments(case.id)
        assert (saved.status, saved.young_person) == ("draft", False)
        scores = {a.area: a.score for a in saved.areas}
        assert scores["personal_safety"] == 2 and scores["family"] is None
        edit = f"/cases/{case.id}/assessment/{saved.id}/edit"
        again = client.get(edit).get_data(as_text=True)
        assert 'value="2" checked' in again or 'checked value="2"' in again or "checked" in again
        missing = _post(
            client,
            edit,
            _form({"personal_safety": 2}, worker=worker, version=str(saved.version)),
            edit,
        )
        assert missing.status_code == 400
        assert "Family: choose a score from 1 to 5" in missing.get_data(as_text=True)
        assert _assessments(case.id)[0].status == "draft"
        done = _post(client, edit, _form(3, worker=worker, version=str(saved.version)), edit)
        assert done.status_code == 302
        assert done.headers["Location"].endswith(f"/assessment/{saved.id}")
        view = client.get(done.headers["Location"]).get_data(as_text=True)
        assert "Needs assessment completed." in view
        assert f"/cases/{case.id}/plan" in view  # on to the support plan
        assert "3: Some need" in view and "In my words: family" in view
        # A complete assessment is never edited.
        refused = _post(client, edit, _form(4, worker=worker, version="3"), tab)
        assert refused.status_code == 400
        assert "This assessment is complete: it cannot be changed." in refused.get_data(
            as_text=True
        )
    (complete,) = _assessments(case.id)
    assert complete.status == "complete" and complete.held_on == date(2026, 11, 23)
    assert {a.score for a in complete.areas} == {3}
    actions = [e.action for e in audit_rows() if e.action.startswith("assessment.")]
    order = [
        a for a in actions if a in ("assessment.start", "assessment.save", "assessment.complete")
    ]
    assert order == ["assessment.start", "assessment.save", "assessment.complete"]
    assert {"assessment.list", "assessment.view"} <= set(actions)
    assert "assessment.complete" in actions
    assert all(e.person_id == case.person_id for e in audit_rows("assessment.save"))


@pytest.mark.parametrize(
    "data,field,message",
    [
        (_form({**dict.fromkeys(AREAS, 3), "family": 6}), "score_family", "choose a score"),
        (_form({**dict.fromkeys(AREAS, 3), "family": "two"}), "score_family", "choose a score"),
        (_form(3, held_on=(24, 11, 2026)), "held_on", "cannot be in the future"),
        (_form(3, held_on=(19, 11, 2026)), "held_on", "before the case was opened"),
        (_form(3, held_on=(31, 2, 2026)), "held_on", "must be a real date"),
        (_form(3, mode="email"), "mode", "telephone, face to face or web chat"),
        (_form({"family": 3}), "score_personal_safety", "choose a score from 1 to 5"),
        (_form(3, held_on=None), "held_on", "Enter the date"),
        (_form(3, mode=None), "mode", "Select how"),
        (_form(3, own_words_family="x" * 5_001), "own_words_family", "5,000 characters"),
    ],
)
def test_bad_input_is_a_clear_error_and_nothing_is_stored(client, team_case, data, field, message):
    case, worker, _leader = team_case
    new = f"/cases/{case.id}/assessment/new"
    with time_machine.travel(MONDAY, tick=False):
        _sign_in(client, worker)
        data.setdefault("worker", str(worker.id))
        response = _post(client, new, data, new)
        page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page and f'href="#{field}' in page
    assert _assessments(case.id) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AssessmentArea)) == 0


def test_the_worker_must_be_one_of_the_cases_team(client, team_case, create_staff_record):
    case, worker, _leader = team_case
    outsider = create_staff_record("caseworker", name="Elsewhere Worker")
    new = f"/cases/{case.id}/assessment/new"
    with time_machine.travel(MONDAY, tick=False):
        _sign_in(client, worker)
        response = _post(client, new, _form(3, worker=outsider), new)
    assert response.status_code == 400
    assert "Select who held the assessment from the case" in response.get_data(as_text=True)
    assert _assessments(case.id) == []


def test_another_teams_caseworker_gets_404_and_an_analyst_is_refused(
    client, team_case, create_staff_record, create_team_record
):
    case, worker, _leader = team_case
    with time_machine.travel(MONDAY, tick=False):
        _sign_in(client, worker)
        _post(client, f"/cases/{case.id}/assessment/new", _form(3, worker=worker), "/account")
    (done,) = _assessments(case.id)
    paths = [
        f"/cases/{case.id}/assessment",
        f"/cases/{case.id}/assessment/new",
        f"/cases/{case.id}/assessment/{done.id}",
        f"/cases/{case.id}/assessment/{done.id}/edit",
    ]
    other = create_staff_record("caseworker", team=create_team_record("Other team"))
    analyst = create_staff_record("analyst")
    for staff, status in ((other, 404), (analyst, 403)):
        visitor = client.application.test_client()
        _sign_in(visitor, staff)
        for path in paths:
            assert visitor.get(path).status_code == status, (staff.role, path)
        token = csrf_token(visitor, "/account")
        posted = visitor.post(paths[1], data={"csrf_token": token, **_form(1, worker=worker)})
        assert posted.status_code == status
    assert len(_assessments(case.id)) == 1
    assert [a for a in audit_rows("access.denied") if a.record_id == str(case.id)]


CHRISTMAS_EVE_CLOSE = datetime(2026, 12, 24, 18, tzinfo=UTC)
# Tuesday 30 March 2027, after the clocks went forward on Easter Sunday: closes 18:00 BST.
BST_TUESDAY_CLOSE = datetime(2027, 3, 30, 17, tzinfo=UTC)


@pytest.mark.parametrize(
    "due_at,held_on,recorded_at,status",
    [
        # D4 due close of Thursday 24 December (Christmas Eve).
        (CHRISTMAS_EVE_CLOSE, (24, 12, 2026), "2026-12-29 10:00 +0000", "met"),  # recorded later
        (CHRISTMAS_EVE_CLOSE, (26, 12, 2026), "2026-12-26 17:00 +0000", "breached"),  # Boxing Day
        (CHRISTMAS_EVE_CLOSE, (29, 12, 2026), "2026-12-29 10:00 +0000", "breached"),
        # Across the clock change: the due day is the UK day, not the UTC one.
        (BST_TUESDAY_CLOSE, (30, 3, 2027), "2027-03-30 16:30 +0000", "met"),
        (BST_TUESDAY_CLOSE, (31, 3, 2027), "2027-03-31 08:30 +0100", "breached"),
    ],
)
def test_d4_is_met_by_an_assessment_held_by_its_due_time_and_late_after(
    client, team_case, due_at, held_on, recorded_at, status
):
    case, worker, _leader = team_case
    d4 = _add_d4(case, due_at)
    new = f"/cases/{case.id}/assessment/new"
    with time_machine.travel(recorded_at, tick=False):
        _sign_in(client, worker)
        response = _post(client, new, _form(3, held_on=held_on, worker=worker), new)
        assert response.status_code == 302
    (found,) = _obligations(case.id, "needs_assessment")
    assert found.id == d4.id and found.status == status and found.met_at is not None
    if status == "breached":
        assert found.breached_at == found.due_at


def test_a_draft_does_not_meet_d4(client, team_case):
    case, worker, _leader = team_case
    _add_d4(case, datetime(2026, 11, 27, 18, tzinfo=UTC))
    new = f"/cases/{case.id}/assessment/new"
    with time_machine.travel(MONDAY, tick=False):
        _sign_in(client, worker)
        _post(client, new, _form(3, worker=worker, button="draft"), new)
    (d4,) = _obligations(case.id, "needs_assessment")
    assert d4.status == "due" and d4.met_at is None
    assert _obligations(case.id, "reassessment") == []


def test_completing_sets_the_reassessment_182_days_on_and_a_reassessment_meets_it(
    client, team_case
):
    case, worker, _leader = team_case
    new = f"/cases/{case.id}/assessment/new"
    with time_machine.travel(MONDAY, tick=False):
        _sign_in(client, worker)
        _post(client, new, _form(2, worker=worker), new)
    (d6,) = _obligations(case.id, "reassessment")
    # 23 Nov 2026 + 182 days = Monday 24 May 2027, closing 18:00 BST.
    assert d6.status == "due" and d6.due_at == datetime(2027, 5, 24, 17, tzinfo=UTC)
    with time_machine.travel("2027-05-20 12:00 +0100", tick=False):
        _sign_in(client, worker)
        tab = client.get(f"/cases/{case.id}/assessment").get_data(as_text=True)
        assert "Next reassessment due by Monday 24 May 2027" in tab
        assert "Start a reassessment" in tab
        response = _post(client, new, _form(4, held_on=(20, 5, 2027), worker=worker), new)
        assert response.status_code == 302
        tab = client.get(f"/cases/{case.id}/assessment").get_data(as_text=True)
    first, second = _obligations(case.id, "reassessment")
    assert first.status == "met"
    assert second.status == "due" and second.due_at == datetime(2027, 11, 18, 18, tzinfo=UTC)
    # Distance travelled: every area moved from 2 to 4.
    assert 'role="img"' in tab and "Distance travelled per area" in tab
    assert "+2" in tab and "Reassessment" in tab


def test_reschedule_reassessment_recreates_the_open_d6_from_the_latest_assessment(
    client, team_case
):
    case, worker, _leader = team_case
    new = f"/cases/{case.id}/assessment/new"
    with time_machine.travel(MONDAY, tick=False):
        _sign_in(client, worker)
        _post(client, new, _form(2, worker=worker), new)
    (d6,) = _obligations(case.id, "reassessment")
    lifecycle.cancel(db.session, db.session.get(Obligation, d6.id), OPENED)  # as closing does
    db.session.commit()
    found = db.session.get(Case, case.id)
    again = reschedule_reassessment(
        db.session, found, now=OPENED, calendar=victim_calendar(client.application.config)
    )
    db.session.commit()
    assert again.id != d6.id and again.due_at == d6.due_at and again.status == "due"
    assert (
        reschedule_reassessment(
            db.session, found, now=OPENED, calendar=victim_calendar(client.application.config)
        ).id
        == again.id
    )  # already right: kept, not duplicated


def test_a_save_over_someone_elses_change_is_refused_with_what_changed(client, team_case):
    case, worker, leader = team_case
    new = f"/cases/{case.id}/assessment/new"
    with time_machine.travel(MONDAY, tick=False):
        _sign_in(client, worker)
        _post(client, new, _form({"family": 3}, button="draft", worker=worker), new)
        (draft,) = _assessments(case.id)
        edit = f"/cases/{case.id}/assessment/{draft.id}/edit"
        loaded = str(draft.version)
        other = client.application.test_client()
        _sign_in(other, leader)
        first = _post(other, edit, _form({"family": 1}, button="draft", version=loaded), edit)
        assert first.status_code == 302
        second = _post(client, edit, _form({"family": 5}, button="draft", version=loaded), edit)
        page = second.get_data(as_text=True)
    assert second.status_code == 409
    assert "Lee Leader changed Family and who held it after you opened this assessment" in page
    assert "The assessment as it is now" in page
    scores = {a.area: a.score for a in _assessments(case.id)[0].areas}
    assert scores["family"] == 1
    assert audit_rows("assessment.edit_conflict")


def test_a_young_person_gets_their_version_with_who_was_present_and_their_view(
    client, create_team_record, create_staff_record
):
    team = create_team_record()
    leader = create_staff_record("team_leader", team=team)
    worker = create_staff_record("caseworker", team=team)
    case = create_case_for_notes(
        caseworker=worker,
        team_leader=leader,
        row=police_row(date_of_birth="2008-11-24"),  # 17 until 24 November 2026
        at=OPENED,
    )
    new = f"/cases/{case.id}/assessment/new"
    with time_machine.travel(MONDAY, tick=False):
        _sign_in(client, worker)
        form = client.get(new).get_data(as_text=True)
        assert "Feeling safe" in form and "Who else was present?" in form
        refused = _post(client, new, _form(3, worker=worker, present="other"), new)
        assert refused.status_code == 400
        assert "Say who else was present" in refused.get_data(as_text=True)
        data = _form(
            3,
            worker=worker,
            present=["parent", "other"],
            present_other="Youth worker",
            young_persons_view="I feel better at school now.",
        )
        assert _post(client, new, data, new).status_code == 302
    (found,) = _assessments(case.id)
    assert found.young_person and found.present == "parent,other"
    assert (found.present_other, found.young_persons_view) == (
        "Youth worker",
        "I feel better at school now.",
    )


def test_the_contact_page_links_to_the_assessment_instead_of_marking_it_held(client, team_case):
    case, worker, _leader = team_case
    d4 = _add_d4(case, datetime(2026, 11, 27, 18, tzinfo=UTC))
    with time_machine.travel(MONDAY, tick=False):
        _sign_in(client, worker)
        page = client.get(f"/cases/{case.id}/contact").get_data(as_text=True)
        assert "Start the needs assessment" in page and "Mark as held" not in page
        held = client.post(
            f"/cases/{case.id}/obligations/{d4.id}/held",
            data={"csrf_token": csrf_token(client, f"/cases/{case.id}/contact")},
        )
        assert held.status_code == 404
        summary = client.get(f"/cases/{case.id}").get_data(as_text=True)
        assert "No needs assessment yet" in summary
    assert _obligations(case.id, "needs_assessment")[0].status == "due"


def _complete(case, worker, scores: dict | int, held_on: date, mode="telephone"):
    """A complete assessment written straight through the service."""
    if isinstance(scores, int):
        scores = dict.fromkeys(AREAS, scores)
    return start_assessment(
        db.session,
        case.id,
        AssessmentDetails(
            areas={a: AreaAnswer(score=s) for a, s in scores.items()},
            held_on=held_on,
            mode=mode,
            worker_id=worker.id,
        ),
        complete=True,
        actor=worker,
        origin=Origin.command_line("test"),
        now=datetime(2027, 6, 1, 12, tzinfo=UTC),
        calendar=victim_calendar(current_app.config),
    )


def test_distance_for_a_cohort_counts_cases_with_two_complete_assessments(
    app, create_team_record, create_staff_record
):
    team = create_team_record()
    leader = create_staff_record("team_leader", team=team)
    worker = create_staff_record("caseworker", team=team)
    cases = [
        create_case_for_notes(
            caseworker=worker,
            team_leader=leader,
            row=police_row(
                crime_reference=f"LC-20261120-07{n:02d}",
                forename=f"Person{n}",
                surname=f"Cohort{n}",
                date_of_birth=f"19{70 + n}-01-0{n + 1}",
                mobile_phone=f"07700 90070{n}",
            ),
            at=OPENED,
        )
        for n in range(3)
    ]
    # Case 0: 2 -> 3 -> 4 everywhere but family 4 -> 2; case 1: 3 -> 3; case 2: one only.
    _complete(cases[0], worker, {**dict.fromkeys(AREAS, 2), "family": 4}, date(2026, 11, 23))
    _complete(cases[0], worker, 3, date(2027, 2, 1))
    _complete(cases[0], worker, {**dict.fromkeys(AREAS, 4), "family": 2}, date(2027, 5, 20))
    _complete(cases[1], worker, 3, date(2026, 11, 24))
    _complete(cases[1], worker, 3, date(2027, 5, 1))
    _complete(cases[2], worker, 1, date(2026, 11, 24), mode="web_chat")
    found = distance_for_cohort(db.session)
    assert found.cases == 2
    areas = {m.key: m for m in found.areas}
    assert (areas["personal_safety"].cases, areas["personal_safety"].mean_change) == (2, 1.0)
    assert (areas["family"].improved, areas["family"].unchanged, areas["family"].worse) == (
        0,
        1,
        1,
    )
    assert areas["family"].mean_change == -1.0
    domains = {m.key: m for m in found.domains}
    assert domains["health"].cases == 2 and domains["health"].mean_change == 1.0
    assert domains["health"].improved == 1 and domains["health"].unchanged == 1
    assert distance_for_cohort(db.session, [cases[1].id, cases[2].id]).cases == 1
    assert distance_for_cohort(db.session, []).cases == 0
    # Closed cases only, closed in the window.
    window = (datetime(2027, 6, 1, tzinfo=UTC), datetime(2027, 7, 1, tzinfo=UTC))
    assert distance_for_cohort(db.session, closed_between=window).cases == 0
    closing = db.session.get(Case, cases[0].id)
    closing.status, closing.closed_at = "closed", datetime(2027, 6, 2, tzinfo=UTC)
    db.session.commit()
    closed = distance_for_cohort(db.session, closed_between=window)
    assert closed.cases == 1 and {m.key: m for m in closed.areas}["family"].mean_change == -2
    # Assessments count for the quarterly return's support modes.
    assert case_support(db.session, cases[2].id).figures.some_web_chat
    assert case_support(db.session, cases[1].id).category == "phone_only"


def test_only_complete_assessments_count_as_support_given(app, team_case):
    case, worker, _leader = team_case
    start_assessment(
        db.session,
        case.id,
        AssessmentDetails(
            areas={"family": AreaAnswer(score=2)}, mode="face_to_face", worker_id=worker.id
        ),
        actor=worker,
        origin=Origin.command_line("test"),
        now=datetime(2026, 11, 23, 11, tzinfo=UTC),
        calendar=victim_calendar(current_app.config),
    )
    assert case_support(db.session, case.id).category == "none"  # a draft is not support
    (draft,) = _assessments(case.id)
    save_assessment(
        db.session,
        case.id,
        draft.id,
        AssessmentDetails(
            areas={a: AreaAnswer(score=2) for a in AREAS},
            held_on=date(2026, 11, 23),
            mode="face_to_face",
            worker_id=worker.id,
        ),
        complete=True,
        expected_version=draft.version,
        actor=worker,
        origin=Origin.command_line("test"),
        now=datetime(2026, 11, 23, 11, tzinfo=UTC),
        calendar=victim_calendar(current_app.config),
    )
    support = case_support(db.session, case.id)
    assert support.category == "some_face_to_face" and support.figures.some_face_to_face
