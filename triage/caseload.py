"""What a caseload line says about the first call (DESIGN.md D1; spec 3.7): how many calls were
made and when the next may be. Pure: the attempts and ``now`` come in, a decision goes out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from triage.contact import FAILED_CALL, MAX_CALLS, MIN_GAP
from triage.safe_times import next_safe_moment


@dataclass(frozen=True)
class NextCall:
    """When the next first-contact call may be made.

    ``state`` is ``now`` (a call may be made now), ``later`` (from ``at``: calls are at least
    2 hours apart, the service is closed until then, or the person's safe times start then),
    ``no_safe_time`` (their safe times never fall in opening hours: staff decide how to reach
    them), ``no_more`` (three failed calls: the final letter follows) or ``none`` (no first
    call is owed). ``safe_time``: the time given is when their safe times next allow a call;
    ``opening``: it is when the service next opens."""

    state: str
    at: datetime | None = None
    safe_time: bool = False
    opening: bool = False


def next_call(failed_calls: list[datetime], *, call_owed: bool, now: datetime) -> NextCall:
    """Up to three calls at least 2 hours apart while a first call is owed (D1): when the next
    may be made, given the times of the failed calls so far."""
    if not call_owed:
        return NextCall("none")
    if len(failed_calls) >= MAX_CALLS:
        return NextCall("no_more")
    if failed_calls:
        allowed = max(failed_calls) + MIN_GAP
        if allowed > now:
            return NextCall("later", allowed)
    return NextCall("now")


def is_failed_call(channel: str, outcome: str) -> bool:
    """A call that counts towards the three attempts: unanswered, a voicemail, a wrong number."""
    return channel == "telephone" and outcome in FAILED_CALL


def within_safe_times(call: NextCall, windows, calendar, *, now: datetime) -> NextCall:
    """The next call moved into the person's safe times (DESIGN.md safe contact) and the
    service's hours: from the first moment at or after it that is in one of their windows and
    in opening hours. With no windows, from when the service is next open (a caseload read on
    a Saturday evening does not say "now"); when their windows never meet opening hours, no
    time is given."""
    if call.state not in ("now", "later"):
        return call
    earliest = call.at if call.state == "later" else now
    if not windows:
        opens = calendar.next_service_moment(earliest)
        return NextCall("later", opens, opening=True) if opens > earliest else call
    safe = next_safe_moment(earliest, windows, calendar)
    if safe is None:
        return NextCall("no_safe_time")
    if safe > earliest:
        # Said as the service opening when that is all it waited for (their windows were
        # open while the service was shut).
        if safe == calendar.next_service_moment(earliest):
            return NextCall("later", safe, opening=True)
        return NextCall("later", safe, safe_time=True)
    return call
