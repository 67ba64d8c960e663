"""Safe contact (email, post, safe windows) and the protected characteristics asked on every
route, stored on the referral and the person; the police codes mapped onto them."""

import json
from datetime import UTC, datetime

import sqlalchemy as sa
import time_machine

from casework.db import db
from casework.people.models import Person
from casework.referrals.models import Referral
from tests.conftest import csrf_token
from tests.factories import create_referrals
from tests.integration.test_public_referrals import submit
from tests.police import police_row
from triage.equality import FIELDS, PREFER_NOT_TO_SAY

WEEKDAY_EVENINGS = [{"days": [0, 1, 2, 3, 4], "start": "17:00", "end": "20:00"}]


def only_referral() -> tuple[Referral, Person]:
    db.session.rollback()
    [referral] = db.session.scalars(sa.select(Referral)).all()
    return referral, db.session.get(Person, referral.person_id)


def test_refer_stores_safe_contact_and_what_they_chose_to_say_on_referral_and_person(client):
    response = submit(
        client,
        safe_to_email="no",
        safe_to_post="yes",
        safe_days="weekdays",
        safe_from="17:00",
        safe_until="20:00",
        sex="female",
        ethnic_group=PREFER_NOT_TO_SAY,
        religion="muslim",
    )
    assert response.status_code == 302
    referral, person = only_referral()
    for record in (referral, person):
        assert (record.safe_to_email, record.safe_to_post) == (False, True)
        assert record.safe_windows == WEEKDAY_EVENINGS
        assert (record.sex, record.religion) == ("female", "muslim")
        # asked and not said is not the same as never asked
        assert record.ethnic_group == PREFER_NOT_TO_SAY
        assert record.sexual_orientation is None and record.disability is None


def test_refer_with_no_safe_times_means_any_time_not_unasked(client):
    assert submit(client).status_code == 302
    referral, person = only_referral()
    assert referral.safe_windows == [] and person.safe_windows == []
    assert referral.safe_to_email is None and all(getattr(person, f) is None for f in FIELDS)


def test_a_half_given_safe_window_is_refused_with_the_reason_and_nothing_stored(client):
    response = submit(client, safe_days="specific", safe_from="20:00", safe_until="17:00")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Select at least one day" in page
    assert db.session.scalar(sa.select(sa.func.count(Referral.id))) == 0

    response = submit(
        client, safe_days="specific", safe_specific_days=["2"], safe_from="20:00", safe_until="17"
    )
    assert "Enter a time like 17:30" in response.get_data(as_text=True)
    response = submit(
        client,
        safe_days="specific",
        safe_specific_days=["2"],
        safe_from="20:00",
        safe_until="17:00",
    )
    assert "The end of a safe time must be after its start" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Referral.id))) == 0


def test_choosing_email_while_saying_email_is_unsafe_is_refused(client):
    response = submit(client, contact_method="EMAIL", email="robin@example.org", safe_to_email="no")
    assert response.status_code == 400
    assert "You chose email but said it is not safe to email" in response.get_data(as_text=True)


def test_an_answer_that_is_not_one_of_the_choices_is_refused(client):
    response = submit(client, sexual_orientation="<script>", ethnic_group="W1")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Select one of the answers" in page and "Select from the list" in page


def test_the_partner_form_asks_the_same_about_them(client):
    response = submit(
        client,
        "/partner-referral",
        agency_name="Example Housing",
        referrer_name="Harriet",
        referrer_email="h@example.org",
        consent="y",
        safe_to_post="no",
        safe_days="specific",
        safe_specific_days=["5", "6"],
        safe_from="10:00",
        safe_until="16:00",
        disability="yes",
        age_band="25_34",
    )
    assert response.status_code == 302
    referral, person = only_referral()
    assert person.safe_to_post is False
    assert person.safe_windows == [{"days": [5, 6], "start": "10:00", "end": "16:00"}]
    assert (referral.disability, person.age_band) == ("yes", "25_34")


EMAIL = """From: Housing Officer <housing.officer@example.org>
Message-ID: <{mid}@example.org>
Content-Type: text/plain; charset="utf-8"

Agency: Example Housing Association
Referrer name: Harriet Officer
Forename: Kerry
Surname: Sample
Contact method: Mobile
Phone: 07700 900321
Consent: yes
{extra}
"""


def test_the_emailed_referral_reads_safe_contact_and_characteristics(runner, tmp_path):
    path = tmp_path / "a.eml"
    path.write_text(
        EMAIL.format(
            mid="a",
            extra="Safe to email: no\nSafe to post: yes\nSafe days: Monday; Thursday\n"
            "Safe from: 9:00\nSafe until: 12:30\nEthnic group: Irish\nSex: prefer not to say\n"
            "Religion: something unreadable",
        )
    )
    out = json.loads(runner.invoke(args=["referrals", "import-email", str(path)]).output)
    assert out["imported"] == 1, out
    referral, person = only_referral()
    assert (person.safe_to_email, person.safe_to_post) == (False, True)
    assert person.safe_windows == [{"days": [0, 3], "start": "09:00", "end": "12:30"}]
    assert (person.ethnic_group, person.sex) == ("white_irish", PREFER_NOT_TO_SAY)
    assert person.religion is None  # unreadable: not asked, and the referral is not lost


def test_an_emailed_referral_without_safe_times_leaves_them_not_asked(runner, tmp_path):
    path = tmp_path / "b.eml"
    path.write_text(EMAIL.format(mid="b", extra=""))
    runner.invoke(args=["referrals", "import-email", str(path)])
    referral, person = only_referral()
    assert referral.safe_windows is None and person.safe_to_post is None


def test_police_codes_map_onto_the_characteristics_and_safe_contact_is_not_asked(app):
    create_referrals(
        police_row(crime_reference="LC-1", gender="F", ethnicity="A3"),
        police_row(crime_reference="LC-2", forename="Bo", gender="U", ethnicity="NS"),
        police_row(crime_reference="LC-3", forename="Cy", gender="", ethnicity="o2"),
    )
    db.session.rollback()
    people = {
        p.forename: p for p in db.session.scalars(sa.select(Person).order_by(Person.id)).all()
    }
    alex, bo, cy = people["Alex"], people["Bo"], people["Cy"]
    assert (alex.sex, alex.ethnic_group, alex.ethnicity) == ("female", "asian_bangladeshi", "A3")
    assert (bo.sex, bo.ethnic_group) == (None, None)  # unknown and "not stated": not asked
    assert (cy.sex, cy.ethnic_group) == (None, "arab")
    for person in (alex, bo, cy):
        assert (person.safe_to_email, person.safe_to_post, person.safe_windows) == (
            None,
            None,
            None,
        )


def test_the_first_conversation_writes_the_answers_onto_the_person(client, sign_in_as):
    create_referrals(police_row(ethnicity="W1"), received=datetime(2026, 11, 23, 9, tzinfo=UTC))
    rid = db.session.scalar(sa.select(Referral.id))
    path = f"/referrals/{rid}/record/conversation"
    with time_machine.travel("2026-11-23 11:00 +0000", tick=False):
        sign_in_as("team_leader")
        page = client.get(path).get_data(as_text=True)
        assert "Not asked yet" in page
        bad = client.post(
            f"/referrals/{rid}/conversation",
            data={
                "csrf_token": csrf_token(client, path),
                "outcome": "initial_contact_only",
                "safe_days": "weekends",
                "safe_from": "9",
            },
        )
        assert bad.status_code == 400
        assert "Enter a time like 09:00" in bad.get_data(as_text=True)
        referral, person = only_referral()
        assert referral.status == "open" and person.safe_windows is None
        response = client.post(
            f"/referrals/{rid}/conversation",
            data={
                "csrf_token": csrf_token(client, path),
                "outcome": "initial_contact_only",
                "safe_to_email": "yes",
                "safe_to_post": "no",
                "safe_days": "weekends",
                "safe_from": "09:00",
                "safe_until": "13:00",
                "sexual_orientation": PREFER_NOT_TO_SAY,
            },
        )
        assert response.status_code == 302
        summary = client.get(f"/referrals/{rid}").get_data(as_text=True)
    referral, person = only_referral()
    assert (person.safe_to_email, person.safe_to_post) == (True, False)
    assert person.safe_windows == [{"days": [5, 6], "start": "09:00", "end": "13:00"}]
    assert person.sexual_orientation == PREFER_NOT_TO_SAY
    # a question left blank keeps what the police told us
    assert person.ethnic_group == "white_british"
    assert referral.safe_to_post is False
    assert "weekends 09:00 to 13:00" in summary
    assert "English, Welsh, Scottish, Northern Irish or British" in summary


def test_retention_empties_the_characteristics_and_subject_access_shows_them(app):
    from casework.audit import Origin
    from casework.people.retention import anonymise_expired
    from casework.people.subject_access import subject_access_export

    create_referrals(police_row(gender="M", ethnicity="B2"))
    referral, person = only_referral()
    export = subject_access_export(
        db.session,
        referral.reference,
        actor=None,
        origin=Origin.command_line("test"),
        now=datetime(2026, 11, 24, tzinfo=UTC),
    )
    details = export["details"]
    assert (details["sex"], details["ethnic_group"]) == ("male", "black_african")
    assert export["referrals"][0]["ethnic_group"] == "black_african"
    referral.status, referral.outcome = "closed", "declined"
    referral.updated_at = datetime(2026, 11, 23, tzinfo=UTC)
    db.session.commit()
    assert anonymise_expired(db.session, now=datetime(2033, 1, 1, tzinfo=UTC), years=6) == 1
    referral, person = only_referral()
    for record in (referral, person):
        assert (record.sex, record.ethnic_group) == (None, None)
