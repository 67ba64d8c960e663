"""Receiving referrals from every route: triage them, create their obligations, spot repeats.

``store_referrals`` is the one path every route takes (police download, partner form or email,
self-referral), so a referral is triaged and timed the same way whichever door it came in by.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import attrgetter

import sqlalchemy as sa

from casework.audit import Origin, record_referral_events
from casework.bulk import Same, bulk_insert
from casework.obligations import lifecycle
from casework.people.contact_details import is_mobile, normalise_name
from casework.people.models import MatchKey, PossibleMatch
from casework.referrals.models import Referral
from triage import deadlines
from triage.enhanced import ReferralFacts, assess_priority

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CHUNK = 500
REFERRAL = Referral.__table__
MATCH_KEY = MatchKey.__table__
# People who may hold one matching key before it stops being evidence (MATCH_KEY_LIMIT).
MATCH_KEY_LIMIT = 25


@dataclass(slots=True)
class NewReferral:
    """A referral's details after validation, from any route; not changed once made.

    (Not a frozen dataclass: a frozen one's constructor sets each of these fields through
    object.__setattr__, which was a tenth of a large police import.)
    """

    source: str
    forename: str
    surname: str
    contact_method: str
    dedupe_key: str
    crime_reference: str | None = None
    offence: str | None = None
    crime_group: str | None = None
    occurred_on: date | None = None
    account: str | None = None
    date_of_birth: date | None = None
    dob_problem: str | None = None
    address_needs_checking: bool = False
    gender: str | None = None
    ethnicity: str | None = None
    address_line_1: str | None = None
    address_line_2: str | None = None
    town: str | None = None
    postcode: str | None = None
    home_phone: str | None = None
    mobile_phone: str | None = None
    work_phone: str | None = None
    email: str | None = None
    contact_problems: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    risk_notes: str | None = None
    npa: str | None = None
    officer: str | None = None
    safe_to_voicemail: bool | None = None
    safe_to_text: bool | None = None
    safe_times: str | None = None
    webchat_at: datetime | None = None
    preferred_worker_gender: str | None = None
    preferred_language: str | None = None
    partner_agency_id: int | None = None
    referrer_name: str | None = None
    extra_reasons: tuple[str, ...] = field(default=())


# NewReferral fields stored as they are on the referral row.
STORED_FIELDS = (
    "source",
    "dedupe_key",
    "crime_reference",
    "offence",
    "crime_group",
    "occurred_on",
    "account",
    "forename",
    "surname",
    "date_of_birth",
    "dob_problem",
    "address_needs_checking",
    "gender",
    "ethnicity",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "home_phone",
    "mobile_phone",
    "work_phone",
    "email",
    "contact_method",
    "risk_notes",
    "npa",
    "officer",
    "safe_to_voicemail",
    "safe_to_text",
    "safe_times",
    "webchat_at",
    "preferred_worker_gender",
    "preferred_language",
    "partner_agency_id",
    "referrer_name",
)


def police_dedupe_key(
    crime_reference: str, forename: str, surname: str, date_of_birth: date | None
) -> str:
    """Same crime reference and same victim: the same referral, however often it is sent."""
    text = "|".join(
        [
            crime_reference.strip().upper(),
            normalise_name(forename, surname),
            date_of_birth.isoformat() if date_of_birth else "",
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()


# Each random byte's low five bits pick one of the 32 characters uniformly.
_REFERENCE_CHARACTER = bytes(ord(REFERENCE_ALPHABET[b & 31]) for b in range(256))


def new_references(count: int) -> list[str]:
    """References a person can read out on the phone: WP- and eight unambiguous characters."""
    text = secrets.token_bytes(8 * count).translate(_REFERENCE_CHARACTER).decode("ascii")
    return ["WP-" + text[i : i + 8] for i in range(0, 8 * count, 8)]


def required_detail_problem(item: NewReferral) -> str | None:
    """Why the chosen contact method cannot be used with the details given, or None."""
    method = item.contact_method
    if method == "MOBILE_PHONE":
        return None if item.mobile_phone else "no usable mobile telephone number"
    if method == "HOME_PHONE":
        return None if item.home_phone else "no usable home telephone number"
    if method == "WORK_PHONE":
        return None if item.work_phone else "no usable work telephone number"
    if method == "SMS":
        return None if is_mobile(item.mobile_phone) else "no usable mobile number for SMS"
    if method == "EMAIL":
        return None if item.email else "no usable email address"
    if method == "POST":
        return None if item.address_line_1 and item.postcode else "no usable postal address"
    if method == "IN_PERSON":
        return None if item.address_line_1 and item.postcode else "no usable address for a visit"
    raise ValueError(f"unknown contact method {method!r}")


def existing_keys(session, keys: list[str]) -> set[str]:
    """Which of these dedupe keys are already stored."""
    found: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        found.update(
            session.scalars(sa.select(Referral.dedupe_key).where(Referral.dedupe_key.in_(chunk)))
        )
    return found


def _match_values(item: NewReferral) -> tuple[str | None, list[tuple[str, str]]]:
    name_dob = (
        f"{normalise_name(item.forename, item.surname)}|{item.date_of_birth.isoformat()}"
        if item.date_of_birth
        else None
    )
    keys = [("phone", p) for p in (item.home_phone, item.mobile_phone, item.work_phone) if p]
    if item.email:
        keys.append(("email", item.email))
    return name_dob, list(dict.fromkeys(keys))


def reserve_referral_ids(session, count: int) -> list[int]:
    """Ids for ``count`` new referrals, so a batch can be inserted without RETURNING.

    PostgreSQL hands them out from the table's sequence. SQLite allows one writer at a time,
    and this transaction takes the write lock before reading the highest id, so nobody else
    can take the same ones before it commits.
    """
    if session.get_bind().dialect.name == "postgresql":
        return list(
            session.scalars(
                sa.text(
                    "SELECT nextval(pg_get_serial_sequence('referral', 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"n": count},
            )
        )
    session.execute(sa.text("UPDATE referral SET id = id WHERE 0"))  # take the write lock now
    start = (session.scalar(sa.select(sa.func.max(Referral.id))) or 0) + 1
    return list(range(start, start + count))


def store_referrals(
    session,
    items: Iterable[NewReferral],
    *,
    received_at: datetime,
    calendar,
    origin: Origin,
    actor=None,
    import_batch_id: int | None = None,
    now: datetime,
    match_key_limit: int = MATCH_KEY_LIMIT,
) -> list[int]:
    """Triage and store referrals in the caller's transaction (the caller commits).

    Each gets its priority and reasons, its obligations from the contact method (D1-D3), its
    match keys, an audit row, and is compared with earlier referrals for the same person.
    """
    items = list(items)
    if not items:
        return []
    received_on = calendar.local_date(received_at)
    # Every referral in a batch was received at the same moment, so the obligations depend
    # only on the contact method, the band and whether there is a mobile: work them out once.
    obligations_for: dict[tuple, list] = {}
    # Rows are gathered column by column (see casework.bulk): the referral table is wide.
    flags_list, unusable, problem_lists, bands, reason_lists, risk_scores = [], [], [], [], [], []
    pathways, young, repeats, names_dob, next_due = [], [], [], [], []
    obligations, match_rows = [], []
    for item in items:
        priority = assess_priority(
            ReferralFacts(
                offence=item.offence or "",
                flags=frozenset(item.flags),
                date_of_birth=item.date_of_birth,
                occurred_on=item.occurred_on,
                received_on=received_on,
            )
        )
        reasons = list(priority.reasons) + [
            r for r in item.extra_reasons if r not in priority.reasons
        ]
        problems = list(item.contact_problems)
        missing = required_detail_problem(item)
        if missing:
            problems.append(missing)
        name_dob, keys = _match_values(item)
        shape = (item.contact_method, priority.band, is_mobile(item.mobile_phone))
        if shape not in obligations_for:
            obligations_for[shape] = deadlines.initial_obligations(
                item.contact_method, priority.band, received_at, calendar, has_mobile=shape[2]
            )
        due = obligations_for[shape]
        if item.webchat_at:
            due = [*due, deadlines.DueObligation("web_chat", "web_chat", item.webchat_at)]
        flags_list.append(list(item.flags))
        unusable.append(bool(missing))
        problem_lists.append(problems)
        bands.append(priority.band)
        reason_lists.append(reasons)
        risk_scores.append(priority.risk_score)
        pathways.append(priority.pathway)
        young.append(priority.children_and_young_people)
        repeats.append("REPEAT_VICTIM" in item.flags)
        names_dob.append(name_dob)
        next_due.append(min(o.due_at for o in due))
        obligations.append(due)
        match_rows.append(keys)

    stored = zip(*map(attrgetter(*STORED_FIELDS), items), strict=True)
    ids = reserve_referral_ids(session, len(items))
    bulk_insert(
        session,
        Referral.__table__,
        {
            "id": ids,
            **dict(zip(STORED_FIELDS, stored, strict=True)),
            "reference": new_references(len(items)),
            "flags": flags_list,
            "contact_unusable": unusable,
            "contact_problems": problem_lists,
            "priority": bands,
            "priority_reasons": reason_lists,
            "risk_score": risk_scores,
            "pathway": pathways,
            "children_and_young_people": young,
            "repeat_victim": repeats,
            "match_name_dob": names_dob,
            "next_due_at": next_due,
            "received_at": Same(received_at),
            "status": Same("open"),
            "import_batch_id": Same(import_batch_id),
            "created_at": Same(now),
            "updated_at": Same(now),
            "queue_group": Same(1),
            "person_id": Same(None),
            "raised_reason": Same(None),
            "allocated_to_id": Same(None),
        },
    )
    lifecycle.create_for_new_referrals(session, zip(ids, obligations, strict=True), now)
    each_key = [(rid, key) for rid, found in zip(ids, match_rows, strict=True) for key in found]
    bulk_insert(
        session,
        MatchKey.__table__,
        {
            "referral_id": [rid for rid, _ in each_key],
            "kind": [kind for _, (kind, _) in each_key],
            "value": [value for _, (_, value) in each_key],
        },
    )
    person_of = link_repeat_victims(
        session,
        {rid: (name, found) for rid, name, found in zip(ids, names_dob, match_rows, strict=True)},
        now=now,
        limit=match_key_limit,
    ).linked
    record_referral_events(
        session,
        "referral.create",
        [(rid, person_of.get(rid, rid)) for rid in ids],
        actor=actor,
        origin=origin,
        at=now,
        details=[{"source": item.source} for item in items],
    )
    return ids


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
    several referrals count once.
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
    rare_names = [name for name in names if name_people.get(name, 0) <= limit]
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
    rare_values = [value for value in values if value_people.get(value, 0) <= limit]
    rare = set(rare_values)  # only these may confirm a name match, too
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
        people = by_value.setdefault(value, {})
        people[person] = min(rid, people.get(person, rid))
    # Every detail of each person sharing a name with someone else, to confirm a name match.
    candidates = sorted({p for people in by_name.values() if len(people) > 1 for p in people})
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
    if linked:
        session.execute(
            sa.update(Referral),
            [
                {"id": rid, "person_id": person, "repeat_victim": True}
                for rid, person in linked.items()
            ],
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
