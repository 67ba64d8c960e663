"""Restorative justice on a case (spec 3.10), through the services and the pages: categories the
police data shows, kept and only ever added to; what is missing before it may go ahead; the
exceptional-circumstances approval by a team leader of the case's team only (not the one who
asked, not another team's); the facilitator from the case's team; sessions and the outcome
refused while it may not go ahead; stale edits refused; another team's case a 404; a closed case
read only; every change on the case's timeline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from casework.approvals import requests as approvals
from casework.audit import Origin
from casework.cases.timeline import describe
from casework.db import db
from casework.errors import NotFound, ValidationError
from casework.support import restorative as rj_service
from casework.support.models import RestorativeJustice, RestorativeSession
from casework.support.restorative import RequestDetails
from tests.conftest import audit_rows, post_form, sent_at_the_same_moment, sent_twice, sign_in
from tests.factories import create_case_for_notes
from tests.police import police_row

# Tuesday 31 March 2026, 16:00 BST: the last day of a financial year, just after the clocks went
# forward.
NOW = datetime(2026, 3, 31, 15, tzinfo=UTC)
ORIGIN = Origin.command_line("test")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def setting(app, create_team_record, create_staff_record):
    at = NOW - timedelta(days=10)
    with time_machine.travel(at, tick=False):
        team = create_team_record("City victims")
        worker = create_staff_record("caseworker", team=team, name="Sam Okafor")
        rj_worker = create_staff_record(
            "caseworker", team=team, name="Zoe Adams", specialisms=["restorative_justice"]
        )
        leader = create_staff_record("team_leader", team=team, name="Lee Grant")
        second = create_staff_record("team_leader", team=team, name="Pat Moore")
        other_team = create_team_record("County victims")
        outsider = create_staff_record("caseworker", team=other_team, name="Out Sider")
        other_leader = create_staff_record("team_leader", team=other_team, name="Other Leader")
        domestic = create_case_for_notes(
            caseworker=worker,
            team_leader=leader,
            row=police_row(
                crime_reference="LC-20260321-0001",
                occurred_on="2026-03-18",
                offence="Assault occasioning actual bodily harm",
                flags="DOMESTIC_ABUSE",
            ),
            at=at,
        )
        ordinary = create_case_for_notes(
            caseworker=worker,
            team_leader=leader,
            row=police_row(
                crime_reference="LC-20260321-0002",
                occurred_on="2026-03-18",
                forename="Ben",
                surname="Ordinary",
                date_of_birth="1970-01-01",
                mobile_phone="07700 900222",
            ),
            at=at,
        )
    return {
        "team": team,
        "worker": worker,
        "rj_worker": rj_worker,
        "leader": leader,
        "second": second,
        "outsider": outsider,
        "other_leader": other_leader,
        "domestic": domestic.id,
        "ordinary": ordinary.id,
    }


def _details(**change) -> RequestDetails:
    fields = {
        "requested_on": date(2026, 3, 25),
        "offender_admitted_guilt": True,
        "offender_accepted_responsibility": True,
        "rj_type": "shuttle",
        "declared": (),
        "exceptional_justification": None,
    }
    fields.update(change)
    return RequestDetails(**fields)


def _start(setting, case_key="domestic", actor=None, **change):
    return rj_service.start_request(
        db.session,
        setting[case_key],
        _details(**change),
        actor=actor or setting["worker"],
        origin=ORIGIN,
        now=NOW,
    )


def _edit(setting, rj, actor=None, case_key="domestic", **change):
    return rj_service.edit_request(
        db.session,
        setting[case_key],
        rj.id,
        _details(**change),
        expected_version=rj.version,
        actor=actor or setting["worker"],
        origin=ORIGIN,
        now=NOW,
    )


def _approve(setting, approval, actor):
    return approvals.decide(
        db.session,
        approval.id,
        approve=True,
        reason=None,
        expected_version=approval.version,
        actor=actor,
        origin=ORIGIN,
        now=NOW,
    )


def _facilitator(setting, rj, staff, experienced=True, case_key="domestic"):
    return rj_service.choose_facilitator(
        db.session,
        setting[case_key],
        rj.id,
        facilitator_id=staff.id,
        experienced=experienced,
        expected_version=rj.version,
        actor=setting["worker"],
        origin=ORIGIN,
        now=NOW,
    )


def _ask(setting, rj, actor=None, case_key="domestic", expected_version="seen"):
    return rj_service.ask_for_approval(
        db.session,
        setting[case_key],
        rj.id,
        expected_version=rj.version if expected_version == "seen" else expected_version,
        actor=actor or setting["worker"],
        origin=ORIGIN,
        now=NOW,
    )


def _refuse(setting, approval, actor, reason="Too soon after the assault"):
    return approvals.decide(
        db.session,
        approval.id,
        approve=False,
        reason=reason,
        expected_version=approval.version,
        actor=actor,
        origin=ORIGIN,
        now=NOW,
    )


def _session(setting, rj, held_on=date(2026, 3, 30), case_key="domestic"):
    return rj_service.record_session(
        db.session,
        setting[case_key],
        rj.id,
        held_on=held_on,
        kind="shuttle",
        note="Letters exchanged",
        actor=setting["worker"],
        origin=ORIGIN,
        now=NOW,
    )


# --- services ------------------------------------------------------------------------------


def test_police_categories_are_prefilled_and_worker_may_only_add(setting):
    rj = _start(setting)
    assert rj.sensitive == ["domestic_violence"]
    assert rj.sensitive_from_police == ["domestic_violence"]
    assert rj.status == "preparing"

    # The worker declares stalking; the form sent nothing about domestic violence.
    rj = _edit(setting, rj, declared=("stalking",))
    assert rj.sensitive == ["domestic_violence", "stalking"]
    assert rj.sensitive_from_police == ["domestic_violence"]
    # A later save declaring nothing takes nothing away.
    rj = _edit(setting, rj, rj_type="direct_conference")
    assert rj.sensitive == ["domestic_violence", "stalking"]
    words = describe("restorative.edit", audit_rows("restorative.edit")[0].detail_dict)
    assert words == "Restorative justice request changed; categories added: stalking"


def test_an_ordinary_request_is_ready_at_once_and_runs_to_completion(setting):
    rj = _start(setting, "ordinary")
    assert rj.sensitive == [] and rj.status == "ready"
    assert rj_service.missing_for(rj) == ()
    held = _session(setting, rj, case_key="ordinary")
    assert held.held_on == date(2026, 3, 30)
    assert db.session.get(RestorativeJustice, rj.id).status == "in_progress"
    done = rj_service.record_outcome(
        db.session,
        setting["ordinary"],
        rj.id,
        outcome="agreement",
        outcome_on=date(2026, 3, 31),
        note="Apology letter and repair of the fence agreed",
        expected_version=db.session.get(RestorativeJustice, rj.id).version,
        actor=setting["worker"],
        origin=ORIGIN,
        now=NOW,
    )
    assert done.status == "completed" and done.outcome == "agreement"
    # Finished: read only.
    with pytest.raises(ValidationError, match="finished"):
        _session(setting, done, case_key="ordinary")


def test_offender_not_admitting_guilt_stops_sessions_and_completion(setting):
    rj = _start(setting, "ordinary", offender_admitted_guilt=False)
    assert rj.status == "preparing"
    with pytest.raises(ValidationError) as refused:
        _session(setting, rj, case_key="ordinary")
    assert "The offender has not admitted guilt" in refused.value.errors[""]
    assert db.session.scalar(sa.select(sa.func.count(RestorativeSession.id))) == 0
    with pytest.raises(ValidationError, match="cannot be recorded as completed"):
        rj_service.record_outcome(
            db.session,
            setting["ordinary"],
            rj.id,
            outcome="completed",
            outcome_on=date(2026, 3, 31),
            note=None,
            expected_version=rj.version,
            actor=setting["worker"],
            origin=ORIGIN,
            now=NOW,
        )
    # It may end as unsuitable, though.
    rj = db.session.get(RestorativeJustice, rj.id)
    ended = rj_service.record_outcome(
        db.session,
        setting["ordinary"],
        rj.id,
        outcome="unsuitable",
        outcome_on=date(2026, 3, 31),
        note="Offender denies the offence",
        expected_version=rj.version,
        actor=setting["worker"],
        origin=ORIGIN,
        now=NOW,
    )
    assert ended.status == "not_proceeding"


def test_a_sensitive_request_needs_approval_by_another_leader_of_the_team(setting):
    rj = _start(setting, actor=setting["leader"])
    with pytest.raises(ValidationError, match="Record the exceptional circumstances"):
        rj_service.ask_for_approval(
            db.session,
            setting["domestic"],
            rj.id,
            expected_version=rj.version,
            actor=setting["leader"],
            origin=ORIGIN,
            now=NOW,
        )
    rj = _edit(
        setting,
        rj,
        actor=setting["leader"],
        exceptional_justification="She asked, with her IDVA; he is in custody and has engaged",
    )
    # The facilitator comes first: chosen, holding the specialism, recorded as experienced.
    with pytest.raises(ValidationError, match="Choose the facilitator"):
        _ask(setting, rj, actor=setting["leader"])
    with pytest.raises(ValidationError, match="specialism") as refused:
        _facilitator(setting, rj, setting["worker"])
    assert list(refused.value.errors) == ["facilitator_id"]
    rj = _facilitator(setting, rj, setting["rj_worker"], experienced=False)
    with pytest.raises(ValidationError, match="not recorded as experienced"):
        _ask(setting, rj, actor=setting["leader"])
    rj = _facilitator(setting, rj, setting["rj_worker"], experienced=True)
    approval = _ask(setting, rj, actor=setting["leader"])
    rj = db.session.get(RestorativeJustice, rj.id)
    assert rj.status == "awaiting_approval"
    assert approval.detail["facilitator_id"] == setting["rj_worker"].id
    assert approval.reason == rj.exceptional_justification
    assert "domestic violence" in approvals.describe(approval)

    # Not the one who asked, not another team's leader, not a caseworker.
    with pytest.raises(ValidationError, match="You asked for this yourself"):
        _approve(setting, approval, setting["leader"])
    for who in ("other_leader", "worker"):
        with pytest.raises(NotFound):
            _approve(setting, approval, setting[who])
    # While waiting, the justification cannot change under the decision.
    with pytest.raises(ValidationError, match="deciding"):
        _edit(setting, rj, exceptional_justification="Something else")
    # Nor the facilitator.
    with pytest.raises(ValidationError, match="deciding"):
        _facilitator(setting, rj, setting["rj_worker"], experienced=False)

    _approve(setting, approval, setting["second"])
    rj = db.session.get(RestorativeJustice, rj.id)
    assert rj_service.exception_approved(rj)
    assert rj.status == "ready"
    assert audit_rows("restorative.exception_approved")
    _session(setting, rj)
    assert db.session.get(RestorativeJustice, rj.id).status == "in_progress"


def test_a_refused_approval_leaves_it_unable_to_go_ahead(setting):
    rj = _start(setting, exceptional_justification="The victim asked for it")
    rj = _facilitator(setting, rj, setting["rj_worker"])
    approval = _ask(setting, rj)
    _refuse(setting, approval, setting["leader"])
    db.session.expire_all()
    rj = db.session.get(RestorativeJustice, rj.id)
    # The stored status, not only the one worked out for the screen (the subject access export
    # reads the column).
    assert rj.status == "preparing"
    assert any("team leader must approve" in r for r in rj_service.missing_for(rj))
    with pytest.raises(ValidationError, match="team leader must approve"):
        _session(setting, rj)
    words = [describe(e.action, e.detail_dict) for e in audit_rows("restorative.exception_refused")]
    assert words == ["Restorative justice: a team leader refused the exceptional circumstances"]
    # It may ask again.
    assert _ask(setting, db.session.get(RestorativeJustice, rj.id)).status == "pending"


def test_a_withdrawn_approval_request_puts_it_back_to_preparing(setting):
    rj = _start(setting, exceptional_justification="The victim asked for it")
    rj = _facilitator(setting, rj, setting["rj_worker"])
    approval = _ask(setting, rj)
    approvals.withdraw(db.session, approval.id, actor=setting["worker"], origin=ORIGIN, now=NOW)
    db.session.expire_all()
    assert db.session.get(RestorativeJustice, rj.id).status == "preparing"
    assert audit_rows("restorative.exception_withdrawn")


def test_asking_for_approval_needs_the_version_seen(setting):
    rj = _start(setting, exceptional_justification="The victim asked for it")
    rj = _facilitator(setting, rj, setting["rj_worker"])
    for version in (None, rj.version - 1):
        with pytest.raises(ValidationError, match="Someone changed"):
            _ask(setting, rj, expected_version=version)
    db.session.expire_all()
    assert db.session.get(RestorativeJustice, rj.id).approval_id is None
    assert approvals.pending_for_case(db.session, setting["domestic"], rj_service.KIND) is None


def test_the_approval_covers_the_facilitator(setting):
    setting["leader"].specialisms = ["restorative_justice"]
    db.session.commit()
    rj = _start(setting, exceptional_justification="The victim asked for it")
    rj = _facilitator(setting, rj, setting["rj_worker"])
    _approve(setting, _ask(setting, rj), setting["leader"])
    rj = db.session.get(RestorativeJustice, rj.id)
    assert rj.status == "ready"
    # Another facilitator after the approval: it no longer covers the request; ask again.
    rj = _facilitator(setting, rj, setting["leader"])
    assert not rj_service.exception_approved(rj)
    assert rj.status == "preparing"
    assert any("team leader must approve" in r for r in rj_service.missing_for(rj))
    again = _ask(setting, rj)
    assert again.detail["facilitator_id"] == setting["leader"].id


def test_a_facilitator_chosen_before_a_category_was_added_must_hold_the_specialism(setting):
    rj = _start(setting, "ordinary")
    rj = _facilitator(setting, rj, setting["worker"], case_key="ordinary")
    assert rj.status == "ready"  # an ordinary request needs no specialist
    rj = _edit(
        setting,
        rj,
        case_key="ordinary",
        declared=("stalking",),
        exceptional_justification="The victim asked for it",
    )
    assert any("does not hold" in r for r in rj_service.missing_for(rj))
    with pytest.raises(ValidationError, match="does not hold the restorative justice specialism"):
        _ask(setting, rj, case_key="ordinary")


def test_a_closed_case_cannot_have_its_exception_approved(setting):
    rj = _start(setting, exceptional_justification="The victim asked for it")
    rj = _facilitator(setting, rj, setting["rj_worker"])
    approval = _ask(setting, rj)
    case = db.session.get(RestorativeJustice, rj.id).case
    case.status = "closed"
    db.session.commit()
    with pytest.raises(ValidationError, match="This case is closed"):
        _approve(setting, approval, setting["leader"])
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(type(approval), approval.id).status == "pending"
    assert db.session.get(RestorativeJustice, rj.id).status == "awaiting_approval"
    assert not audit_rows("restorative.exception_approved")


def test_an_approval_no_longer_covers_a_changed_justification_or_added_category(setting):
    rj = _start(setting, exceptional_justification="The victim asked for it")
    rj = _facilitator(setting, rj, setting["rj_worker"])
    approval = _ask(setting, rj)
    _approve(setting, approval, setting["leader"])
    rj = db.session.get(RestorativeJustice, rj.id)
    assert rj_service.exception_approved(rj)
    rj = _edit(
        setting, rj, exceptional_justification="The victim asked for it", declared=("stalking",)
    )
    assert not rj_service.exception_approved(rj)
    # Asking again is possible.
    again = rj_service.ask_for_approval(
        db.session,
        setting["domestic"],
        rj.id,
        expected_version=rj.version,
        actor=setting["worker"],
        origin=ORIGIN,
        now=NOW,
    )
    assert again.detail["sensitive"] == ["domestic_violence", "stalking"]


def test_a_stale_edit_is_refused_and_changes_nothing(setting):
    rj = _start(setting)
    seen = rj.version
    _edit(setting, rj, rj_type="direct_conference")
    with pytest.raises(ValidationError, match="Someone changed"):
        rj_service.edit_request(
            db.session,
            setting["domestic"],
            rj.id,
            _details(rj_type="indirect_call"),
            expected_version=seen,
            actor=setting["leader"],
            origin=ORIGIN,
            now=NOW,
        )
    assert db.session.get(RestorativeJustice, rj.id).rj_type == "direct_conference"


def test_facilitator_from_the_case_team_with_the_specialism_first(setting):
    case = db.session.get(RestorativeJustice, _start(setting).id).case
    names = [s.name for s in rj_service.facilitator_choices(db.session, case)]
    assert names == ["Zoe Adams", "Lee Grant", "Pat Moore", "Sam Okafor"]
    rj = db.session.scalars(sa.select(RestorativeJustice)).one()
    with pytest.raises(ValidationError) as refused:
        _facilitator(setting, rj, setting["outsider"])
    assert refused.value.errors == {"facilitator_id": "Choose a facilitator from the case's team"}


@pytest.mark.parametrize(
    "held_on,message",
    [
        (date(2026, 4, 1), "cannot be in the future"),
        (date(2026, 3, 24), "cannot be before the victim asked"),
        (None, "Enter the date the session was held"),
    ],
)
def test_session_dates_between_the_request_and_today(setting, held_on, message):
    rj = _start(setting, "ordinary")
    with pytest.raises(ValidationError) as refused:
        _session(setting, rj, held_on=held_on, case_key="ordinary")
    assert message in refused.value.errors["held_on"]


def test_today_in_the_uk_is_not_the_future_just_after_midnight(setting):
    rj = _start(setting, "ordinary")
    # 00:30 BST on 1 April is still 31 March in UTC.
    with time_machine.travel(datetime(2026, 3, 31, 23, 30, tzinfo=UTC), tick=False):
        held = rj_service.record_session(
            db.session,
            setting["ordinary"],
            rj.id,
            held_on=date(2026, 4, 1),
            kind="indirect_call",
            note=None,
            actor=setting["worker"],
            origin=ORIGIN,
            now=datetime(2026, 3, 31, 23, 30, tzinfo=UTC),
        )
    assert held.held_on == date(2026, 4, 1)


def test_start_refuses_bad_input_storing_nothing(setting):
    with pytest.raises(ValidationError) as refused:
        _start(
            setting,
            requested_on=date(2026, 4, 2),
            offender_admitted_guilt=None,
            rj_type="phone",
            declared=("burglary",),
        )
    assert set(refused.value.errors) == {
        "requested_on",
        "offender_admitted_guilt",
        "rj_type",
        "declared",
    }
    assert db.session.scalar(sa.select(sa.func.count(RestorativeJustice.id))) == 0


def test_another_team_and_closed_cases(setting):
    rj = _start(setting)
    with pytest.raises(NotFound):
        _start(setting, actor=setting["outsider"])
    with pytest.raises(NotFound):
        rj_service.request_of_case(
            db.session, setting["domestic"], rj.id, setting["other_leader"], origin=ORIGIN, now=NOW
        )
    # A request reached through another of the team's cases is not found either.
    with pytest.raises(NotFound):
        rj_service.request_of_case(
            db.session, setting["ordinary"], rj.id, setting["leader"], origin=ORIGIN, now=NOW
        )
    case = db.session.get(RestorativeJustice, rj.id).case
    case.status = "closed"
    db.session.commit()
    with pytest.raises(ValidationError, match="This case is closed"):
        _edit(setting, rj, rj_type="direct_conference")


def test_every_change_is_on_the_timeline_in_words(setting):
    rj = _start(setting, "ordinary")
    _session(setting, rj, case_key="ordinary")
    words = [describe(e.action, e.detail_dict) for e in audit_rows() if "restorative" in e.action]
    assert "Victim asked for restorative justice (indirect: shuttle mediation)" in words
    assert "Restorative justice session held: indirect: shuttle mediation" in words


# --- pages ---------------------------------------------------------------------------------


def _form(**change) -> dict:
    data = {
        "requested_on": ["25", "3", "2026"],
        "offender_admitted_guilt": "yes",
        "offender_accepted_responsibility": "yes",
        "rj_type": "shuttle",
        "exceptional_justification": "",
    }
    data.update(change)
    return data


def test_the_support_tab_shows_the_empty_state_then_the_request(client, setting):
    sign_in(client, setting["worker"].email)
    case_id = setting["domestic"]
    page = client.get(f"/cases/{case_id}/support").get_data(as_text=True)
    assert "No restorative justice has been asked for on this case." in page
    assert "Record a request for restorative justice" in page

    form_page = client.get(f"/cases/{case_id}/support/restorative/new").get_data(as_text=True)
    assert "Domestic violence (from the police referral)" in form_page

    response = post_form(
        client,
        f"/cases/{case_id}/support/restorative/new",
        _form(declared=["stalking"]),
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Restorative justice request recorded." in page
    assert "It cannot go ahead yet." in page
    assert "This is a case of domestic violence and stalking, so" in page
    assert "Ask a team leader to approve" in page

    tab = client.get(f"/cases/{case_id}/support").get_data(as_text=True)
    assert "Indirect: shuttle mediation" in tab
    assert "domestic violence, stalking" in tab
    assert "a team leader must approve the exceptional circumstances" in tab


def test_form_errors_are_shown_and_nothing_stored(client, setting):
    sign_in(client, setting["worker"].email)
    case_id = setting["domestic"]
    response = post_form(
        client,
        f"/cases/{case_id}/support/restorative/new",
        _form(requested_on=["31", "2", "2026"], rj_type="", offender_admitted_guilt=""),
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert "must be a real date" in page
    assert "Select the kind of restorative contact the victim wants" in page
    assert "Select whether the offender has admitted guilt" in page
    # Tomorrow in the UK (1 April) is refused by the service, the form kept.
    response = post_form(
        client,
        f"/cases/{case_id}/support/restorative/new",
        _form(requested_on=["1", "4", "2026"], exceptional_justification="Kept as typed"),
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The date the victim asked cannot be in the future" in page
    assert "Kept as typed" in page
    # A year typed wrong (1900) would show as a request long "Ready to go ahead": refused, and
    # said with the form's own problems, not after they are put right.
    response = post_form(
        client,
        f"/cases/{case_id}/support/restorative/new",
        _form(requested_on=["1", "1", "1900"], rj_type=""),
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The date the victim asked cannot be before the referral was received (" in page
    assert "Select the kind of restorative contact the victim wants" in page
    assert db.session.scalar(sa.select(sa.func.count(RestorativeJustice.id))) == 0


def test_asking_for_approval_then_second_leader_approves_on_approvals(client, setting):
    sign_in(client, setting["leader"].email)
    case_id = setting["domestic"]
    post_form(
        client,
        f"/cases/{case_id}/support/restorative/new",
        _form(exceptional_justification="She asked for it with her IDVA"),
    )
    rj = db.session.scalars(sa.select(RestorativeJustice)).one()
    page_path = f"/cases/{case_id}/support/restorative/{rj.id}"
    # Without a facilitator, asking is refused and says why.
    response = post_form(
        client,
        f"{page_path}/approval",
        {"version": str(rj.version)},
        token_from=page_path,
        follow_redirects=True,
    )
    assert "Choose the facilitator" in response.get_data(as_text=True)
    assert approvals.pending_for_case(db.session, case_id, rj_service.KIND) is None
    post_form(
        client,
        f"{page_path}/facilitator",
        {"facilitator_id": str(setting["rj_worker"].id), "experienced": "yes", "version": "1"},
    )
    db.session.expire_all()
    rj = db.session.get(RestorativeJustice, rj.id)
    assert rj.facilitator_id == setting["rj_worker"].id
    page = client.get(page_path).get_data(as_text=True)
    assert "changing them after it means asking again" in page
    # A post without the page's version is refused: the request may have changed under it.
    response = post_form(
        client, f"{page_path}/approval", {}, token_from=page_path, follow_redirects=True
    )
    assert "Someone changed this restorative justice request" in response.get_data(as_text=True)
    assert approvals.pending_for_case(db.session, case_id, rj_service.KIND) is None
    response = post_form(
        client,
        f"{page_path}/approval",
        {"version": str(rj.version)},
        token_from=page_path,
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "has been asked to approve" in page
    assert "Waiting for a team leader's decision (asked by Lee Grant" in page
    # The facilitator is under the decision: no link to change them while it waits.
    assert "the facilitator</span></a>" not in page

    approval = approvals.pending_for_case(db.session, case_id, rj_service.KIND)
    # The one who asked cannot approve on /approvals.
    response = post_form(
        client,
        f"/approvals/{approval.id}",
        {"decision": "approve", "version": str(approval.version)},
        follow_redirects=True,
    )
    assert "You asked for this yourself" in response.get_data(as_text=True)

    post_form(client, "/logout", {}, token_from="/caseload")
    sign_in(client, setting["second"].email)
    response = post_form(
        client,
        f"/approvals/{approval.id}",
        {"decision": "approve", "version": str(approval.version)},
        follow_redirects=True,
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert approvals.pending_for_case(db.session, case_id, rj_service.KIND) is None
    page = client.get(page_path).get_data(as_text=True)
    assert "Approved by Pat Moore" in page


def test_facilitator_session_and_outcome_pages(client, setting):
    sign_in(client, setting["worker"].email)
    case_id = setting["ordinary"]
    post_form(client, f"/cases/{case_id}/support/restorative/new", _form())
    rj = db.session.scalars(sa.select(RestorativeJustice)).one()
    base = f"/cases/{case_id}/support/restorative/{rj.id}"

    page = client.get(f"{base}/facilitator").get_data(as_text=True)
    page = page[page.index("<select") :]
    assert page.index("Zoe Adams (restorative justice)") < page.index("Sam Okafor")
    assert "Out Sider" not in page
    response = post_form(
        client,
        f"{base}/facilitator",
        {"facilitator_id": str(setting["outsider"].id), "experienced": "yes", "version": "1"},
    )
    assert response.status_code == 400
    assert "Choose a facilitator from the case&#39;s team" in response.get_data(as_text=True)
    response = post_form(
        client,
        f"{base}/facilitator",
        {"facilitator_id": str(setting["rj_worker"].id), "experienced": "yes", "version": "1"},
        follow_redirects=True,
    )
    assert "Facilitator saved: Zoe Adams." in response.get_data(as_text=True)

    response = post_form(
        client,
        f"{base}/sessions/new",
        {"held_on": ["1", "4", "2026"], "kind": "shuttle", "note": ""},
    )
    assert response.status_code == 400
    assert "The date the session was held cannot be in the future" in response.get_data(
        as_text=True
    )
    response = post_form(
        client,
        f"{base}/sessions/new",
        {"held_on": ["30", "3", "2026"], "kind": "shuttle", "note": "First letter passed on"},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Session of 30 March 2026 recorded." in page
    assert "First letter passed on" in page
    assert "Sessions under way" in page

    db.session.expire_all()
    version = db.session.get(RestorativeJustice, rj.id).version
    response = post_form(
        client,
        f"{base}/outcome",
        {
            "outcome": "agreement",
            "outcome_on": ["31", "3", "2026"],
            "note": "Apology accepted",
            "version": str(version),
        },
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Outcome recorded: Completed with an outcome agreement." in page
    assert "Record a session" not in page
    timeline = client.get(f"/cases/{case_id}/timeline").get_data(as_text=True)
    assert "Restorative justice outcome: completed with an outcome agreement" in timeline


def test_the_same_session_form_sent_twice_records_one_session(client, setting):
    """A resend would count the session twice in the restorative-justice return."""
    sign_in(client, setting["worker"].email)
    case_id = setting["ordinary"]
    post_form(client, f"/cases/{case_id}/support/restorative/new", _form())
    rj = db.session.scalars(sa.select(RestorativeJustice)).one()
    path = f"/cases/{case_id}/support/restorative/{rj.id}/sessions/new"
    page = sent_twice(client, path, {"held_on": ["30", "3", "2026"], "kind": "shuttle"})
    assert "Session of 30 March 2026 recorded." not in page  # the second recorded nothing
    db.session.rollback()
    assert len(db.session.scalars(sa.select(RestorativeSession)).all()) == 1
    assert len(audit_rows("restorative.session")) == 1


def test_a_session_form_sent_twice_at_the_same_moment_records_one(setting):
    """The second send meets the first's change to the request (its version moved on) before
    its own session is written: it is shown the first's session, not refused as stale."""
    rj = _start(setting, case_key="ordinary")
    worker = setting["worker"]
    worker_class, worker_id, rj_id = type(worker), worker.id, rj.id
    first_id, second = sent_at_the_same_moment(
        lambda session: rj_service.record_session(
            session,
            setting["ordinary"],
            rj_id,
            held_on=date(2026, 3, 30),
            kind="shuttle",
            note=None,
            actor=session.get(worker_class, worker_id),
            origin=ORIGIN,
            now=NOW,
            submission_token="the-same-form-token",
        ),
        RestorativeSession.submission_key,
    )
    assert second.id == first_id
    db.session.rollback()
    assert len(db.session.scalars(sa.select(RestorativeSession)).all()) == 1


def test_a_stale_page_save_is_refused(client, setting):
    sign_in(client, setting["worker"].email)
    case_id = setting["ordinary"]
    post_form(client, f"/cases/{case_id}/support/restorative/new", _form())
    rj = db.session.scalars(sa.select(RestorativeJustice)).one()
    edit = f"/cases/{case_id}/support/restorative/{rj.id}/edit"
    post_form(client, edit, _form(rj_type="direct_conference", version="1"))
    response = post_form(client, edit, _form(rj_type="indirect_call", version="1"))
    assert response.status_code == 400
    assert "Someone changed this restorative justice request" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(RestorativeJustice, rj.id).rj_type == "direct_conference"


def test_another_team_gets_404_on_every_page(client, setting):
    rj = _start(setting)
    sign_in(client, setting["other_leader"].email)
    case_id = setting["domestic"]
    base = f"/cases/{case_id}/support/restorative"
    for path in (
        f"{base}/new",
        f"{base}/{rj.id}",
        f"{base}/{rj.id}/edit",
        f"{base}/{rj.id}/facilitator",
        f"{base}/{rj.id}/sessions/new",
        f"{base}/{rj.id}/outcome",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"{base}/{rj.id}/approval").status_code in (400, 404)
    assert audit_rows("access.denied")


def test_a_closed_case_is_read_only_on_the_pages(client, setting):
    rj = _start(setting, "ordinary")
    case = db.session.get(RestorativeJustice, rj.id).case
    case.status = "closed"
    db.session.commit()
    sign_in(client, setting["worker"].email)
    page = client.get(f"/cases/{setting['ordinary']}/support").get_data(as_text=True)
    assert "its restorative justice can be read but not changed" in page
    assert "Record a request for restorative justice" not in page
    response = client.get(
        f"/cases/{setting['ordinary']}/support/restorative/{rj.id}/edit", follow_redirects=True
    )
    assert "This case is closed" in response.get_data(as_text=True)
