"""A caseworker's caseload: their open cases and the open referrals allocated to them that are not
part of one of their cases, in one list, most urgent first (overdue, then the earliest unmet
deadline), one page at a time (issue 12, part 1; DESIGN.md Deadline rules).

A page costs the same dozen indexed queries however long the caseload: two for its lines' order
(and two more for its count), then one per kind of detail for the page's rows only (never a query
per row).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from casework.assessments.models import NeedsAssessment
from casework.audit import AuditEvent
from casework.caseloads.models import CaseReassignment
from casework.cases.models import Case
from casework.cases.notes_models import CaseNote
from casework.cases.records import age_on
from casework.contact.models import ContactAttempt, InitialContact
from casework.messages.models import STAFF_KINDS, OutboundMessage
from casework.obligations.models import Obligation
from casework.people.models import Person
from casework.plans.overview import overdue_actions_by_case
from casework.referrals.models import Referral
from casework.staff.models import Staff
from triage import safe_times
from triage.caseload import NextCall, is_failed_call, next_call, within_safe_times
from triage.contact_modes import CONTACT_MODES

# A message that reached (or was handed over for) the person.
CONTACTED = ("sent", "delivered", "posted")
# Bound as literals, so SQLite can use the partial index of unmet obligations per case.
UNMET = sa.and_(
    Obligation.met_at.is_(None),
    Obligation.status.in_(
        sa.bindparam("unmet_statuses", ("due", "breached"), expanding=True, literal_execute=True)
    ),
)


@dataclass(frozen=True)
class CaseloadFilters:
    """What the caseload page is narrowed to; empty means everything."""

    overdue: bool = False
    kind: str | None = None  # "case" or "referral"

    @classmethod
    def from_args(cls, args) -> CaseloadFilters:
        """Filters from a query string; unknown values are ignored rather than erroring."""
        kind = (args.get("show") or "").strip()
        return cls(
            overdue=args.get("due") == "overdue",
            kind=kind if kind in ("case", "referral") else None,
        )

    @property
    def any(self) -> bool:
        return self.overdue or self.kind is not None


@dataclass(frozen=True)
class NextObligation:
    """The soonest unmet deadline of a line: what, by when, and whether it has passed."""

    kind: str
    due_at: datetime
    breached: bool


@dataclass(frozen=True)
class NewToYou:
    """A case reassigned to the caseworker that they have not opened since."""

    by: str
    at: datetime
    reason: str
    from_worker: str | None


@dataclass
class CaseloadRow:
    """One line of a caseload: a case or a referral, and what the caseworker needs to see."""

    kind: str  # "case" or "referral"
    id: int
    reference: str
    name: str
    next_obligation: NextObligation | None = None
    calls_made: int = 0
    next_call: NextCall = NextCall("none")
    last_contact: datetime | None = None
    last_contact_how: str | None = None
    markers: list[str] = field(default_factory=list)
    new_to_you: NewToYou | None = None
    # The case's support plan actions past their due date.
    overdue_actions: int = 0

    def overdue(self, now: datetime) -> bool:
        """The soonest deadline has passed unmet (breached, or about to be marked so)."""
        o = self.next_obligation
        return o is not None and (o.breached or o.due_at < now)


def referral_rows_clause(worker_id):
    """Open referrals allocated to the worker that are not part of one of their open cases (those
    are shown as the case): the referral lines of the caseload."""
    in_own_case = (
        sa.exists()
        .where(
            Case.id == Referral.case_id,
            Case.caseworker_id == worker_id,
            Case.status == "open",
        )
        .correlate(Referral)
    )
    return sa.and_(
        Referral.status == "open",
        Referral.allocated_to_id == worker_id,
        sa.or_(Referral.case_id.is_(None), ~in_own_case),
    )


# Statements built once with their values left as parameters: building SQLAlchemy statements
# cost more than running them on a caseload page (as on the triage queue).
_WORKER = sa.bindparam("worker")
_MINE = sa.and_(Case.caseworker_id == _WORKER, Case.status == "open")
_CASE_IDS = sa.select(Case.id).where(_MINE)
# Both read from the worker's cases by the case_id indexes. As joins, SQLite began from the
# status index instead and read every open referral or unmet obligation of the whole service
# (2 ms and 1.2 ms a page among 6,000 referrals, where these take 0.1 ms); so the referrals'
# is read by case alone, no status where it could choose an index.
_CASE_OBLIGATIONS_DUE = (
    sa.select(Obligation.case_id, sa.func.min(Obligation.due_at))
    .where(Obligation.case_id.in_(_CASE_IDS), UNMET)
    .group_by(Obligation.case_id)
)
# Every referral of the case, open or closed, by its ``next_due_at`` (the earliest of its unmet
# obligations, kept whatever its status): a first call still owed on a referral closed into
# the case (a team leader opened the case from it before anyone had spoken to the person) is
# the caseworker's to make, as the case page shows and the breach sweep counts.
_REFERRAL_DUE = sa.func.min(Referral.next_due_at)
_CASE_REFERRALS_DUE = (
    sa.select(Referral.case_id, _REFERRAL_DUE)
    .where(Referral.case_id.in_(_CASE_IDS))
    .group_by(Referral.case_id)
    .having(_REFERRAL_DUE.is_not(None))
)
_REFERRAL_LINES = sa.select(sa.literal("referral"), Referral.id, Referral.next_due_at).where(
    referral_rows_clause(_WORKER)
)


def _case_lines(connection, worker_id: int) -> list[tuple]:
    """The worker's open cases as (kind, id, soonest unmet deadline): the case's own
    obligations' and its referrals' (kept on each referral as ``next_due_at``), read with two
    grouped joins from the worker's cases, never a subquery per case."""
    values = {"worker": worker_id}
    due: dict[int, datetime | None] = dict.fromkeys(connection.scalars(_CASE_IDS, values))
    for case_id, first in connection.execute(_CASE_OBLIGATIONS_DUE, values):
        due[case_id] = first
    for case_id, first in connection.execute(_CASE_REFERRALS_DUE, values):
        if case_id in due and (due[case_id] is None or first < due[case_id]):
            due[case_id] = first
    return [("case", case_id, first) for case_id, first in due.items()]


def caseload_lines(
    session, worker_id: int, filters: CaseloadFilters, *, now: datetime
) -> list[tuple[str, int]]:
    """Every line of the worker's caseload under these filters, in caseload order, as (kind,
    id): the cases' and the referrals' next deadlines read by index (four queries), merged and
    ordered here. A caseload is at most a few thousand lines: sorting them costs less than
    one query, where a UNION with a deadline subquery per case cost SQLite many times more."""
    connection = session.connection()
    found: list[tuple] = []
    if filters.kind in (None, "case"):
        found.extend(_case_lines(connection, worker_id))
    if filters.kind in (None, "referral"):
        found.extend(connection.execute(_REFERRAL_LINES, {"worker": worker_id}).all())
    if filters.overdue:
        found = [line for line in found if line[2] is not None and line[2] < now]

    def order(line):
        kind, line_id, due = line
        urgency = 2 if due is None else (0 if due < now else 1)
        return (urgency, due or now, kind, line_id)

    return [(kind, line_id) for kind, line_id, _ in sorted(found, key=order)]


def caseload_count(session, worker_id: int, filters: CaseloadFilters, *, now: datetime) -> int:
    """How many lines the worker's caseload has under these filters."""
    return len(caseload_lines(session, worker_id, filters, now=now))


def caseload_rows(
    session,
    worker_id: int,
    filters: CaseloadFilters,
    *,
    now: datetime,
    today: date,
    offset: int,
    limit: int,
    calendar=None,
) -> list[CaseloadRow]:
    """One page of the worker's caseload, most urgent first, each line with its next deadline,
    calls made and when the next may be (within safe times, given the ``calendar``), last
    contact, and markers."""
    lines = caseload_lines(session, worker_id, filters, now=now)
    return rows_for(
        session,
        worker_id,
        lines[offset : offset + limit],
        now=now,
        today=today,
        calendar=calendar,
    )


def rows_for(
    session,
    worker_id: int,
    lines: list[tuple[str, int]],
    *,
    now: datetime,
    today: date,
    calendar=None,
) -> list[CaseloadRow]:
    """The caseload lines given (kind, id), in that order, with everything each shows. With
    the service ``calendar``, the next call is given within the person's safe times."""
    if not lines:
        return []
    details = _Details(session, worker_id, lines, now=now, today=today, calendar=calendar)
    return [details.row(kind, line_id) for kind, line_id in lines]


def _ids(name: str):
    return sa.bindparam(name, expanding=True)


_PAGE_CASES = sa.select(Case.id, Case.reference, Case.person_id).where(Case.id.in_(_ids("cases")))
# Every referral a line stands for: its own, or all of its case's (open or closed).
_PAGE_REFERRALS = sa.select(
    Referral.id,
    Referral.reference,
    Referral.person_id,
    Referral.case_id,
    Referral.status,
    Referral.children_and_young_people,
).where(sa.or_(Referral.id.in_(_ids("line_referrals")), Referral.case_id.in_(_ids("cases"))))
_PAGE_PEOPLE = sa.select(
    Person.id,
    Person.forename,
    Person.surname,
    Person.date_of_birth,
    Person.safe_to_text,
    Person.safe_to_voicemail,
    Person.safe_to_post,
    Person.safe_to_email,
    Person.safe_times,
    Person.safe_windows,
).where(Person.id.in_(_ids("people")))
_PAGE_REPEAT = (
    sa.select(Referral.person_id)
    .where(Referral.person_id.in_(_ids("people")), Referral.repeat_victim.is_(True))
    .distinct()
)
_OBLIGATION_COLUMNS = (
    Obligation.id,
    Obligation.referral_id,
    Obligation.case_id,
    Obligation.kind,
    Obligation.status,
    Obligation.due_at,
)
# The page's lines' unmet obligations, soonest first: the referrals' and the cases', each read
# by its own index (as one OR, SQLite read every unmet obligation by status: 1.7 ms a page,
# where these take 0.25 ms). UNION, not UNION ALL: one held by both is read once.
_PAGE_OBLIGATIONS = sa.union(
    sa.select(*_OBLIGATION_COLUMNS).where(UNMET, Obligation.referral_id.in_(_ids("referrals"))),
    sa.select(*_OBLIGATION_COLUMNS).where(UNMET, Obligation.case_id.in_(_ids("cases"))),
).order_by(sa.literal_column("due_at"), sa.literal_column("id"))

_PAGE_ATTEMPTS = sa.select(
    ContactAttempt.referral_id,
    ContactAttempt.channel,
    ContactAttempt.outcome,
    ContactAttempt.attempted_at,
).where(ContactAttempt.referral_id.in_(_ids("referrals")))
_PAGE_CONVERSATIONS = sa.select(InitialContact.referral_id, InitialContact.held_at).where(
    InitialContact.referral_id.in_(_ids("referrals"))
)
# A case's latest note recording contact with the person (not "no contact"), and its latest
# needs assessment held with them: contact as much as a call is.
_PAGE_NOTED = (
    sa.select(CaseNote.case_id, sa.func.max(CaseNote.happened_at))
    .where(CaseNote.case_id.in_(_ids("cases")), CaseNote.mode.in_(sorted(CONTACT_MODES)))
    .group_by(CaseNote.case_id)
)
_PAGE_ASSESSED = (
    sa.select(NeedsAssessment.case_id, sa.func.max(NeedsAssessment.held_on))
    .where(
        NeedsAssessment.case_id.in_(_ids("cases")),
        NeedsAssessment.status == "complete",
        NeedsAssessment.mode.in_(sorted(CONTACT_MODES)),
    )
    .group_by(NeedsAssessment.case_id)
)
_PAGE_MESSAGES = (
    sa.select(
        OutboundMessage.referral_id,
        OutboundMessage.case_id,
        sa.func.max(sa.case((OutboundMessage.status.in_(CONTACTED), OutboundMessage.sent_at))),
        sa.func.sum(sa.case((OutboundMessage.status == "held", 1), else_=0)),
    )
    .where(
        sa.or_(
            OutboundMessage.referral_id.in_(_ids("referrals")),
            OutboundMessage.case_id.in_(_ids("cases")),
        ),
        OutboundMessage.kind.not_in(STAFF_KINDS),
    )
    .group_by(OutboundMessage.referral_id, OutboundMessage.case_id)
)
_BY, _FROM = aliased(Staff), aliased(Staff)
_PAGE_REASSIGNMENTS = (
    sa.select(
        CaseReassignment.case_id,
        CaseReassignment.at,
        CaseReassignment.reason,
        _BY.name,
        _FROM.name,
    )
    .join(_BY, _BY.id == CaseReassignment.by_id)
    .outerjoin(_FROM, _FROM.id == CaseReassignment.from_worker_id)
    .where(CaseReassignment.case_id.in_(_ids("cases")), CaseReassignment.to_worker_id == _WORKER)
    .order_by(CaseReassignment.at)
)
_PAGE_OPENED = (
    sa.select(AuditEvent.record_id, sa.func.max(AuditEvent.at))
    .where(
        AuditEvent.record_type == "case",
        AuditEvent.record_id.in_(_ids("record_ids")),
        AuditEvent.action == "case.view",
        AuditEvent.actor_id == _WORKER,
    )
    .group_by(AuditEvent.record_id)
)


class _Details:
    """Everything a page's lines show, read for all of them at once."""

    def __init__(
        self, session, worker_id: int, order, *, now: datetime, today: date, calendar=None
    ):
        self.now, self.today, self.calendar = now, today, calendar
        connection = session.connection()
        case_ids = [i for kind, i in order if kind == "case"]
        line_referrals = [i for kind, i in order if kind == "referral"]
        self.cases = {row.id: row for row in connection.execute(_PAGE_CASES, {"cases": case_ids})}
        self.referrals = {
            row.id: row
            for row in connection.execute(
                _PAGE_REFERRALS, {"line_referrals": line_referrals, "cases": case_ids}
            )
        }
        self.case_referrals: dict[int, list[int]] = {}
        self.line_of_referral = {i: ("referral", i) for i in line_referrals}
        for r in self.referrals.values():
            if r.case_id in self.cases and r.id not in self.line_of_referral:
                self.case_referrals.setdefault(r.case_id, []).append(r.id)
                self.line_of_referral[r.id] = ("case", r.case_id)
        people = sorted(
            {c.person_id for c in self.cases.values()}
            | {self.referrals[i].person_id for i in line_referrals}
        )
        self.people = {p.id: p for p in connection.execute(_PAGE_PEOPLE, {"people": people})}
        self.repeat = set(connection.scalars(_PAGE_REPEAT, {"people": people}))
        referral_ids = list(self.referrals)
        self.obligations: dict[tuple[str, int], list] = {}
        for o in connection.execute(
            _PAGE_OBLIGATIONS, {"referrals": referral_ids, "cases": case_ids}
        ):
            owner = ("case", o.case_id) if o.case_id else ("referral", o.referral_id)
            self.obligations.setdefault(owner, []).append(o)
        self.attempts: dict[int, list] = {}
        for a in connection.execute(_PAGE_ATTEMPTS, {"referrals": referral_ids}):
            self.attempts.setdefault(a.referral_id, []).append(a)
        self.conversations = dict(
            connection.execute(_PAGE_CONVERSATIONS, {"referrals": referral_ids}).all()
        )
        self.noted = dict(connection.execute(_PAGE_NOTED, {"cases": case_ids}).all())
        tz = calendar.tz if calendar is not None else UTC
        # An assessment has a day, not a time: the start of that UK day, said as a day.
        self.assessed = {
            case_id: datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
            for case_id, day in connection.execute(_PAGE_ASSESSED, {"cases": case_ids})
            if day is not None
        }
        self.messaged: dict[tuple[str, int], datetime] = {}
        self.held: set[tuple[str, int]] = set()
        for m in connection.execute(_PAGE_MESSAGES, {"referrals": referral_ids, "cases": case_ids}):
            for owner in self._owners(m.referral_id, m.case_id):
                if m[2] is not None:
                    self.messaged[owner] = max(self.messaged.get(owner, m[2]), m[2])
                if m[3]:
                    self.held.add(owner)
        self.new_to_you = self._new_to_you(connection, worker_id, case_ids)
        self.overdue_actions = overdue_actions_by_case(session, case_ids, today)

    def _owners(self, referral_id, case_id) -> set[tuple[str, int]]:
        """The lines a message belongs to: its case's, and its referral's line."""
        owners = set()
        if case_id in self.cases:
            owners.add(("case", case_id))
        if referral_id in self.line_of_referral:
            owners.add(self.line_of_referral[referral_id])
        return owners

    def _new_to_you(self, connection, worker_id: int, case_ids: list[int]) -> dict:
        """Cases reassigned to the worker that they have not opened since."""
        if not case_ids:
            return {}
        latest: dict[int, NewToYou] = {}
        values = {"cases": case_ids, "worker": worker_id}
        for r in connection.execute(_PAGE_REASSIGNMENTS, values):
            latest[r.case_id] = NewToYou(by=r[3], at=r.at, reason=r.reason, from_worker=r[4])
        if not latest:
            return {}
        opened = dict(
            connection.execute(
                _PAGE_OPENED, {"record_ids": [str(i) for i in latest], "worker": worker_id}
            ).all()
        )
        found = {}
        for case_id, told in latest.items():
            seen = opened.get(str(case_id))
            if seen is not None and seen.tzinfo is None:
                seen = seen.replace(tzinfo=told.at.tzinfo)
            if seen is None or seen < told.at:
                found[case_id] = told
        return found

    def row(self, kind: str, line_id: int) -> CaseloadRow:
        """One line, put together from what was read for the page."""
        if kind == "case":
            case = self.cases[line_id]
            reference, person_id = case.reference, case.person_id
            referral_ids = self.case_referrals.get(line_id, [])
        else:
            referral = self.referrals[line_id]
            reference, person_id = referral.reference, referral.person_id
            referral_ids = [line_id]
        person = self.people[person_id]
        # The referrals being worked: the open ones, and any closed into the case that still
        # owe a deadline (a first call owed when a team leader opened the case from it).
        worked_ids = [
            i
            for i in referral_ids
            if self.referrals[i].status == "open" or ("referral", i) in self.obligations
        ]
        row = CaseloadRow(kind, line_id, reference, f"{person.forename} {person.surname}")
        owed = list(self.obligations.get((kind, line_id), ()))
        for i in worked_ids if kind == "case" else ():
            owed.extend(self.obligations.get(("referral", i), ()))
        if owed:
            first = min(owed, key=lambda o: o.due_at)
            row.next_obligation = NextObligation(
                first.kind, first.due_at, first.status == "breached"
            )
        self._calls(row, worked_ids, person)
        self._last_contact(row, kind, line_id, referral_ids)
        row.markers = self._markers(person, kind, line_id, referral_ids)
        if kind == "case":
            row.new_to_you = self.new_to_you.get(line_id)
            row.overdue_actions = self.overdue_actions.get(line_id, 0)
        return row

    def _calls(self, row: CaseloadRow, worked_ids: list[int], person) -> None:
        """Calls made on the line's referrals being worked, and when the next may be: for the
        referral whose first call is owed soonest, when there is one, within the person's safe
        times."""
        owing = [
            (o.due_at, i)
            for i in worked_ids
            for o in self.obligations.get(("referral", i), ())
            if o.kind == "phone_contact"
        ]
        calls = [
            a for i in worked_ids for a in self.attempts.get(i, ()) if a.channel == "telephone"
        ]
        row.calls_made = len(calls)
        if owing:
            referral_id = min(owing)[1]
            failed = [
                a.attempted_at
                for a in self.attempts.get(referral_id, ())
                if is_failed_call(a.channel, a.outcome)
            ]
            row.calls_made = sum(
                1 for a in self.attempts.get(referral_id, ()) if a.channel == "telephone"
            )
            row.next_call = next_call(failed, call_owed=True, now=self.now)
            if self.calendar is not None:
                windows = safe_times.from_json(person.safe_windows)
                row.next_call = within_safe_times(
                    row.next_call, windows, self.calendar, now=self.now
                )

    def _last_contact(self, row: CaseloadRow, kind: str, line_id: int, referral_ids) -> None:
        """The latest call or visit, first conversation, message that reached them, case note
        of contact with them, or needs assessment held with them."""
        found: list[tuple[datetime, str]] = []
        if kind == "case":
            if line_id in self.noted:
                found.append((self.noted[line_id], "note"))
            if line_id in self.assessed:
                found.append((self.assessed[line_id], "assessment"))
        for i in referral_ids:
            for a in self.attempts.get(i, ()):
                found.append((a.attempted_at, "call" if a.channel == "telephone" else "visit"))
            if i in self.conversations:
                found.append((self.conversations[i], "conversation"))
        if (kind, line_id) in self.messaged:
            found.append((self.messaged[(kind, line_id)], "message"))
        if found:
            row.last_contact, row.last_contact_how = max(found)

    def _markers(self, person, kind: str, line_id: int, referral_ids) -> list[str]:
        """Words, not colours: what to keep in mind before contacting them."""
        markers = []
        if person.safe_to_text is False:
            markers.append("Not safe to text")
        if person.safe_to_voicemail is False:
            markers.append("No voicemail")
        if person.safe_to_post is False:
            markers.append("Not safe to post")
        if person.safe_to_email is False:
            markers.append("Not safe to email")
        if person.safe_windows or person.safe_times:
            markers.append("Safe times set")
        age = age_on(person.date_of_birth, self.today)
        young = any(self.referrals[i].children_and_young_people for i in referral_ids)
        if (age is not None and age < 18) or (age is None and young):
            markers.append("Under 18")
        if person.id in self.repeat:
            markers.append("Repeat victim")
        if (kind, line_id) in self.held:
            markers.append("Held letter")
        return markers
