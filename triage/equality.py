"""The nine protected characteristics of the Equality Act 2010, as a person may tell us them
(spec 7: "breakdown of referrals against the 9 protected equality characteristics").

Every answer is optional. ``None`` means we have not asked (or they skipped the question);
PREFER_NOT_TO_SAY means they were asked and chose not to say: the quarterly report counts the
two apart. The wording follows the ONS 2021 Census questions, so the figures can be compared
with the local population. Race uses the ONS 2021 ethnic groups; police downloads send the
self-defined ethnicity (18+1) code and a sex code, which map onto them here.

Pure: no clock, no database.
"""

from __future__ import annotations

from datetime import date

PREFER_NOT_TO_SAY = "prefer_not_to_say"
NOT_ASKED = "Not asked yet"

AGE_BANDS = {
    "under_18": "Under 18",
    "18_24": "18 to 24",
    "25_34": "25 to 34",
    "35_44": "35 to 44",
    "45_54": "45 to 54",
    "55_64": "55 to 64",
    "65_74": "65 to 74",
    "75_plus": "75 or over",
}

# ONS 2021 Census ethnic groups: (heading, {code: words}).
ETHNIC_GROUP_HEADINGS = (
    (
        "Asian, Asian British or Asian Welsh",
        {
            "asian_bangladeshi": "Bangladeshi",
            "asian_chinese": "Chinese",
            "asian_indian": "Indian",
            "asian_pakistani": "Pakistani",
            "asian_other": "Any other Asian background",
        },
    ),
    (
        "Black, Black British, Black Welsh, Caribbean or African",
        {
            "black_african": "African",
            "black_caribbean": "Caribbean",
            "black_other": "Any other Black, Black British or Caribbean background",
        },
    ),
    (
        "Mixed or multiple ethnic groups",
        {
            "mixed_white_asian": "White and Asian",
            "mixed_white_black_african": "White and Black African",
            "mixed_white_black_caribbean": "White and Black Caribbean",
            "mixed_other": "Any other Mixed or multiple ethnic background",
        },
    ),
    (
        "White",
        {
            "white_british": "English, Welsh, Scottish, Northern Irish or British",
            "white_irish": "Irish",
            "white_gypsy_traveller": "Gypsy or Irish Traveller",
            "white_roma": "Roma",
            "white_other": "Any other White background",
        },
    ),
    (
        "Other ethnic group",
        {
            "arab": "Arab",
            "other": "Any other ethnic group",
        },
    ),
)
ETHNIC_GROUP_WORDS = {
    code: words for _, groups in ETHNIC_GROUP_HEADINGS for code, words in groups.items()
}
ETHNIC_GROUPS = {
    code: f"{heading}: {words}"
    for heading, groups in ETHNIC_GROUP_HEADINGS
    for code, words in groups.items()
}

# Each characteristic: the answers a person may give (PREFER_NOT_TO_SAY is added to each).
CHARACTERISTICS: dict[str, dict[str, str]] = {
    "age_band": AGE_BANDS,
    "disability": {"yes": "Yes", "no": "No"},
    "gender_reassignment": {
        "same": "Yes, the same as the sex registered at birth",
        "different": "No, different from the sex registered at birth",
    },
    "marital_status": {
        "never_married": "Never married and never in a civil partnership",
        "married": "Married",
        "civil_partnership": "In a civil partnership",
        "separated": "Separated, but still legally married or in a civil partnership",
        "divorced": "Divorced or civil partnership dissolved",
        "widowed": "Widowed or surviving civil partner",
    },
    "pregnancy_maternity": {
        "pregnant": "Pregnant",
        "recent_birth": "Given birth in the last 26 weeks",
        "neither": "Neither",
    },
    "ethnic_group": ETHNIC_GROUPS,
    "religion": {
        "none": "No religion",
        "christian": "Christian",
        "buddhist": "Buddhist",
        "hindu": "Hindu",
        "jewish": "Jewish",
        "muslim": "Muslim",
        "sikh": "Sikh",
        "other": "Any other religion",
    },
    "sex": {"female": "Female", "male": "Male"},
    "sexual_orientation": {
        "straight": "Straight or heterosexual",
        "gay_lesbian": "Gay or lesbian",
        "bisexual": "Bisexual",
        "other": "Another sexual orientation",
    },
}

# The Equality Act's names for them, in the Act's order, for pages and reports.
CHARACTERISTIC_NAMES = {
    "age_band": "Age",
    "disability": "Disability",
    "gender_reassignment": "Gender reassignment",
    "marital_status": "Marriage and civil partnership",
    "pregnancy_maternity": "Pregnancy and maternity",
    "ethnic_group": "Race (ethnic group)",
    "religion": "Religion or belief",
    "sex": "Sex",
    "sexual_orientation": "Sexual orientation",
}
FIELDS = tuple(CHARACTERISTICS)

# Police self-defined ethnicity codes (the 18+1 list, with W4 Roma of the 2021 update) onto the
# ONS 2021 groups. "NS" (not stated) does not say the person chose not to say, so it stays
# not asked, as does any code not listed.
POLICE_ETHNICITY = {
    "W1": "white_british",
    "W2": "white_irish",
    "W3": "white_gypsy_traveller",
    "W4": "white_roma",
    "W9": "white_other",
    "M1": "mixed_white_black_caribbean",
    "M2": "mixed_white_black_african",
    "M3": "mixed_white_asian",
    "M9": "mixed_other",
    "A1": "asian_indian",
    "A2": "asian_pakistani",
    "A3": "asian_bangladeshi",
    "A4": "asian_chinese",
    "A9": "asian_other",
    "B1": "black_caribbean",
    "B2": "black_african",
    "B3": "black_other",
    "B9": "black_other",
    "O1": "asian_chinese",
    "O2": "arab",
    "O9": "other",
}
# Police sex codes. Unknown or indeterminate ("U", "X", blank) stays not asked.
POLICE_SEX = {"F": "female", "M": "male", "FEMALE": "female", "MALE": "male"}


def choices(field: str) -> dict[str, str]:
    """The answers to one characteristic's question, with "Prefer not to say" last."""
    return {**CHARACTERISTICS[field], PREFER_NOT_TO_SAY: "Prefer not to say"}


def ethnic_group_from_police(code: str | None) -> str | None:
    """The ONS 2021 group for a police self-defined ethnicity code; None (not asked) when the
    code is empty, "not stated" or one we do not know."""
    return POLICE_ETHNICITY.get((code or "").strip().upper())


def sex_from_police(code: str | None) -> str | None:
    """Female or male from the police gender column; None for anything else."""
    return POLICE_SEX.get((code or "").strip().upper())


def age_band(date_of_birth: date, today: date) -> str:
    """The age band someone born on ``date_of_birth`` is in on ``today``."""
    years = today.year - date_of_birth.year
    if (today.month, today.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    if years < 18:
        return "under_18"
    for band, upper in (("18_24", 24), ("25_34", 34), ("35_44", 44), ("45_54", 54)):
        if years <= upper:
            return band
    if years <= 64:
        return "55_64"
    return "65_74" if years <= 74 else "75_plus"


def problems(answers: dict[str, str | None]) -> dict[str, str]:
    """Answers that are not one of the question's choices, as messages against their field.
    A missing or empty answer is fine: every question is optional."""
    found = {}
    for field, value in answers.items():
        if field not in CHARACTERISTICS:
            found[field] = "This question is not one we ask"
        elif value and value not in choices(field):
            found[field] = "Select one of the answers, or leave the question out"
    return found


def clean(answers: dict[str, str | None]) -> dict[str, str | None]:
    """Every characteristic, with an empty answer as None (not asked)."""
    return {field: (answers.get(field) or None) for field in FIELDS}


def from_words(field: str, text: str) -> str | None:
    """The answer whose code or words (any case) ``text`` is; for ethnic group the words
    without their heading will do ("Irish"). None when it is none of them."""
    text = " ".join((text or "").split()).lower()
    extra = ETHNIC_GROUP_WORDS if field == "ethnic_group" else {}
    for answers in (choices(field), extra):
        for code, words in answers.items():
            if text in (code, words.lower()):
                return code
    return None


def describe(field: str, value: str | None) -> str:
    """An answer in words for staff: "Not asked yet", "Prefer not to say" or the answer."""
    if value is None:
        return NOT_ASKED
    return choices(field).get(value, NOT_ASKED)


def describe_age(value: str | None, date_of_birth: date | None, today: date) -> str:
    """Age in words: from the date of birth when there is one, else the band they gave."""
    if date_of_birth is not None:
        return AGE_BANDS[age_band(date_of_birth, today)] + " (from date of birth)"
    return describe("age_band", value)
