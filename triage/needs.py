"""The needs assessment's rules, pure (DESIGN.md Needs assessment; spec 3.9 and 7).

Nine areas, each scored 1 (in crisis) to 5 (no need); the quarterly return's eight domains are
computed from them; distance travelled is the latest score minus the first (positive is better).
The children and young people's version asks about the same areas in its own words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# The nine areas of spec 3.9, in the order the form asks them.
AREAS = {
    "personal_safety": "Personal safety",
    "mental_health": "Mental health",
    "accommodation": "Shelter and accommodation",
    "drugs_alcohol": "Drugs, alcohol and other harmful behaviours",
    "family": "Family",
    "education_employment": "Education, employment and training",
    "finance": "Finance and benefits",
    "outlook": "Outlook, attitude and beliefs",
    "social": "Social interactions",
}

# The same areas as the children and young people's version asks them.
YOUNG_PERSON_AREAS = {
    "personal_safety": "Feeling safe",
    "mental_health": "How you are feeling inside",
    "accommodation": "Where you live",
    "drugs_alcohol": "Drinking, drugs and things that could hurt you",
    "family": "Family and the people you live with",
    "education_employment": "School, college or work",
    "finance": "Money",
    "outlook": "How you see things and what you hope for",
    "social": "Friends and people you spend time with",
}

# DESIGN.md's scale: 1 in crisis to 5 no need.
SCALE = {
    1: "In crisis (immediate risk or no capacity to cope)",
    2: "Serious need",
    3: "Some need",
    4: "Coping with little help",
    5: "No need",
}
SCALE_SHORT = {1: "In crisis", 2: "Serious need", 3: "Some need", 4: "Coping", 5: "No need"}
LOWEST, HIGHEST = min(SCALE), max(SCALE)

# Who else was present at a children and young people's assessment.
PRESENT = {"parent": "Parent", "carer": "Carer", "school": "School", "other": "Someone else"}

# The quarterly return's eight domains (spec 7), each the mean of its areas (DESIGN.md).
DOMAINS: dict[str, tuple[str, tuple[str, ...]]] = {
    "health": (
        "Mental and physical health (including safety)",
        ("personal_safety", "mental_health"),
    ),
    "accommodation": ("Shelter and accommodation", ("accommodation",)),
    "family": ("Family, friends and children", ("family",)),
    "education": ("Education, skills and employment", ("education_employment",)),
    "social": ("Social interactions", ("social",)),
    "outlook": ("Outlook and attitudes", ("outlook",)),
    "finance": ("Finance and benefits", ("finance",)),
    "drugs_alcohol": ("Drugs and alcohol", ("drugs_alcohol",)),
}


def score_problem(value) -> str | None:
    """Why ``value`` is not a score on the scale, or None when it is (1 to 5, whole numbers)."""
    if isinstance(value, bool):
        return "Choose a score from 1 to 5"
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return "Choose a score from 1 to 5"
    if str(number) != str(value).strip() or not LOWEST <= number <= HIGHEST:
        return "Choose a score from 1 to 5"
    return None


def domain_scores(area_scores: Mapping[str, int | None]) -> dict[str, float | None]:
    """Each domain's score from the areas' (a mean where a domain has two areas); None when any
    of its areas has no score."""
    scores: dict[str, float | None] = {}
    for domain, (_label, areas) in DOMAINS.items():
        found = [area_scores.get(area) for area in areas]
        scores[domain] = None if any(s is None for s in found) else sum(found) / len(found)
    return scores


@dataclass(frozen=True)
class Movement:
    """One area's or domain's first and latest score and the distance travelled between them."""

    key: str
    label: str
    first: float | None
    latest: float | None

    @property
    def change(self) -> float | None:
        """Latest minus first: positive is better; None without both."""
        if self.first is None or self.latest is None:
            return None
        return self.latest - self.first


def area_movements(first: Mapping[str, int | None], latest: Mapping[str, int | None]):
    """Distance travelled per area, first assessment against latest, in the form's order."""
    return [
        Movement(area, label, first.get(area), latest.get(area)) for area, label in AREAS.items()
    ]


def domain_movements(first: Mapping[str, int | None], latest: Mapping[str, int | None]):
    """Distance travelled per reporting domain (spec 7), first assessment against latest."""
    before, after = domain_scores(first), domain_scores(latest)
    return [
        Movement(domain, label, before[domain], after[domain])
        for domain, (label, _areas) in DOMAINS.items()
    ]
