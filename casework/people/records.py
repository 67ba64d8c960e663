"""People as records: created with the referral that first brings them, merged when a possible
match is confirmed, and unmerged exactly by an admin (DESIGN.md Records)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from casework.access import is_admin
from casework.audit import Origin, record_event
from casework.bulk import Same, bulk_insert
from casework.cases.models import Case
from casework.errors import NotFound, ValidationError
from casework.people.models import PERSON_FIELDS, Person, PersonMerge
from casework.people.name_words import index_names
from casework.referrals.models import Referral


def create_for_new_referrals(session, pairs: Iterable[tuple[int, object]], now: datetime) -> None:
    """A person for each referral that brought someone new: the referral's id is theirs, and
    their details are the ones it gave (``pairs``: referral id and the NewReferral). The words
    of their names go into the search index in the same transaction."""
    pairs = list(pairs)
    bulk_insert(
        session,
        Person.__table__,
        {
            "id": [rid for rid, _ in pairs],
            **{name: [getattr(item, name, None) for _, item in pairs] for name in PERSON_FIELDS},
            "address_needs_checking": [
                bool(getattr(item, "address_needs_checking", False)) for _, item in pairs
            ],
            "merged_into_id": Same(None),
            "created_at": Same(now),
            "updated_at": Same(now),
            "anonymised_at": Same(None),
            "version": Same(1),
        },
    )
    index_names(session, ((rid, item.forename, item.surname) for rid, item in pairs))


def person_ids(session, person_id: int) -> list[int]:
    """A person's id and the ids of everyone merged into them (still merged), so that the
    audit trail's earlier ``person_id`` values find them."""
    ids = [person_id]
    frontier = [person_id]
    while frontier:
        frontier = list(
            session.scalars(sa.select(Person.id).where(Person.merged_into_id.in_(frontier)))
        )
        ids += frontier
    return ids


def merge_people(
    session,
    kept: Person,
    merged: Person,
    *,
    actor,
    origin: Origin,
    now: datetime,
    possible_match_id: int | None = None,
) -> PersonMerge:
    """Make ``merged`` one with ``kept``: their referrals and cases move to ``kept``, and the
    merge records exactly what moved so it can be undone. Refused while both have an open case
    (one must be closed first). The caller commits."""
    if kept.id == merged.id:
        raise ValidationError({"match": "These referrals are already the same person"})
    open_cases = session.scalars(
        sa.select(Case).where(Case.person_id.in_([kept.id, merged.id]), Case.status == "open")
    ).all()
    if len(open_cases) > 1:
        raise ValidationError(
            {
                "match": "Both people have an open case: close one of the cases before "
                "confirming they are the same person"
            }
        )
    referral_ids = list(
        session.scalars(sa.select(Referral.id).where(Referral.person_id == merged.id))
    )
    case_ids = list(session.scalars(sa.select(Case.id).where(Case.person_id == merged.id)))
    session.execute(
        sa.update(Referral)
        .where(Referral.id.in_(referral_ids))
        .values(person_id=kept.id, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        sa.update(Case)
        .where(Case.id.in_(case_ids))
        .values(person_id=kept.id, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    open_case = open_cases[0] if open_cases else None
    if open_case is not None:
        # The person's referrals waiting on the queue join their open case and its caseworker,
        # as when a case opens: joined but left unallocated, one stayed on every team's queue
        # and in their searches, showing the other team's case (found by a walk-through). One
        # held in another team stays that team's to work, out of the case.
        from casework.cases.opening import gather_waiting_referrals

        gather_waiting_referrals(
            session, open_case, opened_from=0, actor=actor, origin=origin, now=now
        )
        # The person's closed referrals outside any case belong to it too, as they were.
        session.execute(
            sa.update(Referral)
            .where(
                Referral.person_id == kept.id,
                Referral.case_id.is_(None),
                Referral.status != "open",
            )
            .values(case_id=open_case.id)
            .execution_options(synchronize_session=False)
        )
    merged.merged_into_id = kept.id
    merged.updated_at = kept.updated_at = now
    merge = PersonMerge(
        kept_person_id=kept.id,
        merged_person_id=merged.id,
        possible_match_id=possible_match_id,
        referral_ids=referral_ids,
        case_ids=case_ids,
        merged_by_id=getattr(actor, "id", None),
        merged_at=now,
    )
    session.add(merge)
    session.flush()
    record_event(
        session,
        action="person.merge",
        actor=actor,
        origin=origin,
        record_type="person",
        record_id=kept.id,
        person_id=kept.id,
        at=now,
        detail={"merged_person_id": merged.id, "referrals": referral_ids, "cases": case_ids},
    )
    session.expire_all()
    return merge


def undo_merge(session, merge_id: int, *, actor, origin: Origin, now: datetime) -> PersonMerge:
    """An admin undoes a merge: exactly the referrals and cases it moved go back to the merged
    person, who stands alone again; the possible match is left to decide afresh."""
    from casework.people.models import PossibleMatch

    merge = session.get(PersonMerge, merge_id)
    if merge is None or not is_admin(actor):
        raise NotFound(merge_id)
    if merge.undone_at is not None:
        raise ValidationError({"merge": "This merge has already been undone"})
    later = session.scalar(
        sa.select(sa.func.count())
        .select_from(PersonMerge)
        .where(
            PersonMerge.merged_person_id == merge.kept_person_id,
            PersonMerge.undone_at.is_(None),
            PersonMerge.id > merge.id,
        )
    )
    if later:
        raise ValidationError(
            {"merge": "The kept person has since been merged into someone else: undo that first"}
        )
    if merge.referral_ids:
        session.execute(
            sa.update(Referral)
            .where(Referral.id.in_(merge.referral_ids))
            .values(person_id=merge.merged_person_id, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    if merge.case_ids:
        session.execute(
            sa.update(Case)
            .where(Case.id.in_(merge.case_ids))
            .values(person_id=merge.merged_person_id, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    # Referrals that attached to the kept person's open case only because of the merge leave it.
    session.execute(
        sa.update(Referral)
        .where(
            Referral.id.in_(merge.referral_ids),
            Referral.case_id.is_not(None),
            Referral.case_id.not_in(merge.case_ids or [0]),
        )
        .values(case_id=None)
        .execution_options(synchronize_session=False)
    )
    # Each referral back with the merged person is a repeat victim again only as it was before
    # the merge: police-flagged, or not that person's first referral.
    moved_back = sa.select(Referral).where(Referral.id.in_(merge.referral_ids))
    for referral in session.scalars(moved_back.execution_options(populate_existing=True)):
        referral.repeat_victim = (
            "REPEAT_VICTIM" in (referral.flags or []) or referral.joins_earlier_person
        )
    merged = session.get(Person, merge.merged_person_id)
    merged.merged_into_id = None
    merged.updated_at = now
    merge.undone_at = now
    merge.undone_by_id = actor.id
    if merge.possible_match_id is not None:
        match = session.get(PossibleMatch, merge.possible_match_id)
        match.status, match.decided_by_id, match.decided_at = "pending", None, None
    record_event(
        session,
        action="person.unmerge",
        actor=actor,
        origin=origin,
        record_type="person",
        record_id=merge.kept_person_id,
        person_id=merge.kept_person_id,
        at=now,
        detail={"merge_id": merge.id, "merged_person_id": merge.merged_person_id},
    )
    session.commit()
    return merge


MERGES_PER_PAGE = 25


def merges_page(session, page: int) -> tuple[list[tuple], int]:
    """Merges newest first, with the kept and merged people and who merged them: a page of
    (merge, kept person, merged person, merged by) and the total, for an admin to review."""
    from sqlalchemy.orm import aliased

    from casework.staff.models import Staff

    kept, merged = aliased(Person), aliased(Person)
    total = session.scalar(sa.select(sa.func.count()).select_from(PersonMerge))
    rows = session.execute(
        sa.select(PersonMerge, kept, merged, Staff)
        .join(kept, kept.id == PersonMerge.kept_person_id)
        .join(merged, merged.id == PersonMerge.merged_person_id)
        .outerjoin(Staff, Staff.id == PersonMerge.merged_by_id)
        .order_by(PersonMerge.merged_at.desc(), PersonMerge.id.desc())
        .limit(MERGES_PER_PAGE)
        .offset((page - 1) * MERGES_PER_PAGE)
    ).all()
    return [tuple(row) for row in rows], total
