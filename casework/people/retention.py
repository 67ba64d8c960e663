"""Retention: when a person's referrals have all been closed, with nothing happening on any of
them for the retention period, their personal details are removed.

What stays is what monitoring needs and identifies nobody: the reference, source, offence and
its category, the month it happened, priority and reasons, pathway, outcome, and the deadlines
with whether they were kept. Names, birth date, addresses, telephone numbers, email, accounts,
notes and message wording go; the person can no longer be matched as a repeat victim. The audit
trail keeps its rows (they hold ids and actions, never details) and gains one per referral.
A person with an open referral or case, recent activity on a referral or a case, or a key date
still to come is left alone. The person's own record is emptied the same way, and their cases
keep only their dates and status (the reasons for opening and closing are free text), their
notes only their dates, modes and authors, and the records each case gathered
(casework.people.case_records: assessments, the plan, closures, approvals, messages, consent
and onward referrals) only their dates, scores, statuses and amounts.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from casework.audit import Origin, record_referral_events
from casework.cases.models import Case
from casework.cases.notes_models import CaseNote, CaseNoteAmendment
from casework.contact.models import ContactAttempt, InitialContact, KeyDate
from casework.messages.models import OutboundMessage
from casework.people.case_records import empty_text
from casework.people.models import PERSON_FIELDS, MatchKey, Person, PersonMerge, PossibleMatch
from casework.people.name_words import forget_names
from casework.referrals.models import Referral

ANONYMISED = "Anonymised"
RAISED = "raised by team leader"
# Referral columns emptied; forename and surname become ANONYMISED and "" (they are required).
PERSONAL = (
    "crime_reference",
    "account",
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
    "safe_times",
    "safe_windows",
    "webchat_at",
    "preferred_worker_gender",
    "preferred_language",
    "age_band",
    "disability",
    "gender_reassignment",
    "marital_status",
    "pregnancy_maternity",
    "ethnic_group",
    "religion",
    "sex",
    "sexual_orientation",
    "event_name",
    "risk_notes",
    "npa",
    "officer",
    "referrer_name",
    "raised_reason",
    "match_name_dob",
)
BATCH = 500


def cutoff(now: datetime, years: int) -> datetime:
    """The moment before which activity counts as expired (29 February falls back a day)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


# Asked every minute, so built once: building a statement costs more than running it.
_CLOSED_BEFORE = sa.select(Referral.person_id).where(
    Referral.status == "closed",
    Referral.anonymised_at.is_(None),
    Referral.updated_at < sa.bindparam("before"),
)


def expired_people(session, *, now: datetime, years: int) -> list[int]:
    """People whose every referral and case is closed, untouched since the cutoff, and without
    a key date after it."""
    before = cutoff(now, years)
    candidates = sorted(set(session.scalars(_CLOSED_BEFORE, {"before": before})))
    expired = []
    for start in range(0, len(candidates), BATCH):
        chunk = candidates[start : start + BATCH]
        active_referral = sa.select(Referral.person_id).where(
            Referral.person_id.in_(chunk),
            sa.or_(
                Referral.status != "closed",
                Referral.updated_at >= before,
                Referral.id.in_(
                    sa.select(KeyDate.referral_id).where(KeyDate.event_on >= before.date())
                ),
            ),
        )
        active_case = sa.select(Case.person_id).where(
            Case.person_id.in_(chunk),
            sa.or_(
                Case.status != "closed",
                Case.updated_at >= before,
                Case.id.in_(sa.select(KeyDate.case_id).where(KeyDate.event_on >= before.date())),
            ),
        )
        still_active = set(session.scalars(sa.union(active_referral, active_case)))
        expired += [p for p in chunk if p not in still_active]
    return expired


def anonymise_expired(session, *, now: datetime, years: int, origin: Origin = Origin()) -> int:
    """Anonymise every expired person's referrals in one transaction; returns how many."""
    people = expired_people(session, now=now, years=years)
    done = 0
    for start in range(0, len(people), BATCH):
        chunk = people[start : start + BATCH]
        rows = session.execute(
            sa.select(Referral.id, Referral.person_id).where(
                Referral.person_id.in_(chunk), Referral.anonymised_at.is_(None)
            )
        ).all()
        ids = [rid for rid, _ in rows]
        if not ids:
            continue
        _anonymise(session, ids, now)
        # The people themselves: emptied and marked anonymised, so staff search never finds
        # them, and their names gone from its index.
        _anonymise_people(session, chunk, now)
        forget_names(session, chunk)
        record_referral_events(
            session,
            "referral.anonymise",
            rows,
            origin=origin,
            at=now,
            details={"retention_years": int(years)},
        )
        done += len(ids)
    session.commit()
    return done


def _anonymise(session, ids: list[int], now: datetime) -> None:
    mine = Referral.id.in_(ids)
    session.execute(
        sa.update(Referral)
        .where(mine)
        .values(
            {
                **dict.fromkeys(PERSONAL),
                "forename": ANONYMISED,
                "surname": "",
                "dedupe_key": sa.literal("anonymised-", sa.String)
                + sa.cast(Referral.id, sa.String),
                "contact_problems": [],
                "anonymised_at": now,
            }
        )
        .execution_options(synchronize_session=False)
    )
    # The month the offence happened is enough for monitoring; a team leader's reason for
    # raising the priority is free text, so only the fact that they did stays.
    rewritten = [
        {
            "id": rid,
            "occurred_on": occurred and date(occurred.year, occurred.month, 1),
            "priority_reasons": [RAISED if r.startswith(RAISED) else r for r in reasons or []],
        }
        for rid, occurred, reasons in session.execute(
            sa.select(Referral.id, Referral.occurred_on, Referral.priority_reasons).where(mine)
        )
    ]
    session.execute(sa.update(Referral), rewritten)  # one UPDATE by primary key, many rows
    session.execute(sa.delete(MatchKey).where(MatchKey.referral_id.in_(ids)))
    touching = sa.or_(
        PossibleMatch.referral_id.in_(ids), PossibleMatch.earlier_referral_id.in_(ids)
    )
    # A merge a confirmed match made keeps its own record of what moved; the match goes.
    session.execute(
        sa.update(PersonMerge)
        .where(PersonMerge.possible_match_id.in_(sa.select(PossibleMatch.id).where(touching)))
        .values(possible_match_id=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(sa.delete(PossibleMatch).where(touching))
    session.execute(
        sa.update(ContactAttempt).where(ContactAttempt.referral_id.in_(ids)).values(notes=None)
    )
    session.execute(
        sa.update(InitialContact)
        .where(InitialContact.referral_id.in_(ids))
        .values(key_risks=None, passed_to=None)
    )
    session.execute(
        sa.update(OutboundMessage)
        .where(OutboundMessage.referral_id.in_(ids), OutboundMessage.status == "queued")
        .values(status="failed", error="not sent: the personal details were removed (retention)")
    )
    session.execute(
        sa.update(OutboundMessage)
        .where(OutboundMessage.referral_id.in_(ids))
        .values(recipient=ANONYMISED, subject=None, body="")
    )


def _anonymise_people(session, people: list[int], now: datetime) -> None:
    """The people's own records and their cases' free text, emptied like their referrals."""
    personal = [f for f in PERSON_FIELDS if f not in ("forename", "surname")]
    booleans = {"address_needs_checking": False}
    session.execute(
        sa.update(Person)
        .where(Person.id.in_(people))
        .values(
            {
                **dict.fromkeys(personal),
                **booleans,
                "forename": ANONYMISED,
                "surname": "",
                "anonymised_at": now,
                "updated_at": now,
                "version": Person.version + 1,
            }
        )
        .execution_options(synchronize_session=False)
    )
    session.execute(
        sa.update(Case)
        .where(Case.person_id.in_(people))
        .values(opened_reason=None, closure_reason=None)
        .execution_options(synchronize_session=False)
    )
    # Notes keep their date, mode and author (the support given counts); their words go.
    theirs = sa.select(Case.id).where(Case.person_id.in_(people))
    notes = sa.select(CaseNote.id).where(CaseNote.case_id.in_(theirs))
    session.execute(
        sa.update(CaseNoteAmendment)
        .where(CaseNoteAmendment.note_id.in_(notes))
        .values(text="")
        .execution_options(synchronize_session=False)
    )
    session.execute(
        sa.update(CaseNote)
        .where(CaseNote.case_id.in_(theirs))
        .values(text="", version=CaseNote.version + 1)
        .execution_options(synchronize_session=False)
    )
    # A case message still waiting to go is never sent once its words are gone.
    session.execute(
        sa.update(OutboundMessage)
        .where(OutboundMessage.case_id.in_(theirs), OutboundMessage.status == "queued")
        .values(status="failed", error="not sent: the personal details were removed (retention)")
        .execution_options(synchronize_session=False)
    )
    # Assessments, the plan, closures, approvals, messages, consent and onward referrals keep
    # their dates, scores, statuses and amounts; their words go.
    empty_text(session, theirs, placeholder=ANONYMISED)
