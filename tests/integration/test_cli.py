"""Operator commands: users create, teams create, demo seed, scheduler run-once."""

import json
import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import time_machine

from casework.db import db, utcnow
from casework.models import MessageTemplate
from casework.staff.models import Staff, Team
from tests.conftest import audit_rows, sign_in


def test_users_create_takes_the_password_from_the_environment(app, runner, create_team_record):
    create_team_record("City victim team")
    result = runner.invoke(
        args=[
            "users",
            "create",
            "New.Person@Waypoint.test",
            "--name",
            "New Person",
            "--role",
            "team_leader",
            "--team",
            "city victim team",
        ],
        env={"WAYPOINT_PASSWORD": "a perfectly fine password"},
    )
    assert result.exit_code == 0, result.output
    created = json.loads(result.output)
    assert created["email"] == "new.person@waypoint.test" and created["role"] == "team_leader"
    assert audit_rows("staff.create")[-1].user_agent == "cli:users create"
    assert (
        sign_in(app.test_client(), created["email"], "a perfectly fine password").status_code == 302
    )


def test_users_create_refuses_bad_input_and_stores_nothing(runner):
    weak = runner.invoke(
        args=["users", "create", "x@waypoint.test", "--name", "X", "--role", "caseworker"],
        env={"WAYPOINT_PASSWORD": "short"},
    )
    assert weak.exit_code == 2
    assert "at least 12 characters" in weak.output
    role = runner.invoke(
        args=["users", "create", "x@waypoint.test", "--name", "X", "--role", "boss"],
        env={"WAYPOINT_PASSWORD": "a perfectly fine password"},
    )
    assert role.exit_code == 2
    team = runner.invoke(
        args=[
            "users",
            "create",
            "x@waypoint.test",
            "--name",
            "X",
            "--role",
            "caseworker",
            "--team",
            "Nowhere",
        ],
        env={"WAYPOINT_PASSWORD": "a perfectly fine password"},
    )
    assert team.exit_code == 2 and "no team called" in team.output
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Staff)) == 0


def test_demo_seed_prints_working_passwords_and_can_run_twice(app, runner):
    first = runner.invoke(args=["demo", "seed"])
    second = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == second.exit_code == 0
    line = next(ln for ln in second.output.splitlines() if "lead.city@waypoint.example" in ln)
    password = line.split()[-1]
    assert sign_in(app.test_client(), "lead.city@waypoint.example", password).status_code == 302
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Staff)) == 11
    # Staff can send from a case at once: a text and an email template, seeded once.
    names = db.session.scalars(sa.select(MessageTemplate.name).order_by(MessageTemplate.name))
    assert list(names) == ["Checking in", "Your support plan"]


@pytest.mark.parametrize(
    "moment",
    [
        None,  # today
        datetime(2026, 12, 28, 9, 0, tzinfo=UTC),  # a bank holiday Monday
        datetime(2027, 3, 29, 0, 30, tzinfo=UTC),  # just after midnight, the clocks went forward
        datetime(2027, 1, 2, 17, 0, tzinfo=UTC),  # a Saturday, the service closed
        # A Tuesday: 16 days before was a Sunday, so the planned case's plan was made on a Friday.
        datetime(2026, 11, 24, 0, 30, tzinfo=UTC),
    ],
)
def test_demo_seed_has_a_case_at_each_stage_of_support(app, runner, moment):
    from casework.assessments.distance import case_distance
    from casework.cases.models import Case
    from casework.models import Approval, CaseClosure, NeedsAssessment, PlanAction, PlanReview
    from casework.plans.resilience import resilience_of
    from casework.staff.vetting import local_today

    with time_machine.travel(moment or datetime.now(UTC), tick=False):
        assert runner.invoke(args=["demo", "seed"]).exit_code == 0
        db.session.rollback()
        counts = dict(
            db.session.execute(
                sa.select(NeedsAssessment.case_id, sa.func.count())
                .where(NeedsAssessment.status == "complete")
                .group_by(NeedsAssessment.case_id)
            ).all()
        )
        assert sorted(counts.values()) == [1, 1, 1, 2, 2, 2]
        open_reassessed = db.session.scalar(
            sa.select(Case).where(
                Case.id.in_([c for c, n in counts.items() if n == 2]),
                Case.status == "open",
                ~Case.id.in_(sa.select(Approval.case_id)),
            )
        )
        moved = case_distance(db.session, open_reassessed.id)
        changes = [m.change for m in moved.areas]
        assert max(changes) > 0 and min(changes) < 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PlanReview)) >= 10
        today = local_today(utcnow())
        overdue = db.session.scalars(
            sa.select(PlanAction).where(
                PlanAction.status.in_(("to_do", "in_progress")), PlanAction.due_on < today
            )
        ).all()
        assert len(overdue) == 1  # the planned case's, a week late
        closure = db.session.scalar(sa.select(CaseClosure))
        assert closure.reason == "support_complete"
        assert db.session.get(Case, closure.case_id).status == "closed"
        assert counts[closure.case_id] == 2
        pending = db.session.scalar(sa.select(Approval).where(Approval.status == "pending"))
        assert pending.kind == "case_closure" and counts[pending.case_id] == 2
        due = [
            c
            for c in db.session.scalars(sa.select(Case))
            if resilience_of(db.session, c, today).due
        ]
        assert len(due) == 1
        # The stages are seeded once.
        assert runner.invoke(args=["demo", "seed"]).exit_code == 0
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseClosure)) == 1


def test_scheduler_run_once_prints_a_json_summary(runner, create_staff_record, app):
    staff = create_staff_record("caseworker")
    client = app.test_client()
    sign_in(client, staff.email)
    result = runner.invoke(args=["scheduler", "run-once", "--now", "2099-01-01T09:00:00+00:00"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["sessions_ended"] == 1
    assert client.get("/caseload").status_code == 302


def test_scheduler_run_once_refuses_a_time_without_offset(runner):
    result = runner.invoke(args=["scheduler", "run-once", "--now", "2026-11-23T09:00"])
    assert result.exit_code == 2 and "UTC offset" in result.output


def test_teams_create_makes_a_team_that_users_create_can_join(runner):
    result = runner.invoke(args=["teams", "create", "North victim team", "--service", "victim"])
    assert result.exit_code == 0, result.output
    created = json.loads(result.output)
    assert created == {"id": created["id"], "name": "North victim team", "service": "victim"}
    assert isinstance(created["id"], int)
    [row] = audit_rows("team.create")
    assert (row.record_id, row.user_agent) == (str(created["id"]), "cli:teams create")
    joined = runner.invoke(
        args=["users", "create", "n@waypoint.test", "--name", "N", "--role", "caseworker"]
        + ["--team", "North victim team"],
        env={"WAYPOINT_PASSWORD": "a perfectly fine password"},
    )
    assert joined.exit_code == 0, joined.output


def test_teams_create_refuses_an_existing_name_or_an_unknown_service(runner):
    first = runner.invoke(args=["teams", "create", "HSB line", "--service", "hsb"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(args=["teams", "create", "hsb LINE", "--service", "victim"])
    assert again.exit_code == 1
    assert "A team with this name already exists" in again.output
    unknown = runner.invoke(args=["teams", "create", "Other team", "--service", "police"])
    assert unknown.exit_code == 2
    assert "'police' is not one of 'victim', 'hsb'" in unknown.output
    missing = runner.invoke(args=["teams", "create", "Other team"])
    assert missing.exit_code == 2 and "--service" in missing.output
    db.session.rollback()
    assert db.session.scalars(sa.select(Team.name)).all() == ["HSB line"]
    assert len(audit_rows("team.create")) == 1


def test_every_event_of_the_demo_cases_reads_in_words_on_their_timelines(
    app, runner, client, sign_in_as
):
    """A case's timeline is read by caseworkers: no event of the demo's cases and referrals
    (plans, notes, reviews, closure, reassignment) shows as its audit code."""
    from casework.audit import AuditEvent
    from casework.cases.timeline import ACTION_WORDS
    from casework.models import CaseClosure

    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    db.session.rollback()
    actions = set(
        db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.record_type.in_(("case", "referral")))
        )
    )
    assert {"case.close", "support_plan.create", "support_plan.review"} <= actions
    assert sorted(a for a in actions if a not in ACTION_WORDS and not a.endswith(".view")) == []
    closed = db.session.scalar(sa.select(CaseClosure.case_id))
    sign_in_as("admin")
    pages = "".join(
        client.get(f"/cases/{closed}/timeline?page={n}").get_data(as_text=True) for n in (1, 2)
    )
    assert "Case closed: support complete" in pages
    assert re.search(r"Needs assessment completed on \d{1,2} [A-Z][a-z]+ 20\d\d", pages)
    assert "support_complete" not in pages and "Support plan: " not in pages
