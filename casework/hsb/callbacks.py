"""D8 callbacks on the advice line: the open callback of a contact, recording a callback made
(spoke, voicemail left, no answer), and the advisors' queue (open callbacks by due time, then new
contacts waiting, oldest first) with the month's D8 breaches, and the open contacts off it.

A callback made (spoke or voicemail left) meets the D8 obligation (after its due time: counted as
breached); no answer leaves it open. Each attempt is an AdviceCallback record; the audit trail
holds when and what happened, never the note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

import sqlalchemy as sa

from casework.audit import Origin, record_event
from casework.db import db, refuse_stale
from casework.errors import NotFound, ValidationError
from casework.hsb.models import CALLBACK_RESULTS, AdviceCallback, AdviceContact
from casework.obligations import breaches, lifecycle
from casework.obligations.models import Obligation

RESULTS = CALLBACK_RESULTS
MEETS = ("spoke", "voicemail_left")
NO_NUMBER = "no_number"  # nobody can be called: the callback is withdrawn, never counted
NOTE_LIMIT = 500
ATTEMPT_ACTION = "advice_contact.callback_made"


def called_back_by_email(contact: AdviceContact) -> bool:
    """Whether the contact's callback is a reply by email: an email, or a contact owed a
    callback whose only way to be reached is an email address (a web-form request, or a call
    that was not answered, with no phone number)."""
    if contact.channel == "email":
        return True
    return (
        not contact.phone
        and bool(contact.email)
        and contact.call_outcome != "answered"
        and callback_of(contact) is not None
    )


def no_number_allowed(contact: AdviceContact) -> bool:
    """Whether "No phone number to call" can be recorded: only for a contact with no way to be
    reached (a withheld call), never for one whose reply by email is its callback."""
    return not contact.phone and not called_back_by_email(contact)


def _no_number_recorded(session, contact_ids: list[int]) -> set[int]:
    """Of these contacts, those on which "No phone number to call" was recorded."""
    return set(
        session.scalars(
            sa.select(AdviceCallback.contact_id).where(
                AdviceCallback.contact_id.in_(contact_ids), AdviceCallback.result == NO_NUMBER
            )
        )
    )


def _withdrawn_for_no_number(contact: AdviceContact, recorded: bool) -> bool:
    """ "No phone number to call" was recorded and still stands for what happened: the call
    was not reported answered since."""
    return recorded and contact.call_outcome != "answered"


def _nobody(contact: AdviceContact, recorded: bool) -> bool:
    return _withdrawn_for_no_number(contact, recorded) and no_number_allowed(contact)


def nobody_to_call(session, contact: AdviceContact) -> bool:
    """Whether "No phone number to call" was recorded on the contact and it still cannot be
    reached: nobody could be, so there is no advice to record before closing it. A number or
    email address added since means they can be after all; a call reported answered since
    means someone was spoken to."""
    return _nobody(contact, contact.id in _no_number_recorded(session, [contact.id]))


def reinstate_if_reachable(session, contact: AdviceContact) -> bool:
    """A contact whose callback was withdrawn for "No phone number to call" and which can now
    be reached (a number or email address added to its details) owes that callback again,
    from its first due time: overdue, it is breached by the next sweep and counted. True when
    it was reinstated."""
    callback = callback_of(contact)
    if callback is None or callback.status != "cancelled" or no_number_allowed(contact):
        return False
    if not _withdrawn_for_no_number(
        contact, contact.id in _no_number_recorded(session, [contact.id])
    ):
        return False
    lifecycle.reinstate(session, callback)
    return True


def open_callback(contact: AdviceContact) -> Obligation | None:
    """The contact's D8 callback still owed (due, or breached and not yet made)."""
    return next(
        (
            o
            for o in contact.obligations
            if o.kind == "callback" and o.met_at is None and o.status != "cancelled"
        ),
        None,
    )


def meet_by_reply(
    session,
    contact: AdviceContact,
    replied_at: datetime,
    previous: datetime | None = None,
    *,
    wording=None,
    tz: tzinfo | None = None,
    now: datetime | None = None,
) -> bool:
    """An email (or a request with an email address alone) is called back by replying to it:
    the reply meets its D8 callback (after its due time: counted as breached). A corrected
    reply time (``previous``: the time it replaces) moves a callback that the earlier reply
    met, and whether it was in time: moved back in time, its breach is taken back and the team
    leaders told of it are told again; moved past its due time, they are told it was missed
    (``wording``, ``tz``, ``now``: needed with ``previous``). False when there was nothing to
    meet or move."""
    callback = callback_of(contact) if called_back_by_email(contact) else None
    if callback is not None:
        lifecycle.lock(session, callback)
    if callback is None or callback.status == "cancelled":
        return False
    was_breached = callback.status == "breached"
    if callback.met_at is None:
        met = lifecycle.meet(session, callback, replied_at, late=replied_at > callback.due_at)
    elif previous is None or callback.met_at != previous or replied_at == previous:
        return False  # met by a call, or by this same reply
    else:
        met = True
        if lifecycle.remeet(session, callback, replied_at):
            breaches.recall_alerts(session, callback, wording=wording, why="corrected", now=now)
    if wording is not None:
        _alert_if_made_late(
            session, callback, was_breached, wording=wording, tz=tz, now=now, by_reply=True
        )
    return met


def _alert_if_made_late(session, callback: Obligation, was_breached: bool, **alerting) -> None:
    """A callback just counted as breached by the time it was made (after its due time, and
    the sweep had not yet counted it): the team leaders are told, as of one missed."""
    if not was_breached and callback.status == "breached":
        breaches.alert_made_late(session, callback, **alerting)


def callback_of(contact: AdviceContact) -> Obligation | None:
    """The contact's D8 callback, made or not."""
    return next((o for o in contact.obligations if o.kind == "callback"), None)


def attempts(session, contact_id: int) -> list[dict]:
    """The callbacks recorded on a contact, oldest first: when, what happened, the note."""
    rows = session.scalars(
        sa.select(AdviceCallback)
        .where(AdviceCallback.contact_id == contact_id)
        .order_by(AdviceCallback.made_at, AdviceCallback.id)
    )
    return [
        {
            "made_at": row.made_at,
            "result": row.result,
            "note": row.note,
            "by": row.made_by.name if row.made_by is not None else None,
        }
        for row in rows
    ]


def _changed_meanwhile() -> ValidationError:
    return ValidationError(
        {
            "": "Someone else changed this contact while you were recording the callback. "
            "Check the page and record it again."
        }
    )


@refuse_stale(_changed_meanwhile)
def record_callback(
    session,
    contact_id: int,
    *,
    made_at: datetime | None,
    result: str | None,
    note: str | None,
    version: int | None,
    actor,
    wording,
    tz: tzinfo,
    origin: Origin,
    now: datetime,
) -> tuple[AdviceContact, bool]:
    """Record a callback made to the professional; returns the contact and whether the D8
    callback is now met. "No phone number to call" (``no_number_allowed``) withdraws the
    callback, so it is neither owed nor counted (the team leaders told it was missed are told
    again, in ``wording``); one made after its due time, before the sweep counted it missed,
    is counted and they are told (times in ``tz``). Refused, changing nothing, when no
    callback is owed, the form was stale (someone else changed the contact since), the time is
    in the future or before the contact arrived, or the result is missing or is "no number"
    where it is not allowed."""
    contact = session.get(AdviceContact, contact_id)
    if contact is None:
        raise NotFound(contact_id)
    errors: dict[str, str] = {}
    if version is None or version != contact.version:
        errors.update(_changed_meanwhile().errors)
    owed = open_callback(contact)
    if owed is not None:  # told missed once: by the sweep, or as made late here
        lifecycle.lock(session, owed)
    if owed is None:
        errors[""] = "No callback is owed on this contact, so there is none to record"
    elif result not in RESULTS:
        errors["result"] = "Select what happened when you called back"
    elif result == NO_NUMBER and not no_number_allowed(contact):
        errors["result"] = (
            "They gave a phone number: call it, then record what happened"
            if contact.phone
            else "Reply by email: when email is the way to reach them, the reply is the callback"
        )
    if made_at is None:
        errors["made_at"] = "Enter the date and time you called back"
    elif made_at > now:
        errors["made_at"] = "The time you called back must be now or in the past"
    elif made_at < contact.received_minute:
        errors["made_at"] = "The callback cannot be before the contact came in"
    note = (note or "").strip() or None
    if note and len(note) > NOTE_LIMIT:
        errors["note"] = f"The note must be {NOTE_LIMIT} characters or fewer"
    if errors:
        raise ValidationError(errors)
    met = False
    if result in MEETS:
        was_breached = owed.status == "breached"
        met = lifecycle.meet(session, owed, made_at, late=made_at > owed.due_at)
        _alert_if_made_late(
            session, owed, was_breached, wording=wording, tz=tz, now=now, by_reply=False
        )
    elif result == NO_NUMBER and lifecycle.withdraw(session, owed):
        breaches.recall_alerts(session, owed, wording=wording, why=NO_NUMBER, now=now)
    session.add(
        AdviceCallback(
            contact_id=contact.id,
            made_at=made_at,
            result=result,
            note=note,
            made_by_id=getattr(actor, "id", None),
            created_at=now,
        )
    )
    contact.version += 1
    contact.updated_at = now
    if contact.status == "new" and result != "no_answer":  # seen to: off the queue
        contact.status = "in_progress"
    record_event(
        session,
        action=ATTEMPT_ACTION,
        origin=origin,
        actor=actor,
        record_type="advice_contact",
        record_id=contact.id,
        detail={"made_at": made_at.isoformat(), "result": result, "met": met},
        at=now,
    )
    session.commit()
    return contact, met


# --- the advisors' queue ---------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    """One row of the queue: a contact and the callback it is owed (None: new, none owed)."""

    contact: AdviceContact
    callback: Obligation | None


def _waiting():
    """The queue's condition: a callback owed, or new with none owed (a withdrawn one, an
    answered call's, never was)."""
    owed = sa.and_(
        Obligation.advice_contact_id == AdviceContact.id,
        Obligation.kind == "callback",
        Obligation.met_at.is_(None),
        Obligation.status != "cancelled",
    )
    has_callback = sa.exists().where(
        Obligation.advice_contact_id == AdviceContact.id,
        Obligation.kind == "callback",
        Obligation.status != "cancelled",
    )
    waiting = sa.or_(
        sa.exists().where(owed),
        sa.and_(AdviceContact.status == "new", sa.not_(has_callback)),
    )
    return owed, waiting


def _queue_rows_query():
    owed, waiting = _waiting()
    due = sa.select(sa.func.min(Obligation.due_at)).where(owed).scalar_subquery()
    return (
        sa.select(AdviceContact)
        .where(waiting, AdviceContact.anonymised_at.is_(None))
        .order_by(
            sa.case((due.is_(None), 1), else_=0),
            due,
            AdviceContact.received_at,
            AdviceContact.id,
        )
    )


def queue_page(*, page: int, per_page: int):
    """One page of the advisors' queue: contacts owed a callback, soonest due (so overdue)
    first, then new contacts without a callback, oldest first. Each item is a QueueRow."""
    found = db.paginate(_queue_rows_query(), page=page, per_page=per_page, error_out=False)
    found.items = [QueueRow(c, open_callback(c)) for c in found.items]
    return found


# --- open contacts off the queue --------------------------------------------------------------

ADVICE_TO_RECORD = "Record the advice"
OUTCOME_TO_DECIDE = "Decide the outcome, or close it"
NOBODY_TO_CALL = "Nobody to call: close it"


@dataclass(frozen=True)
class OpenRow:
    """An open contact off the queue (no callback owed, not waiting as new) and what is left."""

    contact: AdviceContact
    left: str


def _open_off_queue_query():
    _owed, waiting = _waiting()
    return sa.select(AdviceContact).where(
        AdviceContact.status != "closed",
        AdviceContact.anonymised_at.is_(None),
        sa.not_(waiting),
    )


def open_off_queue_count(session) -> int:
    """How many open contacts are off the queue: the queue page says so and links to them."""
    query = _open_off_queue_query().subquery()
    return session.scalar(sa.select(sa.func.count()).select_from(query))


def open_off_queue_page(session, *, page: int, per_page: int):
    """One page of the open contacts off the queue, oldest first: a callback made and no advice
    recorded yet, advice recorded with no outcome, or nobody to call. Without this list they
    would stay open and be found by no one. Each item is an OpenRow."""
    query = _open_off_queue_query().order_by(AdviceContact.received_at, AdviceContact.id)
    found = db.paginate(query, page=page, per_page=per_page, error_out=False)
    no_number = _no_number_recorded(session, [c.id for c in found.items])
    found.items = [OpenRow(c, _left(c, _nobody(c, c.id in no_number))) for c in found.items]
    return found


def _left(contact: AdviceContact, no_number: bool) -> str:
    if contact.advised_at is not None:
        return OUTCOME_TO_DECIDE
    return NOBODY_TO_CALL if no_number else ADVICE_TO_RECORD


def breaches_this_month(session, now: datetime, calendar) -> int:
    """D8 callbacks breached (due) in the current calendar month, on the line's clock."""
    local = now.astimezone(calendar.tz)
    start_local = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    start = start_local.astimezone(now.tzinfo)
    return session.scalar(
        sa.select(sa.func.count())
        .select_from(Obligation)
        .where(
            Obligation.advice_contact_id.is_not(None),
            Obligation.kind == "callback",
            sa.or_(
                Obligation.status == "breached",
                sa.and_(Obligation.status == "due", Obligation.due_at < now),
            ),
            Obligation.due_at >= start,
            Obligation.due_at <= now,
        )
    )


@dataclass(frozen=True)
class QueueView:
    """The advisors' queue page: one page of rows, the D8 breaches this month, and how many
    open contacts are off the queue."""

    page: object
    breaches_this_month: int
    open_off_queue: int


def queue_view(session, *, now: datetime, calendar, page: int, per_page: int) -> QueueView:
    """What the advisors' queue shows."""
    return QueueView(
        queue_page(page=page, per_page=per_page),
        breaches_this_month(session, now, calendar),
        open_off_queue_count(session),
    )
