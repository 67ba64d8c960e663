"""Repeat-victim matching (DESIGN.md Triage rules): a certain match links a referral to the person
of an earlier one; a weaker one waits for a person to decide. A key held by more people than
MATCH_KEY_LIMIT is no evidence of identity, so every lookup is bounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa

from casework.bulk import Same, bulk_insert, bulk_update
from casework.people.contact_details import normalise_name
from casework.people.models import MatchKey, PossibleMatch
from casework.referrals.models import Referral

if TYPE_CHECKING:
    from casework.referrals.intake import NewReferral

CHUNK = 500
REFERRAL = Referral.__table__
MATCH_KEY = MatchKey.__table__


# People who may hold one matching key before it stops being evidence (MATCH_KEY_LIMIT).
MATCH_KEY_LIMIT = 25


def existing_keys(session, keys: list[str]) -> set[str]:
    """Which of these dedupe keys are already stored."""
    found: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        found.update(
            session.scalars(sa.select(Referral.dedupe_key).where(Referral.dedupe_key.in_(chunk)))
        )
    return found


def match_values(item: NewReferral) -> tuple[str | None, list[tuple[str, str]]]:
    """A new referral's matching keys: normalised name with birth date, and phone and email keys."""
    name_dob = (
        f"{normalise_name(item.forename, item.surname)}|{item.date_of_birth.isoformat()}"
        if item.date_of_birth
        else None
    )
    keys = [("phone", p) for p in (item.home_phone, item.mobile_phone, item.work_phone) if p]
    if item.email:
        keys.append(("email", item.email))
    return name_dob, list(dict.fromkeys(keys))


def _chunked_rows(session, query_for, values: list) -> list:
    """Rows of a Core query run over ``values`` a chunk at a time (plain tuples, no ORM)."""
    connection = session.connection()
    rows = []
    for start in range(0, len(values), CHUNK):
        rows += connection.execute(query_for(values[start : start + CHUNK])).all()
    return rows


@dataclass(slots=True)
class Linking:
    """What repeat-victim matching decided, and how much comparing it took."""

    linked: dict[int, int]  # new referral id -> the person it now belongs to
    compared: int = 0  # (new referral, earlier person) pairs examined
    ignored_keys: int = 0  # keys held by more people than the limit: not evidence


def _people_per_key(session, query_for, values: list) -> dict[str, int]:
    return dict(_chunked_rows(session, query_for, values))


class _SameInBatch:
    """Which new rows of one download are one person: rows of one name and birth date that
    share a phone or email no more than the limit of people hold. Matching counts them once,
    as it would had they come one download at a time, so a victim of many incidents in one
    download is not crowded out of matching by their own rows."""

    def __init__(self, new: dict[int, tuple[str | None, list[tuple[str, str]]]]):
        self.new = new
        self.holders: dict[str, list[int]] = {}  # value -> the new rows holding it
        self.named: dict[str, list[int]] = {}  # name and birth date -> the new rows with it
        for rid in sorted(new):
            name, keys = new[rid]
            if name:
                self.named.setdefault(name, []).append(rid)
            for _, value in keys:
                self.holders.setdefault(value, []).append(rid)

    def overcount_of_value(self, value: str) -> int:
        """How many more people a count of the value's holders found among the new rows than
        there are: rows of one name and birth date count once."""
        rows = self.holders.get(value, [])
        names = {self.new[rid][0] for rid in rows if self.new[rid][0]}
        unnamed = sum(1 for rid in rows if not self.new[rid][0])
        return len(rows) - len(names) - unnamed

    def join_on(self, rare: set[str]) -> dict[int, int]:
        """Each new row joined to another by its name and birth date and a rare value: the
        earliest row of the rows so joined (the others map to it, it to itself)."""
        parent: dict[int, int] = {}

        def root(rid: int) -> int:
            top = rid
            while parent.get(top, top) != top:
                top = parent[top]
            while rid != top:  # every row passed on the way now points at the top
                parent[rid], rid = top, parent[rid]
            return top

        for value in rare:
            first_of: dict[str, int] = {}  # name and birth date -> first row holding the value
            for rid in self.holders.get(value, ()):
                name = self.new[rid][0]
                if not name:
                    continue
                first = first_of.setdefault(name, rid)
                a, b = root(first), root(rid)
                if a != b:
                    parent[max(a, b)] = min(a, b)
        return {rid: root(rid) for rid in parent}

    def overcount_of_name(self, name: str, same: dict[int, int]) -> int:
        """How many more people a count of the name's holders found among the new rows than
        there are, once rows joined by a rare value count once."""
        rows = self.named.get(name, [])
        return len(rows) - len({same.get(rid, rid) for rid in rows})


# A person is their first referral: later ones carry its id in person_id.
_PERSON = sa.func.coalesce(REFERRAL.c.person_id, REFERRAL.c.id)


def link_repeat_victims(
    session,
    new: dict[int, tuple[str | None, list[tuple[str, str]]]],
    *,
    now: datetime,
    limit: int = MATCH_KEY_LIMIT,
) -> Linking:
    """Compare new referrals with earlier people on name and date of birth, phone and email.

    ``new`` maps each new referral id to its folded name-and-birth-date and its phone and
    email keys. A match on name and date of birth together with a phone or email is certain:
    the referral is linked to that person and marked a repeat victim. Any weaker match is
    recorded as a possible match for a team leader to confirm or reject; nothing is merged
    silently (DESIGN.md Triage rules).

    A key held by more than ``limit`` people (a hostel's phone, a placeholder birth date with
    a common name) is not evidence of identity and is ignored, as record-linkage tools block on
    rare keys only: each referral is then compared with at most ``limit`` people per key, so
    matching stays linear in the size of the download (DESIGN.md Data formats). A person's
    several referrals count once, those in this download included: rows sharing a name and
    birth date and a rare phone or email are one person, as they would be had they come one
    download at a time (the new referrals must each still be their own person, as
    ``store_referrals`` leaves them).
    """
    names = sorted({name for name, _ in new.values() if name})
    name_people = _people_per_key(
        session,
        lambda chunk: (
            sa.select(REFERRAL.c.match_name_dob, sa.func.count(sa.distinct(_PERSON)))
            .where(REFERRAL.c.match_name_dob.in_(chunk))
            .group_by(REFERRAL.c.match_name_dob)
        ),
        names,
    )
    values = sorted({value for _, keys in new.values() for _, value in keys})
    # Counting referrals reads only the value index; people (which needs each referral's
    # person) are counted only for the few values on more referrals than the limit.
    value_people = _people_per_key(
        session,
        lambda chunk: (
            sa.select(MATCH_KEY.c.value, sa.func.count())
            .where(MATCH_KEY.c.value.in_(chunk))
            .group_by(MATCH_KEY.c.value)
        ),
        values,
    )
    crowded = [value for value in values if value_people.get(value, 0) > limit]
    value_people.update(
        _people_per_key(
            session,
            lambda chunk: (
                sa.select(MATCH_KEY.c.value, sa.func.count(sa.distinct(_PERSON)))
                .join(REFERRAL, REFERRAL.c.id == MATCH_KEY.c.referral_id)
                .where(MATCH_KEY.c.value.in_(chunk))
                .group_by(MATCH_KEY.c.value)
            ),
            crowded,
        )
    )
    # The new rows counted above each as a person: rows of one name and birth date holding a
    # value count once for it, and rows joined by such a value once for their name.
    batch = _SameInBatch(new)
    for value in crowded:
        value_people[value] -= batch.overcount_of_value(value)
    rare_values = [value for value in values if value_people.get(value, 0) <= limit]
    rare = set(rare_values)  # only these may confirm a name match, too
    same = batch.join_on(rare)  # new referral id -> the earliest row of this download it is
    for name in names:
        name_people[name] = name_people.get(name, 0) - batch.overcount_of_name(name, same)
    rare_names = [name for name in names if name_people[name] <= limit]
    ignored = len(names) - len(rare_names) + len(values) - len(rare_values)

    # For each rare key: the people holding it, each by their earliest referral holding it.
    by_name: dict[str, dict[int, int]] = {}
    for rid, name, person in _chunked_rows(
        session,
        lambda chunk: sa.select(REFERRAL.c.id, REFERRAL.c.match_name_dob, _PERSON).where(
            REFERRAL.c.match_name_dob.in_(chunk)
        ),
        rare_names,
    ):
        person = same.get(person, person)
        people = by_name.setdefault(name, {})
        people[person] = min(rid, people.get(person, rid))
    by_value: dict[str, dict[int, int]] = {}
    for rid, value, person in _chunked_rows(
        session,
        lambda chunk: (
            sa.select(MATCH_KEY.c.referral_id, MATCH_KEY.c.value, _PERSON)
            .join(REFERRAL, REFERRAL.c.id == MATCH_KEY.c.referral_id)
            .where(MATCH_KEY.c.value.in_(chunk))
        ),
        rare_values,
    ):
        person = same.get(person, person)
        people = by_value.setdefault(value, {})
        people[person] = min(rid, people.get(person, rid))
    # Every detail of each person sharing a name with someone else, to confirm a name match.
    # (A person of this download on several rows shares a name with their own later rows.)
    several = set(same.values())
    candidates = sorted(
        {p for people in by_name.values() for p in people if len(people) > 1 or p in several}
    )
    keys_of: dict[int, set[str]] = {}
    for person, value in _chunked_rows(
        session,
        lambda chunk: (
            sa.select(_PERSON, MATCH_KEY.c.value)
            .join(REFERRAL, REFERRAL.c.id == MATCH_KEY.c.referral_id)
            .where(sa.or_(REFERRAL.c.id.in_(chunk), REFERRAL.c.person_id.in_(chunk)))
        ),
        candidates,
    ):
        keys_of.setdefault(person, set()).add(value)
    for rid, person in same.items():  # a row of this download: its person's other rows' keys
        keys_of.setdefault(person, set()).update(value for _, value in new[rid][1])

    linked: dict[int, int] = {}
    possible = []
    compared = 0
    for rid in sorted(new):
        name, keys = new[rid]
        mine = sorted(set(keys))
        matched: dict[int, list[str]] = {}  # earlier person -> what matched
        first: dict[int, int] = {}  # earlier person -> their earliest referral matched
        for person, earliest in by_name.get(name, {}).items() if name else ():
            compared += 1
            if earliest < rid:
                theirs = keys_of.get(person, set())
                shared = [kind for kind, value in mine if value in theirs and value in rare]
                matched[person] = ["name and date of birth", *dict.fromkeys(shared)]
                first[person] = earliest
        certain = [person for person, on in matched.items() if len(on) > 1]
        if certain:
            person = min(certain, key=first.__getitem__)
            linked[rid] = linked.get(person) or person
            continue
        for kind, value in mine:
            for person, earliest in by_value.get(value, {}).items():
                compared += 1
                if earliest < rid and kind not in matched.get(person, ()):
                    matched.setdefault(person, []).append(kind)
                    first[person] = min(earliest, first.get(person, earliest))
        for person in sorted(matched, key=first.__getitem__)[:5]:
            possible.append((rid, first[person], matched[person]))
    bulk_update(
        session,
        REFERRAL,
        [{"person_id": person, "repeat_victim": True, "id": rid} for rid, person in linked.items()],
    )
    bulk_insert(
        session,
        PossibleMatch.__table__,
        {
            "referral_id": [rid for rid, _, _ in possible],
            "earlier_referral_id": [other for _, other, _ in possible],
            "matched_on": [on for _, _, on in possible],
            "status": Same("pending"),
            "decided_by_id": Same(None),
            "decided_at": Same(None),
            "created_at": Same(now),
        },
    )
    return Linking(linked, compared=compared, ignored_keys=ignored)
