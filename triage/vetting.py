"""Staff vetting: whether a staff member's vetting has been received on a day, with the reasons
in words, and whether a referral or case needs vetted staff (spec 12 and 15).

Spec 12: nobody works with children or vulnerable adults until their police vetting or
Disclosure and Barring check has been received, and nobody on a barred list provides the
service to them. Spec 15: every member of staff holds NPPV 2, managers NPPV 3. Waypoint counts
vetting as received when the police vetting is of the level the role needs and has not expired,
and an enhanced DBS check with the barred lists is current.

An expiry (or DBS recheck) date is the first day the clearance no longer counts: on that day
it has expired.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from triage.enhanced import age_on

NPPV_LEVELS = {"NPPV2": "NPPV 2", "NPPV3": "NPPV 3"}
# Higher numbers cover lower ones: NPPV 3 meets a need for NPPV 2.
NPPV_RANK = {"NPPV2": 2, "NPPV3": 3}

DBS_LEVELS = {
    "enhanced_barred": "Enhanced with barred lists (children and adults)",
    "enhanced": "Enhanced, without barred lists",
    "standard": "Standard",
    "basic": "Basic",
}
DBS_NEEDED = "enhanced_barred"

# Roles that manage staff need NPPV 3 (spec 15 "NPPV 3 for management positions").
MANAGER_ROLES = frozenset({"team_leader"})

EXPIRY_WARNING_DAYS = 60


def required_nppv(role: str) -> str:
    """The police vetting level a role needs: NPPV 3 for managers, NPPV 2 for everyone else
    (spec 15)."""
    return "NPPV3" if role in MANAGER_ROLES else "NPPV2"


def format_day(day: date) -> str:
    """A date as a person reads it: 3 March 2026."""
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class VettingFacts:
    """What is recorded of one staff member's vetting; any part may be missing."""

    role: str
    nppv_level: str | None = None
    nppv_granted_on: date | None = None
    nppv_expires_on: date | None = None
    dbs_level: str | None = None
    dbs_issued_on: date | None = None
    dbs_recheck_on: date | None = None


@dataclass(frozen=True)
class VettingStatus:
    """Whether vetting is received on a day, why not (in words), and what expires soon."""

    received: bool
    reasons: tuple[str, ...]
    expiring: tuple[str, ...] = ()


def vetting_status(
    facts: VettingFacts, today: date, *, warn_days: int = EXPIRY_WARNING_DAYS
) -> VettingStatus:
    """Received when the police vetting is of the role's level (or higher), granted on or
    before ``today`` and not expired, and an enhanced DBS check with barred lists was issued on
    or before ``today`` and is not past its recheck date (spec 12 and 15). Reasons say what is
    missing; ``expiring`` says what stops counting within ``warn_days``."""
    reasons: list[str] = []
    expiring: list[str] = []
    needed = required_nppv(facts.role)
    if facts.nppv_level is None or facts.nppv_granted_on is None:
        reasons.append("no police vetting recorded")
    else:
        if NPPV_RANK.get(facts.nppv_level, 0) < NPPV_RANK[needed]:
            reasons.append(
                f"police vetting is {NPPV_LEVELS.get(facts.nppv_level, facts.nppv_level)}; "
                f"a {_role_words(facts.role)} needs {NPPV_LEVELS[needed]}"
            )
        if facts.nppv_granted_on > today:
            reasons.append(
                f"police vetting is not granted until {format_day(facts.nppv_granted_on)}"
            )
        expiry = facts.nppv_expires_on
        if expiry is not None and expiry <= today:
            reasons.append(f"police vetting expired on {format_day(expiry)}")
        elif expiry is not None and (expiry - today).days <= warn_days:
            expiring.append(f"police vetting expires on {format_day(expiry)}")
    if facts.dbs_level is None or facts.dbs_issued_on is None:
        reasons.append("no DBS check recorded")
    else:
        if facts.dbs_level != DBS_NEEDED:
            reasons.append(
                f"the DBS check is {DBS_LEVELS.get(facts.dbs_level, facts.dbs_level).lower()}; "
                "an enhanced check with the barred lists is needed"
            )
        if facts.dbs_issued_on > today:
            reasons.append(f"the DBS check is not issued until {format_day(facts.dbs_issued_on)}")
        recheck = facts.dbs_recheck_on
        if recheck is not None and recheck <= today:
            reasons.append(f"the DBS check lapsed on {format_day(recheck)} (recheck due)")
        elif recheck is not None and (recheck - today).days <= warn_days:
            expiring.append(f"the DBS check is due for a recheck on {format_day(recheck)}")
    return VettingStatus(not reasons, tuple(reasons), tuple(expiring))


def _role_words(role: str) -> str:
    return {"team_leader": "team leader"}.get(role, role.replace("_", " "))


@dataclass(frozen=True)
class PersonFacts:
    """What a referral or case shows of the person, for whether they need vetted staff."""

    date_of_birth: date | None = None
    occurred_on: date | None = None
    under_18_at_offence: bool = False
    flags: frozenset[str] = frozenset()
    priority_reasons: tuple[str, ...] = ()


def vetting_needs(facts: PersonFacts, today: date) -> tuple[str, ...]:
    """Why the person needs vetted staff, in words (empty when they do not): a child (under 18
    today or at the time of the offence) or a vulnerable adult (the Victims' Code vulnerable
    category: mental disorder, significant impairment, physical disability or disorder, as the
    police VULNERABLE flag or the referral's own triage reasons show it). Spec 12."""
    needs: list[str] = []
    under_18 = facts.under_18_at_offence or "under 18" in facts.priority_reasons
    if facts.date_of_birth is not None:
        if age_on(facts.date_of_birth, today) < 18:
            under_18 = True
        if facts.occurred_on is not None and age_on(facts.date_of_birth, facts.occurred_on) < 18:
            under_18 = True
    if under_18:
        needs.append("under 18")
    if "VULNERABLE" in facts.flags or "vulnerable" in facts.priority_reasons:
        needs.append("vulnerable" if under_18 else "a vulnerable adult")
    return tuple(needs)


def expiry_within(facts: VettingFacts, today: date, days: int = EXPIRY_WARNING_DAYS) -> date | None:
    """The soonest of the police vetting expiry and the DBS recheck date that falls on or
    before ``today + days`` (already passed included), or None."""
    dates = [
        d
        for d in (facts.nppv_expires_on, facts.dbs_recheck_on)
        if d is not None and (d - today).days <= days
    ]
    return min(dates) if dates else None
