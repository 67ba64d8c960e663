"""Staff search: the words of people's names, and birth dates indexed

``person_name_word`` holds each word of a person's forename and surname, folded (lower case,
accents removed), keyed (word, person_id) so a name prefix is an index range scan; it is filled
here for the people already stored. ``person.date_of_birth`` gains an index. No table is
rebuilt.

Revision ID: 50ca39cbd5d3
Revises: e05c05982583
Create Date: 2026-11-22 08:04:28.863087

"""

import re
import unicodedata

from alembic import op
import sqlalchemy as sa

import casework.db  # noqa: F401  (custom column types)


# revision identifiers, used by Alembic.
revision = "50ca39cbd5d3"
down_revision = "e05c05982583"
branch_labels = None
depends_on = None

BATCH = 5_000


def upgrade():
    op.create_table(
        "person_name_word",
        sa.Column(
            "word",
            sa.String(length=100).with_variant(sa.String(length=100, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_person_name_word_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("word", "person_id", name=op.f("pk_person_name_word")),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_person_name_word_person_word", "person_name_word", ["person_id", "word"], unique=False
    )
    op.create_index(op.f("ix_person_date_of_birth"), "person", ["date_of_birth"], unique=False)
    _fill_words()


def downgrade():
    op.drop_index(op.f("ix_person_date_of_birth"), table_name="person")
    op.drop_index("ix_person_name_word_person_word", table_name="person_name_word")
    op.drop_table("person_name_word")


# --- the words of the people already stored ---------------------------------------------------
# A frozen copy of casework.people.search_terms.name_words as it was when this revision was
# written, so the revision runs the same way whatever that module becomes (the migration test
# checks that the two agree).

_UNDECOMPOSED = str.maketrans(
    {"ł": "l", "đ": "d", "ð": "d", "ø": "o", "ħ": "h", "ŧ": "t", "ı": "i", "ŀ": "l"}
    | {"æ": "ae", "œ": "oe", "þ": "th", "ĳ": "ij"}
)
_JOINERS = set("'’‘ʼ`´" + "-‐‑‒–—")
_WORD_LENGTH = 100


def _fold(text):
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c)).translate(_UNDECOMPOSED)


def _name_words(*parts):
    words = []
    for part in parts:
        chunks, pieces, run = [], [], []
        for char in _fold(part or "") + " ":
            if char.isalnum():
                run.append(char)
                continue
            if run:
                pieces.append("".join(run))
                run = []
            if char not in _JOINERS and pieces:
                chunks.append(pieces)
                pieces = []
        for pieces in chunks:
            for word in ["".join(pieces)[:_WORD_LENGTH], *(p[:_WORD_LENGTH] for p in pieces[1:])]:
                if word not in words:
                    words.append(word)
    return words


def _fill_words():
    conn = op.get_bind()
    person = sa.table(
        "person",
        sa.column("id", sa.Integer),
        sa.column("forename", sa.String),
        sa.column("surname", sa.String),
        sa.column("merged_into_id", sa.Integer),
        sa.column("anonymised_at", sa.DateTime),
    )
    words = sa.table(
        "person_name_word", sa.column("word", sa.String), sa.column("person_id", sa.Integer)
    )
    after = None
    while True:
        query = (
            sa.select(person.c.id, person.c.forename, person.c.surname)
            .where(person.c.merged_into_id.is_(None), person.c.anonymised_at.is_(None))
            .order_by(person.c.id)
            .limit(BATCH)
        )
        if after is not None:
            query = query.where(person.c.id > after)
        rows = conn.execute(query).all()
        if not rows:
            return
        values = [
            {"word": word, "person_id": pid}
            for pid, forename, surname in rows
            for word in _name_words(forename, surname)
        ]
        if values:
            conn.execute(words.insert(), values)
        after = rows[-1].id
