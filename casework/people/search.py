"""Staff search (DESIGN.md Stable interfaces, ``/search?q=TEXT``): the people a staff member may
open whose name starts with the words typed, or who hold the whole reference, phone number,
email address, postcode or birth date typed; and opening one of their records from the results.

Only people the searcher may open are found (casework.access.visible_people_clause): another
team's person is never in the results and never in the count. A person merged into another or
anonymised is never found. A reference, phone number or email is found only on a referral the
searcher may open, so a search cannot tie another team's referral to a person.

Every search is audited with who, when, the kind of query and the count, never the text typed;
opening a record from the results is audited as opened from a search.

Cost: a name is found through ``person_name_word``: its rarest prefix (found by a bounded,
index-only count of each) is read as a range of the (word, person_id) key, in order, each other
prefix is an indexed EXISTS, and reading stops once COUNT_CAP + 1 people the searcher may open
are found, so a search for one common letter costs no more than that many people. The other
kinds use the indexes on the person's columns, the referral and case references, the crime
reference and the repeat-victim matching keys. The statements are built once per viewer and
kind of query and then only run (building and keying them cost more than running them); then
come the audit row and its durable commit, which on SQLite is most of a search's time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

import sqlalchemy as sa

from casework.access import (
    ViewerKey,
    can_view_case,
    can_view_referral,
    refuse,
    visible_cases_clause,
    visible_people_clause,
    visible_referrals_clause,
)
from casework.audit import Origin, record_event
from casework.cases.models import Case
from casework.people import search_terms as terms
from casework.people.models import MatchKey, Person, PersonNameWord
from casework.referrals.models import Referral

PER_PAGE = 20
# Past 200 people (ten pages) a list helps nobody find the one they want: the page says more
# match and asks for more of the name, a birth date or a number. Each person found costs a few
# index seeks (their row, who may see them), so the cap also bounds what one search costs.
COUNT_CAP = 200
SEARCH_ROLES = {"caseworker", "team_leader", "admin"}


@dataclass(frozen=True)
class FoundReferral:
    """A referral of a person found, which the searcher may open."""

    id: int
    reference: str
    received_at: datetime
    status: str


@dataclass(frozen=True)
class FoundCase:
    """A case of a person found, which the searcher may open."""

    id: int
    reference: str
    status: str
    opened_at: datetime


@dataclass(frozen=True)
class FoundPerson:
    """One person in the results, with the referrals and cases the searcher may open."""

    id: int
    forename: str
    surname: str
    date_of_birth: date | None
    postcode: str | None
    referrals: tuple[FoundReferral, ...]
    cases: tuple[FoundCase, ...]

    @property
    def name(self) -> str:
        return f"{self.forename} {self.surname}".strip()


@dataclass(frozen=True)
class SearchResults:
    """One page of results: how many people match (at most COUNT_CAP; ``more`` when more do),
    and this page's people in name order."""

    kind: str
    total: int
    more: bool
    page: int
    per_page: int
    people: tuple[FoundPerson, ...]


def may_search(viewer) -> bool:
    """Search is for the victim service's staff: caseworkers, team leaders and admins (an HSB
    team's leader finds nobody: the access clauses give them no victim's record)."""
    return getattr(viewer, "role", None) in SEARCH_ROLES


def _viewer(staff) -> ViewerKey:
    """What the access rules read of a staff member, so statements are built once for each
    (role, id, team) and reused, instead of for every request."""
    return ViewerKey.of(staff)


def _range(column, n: int):
    return sa.and_(column >= sa.bindparam(f"p{n}"), column < sa.bindparam(f"end{n}"))


_WORDS = PersonNameWord.__table__
PROBE = 2_000  # enough words to tell a selective prefix from a common one


@lru_cache(maxsize=64)
def _probe_statement(words: int):
    """How many words each prefix's range holds, counting no further than PROBE (read from
    the index alone), so the rarest prefix can drive the search."""
    counts = []
    for n in range(words):
        bounded = sa.select(sa.literal(1)).where(_range(_WORDS.c.word, n)).limit(PROBE).subquery()
        counts.append(sa.select(sa.func.count()).select_from(bounded).scalar_subquery())
    return sa.select(*counts)


def _findable(viewer, person_id):
    """The person exists, stands on their own (not merged away), is not anonymised, and the
    viewer may open a referral or case of theirs."""
    return sa.exists().where(
        Person.id == person_id, Person.anonymised_at.is_(None), visible_people_clause(viewer)
    )


def _name_statement(viewer: ViewerKey, words: int):
    """People with a word starting with each prefix. The first prefix (the rarest) is read as
    a range of the (word, person_id) key, in order, so the search stops as soon as it has
    found enough; each person is taken once, at the first of their words in that range; each
    other prefix is an indexed EXISTS on (person_id, word); and only then is the person's row
    and the viewer's access to them checked."""
    word = _WORDS.alias("w")
    earlier = _WORDS.alias("earlier")
    where = [_range(word.c.word, 0)]
    for n in range(1, words):
        other = _WORDS.alias(f"w{n}")
        where.append(
            sa.exists().where(other.c.person_id == word.c.person_id, _range(other.c.word, n))
        )
    where.append(
        ~sa.exists().where(
            earlier.c.person_id == word.c.person_id,
            earlier.c.word >= sa.bindparam("p0"),
            earlier.c.word < word.c.word,
        )
    )
    where.append(_findable(viewer, word.c.person_id))
    return sa.select(word.c.person_id.label("id")).where(*where).limit(COUNT_CAP + 1)


def _on_visible_referrals(viewer, *where):
    return sa.select(Referral.person_id).where(*where, visible_referrals_clause(viewer))


def _by_key(viewer, columns):
    """People holding the value in one of ``columns``, or who gave it on a referral the viewer
    may open (the repeat-victim matching keys hold every referral's phones and email)."""
    value = sa.bindparam("value")
    keyed = _on_visible_referrals(
        viewer,
        Referral.id.in_(sa.select(MatchKey.referral_id).where(MatchKey.value == value)),
    )
    own = [sa.select(Person.id).where(column == value) for column in columns]
    return Person.id.in_(sa.union(*own, keyed))


def _matching(viewer, kind: str):
    """The WHERE clause for the people a query of a kind other than a name asks for, its
    value bound later (see :func:`_parameters`)."""
    value = sa.bindparam("value")
    if kind == terms.PHONE:
        return _by_key(viewer, [Person.home_phone, Person.mobile_phone, Person.work_phone])
    if kind == terms.EMAIL:
        return _by_key(viewer, [Person.email])
    if kind == terms.POSTCODE:
        return Person.postcode == value
    if kind == terms.BIRTH_DATE:
        return Person.date_of_birth == value
    if kind == terms.REFERRAL_REFERENCE:
        return Person.id.in_(_on_visible_referrals(viewer, Referral.reference == value))
    if kind == terms.CASE_REFERENCE:
        return Person.id.in_(
            sa.select(Case.person_id).where(Case.reference == value, visible_cases_clause(viewer))
        )
    if kind == terms.CRIME_REFERENCE:
        written = sa.bindparam("written", expanding=True)
        return Person.id.in_(_on_visible_referrals(viewer, Referral.crime_reference.in_(written)))
    raise ValueError(f"unknown kind of query: {kind}")


def _parameters(query: terms.SearchQuery, prefixes: list[str] | None = None) -> dict:
    if query.kind == terms.NAME:
        prefixes = prefixes if prefixes is not None else list(query.prefixes)
        return {
            **{f"p{n}": prefix for n, prefix in enumerate(prefixes)},
            **{f"end{n}": terms.prefix_end(prefix) for n, prefix in enumerate(prefixes)},
        }
    if query.kind == terms.BIRTH_DATE:
        return {"value": query.born_on}
    if query.kind == terms.CRIME_REFERENCE:
        return {"written": sorted({query.value, query.value.upper()})}
    return {"value": query.value}


@lru_cache(maxsize=1024)
def _people_statement(viewer: ViewerKey, kind: str, words: int):
    """The ids of matching people the viewer may open, at most COUNT_CAP + 1 of them: built
    once for each viewer and kind of query, so a search pays only for running it."""
    if kind == terms.NAME:
        return _name_statement(viewer, words)
    return (
        sa.select(Person.id)
        .where(
            _matching(viewer, kind),
            Person.anonymised_at.is_(None),
            visible_people_clause(viewer),
        )
        .limit(COUNT_CAP + 1)
    )


_DETAILS = sa.select(
    Person.id, Person.forename, Person.surname, Person.date_of_birth, Person.postcode
).where(Person.id.in_(sa.bindparam("ids", expanding=True)))


def _rarest_first(session, query: terms.SearchQuery) -> list[str]:
    """The prefixes of a name, the one with the fewest words first (it drives the search)."""
    prefixes = list(query.prefixes)
    if len(prefixes) == 1:
        return prefixes
    counts = session.execute(_probe_statement(len(prefixes)), _parameters(query)).one()
    ranked = sorted(zip(counts, prefixes, strict=True), key=lambda c: (c[0], -len(c[1])))
    return [prefix for _, prefix in ranked]


def matching_people(session, viewer, query: terms.SearchQuery) -> tuple[list, bool]:
    """The people ``viewer`` may open who match ``query`` (id, names, birth date, postcode),
    at most COUNT_CAP of them, and whether there are more."""
    who = _viewer(viewer)
    prefixes = _rarest_first(session, query) if query.kind == terms.NAME else None
    statement = _people_statement(who, query.kind, len(query.prefixes))
    ids = session.scalars(statement, _parameters(query, prefixes)).all()
    more = len(ids) > COUNT_CAP
    people = session.execute(_DETAILS, {"ids": ids[:COUNT_CAP]}).all() if ids else []
    return people, more


@lru_cache(maxsize=1024)
def _records_statement(viewer: ViewerKey):
    """The referrals and cases, of the people on a page, that the viewer may open."""
    ids = sa.bindparam("ids", expanding=True)
    referrals = sa.select(
        sa.literal("referral").label("record"),
        Referral.person_id,
        Referral.id,
        Referral.reference,
        Referral.received_at.label("at"),
        Referral.status,
    ).where(Referral.person_id.in_(ids), visible_referrals_clause(viewer))
    cases = sa.select(
        sa.literal("case"),
        Case.person_id,
        Case.id,
        Case.reference,
        Case.opened_at,
        Case.status,
    ).where(Case.person_id.in_(ids), visible_cases_clause(viewer))
    return sa.union_all(referrals, cases)


@lru_cache(maxsize=65536)
def _folded(name: str | None) -> str:
    return terms.fold(name or "")


def _name_order(row) -> tuple:
    return (_folded(row.surname), _folded(row.forename), row.id)


def search_people(
    session,
    viewer,
    query: terms.SearchQuery,
    *,
    page: int,
    origin: Origin,
    now: datetime,
    per_page: int = PER_PAGE,
) -> SearchResults:
    """The people ``viewer`` may open who match ``query``, one page in name order (surname,
    then forename, accents and case ignored), counted up to COUNT_CAP. Audited as a search of
    that kind with its count, never the text (DESIGN.md Stable interfaces); commits."""
    if not may_search(viewer):
        raise PermissionError("search is for caseworkers, team leaders and admins")
    found, more = matching_people(session, viewer, query)
    ordered = sorted(found, key=_name_order)
    on_page = ordered[(page - 1) * per_page : page * per_page]
    people = _with_records(session, _viewer(viewer), on_page)
    record_event(
        session,
        action="search",
        actor=viewer,
        origin=origin,
        at=now,
        detail={"kind": query.kind, "count": len(ordered), "more": more, "page": page},
    )
    session.commit()
    return SearchResults(
        kind=query.kind,
        total=len(ordered),
        more=more,
        page=page,
        per_page=per_page,
        people=people,
    )


def _with_records(session, viewer: ViewerKey, rows) -> tuple[FoundPerson, ...]:
    """These people (in this order) with the referrals and cases ``viewer`` may open, newest
    first."""
    if not rows:
        return ()
    referrals: dict[int, list] = {row.id: [] for row in rows}
    cases: dict[int, list] = {row.id: [] for row in rows}
    records = session.execute(_records_statement(viewer), {"ids": list(referrals)}).all()
    for record in sorted(records, key=lambda r: (r.at, r.id), reverse=True):
        if record.record == "referral":
            referrals[record.person_id].append(
                FoundReferral(record.id, record.reference, record.at, record.status)
            )
        else:
            cases[record.person_id].append(
                FoundCase(record.id, record.reference, record.status, record.at)
            )
    return tuple(
        FoundPerson(
            id=row.id,
            forename=row.forename,
            surname=row.surname,
            date_of_birth=row.date_of_birth,
            postcode=row.postcode,
            referrals=tuple(referrals[row.id]),
            cases=tuple(cases[row.id]),
        )
        for row in rows
    )


OPENABLE = {"referral": (Referral, can_view_referral), "case": (Case, can_view_case)}


def open_from_search(
    session, viewer, record_type: str, record_id: int, *, origin: Origin, now: datetime
) -> int:
    """Record that ``viewer`` opened a referral or case from the search results, and return its
    id for the page to show. A record they may not open, or that does not exist, is refused
    (audited) as not found, the same either way."""
    model, may_view = OPENABLE.get(record_type, (None, None))
    record = session.get(model, record_id) if model is not None else None
    if record is None or not may_view(viewer, record):
        refuse(
            session,
            actor=viewer,
            origin=origin,
            record_type=record_type if model is not None else None,
            record_id=record_id,
            now=now,
        )
    record_event(
        session,
        action="search.open",
        actor=viewer,
        origin=origin,
        record_type=record_type,
        record_id=record.id,
        person_id=record.person_id,
        at=now,
        detail={"from": "search"},
    )
    session.commit()
    return record.id
