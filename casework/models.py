"""Every model, imported in one place so Alembic and the app see the whole schema."""

import casework.people.name_words  # noqa: F401  (keeps the search index in step with people)
from casework.approvals.models import Approval  # noqa: F401
from casework.assessments.models import AssessmentArea, NeedsAssessment  # noqa: F401
from casework.audit import AuditEvent  # noqa: F401
from casework.caseloads.models import CaseReassignment, TeamCaseloadSetting  # noqa: F401
from casework.cases.models import Case  # noqa: F401
from casework.cases.notes_models import CaseNote, CaseNoteAmendment  # noqa: F401
from casework.closure.models import CaseClosure  # noqa: F401
from casework.contact.models import ContactAttempt, InitialContact, KeyDate  # noqa: F401
from casework.heartbeat.models import SchedulerHeartbeat  # noqa: F401
from casework.hsb.models import (  # noqa: F401
    AdviceCallback,
    AdviceContact,
    AdviceFeedback,
    AdviceGuidance,
    AdviceLineSetting,
    AdviceResource,
    AdviceSession,
    PracticeEvidence,
    ResourceGiven,
)
from casework.messages.models import (  # noqa: F401
    LetterTemplate,
    MessageTemplate,
    OutboundMessage,
    SmsOptOut,
    WebhookReceipt,
)
from casework.obligations.models import Obligation  # noqa: F401
from casework.onward.models import OnwardReferral, SharingConsent, TargetHardening  # noqa: F401
from casework.partners.models import PartnerContact  # noqa: F401
from casework.people.models import (  # noqa: F401
    MatchKey,
    Person,
    PersonMerge,
    PersonNameWord,
    PossibleMatch,
)
from casework.plans.models import (  # noqa: F401
    PlanAction,
    PlanReview,
    PlanReviewProgress,
    ResiliencePlan,
    SupportPlan,
)
from casework.referrals.models import ImportBatch, ImportJob, PartnerAgency, Referral  # noqa: F401
from casework.staff.models import Staff, StaffSession, Team  # noqa: F401
from casework.staff.vetting_models import StaffVetting, TrainingRecord  # noqa: F401
from casework.support.models import (  # noqa: F401
    CaseVolunteer,
    Complaint,
    GroupAttendance,
    GroupSession,
    HardshipBudget,
    HardshipPayment,
    HardshipSetting,
    PersonalStatement,
    RestorativeJustice,
    RestorativeSession,
)
