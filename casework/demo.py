"""Synthetic demonstration data: generated people who do not exist, never real ones.

Phone numbers come from Ofcom's drama ranges (07700 900xxx, 0116 496 0xxx), emails use the
reserved example.org domain, and names are drawn at random from common lists.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime, timedelta

from casework.police_import import COLUMNS

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


def police_rows(count: int, *, received_on: date, seed: int = 2026):
    """Yield ``count`` synthetic police download rows (dicts), about 1 in 20 declined."""
    rng = random.Random(seed)
    for n in range(count):
        offence, group, flags = rng.choice(OFFENCES)
        town, district, npa = rng.choice(PLACES)
        method = rng.choice(METHODS)
        forename, surname = rng.choice(FORENAMES), rng.choice(SURNAMES)
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 70))
        occurred = received_on - timedelta(days=rng.randrange(1, 10))
        mobile = f"07700 900{rng.randrange(1000):03}"
        home = f"0116 496 0{rng.randrange(1000):03}"
        yield {
            "crime_reference": f"LC-{received_on:%Y%m%d}-{n + 1:06}",
            "offence": offence,
            "crime_group": group,
            "occurred_on": occurred.isoformat(),
            "forename": forename,
            "surname": surname,
            "date_of_birth": born.isoformat(),
            "gender": rng.choice("FM"),
            "ethnicity": rng.choice(ETHNICITIES),
            "address_line_1": f"{rng.randrange(1, 200)} {rng.choice(STREETS)}",
            "address_line_2": "",
            "town": town,
            "postcode": f"{district} {rng.randrange(10)}{rng.choice(LETTERS)}{rng.choice(LETTERS)}",
            "home_phone": home if method == "HOME_PHONE" or rng.random() < 0.2 else "",
            "mobile_phone": mobile if method != "HOME_PHONE" else "",
            "work_phone": "0116 496 0999" if method == "WORK_PHONE" else "",
            "email": f"{forename.lower()}.{n}@example.org" if method == "EMAIL" else "",
            "contact_method": method,
            "consent": "DECLINE" if rng.random() < 0.05 else "ACCEPT",
            "flags": flags + (";REFUSED_PHONE" if method == "IN_PERSON" else ""),
            "risk_notes": "",
            "npa": npa,
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
