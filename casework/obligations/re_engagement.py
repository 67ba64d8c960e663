"""Re-engagement prompts (D9): on the working day before a court date, sentencing or offender
release, the caseworker (or, on an unallocated case, the team leaders) is asked to get in
touch again."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa
import sqlalchemy.orm

from casework.cases.models import Case
from casework.messages import outbox
from casework.obligations.models import Obligation
from casework.referrals.models import Referral
from casework.staff.models import Staff

# A case's prompt goes to its caseworker and names the case, linking its first referral.
_CASE_REFERRAL = sa.orm.aliased(Referral)
# Only today's prompts: an indexed range of today's due rows, not every future one. Built
# once, not on every sweep: the scheduler asks it every minute, and building it (the aliased
# referral's every column) cost more than running it.
_TODAYS = (
    sa.select(
        Obligation.id,
        Obligation.due_at,
        sa.func.coalesce(
            Referral.id,
            sa.select(sa.func.min(_CASE_REFERRAL.id))
            .where(_CASE_REFERRAL.case_id == Case.id)
            .correlate(Case)
            .scalar_subquery(),
        ),
        sa.func.coalesce(Case.reference, Referral.reference),
        sa.func.coalesce(Case.caseworker_id, Referral.allocated_to_id),
    )
    .outerjoin(Referral, Obligation.referral_id == Referral.id)
    .outerjoin(Case, Obligation.case_id == Case.id)
    .where(
        Obligation.kind == "re_engagement",
        Obligation.status == "due",
        Obligation.met_at.is_(None),
        Obligation.due_at >= sa.bindparam("now", type_=Obligation.due_at.type),
        Obligation.due_at < sa.bindparam("tomorrow", type_=Obligation.due_at.type),
    )
)


def queue_re_engagement_prompts(session, *, wording, calendar, now: datetime) -> int:
    """On the working day before a court date, sentencing or offender release, prompt the
    caseworker (or, on an unallocated case, the team leaders) to re-engage (D9)."""
    today = calendar.local_date(now)
    tomorrow = datetime.combine(today + timedelta(days=1), time(0), tzinfo=calendar.tz)
    rows = session.execute(_TODAYS, {"now": now, "tomorrow": tomorrow}).all()
    prompts = []
    for obligation_id, due_at, referral_id, reference, allocated_to_id in rows:
        if calendar.local_date(due_at) != today:
            continue
        staff = session.scalars(
            sa.select(Staff).where(Staff.id == allocated_to_id)
            if allocated_to_id
            else sa.select(Staff).where(Staff.role == "team_leader", Staff.active.is_(True))
        ).all()
        subject, body = wording.re_engagement_prompt(reference, referral_id)
        for person in staff:
            prompts.append(
                {
                    "dedupe_key": f"reengage:{obligation_id}:{person.id}",
                    "kind": "re_engagement",
                    "channel": "email",
                    "recipient": person.email,
                    "subject": subject,
                    "body": body,
                    "referral_id": referral_id,
                    "obligation_id": obligation_id,
                }
            )
    outbox.queue_messages(session, prompts, now=now, send_after=now)
    session.commit()
    return len(prompts)
