"""The scheduler's sweeps, one a file. Each finds what is due and calls the casework service a
person's action would call; none holds a business rule or a query of its own.

Each is short, idempotent and safe to run twice, late or at once: the database holds the
truth, and a repeated or concurrent sweep finds the work already done.
"""

from scheduling.sweeps.breaches import mark_breaches
from scheduling.sweeps.contact_messages import queue_contact_messages
from scheduling.sweeps.context import Context, context
from scheduling.sweeps.dispatch import dispatch_messages
from scheduling.sweeps.inbox import import_inbox
from scheduling.sweeps.re_engagement import queue_re_engagement_prompts
from scheduling.sweeps.reminders import queue_reminders
from scheduling.sweeps.retention import anonymise_expired
from scheduling.sweeps.sessions import end_expired_sessions
from scheduling.sweeps.stuck_messages import flag_stuck_messages
from scheduling.sweeps.uploads import import_uploads

# In the order they run.
SWEEPS = {
    "imports": import_inbox,
    "uploads": import_uploads,
    "breaches": mark_breaches,
    "messages_queued": queue_contact_messages,
    "reminders_queued": queue_reminders,
    "re_engagement_prompts": queue_re_engagement_prompts,
    "messages": dispatch_messages,
    "stuck_messages": flag_stuck_messages,
    "sessions_ended": end_expired_sessions,
    "anonymised": anonymise_expired,
}

__all__ = [
    "SWEEPS",
    "Context",
    "anonymise_expired",
    "context",
    "dispatch_messages",
    "end_expired_sessions",
    "flag_stuck_messages",
    "import_inbox",
    "import_uploads",
    "mark_breaches",
    "queue_contact_messages",
    "queue_re_engagement_prompts",
    "queue_reminders",
]
