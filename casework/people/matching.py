"""Repeat-victim matching (DESIGN.md Triage rules): a certain match links a referral to the person
of an earlier one; a weaker one waits for a person to decide. A key held by more people than
MATCH_KEY_LIMIT is no evidence of identity, so every lookup is bounded.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa

from casework.bulk import Same, bulk_insert
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
    # Possible matches for a team leader: (referral, earlier referral, matched on, the hashed
    # keys the offer rests on, or None for a weaker match)
    offers: list[tuple[int, int, list[str], list[str] | None]] = field(default_factory=list)
    compared: int = 0  # (new referral, earlier person) pairs examined, over every pass
    ignored_keys: int = 0  # keys held by more people than the limit: not evidence


def _people_per_key(session, query_for, values: list) -> dict[str, int]:
    return dict(_chunked_rows(session, query_for, values))


def _new_rows_per_key(new) -> tuple[Counter, Counter]:
    """How many of the new rows hold each name and birth date, and each phone or email."""
    named, holding = Counter(), Counter()
    for name, keys in new.values():
        if name:
            named[name] += 1
        holding.update(value for _, value in keys)
    return named, holding


# Deciding again with the keys found crowded taken out ends in a pass or two on real data
# (each takes at least one key out). Past this many, one last pass uses only the keys no row
# of the download can crowd.
MAX_PASSES = 8


# A person is their first referral: later ones carry its id in person_id.
_PERSON = sa.func.coalesce(REFERRAL.c.person_id, REFERRAL.c.id)


def link_repeat_victims(
    session,
    new: dict[int, tuple[str | None, list[tuple[str, str]]]],
    *,
    limit: int = MATCH_KEY_LIMIT,
) -> Linking:
    """Compare new referrals with earlier people on name and date of birth, phone and email.

    ``new`` maps each new referral id (reserved, not yet stored: this only reads) to its
    folded name-and-birth-date and its phone and email keys. The caller stores the referrals
    with the people found and then the offers (:func:`store_offers`).

    A match on name and date of birth together with a phone or email is certain: the referral
    is linked to that person (the earliest, if several) and marked a repeat victim; any other
    person it certainly matches, and any weaker match, is offered as a possible match for a
    team leader to confirm or reject; nothing is merged silently (DESIGN.md Triage rules).

    A key held by more than ``limit`` people (a hostel's phone, a placeholder birth date with
    a common name) is not evidence of identity and is ignored, as record-linkage tools block on
    rare keys only: each referral is then compared with at most ``limit`` people per key, so
    matching stays linear in the size of the download (DESIGN.md Data formats). People are
    counted, not referrals: a person's several referrals count once, those in this download
    included, so a victim of many incidents in one download is still matched. The new rows
    are decided in order, each against the people before it, and a key that the download's
    own people take over the limit is then decided again without it.
    """
    named, holding = _new_rows_per_key(new)
    names, values = sorted(named), sorted(holding)
    # How many people held each key before this download (its rows are not stored yet). A key
    # the earlier people alone take over the limit is no evidence; the rest are decided row by
    # row, which counts the people the download's rows come to.
    name_people = _people_per_key(
        session,
        lambda chunk: (
            sa.select(REFERRAL.c.match_name_dob, sa.func.count(sa.distinct(_PERSON)))
            .where(REFERRAL.c.match_name_dob.in_(chunk))
            .group_by(REFERRAL.c.match_name_dob)
        ),
        names,
    )
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
    on_many_referrals = [value for value in values if value_people.get(value, 0) > limit]
    value_people.update(
        _people_per_key(
            session,
            lambda chunk: (
                sa.select(MATCH_KEY.c.value, sa.func.count(sa.distinct(_PERSON)))
                .join(REFERRAL, REFERRAL.c.id == MATCH_KEY.c.referral_id)
                .where(MATCH_KEY.c.value.in_(chunk))
                .group_by(MATCH_KEY.c.value)
            ),
            on_many_referrals,
        )
    )
    rare_names = {name for name in names if name_people.get(name, 0) <= limit}
    rare_values = {value for value in values if value_people.get(value, 0) <= limit}
    # Keys no row of the download can crowd: within the limit even with every new row counted
    # as its own person.
    safe_names = {name for name in rare_names if name_people.get(name, 0) + named[name] <= limit}
    safe_values = {
        value for value in rare_values if value_people.get(value, 0) + holding[value] <= limit
    }

    # For each key that may be evidence: the people who held it before this download, each
    # by their earliest referral holding it.
    earlier_by_name = _earlier_people(
        _chunked_rows(
            session,
            lambda chunk: sa.select(REFERRAL.c.id, REFERRAL.c.match_name_dob, _PERSON).where(
                REFERRAL.c.match_name_dob.in_(chunk)
            ),
            sorted(rare_names),
        ),
        new,
    )
    earlier_by_value = _earlier_people(
        _chunked_rows(
            session,
            lambda chunk: (
                sa.select(MATCH_KEY.c.referral_id, MATCH_KEY.c.value, _PERSON)
                .join(REFERRAL, REFERRAL.c.id == MATCH_KEY.c.referral_id)
                .where(MATCH_KEY.c.value.in_(chunk))
            ),
            sorted(rare_values),
        ),
        new,
    )
    # Every detail of each earlier person sharing a name with a new row, to confirm a match.
    candidates = sorted({person for people in earlier_by_name.values() for person in people})
    earlier_keys: dict[int, set[str]] = {}
    for person, value in _chunked_rows(
        session,
        lambda chunk: (
            sa.select(_PERSON, MATCH_KEY.c.value)
            .join(REFERRAL, REFERRAL.c.id == MATCH_KEY.c.referral_id)
            .where(sa.or_(REFERRAL.c.id.in_(chunk), REFERRAL.c.person_id.in_(chunk)))
        ),
        candidates,
    ):
        earlier_keys.setdefault(person, set()).add(value)

    # A key whose earlier people, as read, are already over the limit (another import may
    # have committed between the counts and the reads) is no evidence either.
    rare_names -= {name for name, people in earlier_by_name.items() if len(people) > limit}
    rare_values -= {value for value, people in earlier_by_value.items() if len(people) > limit}
    compared = 0
    for attempt in range(MAX_PASSES + 1):
        if attempt == MAX_PASSES:  # still finding keys crowded: only keys none can crowd
            rare_names &= safe_names
            rare_values &= safe_values
        decided = _decide(
            new, earlier_by_name, earlier_by_value, earlier_keys, rare_names, rare_values, limit
        )
        compared += decided.compared
        if attempt == MAX_PASSES or not (decided.crowded_names or decided.crowded_values):
            break
        rare_names -= decided.crowded_names
        rare_values -= decided.crowded_values
    offers = [(*offer, None) for offer in decided.possible]
    offers += _not_yet_offered(session, decided.also)
    ignored = len(names) + len(values) - len(rare_names) - len(rare_values)
    return Linking(decided.linked, offers, compared=compared, ignored_keys=ignored)


def store_offers(
    session, offers: list[tuple[int, int, list[str], list[str] | None]], now: datetime
) -> None:
    """Store :attr:`Linking.offers` as possible matches waiting for a team leader, once the
    new referrals they name are stored."""
    bulk_insert(
        session,
        PossibleMatch.__table__,
        {
            "referral_id": [rid for rid, _, _, _ in offers],
            "earlier_referral_id": [other for _, other, _, _ in offers],
            "matched_on": [on for _, _, on, _ in offers],
            "evidence": [evidence for _, _, _, evidence in offers],
            "status": Same("pending"),
            "decided_by_id": Same(None),
            "decided_at": Same(None),
            "created_at": Same(now),
        },
    )


def _hashed(key: str) -> str:
    """A matching key as an offer keeps it: a short hash, not the phone, email or name."""
    return hashlib.blake2b(key.encode(), digest_size=8).hexdigest()


# Offers of two people that still stand: waiting on a referral still open (so on a queue), or
# rejected. Read by the people of their referrals, whose index the filter uses.
_OFFERING = sa.orm.aliased(Referral, name="offering")
_OFFERED = sa.orm.aliased(Referral, name="offered")
_STANDING_OFFERS = (
    sa.select(_OFFERING.person_id, _OFFERED.person_id, PossibleMatch.evidence)
    .join(_OFFERING, _OFFERING.id == PossibleMatch.referral_id)
    .join(_OFFERED, _OFFERED.id == PossibleMatch.earlier_referral_id)
    .where(
        _OFFERING.person_id.in_(sa.bindparam("people", expanding=True)),
        PossibleMatch.evidence.is_not(None),
        sa.or_(
            PossibleMatch.status == "rejected",
            sa.and_(PossibleMatch.status == "pending", _OFFERING.status == "open"),
        ),
    )
)


def _not_yet_offered(session, also) -> list[tuple[int, int, list[str], list[str]]]:
    """The offers of a second person a referral matches as certainly, less those whose keys a
    team leader already has before them for the same two people (waiting on a referral still
    open, or rejected): each later referral with both people's details would otherwise offer
    the pair again. An offer resting on a key not yet put to them is made."""
    people = sorted({p for _, person, other, _, _, _ in also for p in (person, other)})
    given: dict[frozenset, list[set[str]]] = {}
    connection = session.connection()
    for start in range(0, len(people), CHUNK):
        # Each offer between two of these people has its referral's person among them.
        chunk = people[start : start + CHUNK]
        for one, other, keys in connection.execute(_STANDING_OFFERS, {"people": chunk}):
            given.setdefault(frozenset((one, other)), []).append(set(keys))
    offers = []
    for rid, person, other, earliest, matched_on, keys in also:
        evidence = {_hashed(key) for key in keys}
        already = given.setdefault(frozenset((person, other)), [])
        if not any(evidence <= keys_given for keys_given in already):
            offers.append((rid, earliest, matched_on, sorted(evidence)))
            already.append(evidence)
    return offers


def _earlier_people(rows, new) -> dict[str, dict[int, int]]:
    """From (referral, key, person) rows: each key's people before this download (the new
    referrals left out), each by their earliest referral holding it."""
    by_key: dict[str, dict[int, int]] = {}
    for rid, key, person in rows:
        if rid not in new:
            people = by_key.setdefault(key, {})
            people[person] = min(rid, people.get(person, rid))
    return by_key


@dataclass(slots=True)
class _Decided:
    """One pass's decision: the links, the matches to offer, the pairs compared, and the keys
    the download's people took over the limit (none, once the decision stands)."""

    linked: dict[int, int]
    possible: list[tuple[int, int, list[str]]]  # (referral, earlier referral, matched on)
    # (referral, its person, another person it matches as certainly, their earliest referral
    # matched, matched on, the keys matched)
    also: list[tuple[int, int, int, int, list[str], list[str]]]
    compared: int
    crowded_names: set[str]  # keys the people of this download took over the limit
    crowded_values: set[str]


def _decide(
    new, earlier_by_name, earlier_by_value, earlier_keys, rare_names, rare_values, limit: int
) -> _Decided:
    """Decide the new rows in order, each against the people before it: those who held a rare
    key before this download (``earlier_by_name``, ``earlier_by_value``: by their earliest
    referral holding it) and those the rows before it became. A row joins the person it
    certainly matches (the earliest, if several: the others are offered as possible matches),
    or is a new person; either way it then holds its keys for that person.
    A key that comes to be held by more than ``limit`` people is no longer used, here, and is
    returned as crowded."""
    by_name = {name: dict(people) for name, people in earlier_by_name.items()}
    by_value = {value: dict(people) for value, people in earlier_by_value.items()}
    keys_of = {person: set(values) for person, values in earlier_keys.items()}
    crowded_names: set[str] = set()
    crowded_values: set[str] = set()
    linked: dict[int, int] = {}
    possible = []
    also = []
    compared = 0
    for rid in sorted(new):
        name, keys = new[rid]
        mine = sorted(set(keys))
        usable = [v for v in mine if v[1] in rare_values and v[1] not in crowded_values]
        evidence = {value for _, value in usable}
        named = None
        if name in rare_names and name not in crowded_names:
            named = by_name.setdefault(name, {})
        matched: dict[int, list[str]] = {}  # earlier person -> what matched
        first: dict[int, int] = {}  # earlier person -> their earliest referral matched
        for person, earliest in (named or {}).items():
            compared += 1
            if earliest < rid:
                theirs = keys_of.get(person, ())
                shared = [kind for kind, value in mine if value in theirs and value in evidence]
                matched[person] = ["name and date of birth", *dict.fromkeys(shared)]
                first[person] = earliest
        certain = [person for person, on in matched.items() if len(on) > 1]
        if certain:
            person = min(certain, key=first.__getitem__)
            linked[rid] = person
            # Any other person it matches as certainly may be the same one recorded twice:
            # offered (unless already put to a team leader), never merged silently.
            for other in sorted(set(certain) - {person}, key=first.__getitem__)[:5]:
                theirs = keys_of.get(other, ())
                on = [name, *(value for _, value in mine if value in theirs and value in evidence)]
                also.append((rid, person, other, first[other], matched[other], on))
        else:
            person = rid
            for kind, value in usable:
                for other, earliest in by_value.get(value, {}).items():
                    compared += 1
                    if earliest < rid and kind not in matched.get(other, ()):
                        matched.setdefault(other, []).append(kind)
                        first[other] = min(earliest, first.get(other, earliest))
            for other in sorted(matched, key=first.__getitem__)[:5]:
                possible.append((rid, first[other], matched[other]))
        # The row is now the person's: it holds its keys for them, and (for a later row of
        # their name to compare with) its details are theirs.
        if named is not None:
            keys_of.setdefault(person, set()).update(evidence)
            named.setdefault(person, rid)
            if len(named) > limit:
                crowded_names.add(name)
        for _, value in usable:
            people = by_value.setdefault(value, {})
            people.setdefault(person, rid)
            if len(people) > limit:
                crowded_values.add(value)
    return _Decided(linked, possible, also, compared, crowded_names, crowded_values)
