"""Ranking caseworkers for a referral, with the reasons (spec 3.7; DESIGN.md Triage rules).

The team leader sees the ranking and why, and decides: this only suggests.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CaseworkerProfile:
    """What allocation knows of a caseworker: specialisms, caseload, area, gender, languages."""

    id: int
    name: str
    specialisms: frozenset[str] = frozenset()
    open_caseload: int = 0
    npa: str | None = None
    gender: str | None = None
    languages: frozenset[str] = frozenset()
    vetting_received: bool = True


@dataclass(frozen=True)
class AllocationNeeds:
    """What the referral asks of a caseworker."""

    specialisms: tuple[str, ...] = ()
    npa: str | None = None
    preferred_gender: str | None = None
    preferred_language: str | None = None
    # The person is a child or a vulnerable adult: only staff whose vetting is received
    # may work with them (spec 12).
    needs_vetted_staff: bool = False


@dataclass(frozen=True)
class Suggestion:
    """A caseworker suggested for a referral, with the reasons in words."""

    caseworker_id: int
    name: str
    score: int
    reasons: tuple[str, ...]


SPECIALISM_WORDS = {
    "children_young_people": "children and young people",
    "restorative_justice": "restorative justice",
    "hate_crime": "hate crime",
    "domestic_abuse": "domestic abuse",
    "sexual_violence": "sexual violence",
    "bereaved": "bereaved by crime",
}


def _same(a: str | None, b: str | None) -> bool:
    return bool(a and b) and a.strip().lower() == b.strip().lower()


def rank_caseworkers(
    needs: AllocationNeeds, caseworkers: list[CaseworkerProfile]
) -> list[Suggestion]:
    """Best first: specialism match, lighter open caseload, same NPA, stated preferences.

    Specialism counts most (3 each), then a preference met (2), the NPA (1); every 5 open
    cases costs a point. Ties go to the lighter caseload, then by name. When the person needs
    vetted staff, workers whose vetting is not received are left out (see :func:`left_out`).
    """
    ranked = []
    for worker in caseworkers:
        if needs.needs_vetted_staff and not worker.vetting_received:
            continue
        score, reasons = 0, []
        for wanted in needs.specialisms:
            if wanted in worker.specialisms:
                score += 3
                reasons.append(f"specialism: {SPECIALISM_WORDS.get(wanted, wanted)}")
        if needs.preferred_gender and _same(worker.gender, needs.preferred_gender):
            score += 2
            reasons.append("matches the victim's preferred gender of worker")
        elif needs.preferred_gender:
            reasons.append("does not match the preferred gender of worker")
        if needs.preferred_language and any(
            _same(lang, needs.preferred_language) for lang in worker.languages
        ):
            score += 2
            reasons.append(f"speaks {needs.preferred_language}")
        if _same(worker.npa, needs.npa):
            score += 1
            reasons.append(f"works in {worker.npa}")
        score -= worker.open_caseload // 5
        reasons.append(f"caseload of {worker.open_caseload} (open cases and referrals)")
        ranked.append(Suggestion(worker.id, worker.name, score, tuple(reasons)))
    load = {w.id: w.open_caseload for w in caseworkers}
    return sorted(ranked, key=lambda s: (-s.score, load[s.caseworker_id], s.name))


def left_out(needs: AllocationNeeds, caseworkers: list[CaseworkerProfile]) -> int:
    """How many caseworkers :func:`rank_caseworkers` leaves out because the person needs vetted
    staff and their vetting is not received (spec 12)."""
    if not needs.needs_vetted_staff:
        return 0
    return sum(1 for worker in caseworkers if not worker.vetting_received)
