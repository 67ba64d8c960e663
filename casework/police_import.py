"""The police daily download (DESIGN.md Data formats): read, check, import all-or-nothing.

Declined rows are refused and nothing personal is kept from them. A malformed row is rejected
with its line number (the header is line 1) and a reason that never repeats the row's data;
the rest import. A row already imported (same crime reference and victim) is a duplicate and
changes nothing. The whole file is one transaction: a crash leaves none of it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

from casework.audit import Origin, record_event
from casework.contact_details import normalise_email, normalise_phone, normalise_postcode
from casework.intake import NewReferral, existing_keys, police_dedupe_key, store_referrals
from casework.referral import ImportBatch
from triage.deadlines import CONTACT_METHODS
from triage.enhanced import POLICE_FLAGS

COLUMNS = [
    "crime_reference",
    "offence",
    "crime_group",
    "occurred_on",
    "forename",
    "surname",
    "date_of_birth",
    "gender",
    "ethnicity",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "home_phone",
    "mobile_phone",
    "work_phone",
    "email",
    "contact_method",
    "consent",
    "flags",
    "risk_notes",
    "npa",
    "officer",
]
CRIME_GROUPS = frozenset(
    {
        "Anti-social behaviour",
        "Bicycle theft",
        "Burglary",
        "Criminal damage and arson",
        "Drugs",
        "Other crime",
        "Other theft",
        "Possession of weapons",
        "Public order",
        "Robbery",
        "Shoplifting",
        "Theft from the person",
        "Vehicle crime",
        "Violence and sexual offences",
    }
)
ETHNICITY_CODES = frozenset(
    {
        "W1",
        "W2",
        "W3",
        "W4",
        "W9",
        "M1",
        "M2",
        "M3",
        "M9",
        "A1",
        "A2",
        "A3",
        "A4",
        "A9",
        "B1",
        "B2",
        "B3",
        "B9",
        "O2",
        "O9",
        "NS",
    }
)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LIMITS = {
    "crime_reference": 40,
    "offence": 200,
    "forename": 100,
    "surname": 100,
    "gender": 20,
    "address_line_1": 200,
    "address_line_2": 200,
    "town": 100,
    "npa": 100,
    "officer": 100,
    "risk_notes": 2000,
}


class FileError(Exception):
    """The file as a whole cannot be read; nothing is imported."""


class RowError(Exception):
    """One row is refused; the reason never contains the row's personal data."""


@dataclass
class ImportResult:
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    rejections: list[dict] = field(default_factory=list)
    batch_id: int | None = None

    def as_json(self) -> dict:
        """Exactly the contract in DESIGN.md Stable interfaces."""
        return {
            "imported": self.imported,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "rejections": self.rejections,
        }


def _date(value: str, column: str, *, required: bool) -> date | None:
    value = value.strip()
    if not value:
        if required:
            raise RowError(f"{column} is missing")
        return None
    if not ISO_DATE.match(value):
        raise RowError(f"{column} is not a date in the form YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RowError(f"{column} is not a real date") from None


def parse_row(values: dict[str, str], received_on: date) -> NewReferral:
    """Check one row (each column's text, stripped) and return the referral it describes, or
    raise RowError."""
    consent = values["consent"].upper()
    if consent == "DECLINE":
        raise RowError("victim declined referral; refused and no personal data kept")
    if consent != "ACCEPT":
        raise RowError("consent must be ACCEPT or DECLINE")
    for column in ("crime_reference", "offence", "forename", "surname"):
        if not values[column]:
            raise RowError(f"{column} is missing")
    for column, limit in LIMITS.items():
        if len(values[column]) > limit:
            raise RowError(f"{column} is longer than {limit} characters")
    if values["crime_group"] not in CRIME_GROUPS:
        raise RowError("crime_group is not one of the data.police.uk categories")
    method = values["contact_method"].upper()
    if method not in CONTACT_METHODS:
        raise RowError("contact_method is not one of " + ", ".join(CONTACT_METHODS))
    flags = _flags(values["flags"]) if values["flags"] else ()
    occurred_on = _date(values["occurred_on"], "occurred_on", required=True)
    date_of_birth = _date(values["date_of_birth"], "date_of_birth", required=False)
    if occurred_on > received_on:
        raise RowError("occurred_on is after the download was received")
    if date_of_birth and date_of_birth > occurred_on:
        raise RowError("date_of_birth is after occurred_on")
    if date_of_birth and date_of_birth.year < received_on.year - 120:
        raise RowError("date_of_birth is more than 120 years ago")

    problems = []
    phones = {}
    for column in ("home_phone", "mobile_phone", "work_phone"):
        phones[column], problem = normalise_phone(values[column])
        if problem:
            problems.append(f"{column.replace('_', ' ')} {problem}")
    email, problem = normalise_email(values["email"])
    if problem:
        problems.append(f"email {problem}")
    postcode, problem = normalise_postcode(values["postcode"])
    if problem:
        problems.append(f"postcode {problem}")
    ethnicity = values["ethnicity"].upper() or None
    if ethnicity and ethnicity not in ETHNICITY_CODES:
        raise RowError("ethnicity is not a police self-defined ethnicity code")

    return NewReferral(
        source="police",
        dedupe_key=police_dedupe_key(
            values["crime_reference"], values["forename"], values["surname"], date_of_birth
        ),
        crime_reference=values["crime_reference"].upper(),
        offence=values["offence"],
        crime_group=values["crime_group"],
        occurred_on=occurred_on,
        forename=values["forename"],
        surname=values["surname"],
        date_of_birth=date_of_birth,
        gender=values["gender"] or None,
        ethnicity=ethnicity,
        address_line_1=values["address_line_1"] or None,
        address_line_2=values["address_line_2"] or None,
        town=values["town"] or None,
        postcode=postcode,
        email=email,
        contact_method=method,
        contact_problems=tuple(problems),
        flags=flags,
        risk_notes=values["risk_notes"] or None,
        npa=values["npa"] or None,
        officer=values["officer"] or None,
        **phones,
    )


@lru_cache(maxsize=1024)
def _flags(text: str) -> tuple[str, ...]:
    """The police flags in a row's ``flags`` column (a download repeats few combinations)."""
    flags = tuple(dict.fromkeys(f.strip().upper() for f in text.split(";") if f.strip()))
    unknown = [f for f in flags if f not in POLICE_FLAGS]
    if unknown:
        raise RowError(f"unknown flag {unknown[0][:30]!r}")
    return flags


def read_rows(data: bytes):
    """Yield (line number, values, problem) for each row of the CSV bytes: ``values`` maps
    each column to its stripped text, or is None with the reason when the row has the wrong
    number of fields. Raises FileError for an unreadable file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileError(f"the file is not UTF-8 text (byte {exc.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    try:
        header = next(reader, [])
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise FileError("the header is missing column(s): " + ", ".join(missing))
        pick = itemgetter(*(header.index(c) for c in COLUMNS))
        width = len(header)
        line = reader.line_num + 1
        for fields in reader:
            if fields:  # a blank line is not a row
                if len(fields) > width:
                    yield line, None, "row has more fields than the header"
                elif len(fields) < width:
                    yield line, None, "row has fewer fields than the header"
                else:
                    yield line, dict(zip(COLUMNS, map(str.strip, pick(fields)), strict=True)), None
            line = reader.line_num + 1
    except csv.Error:
        raise FileError(f"line {line} is not valid CSV (an unclosed quote?)") from None


def import_police_download(
    session,
    data: bytes,
    *,
    filename: str,
    received_at: datetime,
    calendar,
    origin: Origin,
    actor=None,
    now: datetime,
    progress: Callable[[int, str], None] | None = None,
) -> ImportResult:
    """Import a police download in one transaction and return what became of every line."""
    result = ImportResult()
    received_on = calendar.local_date(received_at)
    parsed: list[tuple[int, NewReferral]] = []
    for count, (line, values, problem) in enumerate(read_rows(data), start=1):
        try:
            if problem:
                raise RowError(problem)
            parsed.append((line, parse_row(values, received_on)))
        except RowError as exc:
            result.rejections.append({"line": line, "reason": str(exc)})
        if progress and count % 1000 == 0:
            progress(count, "checking")
    if progress:
        progress(len(parsed) + len(result.rejections), "saving")

    seen = existing_keys(session, [item.dedupe_key for _, item in parsed])
    fresh = []
    for _line, item in parsed:
        if item.dedupe_key in seen:
            result.duplicates += 1
        else:
            seen.add(item.dedupe_key)
            fresh.append(item)
    result.rejected = len(result.rejections)
    result.imported = len(fresh)

    batch = ImportBatch(
        kind="police",
        filename=Path(filename).name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        received_at=received_at,
        imported=result.imported,
        duplicates=result.duplicates,
        rejected=result.rejected,
        rejections=result.rejections,
        actor_id=getattr(actor, "id", None),
        created_at=now,
    )
    session.add(batch)
    session.flush()
    result.batch_id = batch.id
    store_referrals(
        session,
        fresh,
        received_at=received_at,
        calendar=calendar,
        origin=origin,
        actor=actor,
        import_batch_id=batch.id,
        now=now,
    )
    record_event(
        session,
        action="referral.import",
        actor=actor,
        origin=origin,
        record_type="import_batch",
        record_id=batch.id,
        at=now,
        detail={"file": batch.filename, **result.as_json(), "rejections": len(result.rejections)},
    )
    if progress:
        progress(result.imported, "committing")
    session.commit()
    return result
