"""Support plans (issue 13 parts 4 and 5): made from the latest complete assessment, actions added
and changed by the case's workers only, reviews meeting D10 and owing the next, a review that
prompts a reassessment bringing D6 forward, overdue actions counted on the caseload and the team
view (own team only), the team's review interval and closure setting, and the plan for reducing
support once a case is open more than a month. Another team's case is a 404 on every plan page.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
import time_machine

from casework.assessments.queries import latest_complete
from casework.audit import Origin
from casework.caseloads.models import TeamCaseloadSetting
from casework.db import db
from casework.errors import ValidationError
from casework.obligations.models import Obligation
from casework.plans.actions import ActionDetails, add_action
from casework.plans.models import PlanAction, PlanReview, ResiliencePlan, SupportPlan
from casework.plans.plan import create_plan
from casework.plans.reviews import ReviewDetails, record_review, reschedule_plan_review
from casework.referrals.models import PartnerAgency
from scheduling.service_calendars import victim_calendar
from tests.conftest import audit_rows, csrf_token, hidden_value, sent_twice, sign_in
from tests.factories import create_case_for_notes, create_complete_assessment
from tests.police import police_row

NOW = "2026-11-23 10:00 +0000"  # Monday 10:00 GMT
ORIGIN = Origin.command_line("test")
LONDON_CLOSE_UTC = 18  # GMT in winter


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def team(create_team_record):
    return create_team_record("City victim team")


@pytest.fixture
def worker(create_staff_record, team):
    return create_staff_record("caseworker", team=team, name="Sam Okafor")


@pytest.fixture
def colleague(create_staff_record, team):
    return create_staff_record("caseworker", team=team, name="Cleo Colleague")


@pytest.fixture
def leader(create_staff_record, team):
    return create_staff_record("team_leader", team=team, name="Lee Leader")


@pytest.fixture
def outsider(create_staff_record, create_team_record):
    return create_staff_record("caseworker", team=create_team_record("County team"), name="Ola")


@pytest.fixture
def case(clock, worker, leader):
    return create_case_for_notes(
        caseworker=worker, team_leader=leader, at=datetime(2026, 11, 20, 9, tzinfo=UTC)
    )


@pytest.fixture
def assessed(case, worker):
    create_complete_assessment(
        case,
        worker=worker,
        held_on=date(2026, 11, 23),
        priorities={
            "personal_safety": "I don't feel safe going out at night",
            "mental_health": "I can't sleep",
            "accommodation": "The door lock is broken",
        },
        at=datetime(2026, 11, 23, 9, tzinfo=UTC),
    )
    return case


def client_for(app, staff):
    client = app.test_client()
    assert sign_in(client, staff.email).status_code == 302
    return client


def post(client, path, data, token_from=None):
    return client.post(path, data={"csrf_token": csrf_token(client, token_from or path), **data})


def day(d: date) -> list[str]:
    return [str(d.day), str(d.month), str(d.year)]


def now() -> datetime:
    return datetime.now(UTC)


def calendar(app):
    return victim_calendar(app.config)


def make_plan(app, case, actor, actions=None):
    """A plan made through the service at the frozen time."""
    return create_plan(
        db.session,
        case.id,
        goals="Feel safe at home again",
        actions=actions
        if actions is not None
        else [
            ("personal_safety", ActionDetails("Fit a new door lock", due_on=date(2026, 11, 30))),
            ("mental_health", ActionDetails("Refer for therapy", due_on=date(2026, 12, 4))),
        ],
        actor=actor,
        origin=ORIGIN,
        now=now(),
        calendar=calendar(app),
    )


def plan_reviews(case_id: int) -> list[Obligation]:
    db.session.rollback()
    return list(
        db.session.scalars(
            sa.select(Obligation)
            .where(Obligation.case_id == case_id, Obligation.kind == "plan_review")
            .order_by(Obligation.id)
        )
    )


def wall(moment: datetime) -> str:
    return moment.astimezone(calendar_tz()).strftime("%Y-%m-%d %H:%M")


def calendar_tz():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/London")


# --- the tab and making the plan -------------------------------------------------------------


def test_no_assessment_yet_points_to_the_assessment_tab(app, case, worker):
    client = client_for(app, worker)
    page = client.get(f"/cases/{case.id}/plan").get_data(as_text=True)
    assert "Go to the Assessment tab" in page and f"/cases/{case.id}/assessment" in page
    response = client.get(f"/cases/{case.id}/plan/new")
    assert response.status_code == 302
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Complete a needs assessment before making the support plan" in follow


def test_caseworker_creates_the_plan_keeping_editing_and_dropping_proposals(app, assessed, worker):
    client = client_for(app, worker)
    page = client.get(f"/cases/{assessed.id}/plan").get_data(as_text=True)
    assert "Create the support plan" in page
    form = client.get(f"/cases/{assessed.id}/plan/new").get_data(as_text=True)
    assert "I don&#39;t feel safe going out at night" in form
    assessment_id = hidden_value(form, "assessment")
    response = post(
        client,
        f"/cases/{assessed.id}/plan/new",
        {
            "assessment": assessment_id,
            "goals": "To sleep through the night",
            "a0_keep": "y",
            "a0_description": "I don't feel safe going out at night",
            "a0_due_on": day(date(2026, 12, 1)),
            "a1_keep": "y",
            "a1_description": "Refer to the GP for sleep support",
            "a1_due_on": day(date(2026, 11, 24)),
            "a2_description": "Shelter and accommodation: The door lock is broken",
            "a2_due_on": ["", "", ""],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    plan = db.session.scalars(sa.select(SupportPlan)).one()
    assert plan.goals == "To sleep through the night"
    actions = [(a.area, a.description, a.owner_kind) for a in plan.actions]
    assert actions == [
        (
            "personal_safety",
            "I don't feel safe going out at night",
            "caseworker",
        ),
        ("mental_health", "Refer to the GP for sleep support", "caseworker"),
    ]
    [review] = plan_reviews(assessed.id)
    # 23 Nov + 28 days = Monday 21 Dec 2026, closing 18:00 GMT
    assert review.status == "due" and wall(review.due_at) == "2026-12-21 18:00"
    assert audit_rows("support_plan.create")[-1].actor_id == worker.id
    shown = client.get(f"/cases/{assessed.id}/plan").get_data(as_text=True)
    assert "Refer to the GP for sleep support" in shown and "21 December 2026" in shown


def test_a_new_plans_action_due_in_the_past_is_refused_as_in_the_past(app, assessed, worker):
    """Not "before the plan was made (<today>)": the plan is not made yet."""
    client = client_for(app, worker)
    form = client.get(f"/cases/{assessed.id}/plan/new").get_data(as_text=True)
    assessment_id = hidden_value(form, "assessment")
    response = post(
        client,
        f"/cases/{assessed.id}/plan/new",
        {
            "assessment": assessment_id,
            "goals": "To sleep through the night",
            "a0_keep": "y",
            "a0_description": "Refer to the GP",
            "a0_due_on": day(date(2026, 11, 20)),
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The due date cannot be in the past" in html
    assert "before the plan was made" not in html
    assert db.session.scalars(sa.select(SupportPlan)).all() == []


def test_a_kept_proposal_without_a_due_date_is_refused_and_nothing_saved(app, assessed, worker):
    client = client_for(app, worker)
    response = post(
        client,
        f"/cases/{assessed.id}/plan/new",
        {"goals": "Safety", "a0_keep": "y", "a0_description": "Lock", "a0_due_on": ["", "", ""]},
    )
    assert response.status_code == 400
    assert "A newer needs assessment was completed" in response.get_data(as_text=True)
    response = post(
        client,
        f"/cases/{assessed.id}/plan/new",
        {
            "assessment": str(latest_complete(db.session, assessed.id).id),
            "goals": "Safety",
            "a0_keep": "y",
            "a0_description": "Lock",
            "a0_due_on": ["", "", ""],
        },
    )
    assert response.status_code == 400
    assert "Enter the date the action is due" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SupportPlan)) == 0


def test_a_plan_uses_the_teams_review_interval(app, assessed, worker, team):
    db.session.add(TeamCaseloadSetting(team_id=team.id, plan_review_days=14, updated_at=now()))
    db.session.commit()
    make_plan(app, assessed, worker)
    [review] = plan_reviews(assessed.id)
    assert wall(review.due_at) == "2026-12-07 18:00"


# --- actions ---------------------------------------------------------------------------------


def test_add_and_edit_actions_with_owners(app, assessed, worker, colleague, outsider):
    make_plan(app, assessed, worker)
    agency = PartnerAgency(name="Locksmiths Trust", created_at=now())
    db.session.add(agency)
    db.session.commit()
    client = client_for(app, worker)
    path = f"/cases/{assessed.id}/plan/actions/new"
    fields = {
        "description": "Visit the housing office",
        "owner_kind": "colleague",
        "colleague": str(colleague.id),
        "due_on": day(date(2026, 12, 10)),
        "status": "to_do",
    }
    assert post(client, path, fields).status_code == 302
    refused = post(client, path, {**fields, "colleague": str(outsider.id)})
    assert refused.status_code == 400
    assert "must be an active member of this case" in refused.get_data(as_text=True)
    partner = post(client, path, {**fields, "owner_kind": "partner", "partner": str(agency.id)})
    assert partner.status_code == 302
    bad_partner = post(client, path, {**fields, "owner_kind": "partner", "partner": "99999"})
    assert "Select the partner agency from the list" in bad_partner.get_data(as_text=True)
    early = post(client, path, {**fields, "due_on": day(date(2026, 11, 1))})
    # The plan was made today: there is no earlier day to name.
    assert "The due date cannot be in the past" in early.get_data(as_text=True)
    malformed = post(client, path, {**fields, "due_on": ["31", "2", "2026"]})
    assert malformed.status_code == 400
    owners = [
        (a.owner_kind, a.owner_staff_id, a.owner_partner_id)
        for a in db.session.scalars(sa.select(PlanAction).order_by(PlanAction.id))
    ]
    assert owners[-2:] == [("colleague", colleague.id, None), ("partner", None, agency.id)]
    assert len(owners) == 4


def test_the_same_action_form_sent_twice_adds_one_action(app, assessed, worker):
    """A resend (or a double click) would put the action on the plan twice, each counted
    overdue on the caseload: the second send shows the plan with the one action."""
    make_plan(app, assessed, worker, actions=[])
    client = client_for(app, worker)
    path = f"/cases/{assessed.id}/plan/actions/new"
    fields = {
        "description": "Visit the housing office",
        "owner_kind": "caseworker",
        "due_on": day(date(2026, 12, 10)),
        "status": "to_do",
    }
    page = sent_twice(client, path, fields)
    db.session.rollback()
    assert [a.description for a in db.session.scalars(sa.select(PlanAction))] == [
        "Visit the housing office"
    ]
    assert len(audit_rows("support_plan.add_action")) == 1
    assert "Action added." not in page  # the second send added nothing
    # A form shown afresh is a new one: it adds another.
    assert post(client, path, fields).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PlanAction)) == 2


def _add_at_the_same_moment(app, case, worker, first_token, second_token):
    """Two action forms sent at the same moment: the first commits while the second is
    writing (at its flush, after it read the plan). The second's outcome: its action, or the
    ValidationError it was refused with."""
    details = ActionDetails("Fit a new door lock", due_on=date(2026, 12, 10))

    def send(session, token):
        actor = session.get(type(worker), worker.id)
        return add_action(
            session, case.id, details, actor=actor, origin=ORIGIN, now=now(), submission_token=token
        )

    sent: list[bool] = []

    def the_first_commits(session, flush_context, instances):
        if not sent:
            sent.append(True)
            with sa.orm.Session(db.engine) as other:
                send(other, first_token)

    sa.event.listen(db.session(), "before_flush", the_first_commits)
    try:
        return send(db.session, second_token)
    except ValidationError as refused:
        return refused
    finally:
        sa.event.remove(db.session(), "before_flush", the_first_commits)


def test_one_action_form_sent_twice_at_the_same_moment_adds_one_action(app, assessed, worker):
    """The second send, meeting the first's plan change as it writes, is shown the first's
    action: not a server error, not a second action."""
    make_plan(app, assessed, worker, actions=[])
    second = _add_at_the_same_moment(app, assessed, worker, "one-form", "one-form")
    db.session.rollback()
    [action] = db.session.scalars(sa.select(PlanAction)).all()
    assert second.id == action.id
    assert len(audit_rows("support_plan.add_action")) == 1


def test_two_actions_added_at_the_same_moment_refuse_the_second_clearly(app, assessed, worker):
    """Two colleagues adding actions at once: the later is told the plan changed and its
    action was not saved (it is shown its form to save again), never a server error."""
    make_plan(app, assessed, worker, actions=[])
    refused = _add_at_the_same_moment(app, assessed, worker, "her-form", "his-form")
    assert "changed this plan while you were adding the action" in refused.errors[""]
    db.session.rollback()
    assert len(db.session.scalars(sa.select(PlanAction)).all()) == 1
    again = add_action(
        db.session,
        assessed.id,
        ActionDetails("Fit a new door lock", due_on=date(2026, 12, 10)),
        actor=worker,
        origin=ORIGIN,
        now=now(),
        submission_token="his-form",
    )
    assert again.description == "Fit a new door lock"
    assert len(db.session.scalars(sa.select(PlanAction)).all()) == 2


def test_no_longer_needed_needs_a_reason_and_a_stale_edit_is_refused(app, assessed, worker, leader):
    make_plan(app, assessed, worker)
    action = db.session.scalars(sa.select(PlanAction).order_by(PlanAction.id)).first()
    client = client_for(app, worker)
    path = f"/cases/{assessed.id}/plan/actions/{action.id}/edit"
    page = client.get(path).get_data(as_text=True)
    version = hidden_value(page, "version")
    fields = {
        "description": action.description,
        "owner_kind": "caseworker",
        "due_on": day(action.due_on),
        "status": "not_needed",
        "version": version,
    }
    no_reason = post(client, path, fields)
    assert "Enter why the action is no longer needed" in no_reason.get_data(as_text=True)
    other = client_for(app, leader)
    done = post(other, path, {**fields, "status": "done"})
    assert done.status_code == 302
    stale = post(client, path, {**fields, "status": "in_progress", "version": version})
    assert stale.status_code == 400
    text = stale.get_data(as_text=True)
    assert "Lee Leader changed the status after you opened this page" in text
    db.session.expire_all()
    assert db.session.get(PlanAction, action.id).status == "done"


def test_another_teams_caseworker_gets_404_on_every_plan_page(app, assessed, worker, outsider):
    make_plan(app, assessed, worker)
    action = db.session.scalars(sa.select(PlanAction)).first()
    client = client_for(app, outsider)
    base = f"/cases/{assessed.id}/plan"
    for path in (
        base,
        f"{base}/new",
        f"{base}/actions/new",
        f"{base}/actions/{action.id}/edit",
        f"{base}/goals",
        f"{base}/review",
        f"{base}/resilience",
    ):
        assert client.get(path).status_code == 404, path
    token = csrf_token(client, "/caseload")
    for path in (f"{base}/actions/new", f"{base}/review", f"{base}/resilience", f"{base}/goals"):
        response = client.post(path, data={"csrf_token": token, "description": "x", "plan": "x"})
        assert response.status_code == 404, path


# --- reviews (D10) ---------------------------------------------------------------------------


def test_a_review_meets_d10_owes_the_next_and_sets_statuses(app, clock, assessed, worker):
    make_plan(app, assessed, worker)
    first, second = db.session.scalars(sa.select(PlanAction).order_by(PlanAction.id)).all()
    clock.move_to("2026-12-18 10:00 +0000")  # Friday
    client = client_for(app, worker)
    path = f"/cases/{assessed.id}/plan/review"
    page = client.get(path).get_data(as_text=True)
    version = hidden_value(page, "version")
    fields = {
        "held_on": day(date(2026, 12, 18)),
        f"status_{first.id}": "done",
        f"progress_{first.id}": "Lock fitted",
        f"status_{second.id}": "in_progress",
        "new_need": "Worried about the trial",
        "prompts_reassessment": "no",
        "version": version,
    }
    future = post(client, path, {**fields, "held_on": day(date(2026, 12, 19))})
    assert future.status_code == 400
    assert "cannot be in the future" in future.get_data(as_text=True)
    assert post(client, path, fields).status_code == 302
    met, following = plan_reviews(assessed.id)
    assert met.status == "met" and met.met_at is not None
    # 18 Dec + 28 = Friday 15 January 2027
    assert following.status == "due" and wall(following.due_at) == "2027-01-15 18:00"
    assert db.session.get(PlanAction, first.id).status == "done"
    review = db.session.scalars(sa.select(PlanReview)).one()
    assert [(p.action_id, p.status) for p in review.progress] == [
        (first.id, "done"),
        (second.id, "in_progress"),
    ]
    shown = client.get(f"/cases/{assessed.id}/plan").get_data(as_text=True)
    assert "Lock fitted" in shown and "Worried about the trial" in shown


def test_a_review_that_prompts_a_reassessment_brings_d6_forward(app, clock, assessed, worker):
    make_plan(app, assessed, worker)
    case = assessed
    from casework.obligations import lifecycle
    from triage.deadlines import DueObligation

    far = datetime(2027, 5, 20, 18, tzinfo=UTC)
    lifecycle.add(db.session, case, DueObligation("reassessment", "staff", far), now())
    db.session.commit()
    clock.move_to("2026-12-24 10:00 +0000")
    plan = db.session.scalars(sa.select(SupportPlan)).one()
    record_review(
        db.session,
        case.id,
        ReviewDetails(
            held_on=date(2026, 12, 24),
            prompts_reassessment=True,
            progress={a.id: (None, "in_progress") for a in plan.actions},
        ),
        expected_version=plan.version,
        actor=worker,
        origin=ORIGIN,
        now=now(),
        calendar=calendar(app),
    )
    db.session.rollback()
    [reassessment] = db.session.scalars(
        sa.select(Obligation).where(Obligation.kind == "reassessment")
    ).all()
    # Thursday 24 Dec: 5 working days past Christmas, Boxing Day (28th) and New Year
    assert wall(reassessment.due_at) == "2027-01-05 18:00"


def test_a_review_that_prompts_a_reassessment_adds_one_when_none_is_open(
    app, clock, assessed, worker
):
    make_plan(app, assessed, worker, actions=[])
    plan = db.session.scalars(sa.select(SupportPlan)).one()
    record_review(
        db.session,
        assessed.id,
        ReviewDetails(held_on=date(2026, 11, 23), prompts_reassessment=True),
        expected_version=plan.version,
        actor=worker,
        origin=ORIGIN,
        now=now(),
        calendar=calendar(app),
    )
    found = db.session.scalars(sa.select(Obligation).where(Obligation.kind == "reassessment")).one()
    assert wall(found.due_at) == "2026-11-30 18:00"


def test_a_stale_review_form_is_refused_with_what_changed(app, assessed, worker, leader):
    make_plan(app, assessed, worker)
    client = client_for(app, worker)
    path = f"/cases/{assessed.id}/plan/review"
    page = client.get(path).get_data(as_text=True)
    version = hidden_value(page, "version")
    add_action(
        db.session,
        assessed.id,
        ActionDetails("Another", due_on=date(2026, 12, 1)),
        actor=leader,
        origin=ORIGIN,
        now=now(),
    )
    actions = db.session.scalars(sa.select(PlanAction)).all()
    fields = {f"status_{a.id}": "to_do" for a in actions}
    response = post(
        client,
        path,
        {
            "held_on": day(date(2026, 11, 23)),
            "prompts_reassessment": "no",
            "version": version,
            **fields,
        },
    )
    assert response.status_code == 400
    assert "Lee Leader changed the actions" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PlanReview)) == 0


def test_reschedule_plan_review_recreates_the_open_d10(app, clock, assessed, worker):
    make_plan(app, assessed, worker)
    [first] = plan_reviews(assessed.id)
    first.status = "cancelled"  # as closing the case would
    db.session.commit()
    clock.move_to("2027-02-10 10:00 +0000")
    reschedule_plan_review(db.session, assessed, now=now(), calendar=calendar(app))
    db.session.commit()
    due = [o for o in plan_reviews(assessed.id) if o.status == "due"]
    # cycle from 23 Nov 2026: 21 Dec, 18 Jan, 15 Feb 2027 (the first after now)
    assert [wall(o.due_at) for o in due] == ["2027-02-15 18:00"]


# --- overdue actions on the caseload and the team view ----------------------------------------


def test_overdue_actions_are_counted_on_the_caseload_and_the_team_view(
    app, clock, assessed, worker, leader, outsider, create_staff_record
):
    make_plan(app, assessed, worker)  # due 30 Nov and 4 Dec
    # Another team's case with an overdue action must not count on this team's view.
    other_leader = create_staff_record("team_leader", team=outsider.team)
    theirs = create_case_for_notes(
        caseworker=outsider,
        team_leader=other_leader,
        row=police_row(crime_reference="LC-20261120-9999", forename="Zed"),
        at=datetime(2026, 11, 20, 9, tzinfo=UTC),
    )
    create_complete_assessment(theirs, worker=outsider, held_on=date(2026, 11, 23))
    make_plan(
        app,
        theirs,
        outsider,
        actions=[(None, ActionDetails("Theirs", due_on=date(2026, 11, 24)))],
    )
    clock.move_to("2026-12-02 10:00 +0000")
    caseload = client_for(app, worker).get("/caseload").get_data(as_text=True)
    assert "1 overdue action<" in caseload
    assert re.search(r'id="overdue-actions">[^<]*<strong[^>]*>1 overdue', caseload)
    team_page = client_for(app, leader).get("/team").get_data(as_text=True)
    assert re.search(r'id="team-overdue-actions">1<', team_page)
    clock.move_to("2026-12-05 10:00 +0000")
    team_page = client_for(app, leader).get("/team").get_data(as_text=True)
    assert re.search(r'id="team-overdue-actions">2<', team_page)


def test_team_view_query_count_does_not_grow_with_the_team(
    app, clock, create_staff_record, create_team_record
):
    from casework.caseloads.team import team_loads

    def queries_for(size: int) -> int:
        team = create_team_record()
        leader = create_staff_record("team_leader", team=team)
        for _ in range(size):
            create_staff_record("caseworker", team=team, vetted=False)
        counted = []

        def count(*_args):
            counted.append(1)

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            team_loads(db.session, leader, team_id=None, now=now())
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(counted)

    assert queries_for(1) == queries_for(6)


# --- team settings ---------------------------------------------------------------------------


def test_team_leader_sets_the_review_interval_and_closure_approval(app, team, leader):
    client = client_for(app, leader)
    path = f"/teams/{team.id}/caseload-settings"
    page = client.get(path).get_data(as_text=True)
    version = hidden_value(page, "version")
    fields = {
        "caseworkers_pick_up": "no",
        "plan_review_days": "92",
        "closure_needs_approval": "yes",
        "version": version,
    }
    refused = post(client, path, fields)
    assert refused.status_code == 400
    assert "whole number of days from 7 to 91" in refused.get_data(as_text=True)
    assert post(client, path, {**fields, "plan_review_days": "14"}).status_code == 302
    setting = db.session.get(TeamCaseloadSetting, team.id)
    assert (setting.plan_review_days, setting.closure_needs_approval) == (14, True)
    detail = audit_rows("team.caseload_settings")[-1].detail
    assert '"plan_review_days": {"from": 28, "to": 14}' in detail
    assert '"closure_needs_approval": {"from": false, "to": true}' in detail
    stale = post(client, path, {**fields, "plan_review_days": "21"})
    assert "Someone else changed these settings" in stale.get_data(as_text=True)


# --- resilience ------------------------------------------------------------------------------


def test_resilience_prompt_after_a_month_until_a_plan_is_recorded(app, clock, case, worker, leader):
    client = client_for(app, worker)
    assert "a plan for reducing support is due" not in client.get(f"/cases/{case.id}").get_data(
        as_text=True
    )
    clock.move_to("2026-12-20 12:00 +0000")  # opened 20 Nov: a month, not more
    client = client_for(app, worker)
    assert "a plan for reducing support is due" not in client.get(f"/cases/{case.id}").get_data(
        as_text=True
    )
    clock.move_to("2026-12-21 10:00 +0000")
    client = client_for(app, worker)
    summary = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "a plan for reducing support is due" in summary
    team_page = client_for(app, leader).get("/team").get_data(as_text=True)
    assert "Resilience plan due" in team_page
    path = f"/cases/{case.id}/plan/resilience"
    empty = post(client, path, {"plan": "  ", "volunteer": ""})
    assert "Enter the plan for reducing support" in empty.get_data(as_text=True)
    assert post(client, path, {"plan": "Fortnightly calls, then monthly"}).status_code == 302
    assert post(client, path, {"plan": "Monthly calls", "volunteer": "A befriender"}).status_code
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ResiliencePlan)) == 2
    shown = client.get(f"/cases/{case.id}/plan").get_data(as_text=True)
    assert "Monthly calls" in shown and "A befriender" in shown
    assert "Fortnightly calls" not in shown
    assert "a plan for reducing support is due" not in client.get(f"/cases/{case.id}").get_data(
        as_text=True
    )
    from casework.caseloads.team import team_loads

    loads = team_loads(db.session, leader, team_id=None, now=now())
    [load] = [x for x in loads if x.id == worker.id]
    assert load.resilience_due == 0


def test_every_view_of_the_plan_and_its_forms_is_audited(app, assessed, worker):
    make_plan(app, assessed, worker)
    action = db.session.scalars(sa.select(PlanAction)).first()
    client = client_for(app, worker)
    client.get(f"/cases/{assessed.id}/plan")
    assert '"page": "plan"' in audit_rows("case.view")[-1].detail
    client.get(f"/cases/{assessed.id}/plan/actions/{action.id}/edit")
    assert f'"action_id": {action.id}' in audit_rows("support_plan.view_action")[-1].detail
    for form in ("review", "goals", "resilience"):
        client.get(f"/cases/{assessed.id}/plan/{form}")
        assert f'"form": "{form}"' in audit_rows("support_plan.view_form")[-1].detail


def test_a_closed_cases_plan_is_read_only(app, assessed, worker, leader):
    import sqlalchemy as sa

    from casework.cases.opening import close_case
    from casework.models import PlanAction

    make_plan(app, assessed, worker)
    # The closure gate wants the plan's actions settled; the person declined further support.
    db.session.execute(sa.update(PlanAction).values(status="done"))
    close_case(db.session, assessed, reason="declined", actor=leader, origin=ORIGIN, now=now())
    db.session.commit()
    client = client_for(app, worker)
    page = client.get(f"/cases/{assessed.id}/plan").get_data(as_text=True)
    assert "its support plan can be read but not changed" in page and "Add an action" not in page
    response = client.get(f"/cases/{assessed.id}/plan/actions/new")
    assert response.status_code == 302
    with pytest.raises(ValidationError):
        add_action(
            db.session,
            assessed.id,
            ActionDetails("Late", due_on=date(2026, 12, 1)),
            actor=worker,
            origin=ORIGIN,
            now=now(),
        )


def test_two_workers_making_the_plan_at_once_one_is_told_it_exists(
    app, assessed, worker, leader, monkeypatch
):
    make_plan(app, assessed, worker)
    # The second worker's check ran before the first plan was stored: the database refuses it.
    monkeypatch.setattr("casework.plans.plan.plan_of", lambda session, case_id: None)
    with pytest.raises(ValidationError) as refused:
        make_plan(app, assessed, leader, actions=[])
    assert "already has a support plan" in str(refused.value.errors)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SupportPlan)) == 1
