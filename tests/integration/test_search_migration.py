"""The staff-search revision fills the index of name words for the people already stored, from a
database at the previous revision, on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from casework.db import db
from casework.people.search_terms import name_words

ROOT = Path(__file__).resolve().parents[2]
PREVIOUS = "e05c05982583"  # case notes and contact modes
REVISION = (
    ROOT
    / "migrations"
    / "versions"
    / ("20261122_50ca39cbd5d3_staff_search_words_of_people_s_names_.py")
)
NOW = datetime(2026, 11, 22, 9, tzinfo=UTC)

TRICKY_NAMES = [
    ("Zoë", "Brown"),
    ("Siobhán", "O'Brien"),
    ("Seán", "O’Neill"),
    ("Mary Jane", "Smith-Jones"),
    ("Anne-Marie", "D'Souza-Lee"),
    ("Łukasz", "Wiśniewski"),
    ("Jürgen", "Straße"),
    ("Søren", "Ærø"),
    ("محمد", "Khan"),
    ("Jean", "St. John"),
    ("Anna", "Anna"),
    ("", "Smith"),
    ("A" * 100, "B" * 100),
]


def _revision_module():
    spec = importlib.util.spec_from_file_location("search_revision", REVISION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_revisions_frozen_words_agree_with_search():
    frozen = _revision_module()._name_words
    for forename, surname in TRICKY_NAMES:
        assert frozen(forename, surname) == name_words(forename, surname), (forename, surname)


def test_upgrade_fills_the_words_of_people_already_stored(app):
    downgrade(revision=PREVIOUS)
    assert "person_name_word" not in sa.inspect(db.engine).get_table_names()
    people = [
        {
            "id": n,
            "forename": forename,
            "surname": surname,
            "merged_into_id": None,
            "anonymised_at": None,
        }
        for n, (forename, surname) in enumerate(TRICKY_NAMES, start=1)
    ]
    # Enough people to take more than one batch, then one merged away and one anonymised.
    people += [
        {
            "id": 100 + n,
            "forename": f"Person{n}",
            "surname": "Patel",
            "merged_into_id": None,
            "anonymised_at": None,
        }
        for n in range(5_003)
    ]
    people.append(
        {
            "id": 9_000_001,
            "forename": "Merged",
            "surname": "Away",
            "merged_into_id": 1,
            "anonymised_at": None,
        }
    )
    people.append(
        {
            "id": 9_000_002,
            "forename": "Gone",
            "surname": "Anonymised",
            "merged_into_id": None,
            "anonymised_at": NOW,
        }
    )
    person = sa.table(
        "person",
        *(
            sa.column(name)
            for name in (
                "id",
                "forename",
                "surname",
                "merged_into_id",
                "anonymised_at",
                "address_needs_checking",
                "created_at",
                "updated_at",
                "version",
            )
        ),
    )
    with db.engine.begin() as conn:
        conn.execute(
            person.insert(),
            [
                {
                    **p,
                    "address_needs_checking": False,
                    "created_at": NOW,
                    "updated_at": NOW,
                    "version": 1,
                }
                for p in people
            ],
        )

    upgrade()

    with db.engine.connect() as conn:
        stored: dict[int, set[str]] = {}
        for person_id, word in conn.execute(
            sa.text("SELECT person_id, word FROM person_name_word")
        ):
            stored.setdefault(person_id, set()).add(word)
        indexes = {i["name"] for i in sa.inspect(conn).get_indexes("person")}
    expected = {
        p["id"]: set(name_words(p["forename"], p["surname"]))
        for p in people
        if p["merged_into_id"] is None and p["anonymised_at"] is None
    }
    expected = {pid: words for pid, words in expected.items() if words}
    assert stored == expected
    assert 9_000_001 not in stored and 9_000_002 not in stored
    assert "ix_person_date_of_birth" in indexes
