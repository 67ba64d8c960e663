"""Deadlines that passed unmet: breached once, and the team leaders told by email ("dealt with
outside timeframes: this should be zero", spec 3.7)."""

from __future__ import annotations

from datetime import datetime, tzinfo

import sqlalchemy as sa

from casework.messages import outbox
from casework.obligations import lifecycle
from casework.referrals.models import Referral
from casework.staff.models import Staff

BATCH = 500


def mark_breaches(session, *, wording, tz: tzinfo, now: datetime) -> int:
    """Mark every obligation whose due time has passed unmet as breached, once, and alert the
    team leaders by email ("dealt with outside timeframes: this should be zero").

    One UPDATE ... RETURNING: concurrent sweeps each get only the rows they changed.
    """
    breached = lifecycle.breach_overdue(session, now)
    if not breached:
        session.commit()
        return 0
    referral_ids = sorted({row.referral_id for row in breached})
    teams, references = {}, {}
    for start in range(0, len(referral_ids), BATCH):
        chunk = referral_ids[start : start + BATCH]
        for rid, reference, team_id in session.execute(
            sa.select(Referral.id, Referral.reference, Staff.team_id)
            .select_from(Referral)
            .outerjoin(Staff, Referral.allocated_to_id == Staff.id)
            .where(Referral.id.in_(chunk))
        ):
            teams[rid], references[rid] = team_id, reference
    leaders = session.execute(
        sa.select(Staff.id, Staff.email, Staff.team_id).where(
            Staff.role == "team_leader", Staff.active.is_(True)
        )
    ).all()
    alerts = []
    for row in breached:
        team = teams.get(row.referral_id)
        for leader in leaders:
            if team is not None and leader.team_id != team:
                continue
            reference = references.get(row.referral_id, "")
            subject, body = wording.breach_alert(
                row.kind, reference, row.due_at.astimezone(tz), row.referral_id
            )
            alerts.append(
                {
                    "dedupe_key": f"breach:{row.id}:{leader.id}",
                    "kind": "breach_alert",
                    "channel": "email",
                    "recipient": leader.email,
                    "subject": subject,
                    "body": body,
                    "referral_id": row.referral_id,
                    "obligation_id": row.id,
                }
            )
    outbox.queue_messages(session, alerts, now=now, send_after=now)
    session.commit()
    return len(breached)
