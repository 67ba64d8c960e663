"""Every model, imported in one place so Alembic and the app see the whole schema."""

from casework.audit import AuditEvent  # noqa: F401
from casework.contact import (  # noqa: F401
    ContactAttempt,
    InitialContact,
    KeyDate,
    LetterTemplate,
    OutboundMessage,
    SmsOptOut,
)
from casework.referral import (  # noqa: F401
    ImportBatch,
    ImportJob,
    MatchKey,
    Obligation,
    PartnerAgency,
    PossibleMatch,
    Referral,
)
from casework.staff.models import Staff, StaffSession, Team  # noqa: F401
