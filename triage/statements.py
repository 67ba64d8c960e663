"""Victim Personal Statement support's rules, pure (spec 3.8: promotion of and help to make a
Victim Personal Statement for court): offered (and the person's answer), helped to write,
given to court, each on a date, in that order and none in the future."""

from __future__ import annotations

from datetime import date

MAX_COURT = 200


def statement_problems(
    *,
    offered_on: date | None,
    answer: str | None,
    helped_on: date | None,
    given_on: date | None,
    court: str | None,
    today: date,
) -> dict[str, str]:
    """What is wrong with a statement's record, by field (empty when nothing is)."""
    problems: dict[str, str] = {}
    court = (court or "").strip()
    if offered_on is None:
        problems["offered_on"] = "Enter the date help with a statement was offered"
    elif offered_on > today:
        problems["offered_on"] = "The date it was offered cannot be in the future"
    if answer not in ("accepted", "declined"):
        problems["answer"] = "Select whether the person wanted help"
    if helped_on is not None:
        if answer == "declined":
            problems["helped_on"] = (
                "The person did not want help, so no date they were helped can be recorded"
            )
        elif helped_on > today:
            problems["helped_on"] = "The date they were helped cannot be in the future"
        elif offered_on is not None and helped_on < offered_on:
            problems["helped_on"] = "The date they were helped cannot be before it was offered"
    if given_on is not None:
        if helped_on is None:
            problems["given_on"] = "Enter the date they were helped to write it first"
        elif given_on > today:
            problems["given_on"] = "The date it was given to court cannot be in the future"
        elif given_on < helped_on:
            problems["given_on"] = (
                "The date it was given to court cannot be before they were helped"
            )
        if not court:
            problems["court"] = "Enter the court it was given to"
    elif court:
        problems["given_on"] = "Enter the date it was given to court"
    if len(court) > MAX_COURT:
        problems["court"] = f"The court's name must be {MAX_COURT} characters or fewer"
    return problems
