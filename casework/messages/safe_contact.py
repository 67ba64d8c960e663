"""How a message to a person may go, read from the person's own safe-contact details: the
channel (triage.contact.contact_channel), when (triage.safe_times.next_safe_moment), and
whether a letter they did not choose is held for a staff decision (DESIGN.md Deadline rules,
safe contact). Used by every automatic message and by messages sent from a case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from casework.cases.records import flagged_domestic_abuse, people_flagged_domestic_abuse
from casework.messages.opt_outs import is_opted_out
from triage import contact as rules
from triage import safe_times


@dataclass(frozen=True)
class SafeDetails:
    """A person's safe-contact answers, with where to reach them."""

    name: str
    mobile_phone: str | None
    email: str | None
    address: str | None
    safe_to_text: bool | None
    safe_to_email: bool | None
    safe_to_post: bool | None
    windows: tuple
    domestic_abuse: bool


def _address(record) -> str | None:
    if not (record.address_line_1 and record.postcode):
        return None
    lines = [
        f"{record.forename} {record.surname}",
        record.address_line_1,
        record.address_line_2,
        record.town,
        record.postcode,
    ]
    return "\n".join(line for line in lines if line)


def safe_details(record, *, domestic_abuse: bool) -> SafeDetails:
    """The safe-contact details of ``record``: the person (not a referral's: what they last
    told us), or a referral standing in for a person not yet linked (it carries the same
    fields). ``domestic_abuse``: whether any of their referrals shows it."""
    return SafeDetails(
        name=f"{record.forename} {record.surname}",
        mobile_phone=record.mobile_phone,
        email=record.email,
        address=_address(record),
        safe_to_text=record.safe_to_text,
        safe_to_email=record.safe_to_email,
        safe_to_post=record.safe_to_post,
        windows=safe_times.from_json(record.safe_windows),
        domestic_abuse=domestic_abuse,
    )


def person_safe_details(session, person, referral=None, *, flagged=None) -> SafeDetails:
    """One person's safe-contact details, asking the database whether any of their referrals
    shows domestic abuse; ``referral`` stands in when there is no person. ``flagged``: the
    answer already asked for a whole batch (``people_flagged_domestic_abuse``)."""
    if person is None:
        return safe_details(referral, domestic_abuse=flagged_domestic_abuse(referral))
    if flagged is None:
        flagged = people_flagged_domestic_abuse(session, [person.id])
    return safe_details(person, domestic_abuse=person.id in flagged)


@dataclass(frozen=True)
class Plan:
    """What to queue: the channel (sms, email or letter; None when no channel is safe), the
    recipient, the status (queued, held or failed), why held or failed, and when it may go."""

    channel: str | None
    recipient: str | None
    status: str
    reason: str | None
    send_after: datetime
    chosen: bool = True


def plan_message(
    session,
    details: SafeDetails,
    asked: str,
    *,
    chosen: bool,
    calendar,
    now: datetime,
    why_letter: str | None = None,
    fall_back_to_post: bool = True,
    opted_out: set[str] | None = None,
) -> Plan:
    """How one message to the person goes: on ``asked`` (sms, email or post) if it is safe,
    else by letter (or not at all without ``fall_back_to_post``); a text or email waits for
    the next moment that is both in service hours and in one of their safe windows (held for
    staff if there is none); a letter they did not choose to someone flagged for domestic
    abuse without safe-to-post recorded as yes is held for a decision. ``opted_out``: the
    numbers that texted STOP, already asked for a whole batch (``opted_out_among``)."""
    stopped = asked == "sms" and (
        is_opted_out(session, details.mobile_phone)
        if opted_out is None
        else details.mobile_phone in opted_out
    )
    choice = rules.contact_channel(
        asked,
        safe_to_text=details.safe_to_text,
        safe_to_email=details.safe_to_email,
        opted_out=stopped,
        chosen=chosen,
        fall_back_to_post=fall_back_to_post,
    )
    opening = calendar.next_service_moment(now)
    if choice.channel is None:
        return Plan(None, None, "refused", choice.reason, opening, False)
    if choice.channel == "post":
        held = rules.letter_hold_reason(
            chosen=choice.chosen,
            domestic_abuse=details.domestic_abuse,
            safe_to_post=details.safe_to_post,
            why_letter=why_letter or choice.reason,
        )
        if not details.address:
            return Plan("letter", None, "failed", "no postal address", opening, choice.chosen)
        status = "held" if held else "queued"
        return Plan("letter", details.address, status, held, opening, choice.chosen)
    recipient = details.mobile_phone if choice.channel == "sms" else details.email
    if not recipient:
        return Plan(choice.channel, None, "failed", "no usable contact details", opening)
    moment = safe_times.next_safe_moment(now, details.windows, calendar)
    if moment is None:
        reason = safe_times.windows_problem(details.windows, calendar.hours) or (
            "No safe time to contact them in the next three weeks"
        )
        return Plan(choice.channel, recipient, "held", reason, opening, choice.chosen)
    return Plan(choice.channel, recipient, "queued", None, moment, choice.chosen)
