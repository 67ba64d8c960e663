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
    earlier = _earlier_alerts(session, [row.id for row in breached])
    alerts = _referral_alerts(
        session, [row for row in breached if row.referral_id is not None], wording, tz, earlier
    )
    alerts += _callback_alerts(
        session, [row for row in breached if row.kind in ADVICE_LINE_KINDS], wording, tz, earlier
    )
    # A case's deadlines (D4, D6, D9-D11) show on the caseload, the team view and the deadline
    # view; they are not emailed.
    outbox.queue_messages(session, alerts, now=now, send_after=now)
    session.commit()
    return len(breached)


def _referral_alerts(session, breached, wording, tz, earlier) -> list[dict]:
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
            alerts.append(_alert(row, leader, subject, body, earlier, referral_id=row.referral_id))
    return alerts


def _callback_alerts(session, breached, wording, tz, earlier) -> list[dict]:
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
            earlier,
        )
        for row in breached
        for leader in leaders
    ]


def alert_made_late(
    session, obligation: Obligation, *, wording, tz: tzinfo, now: datetime, by_reply: bool
) -> int:
    """An advice-line callback counted as breached when it was recorded as made, after its
    due time, and not by the sweep (recorded before the sweep reached it; or a corrected reply
    time, ``lifecycle.remeet``): the line's team leaders are told, as the sweep tells them of
    one not made. Returns how many alerts were queued."""
    earlier = _earlier_alerts(session, [obligation.id])
    subject, body = wording.advice_line_breach_late(
        obligation.advice_contact_id,
        obligation.due_at.astimezone(tz),
        obligation.met_at.astimezone(tz),
        by_reply=by_reply,
    )
    alerts = [
        _alert(obligation, leader, subject, body, earlier) for leader in _leaders(session, "hsb")
    ]
    outbox.queue_messages(session, alerts, now=now, send_after=now)
    return len(alerts)


def _alert(
    row, leader, subject: str, body: str, earlier: dict, *, referral_id: int | None = None
) -> dict:
    # One alert per breach and leader: an obligation breached again after its breach was
    # withdrawn (a callback owed again) is a new breach, told again under the next number.
    told_before = earlier.get((row.id, leader.id), 0)
    key = f"breach:{row.id}:{leader.id}" + (f":{told_before + 1}" if told_before else "")
    return {
        "dedupe_key": key,
        "kind": "breach_alert",
        "channel": "email",
        "recipient": leader.email,
        "subject": subject,
        "body": body,
        "referral_id": referral_id,
        "obligation_id": row.id,
    }


def _earlier_alerts(session, obligation_ids: list[int]) -> dict[tuple[int, int], int]:
    """The highest number of the breach alerts each team leader was already given for each of
    these obligations, by (obligation id, leader id) (the first is 1): none, for almost every
    breach. A key of another shape is passed over."""
    counts: dict[tuple[int, int], int] = {}
    for start in range(0, len(obligation_ids), BATCH):
        chunk = obligation_ids[start : start + BATCH]
        for (key,) in session.execute(
            sa.select(OutboundMessage.dedupe_key).where(
                OutboundMessage.obligation_id.in_(chunk),
                OutboundMessage.kind == "breach_alert",
            )
        ):
            parts = key.split(":")  # breach:{obligation}:{leader}[:{n}]
            if parts[0] != "breach" or len(parts) not in (3, 4):
                continue
            if not all(part.isascii() and part.isdigit() for part in parts[1:]):
                continue
            pair, number = (int(parts[1]), int(parts[2])), int(parts[3]) if len(parts) == 4 else 1
            counts[pair] = max(counts.get(pair, 0), number)
    return counts


WITHDRAWN_KIND = "breach_withdrawn"
TOLD = ("sending", "sent", "delivered")  # 'sending': in doubt, so told to be safe
NOT_SENT = "not sent: the breach was withdrawn"


def _told(status: str, error: str | None) -> bool:
    """Whether the leader may have had the alert: sent, or in doubt (being sent, or failed
    because its sending was interrupted)."""
    return status in TOLD or (status == "failed" and error == outbox.INTERRUPTED)


def recall_alerts(session, obligation: Obligation, *, wording, why: str, now: datetime) -> int:
    """A breach of an advice-line callback taken back (``lifecycle.withdraw``: it was not owed
    after all; ``lifecycle.remeet``: met in time after all): each team leader already told of
    it is told it is withdrawn, once. An alert not yet sent is never sent: failed now, so a
    later breach of the same callback (owed again) is told afresh rather than by the old alert
    (the dispatcher checks the breach still stands too). Returns how many were told."""
    # Every alert of it, locked: a sender claiming one now waits, then finds the breach gone
    # and sends nothing; one it claimed first is 'sending' here, and so recalled.
    alerts = session.execute(
        sa.select(
            OutboundMessage.id,
            OutboundMessage.recipient,
            OutboundMessage.status,
            OutboundMessage.error,
        )
        .where(
            OutboundMessage.obligation_id == obligation.id,
            OutboundMessage.kind == "breach_alert",
        )
        .with_for_update()
    ).all()
    told = [(alert_id, to) for alert_id, to, status, error in alerts if _told(status, error)]
    unsent = [alert_id for alert_id, _, status, _ in alerts if status == "queued"]
    if unsent:
        session.execute(
            sa.update(OutboundMessage)
            .where(OutboundMessage.id.in_(unsent))
            .values(status="failed", error=NOT_SENT, updated_at=now)
            .execution_options(synchronize_session=False)
        )
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
