"""What follows each contact attempt and the first conversation (DESIGN.md D1b, D3b, D4).

Pure rules: given what has happened, they say what is now met, what new obligation arises and
when it falls due. Nothing here reads a clock, queries or sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

from triage.deadlines import PHONE_METHODS, DueObligation

MIN_GAP = timedelta(hours=2)
MAX_CALLS = 3

PHONE_OUTCOMES = {
    "no_answer": "No answer",
    "voicemail": "Voicemail left",
    "wrong_number": "Wrong number",
    "spoke": "Spoke to them",
    "declined": "Declined support",
}
VISIT_OUTCOMES = {
    "no_answer": "No answer at the door",
    "visited": "Visited",
    "refused": "Refused the visit",
}
CONVERSATION_OUTCOMES = {
    "initial_contact_only": "Initial contact only",
    "further_support": "Further support: needs assessment booked",
    "passed_on": "Passed to a more appropriate service",
    "declined": "Declined support",
    "not_contactable": "Not contactable",
}
FAILED_CALL = {"no_answer", "voicemail", "wrong_number"}
# The first conversation, however it was held, meets the initial-contact obligations. A booked
# web chat is not one of them: it is met only by the chat itself (see held_from).
CONVERSATION_MEETS = (
    "phone_contact",
    "initial_message",
    "home_visit_offer",
    "home_visit",
    "home_visit_second",
)


@dataclass(frozen=True)
class FollowOn:
    """What an attempt leads to: obligations met and a new one (kind, due), if any."""

    meets: tuple[str, ...] = ()
    creates: tuple[DueObligation, ...] = ()
    conversation: bool = False


def attempt_problem(
    channel: str,
    outcome: str,
    at: datetime,
    earlier: list[datetime],
    *,
    safe_to_voicemail: bool | None,
    now: datetime,
    tz: tzinfo = UTC,
    received_at: datetime | None = None,
) -> str | None:
    """Why this attempt cannot be recorded as given, in words for the caseworker, or None.
    Three calls at least 2 hours apart (D1, spec 3.7), none before the referral arrived;
    times are said in ``tz``."""
    outcomes = PHONE_OUTCOMES if channel == "telephone" else VISIT_OUTCOMES
    if outcome not in outcomes:
        return "Select what happened"
    if at > now + timedelta(minutes=5):
        return "The time of the attempt cannot be in the future"
    if received_at is not None and at < received_at:
        arrived = received_at.astimezone(tz)
        return (
            f"The referral arrived at {arrived:%H:%M on %-d %B %Y}: "
            "enter the time of an attempt made since then"
        )
    if channel == "telephone":
        if outcome == "voicemail" and safe_to_voicemail is False:
            return "They said it is not safe to leave a voicemail: do not leave one"
        if len(earlier) >= MAX_CALLS:
            return "Three calls have already been made; the final letter follows"
        close = [previous for previous in earlier if abs(at - previous) < MIN_GAP]
        if close:
            return _call_gap_problem(at, close, tz)
    return None


def _call_gap_problem(at: datetime, close: list[datetime], tz: tzinfo) -> str:
    """Say what to do instead: when the next call may be made, or which call is too near."""
    if all(previous < at for previous in close):
        allowed = (max(close) + MIN_GAP).astimezone(tz)
        when = f"{allowed:%H:%M}"
        if allowed.date() != at.astimezone(tz).date():
            when = f"{allowed:%a %-d %b} at {when}"
        return f"The next call can be made from {when}. Calls must be at least 2 hours apart."
    nearest = min(close, key=lambda previous: abs(at - previous)).astimezone(tz)
    return (
        f"A call was recorded at {nearest:%H:%M} on {nearest:%a %-d %b}: check the time of "
        "this one. Calls must be at least 2 hours apart."
    )


def attempt_channels(contact_method: str, obligation_kinds: list[str]) -> tuple[str, ...]:
    """Which attempts a referral's page offers to record: calls when the person chose a
    telephone or a first call is owed (D1), home visits when they chose in person or a visit
    is owed (D3, D3b). The contact method a person chose is their consent to that channel."""
    channels = []
    if contact_method in PHONE_METHODS or "phone_contact" in obligation_kinds:
        channels.append("telephone")
    if contact_method == "IN_PERSON" or {"home_visit", "home_visit_second"} & set(obligation_kinds):
        channels.append("home_visit")
    return tuple(channels)


def held_from(kind: str, due_at: datetime, booked_at: datetime | None) -> datetime | None:
    """The earliest moment a booked appointment can be recorded as held: a web chat at its
    slot (D5), a needs assessment at the time it was booked for (D4); None when any time will
    do."""
    if kind == "web_chat":
        return due_at
    if kind == "needs_assessment":
        return booked_at
    return None


def after_phone_attempt(outcome: str, failed_before: int, at: datetime, calendar) -> FollowOn:
    """A call was made. Speaking or a refusal ends the first-call obligation; a third failed
    call ends it too and the final letter falls due by close of that service day (D1b)."""
    if outcome in ("spoke", "declined"):
        return FollowOn(meets=("phone_contact",), conversation=outcome == "spoke")
    if failed_before + 1 >= MAX_CALLS:
        return FollowOn(
            meets=("phone_contact",),
            creates=(DueObligation("final_letter", "post", calendar.close_of_service_day_for(at)),),
        )
    return FollowOn()


def after_visit(outcome: str, kind: str, at: datetime, received_on: date, calendar) -> FollowOn:
    """A home visit was tried. If the first finds nobody in, a second visit falls due by close
    of the 10th working day after receipt (D3b); after the second, the final letter."""
    if outcome in ("visited", "refused"):
        return FollowOn(meets=(kind,), conversation=outcome == "visited")
    if kind == "home_visit":
        second = calendar.close_of(calendar.add_working_days(received_on, 10))
        return FollowOn(
            meets=(kind,), creates=(DueObligation("home_visit_second", "in_person", second),)
        )
    return FollowOn(
        meets=(kind,),
        creates=(DueObligation("final_letter", "post", calendar.close_of_service_day_for(at)),),
    )


def needs_assessment_due(conversation_on: date, calendar) -> datetime:
    """Further support: a needs assessment within 5 working days of the conversation (D4)."""
    return calendar.close_of(calendar.add_working_days(conversation_on, 5))


KEY_DATES = {
    "court_date": "Court date",
    "sentencing": "Sentencing",
    "offender_release": "Offender release",
}


def re_engagement_due(event_on: date, calendar) -> datetime:
    """Re-engagement prompt by close of the working day before the event (D9; spec 3.5)."""
    day = event_on - timedelta(days=1)
    while not calendar.is_working_day(day):
        day -= timedelta(days=1)
    return calendar.close_of(day)


def home_visit_time(received_at: datetime, calendar) -> datetime:
    """The specific visit time the D3 offer names, inside 5 working days of the referral:
    an hour after opening on the third working day."""
    day = calendar.add_working_days(calendar.local_date(received_at), 3)
    return calendar.opening_of(day) + timedelta(hours=1)


@dataclass(frozen=True)
class ChannelChoice:
    """The channel a message goes by, whether the person chose it (their consent to it), and,
    when it is not the one asked for, why in words; ``channel`` is None when nothing is safe."""

    channel: str | None
    chosen: bool
    reason: str | None = None


def contact_channel(
    asked: str,
    *,
    safe_to_text: bool | None,
    safe_to_email: bool | None,
    opted_out: bool,
    chosen: bool = True,
    fall_back_to_post: bool = True,
) -> ChannelChoice:
    """The channel a message to the person goes by (DESIGN.md Safe contact): a text only when
    texting is not recorded as unsafe and they have not texted STOP; an email only when email
    is not recorded as unsafe; otherwise a letter instead (``fall_back_to_post``), which is a
    channel they did not choose, or nothing. ``chosen`` says whether ``asked`` is the channel
    the person chose (a final letter after failed calls is not)."""
    reason = None
    if asked == "sms" and safe_to_text is False:
        reason = "They said it is not safe to text them"
    elif asked == "sms" and opted_out:
        reason = "Their number has opted out of texts (STOP)"
    elif asked == "email" and safe_to_email is False:
        reason = "They said it is not safe to email them"
    if reason is None:
        return ChannelChoice(asked, chosen)
    if fall_back_to_post:
        return ChannelChoice("post", False, reason)
    return ChannelChoice(None, False, reason)


def letter_hold_reason(
    *, chosen: bool, domestic_abuse: bool, safe_to_post: bool | None, why_letter: str | None
) -> str | None:
    """Why a letter must wait for a staff decision, or None to post it: a letter on a channel
    the person did not choose goes to the home of someone flagged for domestic abuse only when
    safe-to-post is recorded as yes (DESIGN.md Deadline rules, safe contact)."""
    if chosen or not domestic_abuse or safe_to_post is True:
        return None
    asked = "they said post is not safe" if safe_to_post is False else "safe to post not recorded"
    because = f" ({why_letter})" if why_letter else ""
    return f"Flagged for domestic abuse and {asked}: a letter they did not choose{because}"


def message_channel(channel: str, *, safe_to_text: bool | None, opted_out: bool) -> str:
    """The channel a contact message goes by: a text to someone who said texting is not
    safe, or who texted STOP, goes by post instead (DESIGN.md Safe contact). Kept for callers
    of the SMS rule alone; see :func:`contact_channel`."""
    choice = contact_channel(
        channel, safe_to_text=safe_to_text, safe_to_email=None, opted_out=opted_out
    )
    return choice.channel or "post"
