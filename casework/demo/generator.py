"""Synthetic demonstration data: generated people who do not exist, never real ones.

Phone numbers come from Ofcom's drama ranges (07700 900xxx, 0116 496 0xxx), emails use the
reserved example.org domain, and names are drawn at random from common lists.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime, timedelta

from casework.referrals.police_import import COLUMNS

FORENAMES = [
    "Aisha",
    "Ben",
    "Chloe",
    "Dean",
    "Ewa",
    "Farhan",
    "Grace",
    "Harjit",
    "Imani",
    "Jack",
    "Kasia",
    "Leon",
    "Maya",
    "Nadia",
    "Owen",
    "Priya",
    "Quinn",
    "Rosa",
    "Sanjay",
    "Tomasz",
    "Uma",
    "Vikram",
    "Wendy",
    "Yusuf",
    "Zara",
    "Callum",
    "Ellie",
    "Hamza",
    "Jasmine",
    "Liam",
    "Mohammed",
    "Olivia",
    "Ruby",
    "Sofia",
    "Theo",
]
SURNAMES = [
    "Rahman",
    "Marsh",
    "Oduya",
    "Wiśniewski",
    "Lad",
    "Pears",
    "Blake",
    "Patel",
    "Smith",
    "Jones",
    "Khan",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Evans",
    "Mistry",
    "Nowak",
    "Okafor",
    "Hughes",
    "Ahmed",
    "Begum",
    "Green",
    "Hall",
    "Chauhan",
    "Kowalski",
    "Mensah",
    "Osei",
    "Singh",
    "Walker",
]
STREETS = [
    "Evington Road",
    "Carlton Close",
    "Mill Lane",
    "Oxford Street",
    "Narborough Road",
    "Station Road",
    "Queens Road",
    "London Road",
    "Melton Road",
    "Uppingham Road",
]
PLACES = [
    ("Leicester", "LE2", "Leicester East"),
    ("Leicester", "LE3", "Leicester West"),
    ("Loughborough", "LE11", "Charnwood"),
    ("Oakham", "LE15", "Rutland"),
    ("Hinckley", "LE10", "Hinckley and Bosworth"),
    ("Melton Mowbray", "LE13", "Melton"),
    ("Leicester", "LE5", "Leicester Central"),
    ("Wigston", "LE18", "Oadby and Wigston"),
]
OFFENCES = [
    ("Theft of pedal cycle", "Bicycle theft", ""),
    ("Burglary dwelling", "Burglary", ""),
    ("Criminal damage to vehicle", "Criminal damage and arson", ""),
    ("Theft from the person", "Theft from the person", ""),
    ("Fraud by false representation", "Other crime", ""),
    ("Assault occasioning actual bodily harm", "Violence and sexual offences", ""),
    (
        "Assault occasioning actual bodily harm",
        "Violence and sexual offences",
        "DOMESTIC_ABUSE;INTIMIDATED",
    ),
    ("Racially aggravated public order offence", "Public order", "HATE_CRIME"),
    ("Harassment without violence", "Public order", "PERSISTENTLY_TARGETED"),
    ("Sexual assault on a female", "Violence and sexual offences", "SEXUAL_OFFENCE"),
    ("Robbery of personal property", "Robbery", "VULNERABLE"),
    ("Theft from motor vehicle", "Vehicle crime", "REPEAT_VICTIM"),
    ("Anti-social behaviour", "Anti-social behaviour", ""),
]
METHODS = (
    ["MOBILE_PHONE"] * 6 + ["HOME_PHONE"] * 2 + ["EMAIL", "SMS", "POST", "WORK_PHONE", "IN_PERSON"]
)
ETHNICITIES = ["W1", "W2", "W9", "A1", "A2", "A3", "B1", "B2", "M1", "O9", "NS"]
LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


# Ofcom's drama ranges for landlines (1,000 numbers each), so households can have their own.
LANDLINE_RANGES = [
    "0113 496 0",
    "0114 496 0",
    "0115 496 0",
    "0116 496 0",
    "0117 496 0",
    "0118 496 0",
    "0121 496 0",
    "0131 496 0",
    "0141 496 0",
    "0151 496 0",
    "0161 496 0",
    "0191 498 0",
    "020 7946 0",
    "029 2018 0",
    "01632 960",
]
HOSTEL_PHONE = "0116 496 0000"  # one number on 1 row in 20: a hostel's or a refuge's
PLACEHOLDER = ("John", "Smith", "1900-01-01")  # 2% of rows: a common name, no real birth date


def _landline(household: int) -> str:
    """A household's landline: never one ending 000, so never the hostel's."""
    number = household % (len(LANDLINE_RANGES) * 999)
    return f"{LANDLINE_RANGES[number // 999]}{number % 999 + 1:03}"


def police_rows(count: int, *, received_on: date, seed: int = 2026):
    """Yield ``count`` synthetic police download rows (dicts) shaped like real downloads.

    About 1 in 20 declined; about a third are repeat victims (an earlier row's person again,
    for another crime); two people share each household landline; 2% are a common name with
    the placeholder birth date 1900-01-01; 1 row in 20 gives the same hostel phone (5,000 in
    100,000 rows). Mobiles come from Ofcom's 1,000-number drama range, so in a large file
    each is shared by many rows, like the hostel phone.
    """
    rng = random.Random(seed)
    people: list[dict] = []
    for n in range(count):
        offence, group, flags = rng.choice(OFFENCES)
        method = rng.choice(METHODS)
        occurred = received_on - timedelta(days=rng.randrange(1, 10))
        if people and rng.random() < 1 / 3:
            person = rng.choice(people)  # a repeat victim
        else:
            place = rng.choice(PLACES)
            forename, surname = rng.choice(FORENAMES), rng.choice(SURNAMES)
            born = (date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 70))).isoformat()
            if rng.random() < 0.02:
                forename, surname, born = PLACEHOLDER
            number = len(people)
            person = {
                "forename": forename,
                "surname": surname,
                "date_of_birth": born,
                "gender": rng.choice("FM"),
                "ethnicity": rng.choice(ETHNICITIES),
                "address_line_1": f"{rng.randrange(1, 200)} {rng.choice(STREETS)}",
                "town": place[0],
                "postcode": f"{place[1]} {rng.randrange(10)}{rng.choice(LETTERS)}"
                f"{rng.choice(LETTERS)}",
                "npa": place[2],
                "home_phone": _landline(number // 2),  # two people to a household
                "mobile_phone": f"07700 900{rng.randrange(1000):03}",
                "email": (
                    f"person.{number}@example.org" if rng.random() < 0.6 else ""
                ),  # the number keeps it unique without repeating a name
            }
            people.append(person)
        hostel = n % 20 == 7
        yield {
            "crime_reference": f"LC-{received_on:%Y%m%d}-{n + 1:06}",
            "offence": offence,
            "crime_group": group,
            "occurred_on": occurred.isoformat(),
            "forename": person["forename"],
            "surname": person["surname"],
            "date_of_birth": person["date_of_birth"],
            "gender": person["gender"],
            "ethnicity": person["ethnicity"],
            "address_line_1": person["address_line_1"],
            "address_line_2": "",
            "town": person["town"],
            "postcode": person["postcode"],
            "home_phone": HOSTEL_PHONE if hostel else person["home_phone"],
            "mobile_phone": person["mobile_phone"] if method != "HOME_PHONE" else "",
            "work_phone": "0116 496 0999" if method == "WORK_PHONE" else "",
            "email": person["email"] or (f"contact.{n}@example.org" if method == "EMAIL" else ""),
            "contact_method": method,
            "consent": "DECLINE" if rng.random() < 0.05 else "ACCEPT",
            "flags": flags + (";REFUSED_PHONE" if method == "IN_PERSON" else ""),
            "risk_notes": "",
            "npa": person["npa"],
            "officer": f"PC {rng.randrange(100, 4000)}",
        }


def police_csv(count: int, *, received_on: date, seed: int = 2026) -> str:
    """A whole synthetic police download as CSV text."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(police_rows(count, received_on=received_on, seed=seed))
    return out.getvalue()


def received_today_at_seven(now: datetime) -> datetime:
    """The demo's download 'arrives' at 07:00 UTC today, as a morning batch would."""
    return now.replace(hour=7, minute=0, second=0, microsecond=0)
