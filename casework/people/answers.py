"""Safe-contact answers and protected characteristics a person gives after their referral (at
the first conversation), checked the way every route checks them and written onto the person.

Only what was answered changes: a question left blank keeps what the person told us before
(for a police referral, "not asked yet").
"""

from __future__ import annotations

from dataclasses import dataclass

from casework.errors import ValidationError
from casework.referrals.victim_details import safe_contact_windows
from triage import equality


@dataclass(frozen=True)
class SafeContactAnswers:
    """Safe to email, safe to post and one safe window, as answered on a form."""

    safe_to_email: bool | None = None
    safe_to_post: bool | None = None
    safe_days: str = ""
    safe_specific_days: tuple[str, ...] = ()
    safe_from: str = ""
    safe_until: str = ""
    safe_times: str = ""


def checked_answers(
    safe: SafeContactAnswers, characteristics: dict[str, str | None]
) -> dict[str, object]:
    """The answers given, by column, leaving out every question left blank; raises
    ValidationError with a message against each wrong field."""
    windows, problems = safe_contact_windows(safe)
    problems = {**problems, **equality.problems(characteristics)}
    if len(safe.safe_times) > 200:
        problems["safe_times"] = "Keep this to 200 characters or fewer"
    if problems:
        raise ValidationError(problems)
    values: dict[str, object] = {
        "safe_to_email": safe.safe_to_email,
        "safe_to_post": safe.safe_to_post,
        "safe_windows": windows or None,
        "safe_times": safe.safe_times.strip() or None,
        **equality.clean(characteristics),
    }
    return {name: value for name, value in values.items() if value is not None}


def apply_answers(records, values: dict[str, object]) -> None:
    """Write the answers onto each record (the person, and the referral being worked)."""
    for record in records:
        for name, value in values.items():
            setattr(record, name, value)
