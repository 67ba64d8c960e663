"""What a staff member typed into the search box, and the words of a name as search compares
them (DESIGN.md Stable interfaces: ``/search?q=TEXT``).

Pure: no database and no web framework (a unit test checks its imports), so every rule here is
tested as a plain function.

Names. A name is folded before it is compared: case and accents are ignored ("zoe" finds
"Zoë", "lukasz" finds "Łukasz", "strasse" finds "Straße"). Each word typed must start a word of
the person's forename or surname. Within a word of the name:

- an apostrophe joins: "O'Brien" is the word "obrien", so "o'b", "obr" and "obrien" find it;
  the part after the apostrophe is a word too, so "brien" finds it, as does "o brien";
- a hyphen joins the same way and its parts are words too: "Smith-Jones" is found by "smith",
  "jones", "smithj" and "smith-jones" (which is typed as the two words "smith" and "jones").

Anything else (a full stop, a comma) separates words. Any kind of apostrophe counts (' ’ ‘ ʼ `).

Everything else is matched whole: a referral reference (WP-XXXXXXXX) or case reference
(WC-XXXXXXXX), with or without the hyphen; a crime reference (any other text with a digit in
it, compared as written or in capitals); a UK phone number written any way; an email address
(case ignored); a postcode (any spacing or case); a birth date as 1985-03-12, 12/03/1985,
12.03.1985, 12-03-1985 or 12 March 1985 (12 Mar 1985, 12th March 1985).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from casework.people.contact_details import normalise_email, normalise_phone, normalise_postcode

MAX_QUERY_LENGTH = 200
MAX_NAME_WORDS = 10
WORD_LENGTH = 100  # the longest word the index holds; longer words and prefixes are cut
MIN_YEAR, MAX_YEAR = 1900, 2100

# The kinds of query, as the audit trail records them (never the text typed).
NAME = "name"
REFERRAL_REFERENCE = "referral_reference"
CASE_REFERENCE = "case_reference"
CRIME_REFERENCE = "crime_reference"
PHONE = "phone"
EMAIL = "email"
POSTCODE = "postcode"
BIRTH_DATE = "birth_date"
KINDS = {
    NAME: "name",
    REFERRAL_REFERENCE: "referral reference",
    CASE_REFERENCE: "case reference",
    CRIME_REFERENCE: "crime reference",
    PHONE: "phone number",
    EMAIL: "email address",
    POSTCODE: "postcode",
    BIRTH_DATE: "date of birth",
}

ENTER_SOMETHING = (
    "Enter a name, a reference, a phone number, an email address, a postcode or a date of birth"
)
TOO_LONG = f"Search for at most {MAX_QUERY_LENGTH} characters"
UNSEARCHABLE = (
    "The search contained a character that cannot be searched for. Remove it and try again"
)


@dataclass(frozen=True)
class SearchQuery:
    """A query understood: its kind, and the folded name prefixes or the exact value sought."""

    kind: str
    prefixes: tuple[str, ...] = ()
    value: str | None = None
    born_on: date | None = None


@dataclass(frozen=True)
class QueryProblem:
    """Why a query cannot be searched for, in words for the person who typed it."""

    message: str


# --- folding names -------------------------------------------------------------------------

# Letters NFKD does not take apart into a base letter and an accent.
_UNDECOMPOSED = str.maketrans(
    {"ł": "l", "đ": "d", "ð": "d", "ø": "o", "ħ": "h", "ŧ": "t", "ı": "i", "ŀ": "l"}
    | {"æ": "ae", "œ": "oe", "þ": "th", "ĳ": "ij"}
)
APOSTROPHES = "'’‘ʼ`´"
HYPHENS = "-‐‑‒–—"
_JOINERS = set(APOSTROPHES + HYPHENS)


def fold(text: str) -> str:
    """``text`` with case and accents removed, as names are compared ("Zoë" -> "zoe")."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c)).translate(_UNDECOMPOSED)


def _chunks(folded: str) -> list[list[str]]:
    """Runs of letters and digits, grouped into chunks that apostrophes and hyphens join."""
    chunks: list[list[str]] = []
    pieces: list[str] = []
    run: list[str] = []
    for char in folded + " ":
        if char.isalnum():
            run.append(char)
            continue
        if run:
            pieces.append("".join(run))
            run = []
        if char not in _JOINERS and pieces:
            chunks.append(pieces)
            pieces = []
    return chunks


@lru_cache(maxsize=65536)
def _part_words(part: str) -> tuple[str, ...]:
    """The words of one part of a name (forenames or surname), remembered: an import folds the
    same common names over and over."""
    words: list[str] = []
    for pieces in _chunks(fold(part)):
        for word in ["".join(pieces)[:WORD_LENGTH], *(p[:WORD_LENGTH] for p in pieces[1:])]:
            if word not in words:
                words.append(word)
    return tuple(words)


def name_words(*parts: str | None) -> list[str]:
    """The words of a name as the search index holds them: folded, each joined word and the
    parts after its apostrophes and hyphens, without repeats ("Siobhán O'Brien-Smith" ->
    ["siobhan", "obriensmith", "brien", "smith"])."""
    words: list[str] = []
    for part in parts:
        for word in _part_words(part or ""):
            if word not in words:
                words.append(word)
    return words


def query_prefixes(text: str) -> list[str]:
    """The prefixes a typed name asks for: one per word, apostrophes joining, hyphens
    separating ("o'b smith-j" -> ["ob", "smith", "j"])."""
    prefixes: list[str] = []
    for pieces in _chunks(fold(text).translate({ord(h): " " for h in HYPHENS})):
        prefix = "".join(pieces)[:WORD_LENGTH]
        if prefix not in prefixes:
            prefixes.append(prefix)
    return prefixes


def prefix_end(prefix: str) -> str:
    """The first string after every string that starts with ``prefix`` (in code point order,
    as SQLite and PostgreSQL's "C" collation compare): ``word >= prefix AND word <
    prefix_end(prefix)`` is a range an index answers, where LIKE often is not."""
    while prefix and ord(prefix[-1]) == 0x10FFFF:
        prefix = prefix[:-1]
    if not prefix:
        return chr(0x10FFFF)
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


# --- what kind of query ------------------------------------------------------------------

_OUR_REFERENCE = re.compile(r"(WP|WC)-?([A-Z0-9]{8})")
_PHONE_SHAPE = re.compile(r"\+?[0-9]{6,}")
_PHONE_PUNCTUATION = str.maketrans("", "", " -().\u00a0")
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_UK_DATE = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{2}|\d{4})")
_WORDS_DATE = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{2}|\d{4})")


def _birth_date(text: str) -> SearchQuery | QueryProblem | None:
    """A birth date in one of the accepted forms; a problem for one that looks like a date but
    is not a real one; None for anything else."""
    lowered = text.lower()
    if match := _ISO_DATE.fullmatch(lowered):
        year, month, day = (int(g) for g in match.groups())
        year_text = match.group(1)
    elif match := _UK_DATE.fullmatch(lowered):
        day, month, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
        year_text = match.group(4)
    elif (match := _WORDS_DATE.fullmatch(lowered)) and match.group(2) in MONTHS:
        day, month, year = int(match.group(1)), MONTHS[match.group(2)], int(match.group(3))
        year_text = match.group(3)
    else:
        return None
    if len(year_text) == 2:
        return QueryProblem("Write the year of birth in full, for example 12/03/1985")
    if not MIN_YEAR <= year <= MAX_YEAR:
        return QueryProblem(f"A date of birth must have a year from {MIN_YEAR} to {MAX_YEAR}")
    try:
        return SearchQuery(BIRTH_DATE, born_on=date(year, month, day))
    except ValueError:
        return QueryProblem("That date of birth is not a real date: check the day and month")


def _unsearchable(text: str) -> bool:
    return any(
        unicodedata.category(c) in {"Cc", "Cs", "Co", "Cn"} and not c.isspace() for c in text
    )


def parse_query(raw: str | None) -> SearchQuery | QueryProblem:
    """What kind of search ``raw`` asks for (DESIGN.md Stable interfaces, ``/search``): an
    email address, one of our references, a birth date, a postcode, a phone number, a crime
    reference (any other text with a digit), or else a name; or why it cannot be searched."""
    raw = raw or ""
    if len(raw) > MAX_QUERY_LENGTH:
        return QueryProblem(TOO_LONG)
    if _unsearchable(raw):
        return QueryProblem(UNSEARCHABLE)
    # Invisible formatting (a zero-width space or soft hyphen pasted with a name) is dropped.
    text = " ".join("".join(c for c in raw if unicodedata.category(c) != "Cf").split())
    if not text:
        return QueryProblem(ENTER_SOMETHING)
    compact = "".join(text.split())
    if "@" in text:
        email, _ = normalise_email(text)
        if email is None:
            return QueryProblem("Enter the whole email address, like name@example.org")
        return SearchQuery(EMAIL, value=email)
    if match := _OUR_REFERENCE.fullmatch(compact.upper()):
        kind = REFERRAL_REFERENCE if match.group(1) == "WP" else CASE_REFERENCE
        return SearchQuery(kind, value=f"{match.group(1)}-{match.group(2)}")
    if born := _birth_date(text):
        return born
    postcode, _ = normalise_postcode(text)
    if postcode:
        return SearchQuery(POSTCODE, value=postcode)
    if _PHONE_SHAPE.fullmatch(text.translate(_PHONE_PUNCTUATION)):
        phone, _ = normalise_phone(text)
        if phone:
            return SearchQuery(PHONE, value=phone)
    if any(c.isdigit() for c in text):
        return SearchQuery(CRIME_REFERENCE, value=text)
    prefixes = query_prefixes(text)
    if not prefixes:
        return QueryProblem(ENTER_SOMETHING)
    if len(prefixes) > MAX_NAME_WORDS:
        return QueryProblem(f"Search for a name with at most {MAX_NAME_WORDS} words")
    return SearchQuery(NAME, prefixes=tuple(prefixes))
