"""The messages the contact deadlines ask for: the D2 initial message, the D3 home-visit offer
and the D1b final letter, each queued once, on the channel the person chose and may safely be
reached on."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from casework.cases.records import people_flagged_domestic_abuse
from casework.contact.models import ContactAttempt
from casework.messages import outbox
from casework.messages.models import LetterTemplate, OutboundMessage
from casework.messages.opt_outs import opted_out_among
from casework.messages.safe_contact import person_safe_details, plan_message
from casework.obligations.models import MESSAGE_KINDS, Obligation
from casework.referrals.models import Referral
from triage import contact as rules

BATCH = 500
FINAL_LETTER_WHY = "the final letter after attempts to contact them failed"


def _letter_templates(session, defaults: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """Each letter's wording: an administrator's edit, or the default."""
    edited = {t.kind: (t.title, t.body) for t in session.scalars(sa.select(LetterTemplate))}
    return {**defaults, **edited}


# Asked every minute, so built once: building a statement costs more than running it.
_OWED_A_MESSAGE = (
    sa.select(Obligation)
    .where(
        # Literal kinds, so SQLite can use the partial index ix_obligation_message_unmet
        # (casework/referral.py lists the same kinds; tests/integration/test_sweep_plans.py).
        Obligation.kind.in_(
            sa.bindparam("message_kinds", MESSAGE_KINDS, expanding=True, literal_execute=True)
        ),
        Obligation.met_at.is_(None),
        Obligation.status.in_(("due", "breached")),
        ~sa.exists().where(OutboundMessage.obligation_id == Obligation.id),
    )
    .options(selectinload(Obligation.referral).selectinload(Referral.person))
    .limit(BATCH)
)

# Booking the home visit an offer proposes, for a whole batch of offers in one statement.
_OBLIGATION = Obligation.__table__.c
_BOOK_VISIT = (
    sa.update(Obligation.__table__)
    .where(
        _OBLIGATION.referral_id == sa.bindparam("owner"),
        _OBLIGATION.kind == "home_visit",
        _OBLIGATION.booked_at.is_(None),
    )
    .values(booked_at=sa.bindparam("visit"))
)


def queue_contact_messages(
    session, *, wording, calendar, default_letters: dict[str, tuple[str, str]], now: datetime
) -> int:
    """Queue the D2 initial message, the D3 home-visit offer and the D1b final letter for
    every open obligation that has none yet, on a channel that is safe for the person, to go
    at the next moment inside service hours and their safe times; a letter they did not
    choose to someone flagged for domestic abuse is held for a staff decision."""
    rows = session.scalars(_OWED_A_MESSAGE).all()
    templates = _letter_templates(session, default_letters) if rows else {}
    # A domestic-abuse flag on any of the person's referrals counts, asked once for the batch.
    flagged = people_flagged_domestic_abuse(session, [o.referral.person_id for o in rows])
    details_of = {
        o.id: person_safe_details(session, o.referral.person, o.referral, flagged=flagged)
        for o in rows
    }
    # The numbers among them that texted STOP, asked once for the batch too.
    opted_out = opted_out_among(
        session, [details_of[o.id].mobile_phone for o in rows if o.channel == "sms"]
    )
    batch: list[dict] = []
    visits: list[dict] = []
    for obligation in rows:
        referral = obligation.referral
        values = {"forename": referral.forename, "reference": referral.reference}
        if obligation.kind == "home_visit_offer":
            visit = rules.home_visit_time(referral.received_at, calendar)
            values["visit_time"] = f"{visit.astimezone(calendar.tz):%A %-d %B at %-I%p}"
            visits.append({"owner": referral.id, "visit": visit})
        if obligation.kind == "final_letter":
            calls = session.scalar(
                sa.select(sa.func.count())
                .select_from(ContactAttempt)
                .where(ContactAttempt.referral_id == referral.id)
            )
            values["attempts"] = f"{calls} time{'s' if calls != 1 else ''}"
        details = details_of[obligation.id]
        # The final letter follows failed calls or visits: a channel they did not choose. So
        # is a letter offering a home visit to someone who chose to be seen in person.
        chosen = obligation.kind == "initial_message" or (
            obligation.kind == "home_visit_offer" and obligation.channel != "post"
        )
        why = FINAL_LETTER_WHY if obligation.kind == "final_letter" else None
        plan = plan_message(
            session,
            details,
            obligation.channel,
            chosen=chosen,
            calendar=calendar,
            now=now,
            why_letter=why,
            opted_out=opted_out,
        )
        channel = plan.channel
        if channel == "sms":
            body, subject = wording.sms(obligation.kind, **values), None
        elif channel == "email":
            subject, body = wording.email(obligation.kind, **values)
        else:
            subject, body = wording.letter(*templates[obligation.kind], **values)
        batch.append(
            {
                "dedupe_key": f"obligation:{obligation.id}",
                "kind": obligation.kind,
                "channel": channel,
                "recipient": plan.recipient or "-",
                "subject": subject,
                "body": body,
                "referral_id": referral.id,
                "obligation_id": obligation.id,
                "case_id": obligation.case_id or referral.case_id,
                "status": plan.status,
                "error": plan.reason if plan.status == "failed" else None,
                "held_reason": plan.reason if plan.status == "held" else None,
                "send_after": plan.send_after,
                "next_attempt_at": plan.send_after,
            }
        )
    # The home visit each offer proposes is booked, unless one is booked already.
    if visits:
        session.execute(_BOOK_VISIT, visits)
    # One insert for the lot; a message another sweep queued meanwhile is skipped by its key.
    outbox.queue_messages(session, batch, now=now, send_after=now)
    session.commit()
    return len(batch)
