"""Restorative justice: which sensitive categories the police data shows, and whether a
restorative process may go ahead, with what is missing in words (spec 3.10; DESIGN.md Triage
rules, restorative justice).

Restorative contact is victim-initiated and needs an offender who has admitted guilt and accepted
responsibility for the harm. In cases of sexual violence, domestic violence, human trafficking,
stalking, child sexual exploitation and cases resulting in death it goes ahead only in
exceptional circumstances: a recorded justification and an experienced facilitator who holds
the restorative justice specialism, both approved by a team leader (the approval covers the
justification, the categories and the facilitator as they were when it was asked).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

# The sensitive categories (casework.support.models.RJ_SENSITIVE's keys, in its order) in the
# words a sentence uses.
SENSITIVE_WORDS = {
    "sexual_violence": "sexual violence",
    "domestic_violence": "domestic violence",
    "trafficking": "human trafficking",
    "stalking": "stalking",
    "cse": "child sexual exploitation",
    "death": "a case resulting in death",
}

# Police flags (triage.enhanced.POLICE_FLAGS) that say a category applies.
SENSITIVE_FLAGS = {
    "DOMESTIC_ABUSE": "domestic_violence",
    "SEXUAL_OFFENCE": "sexual_violence",
    "TRAFFICKING": "trafficking",
    "BEREAVED": "death",
}

# Offence wording that says a category applies. A sexual offence against a victim under 18 is
# not by itself child sexual exploitation: only the police's own words make it so. Attempted
# murder, a conspiracy or threat to murder, did not result in death.
SENSITIVE_PATTERNS = [
    (re.compile(r"controlling or coercive|\bdomestic", re.I), "domestic_violence"),
    (re.compile(r"\brape\b|\bsexual(ly)?\b|\bindecent", re.I), "sexual_violence"),
    (re.compile(r"traffick|modern slavery|\bslavery\b", re.I), "trafficking"),
    (re.compile(r"\bstalk(ing|ed|er)?\b", re.I), "stalking"),
    (re.compile(r"child sexual exploitation|\bCSE\b", re.I), "cse"),
    (
        re.compile(
            r"(?<!attempted )(?<!attempt to )(?<!conspiracy to )(?<!threats to )"
            r"(?<!threat to )(?<!solicit to )(?<!soliciting )\bmurder\b"
            r"|manslaughter|\bcaus(ing|ed) (the )?death\b|\bdeath by\b",
            re.I,
        ),
        "death",
    ),
]


def _in_order(keys: Iterable[str]) -> tuple[str, ...]:
    found = set(keys)
    return tuple(k for k in SENSITIVE_WORDS if k in found)


def police_sensitive(offences: Iterable[str | None], flags: Iterable[str]) -> tuple[str, ...]:
    """The sensitive categories the police data says apply: from the referrals' flags and the
    offence wording (spec 3.10), in RJ_SENSITIVE order."""
    found = {SENSITIVE_FLAGS[f] for f in flags if f in SENSITIVE_FLAGS}
    for offence in offences:
        for pattern, key in SENSITIVE_PATTERNS:
            if offence and pattern.search(offence):
                found.add(key)
    return _in_order(found)


def combined_sensitive(*recorded: Iterable[str]) -> tuple[str, ...]:
    """Every category recorded anywhere (the police's, those already recorded, those the worker
    declares now), in RJ_SENSITIVE order. Categories are only ever added: a worker may declare
    more, never take one away (least of all one the police said)."""
    return _in_order(k for keys in recorded for k in keys if k in SENSITIVE_WORDS)


@dataclass(frozen=True)
class RestorativeFacts:
    """What the rules need to know about one request for restorative contact."""

    requested_on: date | None
    offender_admitted_guilt: bool
    offender_accepted_responsibility: bool
    sensitive: tuple[str, ...] = ()
    exceptional_justification: str | None = None
    # A team leader approved the exceptional circumstances and the facilitator, as they are
    # recorded now.
    approved: bool = False
    facilitator_chosen: bool = False
    facilitator_experienced: bool = False
    # The facilitator holds the restorative justice specialism (their staff record).
    facilitator_specialist: bool = False


def sensitive_words(sensitive: Iterable[str]) -> str:
    """The categories as a phrase: "domestic violence and stalking"."""
    words = [SENSITIVE_WORDS[k] for k in _in_order(sensitive)]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def missing(facts: RestorativeFacts) -> tuple[str, ...]:
    """What is missing before the restorative process may go ahead, each in words; empty when
    it may (spec 3.10)."""
    found: list[str] = []
    if facts.requested_on is None:
        found.append(
            "The victim has not asked for it: restorative contact must be victim-initiated"
        )
    if not facts.offender_admitted_guilt:
        found.append("The offender has not admitted guilt")
    if not facts.offender_accepted_responsibility:
        found.append("The offender has not accepted responsibility for the harm caused")
    if facts.sensitive:
        because = f"This is a case of {sensitive_words(facts.sensitive)}, so"
        if not (facts.exceptional_justification or "").strip():
            found.append(
                f"{because} it goes ahead only in exceptional circumstances: record why they apply"
            )
        if not facts.facilitator_chosen:
            found.append(
                f"{because} it needs an experienced facilitator with the restorative justice "
                "specialism: choose one before asking for approval"
            )
        else:
            if not facts.facilitator_specialist:
                found.append(
                    f"{because} it needs a facilitator with the restorative justice "
                    "specialism: the one chosen does not hold it"
                )
            if not facts.facilitator_experienced:
                found.append(
                    f"{because} it needs an experienced facilitator: the one chosen is not "
                    "recorded as experienced"
                )
        if not facts.approved:
            found.append(
                f"{because} a team leader must approve the exceptional circumstances and the "
                "facilitator"
            )
    return tuple(found)


def may_go_ahead(facts: RestorativeFacts) -> bool:
    """Whether the restorative process may go ahead (spec 3.10): nothing is missing."""
    return not missing(facts)
