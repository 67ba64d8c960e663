"""One case as staff open it: loaded through the access rule (another team's case is refused
exactly like a missing id, and the refusal audited), every view recorded against the person,
and what its page shows at the top and on its Contact tab (DESIGN.md Records; issue 11 part 4).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from casework.access import can_view_case, refuse
from casework.audit import Origin, record_event
from casework.cases.models import Case
from casework.contact.models import ContactAttempt, InitialContact, KeyDate
from casework.messages.models import STAFF_KINDS, OutboundMessage
from casework.messages.opt_outs import is_opted_out
from casework.obligations.models import Obligation
from casework.people.models import Person
from casework.referrals.models import MAY_SHOW_DOMESTIC_ABUSE_SQL, Referral

# The pages of a case, as the view audit names them.
CASE_PAGES = (
    "summary",
    "contact",
    "assessment",
    "plan",
    "onward referrals",
    "target hardening",
    "support",
    "notes",
    "timeline",
    "closure",
    "access",
)
UNMET = ("due", "breached")


def get_case(
    session,
    case_id: int,
    viewer,
    *,
    origin: Origin,
    now: datetime,
    audit_view: bool = True,
    page: str = "summary",
) -> Case:
    """Load a case the viewer may see, recording the view (``case.view``, filed under the
    person, with the page seen); a missing case and another team's case are both NotFound,
    and the refusal is audited (DESIGN.md Non-functional: roles enforced per record)."""
    case = session.get(Case, case_id)
    if case is None or not can_view_case(viewer, case):
        refuse(session, actor=viewer, origin=origin, record_type="case", record_id=case_id, now=now)
    if audit_view:
        record_event(
            session,
            action="case.view",
            actor=viewer,
            origin=origin,
            record_type="case",
            record_id=case.id,
            person_id=case.person_id,
            at=now,
            detail={"page": page if page in CASE_PAGES else "summary"},
        )
        session.commit()
    # Read again after the commit with what every page of the case shows, in one query.
    return session.get(
        Case,
        case_id,
        options=[
            joinedload(Case.person),
            joinedload(Case.caseworker),
            joinedload(Case.team),
            joinedload(Case.opened_by),
        ],
        populate_existing=True,
    )


def case_id_of_referral(session, referral_id: int) -> int | None:
    """The case a referral has joined, if any (where staff land after "further support")."""
    return session.scalar(sa.select(Referral.case_id).where(Referral.id == referral_id))


def age_on(born: date | None, today: date) -> int | None:
    """Age in whole years on ``today``; None when the birth date is unknown."""
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def flagged_domestic_abuse(referral: Referral) -> bool:
    """A referral shows domestic abuse: the police flag or self-referral concern, the specialist
    pathway, or a priority reason triage gave for it (DESIGN.md Deadline rules, safe contact)."""
    return _shows_domestic_abuse(referral.flags, referral.pathway, referral.priority_reasons)


def _shows_domestic_abuse(flags, pathway, reasons) -> bool:
    return (
        "DOMESTIC_ABUSE" in (flags or ())
        or pathway == "domestic_abuse"
        or any(reason.startswith("domestic abuse") for reason in reasons or ())
    )


# The stored JSON text of a referral's flags and priority reasons.
_FLAGS_TEXT = sa.cast(Referral.flags, sa.Text)
_REASONS_TEXT = sa.cast(Referral.priority_reasons, sa.Text)
# In parentheses, since it is three conditions joined by OR.
_MAY_SHOW_DOMESTIC_ABUSE = sa.text(f"({MAY_SHOW_DOMESTIC_ABUSE_SQL})")
PEOPLE_CHUNK = 500


def people_flagged_domestic_abuse(session, person_ids) -> set[int]:
    """Which of these people have any referral showing domestic abuse.

    Asked of the database rather than by loading each person's referrals: a sweep asks it for
    hundreds of people at once, and a repeat victim may have many referrals. Only referrals
    that may show it are read, and each distinct set of values once per person."""
    ids = sorted({pid for pid in person_ids if pid is not None})
    flagged: set[int] = set()
    for start in range(0, len(ids), PEOPLE_CHUNK):
        rows = session.execute(
            sa.select(Referral.person_id, _FLAGS_TEXT, Referral.pathway, _REASONS_TEXT)
            .distinct()
            .where(
                Referral.person_id.in_(ids[start : start + PEOPLE_CHUNK]),
                _MAY_SHOW_DOMESTIC_ABUSE,
            )
        )
        flagged.update(
            pid
            for pid, flags, pathway, reasons in rows
            if pid not in flagged
            and _shows_domestic_abuse(
                json.loads(flags or "null"), pathway, json.loads(reasons or "null")
            )
        )
    return flagged


@dataclass(frozen=True)
class CaseSummary:
    """The top of every page of a case: who, why this priority, how it is safe to contact them,
    what is due next, and who holds the case."""

    case: Case
    person: Person
    referrals: list[Referral]
    age: int | None
    enhanced: bool
    domestic_abuse: bool
    # Whether post to the home address is safe; None while it has not been recorded.
    safe_to_post: bool | None
    contact_method: str | None
    deadlines: list[Obligation]
    # Letters on the case or its referrals held for a staff decision (safe contact).
    held: list[OutboundMessage] = field(default_factory=list)
    # Their mobile texted STOP (and not START since): no text reaches them.
    texts_opted_out: bool = False

    @property
    def reasons(self) -> list[tuple[Referral, list[str]]]:
        """Each referral with the priority reasons triage (or a team leader) gave it."""
        return [(r, list(r.priority_reasons or ())) for r in self.referrals]

    @property
    def post_held(self) -> bool:
        """Nothing goes to the home address of someone flagged for domestic abuse unless
        safe-to-post is recorded as yes (DESIGN.md Deadline rules, safe contact)."""
        return self.domestic_abuse and self.safe_to_post is not True


def _case_or_referrals(case: Case, referral_ids: list[int]):
    """Obligations of the case itself or of these of its referrals."""
    on_case = Obligation.case_id == case.id
    return sa.or_(on_case, Obligation.referral_id.in_(referral_ids)) if referral_ids else on_case


def case_summary(session, case: Case, *, today: date) -> CaseSummary:
    """What the case page shows at the top, in three indexed reads: the person, the case's
    referrals, and the unmet obligations of the case and its referrals, soonest first."""
    person = case.person
    referrals = list(
        session.scalars(
            sa.select(Referral).where(Referral.case_id == case.id).order_by(Referral.received_at)
        )
    )
    ids = [r.id for r in referrals]
    # The case's own deadlines and its referrals' (a first call still owed on a referral that
    # joined the case, or that the case was opened from before anyone spoke to the person, is
    # the caseworker's to make, and the breach sweep counts it).
    deadlines = list(
        session.scalars(
            sa.select(Obligation)
            .where(_case_or_referrals(case, ids), Obligation.status.in_(UNMET))
            .order_by(Obligation.due_at, Obligation.id)
        )
    )
    latest = referrals[-1] if referrals else None
    mine = OutboundMessage.case_id == case.id
    held = list(
        session.scalars(
            sa.select(OutboundMessage)
            .where(
                OutboundMessage.status == "held",
                sa.or_(mine, OutboundMessage.referral_id.in_(ids)) if ids else mine,
            )
            .order_by(OutboundMessage.id)
        )
    )
    return CaseSummary(
        case=case,
        person=person,
        referrals=referrals,
        age=age_on(person.date_of_birth, today),
        enhanced=any(r.priority == "enhanced" for r in referrals),
        # Any of the person's referrals, on this case or not (a new one waiting on the queue,
        # an earlier closed one): safe contact is about the person, not this case's papers.
        domestic_abuse=any(flagged_domestic_abuse(r) for r in referrals)
        or person.id in people_flagged_domestic_abuse(session, [person.id]),
        # The person has no safe-to-post answer of their own yet; until they do, it reads
        # as not recorded, which holds post for a staff decision.
        safe_to_post=getattr(person, "safe_to_post", None),
        contact_method=latest.contact_method if latest else None,
        deadlines=deadlines,
        held=held,
        texts_opted_out=is_opted_out(session, person.mobile_phone),
    )


@dataclass(frozen=True)
class ContactEntry:
    """One contact on a case's Contact tab: a call or visit, a first conversation, or a
    message sent (text, email or letter), with the referral it was made on."""

    at: datetime
    kind: str  # attempt, conversation or message
    referral: Referral | None
    record: ContactAttempt | InitialContact | OutboundMessage


@dataclass(frozen=True)
class CaseContact:
    """Everything recorded about contacting the person on a case, newest first, and the
    case's obligations and key dates."""

    entries: list[ContactEntry]
    obligations: list[Obligation]
    key_dates: list[KeyDate]


def case_contact(session, case: Case) -> CaseContact:
    """The attempts, first conversations and messages of the case's referrals (not staff
    alerts), with the obligations of the case and its referrals, and its key dates."""
    referrals = {
        r.id: r for r in session.scalars(sa.select(Referral).where(Referral.case_id == case.id))
    }
    ids = list(referrals)
    entries: list[ContactEntry] = []
    if ids:
        for attempt in session.scalars(
            sa.select(ContactAttempt)
            .where(ContactAttempt.referral_id.in_(ids))
            .options(selectinload(ContactAttempt.recorded_by))
        ):
            entries.append(
                ContactEntry(
                    attempt.attempted_at, "attempt", referrals[attempt.referral_id], attempt
                )
            )
        for talk in session.scalars(
            sa.select(InitialContact)
            .where(InitialContact.referral_id.in_(ids))
            .options(selectinload(InitialContact.recorded_by))
        ):
            entries.append(
                ContactEntry(talk.held_at, "conversation", referrals[talk.referral_id], talk)
            )
    # Messages on the case's referrals and those sent from the case itself (not staff alerts).
    on_case = OutboundMessage.case_id == case.id
    mine = sa.or_(on_case, OutboundMessage.referral_id.in_(ids)) if ids else on_case
    for message in session.scalars(
        sa.select(OutboundMessage)
        .where(mine, OutboundMessage.kind.not_in(STAFF_KINDS))
        .options(selectinload(OutboundMessage.sent_by))
    ):
        entries.append(
            ContactEntry(
                message.sent_at or message.created_at,
                "message",
                # One sent from the case is the case's, whichever referral it also names.
                None if message.case_id == case.id else referrals.get(message.referral_id),
                message,
            )
        )
    entries.sort(key=lambda e: e.at, reverse=True)
    obligations = list(
        session.scalars(
            sa.select(Obligation)
            .where(_case_or_referrals(case, ids))
            .order_by(Obligation.due_at, Obligation.id)
        )
    )
    key_dates = list(
        session.scalars(
            sa.select(KeyDate).where(KeyDate.case_id == case.id).order_by(KeyDate.event_on)
        )
    )
    return CaseContact(entries=entries, obligations=obligations, key_dates=key_dates)
