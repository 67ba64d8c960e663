"""Priority band and its reasons: the Victims' Code enhanced entitlement (DESIGN.md Triage rules).

A referral is ``enhanced`` (telephone within 24 hours, top of the queue) when it shows any
enhanced-entitlement category; every category found is given as a reason in plain words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

ENHANCED = "enhanced"
STANDARD = "standard"

POLICE_FLAGS = frozenset(
    {
        "DOMESTIC_ABUSE",
        "HATE_CRIME",
        "SEXUAL_OFFENCE",
        "TERRORISM",
        "TRAFFICKING",
        "SERIOUS_VIOLENCE",
        "BEREAVED",
        "PERSISTENTLY_TARGETED",
        "VULNERABLE",
        "INTIMIDATED",
        "REPEAT_VICTIM",
        "REFUSED_PHONE",
    }
)

# Flag -> reason, in the words a team leader checks against the Victims' Code.
FLAG_REASONS = {
    "DOMESTIC_ABUSE": "domestic abuse",
    "HATE_CRIME": "hate crime",
    "SEXUAL_OFFENCE": "sexual offence",
    "TERRORISM": "terrorism",
    "TRAFFICKING": "human trafficking",
    "SERIOUS_VIOLENCE": "serious violence with intent",
    "BEREAVED": "bereaved by criminal conduct",
    "PERSISTENTLY_TARGETED": "persistently targeted",
    "REPEAT_VICTIM": "persistently targeted (repeat victim)",
    "VULNERABLE": "vulnerable",
    "INTIMIDATED": "intimidated",
}

# Every police flag in the words staff read on a referral; a flag not known is shown as sent.
FLAG_WORDS = {
    **FLAG_REASONS,
    "REPEAT_VICTIM": "repeat victim",
    "REFUSED_PHONE": "refused contact by phone",
}


def flag_words(flags) -> list[str]:
    """A referral's flags in words, in the order stored: ["domestic abuse", "vulnerable"]."""
    return [FLAG_WORDS.get(flag, flag) for flag in flags or ()]


# Offence wording that shows a most-serious-crime or persistent-targeting category even
# without a flag.
OFFENCE_PATTERNS = [
    (re.compile(r"\b(racially|religiously)[ -]aggravated|\bhate\b", re.I), "hate crime"),
    (re.compile(r"\brape\b|sexual (assault|activity|offence)|indecent", re.I), "sexual offence"),
    (re.compile(r"\bstalking\b|\bharassment\b", re.I), "persistently targeted"),
    (re.compile(r"attempted murder", re.I), "attempted murder"),
    (re.compile(r"\bkidnap", re.I), "kidnap"),
    (re.compile(r"false imprisonment", re.I), "false imprisonment"),
    (re.compile(r"arson with intent", re.I), "arson with intent to endanger life"),
    (
        re.compile(r"(wounding|grievous bodily harm).*with intent|section 18", re.I),
        "wounding or grievous bodily harm with intent",
    ),
    (re.compile(r"traffick|modern slavery", re.I), "human trafficking"),
    (re.compile(r"controlling or coercive|domestic", re.I), "domestic abuse"),
]

INTIMIDATED_BY_DEFAULT = {"sexual offence", "domestic abuse"}

PATHWAYS = {"sexual offence": "sexual_violence", "domestic abuse": "domestic_abuse"}


@dataclass(frozen=True)
class ReferralFacts:
    """What triage needs to know about a referral; plain values only."""

    offence: str = ""
    flags: frozenset[str] = frozenset()
    date_of_birth: date | None = None
    occurred_on: date | None = None
    received_on: date | None = None
    opted_out_of_intimidated: bool = False
    raised_reason: str | None = None


@dataclass(frozen=True)
class Priority:
    """The band, every reason for it, a risk score to order within a band, and routing."""

    band: str
    reasons: tuple[str, ...]
    risk_score: int
    pathway: str | None = None
    children_and_young_people: bool = False
    specialisms: tuple[str, ...] = field(default=())


def age_on(date_of_birth: date, day: date) -> int:
    """Whole years of age on ``day``."""
    years = day.year - date_of_birth.year
    if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


@lru_cache(maxsize=4096)
def category_reasons(offence: str, flags: frozenset[str]) -> tuple[str, ...]:
    """The enhanced-entitlement categories shown by the police flags and the offence wording."""
    reasons: list[str] = []
    for flag in sorted(flags):
        reason = FLAG_REASONS.get(flag)
        if reason and reason not in reasons:
            reasons.append(reason)
    for pattern, reason in OFFENCE_PATTERNS:
        if reason not in reasons and pattern.search(offence):
            reasons.append(reason)
    return tuple(reasons)


def assess_priority(facts: ReferralFacts) -> Priority:
    """Enhanced or standard, with every reason (Victims' Code; spec 3.7 'enhance the offer').

    Under-18s at the time of the offence are vulnerable and go to the children and young
    people's provision; sexual violence and domestic abuse are suggested for the specialist
    pathway. A team leader's raise, with its reason, makes any referral enhanced.
    """
    under_18 = False
    if facts.date_of_birth:
        on = facts.occurred_on or facts.received_on
        under_18 = bool(on) and age_on(facts.date_of_birth, on) < 18
    return _priority(
        facts.offence or "",
        facts.flags,
        under_18,
        facts.opted_out_of_intimidated,
        facts.raised_reason,
    )


@lru_cache(maxsize=8192)
def _priority(
    offence: str, flags: frozenset[str], under_18: bool, opted_out: bool, raised_reason: str | None
) -> Priority:
    """The priority for one combination of facts; many referrals share one (a daily download
    repeats the same offences and flags), so each is worked out once."""
    reasons = list(category_reasons(offence, flags))

    def add(reason: str) -> None:
        if reason not in reasons:
            reasons.append(reason)

    if under_18:
        add("under 18")
    if not opted_out and any(r in INTIMIDATED_BY_DEFAULT for r in reasons):
        add("intimidated")
    if raised_reason:
        add(f"raised by team leader: {raised_reason}")

    pathway = next((PATHWAYS[r] for r in reasons if r in PATHWAYS), None)
    specialisms = []
    if under_18:
        specialisms.append("children_young_people")
    if "hate crime" in reasons:
        specialisms.append("hate_crime")
    if pathway:
        specialisms.append(pathway)
    if "bereaved by criminal conduct" in reasons:
        specialisms.append("bereaved")
    band = ENHANCED if reasons else STANDARD
    # Risk orders referrals within a band: more categories, and vulnerability, rank higher.
    risk = len(reasons) + 2 * (under_18 or "vulnerable" in reasons)
    return Priority(
        band=band,
        reasons=tuple(reasons),
        risk_score=risk,
        pathway=pathway,
        children_and_young_people=under_18,
        specialisms=tuple(specialisms),
    )
