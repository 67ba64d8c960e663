"""The protected characteristics: police codes onto ONS 2021 groups, age bands, validation."""

from datetime import date

import pytest

from triage import equality
from triage.equality import PREFER_NOT_TO_SAY


@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("W1", "white_british"),
        ("w2", "white_irish"),
        (" W3 ", "white_gypsy_traveller"),
        ("W4", "white_roma"),
        ("A3", "asian_bangladeshi"),
        ("A4", "asian_chinese"),
        ("B1", "black_caribbean"),
        ("B2", "black_african"),
        ("B9", "black_other"),
        ("M1", "mixed_white_black_caribbean"),
        ("O2", "arab"),
        ("O9", "other"),
        ("NS", None),  # "not stated" does not say they chose not to say
        ("", None),
        (None, None),
        ("Z7", None),
        ("W1; DROP TABLE", None),
    ],
)
def test_police_ethnicity_codes_map_onto_ons_2021_groups(code, group):
    assert equality.ethnic_group_from_police(code) == group


def test_every_police_ethnicity_code_maps_to_a_group_we_ask_about():
    assert set(equality.POLICE_ETHNICITY.values()) <= set(equality.ETHNIC_GROUPS)


@pytest.mark.parametrize(
    ("code", "sex"),
    [("F", "female"), ("m", "male"), ("Female", "female"), ("U", None), ("X", None), ("", None)],
)
def test_police_gender_codes_map_onto_sex(code, sex):
    assert equality.sex_from_police(code) == sex


@pytest.mark.parametrize(
    ("born", "today", "band"),
    [
        (date(2008, 11, 23), date(2026, 11, 22), "under_18"),  # 18 tomorrow
        (date(2008, 11, 22), date(2026, 11, 22), "18_24"),  # 18 today
        (date(2008, 2, 29), date(2026, 2, 28), "under_18"),  # leap-day birthday not yet
        (date(1992, 1, 1), date(2026, 11, 22), "25_34"),
        (date(1961, 11, 22), date(2026, 11, 22), "65_74"),
        (date(1930, 1, 1), date(2026, 11, 22), "75_plus"),
    ],
)
def test_age_band_from_date_of_birth(born, today, band):
    assert equality.age_band(born, today) == band


def test_every_answer_or_prefer_not_to_say_or_blank_is_accepted():
    answers = dict.fromkeys(equality.FIELDS, PREFER_NOT_TO_SAY)
    assert equality.problems(answers) == {}
    assert equality.problems({"sex": "", "religion": None, "age_band": "65_74"}) == {}


def test_answers_that_are_not_choices_are_problems_against_their_field():
    found = equality.problems({"sex": "W1", "not_a_question": "yes"})
    assert set(found) == {"sex", "not_a_question"}


def test_not_asked_and_prefer_not_to_say_read_differently():
    assert equality.describe("religion", None) == "Not asked yet"
    assert equality.describe("religion", PREFER_NOT_TO_SAY) == "Prefer not to say"
    assert equality.describe_age(None, date(2000, 1, 1), date(2026, 11, 22)).startswith("25 to 34")
    assert equality.describe_age("18_24", None, date(2026, 11, 22)) == "18 to 24"


@pytest.mark.parametrize(
    ("field", "text", "code"),
    [
        ("ethnic_group", "Irish", "white_irish"),
        ("ethnic_group", "white: irish", "white_irish"),
        ("sex", "  Prefer   not to say ", PREFER_NOT_TO_SAY),
        ("religion", "muslim", "muslim"),
        ("religion", "Jedi", None),
    ],
)
def test_emailed_answers_are_read_by_code_or_words(field, text, code):
    assert equality.from_words(field, text) == code
