"""People and cases as records (DESIGN.md Records and Lifecycle): every referral belongs to a
person, further support opens a case that owes the needs assessment, a new referral joins an open
case, a confirmed match merges two people (refused while both have an open case) and an admin can
undo exactly that."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from casework.access import can_view_referral
from casework.audit import Origin
from casework.cases.models import Case
from casework.cases.notes_models import CaseNote
from casework.cases.opening import close_case, open_by_team_leader
from casework.db import db
from casework.errors import NotFound, ValidationError
from casework.obligations.models import Obligation
from casework.people.models import Person, PersonMerge, PossibleMatch
from casework.people.records import undo_merge
from casework.people.subject_access import subject_access_export
from casework.referrals.decisions import decide_match
from casework.referrals.models import Referral
from tests.conftest import audit_rows
from tests.factories import create_referrals
from tests.integration.test_queue import referral_by_ref
from tests.police import police_row

NOW = datetime(2026, 11, 23, 11, tzinfo=UTC)
HERE = Origin.command_line("test")


def open_case(leader, worker, reference: str, reason="Needs support after a second burglary"):
    return open_by_team_leader(
        db.session,
        referral_by_ref(reference).id,
        caseworker_id=worker.id,
        reason=reason,
        actor=leader,
        origin=HERE,
        now=NOW,
    )


@pytest.fixture
def leader_and_worker(app, create_staff_record, create_team_record):
    team = create_team_record("North")
    return create_staff_record("team_leader", team=team), create_staff_record(
        "caseworker", team=team
    )


def test_each_new_person_is_a_record_with_the_first_referral_id(app):
    create_referrals(
        police_row(crime_reference="LC-1", email="a@example.org"),
        police_row(crime_reference="LC-2", email="a@example.org"),  # certain: the same person
        police_row(crime_reference="LC-3", forename="Bea", surname="Other", mobile_phone=""),
    )
    first, again, other = (referral_by_ref(r) for r in ("LC-1", "LC-2", "LC-3"))
    people = db.session.scalars(sa.select(Person).order_by(Person.id)).all()
    assert [p.id for p in people] == [first.id, other.id]
    assert (people[0].forename, people[0].mobile_phone) == ("Alex", "+447700900100")
    assert again.person_id == first.id and again.person.name == "Alex Example"
    # The audit trail's person_id is the person's id, as before people had their own table.
    created = {e.record_id: e.person_id for e in audit_rows("referral.create")}
    assert created == {str(first.id): first.id, str(again.id): first.id, str(other.id): other.id}


def test_a_team_leader_opens_a_case_with_a_reason_and_a_caseworker(app, leader_and_worker):
    leader, worker = leader_and_worker
    create_referrals(police_row(crime_reference="LC-1"))
    with pytest.raises(ValidationError) as refused:
        open_case(leader, worker, "LC-1", reason="  ")
    assert refused.value.errors == {"reason": "Give the reason for opening a case"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0
    case = open_case(leader, worker, "LC-1")
    referral = referral_by_ref("LC-1")
    assert (case.status, case.caseworker_id, case.team_id) == ("open", worker.id, worker.team_id)
    assert referral.case_id == case.id and referral.status == "closed"  # off the triage queue
    assert case.reference.startswith("WC-")
    with pytest.raises(ValidationError) as again:
        open_case(leader, worker, "LC-1")
    # Named, to a team leader who may open it.
    assert again.value.errors == {
        "reason": f"This person already has an open case ({case.reference})"
    }
    (opened,) = audit_rows("case.open")
    assert opened.person_id == referral.person_id and opened.detail_dict["how"] == "team_leader"


def test_another_teams_leader_cannot_open_a_case(
    app, leader_and_worker, create_staff_record, create_team_record
):
    _, worker = leader_and_worker
    elsewhere = create_staff_record("team_leader", team=create_team_record("South"))
    create_referrals(police_row(crime_reference="LC-1"))
    db.session.get(Referral, referral_by_ref("LC-1").id).allocated_to_id = worker.id
    db.session.commit()
    with pytest.raises(NotFound):
        open_case(elsewhere, worker, "LC-1")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0


def test_a_new_referral_joins_the_open_case_and_its_caseworker(app, leader_and_worker):
    leader, worker = leader_and_worker
    create_referrals(police_row(crime_reference="LC-1", email="a@example.org"))
    case = open_case(leader, worker, "LC-1")
    create_referrals(
        police_row(crime_reference="LC-2", email="a@example.org", contact_method="MOBILE_PHONE"),
        received=NOW + timedelta(days=1),
    )
    later = referral_by_ref("LC-2")
    assert later.case_id == case.id and later.allocated_to_id == worker.id
    assert later.status == "open"  # still triaged: its first call is owed, by the caseworker
    assert [o.kind for o in later.obligations] == ["phone_contact"]
    # After closure, a new referral starts afresh.
    close_case(
        db.session,
        db.session.get(Case, case.id),
        reason="Support complete",
        actor=leader,
        origin=HERE,
        now=NOW,
    )
    db.session.commit()
    create_referrals(
        police_row(crime_reference="LC-3", email="a@example.org"), received=NOW + timedelta(days=2)
    )
    fresh = referral_by_ref("LC-3")
    assert fresh.person_id == referral_by_ref("LC-1").person_id
    assert fresh.case_id is None and fresh.allocated_to_id is None


def test_a_case_opened_takes_in_the_persons_referrals_waiting_on_the_queue(
    app, leader_and_worker, create_staff_record, create_team_record
):
    """Alex has four more referrals open (the same email: one person): one unallocated, one
    held by another caseworker of the team, one held in another team, and one showing Alex
    vulnerable. The case opened from the first takes in the team's three, each now the case's
    caseworker's, so no second caseworker calls Alex; the vulnerable one waits unallocated for
    the team leader, since the caseworker's vetting is not received; the other team's stays
    theirs."""
    leader, vetted = leader_and_worker
    colleague = create_staff_record("caseworker", team=vetted.team, name="Colin Colleague")
    # Alex is an adult, so a caseworker whose vetting is not received may hold the case.
    worker = create_staff_record("caseworker", team=vetted.team, vetted=False, name="Una New")
    elsewhere = create_staff_record("caseworker", team=create_team_record("South"))
    create_referrals(
        *(police_row(crime_reference=f"LC-{n}", email="a@example.org") for n in range(1, 5)),
        police_row(crime_reference="LC-5", email="a@example.org", flags="VULNERABLE"),
    )
    one, two, three, four, five = (referral_by_ref(f"LC-{n}") for n in range(1, 6))
    assert len({r.person_id for r in (one, two, three, four, five)}) == 1
    three.allocated_to_id, four.allocated_to_id = colleague.id, elsewhere.id
    db.session.commit()
    case = open_case(leader, worker, "LC-1")
    db.session.expire_all()
    two, three, four, five = (referral_by_ref(f"LC-{n}") for n in (2, 3, 4, 5))
    assert (two.case_id, two.allocated_to_id, two.status) == (case.id, worker.id, "open")
    assert (three.case_id, three.allocated_to_id) == (case.id, worker.id)
    assert (four.case_id, four.allocated_to_id) == (None, elsewhere.id)
    assert (five.case_id, five.allocated_to_id) == (case.id, None)
    joined = {e.record_id: e.detail_dict for e in audit_rows("referral.join_case")}
    assert joined == {
        str(two.id): {"case_id": case.id, "allocated_to_id": worker.id, "held_by_id": None},
        str(three.id): {
            "case_id": case.id,
            "allocated_to_id": worker.id,
            "held_by_id": colleague.id,
        },
        str(five.id): {"case_id": case.id, "allocated_to_id": None, "held_by_id": None},
    }


def test_a_referral_left_open_in_a_closed_case_joins_the_next_case(app, leader_and_worker):
    leader, worker = leader_and_worker
    create_referrals(police_row(crime_reference="LC-1", email="a@example.org"))
    first = open_case(leader, worker, "LC-1")
    create_referrals(
        police_row(crime_reference="LC-2", email="a@example.org"), received=NOW + timedelta(hours=1)
    )
    assert referral_by_ref("LC-2").case_id == first.id  # joined the open case, still open
    close_case(db.session, first, reason="Support complete", actor=leader, origin=HERE, now=NOW)
    db.session.commit()
    create_referrals(
        police_row(crime_reference="LC-3", email="a@example.org"), received=NOW + timedelta(days=1)
    )
    second = open_case(leader, worker, "LC-3")
    db.session.expire_all()
    assert referral_by_ref("LC-2").case_id == second.id


def test_further_support_takes_in_the_persons_other_referral_and_the_timeline_says(
    app, leader_and_worker
):
    from flask import current_app

    from casework.cases.timeline import case_timeline
    from casework.contact.recording import record_conversation
    from casework.referrals.decisions import allocate
    from scheduling.service_calendars import victim_calendar

    leader, worker = leader_and_worker
    create_referrals(
        police_row(crime_reference="LC-1", email="a@example.org"),
        police_row(crime_reference="LC-2", email="a@example.org"),
    )
    first = referral_by_ref("LC-1")
    allocate(db.session, first.id, worker.id, actor=leader, origin=HERE, now=NOW)
    record_conversation(
        db.session,
        first.id,
        outcome="further_support",
        key_risks="None known",
        held_at=NOW,
        booked_at=NOW + timedelta(days=1),
        passed_to=None,
        actor=worker,
        origin=HERE,
        now=NOW,
        calendar=victim_calendar(current_app.config),
    )
    case = db.session.scalars(sa.select(Case)).one()
    second = referral_by_ref("LC-2")
    assert (second.case_id, second.allocated_to_id) == (case.id, worker.id)
    words = [e.words for e in case_timeline(db.session, case, page=1).items]
    assert f"Referral joined the case, with {worker.name}" in words


def add_a_note(case_id: int, author, text: str, *, restricted: bool = False) -> None:
    from casework.cases.notes import NoteDetails, add_note

    add_note(
        db.session,
        case_id,
        NoteDetails("telephone", NOW - timedelta(hours=1), text, restricted),
        actor=author,
        origin=HERE,
        now=NOW,
    )


def possible_match_of(reference: str) -> PossibleMatch:
    return db.session.scalars(
        sa.select(PossibleMatch).where(PossibleMatch.referral_id == referral_by_ref(reference).id)
    ).one()


def test_confirming_a_match_merges_two_people_and_an_admin_undoes_it_exactly(
    app, leader_and_worker, create_staff_record
):
    leader, worker = leader_and_worker
    admin = create_staff_record("admin")
    create_referrals(
        police_row(crime_reference="LC-1", email="a@example.org"),
        police_row(crime_reference="LC-2", mobile_phone="07700 900999", email=""),  # name + dob
    )
    create_referrals(
        police_row(crime_reference="LC-3", mobile_phone="07700 900999", email=""),
        received=NOW,
    )  # certain match to LC-2's person
    first, second, third = (referral_by_ref(r) for r in ("LC-1", "LC-2", "LC-3"))
    assert third.person_id == second.person_id != first.person_id
    match = possible_match_of("LC-2")
    decide_match(db.session, second.id, match.id, True, actor=leader, origin=HERE, now=NOW)
    assert {referral_by_ref(r).person_id for r in ("LC-1", "LC-2", "LC-3")} == {first.id}
    merged = db.session.get(Person, second.id)
    assert merged.merged_into_id == first.id
    (merge,) = db.session.scalars(sa.select(PersonMerge)).all()
    assert sorted(merge.referral_ids) == [second.id, third.id]
    assert audit_rows("person.merge")[0].person_id == first.id
    # Only an admin undoes it, and it moves back exactly what moved.
    with pytest.raises(NotFound):
        undo_merge(db.session, merge.id, actor=leader, origin=HERE, now=NOW)
    undo_merge(db.session, merge.id, actor=admin, origin=HERE, now=NOW)
    db.session.expire_all()
    assert referral_by_ref("LC-1").person_id == first.id
    assert {referral_by_ref(r).person_id for r in ("LC-2", "LC-3")} == {second.id}
    assert db.session.get(Person, second.id).merged_into_id is None
    assert possible_match_of("LC-2").status == "pending"
    with pytest.raises(ValidationError, match="already been undone"):
        undo_merge(db.session, merge.id, actor=admin, origin=HERE, now=NOW)


def one_person_on_record_twice() -> None:
    """LC-1 and LC-2: one name and birth date, each their own mobile (two people on record);
    then LC-3 with both mobiles."""
    create_referrals(police_row(crime_reference="LC-1", mobile_phone="07700 900001"))
    create_referrals(police_row(crime_reference="LC-2", mobile_phone="07700 900002"), received=NOW)
    create_referrals(
        police_row(crime_reference="LC-3", mobile_phone="07700 900001", home_phone="07700 900002"),
        received=NOW,
    )


def test_a_referral_that_certainly_matches_two_people_joins_one_and_offers_the_other(
    app, client, leader_and_worker, sign_in_as, create_staff_record
):
    """Two people on record with one name and birth date, each with their own mobile: then a
    referral with both mobiles. It joins the first; the second may be the same person recorded
    twice, so a team leader is offered them, and confirming makes all three one person, each
    later referral a repeat victim. An admin's undo puts the second person back as they were."""
    leader, _ = leader_and_worker
    one_person_on_record_twice()
    first, second, third = (referral_by_ref(r) for r in ("LC-1", "LC-2", "LC-3"))
    assert (third.person_id, third.repeat_victim) == (first.id, True)
    assert (second.person_id, second.repeat_victim) == (second.id, False)
    offered = possible_match_of("LC-3")
    assert (offered.earlier_referral_id, offered.matched_on) == (
        second.id,
        ["name and date of birth", "phone"],
    )
    sign_in_as("team_leader", team=leader.team)
    page = client.get(f"/referrals/{third.id}").get_data(as_text=True)
    assert "Repeat victim" in page and "Possibly on record twice" in page
    assert "matched on name and date of birth and phone" in page and second.reference in page
    decide_match(db.session, third.id, offered.id, True, actor=leader, origin=HERE, now=NOW)
    after = {r: referral_by_ref(r) for r in ("LC-1", "LC-2", "LC-3")}
    assert {r.person_id for r in after.values()} == {first.id}
    assert [after[r].repeat_victim for r in ("LC-1", "LC-2", "LC-3")] == [False, True, True]
    admin = create_staff_record("admin")
    # Undone with the referrals already loaded, as a page that showed them would have them.
    loaded = [referral_by_ref(r) for r in ("LC-1", "LC-2", "LC-3")]
    assert [r.person_id for r in loaded] == [first.id] * 3
    undo_merge(
        db.session, db.session.scalar(sa.select(PersonMerge.id)), actor=admin, origin=HERE, now=NOW
    )
    db.session.expire_all()
    back = {r: referral_by_ref(r) for r in ("LC-1", "LC-2", "LC-3")}
    assert [(back[r].person_id, back[r].repeat_victim) for r in ("LC-1", "LC-2", "LC-3")] == [
        (first.id, False),
        (second.id, False),
        (first.id, True),
    ]
    assert possible_match_of("LC-3").status == "pending"


def test_a_match_between_referrals_that_became_one_person_is_no_longer_asked(
    app, client, leader_and_worker, sign_in_as
):
    """LC-2 may be LC-1 (name and birth date only) and LC-3 carries both their mobiles: once
    the team leader confirms LC-3's offer, LC-2's own question is answered, so it is neither
    shown nor decidable."""
    leader, _ = leader_and_worker
    one_person_on_record_twice()
    second, third = referral_by_ref("LC-2"), referral_by_ref("LC-3")
    question = possible_match_of("LC-2")
    sign_in_as("team_leader", team=leader.team)
    assert client.get("/queue").get_data(as_text=True).count("Possible repeat victim") == 1
    decide_match(
        db.session, third.id, possible_match_of("LC-3").id, True, actor=leader, origin=HERE, now=NOW
    )
    page = client.get(f"/referrals/{second.id}").get_data(as_text=True)
    assert "May be the same person as" not in page
    queue = client.get("/queue").get_data(as_text=True)
    assert "Possible repeat victim" not in queue and "Possibly on record twice" not in queue
    with pytest.raises(ValidationError, match="already one person"):
        decide_match(db.session, second.id, question.id, False, actor=leader, origin=HERE, now=NOW)
    db.session.rollback()
    assert possible_match_of("LC-2").status == "pending"


def test_two_people_are_offered_again_only_with_evidence_not_yet_put_to_a_team_leader(
    app, leader_and_worker
):
    """Once LC-3 has offered LC-2's person to LC-1's (a shared phone), later referrals with
    the same phones offer nothing more, waiting or rejected. One that shares LC-2's email, or
    LC-2's other number, brings new evidence and is offered."""
    leader, _ = leader_and_worker
    create_referrals(police_row(crime_reference="LC-1", mobile_phone="07700 900001"))
    create_referrals(
        police_row(
            crime_reference="LC-2",
            mobile_phone="07700 900002",
            work_phone="07700 900003",
            email="b@example.org",
        ),
        received=NOW,
    )
    both_phones = {"mobile_phone": "07700 900001", "home_phone": "07700 900002"}
    create_referrals(police_row(crime_reference="LC-3", **both_phones), received=NOW)
    create_referrals(police_row(crime_reference="LC-4", **both_phones), received=NOW)
    assert [m.referral_id for m in offers_of_person(referral_by_ref("LC-2"))] == [
        referral_by_ref("LC-3").id
    ]
    offer = possible_match_of("LC-3")
    decide_match(db.session, offer.referral_id, offer.id, False, actor=leader, origin=HERE, now=NOW)
    create_referrals(police_row(crime_reference="LC-5", **both_phones), received=NOW)
    create_referrals(
        police_row(crime_reference="LC-6", mobile_phone="07700 900001", email="b@example.org"),
        received=NOW,
    )
    create_referrals(
        police_row(crime_reference="LC-7", mobile_phone="07700 900001", home_phone="07700 900003"),
        received=NOW,
    )
    assert [(m.referral_id, m.matched_on) for m in offers_of_person(referral_by_ref("LC-2"))] == [
        (referral_by_ref("LC-3").id, ["name and date of birth", "phone"]),
        (referral_by_ref("LC-6").id, ["name and date of birth", "email"]),
        (referral_by_ref("LC-7").id, ["name and date of birth", "phone"]),
    ]
    assert {referral_by_ref(r).person_id for r in ("LC-3", "LC-4", "LC-5", "LC-6", "LC-7")} == {
        referral_by_ref("LC-1").id
    }


def test_an_offer_waiting_on_a_referral_off_the_queue_does_not_stop_the_next(
    app, leader_and_worker
):
    """LC-3's offer waits, but a team leader opens a case from LC-3, which takes it off the
    triage queue: no one is prompted there, so LC-4, with the same phones, is offered."""
    leader, worker = leader_and_worker
    one_person_on_record_twice()
    open_case(leader, worker, "LC-3")
    assert referral_by_ref("LC-3").status == "closed"
    create_referrals(
        police_row(crime_reference="LC-4", mobile_phone="07700 900001", home_phone="07700 900002"),
        received=NOW,
    )
    second = referral_by_ref("LC-2")
    assert [m.referral_id for m in offers_of_person(second)] == [
        referral_by_ref("LC-3").id,
        referral_by_ref("LC-4").id,
    ]


def offers_of_person(earlier: Referral) -> list[PossibleMatch]:
    return list(
        db.session.scalars(
            sa.select(PossibleMatch)
            .where(PossibleMatch.earlier_referral_id == earlier.id)
            .order_by(PossibleMatch.referral_id)
        )
    )


def test_a_police_flagged_repeat_victim_new_to_us_is_still_a_possible_repeat_victim(
    app, client, sign_in_as
):
    """The police flag a repeat victim we have not met, with only a name and birth date like
    someone on record: the queue and the page say "Possible repeat victim", not "on record
    twice"."""
    create_referrals(police_row(crime_reference="LC-1", mobile_phone="07700 900001"))
    create_referrals(
        police_row(crime_reference="LC-2", mobile_phone="07700 900002", flags="REPEAT_VICTIM"),
        received=NOW,
    )
    flagged = referral_by_ref("LC-2")
    assert flagged.repeat_victim and flagged.person_id == flagged.id
    sign_in_as("team_leader")
    for page in (client.get("/queue"), client.get(f"/referrals/{flagged.id}")):
        text = page.get_data(as_text=True)
        assert "Possible repeat victim" in text and "Possibly on record twice" not in text


def test_a_queue_referral_confirmed_as_a_case_persons_joins_the_case_and_leaves_the_queue(
    app, leader_and_worker, create_staff_record, create_team_record
):
    """Confirmed as the same person as a team's open case, a referral waiting on the queue goes
    to that case's caseworker, as a new referral for them would. Joined to the case but left
    unallocated, it stayed on every team's queue and in their searches, showing the other
    team's case (found by a walk-through)."""
    leader, worker = leader_and_worker
    elsewhere = create_staff_record("caseworker", team=create_team_record("South"))
    create_referrals(
        police_row(crime_reference="LC-1", email="a@example.org"),
        police_row(crime_reference="LC-2", mobile_phone="07700 900999", email=""),  # name + dob
    )
    case = open_case(leader, worker, "LC-1")
    waiting = referral_by_ref("LC-2")
    assert can_view_referral(elsewhere, waiting)  # on the shared queue until it is known
    decide_match(
        db.session,
        waiting.id,
        possible_match_of("LC-2").id,
        True,
        actor=leader,
        origin=HERE,
        now=NOW,
    )
    db.session.commit()
    db.session.expire_all()
    joined = referral_by_ref("LC-2")
    assert (joined.case_id, joined.allocated_to_id) == (case.id, worker.id)
    assert not can_view_referral(elsewhere, joined)
    assert [e.record_id for e in audit_rows("referral.join_case")] == [str(joined.id)]


def test_a_merge_is_refused_while_both_people_have_an_open_case(app, leader_and_worker):
    leader, worker = leader_and_worker
    create_referrals(
        police_row(crime_reference="LC-1", email="a@example.org"),
        police_row(crime_reference="LC-2", mobile_phone="07700 900999", email=""),
    )
    open_case(leader, worker, "LC-1")
    open_case(leader, worker, "LC-2")
    match = possible_match_of("LC-2")
    with pytest.raises(ValidationError, match="close one of the cases"):
        decide_match(
            db.session,
            referral_by_ref("LC-2").id,
            match.id,
            True,
            actor=leader,
            origin=HERE,
            now=NOW,
        )
    db.session.rollback()
    assert possible_match_of("LC-2").status == "pending"
    assert referral_by_ref("LC-2").person_id == referral_by_ref("LC-2").id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PersonMerge)) == 0


def test_an_obligation_belongs_to_exactly_one_owner(app, leader_and_worker):
    leader, worker = leader_and_worker
    create_referrals(police_row(crime_reference="LC-1"))
    case = open_case(leader, worker, "LC-1")
    call = db.session.scalars(sa.select(Obligation)).first()
    call.case_id = case.id  # both a referral's and a case's
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
    call = db.session.scalars(sa.select(Obligation)).first()
    call.referral_id = None  # nobody's
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()


def test_subject_access_works_from_the_person(app, leader_and_worker, create_staff_record):
    leader, worker = leader_and_worker
    admin = create_staff_record("admin")
    create_referrals(
        police_row(crime_reference="LC-1", email="a@example.org"),
        police_row(crime_reference="LC-2", email="a@example.org"),
    )
    case = open_case(leader, worker, "LC-1")
    add_a_note(case.id, worker, "Spoke about a Victim Personal Statement", restricted=True)
    export = subject_access_export(
        db.session, referral_by_ref("LC-2").reference, actor=admin, origin=HERE, now=NOW
    )
    assert export["person"] == referral_by_ref("LC-1").id
    assert export["details"]["forename"] == "Alex" and "merged_into_id" not in export["details"]
    assert [r["crime_reference"] for r in export["referrals"]] == ["LC-1", "LC-2"]
    (case,) = export["cases"]
    assert case["status"] == "open" and case["opened_reason"].startswith("Needs support")
    assert [n["text"] for n in case["notes"]] == ["Spoke about a Victim Personal Statement"]
    assert "case.open" in [row["action"] for row in export["record_of_access"]]


def test_admin_merges_page_lists_and_undoes(app, client, leader_and_worker, sign_in_as):
    leader, _ = leader_and_worker
    create_referrals(
        police_row(crime_reference="LC-1", email="a@example.org"),
        police_row(crime_reference="LC-2", mobile_phone="07700 900999", email=""),
    )
    match = possible_match_of("LC-2")
    decide_match(
        db.session, referral_by_ref("LC-2").id, match.id, True, actor=leader, origin=HERE, now=NOW
    )
    sign_in_as("admin")
    page = client.get("/admin/merges").get_data(as_text=True)
    assert "1 merge, newest first." in page and "Undo" in page
    from tests.conftest import csrf_token

    merge_id = db.session.scalar(sa.select(PersonMerge.id))
    done = client.post(
        f"/admin/merges/{merge_id}/undo",
        data={"csrf_token": csrf_token(client, "/admin/merges")},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Merge undone" in done and "Undone" in done


def test_retention_spares_a_person_with_an_open_case_and_empties_the_person_after(
    app, leader_and_worker
):
    from casework.people.retention import anonymise_expired

    leader, worker = leader_and_worker
    create_referrals(police_row(crime_reference="LC-1"), now=NOW)
    case = open_case(leader, worker, "LC-1")
    add_a_note(case.id, worker, "Her new address is 4 Hidden Lane")
    person = referral_by_ref("LC-1").person_id
    later = NOW + timedelta(days=365 * 7)
    assert anonymise_expired(db.session, now=later, years=6) == 0  # the case is still open
    assert db.session.get(Person, person).forename == "Alex"
    close_case(
        db.session,
        db.session.get(Case, case.id),
        reason="Support complete",
        actor=leader,
        origin=HERE,
        now=NOW,
    )
    db.session.commit()
    assert anonymise_expired(db.session, now=later, years=6) == 1
    db.session.expire_all()
    gone = db.session.get(Person, person)
    assert (gone.forename, gone.surname, gone.mobile_phone, gone.date_of_birth) == (
        "Anonymised",
        "",
        None,
        None,
    )
    closed = db.session.get(Case, case.id)
    assert closed.opened_reason is None and closed.closure_reason is None
    assert closed.status == "closed"  # what monitoring needs stays
    (note,) = db.session.scalars(sa.select(CaseNote)).all()
    assert note.text == "" and note.mode == "telephone"


def test_a_first_call_owed_on_the_referral_a_case_was_opened_from_is_on_the_deadline_view(
    client, leader_and_worker, sign_in_as
):
    """The team leader opened the case before anyone called: the first call (due Sunday 07:00)
    is still the caseworker's, so once it is overdue the deadline view lists it under the
    referral, as the breach count it feeds does."""
    import time_machine

    leader, worker = leader_and_worker
    create_referrals(police_row(crime_reference="LC-1"))
    open_case(leader, worker, "LC-1")
    referral = referral_by_ref("LC-1")
    with time_machine.travel(datetime(2026, 11, 23, 9, tzinfo=UTC), tick=False):
        sign_in_as("team_leader", team=worker.team)
        page = client.get("/deadlines").get_data(as_text=True)
    overdue = page[page.index("Overdue") :]
    assert f'href="/referrals/{referral.id}"' in overdue and "First telephone call" in overdue
    assert worker.name in page


def test_a_cases_overdue_assessment_is_on_its_teams_deadline_view_only(
    app, client, leader_and_worker, sign_in_as, create_team_record
):
    import time_machine

    from casework.obligations import lifecycle
    from triage.deadlines import DueObligation

    leader, worker = leader_and_worker
    create_referrals(police_row(crime_reference="LC-1"))
    case = open_case(leader, worker, "LC-1")
    lifecycle.add(
        db.session,
        db.session.get(Case, case.id),
        DueObligation("needs_assessment", "appointment", NOW + timedelta(hours=2)),
        NOW,
    )
    db.session.commit()
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        sign_in_as("team_leader", team=worker.team)
        page = client.get("/deadlines").get_data(as_text=True)
        assert case.reference in page and worker.name in page
        client.post("/logout", data={})
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        other = app.test_client()
        from tests.conftest import sign_in

        elsewhere = create_team_record("Elsewhere")
        from casework.staff.accounts import StaffDetails, create_staff

        create_staff(
            db.session,
            StaffDetails(
                email="tl2@waypoint.test",
                name="Other Leader",
                role="team_leader",
                team_id=elsewhere.id,
            ),
            password="correct horse battery staple",
            actor=None,
            origin=HERE,
            now=NOW,
        )
        sign_in(other, "tl2@waypoint.test")
        assert case.reference not in other.get("/deadlines").get_data(as_text=True)
