"""Demonstration young people's group sessions and complaints: sessions of the City team this
quarter attended by the demo's young people (Kai, 15, from the self-referral form, gets a case
for it), one session still to come, and two complaints (one being looked into, one upheld with
the action taken), all made through the real services."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from casework.audit import Origin
from casework.cases.models import Case
from casework.people.models import Person
from casework.referrals.models import Referral
from casework.staff.models import Staff
from casework.staff.vetting import local_today
from casework.support.complaints import record_complaint, update_complaint
from casework.support.groups import create_session, record_attendance, young_on
from casework.support.models import GroupSession
from casework.support.monitoring_quarter import quarter_of

ORIGIN = Origin.command_line("demo")
TOPICS = (
    ("Feeling safe online", "Braunstone youth centre"),
    ("Talking about what happened", "Victim First, Leicester office"),
    ("Getting back to school", "Loughborough library, meeting room 2"),
)


def _young_case(session, leader: Staff, worker: Staff, now: datetime) -> Case | None:
    """Kai's case: the demo's young self-referral, opened by the City team leader for
    ``worker`` when it has no case yet."""
    from casework.cases.opening import open_by_team_leader

    referral = session.scalar(
        sa.select(Referral).where(Referral.email == "kai.demo@example.org").order_by(Referral.id)
    )
    if referral is None:
        return None
    if referral.case_id is None:
        open_by_team_leader(
            session,
            referral.id,
            caseworker_id=worker.id,
            reason="A young person: group support and a young person's needs assessment",
            actor=leader,
            origin=ORIGIN,
            now=now,
        )
        session.refresh(referral)
    return session.get(Case, referral.case_id)


def seed_demo_groups(session, *, now: datetime) -> dict[str, int]:
    """``demo seed``'s group sessions and complaints, once. Returns how many of each."""
    if session.scalar(sa.select(sa.func.count()).select_from(GroupSession)):
        return {}
    staff = {
        s.email: s
        for s in session.scalars(
            sa.select(Staff).where(
                Staff.email.in_(["lead.city@waypoint.example", "sam.caseworker@waypoint.example"])
            )
        )
    }
    leader = staff.get("lead.city@waypoint.example")
    worker = staff.get("sam.caseworker@waypoint.example")
    if leader is None or worker is None:
        return {}
    kai = _young_case(session, leader, worker, now)
    today = local_today(now)
    start = quarter_of(today).start
    young = [
        c
        for c in session.scalars(
            sa.select(Case)
            .join(Person, Person.id == Case.person_id)
            .where(Case.status == "open", Case.team_id == leader.team_id)
            .order_by(Case.id)
        )
        if young_on(c.person, start)
    ]
    if kai is not None and kai not in young:
        young.append(kai)
    held = []
    for (topic, place), days_ago in zip(TOPICS, (28, 14, 2), strict=True):
        held_on = max(start, today - timedelta(days=days_ago))
        held.append(
            create_session(
                session,
                held_on=held_on,
                place=place,
                facilitator_id=worker.id,
                topic=topic,
                note="Snacks and bus fares provided." if days_ago == 28 else None,
                actor=worker,
                origin=ORIGIN,
                now=now,
            )
        )
    create_session(
        session,
        held_on=today + timedelta(days=7),
        place="Braunstone youth centre",
        facilitator_id=leader.id,
        topic="Planning the young people's user group",
        note=None,
        actor=leader,
        origin=ORIGIN,
        now=now,
    )
    attended = 0
    for n, group in enumerate(held):
        for m, case in enumerate(young):
            if not young_on(case.person, group.held_on):
                continue
            there = (n + m) % 3 != 2
            record_attendance(
                session,
                group.id,
                case_id=case.id,
                attended=there,
                actor=leader,
                origin=ORIGIN,
                now=now,
            )
            attended += there
    adults = [
        c
        for c in session.scalars(
            sa.select(Case)
            .where(Case.status == "open", Case.team_id == leader.team_id)
            .order_by(Case.id)
        )
        if c not in young
    ]
    linked = adults[0] if adults else None
    record_complaint(
        session,
        received_on=today - timedelta(days=3),
        channel="phone",
        about="Was promised a call back on Tuesday and nobody rang.",
        case_reference=linked.reference if linked else None,
        actor=leader,
        origin=ORIGIN,
        now=now,
    )
    upheld = record_complaint(
        session,
        received_on=max(start, today - timedelta(days=20)),
        channel="email",
        about="A letter was sent to my old address after I told you I had moved.",
        case_reference=None,
        actor=leader,
        origin=ORIGIN,
        now=now,
    )
    update_complaint(
        session,
        upheld.id,
        investigation="The new address was noted in a case note but not on the person's record.",
        investigated_by_id=leader.id,
        outcome="upheld",
        outcome_on=today,
        action_taken="Apologised in writing; the address is now checked before any letter is sent.",
        expected_version=upheld.version,
        actor=leader,
        origin=ORIGIN,
        now=now,
    )
    return {
        "group sessions": len(held) + 1,
        "attendances": attended,
        "complaints": 2,
    }
