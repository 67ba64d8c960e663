"""What a search box query is, and the words of a name as search compares them: pure rules."""

from datetime import date
from pathlib import Path

import pytest

from casework.people import search_terms as terms
from casework.people.search_terms import (
    QueryProblem,
    SearchQuery,
    fold,
    name_words,
    parse_query,
    prefix_end,
    query_prefixes,
)
from tests.unit.test_layering import PURE_FORBIDDEN, imported_roots

ROOT = Path(__file__).resolve().parents[4]


def test_the_query_rules_use_no_database_or_web_framework():
    assert not imported_roots(ROOT / "casework" / "people" / "search_terms.py") & (
        PURE_FORBIDDEN - {"casework"}
    )
    # and from casework only the pure normalisers of contact details
    assert not imported_roots(ROOT / "casework" / "people" / "contact_details.py") & PURE_FORBIDDEN


# --- folding and the words of a name -------------------------------------------------------


@pytest.mark.parametrize(
    "text,folded",
    [
        ("Zoë", "zoe"),
        ("ZOË", "zoe"),
        ("Zoe\u0308", "zoe"),  # the same letter written as e and a combining diaeresis
        ("Siobhán", "siobhan"),
        ("Wiśniewski", "wisniewski"),
        ("Łukasz", "lukasz"),
        ("Straße", "strasse"),
        ("Søren", "soren"),
        ("Ærøskøbing", "aeroskobing"),
        ("Œdipe", "oedipe"),
        ("Þór", "thor"),
        ("Đorđe", "dorde"),
        ("İlkay", "ilkay"),
        ("Çelik", "celik"),
        ("Nguyễn", "nguyen"),
        ("ﬁona", "fiona"),  # a ligature
        ("Ｓａｍ", "sam"),  # full-width letters
    ],
)
def test_a_name_is_folded_without_case_or_accents(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize(
    "forename,surname,words",
    [
        ("Aisha", "Rahman", ["aisha", "rahman"]),
        ("Zoë", "Brown", ["zoe", "brown"]),
        ("Mary Jane", "Smith-Jones", ["mary", "jane", "smithjones", "jones"]),
        ("Siobhán", "O'Brien", ["siobhan", "obrien", "brien"]),
        ("Siobhán", "O’Brien", ["siobhan", "obrien", "brien"]),  # a typographic apostrophe
        ("Anne-Marie", "D'Souza-Lee", ["annemarie", "marie", "dsouzalee", "souza", "lee"]),
        ("Jean", "St. John", ["jean", "st", "john"]),
        ("Anna", "Anna", ["anna"]),  # one word once
        ("  Ben  ", "  Lad ", ["ben", "lad"]),
        ("Ali", "Al—Hassan", ["ali", "alhassan", "hassan"]),  # an em dash joins like a hyphen
        ("محمد", "Khan", ["محمد", "khan"]),  # letters of any script are kept
        ("", "Smith", ["smith"]),
        ("'", "-", []),
        (None, None, []),
    ],
)
def test_the_words_of_a_name(forename, surname, words):
    assert name_words(forename, surname) == words


def test_a_word_longer_than_the_index_holds_is_cut():
    assert name_words("a" * 150, "") == ["a" * terms.WORD_LENGTH]
    assert query_prefixes("a" * 150) == ["a" * terms.WORD_LENGTH]


@pytest.mark.parametrize(
    "typed,prefixes",
    [
        ("zoe", ["zoe"]),
        ("Zoë Br", ["zoe", "br"]),
        ("o'b", ["ob"]),
        ("O’Brien", ["obrien"]),
        ("obrien", ["obrien"]),
        ("o brien", ["o", "brien"]),
        ("smith-jones", ["smith", "jones"]),
        ("smith–jones", ["smith", "jones"]),
        ("ai  rah", ["ai", "rah"]),
        ("rah ai", ["rah", "ai"]),
        ("ann ann", ["ann"]),
        ("st. john", ["st", "john"]),
    ],
)
def test_the_prefixes_a_typed_name_asks_for(typed, prefixes):
    assert query_prefixes(typed) == prefixes


# How a name typed finds a name stored: every prefix starts a word of the name.
@pytest.mark.parametrize(
    "typed,forename,surname,found",
    [
        ("zoe", "Zoë", "Brown", True),
        ("ZOË", "Zoe", "Brown", True),
        ("o'b", "Siobhán", "O'Brien", True),
        ("obrien", "Siobhán", "O'Brien", True),
        ("brien", "Siobhán", "O'Brien", True),
        ("o brien", "Siobhán", "O'Brien", True),
        ("sio o'b", "Siobhán", "O'Brien", True),
        ("smith", "Mary", "Smith-Jones", True),
        ("jones", "Mary", "Smith-Jones", True),
        ("smith-jones", "Mary", "Smith-Jones", True),
        ("smithj", "Mary", "Smith-Jones", True),
        ("mary-jane", "Mary Jane", "Smith", True),
        ("mary-jane", "Mary-Jane", "Smith", True),
        ("ai rah", "Aisha", "Rahman", True),
        ("rah ai", "Aisha", "Rahman", True),
        ("isha", "Aisha", "Rahman", False),  # the start of a word, not the middle
        ("ai ben", "Aisha", "Rahman", False),  # every word typed must match
        ("smithjones", "Mary", "Smith Jones", False),  # two words stay two words
    ],
)
def test_a_typed_name_finds_a_stored_name_by_the_start_of_its_words(
    typed, forename, surname, found
):
    words = name_words(forename, surname)
    query = parse_query(typed)
    assert query.kind == terms.NAME
    matches = all(
        any(prefix <= word < prefix_end(prefix) for word in words) for prefix in query.prefixes
    )
    assert matches is found


@pytest.mark.parametrize(
    "prefix,end",
    [("smi", "smj"), ("a", "b"), ("z", "{"), ("zo", "zp"), ("é", "ê"), ("a\U0010ffff", "b")],
)
def test_the_end_of_a_prefix_range(prefix, end):
    assert prefix_end(prefix) == end


def test_every_word_starting_with_a_prefix_falls_inside_its_range():
    for prefix in ("smi", "z", "o", "wis", "é", "محمد"):
        for word in (prefix, prefix + "a", prefix + "zzzz", prefix + "ÿ", prefix + "\U0010fffd"):
            assert prefix <= word < prefix_end(prefix)
    assert prefix_end("smi") <= "smj"
    assert "smh" < "smi"


# --- what kind of query ------------------------------------------------------------------

PHONE = "+447700900123"
LANDLINE = "+441164960123"


@pytest.mark.parametrize(
    "typed,expected",
    [
        # phone numbers in any written form
        ("07700 900123", SearchQuery("phone", value=PHONE)),
        ("07700900123", SearchQuery("phone", value=PHONE)),
        ("+44 7700 900123", SearchQuery("phone", value=PHONE)),
        ("+447700900123", SearchQuery("phone", value=PHONE)),
        ("0044 7700 900 123", SearchQuery("phone", value=PHONE)),
        ("07700-900-123", SearchQuery("phone", value=PHONE)),
        ("(07700) 900123", SearchQuery("phone", value=PHONE)),
        ("  07700 900123  ", SearchQuery("phone", value=PHONE)),
        ("(0116) 496 0123", SearchQuery("phone", value=LANDLINE)),
        ("0116 496 0123", SearchQuery("phone", value=LANDLINE)),
        ("+44 (0)116 496 0123", SearchQuery("phone", value=LANDLINE)),
        ("0116.496.0123", SearchQuery("phone", value=LANDLINE)),
        # emails, case ignored
        ("Aisha.Rahman@Example.ORG", SearchQuery("email", value="aisha.rahman@example.org")),
        ("  a@example.org ", SearchQuery("email", value="a@example.org")),
        # postcodes, any spacing or case
        ("LE2 1HL", SearchQuery("postcode", value="LE2 1HL")),
        ("le21hl", SearchQuery("postcode", value="LE2 1HL")),
        ("le2  1hl", SearchQuery("postcode", value="LE2 1HL")),
        ("SW1A 1AA", SearchQuery("postcode", value="SW1A 1AA")),
        # birth dates
        ("1985-03-12", SearchQuery("birth_date", born_on=date(1985, 3, 12))),
        ("12/03/1985", SearchQuery("birth_date", born_on=date(1985, 3, 12))),
        ("12/3/1985", SearchQuery("birth_date", born_on=date(1985, 3, 12))),
        ("12.03.1985", SearchQuery("birth_date", born_on=date(1985, 3, 12))),
        ("12-03-1985", SearchQuery("birth_date", born_on=date(1985, 3, 12))),
        ("12 March 1985", SearchQuery("birth_date", born_on=date(1985, 3, 12))),
        ("12 march 1985", SearchQuery("birth_date", born_on=date(1985, 3, 12))),
        ("12 Mar 1985", SearchQuery("birth_date", born_on=date(1985, 3, 12))),
        ("12th March 1985", SearchQuery("birth_date", born_on=date(1985, 3, 12))),
        ("1st Sept 1985", SearchQuery("birth_date", born_on=date(1985, 9, 1))),
        ("29/02/2000", SearchQuery("birth_date", born_on=date(2000, 2, 29))),
        # our references, with or without the hyphen, any case
        ("WP-ABCD2345", SearchQuery("referral_reference", value="WP-ABCD2345")),
        ("wp-abcd2345", SearchQuery("referral_reference", value="WP-ABCD2345")),
        ("WPABCD2345", SearchQuery("referral_reference", value="WP-ABCD2345")),
        ("WP ABCD 2345", SearchQuery("referral_reference", value="WP-ABCD2345")),
        ("WC-ABCD2345", SearchQuery("case_reference", value="WC-ABCD2345")),
        ("wc-abcd2345", SearchQuery("case_reference", value="WC-ABCD2345")),
        # crime references: anything else with a digit in it
        ("LC-20261120-0042", SearchQuery("crime_reference", value="LC-20261120-0042")),
        ("lc-20261120-0042", SearchQuery("crime_reference", value="lc-20261120-0042")),
        ("CR/12345/26", SearchQuery("crime_reference", value="CR/12345/26")),
        ("12345", SearchQuery("crime_reference", value="12345")),  # not a possible phone
        ("WP-AB12", SearchQuery("crime_reference", value="WP-AB12")),  # too short to be ours
        # names
        ("Zoë", SearchQuery("name", prefixes=("zoe",))),
        ("ai rah", SearchQuery("name", prefixes=("ai", "rah"))),
        ("  ai   rah ", SearchQuery("name", prefixes=("ai", "rah"))),
        ("o'b", SearchQuery("name", prefixes=("ob",))),
        ("a", SearchQuery("name", prefixes=("a",))),
        ("Smi\u200bth", SearchQuery("name", prefixes=("smith",))),  # a zero-width space dropped
        ("Smith\t", SearchQuery("name", prefixes=("smith",))),  # tabs are spaces
        (
            "<script>alert(1)</script>",
            SearchQuery("crime_reference", value="<script>alert(1)</script>"),
        ),
        ("' OR 1=1 --", SearchQuery("crime_reference", value="' OR 1=1 --")),
        ("{{7*7}}", SearchQuery("crime_reference", value="{{7*7}}")),
        ("%s%s%n", SearchQuery("name", prefixes=("s", "n"))),
        (
            "Robert'); DROP TABLE person",
            SearchQuery("name", prefixes=("robert", "drop", "table", "person")),
        ),
    ],
)
def test_what_kind_of_query_is_typed(typed, expected):
    assert parse_query(typed) == expected


@pytest.mark.parametrize(
    "typed,message",
    [
        (None, terms.ENTER_SOMETHING),
        ("", terms.ENTER_SOMETHING),
        ("   ", terms.ENTER_SOMETHING),
        ("!!!", terms.ENTER_SOMETHING),
        ("x" * 201, terms.TOO_LONG),
        ("x" * 100_000, terms.TOO_LONG),
        ("Smith\x00", terms.UNSEARCHABLE),
        ("Smith\x1b[31m", terms.UNSEARCHABLE),
        ("\x7f", terms.UNSEARCHABLE),
        ("Smith\ud800", terms.UNSEARCHABLE),  # a lone surrogate (bytes that were not UTF-8)
        ("\ue000", terms.UNSEARCHABLE),  # private use
        ("a@b", "Enter the whole email address, like name@example.org"),
        ("@example.org", "Enter the whole email address, like name@example.org"),
        ("12/03/85", "Write the year of birth in full, for example 12/03/1985"),
        ("31/02/1985", "That date of birth is not a real date: check the day and month"),
        ("1985-13-01", "That date of birth is not a real date: check the day and month"),
        ("00/00/0000", "A date of birth must have a year from 1900 to 2100"),
        ("12/03/1850", "A date of birth must have a year from 1900 to 2100"),
        ("a b c d e f g h i j k", "Search for a name with at most 10 words"),
    ],
)
def test_a_query_that_cannot_be_searched_says_why(typed, message):
    assert parse_query(typed) == QueryProblem(message)


def test_exactly_the_longest_query_is_searched():
    assert parse_query("a" * terms.MAX_QUERY_LENGTH).kind == terms.NAME
    assert isinstance(parse_query("a" * (terms.MAX_QUERY_LENGTH + 1)), QueryProblem)


def test_every_kind_has_words_for_the_page():
    kinds = {
        parse_query(text).kind
        for text in (
            "zoe",
            "WP-ABCD2345",
            "WC-ABCD2345",
            "LC-1",
            "07700 900123",
            "a@example.org",
            "LE2 1HL",
            "1985-03-12",
        )
    }
    assert kinds == set(terms.KINDS)
