"""The words of people's names that staff search reads (``person_name_word``), kept in step
with the people they belong to.

A person's words are their forename and surname folded by
casework.people.search_terms.name_words. A person merged into another, or anonymised, has no
words: search never finds them by name.

- New people from an import (casework.people.records.create_for_new_referrals) get theirs in
  one bulk insert, alongside the people themselves.
- Anything that adds or changes a Person through the ORM (a name corrected, a merge and its
  undoing, an anonymisation) is caught by the listeners below in the same flush, so no future
  edit of a name can leave the index behind.
- Bulk UPDATEs of people bypass the ORM and must call :func:`forget_names` or
  :func:`reindex_names` themselves (retention does).
"""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy import event

from casework.bulk import bulk_insert
from casework.people.models import Person, PersonNameWord
from casework.people.search_terms import name_words

BATCH = 500
_WORDS = PersonNameWord.__table__
# The columns whose change changes a person's words.
_WATCHED = ("forename", "surname", "merged_into_id", "anonymised_at")


def _searchable(person) -> bool:
    return person.merged_into_id is None and person.anonymised_at is None


def index_names(session, people: Iterable[tuple[int, str | None, str | None]]) -> int:
    """Add the words of new people (id, forename, surname) in one bulk insert, in the caller's
    transaction; returns how many words. For people who have none yet (new ones)."""
    person_ids: list[int] = []
    words: list[str] = []
    for person_id, forename, surname in people:
        for word in name_words(forename, surname):
            person_ids.append(person_id)
            words.append(word)
    bulk_insert(session, _WORDS, {"word": words, "person_id": person_ids})
    return len(words)


def forget_names(session, person_ids: Iterable[int]) -> None:
    """Remove the words of these people (anonymised, or merged into another), in the caller's
    transaction."""
    ids = list(person_ids)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        session.execute(sa.delete(PersonNameWord).where(PersonNameWord.person_id.in_(chunk)))


def reindex_names(session, person_ids: Iterable[int]) -> None:
    """Rebuild these people's words from their rows as they stand now (after a bulk UPDATE of
    names, or to repair), in the caller's transaction."""
    ids = list(person_ids)
    forget_names(session, ids)
    for start in range(0, len(ids), BATCH):
        rows = session.execute(
            sa.select(Person.id, Person.forename, Person.surname).where(
                Person.id.in_(ids[start : start + BATCH]),
                Person.merged_into_id.is_(None),
                Person.anonymised_at.is_(None),
            )
        ).all()
        index_names(session, rows)


def _rows(person) -> list[dict]:
    return [
        {"word": w, "person_id": person.id} for w in name_words(person.forename, person.surname)
    ]


@event.listens_for(Person, "after_insert")
def _index_new_person(mapper, connection, person) -> None:
    if _searchable(person) and (rows := _rows(person)):
        connection.execute(_WORDS.insert(), rows)


@event.listens_for(Person, "after_update")
def _reindex_changed_person(mapper, connection, person) -> None:
    state = sa.inspect(person)
    if not any(state.attrs[name].history.has_changes() for name in _WATCHED):
        return
    connection.execute(_WORDS.delete().where(_WORDS.c.person_id == person.id))
    if _searchable(person) and (rows := _rows(person)):
        connection.execute(_WORDS.insert(), rows)
