"""The closure gate (issue 13 part 6; DESIGN.md D6 "before closure"): every reason, assessed
or never assessed, a reassessment held inside or outside the 28 days, open plan actions."""

from datetime import date, timedelta

import pytest

from triage.closure import (
    CLOSURE_REASONS,
    NO_REASSESSMENT_POSSIBLE,
    HeldAssessment,
    closing_reassessment_held,
    closure_problems,
    reassessment_required,
)

TODAY = date(2026, 10, 25)  # the Sunday the clocks go back
FIRST = HeldAssessment(held_on=date(2026, 5, 1), first=True)


def words_for(reason):
    return "Moved to live with family abroad" if reason == "other" else ""


def reassessed(days_before: int) -> list[HeldAssessment]:
    return [FIRST, HeldAssessment(held_on=TODAY - timedelta(days=days_before), first=False)]


HISTORIES = {
    "never assessed": [],
    "assessed, never reassessed": [FIRST],
    "reassessed today": reassessed(0),
    "reassessed 28 days ago": reassessed(28),
    "reassessed 29 days ago": reassessed(29),
}
HELD_IN_TIME = {"reassessed today", "reassessed 28 days ago"}


@pytest.mark.parametrize("reason", sorted(CLOSURE_REASONS))
@pytest.mark.parametrize("history", sorted(HISTORIES))
@pytest.mark.parametrize("open_actions", [0, 1, 3])
def test_the_gate_for_every_reason_history_and_open_actions(reason, history, open_actions):
    problems = closure_problems(reason, words_for(reason), HISTORIES[history], open_actions, TODAY)
    needs_reassessment = (
        history != "never assessed"
        and reason not in NO_REASSESSMENT_POSSIBLE
        and history not in HELD_IN_TIME
    )
    assert ("reason" in problems) == needs_reassessment
    if needs_reassessment:
        assert "Hold a reassessment before closing" in problems["reason"]
    assert ("actions" in problems) == bool(open_actions)
    if open_actions:
        plural = "action" if open_actions == 1 else "actions"
        assert f"{open_actions} open {plural}" in problems["actions"]
    assert "words" not in problems


@pytest.mark.parametrize("words", ["", "   ", None])
def test_other_needs_words(words):
    assert closure_problems("other", words, [], 0, TODAY) == {
        "words": "Give the reason for closing the case in words"
    }


def test_words_over_500_characters_are_refused():
    assert "words" in closure_problems("declined", "x" * 501, [], 0, TODAY)
    assert closure_problems("declined", "x" * 500, [], 0, TODAY) == {}


@pytest.mark.parametrize("reason", ["", "closed", "OTHER", None])
def test_an_unknown_reason_is_refused(reason):
    assert closure_problems(reason, "", [FIRST], 0, TODAY) == {
        "reason": "Choose the reason for closing the case"
    }


def test_a_first_assessment_held_recently_is_not_a_reassessment():
    recent_first = [HeldAssessment(held_on=TODAY, first=True)]
    assert reassessment_required("support_complete", recent_first)
    assert not closing_reassessment_held(recent_first, TODAY)


def test_a_reassessment_dated_after_today_does_not_count():
    future = [FIRST, HeldAssessment(held_on=TODAY + timedelta(days=1), first=False)]
    assert not closing_reassessment_held(future, TODAY)


@pytest.mark.parametrize(
    "today,held,counts",
    [
        # Across the spring clock change (29 March 2026): 28 calendar days, however many hours.
        (date(2026, 4, 12), date(2026, 3, 15), True),
        (date(2026, 4, 12), date(2026, 3, 14), False),
        # Across the autumn one (25 October 2026).
        (date(2026, 11, 8), date(2026, 10, 11), True),
        (date(2026, 11, 8), date(2026, 10, 10), False),
        # Across a leap day.
        (date(2028, 3, 14), date(2028, 2, 15), True),
        (date(2028, 3, 14), date(2028, 2, 14), False),
    ],
)
def test_the_28_days_count_calendar_days(today, held, counts):
    history = [FIRST, HeldAssessment(held_on=held, first=False)]
    assert closing_reassessment_held(history, today) is counts
    assert ("reason" not in closure_problems("support_complete", "", history, 0, today)) is counts
