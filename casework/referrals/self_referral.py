"""A victim refers themselves on the public form (spec 3.1, 3.6), with a secure web chat slot if
they want one (D5).
"""

from __future__ import annotations

import re
from datetime import datetime

from casework.audit import Origin
from casework.db import made_by_key, made_once, submission_key
from casework.errors import ValidationError
from casework.referrals.intake import NewReferral, store_referrals
from casework.referrals.models import Referral
from casework.referrals.victim_details import (
    SELF_METHODS,
    VictimDetails,
    check_victim,
)
from triage.deadlines import webchat_slots

WEBCHAT_GONE = "That web chat time has gone. Choose a later time, or choose No thanks"


def available_webchat_slots(calendar, now: datetime) -> list[datetime]:
    """The secure web chat slots the form may offer now (D5)."""
    return webchat_slots(now, calendar)


def submit_self_referral(
    session,
    victim: VictimDetails,
    *,
    submission_token: str,
    webchat_at: datetime | None,
    calendar,
    now: datetime,
    origin: Origin,
) -> Referral:
    """Accept a self-referral and return it. Submitting the same form twice (same token)
    creates one referral and returns it again, marked ``sent_before``."""
    token = (submission_token or "").strip()
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", token):
        raise ValidationError({"": "This form has expired. Reload the page and try again."})
    dedupe_key = submission_key("self", token)
    if (earlier := made_by_key(session, Referral.dedupe_key, dedupe_key)) is not None:
        return earlier
    clean = check_victim(victim, SELF_METHODS, calendar.local_date(now))
    if webchat_at is not None and webchat_at not in set(webchat_slots(now, calendar)):
        raise ValidationError({"webchat_at": WEBCHAT_GONE})
    item = NewReferral(source="self", dedupe_key=dedupe_key, webchat_at=webchat_at, **clean)

    def store() -> Referral:
        [referral_id] = store_referrals(
            session, [item], received_at=now, calendar=calendar, origin=origin, now=now
        )
        session.commit()
        return session.get(Referral, referral_id)

    # Two sends at the same moment (a double click): the second returns the first's referral.
    return made_once(session, Referral.dedupe_key, dedupe_key, store)
