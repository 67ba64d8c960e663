"""Receiving referrals from every route: triage them, create their obligations, spot repeats.

``store_referrals`` is the one path every route takes (police download, partner form or email,
self-referral), so a referral is triaged and timed the same way whichever door it came in by.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from casework.audit import AuditEvent, Origin
from casework.contact_details import is_mobile, normalise_name
from casework.referral import MatchKey, Obligation, PossibleMatch, Referral
from triage import deadlines
from triage.enhanced import ReferralFacts, assess_priority

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CHUNK = 500


@dataclass(frozen=True)
class NewReferral:
    """A referral's details after validation, from any route."""

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
    webchat_at: datetime | None = None
    preferred_worker_gender: str | None = None
    preferred_language: str | None = None
    partner_agency_id: int | None = None
    referrer_name: str | None = None
    extra_reasons: tuple[str, ...] = field(default=())


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


def new_reference() -> str:
    """A reference a person can read out on the phone: WP- and eight unambiguous characters."""
    return "WP-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def required_detail_problem(item: NewReferral) -> str | None:
    """Why the chosen contact method cannot be used with the details given, or None."""
    method = item.contact_method
    need = {
        "HOME_PHONE": (item.home_phone, "no usable home telephone number"),
        "MOBILE_PHONE": (item.mobile_phone, "no usable mobile telephone number"),
        "WORK_PHONE": (item.work_phone, "no usable work telephone number"),
        "SMS": (
            item.mobile_phone if is_mobile(item.mobile_phone) else None,
            "no usable mobile number for SMS",
        ),
        "EMAIL": (item.email, "no usable email address"),
        "POST": (item.address_line_1 and item.postcode, "no usable postal address"),
        "IN_PERSON": (item.address_line_1 and item.postcode, "no usable address for a visit"),
    }
    value, problem = need[method]
    return None if value else problem


def existing_keys(session, keys: list[str]) -> set[str]:
    """Which of these dedupe keys are already stored."""
    found: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        found.update(
            session.scalars(sa.select(Referral.dedupe_key).where(Referral.dedupe_key.in_(chunk)))
        )
    return found


def _match_values(item: NewReferral) -> tuple[str | None, list[tuple[str, str]]]:
    name_dob = (
        f"{normalise_name(item.forename, item.surname)}|{item.date_of_birth.isoformat()}"
        if item.date_of_birth
        else None
    )
    keys = [("phone", p) for p in (item.home_phone, item.mobile_phone, item.work_phone) if p]
    if item.email:
        keys.append(("email", item.email))
    return name_dob, list(dict.fromkeys(keys))


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
) -> list[int]:
    """Triage and store referrals in the caller's transaction (the caller commits).

    Each gets its priority and reasons, its obligations from the contact method (D1-D3), its
    match keys, an audit row, and is compared with earlier referrals for the same person.
    """
    items = list(items)
    if not items:
        return []
    referral_rows, obligations, match_rows = [], [], []
    for item in items:
        priority = assess_priority(
            ReferralFacts(
                offence=item.offence or "",
                flags=frozenset(item.flags),
                date_of_birth=item.date_of_birth,
                occurred_on=item.occurred_on,
                received_on=calendar.local_date(received_at),
            )
        )
        reasons = list(priority.reasons) + [
            r for r in item.extra_reasons if r not in priority.reasons
        ]
        problems = list(item.contact_problems)
        missing = required_detail_problem(item)
        if missing:
            problems.append(missing)
        name_dob, keys = _match_values(item)
        row = {
            column: getattr(item, column)
            for column in (
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
                "webchat_at",
                "preferred_worker_gender",
                "preferred_language",
                "partner_agency_id",
                "referrer_name",
            )
        }
        row.update(
            reference=new_reference(),
            received_at=received_at,
            status="open",
            flags=list(item.flags),
            contact_unusable=bool(missing),
            contact_problems=problems,
            priority=priority.band,
            priority_reasons=reasons,
            risk_score=priority.risk_score,
            pathway=priority.pathway,
            children_and_young_people=priority.children_and_young_people,
            repeat_victim="REPEAT_VICTIM" in item.flags,
            match_name_dob=name_dob,
            import_batch_id=import_batch_id,
            created_at=now,
            updated_at=now,
        )
        due = deadlines.initial_obligations(
            item.contact_method,
            priority.band,
            received_at,
            calendar,
            has_mobile=is_mobile(item.mobile_phone),
        )
        if item.webchat_at:
            due.append(deadlines.Obligation("web_chat", "web_chat", item.webchat_at))
        row.update(queue_group=1, next_due_at=min(o.due_at for o in due))
        referral_rows.append(row)
        obligations.append(due)
        match_rows.append(keys)

    ids = list(
        session.scalars(
            sa.insert(Referral).returning(Referral.id, sort_by_parameter_order=True),
            referral_rows,
        )
    )
    session.execute(
        sa.insert(Obligation),
        [
            {
                "referral_id": rid,
                "kind": o.kind,
                "channel": o.channel,
                "due_at": o.due_at,
                "status": "due",
                "created_at": now,
            }
            for rid, found in zip(ids, obligations, strict=True)
            for o in found
        ],
    )
    keys = [
        {"referral_id": rid, "kind": kind, "value": value}
        for rid, found in zip(ids, match_rows, strict=True)
        for kind, value in found
    ]
    if keys:
        session.execute(sa.insert(MatchKey), keys)
    person_of = link_repeat_victims(session, ids, now=now)
    session.execute(
        sa.insert(AuditEvent),
        [
            {
                "at": now,
                "actor_id": getattr(actor, "id", None),
                "actor_email": getattr(actor, "email", None),
                "action": "referral.create",
                "outcome": "ok",
                "record_type": "referral",
                "record_id": str(rid),
                "person_id": person_of.get(rid, rid),
                "ip": origin.ip,
                "user_agent": origin.user_agent and origin.user_agent[:256],
                "detail": json.dumps({"source": row["source"]}),
            }
            for rid, row in zip(ids, referral_rows, strict=True)
        ],
    )
    return ids


def link_repeat_victims(session, new_ids: list[int], *, now: datetime) -> dict[int, int]:
    """Compare new referrals with every earlier one on name and date of birth, phone and email.

    A match on name and date of birth together with a phone or email is certain: the referral
    is linked to that person and marked a repeat victim. Any weaker match is recorded as a
    possible match for a team leader to confirm or reject; nothing is merged silently.
    Returns the person each newly linked referral now belongs to.
    """
    new = dict.fromkeys(new_ids)
    rows = []
    for start in range(0, len(new_ids), CHUNK):
        chunk = new_ids[start : start + CHUNK]
        rows += session.execute(
            sa.select(Referral.id, Referral.match_name_dob).where(Referral.id.in_(chunk))
        ).all()
    name_of = dict(rows)
    names = sorted({k for k in name_of.values() if k})
    by_name: dict[str, list[tuple[int, int | None]]] = {}
    for start in range(0, len(names), CHUNK):
        for rid, key, person in session.execute(
            sa.select(Referral.id, Referral.match_name_dob, Referral.person_id).where(
                Referral.match_name_dob.in_(names[start : start + CHUNK])
            )
        ):
            by_name.setdefault(key, []).append((rid, person))

    keys_of: dict[int, set[tuple[str, str]]] = {}
    for start in range(0, len(new_ids), CHUNK):
        for rid, kind, value in session.execute(
            sa.select(MatchKey.referral_id, MatchKey.kind, MatchKey.value).where(
                MatchKey.referral_id.in_(new_ids[start : start + CHUNK])
            )
        ):
            keys_of.setdefault(rid, set()).add((kind, value))
    values = sorted({v for found in keys_of.values() for _, v in found})
    by_value: dict[str, set[int]] = {}
    for start in range(0, len(values), CHUNK):
        for rid, value in session.execute(
            sa.select(MatchKey.referral_id, MatchKey.value).where(
                MatchKey.value.in_(values[start : start + CHUNK])
            )
        ):
            by_value.setdefault(value, set()).add(rid)

    person_ids: dict[int, int | None] = {}
    for rid, person in (p for group in by_name.values() for p in group):
        person_ids[rid] = person
    candidates_needed = {rid for found in by_value.values() for rid in found} - set(person_ids)
    for start in range(0, len(candidates_needed), CHUNK):
        chunk = sorted(candidates_needed)[start : start + CHUNK]
        person_ids.update(
            session.execute(
                sa.select(Referral.id, Referral.person_id).where(Referral.id.in_(chunk))
            ).all()
        )

    linked: dict[int, int] = {}
    possible = []
    for rid in sorted(new):
        matched: dict[int, list[str]] = {}
        key = name_of.get(rid)
        for other, _ in by_name.get(key, []) if key else []:
            if other < rid:
                matched.setdefault(other, []).append("name and date of birth")
        for kind, value in sorted(keys_of.get(rid, ())):
            for other in by_value.get(value, ()):
                if other < rid and kind not in matched.get(other, []):
                    matched.setdefault(other, []).append(kind)
        if not matched:
            continue
        certain = [o for o, on in matched.items() if "name and date of birth" in on and len(on) > 1]
        if certain:
            earliest = min(certain)
            person = linked.get(earliest) or person_ids.get(earliest) or earliest
            linked[rid] = person
            continue
        for other in sorted(matched)[:5]:
            possible.append(
                {
                    "referral_id": rid,
                    "earlier_referral_id": other,
                    "matched_on": matched[other],
                    "status": "pending",
                    "created_at": now,
                }
            )
    if linked:
        session.execute(
            sa.update(Referral),
            [
                {"id": rid, "person_id": person, "repeat_victim": True}
                for rid, person in linked.items()
            ],
        )
    if possible:
        session.execute(sa.insert(PossibleMatch), possible)
    return linked


def refresh_queue_position(session, referral_id: int) -> None:
    """Recompute a referral's place in the queue from its obligations (after any change)."""
    referral = session.get(Referral, referral_id)
    unmet = [o for o in referral.obligations if o.status in ("due", "breached")]
    referral.next_due_at = min((o.due_at for o in unmet), default=None)
    if any(o.status == "breached" for o in unmet):
        referral.queue_group = 0
    else:
        referral.queue_group = 1 if unmet else 2
