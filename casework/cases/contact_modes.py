"""How each case's person was supported, from the contacts recorded on it, for the quarterly
return's "Support provided" figures (spec section 7; issue "People and cases", part 5).

A case's contacts are the attempts on its referrals that reached the person (a call on which
they spoke, a visit that took place), its notes that record a contact, and its complete needs
assessments (each held by telephone, face to face or web chat; a draft is not support given).
The rules that turn their modes into the figures are pure, in triage.contact_modes.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from casework.assessments.models import NeedsAssessment
from casework.cases.notes_models import CaseNote
from casework.contact.models import ContactAttempt
from casework.referrals.models import Referral
from triage.contact_modes import (
    CONTACT_MADE,
    NO_CONTACT,
    SupportModes,
    support_mode_flags,
    support_modes,
)

CHUNK = 500


@dataclass(frozen=True)
class CaseSupport:
    """The contact modes recorded on one case, and what they make of it: ``category`` as
    triage.contact_modes.support_modes says, ``figures`` the return's three figures."""

    modes: frozenset[str]
    category: str
    figures: SupportModes


def _support(modes: set[str]) -> CaseSupport:
    ordered = sorted(modes)
    return CaseSupport(frozenset(modes), support_modes(ordered), support_mode_flags(ordered))


def support_by_case(session, case_ids: list[int]) -> dict[int, CaseSupport]:
    """Each case's support, in three queries per 500 cases, however many contacts they hold."""
    ids = sorted(set(case_ids))
    modes: dict[int, set[str]] = {case_id: set() for case_id in ids}
    reached = sa.or_(
        *(
            sa.and_(ContactAttempt.channel == channel, ContactAttempt.outcome == outcome)
            for channel, outcome in sorted(CONTACT_MADE)
        )
    )
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        attempts = (
            sa.select(Referral.case_id, ContactAttempt.mode)
            .join(Referral, Referral.id == ContactAttempt.referral_id)
            .where(Referral.case_id.in_(chunk), reached)
            .distinct()
        )
        notes = (
            sa.select(CaseNote.case_id, CaseNote.mode)
            .where(CaseNote.case_id.in_(chunk), CaseNote.mode != NO_CONTACT)
            .distinct()
        )
        assessments = (
            sa.select(NeedsAssessment.case_id, NeedsAssessment.mode)
            .where(NeedsAssessment.case_id.in_(chunk), NeedsAssessment.status == "complete")
            .distinct()
        )
        for query in (attempts, notes, assessments):
            for case_id, mode in session.execute(query):
                modes[case_id].add(mode)
    return {case_id: _support(found) for case_id, found in modes.items()}


def case_support(session, case_id: int) -> CaseSupport:
    """One case's support: phone only, some face to face, some web chat (see support_by_case)."""
    return support_by_case(session, [case_id])[case_id]
