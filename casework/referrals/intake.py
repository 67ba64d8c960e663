"""Storing new referrals from every route the same way: references, triage, first obligations,
matching keys and the audit row, in bulk.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import attrgetter

import sqlalchemy as sa

from casework.audit import Origin, record_referral_events
from casework.bulk import Same, bulk_insert
from casework.cases.opening import attach_to_open_cases
from casework.obligations import lifecycle
from casework.people import records as people
from casework.people.contact_details import is_mobile, normalise_name
from casework.people.matching import (
    MATCH_KEY_LIMIT,
    link_repeat_victims,
    match_values,
    store_offers,
)
from casework.people.models import MatchKey
from casework.referrals.models import Referral
from triage import deadlines
from triage.enhanced import ReferralFacts, assess_priority

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


CHUNK = 500


REFERRAL = Referral.__table__


@dataclass(slots=True)
class NewReferral:
    """A referral's details after validation, from any route; not changed once made.

    (Not a frozen dataclass: a frozen one's constructor sets each of these fields through
    object.__setattr__, which was a tenth of a large police import.)
    """

    source: str
    forename: str
    surname: str
    contact_method: str
    dedupe_key: str
    crime_reference: str | None = None
    offence: str | None = None
    crime_group: str | None = None
    occurred_on: date | None = None
    account: str | None = None
    date_of_birth: date | None = None
    dob_problem: str | None = None
    address_needs_checking: bool = False
    gender: str | None = None
    ethnicity: str | None = None
    address_line_1: str | None = None
    address_line_2: str | None = None
    town: str | None = None
    postcode: str | None = None
    home_phone: str | None = None
    mobile_phone: str | None = None
    work_phone: str | None = None
    email: str | None = None
    contact_problems: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    risk_notes: str | None = None
    npa: str | None = None
    officer: str | None = None
    safe_to_voicemail: bool | None = None
    safe_to_text: bool | None = None
    safe_times: str | None = None
    safe_windows: list | None = None
    safe_to_email: bool | None = None
    safe_to_post: bool | None = None
    webchat_at: datetime | None = None
    preferred_worker_gender: str | None = None
    preferred_language: str | None = None
    partner_agency_id: int | None = None
    referrer_name: str | None = None
    age_band: str | None = None
    disability: str | None = None
    gender_reassignment: str | None = None
    marital_status: str | None = None
    pregnancy_maternity: str | None = None
    ethnic_group: str | None = None
    religion: str | None = None
    sex: str | None = None
    sexual_orientation: str | None = None
    self_route: str | None = None
    event_name: str | None = None
    event_on: date | None = None
    entered_by_id: int | None = None
    extra_reasons: tuple[str, ...] = field(default=())


# NewReferral fields stored as they are on the referral row.
STORED_FIELDS = (
    "source",
    "dedupe_key",
    "crime_reference",
    "offence",
    "crime_group",
    "occurred_on",
    "account",
    "forename",
    "surname",
    "date_of_birth",
    "dob_problem",
    "address_needs_checking",
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
    "risk_notes",
    "npa",
    "officer",
    "safe_to_voicemail",
    "safe_to_text",
    "safe_times",
    "safe_windows",
    "safe_to_email",
    "safe_to_post",
    "webchat_at",
    "preferred_worker_gender",
    "preferred_language",
    "partner_agency_id",
    "referrer_name",
    "age_band",
    "disability",
    "gender_reassignment",
    "marital_status",
    "pregnancy_maternity",
    "ethnic_group",
    "religion",
    "sex",
    "sexual_orientation",
    "self_route",
    "event_name",
    "event_on",
    "entered_by_id",
)


def police_dedupe_key(
    crime_reference: str, forename: str, surname: str, date_of_birth: date | None
) -> str:
    """Same crime reference and same victim: the same referral, however often it is sent."""
    text = "|".join(
        [
            crime_reference.strip().upper(),
            normalise_name(forename, surname),
            date_of_birth.isoformat() if date_of_birth else "",
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()


# Each random byte's low five bits pick one of the 32 characters uniformly.
_REFERENCE_CHARACTER = bytes(ord(REFERENCE_ALPHABET[b & 31]) for b in range(256))


def new_references(count: int) -> list[str]:
    """References a person can read out on the phone: WP- and eight unambiguous characters."""
    text = secrets.token_bytes(8 * count).translate(_REFERENCE_CHARACTER).decode("ascii")
    return ["WP-" + text[i : i + 8] for i in range(0, 8 * count, 8)]


def required_detail_problem(item: NewReferral) -> str | None:
    """Why the chosen contact method cannot be used with the details given, or None."""
    method = item.contact_method
    if method == "MOBILE_PHONE":
        return None if item.mobile_phone else "no usable mobile telephone number"
    if method == "HOME_PHONE":
        return None if item.home_phone else "no usable home telephone number"
    if method == "WORK_PHONE":
        return None if item.work_phone else "no usable work telephone number"
    if method == "SMS":
        return None if is_mobile(item.mobile_phone) else "no usable mobile number for SMS"
    if method == "EMAIL":
        return None if item.email else "no usable email address"
    if method == "POST":
        return None if item.address_line_1 and item.postcode else "no usable postal address"
    if method == "IN_PERSON":
        return None if item.address_line_1 and item.postcode else "no usable address for a visit"
    raise ValueError(f"unknown contact method {method!r}")


def reserve_referral_ids(session, count: int) -> list[int]:
    """Ids for ``count`` new referrals, so a batch can be inserted without RETURNING.

    PostgreSQL hands them out from the table's sequence. SQLite allows one writer at a time,
    and this transaction takes the write lock before reading the highest id, so nobody else
    can take the same ones before it commits.
    """
    if session.get_bind().dialect.name == "postgresql":
        return list(
            session.scalars(
                sa.text(
                    "SELECT nextval(pg_get_serial_sequence('referral', 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"n": count},
            )
        )
    session.execute(sa.text("UPDATE referral SET id = id WHERE 0"))  # take the write lock now
    start = (session.scalar(sa.select(sa.func.max(Referral.id))) or 0) + 1
    return list(range(start, start + count))


def store_referrals(
    session,
    items: Iterable[NewReferral],
    *,
    received_at: datetime,
    calendar,
    origin: Origin,
    actor=None,
    import_batch_id: int | None = None,
    now: datetime,
    match_key_limit: int = MATCH_KEY_LIMIT,
) -> list[int]:
    """Triage and store referrals in the caller's transaction (the caller commits).

    Each gets its priority and reasons, its obligations from the contact method (D1-D3), its
    match keys, an audit row, and is compared with earlier referrals for the same person.
    """
    items = list(items)
    if not items:
        return []
    received_on = calendar.local_date(received_at)
    # Every referral in a batch was received at the same moment, so the obligations depend
    # only on the contact method, the band and whether there is a mobile: work them out once.
    obligations_for: dict[tuple, list] = {}
    # Rows are gathered column by column (see casework.bulk): the referral table is wide.
    flags_list, unusable, problem_lists, bands, reason_lists, risk_scores = [], [], [], [], [], []
    pathways, young, repeats, names_dob, next_due = [], [], [], [], []
    obligations, match_rows = [], []
    for item in items:
        priority = assess_priority(
            ReferralFacts(
                offence=item.offence or "",
                flags=frozenset(item.flags),
                date_of_birth=item.date_of_birth,
                occurred_on=item.occurred_on,
                received_on=received_on,
            )
        )
        reasons = list(priority.reasons) + [
            r for r in item.extra_reasons if r not in priority.reasons
        ]
        problems = list(item.contact_problems)
        missing = required_detail_problem(item)
        if missing:
            problems.append(missing)
        name_dob, keys = match_values(item)
        shape = (item.contact_method, priority.band, is_mobile(item.mobile_phone))
        if shape not in obligations_for:
            obligations_for[shape] = deadlines.initial_obligations(
                item.contact_method, priority.band, received_at, calendar, has_mobile=shape[2]
            )
        due = obligations_for[shape]
        if item.webchat_at:
            due = [*due, deadlines.DueObligation("web_chat", "web_chat", item.webchat_at)]
        flags_list.append(list(item.flags))
        unusable.append(bool(missing))
        problem_lists.append(problems)
        bands.append(priority.band)
        reason_lists.append(reasons)
        risk_scores.append(priority.risk_score)
        pathways.append(priority.pathway)
        young.append(priority.children_and_young_people)
        repeats.append("REPEAT_VICTIM" in item.flags)
        names_dob.append(name_dob)
        next_due.append(min(o.due_at for o in due))
        obligations.append(due)
        match_rows.append(keys)

    stored = zip(*map(attrgetter(*STORED_FIELDS), items), strict=True)
    ids = reserve_referral_ids(session, len(items))
    # Matched before they are stored, so each is stored with its person.
    linking = link_repeat_victims(
        session,
        {rid: (name, found) for rid, name, found in zip(ids, names_dob, match_rows, strict=True)},
        limit=match_key_limit,
    )
    person_of = linking.linked
    bulk_insert(
        session,
        Referral.__table__,
        {
            "id": ids,
            **dict(zip(STORED_FIELDS, stored, strict=True)),
            "reference": new_references(len(items)),
            "flags": flags_list,
            "contact_unusable": unusable,
            "contact_problems": problem_lists,
            "priority": bands,
            "priority_reasons": reason_lists,
            "risk_score": risk_scores,
            "pathway": pathways,
            "children_and_young_people": young,
            # A repeat victim by the police's flag, or by matching an earlier person.
            "repeat_victim": [
                flagged or rid in person_of for rid, flagged in zip(ids, repeats, strict=True)
            ],
            "match_name_dob": names_dob,
            "next_due_at": next_due,
            "received_at": Same(received_at),
            "status": Same("open"),
            "import_batch_id": Same(import_batch_id),
            "created_at": Same(now),
            "updated_at": Same(now),
            "queue_group": Same(1),
            "person_id": [person_of.get(rid, rid) for rid in ids],  # else their own person
            "raised_reason": Same(None),
            "allocated_to_id": Same(None),
        },
    )
    lifecycle.create_for_new_referrals(session, zip(ids, obligations, strict=True), now)
    each_key = [(rid, key) for rid, found in zip(ids, match_rows, strict=True) for key in found]
    bulk_insert(
        session,
        MatchKey.__table__,
        {
            "referral_id": [rid for rid, _ in each_key],
            "kind": [kind for _, (kind, _) in each_key],
            "value": [value for _, (_, value) in each_key],
        },
    )
    store_offers(session, linking.offers, now)
    people.create_for_new_referrals(
        session,
        [(rid, item) for rid, item in zip(ids, items, strict=True) if rid not in person_of],
        now,
    )
    attach_to_open_cases(session, person_of, now)
    record_referral_events(
        session,
        "referral.create",
        [(rid, person_of.get(rid, rid)) for rid in ids],
        actor=actor,
        origin=origin,
        at=now,
        details=[
            {"source": item.source, "route": item.self_route}
            if item.self_route
            else {"source": item.source}
            for item in items
        ],
    )
    return ids
