"""Closing a case, pure: its reasons, and what must be done before it may close (issue 13 part
6; DESIGN.md D6 "before closure").

A case that has a needs assessment is reassessed before it closes, so distance travelled can be
measured, unless the reason makes that impossible; a case never assessed closes without one.
Every action of its support plan is settled first (done, or no longer needed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

CLOSURE_REASONS = {
    "support_complete": "Support complete",
    "declined": "Declined further support",
    "not_contactable": "Not contactable",
    "moved_away": "Moved away",
    "passed_on": "Passed to another service",
    "died": "Died",
    "other": "Other (give the reason in words)",
}

# Reasons that make a closing reassessment impossible: the person is not there to be assessed.
NO_REASSESSMENT_POSSIBLE = frozenset(
    {"declined", "not_contactable", "moved_away", "passed_on", "died"}
)

# A closing reassessment is one held no more than this long before the case closes.
CLOSING_REASSESSMENT_WITHIN = timedelta(days=28)

# Plan action statuses that count as settled.
SETTLED_ACTION_STATUSES = frozenset({"done", "not_needed"})


@dataclass(frozen=True)
class HeldAssessment:
    """A complete needs assessment of the case: when it was held, and whether it was the first."""

    held_on: date
    first: bool


def reassessment_required(reason: str, assessments: Iterable[HeldAssessment]) -> bool:
    """Whether closing for ``reason`` needs a reassessment: the case has been assessed and the
    reason does not make one impossible."""
    return reason not in NO_REASSESSMENT_POSSIBLE and any(True for _ in assessments)


def closing_reassessment_held(assessments: Iterable[HeldAssessment], today: date) -> bool:
    """Whether a reassessment (a complete assessment after the first) was held in the
    ``CLOSING_REASSESSMENT_WITHIN`` before ``today``."""
    return any(
        not a.first and today - CLOSING_REASSESSMENT_WITHIN <= a.held_on <= today
        for a in assessments
    )


def closure_problems(
    reason: str,
    words: str,
    assessments: list[HeldAssessment],
    open_action_count: int,
    today: date,
) -> dict[str, str]:
    """Why the case may not close now, by form field (empty when it may)."""
    problems: dict[str, str] = {}
    words = (words or "").strip()
    if reason not in CLOSURE_REASONS:
        problems["reason"] = "Choose the reason for closing the case"
    elif reason == "other" and not words:
        problems["words"] = "Give the reason for closing the case in words"
    elif len(words) > 500:
        problems["words"] = "The reason must be 500 characters or fewer"
    if (
        reason in CLOSURE_REASONS
        and reassessment_required(reason, assessments)
        and not closing_reassessment_held(assessments, today)
    ):
        problems["reason"] = (
            "Hold a reassessment before closing: this case has a needs assessment, so a "
            "reassessment in the 28 days before closure is needed to measure distance travelled"
        )
    if open_action_count:
        problems["actions"] = (
            f"Settle the support plan's {open_action_count} open "
            f"action{'s' if open_action_count != 1 else ''} first (done, or no longer needed)"
        )
    return problems
