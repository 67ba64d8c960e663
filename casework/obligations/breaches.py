"""Deadlines that passed unmet: breached once, and the team leaders told by email ("dealt with
outside timeframes: this should be zero", spec 3.7); and told again when a breach is withdrawn
(an advice-line callback that was never owed)."""

from __future__ import annotations

from datetime import datetime, tzinfo

import sqlalchemy as sa

from casework.messages import outbox
from casework.messages.models import OutboundMessage
from casework.obligations import lifecycle
from casework.obligations.models import Obligation
from casework.referrals.models import Referral
from casework.staff.models import Staff, Team

BATCH = 500
# The HSB line's obligations, owned by an advice contact (D8, D12).
ADVICE_LINE_KINDS = ("callback", "feedback_follow_up")


def _leaders(session, service: str):
    """Active team leaders of the teams of one service (and, for the victim service, those not
    yet in a team)."""
    teams = sa.select(Team.id).where(Team.service == service)
    in_service = Staff.team_id.in_(teams)
    if service == "victim":
        in_service = sa.or_(in_service, Staff.team_id.is_(None))
    return session.execute(
        sa.select(Staff.id, Staff.email, Staff.team_id).where(
            Staff.role == "team_leader", Staff.active.is_(True), in_service
        )
    ).all()


def mark_breaches(session, *, wording, tz: tzinfo, now: datetime) -> int:
    """Mark every obligation whose due time has passed unmet as breached, once, and alert the
    team leaders by email ("dealt with outside timeframes: this should be zero").

    One UPDATE ... RETURNING: concurrent sweeps each get only the rows they changed.
    """
    breached = lifecycle.breach_overdue(session, now)
    if not breached:
        session.commit()
        return 0
    alerts = _referral_alerts(
        session, [row for row in breached if row.referral_id is not None], wording, tz
    )
    alerts += _callback_alerts(
        session, [row for row in breached if row.kind in ADVICE_LINE_KINDS], wording, tz
    )
    # A case's deadlines (D4, D6, D9-D11) show on the caseload, the team view and the deadline
    # view; they are not emailed.
    outbox.queue_messages(session, alerts, now=now, send_after=now)
    session.commit()
    return len(breached)


def _referral_alerts(session, breached, wording, tz) -> list[dict]:
    """A referral's missed deadline (D1-D5) to the team leaders of its caseworker's team, or to
    every victim-service team leader while it is unallocated."""
    if not breached:
        return []
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
    leaders = _leaders(session, "victim")
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
            alerts.append(_alert(row, leader, subject, body, referral_id=row.referral_id))
    return alerts


def _callback_alerts(session, breached, wording, tz) -> list[dict]:
    """The HSB line's missed callback or feedback follow-up to the line's team leaders only,
    with the contact's number and link, never the professional's details."""
    if not breached:
        return []
    owners = dict(
        session.execute(
            sa.select(Obligation.id, Obligation.advice_contact_id).where(
                Obligation.id.in_([row.id for row in breached])
            )
        ).all()
    )
    leaders = _leaders(session, "hsb")
    return [
        _alert(
            row,
            leader,
            *wording.advice_line_breach_alert(row.kind, owners[row.id], row.due_at.astimezone(tz)),
        )
        for row in breached
        for leader in leaders
    ]


def _alert(row, leader, subject: str, body: str, *, referral_id: int | None = None) -> dict:
    return {
        "dedupe_key": f"breach:{row.id}:{leader.id}",
        "kind": "breach_alert",
        "channel": "email",
        "recipient": leader.email,
        "subject": subject,
        "body": body,
        "referral_id": referral_id,
        "obligation_id": row.id,
    }


WITHDRAWN_KIND = "breach_withdrawn"
TOLD = ("sending", "sent", "delivered")  # 'sending': in doubt, so told to be safe


def recall_alerts(session, obligation: Obligation, *, wording, why: str, now: datetime) -> int:
    """A breach of an advice-line callback taken back (``lifecycle.withdraw``: it was not owed
    after all; ``lifecycle.remeet``: met in time after all): each team leader already told of
    it is told it is withdrawn, once. An alert not yet sent is never sent (the dispatcher
    checks the breach still stands). Returns how many were told."""
    # Every alert of it, locked: a sender claiming one now waits, then finds the breach gone
    # and sends nothing; one it claimed first is 'sending' here, and so recalled.
    alerts = session.execute(
        sa.select(OutboundMessage.id, OutboundMessage.recipient, OutboundMessage.status)
        .where(
            OutboundMessage.obligation_id == obligation.id,
            OutboundMessage.kind == "breach_alert",
        )
        .with_for_update()
    ).all()
    told = [(alert_id, recipient) for alert_id, recipient, status in alerts if status in TOLD]
    if not told:
        return 0
    subject, body = wording.advice_line_breach_withdrawn(obligation.advice_contact_id, why)
    outbox.queue_messages(
        session,
        [
            {
                "dedupe_key": f"breach-withdrawn:{alert_id}",
                "kind": WITHDRAWN_KIND,
                "channel": "email",
                "recipient": recipient,
                "subject": subject,
                "body": body,
                "referral_id": None,
                "obligation_id": obligation.id,
            }
            for alert_id, recipient in told
        ],
        now=now,
        send_after=now,
    )
    return len(told)
