"""The records a case gathers as it is worked (assessments, the support plan and its reviews,
closures, approvals, messages, consent to share, onward referrals, target hardening, and the
support around a case: restorative justice, personal statements, hardship payments, group
attendance, volunteers and complaints), named
once for the two tasks that must see all of them: the subject-access export (everything held)
and retention (their free text emptied when the person's details are removed).

Each entry says which rows belong to a set of cases and which of their columns are free text
about the person. Adding a record to a case means adding it here, or the export misses it and
retention keeps its words.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from casework.approvals.models import Approval
from casework.assessments.models import AssessmentArea, NeedsAssessment
from casework.closure.models import CaseClosure
from casework.messages.models import OutboundMessage
from casework.onward.models import OnwardReferral, SharingConsent, TargetHardening
from casework.plans.models import (
    PlanAction,
    PlanReview,
    PlanReviewProgress,
    ResiliencePlan,
    SupportPlan,
)
from casework.support.models import (
    CaseVolunteer,
    Complaint,
    GroupAttendance,
    HardshipPayment,
    PersonalStatement,
    RestorativeJustice,
    RestorativeSession,
)


@dataclass(frozen=True)
class CaseRecord:
    """One kind of record a case holds: its key in the export, its way to its case (``path``:
    none when it has its own ``case_id``, else a chain of (column, parent) pairs ending at a
    parent that has), its order, and its free-text columns."""

    key: str
    model: type
    order: tuple
    text: tuple[str, ...] = ()
    path: tuple = ()
    # JSON columns whose content may hold the person's words (emptied to {}).
    json: tuple[str, ...] = ()

    def belongs(self, case_ids) -> sa.ColumnElement:
        """WHERE clause: rows of these cases (a list or a select of case ids), as nested
        IN (SELECT id ...) so each step uses its foreign key's index."""
        return _belongs(self.model, self.path, case_ids)

    @property
    def case_id(self) -> sa.ColumnElement:
        """The case id each row belongs to: its column, or a correlated subquery."""
        return _case_id(self.model, self.path)


def _belongs(model, path, case_ids) -> sa.ColumnElement:
    if not path:
        return model.case_id.in_(case_ids)
    (column, parent), rest = path[0], path[1:]
    return column.in_(sa.select(parent.id).where(_belongs(parent, rest, case_ids)))


def _case_id(model, path) -> sa.ColumnElement:
    if not path:
        return model.case_id
    (column, parent), rest = path[0], path[1:]
    return sa.select(_case_id(parent, rest)).where(parent.id == column).scalar_subquery()


_TO_PLAN = (PlanReview.plan_id, SupportPlan)


CASE_RECORDS = (
    CaseRecord(
        "needs_assessments",
        NeedsAssessment,
        (NeedsAssessment.id,),
        ("present_other", "young_persons_view"),
    ),
    CaseRecord(
        "needs_assessment_areas",
        AssessmentArea,
        (AssessmentArea.assessment_id, AssessmentArea.id),
        ("own_words", "worker_notes"),
        ((AssessmentArea.assessment_id, NeedsAssessment),),
    ),
    CaseRecord("support_plans", SupportPlan, (SupportPlan.id,), ("goals",)),
    CaseRecord("plan_actions", PlanAction, (PlanAction.id,), ("description", "status_reason")),
    CaseRecord(
        "plan_reviews",
        PlanReview,
        (PlanReview.held_on, PlanReview.id),
        ("notes", "new_need"),
        (_TO_PLAN,),
    ),
    CaseRecord(
        "plan_review_progress",
        PlanReviewProgress,
        (PlanReviewProgress.id,),
        ("progress",),
        ((PlanReviewProgress.review_id, PlanReview), _TO_PLAN),
    ),
    CaseRecord(
        "resilience_plans",
        ResiliencePlan,
        (ResiliencePlan.recorded_at, ResiliencePlan.id),
        ("plan", "volunteer"),
    ),
    CaseRecord(
        "closures",
        CaseClosure,
        (CaseClosure.closed_at, CaseClosure.id),
        ("words", "reopen_reason"),
    ),
    CaseRecord(
        "approvals",
        Approval,
        (Approval.requested_at, Approval.id),
        ("reason", "decision_reason"),
        json=("detail",),
    ),
    CaseRecord(
        "messages",
        OutboundMessage,
        (OutboundMessage.created_at, OutboundMessage.id),
        ("recipient", "subject", "body"),
    ),
    CaseRecord(
        "sharing_consents",
        SharingConsent,
        (SharingConsent.recorded_at, SharingConsent.id),
        ("note",),
    ),
    CaseRecord(
        "onward_referrals",
        OnwardReferral,
        (OnwardReferral.made_at, OnwardReferral.id),
        ("reason", "no_isa_reason", "spoke_to", "outcome_note"),
        json=("shared_values",),
    ),
    CaseRecord(
        "target_hardening",
        TargetHardening,
        (TargetHardening.id,),
        ("vulnerability_factors", "other_agencies", "items", "refused_reason", "additional_need"),
        ((TargetHardening.referral_id, OnwardReferral),),
    ),
    CaseRecord(
        "restorative_justice",
        RestorativeJustice,
        (RestorativeJustice.requested_on, RestorativeJustice.id),
        ("exceptional_justification", "outcome_note"),
    ),
    CaseRecord(
        "restorative_sessions",
        RestorativeSession,
        (RestorativeSession.held_on, RestorativeSession.id),
        ("note",),
        ((RestorativeSession.restorative_id, RestorativeJustice),),
    ),
    CaseRecord("personal_statements", PersonalStatement, (PersonalStatement.id,), ("note",)),
    CaseRecord(
        "hardship_payments",
        HardshipPayment,
        (HardshipPayment.requested_at, HardshipPayment.id),
        ("detail", "over_budget_reason"),
    ),
    CaseRecord("group_attendance", GroupAttendance, (GroupAttendance.id,)),
    CaseRecord(
        "volunteers",
        CaseVolunteer,
        (CaseVolunteer.assigned_at, CaseVolunteer.id),
        ("role_note", "step_down_reason"),
    ),
    CaseRecord(
        "complaints",
        Complaint,
        (Complaint.received_on, Complaint.id),
        ("about", "investigation", "action_taken"),
    ),
)


def empty_text(session, case_ids, *, placeholder: str) -> None:
    """Empty every case record's free text for these cases (a select of case ids): nullable
    columns become NULL, required ones ``placeholder`` (or "" for a message body), JSON ones
    NULL or {}.
    Dates, statuses, scores, levels and amounts stay: monitoring counts them."""
    for record in CASE_RECORDS:
        if not (record.text or record.json):
            continue  # nothing in their words (group attendance)
        columns = record.model.__table__.columns
        values = {name: (None if columns[name].nullable else placeholder) for name in record.text}
        values.update({name: None if columns[name].nullable else {} for name in record.json})
        if record.model is OutboundMessage:
            values["body"] = ""
        session.execute(
            sa.update(record.model)
            .where(record.belongs(case_ids))
            .values(values)
            .execution_options(synchronize_session=False)
        )
