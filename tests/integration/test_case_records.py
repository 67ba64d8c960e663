"""Everything a case gathers while it is worked (assessment, plan and reviews, closure, approval,
messages, consent to share, onward referrals, target hardening, restorative justice, personal
statement, hardship payments, group attendance, volunteers, complaints) is in the person's
subject-access export, and its words go when retention removes the person's details; the
dates, scores, statuses and amounts monitoring counts stay."""

from datetime import UTC, date, datetime

import sqlalchemy as sa

from casework.audit import Origin
from casework.db import db
from casework.messages.outbox import queue_message
from casework.models import (
    Approval,
    AssessmentArea,
    CaseClosure,
    CaseVolunteer,
    Complaint,
    GroupAttendance,
    GroupSession,
    HardshipPayment,
    OnwardReferral,
    OutboundMessage,
    PartnerAgency,
    PersonalStatement,
    PlanAction,
    PlanReview,
    PlanReviewProgress,
    ResiliencePlan,
    RestorativeJustice,
    RestorativeSession,
    SharingConsent,
    SupportPlan,
    TargetHardening,
)
from casework.people.retention import anonymise_expired
from casework.people.subject_access import subject_access_export
from tests.factories import add_plan_action, create_case_for_notes, create_complete_assessment

AT = datetime(2026, 11, 20, 10, tzinfo=UTC)
CLOSED = datetime(2026, 11, 27, 12, tzinfo=UTC)
LONG_AFTER = datetime(2033, 1, 5, 12, tzinfo=UTC)
WORDS = "Jo is frightened of the ex-partner at 4 Elm Road"


def worked_case(create_staff_record, create_team_record):
    """A case with one of everything, each holding WORDS somewhere, then closed."""
    team = create_team_record()
    leader = create_staff_record("team_leader", team=team)
    worker = create_staff_record("caseworker", team=team)
    case = create_case_for_notes(caseworker=worker, team_leader=leader, at=AT)
    create_complete_assessment(
        case, worker=worker, held_on=date(2026, 11, 23), priorities={"personal_safety": WORDS}
    )
    action = add_plan_action(case, by=worker, now=AT)
    action.description = WORDS
    plan = db.session.get(SupportPlan, action.plan_id)
    plan.goals = WORDS
    review = PlanReview(
        plan_id=plan.id,
        held_on=date(2026, 11, 25),
        worker_id=worker.id,
        notes=WORDS,
        new_need=WORDS,
        created_at=AT,
    )
    review.progress = [PlanReviewProgress(action_id=action.id, progress=WORDS, status="to_do")]
    agency = PartnerAgency(name="24/7 Locks", in_registry=True, created_at=AT)
    db.session.add_all([review, agency])
    db.session.flush()
    consent = SharingConsent(
        case_id=case.id,
        agency_id=agency.id,
        given=True,
        how="spoken",
        note=WORDS,
        recorded_by_id=worker.id,
        recorded_at=AT,
    )
    db.session.add(consent)
    db.session.flush()
    onward = OnwardReferral(
        case_id=case.id,
        agency_id=agency.id,
        service="target_hardening",
        method="phone",
        shared_fields=["name", "address"],
        reason=WORDS,
        consent_id=consent.id,
        spoke_to=WORDS,
        made_at=AT,
        made_by_id=worker.id,
        status="completed",
        outcome_note=WORDS,
        created_at=AT,
        updated_at=AT,
    )
    onward.target_hardening = TargetHardening(
        urgency="standard",
        vulnerability_factors=WORDS,
        service_level=3,
        items=WORDS,
        cost_pence=12_550,
        additional_need=WORDS,
        updated_at=AT,
    )
    db.session.add_all(
        [
            onward,
            ResiliencePlan(
                case_id=case.id,
                plan=WORDS,
                volunteer=WORDS,
                recorded_by_id=worker.id,
                recorded_at=AT,
            ),
            CaseClosure(
                case_id=case.id,
                reason="completed",
                words=WORDS,
                closed_at=CLOSED,
                closed_by_id=leader.id,
            ),
            Approval(
                kind="case_closure",
                team_id=team.id,
                case_id=case.id,
                reason=WORDS,
                detail={"words": WORDS},
                status="approved",
                requested_by_id=worker.id,
                requested_at=AT,
                decision_reason=WORDS,
            ),
        ]
    )
    support_around_the_case(case, team, worker)
    queue_message(
        db.session,
        dedupe_key="case-words",
        kind="onward_referral",
        channel="email",
        recipient="referrals@247locks.example.org",
        subject=WORDS,
        body=WORDS,
        now=AT,
        send_after=LONG_AFTER,
        case_id=case.id,
    )
    case.status, case.closed_at, case.updated_at = "closed", CLOSED, CLOSED
    for referral in case.referrals:
        referral.status, referral.updated_at = "closed", CLOSED
    db.session.commit()
    return case


def support_around_the_case(case, team, worker) -> None:
    """Restorative justice with a session, a personal statement, a hardship payment, a group
    session attended, a volunteer and a complaint, each holding WORDS where words go."""
    volunteer = create_volunteer(team)
    rj = RestorativeJustice(
        case_id=case.id,
        requested_on=date(2026, 11, 21),
        offender_admitted_guilt=True,
        offender_accepted_responsibility=True,
        rj_type="shuttle",
        sensitive=["domestic_violence"],
        sensitive_from_police=["domestic_violence"],
        exceptional_justification=WORDS,
        status="completed",
        outcome="agreement",
        outcome_note=WORDS,
        created_by_id=worker.id,
        created_at=AT,
        updated_at=AT,
    )
    rj.sessions = [
        RestorativeSession(
            held_on=date(2026, 11, 22),
            kind="shuttle",
            note=WORDS,
            recorded_by_id=worker.id,
            recorded_at=AT,
        )
    ]
    group = GroupSession(
        team_id=team.id,
        held_on=date(2026, 11, 24),
        place="Youth centre",
        facilitator_id=worker.id,
        topic="Staying safe online",
        created_by_id=worker.id,
        created_at=AT,
        updated_at=AT,
    )
    group.attendance = [
        GroupAttendance(case_id=case.id, attended=True, recorded_by_id=worker.id, recorded_at=AT)
    ]
    db.session.add_all(
        [
            rj,
            group,
            PersonalStatement(
                case_id=case.id,
                offered_on=date(2026, 11, 21),
                answer="accepted",
                helped_on=date(2026, 11, 22),
                note=WORDS,
                updated_by_id=worker.id,
                created_at=AT,
                updated_at=AT,
            ),
            HardshipPayment(
                case_id=case.id,
                year_starting=2026,
                amount_pence=4_550,
                purpose="security",
                detail=WORDS,
                status="approved",
                requested_by_id=worker.id,
                requested_at=AT,
            ),
            CaseVolunteer(
                case_id=case.id,
                volunteer_id=volunteer.id,
                role_note=WORDS,
                assigned_by_id=worker.id,
                assigned_at=AT,
                stepped_down_at=CLOSED,
                stepped_down_by_id=worker.id,
                step_down_reason=WORDS,
            ),
            Complaint(
                team_id=team.id,
                case_id=case.id,
                received_on=date(2026, 11, 23),
                channel="phone",
                about=WORDS,
                investigation=WORDS,
                outcome="upheld",
                outcome_on=date(2026, 11, 26),
                action_taken=WORDS,
                recorded_by_id=worker.id,
                created_at=AT,
                updated_at=AT,
            ),
        ]
    )


def create_volunteer(team):
    from casework.staff.models import Staff

    volunteer = Staff(
        email="volunteer@waypoint.example",
        name="Val Volunteer",
        role="volunteer",
        team_id=team.id,
        password_hash="!",
        created_at=AT,
        updated_at=AT,
    )
    db.session.add(volunteer)
    db.session.flush()
    return volunteer


def test_the_export_holds_everything_the_case_gathered(
    app, create_staff_record, create_team_record
):
    case = worked_case(create_staff_record, create_team_record)
    export = subject_access_export(
        db.session,
        case.referrals[0].reference,
        actor=None,
        origin=Origin.command_line("t"),
        now=CLOSED,
    )
    [exported] = export["cases"]
    held = {key: value for key, value in exported.items() if isinstance(value, list) and value}
    for key in (
        "needs_assessments",
        "needs_assessment_areas",
        "support_plans",
        "plan_actions",
        "plan_reviews",
        "plan_review_progress",
        "resilience_plans",
        "closures",
        "approvals",
        "messages",
        "sharing_consents",
        "onward_referrals",
        "target_hardening",
        "restorative_justice",
        "restorative_sessions",
        "personal_statements",
        "hardship_payments",
        "group_attendance",
        "volunteers",
        "complaints",
    ):
        assert key in held, key
    assert exported["hardship_payments"][0]["amount_pence"] == 4_550
    assert exported["group_attendance"][0]["topic"] == "Staying safe online"
    assert exported["complaints"][0]["about"] == WORDS
    assert WORDS in [a["own_words"] for a in exported["needs_assessment_areas"]]
    [hardening] = exported["target_hardening"]
    assert (hardening["service_level"], hardening["cost_pence"]) == (3, 12_550)
    assert hardening["additional_need"] == WORDS
    assert exported["onward_referrals"][0]["shared_fields"] == ["name", "address"]
    # Whom their details went to, and whom they agreed to share with, are theirs to know.
    assert exported["onward_referrals"][0]["agency"] == "24/7 Locks"
    assert exported["sharing_consents"][0]["agency"] == "24/7 Locks"
    # Waypoint's ids and staff ids are not the person's data.
    assert not any(k == "id" or k.endswith("_id") for k in exported["plan_actions"][0])


def test_retention_empties_their_words_and_keeps_what_monitoring_counts(
    app, create_staff_record, create_team_record
):
    case = worked_case(create_staff_record, create_team_record)
    assert anonymise_expired(db.session, now=LONG_AFTER, years=6) == 1
    db.session.expire_all()
    texts = [
        *db.session.scalars(sa.select(AssessmentArea.own_words)),
        *db.session.execute(sa.select(SupportPlan.goals)).scalars(),
        *db.session.scalars(sa.select(PlanAction.description)),
        *db.session.execute(sa.select(PlanReview.notes, PlanReview.new_need)).all()[0],
        *db.session.scalars(sa.select(PlanReviewProgress.progress)),
        *db.session.execute(sa.select(ResiliencePlan.plan, ResiliencePlan.volunteer)).all()[0],
        *db.session.scalars(sa.select(CaseClosure.words)),
        *db.session.execute(sa.select(Approval.reason, Approval.decision_reason)).all()[0],
        *db.session.scalars(sa.select(SharingConsent.note)),
        *db.session.execute(
            sa.select(OnwardReferral.reason, OnwardReferral.spoke_to, OnwardReferral.outcome_note)
        ).all()[0],
        *db.session.execute(
            sa.select(
                TargetHardening.vulnerability_factors,
                TargetHardening.items,
                TargetHardening.additional_need,
            )
        ).all()[0],
        *db.session.execute(
            sa.select(OutboundMessage.subject, OutboundMessage.body).where(
                OutboundMessage.case_id == case.id
            )
        ).all()[0],
    ]
    texts += [
        *db.session.execute(
            sa.select(RestorativeJustice.exceptional_justification, RestorativeJustice.outcome_note)
        ).all()[0],
        *db.session.scalars(sa.select(RestorativeSession.note)),
        *db.session.scalars(sa.select(PersonalStatement.note)),
        *db.session.scalars(sa.select(HardshipPayment.detail)),
        *db.session.execute(
            sa.select(CaseVolunteer.role_note, CaseVolunteer.step_down_reason)
        ).all()[0],
        *db.session.execute(
            sa.select(Complaint.about, Complaint.investigation, Complaint.action_taken)
        ).all()[0],
    ]
    assert not [t for t in texts if t and "Elm Road" in t], texts
    assert db.session.scalar(sa.select(HardshipPayment.amount_pence)) == 4_550
    assert db.session.scalar(sa.select(Complaint.outcome)) == "upheld"
    assert db.session.scalar(sa.select(Approval.detail)) == {}
    hardening = db.session.scalar(sa.select(TargetHardening))
    assert (hardening.service_level, hardening.cost_pence) == (3, 12_550)
    assert db.session.scalar(sa.select(AssessmentArea.score).limit(1)) == 3
    message = db.session.scalar(
        sa.select(OutboundMessage).where(OutboundMessage.case_id == case.id)
    )
    assert message.status == "failed"  # never sent once its words are gone
