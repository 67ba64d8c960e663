"""Repeat-victim matching stays linear: a key held by too many people is not evidence.

DESIGN.md Data formats: a matching key (name with birth date, phone, email) held by more people
than MATCH_KEY_LIMIT allows is ignored, so each referral is compared with a bounded number of
people and an import's work grows with its rows, not with their square.
"""

import json
import random
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from casework.db import db
from casework.people.matching import link_repeat_victims
from casework.people.models import MatchKey, PossibleMatch
from casework.referrals.models import Referral
from tests.factories import create_referrals
from tests.police import import_rows, police_csv, police_row

RECEIVED = datetime(2026, 11, 20, 7, tzinfo=UTC)
NAMES = [f"Person{a}{b}" for a in "ABCDEFGH" for b in "VWXYZ"]  # names fold to letters only


def possible_matches() -> list[PossibleMatch]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(PossibleMatch)))


def stored() -> list[Referral]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(Referral).order_by(Referral.id)))


def test_a_name_and_birth_date_shared_by_more_people_than_the_limit_is_ignored(app):
    # 26 different people (different phones) called John Smith born on one day.
    rows = [
        police_row(
            crime_reference=f"LC-{i}",
            forename="John",
            surname="Smith",
            date_of_birth="1980-01-01",
            mobile_phone=f"07700 900{i:03d}",
        )
        for i in range(26)
    ]
    create_referrals(*rows, received=RECEIVED)
    assert possible_matches() == []
    assert not any(r.repeat_victim for r in stored())


def test_at_the_limit_a_shared_name_and_birth_date_is_still_offered_as_a_match(app):
    rows = [
        police_row(
            crime_reference=f"LC-{i}",
            forename="John",
            surname="Smith",
            date_of_birth="1980-01-01",
            mobile_phone=f"07700 900{i:03d}",
        )
        for i in range(25)
    ]
    create_referrals(*rows, received=RECEIVED)
    assert len(possible_matches()) == sum(min(i, 5) for i in range(25))


def test_a_person_referred_many_times_counts_once_towards_the_limit(app):
    for i in range(30):
        create_referrals(police_row(crime_reference=f"LC-{i}"), received=RECEIVED)
    referrals = stored()
    first = referrals[0].id
    assert all(r.person_id == first and r.repeat_victim for r in referrals[1:])
    create_referrals(police_row(crime_reference="LC-NEXT"), received=RECEIVED)
    latest = stored()[-1]
    assert (latest.person_id, latest.repeat_victim) == (first, True)


def test_a_person_on_more_rows_of_one_download_than_the_limit_is_still_one_person(app):
    """A victim of a long run of incidents, all in one download: 30 rows with one name, birth
    date and mobile are one person, as they would be had the rows come one download at a time,
    not 30 people crowding their own name and phone out of matching."""
    create_referrals(*[police_row(crime_reference=f"LC-{i}") for i in range(30)])
    referrals = stored()
    first = referrals[0].id
    assert [(r.person_id, r.repeat_victim) for r in referrals[1:]] == [(first, True)] * 29
    assert possible_matches() == []
    create_referrals(police_row(crime_reference="LC-NEXT"), received=RECEIVED)
    latest = stored()[-1]
    assert (latest.person_id, latest.repeat_victim) == (first, True)


def test_one_download_links_its_repeat_rows_to_the_person_already_known(app):
    create_referrals(police_row(crime_reference="LC-EARLIER"))
    earlier = stored()[0].id
    create_referrals(*[police_row(crime_reference=f"LC-{i}") for i in range(30)])
    assert {(r.person_id, r.repeat_victim) for r in stored()[1:]} == {(earlier, True)}


def test_a_row_is_linked_only_by_what_the_rows_before_it_share(app):
    """Three rows of one name in one download: the first with mobile 1, the second mobile 2,
    the third both. The second shares nothing with the first, so it is offered, not merged;
    the third shares mobile 1 with the first and joins them, as one download at a time does,
    and, sharing mobile 2 with the second as certainly, is offered as the second's match."""
    rows = [
        police_row(crime_reference="LC-A", mobile_phone="07700 900001"),
        police_row(crime_reference="LC-B", mobile_phone="07700 900002"),
        police_row(crime_reference="LC-C", mobile_phone="07700 900001", home_phone="07700 900002"),
    ]
    create_referrals(*rows)
    a, b, c = stored()
    assert (b.person_id, b.repeat_victim) == (b.id, False)
    assert (c.person_id, c.repeat_victim) == (a.id, True)
    assert [(m.referral_id, m.earlier_referral_id, m.matched_on) for m in possible_matches()] == [
        (b.id, a.id, ["name and date of birth"]),
        (c.id, b.id, ["name and date of birth", "phone"]),
    ]


HOSTEL = "0116 496 0000"


def resident(i: int, reference: str) -> dict:
    """Resident ``i`` of a hostel, reachable only on its phone."""
    return police_row(
        crime_reference=reference,
        forename=NAMES[i],
        surname="Resident",
        mobile_phone="",
        home_phone=HOSTEL,
        contact_method="HOME_PHONE",
    )


def test_a_phone_the_downloads_own_people_crowd_is_not_evidence(app):
    """Twenty residents known at a hostel's phone; then one download with resident 0 again
    and, after them, ten different people all recorded under one over-common name at that
    phone. The phone is now held by 31 people: resident 0's new row, though decided first, is
    offered, not linked through it, and the crowd is offered nobody on it."""
    crowd = {"forename": "Alex", "surname": "Example", "date_of_birth": "1980-05-05"}
    create_referrals(
        *[
            police_row(crime_reference=f"LC-ALEX-{i}", mobile_phone=f"07700 900{i:03d}", **crowd)
            for i in range(26)
        ],
        *[resident(i, f"LC-RES-{i}") for i in range(20)],
    )
    known = stored()
    create_referrals(
        resident(0, "LC-RES-AGAIN"),
        *[
            police_row(
                crime_reference=f"LC-NEW-{i}",
                mobile_phone="",
                home_phone=HOSTEL,
                contact_method="HOME_PHONE",
                **crowd,
            )
            for i in range(10)
        ],
    )
    again = stored()[len(known)]
    assert (again.person_id, again.repeat_victim) == (again.id, False)
    offered = [m for m in possible_matches() if m.referral_id > known[-1].id]
    assert [(m.referral_id, m.earlier_referral_id, m.matched_on) for m in offered] == [
        (again.id, known[26].id, ["name and date of birth"])
    ]


def test_residents_known_at_a_hostel_who_return_in_one_download_are_linked(app):
    """Twenty residents known at the hostel's phone, six of them in one download again: still
    twenty people at the phone, so each is linked to who they were."""
    create_referrals(*[resident(i, f"LC-RES-{i}") for i in range(20)])
    known = stored()
    create_referrals(*[resident(i, f"LC-AGAIN-{i}") for i in range(6)])
    back = stored()[20:]
    assert [(r.person_id, r.repeat_victim) for r in back] == [(k.id, True) for k in known[:6]]
    assert [m for m in possible_matches() if m.referral_id > known[-1].id] == []


def forget_matching_keys():
    """The stored referrals' matching keys taken out in this transaction (the caller rolls
    back): matching then finds none of them, as for a download not yet stored."""
    db.session.execute(sa.delete(PossibleMatch))
    db.session.execute(sa.delete(MatchKey))
    db.session.execute(sa.update(Referral).values(person_id=Referral.id, match_name_dob=None))


def test_a_resident_on_thirty_rows_of_one_download_at_a_full_hostel_is_one_person(app):
    """Twenty-five residents known at the hostel's phone (the limit), then thirty rows of
    resident 0 with only that phone: still twenty-five people, so all thirty are linked."""
    create_referrals(*[resident(i, f"LC-RES-{i}") for i in range(25)])
    first = stored()[0]
    create_referrals(*[resident(0, f"LC-AGAIN-{i}") for i in range(30)])
    assert {(r.person_id, r.repeat_victim) for r in stored()[25:]} == {(first.id, True)}


def test_forty_people_on_thirty_rows_each_are_linked_in_a_bounded_number_of_comparisons(app):
    """1,200 rows of one download: 40 people on 30 rows each, each with their own mobile, all
    giving one hostel phone. Each person's rows are one person; the phone is no evidence; each
    row is compared with only the one person before it of its name."""
    rows = [
        police_row(
            crime_reference=f"LC-{n}-{i}",
            forename=NAMES[n],
            surname="Hostel",
            mobile_phone=f"07700 900{n:03d}",
            home_phone="0116 496 0000",
        )
        for i in range(30)
        for n in range(40)
    ]
    create_referrals(*rows)
    new = {}
    for referral in stored():
        new[referral.id] = (referral.match_name_dob, [])
    firsts = {}
    for referral in stored():
        firsts.setdefault(referral.match_name_dob, referral.id)
        assert referral.person_id == firsts[referral.match_name_dob]
    assert possible_matches() == []
    for rid, kind, value in db.session.execute(
        sa.select(MatchKey.referral_id, MatchKey.kind, MatchKey.value)
    ):
        new[rid][1].append((kind, value))
    # Matching the same rows again as if not yet stored, then rolled back.
    forget_matching_keys()
    linking = link_repeat_victims(db.session, new, limit=25)
    db.session.rollback()
    assert len(linking.linked) == 40 * 29
    # Each row has three keys, each compared with at most 25 people: the hostel phone, held
    # by 40 people, is found crowded and the rows decided again without it (two passes).
    assert linking.compared <= 1200 * 3 * 25 * 2


def test_many_people_at_one_hostel_phone_in_one_download_are_not_taken_for_one(app):
    """The hostel's phone on 30 rows of 30 different people, two of them of one name and birth
    date, and one resident again on two rows with their own mobile: the phone is still no
    evidence, so only that resident's second row is linked."""
    rows = [
        police_row(
            crime_reference=f"LC-{i}",
            forename=NAMES[1] if i == 2 else NAMES[i],
            surname="Resident",
            home_phone="0116 496 0000",
            mobile_phone="",
            contact_method="HOME_PHONE",
        )
        for i in range(30)
    ]
    twice = {"forename": NAMES[0], "surname": "Resident", "mobile_phone": "07700 900555"}
    rows += [police_row(crime_reference=f"LC-TWICE-{i}", **twice) for i in range(2)]
    create_referrals(*rows)
    referrals = stored()
    linked = [r for r in referrals if r.repeat_victim]
    assert [r.reference for r in linked] == [referrals[-1].reference]
    assert linked[0].person_id == referrals[-2].id
    # The two residents of one name, and resident A's first row (the hostel phone only) and
    # their later rows: offered to a team leader, not merged; the phone is never evidence.
    offered = possible_matches()
    assert {m.referral_id for m in offered} == {referrals[2].id, referrals[-2].id}
    assert all(m.matched_on == ["name and date of birth"] for m in offered)


def test_each_referral_is_compared_with_at_most_the_limit_of_people_per_key(app):
    """1,000 rows: 40 names each shared by exactly 25 people (still evidence), and one hostel
    phone shared by all (not evidence). Without a bound each row is compared with every
    earlier holder of the phone: about half a million comparisons."""
    rows = [
        police_row(
            crime_reference=f"LC-{i}",
            forename=NAMES[i % 40],
            surname="Hostel",
            date_of_birth="1990-02-02",
            mobile_phone=f"07700 9{i:05d}",
            home_phone="0116 496 0000",
        )
        for i in range(1000)
    ]
    create_referrals(*rows, received=RECEIVED)
    db.session.rollback()
    new = {}
    for rid, name in db.session.execute(sa.select(Referral.id, Referral.match_name_dob)):
        new[rid] = (name, [])
    for rid, kind, value in db.session.execute(
        sa.select(MatchKey.referral_id, MatchKey.kind, MatchKey.value)
    ):
        new[rid][1].append((kind, value))
    # Matching the same rows again as if not yet stored, then rolled back.
    forget_matching_keys()
    linking = link_repeat_victims(db.session, new, limit=25)
    db.session.rollback()
    # Each row has three keys (name and birth date, mobile, home phone), each compared with at
    # most 25 people, in each of two passes (the phone is found crowded, then left out).
    assert linking.compared <= 1000 * 3 * 25 * 2


class TestTheSetting:
    @pytest.fixture
    def app_overrides(self):
        return {"MATCH_KEY_LIMIT": 2}

    def test_the_limit_is_the_match_key_limit_setting(self, runner, tmp_path):
        path = tmp_path / "three.csv"
        path.write_bytes(
            police_csv(
                *[
                    police_row(crime_reference=f"LC-{i}", mobile_phone=f"07700 900{i:03d}")
                    for i in range(3)
                ]
            )
        )
        result = runner.invoke(
            args=["referrals", "import-police", str(path), "--received-at", RECEIVED.isoformat()]
        )
        assert json.loads(result.output)["imported"] == 3
        assert possible_matches() == []


def _matches_made_only_on_rare_keys(after_id: int, limit: int) -> int:
    """Check every referral stored after ``after_id``: if linked to an earlier person, its name
    and birth date and a phone or email it shares with that person's earlier referrals are
    each held by no more than ``limit`` people now; and so is every key a possible match
    offered for it rests on, never the referral's own person nor the same two people again on
    keys an earlier offer holds. Returns how many links and offers were checked."""
    db.session.rollback()
    rows = db.session.execute(sa.select(Referral.id, Referral.person_id))
    person = {rid: pid or rid for rid, pid in rows}
    name_of = dict(db.session.execute(sa.select(Referral.id, Referral.match_name_dob)).all())
    keys_of: dict[int, set[tuple[str, str]]] = {}
    for rid, kind, value in db.session.execute(
        sa.select(MatchKey.referral_id, MatchKey.kind, MatchKey.value)
    ):
        keys_of.setdefault(rid, set()).add((kind, value))
    people: dict[str, set[int]] = {}
    for rid, name in name_of.items():
        for key in ({name} if name else set()) | {v for _, v in keys_of.get(rid, set())}:
            people.setdefault(key, set()).add(person[rid])

    def rests_on_rare(rid: int, earlier_person: int, kinds) -> None:
        before = set().union(
            *(keys_of.get(o, set()) for o in person if person[o] == earlier_person and o < rid)
        )
        for kind in kinds:
            if kind == "name and date of birth":
                assert len(people[name_of[rid]]) <= limit, (rid, kind)
            else:
                shared = {v for k, v in keys_of.get(rid, set()) & before if kind in (None, k)}
                assert any(len(people[v]) <= limit for v in shared), (rid, kind)

    checked = 0
    for rid in person:
        if rid > after_id and person[rid] != rid:
            rests_on_rare(rid, person[rid], ["name and date of birth", None])  # any shared
            checked += 1
    for match in possible_matches():
        if match.referral_id > after_id:
            # Never an offer of the person the referral already belongs to.
            assert person[match.earlier_referral_id] != person[match.referral_id], match.id
            rests_on_rare(match.referral_id, person[match.earlier_referral_id], match.matched_on)
            checked += 1
    # Nor the same two people again on keys an offer still waiting already holds.
    given: dict[frozenset, list[set]] = {}
    for m in sorted(possible_matches(), key=lambda m: m.id):
        if m.evidence is not None:
            pair = frozenset((person[m.referral_id], person[m.earlier_referral_id]))
            assert not any(set(m.evidence) <= keys for keys in given.get(pair, [])), m.id
            given.setdefault(pair, []).append(set(m.evidence))
    return checked


@pytest.mark.parametrize("passes", [None, 1, 0], ids=["as set", "one pass", "last pass only"])
def test_every_match_rests_on_keys_few_people_hold_whatever_the_download(app, monkeypatch, passes):
    """Forty small made-up histories (three downloads each, drawn from a few names, birth
    dates, phones and emails, so that keys crowd and people repeat), with a limit of two:
    after each download, every link it made and every match it offered rests on keys that at
    most two people hold. Also with the passes cut short, down to only the last, careful one."""
    from casework.people import matching

    if passes is not None:
        monkeypatch.setattr(matching, "MAX_PASSES", passes)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    checked = 0
    for seed in range(40):
        rng = random.Random(seed)
        tag = letters[seed // 26] + letters[seed % 26]  # names fold to letters only
        for download in range(3):
            rows = [
                police_row(
                    crime_reference=f"LC-{seed}-{download}-{n}",
                    forename=f"Mix{tag}{rng.choice('AB')}",
                    surname="Chain",
                    date_of_birth=rng.choice(["1980-01-01", "1990-02-02"]),
                    mobile_phone=rng.choice(
                        ["", *(f"07700 9{seed:02d}{k:03d}" for k in (1, 2, 3))]
                    ),
                    home_phone=rng.choice(["", *(f"0116 4{seed:02d} 0{k:03d}" for k in (1, 2))]),
                    email=rng.choice(["", *(f"mix.{tag.lower()}.{k}@example.org" for k in (1, 2))]),
                    contact_method="EMAIL",
                )
                for n in range(rng.randrange(3, 9))
            ]
            after = max((r.id for r in stored()), default=0)
            import_rows(app, *rows, received=RECEIVED, match_key_limit=2)
            checked += _matches_made_only_on_rare_keys(after, limit=2)
    assert checked > 100  # the histories do link and offer, so the check checked something
