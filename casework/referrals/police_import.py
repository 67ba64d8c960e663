"""The police daily download (DESIGN.md Data formats): read, check, import all-or-nothing.

Declined rows are refused and nothing personal is kept from them. A malformed row is rejected
with its line number (the header is line 1) and a reason that never repeats the row's data;
the rest import. A row already imported (same crime reference and victim) is a duplicate and
changes nothing. The whole file is one transaction: a crash leaves none of it.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

from casework.audit import Origin, record_event
from casework.invisible import (
    ANY_FORMAT_CHARACTER,
    CONTROL_CHARACTER,
    FORMAT_REMOVED,
    UNHOLDABLE,
)
from casework.people.contact_details import normalise_email, normalise_phone, normalise_postcode
from casework.people.matching import MATCH_KEY_LIMIT, existing_keys
from casework.referrals.intake import NewReferral, police_dedupe_key, store_referrals
from casework.referrals.models import ImportBatch
from triage.deadlines import CONTACT_METHODS
from triage.enhanced import POLICE_FLAGS
from triage.equality import POLICE_ETHNICITY, POLICE_SEX

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
# Birth dates police systems write when the real one is not known.
PLACEHOLDER_BIRTH_DATES = frozenset({date(1900, 1, 1)})
OLDEST_YEARS = 120
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
    """What one police download did: imported, duplicates, and each rejected line with its
    reason."""

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


def _years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier; 29 February becomes 1 March in a year without one."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return date(day.year - years, 3, 1)


def birth_date(text: str, occurred_on: date, received_on: date) -> tuple[date | None, str | None]:
    """A usable birth date, or None and why the one given needs checking.

    The person accepted support, so a placeholder or impossible birth date never costs them
    the referral (DESIGN.md Data formats): it is stored unknown and flagged instead.
    """
    if not text:
        return None, None
    if not ISO_DATE.match(text):
        return None, "date of birth given is not a date in the form YYYY-MM-DD"
    try:
        born = date.fromisoformat(text)
    except ValueError:
        return None, "date of birth given is not a real date"
    if born in PLACEHOLDER_BIRTH_DATES:
        return None, "date of birth given is a placeholder"
    if born < _years_before(received_on, OLDEST_YEARS):
        return None, f"date of birth given is more than {OLDEST_YEARS} years ago"
    if born > received_on:
        return None, "date of birth given is in the future"
    if born > occurred_on:
        return None, "date of birth given is after the offence"
    return born, None


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
    if occurred_on > received_on:
        raise RowError("occurred_on is after the download was received")
    date_of_birth, dob_problem = birth_date(values["date_of_birth"], occurred_on, received_on)

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
    address_needs_checking = problem is not None
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
        dob_problem=dob_problem,
        address_needs_checking=address_needs_checking,
        gender=values["gender"] or None,
        ethnicity=ethnicity,
        # Onto the protected characteristics; a code we do not know stays not asked.
        sex=POLICE_SEX.get(values["gender"].upper()),
        ethnic_group=POLICE_ETHNICITY.get(ethnicity),
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
    if not all(f in POLICE_FLAGS for f in flags):
        raise RowError("flags must be ;-separated police flags: " + ", ".join(sorted(POLICE_FLAGS)))
    return flags


def _control_problem(picked: tuple[str, ...]) -> str:
    column = next(c for c, v in zip(COLUMNS, picked, strict=True) if CONTROL_CHARACTER.search(v))
    return f"{column} {UNHOLDABLE}"


def read_rows(data: bytes):
    """Yield (line number, values, problem) for each row of the CSV bytes: ``values`` maps
    each column to its stripped text, without format characters (casework.invisible), or is
    None with the reason when the row has the wrong number of fields or a control character.
    Raises FileError for an unreadable file."""
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
        repeated = [c for c in COLUMNS if header.count(c) > 1]
        if repeated:
            raise FileError("the header repeats column(s): " + ", ".join(repeated))
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
                    picked = pick(fields)
                    joined = "".join(picked)
                    if CONTROL_CHARACTER.search(joined):
                        yield line, None, _control_problem(picked)
                    else:
                        if ANY_FORMAT_CHARACTER.search(joined):  # taken out, as forms do
                            picked = [v.translate(FORMAT_REMOVED) for v in picked]
                        values = dict(zip(COLUMNS, map(str.strip, picked), strict=True))
                        yield line, values, None
            line = reader.line_num + 1
    except csv.Error:
        raise FileError(f"line {line} is not valid CSV (an unclosed quote?)") from None


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector stopped for the length of one import.

    An import builds a few hundred thousand small objects, none of them garbage until it ends,
    and the collector's passes over them took a fifth of a 100,000-row import and grew with
    its size. It is switched back on (if it was on) however the import ends.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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
    match_key_limit: int = MATCH_KEY_LIMIT,
) -> ImportResult:
    """Import a police download in one transaction and return what became of every line.

    ``match_key_limit`` is the MATCH_KEY_LIMIT setting: how many people may hold a
    repeat-victim matching key before it is ignored."""
    with _collector_paused():
        return _import(
            session,
            data,
            filename=filename,
            received_at=received_at,
            calendar=calendar,
            origin=origin,
            actor=actor,
            now=now,
            progress=progress,
            match_key_limit=match_key_limit,
        )


def _import(
    session,
    data: bytes,
    *,
    filename: str,
    received_at: datetime,
    calendar,
    origin: Origin,
    actor,
    now: datetime,
    progress: Callable[[int, str], None] | None,
    match_key_limit: int,
) -> ImportResult:
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
        match_key_limit=match_key_limit,
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
