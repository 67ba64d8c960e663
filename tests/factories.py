"""Factories that build records through the real services, shared by the whole suite."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app

from tests.police import police_csv

RECEIVED = datetime(2026, 11, 20, 7, tzinfo=UTC)  # Friday 07:00 GMT, before the service opens


def create_referrals(
    source: bytes | dict, *more: dict, received: datetime = RECEIVED, now: datetime | None = None
):
    """Referrals made as the police download makes them (the real import, triage and matching):
    ``source`` is a whole download as bytes, or a row (see ``tests.police.police_row``) with
    ``more`` rows after it; ``now`` (default: the moment received) is when it is imported.
    Returns the import's result."""
    from casework.audit import Origin
    from casework.db import db
    from casework.referrals.police_import import import_police_download
    from scheduling.service_calendars import victim_calendar

    data = source if isinstance(source, bytes) else police_csv(source, *more)
    return import_police_download(
        db.session,
        data,
        filename="t.csv",
        received_at=received,
        calendar=victim_calendar(current_app.config),
        origin=Origin.command_line("test"),
        now=now or received,
    )


def create_case_for_notes(
    *, caseworker, team_leader, row: dict | None = None, at: datetime = RECEIVED
):
    """An open case with ``caseworker`` in ``team_leader``'s team, for a person referred by a
    police row (default: a new adult victim), opened by the team leader through the real
    service at ``at``. Returns the case."""
    import sqlalchemy as sa

    from casework.db import db
    from casework.referrals.models import Referral
    from tests.police import police_row

    row = row or police_row()
    create_referrals(row, received=at)
    referral = db.session.scalars(
        sa.select(Referral).where(Referral.crime_reference == row["crime_reference"])
    ).one()
    return create_case(referral.id, caseworker=caseworker, leader=team_leader, now=at)


def create_case(
    referral_id: int, *, caseworker, leader, reason: str = "Needs support now", now=None
):
    """A case opened from a referral by a team leader through the real service (the referral
    leaves the queue and joins the case, allocated to ``caseworker``). Returns the case."""
    from casework.audit import Origin
    from casework.cases.opening import open_by_team_leader
    from casework.db import db

    return open_by_team_leader(
        db.session,
        referral_id,
        caseworker_id=caseworker.id,
        reason=reason,
        actor=leader,
        origin=Origin.command_line("test"),
        now=now or RECEIVED,
    )


def create_complete_assessment(
    case,
    *,
    worker,
    held_on,
    priorities: dict[str, str | None] | None = None,
    scores: dict[str, int] | None = None,
    at: datetime = RECEIVED,
):
    """A complete needs assessment of ``case``, written straight to the models (the assessment
    pages are built elsewhere): held on ``held_on`` by ``worker``, all nine areas
    scored (default 3), by telephone; ``priorities`` the priority areas with the person's own
    words."""
    from casework.assessments.models import AssessmentArea, NeedsAssessment
    from casework.db import db
    from triage.needs import AREAS

    priorities = priorities or {}
    scores = scores or {}
    assessment = NeedsAssessment(
        case_id=case.id,
        status="complete",
        held_on=held_on,
        mode="telephone",
        worker_id=worker.id,
        created_by_id=worker.id,
        created_at=at,
        updated_at=at,
        completed_at=at,
    )
    assessment.areas = [
        AssessmentArea(
            area=code,
            score=scores.get(code, 3),
            own_words=priorities.get(code),
            priority=code in priorities,
        )
        for code in AREAS
    ]
    db.session.add(assessment)
    db.session.commit()
    return assessment


def add_plan_action(case, *, by, status="to_do", due_on=None, now=None):
    """A support plan action on ``case`` (its plan made if it has none) with ``status``,
    owned by the caseworker, stored directly with the models. Returns the action."""
    from datetime import date

    import sqlalchemy as sa

    from casework.db import db
    from casework.models import PlanAction, SupportPlan

    moment = now or RECEIVED
    plan = db.session.scalar(sa.select(SupportPlan).where(SupportPlan.case_id == case.id))
    if plan is None:
        plan = SupportPlan(
            case_id=case.id, created_by_id=by.id, created_at=moment, updated_at=moment
        )
        db.session.add(plan)
        db.session.flush()
    action = PlanAction(
        plan_id=plan.id,
        case_id=case.id,
        description="Fit a new door lock",
        owner_kind="caseworker",
        due_on=due_on or date(2026, 12, 1),
        status=status,
        status_reason="Done another way" if status == "not_needed" else None,
        created_at=moment,
        updated_at=moment,
    )
    db.session.add(action)
    db.session.commit()
    return action


def set_closure_approval(team, needed: bool = True):
    """Make ``team`` need (or not) a team leader's approval to close a case."""
    from casework.db import db
    from casework.models import TeamCaseloadSetting

    setting = db.session.get(TeamCaseloadSetting, team.id)
    if setting is None:
        setting = TeamCaseloadSetting(
            team_id=team.id, caseworkers_pick_up=False, updated_at=RECEIVED
        )
        db.session.add(setting)
    setting.closure_needs_approval = needed
    db.session.commit()
    return setting


def create_registry_agency(
    name: str,
    *,
    provides: str | None = None,
    isa: bool = True,
    secure_email: str | None = "referrals@agency.example",
    phone: str | None = "0116 496 0000",
):
    """An agency in the partner registry, written straight to the model (the registry's pages
    are built elsewhere): providing ``provides``, with or without an information-sharing
    agreement and a secure email address."""
    from casework.db import db, utcnow
    from casework.partners.models import PartnerAgency

    agency = PartnerAgency(
        name=name,
        in_registry=True,
        agency_type="specialist_support",
        partnership_level="partner",
        provides=provides,
        isa_in_place=isa,
        secure_email=secure_email,
        phone=phone,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    db.session.add(agency)
    db.session.commit()
    return agency
