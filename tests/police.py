"""Building police downloads for tests, in the DESIGN.md format."""

import csv
import io

from casework.referrals.police_import import COLUMNS

SAMPLE = "tests/fixtures/police-download-example.csv"  # a copy of shared/samples


def police_row(**fields) -> dict:
    """A valid, accepted row for a synthetic adult victim; override any column."""
    row = {
        "crime_reference": "LC-20261120-0100",
        "offence": "Theft from motor vehicle",
        "crime_group": "Vehicle crime",
        "occurred_on": "2026-11-18",
        "forename": "Alex",
        "surname": "Example",
        "date_of_birth": "1980-05-05",
        "gender": "F",
        "ethnicity": "W1",
        "address_line_1": "1 Test Street",
        "address_line_2": "",
        "town": "Leicester",
        "postcode": "LE1 1AA",
        "home_phone": "",
        "mobile_phone": "07700 900100",
        "work_phone": "",
        "email": "",
        "contact_method": "MOBILE_PHONE",
        "consent": "ACCEPT",
        "flags": "",
        "risk_notes": "",
        "npa": "Leicester Central",
        "officer": "PC 1",
    }
    row.update(fields)
    return row


def police_csv(*rows: dict, columns=COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode()


def import_rows(app, *rows: dict, received, **options):
    """Import these rows as one police download received at ``received``, as the CLI would
    (``options``: the import's own, such as ``match_key_limit``)."""
    from casework.audit import Origin
    from casework.db import db
    from casework.referrals.police_import import import_police_download
    from scheduling.service_calendars import victim_calendar

    return import_police_download(
        db.session,
        police_csv(*rows),
        filename="t.csv",
        received_at=received,
        calendar=victim_calendar(app.config),
        origin=Origin.command_line("test"),
        now=received,
        **options,
    )


def referral_by_crime(crime_reference: str):
    """The referral imported with this crime reference, read fresh from the database."""
    import sqlalchemy as sa

    from casework.db import db
    from casework.referrals.models import Referral

    db.session.rollback()
    return db.session.scalars(
        sa.select(Referral).where(Referral.crime_reference == crime_reference)
    ).one()
