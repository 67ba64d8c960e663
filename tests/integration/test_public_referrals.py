"""Self-referral, partner referral and the standard emailed referral."""

import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine

from casework.db import db
from casework.obligations.models import Obligation
from casework.referrals.models import PartnerAgency, Referral
from tests.conftest import (
    CSRF_PATTERN,
    audit_rows,
    csrf_token,
    error_summary_and_page_order,
    submission_token,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

SELF = {
    "forename": "Robin",
    "surname": "Sample",
    "contact_method": "MOBILE_PHONE",
    "phone": "07700 900123",
    "safe_to_voicemail": "no",
    "safe_to_text": "yes",
    "safe_times": "after 5pm",
    "concerns": ["PERSISTENTLY_TARGETED"],
    "account": "Someone keeps damaging my car",
    "webchat_at": "",
}


def submit(client, path="/refer", **fields):
    page = client.get(path).get_data(as_text=True)
    data = {
        **SELF,
        **fields,
        "csrf_token": csrf_token(client, path),
        "submission_token": fields.get("submission_token") or submission_token(page),
    }
    return client.post(path, data=data)


def referrals() -> list[Referral]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(Referral).order_by(Referral.id)))


def test_self_referral_is_accepted_triaged_and_confirmed_with_a_reference(client):
    with time_machine.travel("2026-11-23 10:00 +0000", tick=False):
        response = submit(client)
        assert response.status_code == 302
        page = client.get(response.headers["Location"]).get_data(as_text=True)
    [referral] = referrals()
    assert referral.reference in page
    assert referral.source == "self" and referral.priority == "enhanced"
    assert referral.priority_reasons == ["persistently targeted"]
    assert (referral.safe_to_voicemail, referral.safe_to_text, referral.safe_times) == (
        False,
        True,
        "after 5pm",
    )
    assert referral.mobile_phone == "+447700900123"
    [obligation] = referral.obligations
    assert obligation.kind == "phone_contact"
    assert obligation.due_at == datetime(2026, 11, 24, 10, tzinfo=UTC)  # enhanced: 24 h
    assert audit_rows("referral.create")[-1].person_id == referral.id


def test_a_double_submit_creates_one_referral_with_the_same_reference(client):
    page = client.get("/refer").get_data(as_text=True)
    token = submission_token(page)
    first = submit(client, submission_token=token)
    second = submit(client, submission_token=token)
    assert first.status_code == second.status_code == 302
    assert len(referrals()) == 1


def test_a_form_corrected_and_sent_again_says_the_correction_has_not_reached_us(client):
    """A victim who sends the form, goes Back, puts their number right and sends it again on
    the same form would be told all was well while the service calls the first number: the
    confirmation says the change did not reach the service and the number to call, and shows
    the chat time kept, not the one chosen the second time."""
    with time_machine.travel("2026-11-23 10:00 +0000", tick=False):
        page = client.get("/refer").get_data(as_text=True)
        token = submission_token(page)
        slots = re.findall(r'<option value="(2026-11-2[^"]+)"', page)
        submit(client, submission_token=token, webchat_at=slots[0])
        first = client.get("/refer/confirmation").get_data(as_text=True)
        submit(client, submission_token=token, phone="07700 900999", webchat_at=slots[1])
        again = client.get("/refer/confirmation").get_data(as_text=True)
    [referral] = referrals()
    assert referral.mobile_phone == "+447700900123"
    assert "You sent this form twice" not in first
    assert "You sent this form twice" in again and referral.reference in again
    assert "has not reached us" in again and "0800 000 0000" in again
    booked = re.search(r"booked for <strong>([^<]+)</strong>", first).group(1)
    assert f"booked for <strong>{booked}</strong>" in again


def test_a_partner_form_sent_twice_says_so_on_its_confirmation(client):
    data = {
        "agency_name": "Example Housing",
        "agency_kind": "Housing",
        "referrer_name": "Harriet",
        "referrer_email": "h@example.org",
        "consent": "y",
        "submission_token": submission_token(
            client.get("/partner-referral").get_data(as_text=True)
        ),
    }
    submit(client, "/partner-referral", **data)
    assert "You sent this form twice" not in client.get("/partner-referral/confirmation").get_data(
        as_text=True
    )
    assert submit(client, "/partner-referral", **data).status_code == 302
    assert "You sent this form twice" in client.get("/partner-referral/confirmation").get_data(
        as_text=True
    )
    assert len(referrals()) == 1


def test_the_confirmation_is_shown_once_for_a_shared_device(client):
    with time_machine.travel("2026-11-23 10:00 +0000", tick=False):
        page = client.get("/refer").get_data(as_text=True)
        slot = re.search(r'<option value="(2026-11-2[^"]+)"', page).group(1)
        submit(client, webchat_at=slot)
        first = client.get("/refer/confirmation")
        again = client.get("/refer/confirmation")
    [referral] = referrals()
    assert referral.reference in first.get_data(as_text=True)
    assert "shown only once" in first.get_data(as_text=True)
    assert "0800 000 0000" in first.get_data(as_text=True)  # the number to call, not just "call us"
    form = client.get("/refer").get_data(as_text=True)
    assert '<form method="post" novalidate autocomplete="off">' in form  # Back refills nothing
    assert again.status_code == 302 and again.headers["Location"] == "/refer"
    assert referral.reference not in client.get("/refer").get_data(as_text=True)


def test_self_referral_never_reveals_whether_the_person_is_known(client, app):
    submit(client)
    known = client.get("/refer/confirmation").get_data(as_text=True)
    again = app.test_client()
    submit(again)
    second = again.get("/refer/confirmation").get_data(as_text=True)
    strip = lambda html: re.sub(r"WP-[A-Z0-9]{8}", "WP-REF", html)  # noqa: E731
    assert strip(known) == strip(second)


@pytest.mark.parametrize(
    "fields,message",
    [
        ({"forename": ""}, "Enter a first name"),
        ({"contact_method": ""}, "Select how you would like us to contact you"),
        ({"contact_method": "EMAIL", "email": ""}, "Enter an email address so we can email"),
        (
            {"contact_method": "EMAIL", "email": "not-an-email"},
            "Enter an email address in the correct format",
        ),
        ({"phone": "999"}, "Enter a UK telephone number"),
        (
            {"contact_method": "SMS", "safe_to_text": "no"},
            "You chose text messages but said it is not safe to text",
        ),
        (
            {"contact_method": "SMS", "phone": "0116 496 0733"},
            "Enter a mobile number so we can text",
        ),
        (
            {"contact_method": "MOBILE_PHONE", "phone": "0116 496 0733"},
            "That is not a UK mobile number: enter a mobile number",
        ),
        (
            {"contact_method": "POST", "address_line_1": "", "postcode": "LE1 1AA"},
            "Enter the first line of the address",
        ),
        ({"postcode": "ZZ1"}, "Enter a real UK postcode"),
        (
            {"date_of_birth": ["31", "2", "2000"]},
            "Date of birth must be a real date, like 27 3 2007",
        ),
        ({"safe_to_voicemail": ""}, "Select yes if it is safe to leave a voicemail"),
        ({"webchat_at": "2026-01-01T09:00:00+00:00"}, "That web chat time has gone"),
        ({"webchat_at": "not a time"}, "That web chat time has gone"),
        ({"concerns": ["<b>NOT_OFFERED</b>"]}, "Tick only the options shown"),
        ({"contact_method": "EVIL"}, "Select how you would like us to contact you"),
        ({"preferred_worker_gender": "robot"}, "Select one of the options"),
    ],
)
def test_bad_answers_get_clear_errors_and_store_nothing(client, fields, message):
    response = submit(client, **fields)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and message in html
    assert "valid choice" not in html and "NOT_OFFERED" not in html
    assert referrals() == []


def test_every_problem_is_shown_at_once_in_words_that_name_the_field(client):
    """A missing voicemail answer (the form's own check), a landline for texts and a postcode
    that is not one (the victim checks), an over-long town and a date that is not one: all in
    the first answer, not a few at a time, each naming its field as people read it."""
    response = submit(
        client,
        safe_to_voicemail="",
        contact_method="SMS",
        phone="0116 496 0733",
        postcode="ZZ1",
        town="x" * 101,
        occurred_on=["31", "2", "2026"],
        crime_reference="LC-" + "9" * 40,
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    for message in (
        "Select yes if it is safe to leave a voicemail",
        "Enter a mobile number so we can text",
        "Enter a real UK postcode",
        "Town or city must be 100 characters or fewer",
        "The date it happened must be a real date, like 27 3 2007",
        "The police crime reference must be 40 characters or fewer",
    ):
        assert message in html, message
    assert "Field cannot be longer" not in html and "(optional) must" not in html
    assert "if there is one must" not in html and "The date must" not in html
    assert referrals() == []


def test_booking_a_webchat_slot_creates_its_obligation(client):
    with time_machine.travel("2026-11-23 10:00 +0000", tick=False):
        page = client.get("/refer").get_data(as_text=True)
        slot = re.search(r'<option value="(2026-11-2[^"]+)"', page).group(1)
        assert submit(client, webchat_at=slot).status_code == 302
        confirmation = client.get("/refer/confirmation").get_data(as_text=True)
    [referral] = referrals()
    kinds = {o.kind: o.due_at for o in referral.obligations}
    assert kinds["web_chat"] == datetime.fromisoformat(slot)
    assert "Your secure web chat is booked for" in confirmation
    assert datetime.fromisoformat(slot) >= datetime(2026, 11, 23, 11, tzinfo=UTC)


@pytest.mark.parametrize("path", ["/refer", "/partner-referral"])
def test_the_error_summary_lists_problems_in_the_order_the_page_asks(client, path):
    """GOV.UK's error summary follows the page: an empty form's first problem is the name,
    and how to contact the person comes before whether it is safe to leave a voicemail (the
    form is built from shared parts that declare their questions in another order)."""
    page = client.get(path).get_data(as_text=True)
    response = client.post(
        path,
        data={"csrf_token": csrf_token(client, path), "submission_token": submission_token(page)},
    )
    linked, asked = error_summary_and_page_order(response.get_data(as_text=True))
    assert linked == asked
    assert linked.index("contact_method") < linked.index("safe_to_voicemail")


def test_the_web_chat_hint_names_the_last_day_offered_over_christmas(client):
    """Five working days from the day before Christmas Eve run to Monday 4 January: the three
    bank holidays are not among them, and Saturday 26 December (a service day) is offered. The
    hint names that last day rather than saying "the next five working days"."""
    with time_machine.travel("2026-12-23 10:00 +0000", tick=False):
        html = client.get("/refer").get_data(as_text=True)
    assert "up to Monday 4 January. Times are UK time." in html
    assert "in the next five working days" not in html
    assert ">Saturday 26 December, 9:00am<" in html
    assert "Friday 25 December" not in html and "Monday 28 December" not in html
    assert ">Monday 4 January, 5:30pm<" in html


def test_a_web_chat_time_gone_while_the_form_was_open_asks_for_another(client):
    """Times start an hour ahead, so the first one offered at 09:55 has gone by 10:05. The
    person is told so in words, keeps everything typed, and nothing is stored until they
    choose again."""
    with time_machine.travel("2026-11-23 09:55 +0000", tick=False):
        page = client.get("/refer").get_data(as_text=True)
        first = re.search(r'<option value="(2026-11-2[^"]+)"', page).group(1)
        assert datetime.fromisoformat(first) == datetime(2026, 11, 23, 11, tzinfo=UTC)
        token = csrf_token(client, "/refer")
    with time_machine.travel("2026-11-23 10:05 +0000", tick=False):
        data = {**SELF, "webchat_at": first, "csrf_token": token}
        response = client.post("/refer", data={**data, "submission_token": submission_token(page)})
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "That web chat time has gone. Choose a later time" in html
        assert "Not a valid choice" not in html
        assert 'value="Robin"' in html and "Someone keeps damaging my car" in html
        assert f'value="{first}"' not in html
        assert referrals() == []
        later = re.search(r'<option value="(2026-11-2[^"]+)"', html).group(1)
        again = client.post(
            "/refer",
            data={**data, "webchat_at": later, "submission_token": submission_token(page)},
        )
    assert again.status_code == 302
    [referral] = referrals()
    assert referral.webchat_at == datetime(2026, 11, 23, 11, 30, tzinfo=UTC)


def test_partner_form_records_the_agency_and_requires_consent(client):
    data = {
        "agency_name": "Example Housing",
        "agency_kind": "Housing",
        "referrer_name": "Harriet",
        "referrer_email": "h@example.org",
    }
    refused = submit(client, "/partner-referral", **data)
    assert refused.status_code == 400
    assert "Confirm the person has agreed" in refused.get_data(as_text=True)
    accepted = submit(client, "/partner-referral", consent="y", **data)
    assert accepted.status_code == 302
    [referral] = referrals()
    agency = db.session.get(PartnerAgency, referral.partner_agency_id)
    assert (agency.name, agency.kind, referral.source) == ("Example Housing", "Housing", "partner")


def test_a_timed_out_self_referral_comes_back_with_the_answers_kept(client):
    """A person who took longer than the form's time limit (or whose browser lost its cookie)
    gets the form back with what they typed and a fresh token, not a dead end: nothing from
    the expired post is saved, and sending it again works."""
    page = client.get("/refer").get_data(as_text=True)
    data = {**SELF, "csrf_token": "expired", "submission_token": submission_token(page)}
    response = client.post("/refer", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "This form timed out, for your security" in html
    assert 'value="Robin"' in html and "Someone keeps damaging my car" in html
    assert "Exit this page" in html
    assert referrals() == []
    assert audit_rows("security.csrf_failed")
    fresh = CSRF_PATTERN.search(html)
    again = client.post("/refer", data={**data, "csrf_token": fresh.group(1) or fresh.group(2)})
    assert again.status_code == 302
    assert [r.forename for r in referrals()] == ["Robin"]


def test_standard_email_imports_once(runner):
    path = FIXTURES / "partner-referral.eml"
    first = json.loads(runner.invoke(args=["referrals", "import-email", str(path)]).output)
    again = json.loads(runner.invoke(args=["referrals", "import-email", str(path)]).output)
    assert first == {"imported": 1, "duplicates": 0, "rejected": 0, "rejections": []}
    assert again["duplicates"] == 1 and again["imported"] == 0
    [referral] = referrals()
    assert (referral.forename, referral.safe_to_voicemail, referral.contact_method) == (
        "Kerry",
        False,
        "MOBILE_PHONE",
    )
    assert referral.priority_reasons[:2] == ["domestic abuse", "persistently targeted"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Obligation)) == 1


def test_an_email_without_the_standard_fields_is_rejected_with_its_reason(runner, tmp_path):
    bad = tmp_path / "bad.eml"
    bad.write_text("From: a@example.org\nSubject: hi\n\nPlease call Mrs Smith on 07700 900111\n")
    worse = tmp_path / "worse.eml"
    worse.write_text(
        (FIXTURES / "partner-referral.eml")
        .read_text()
        .replace("Consent: yes", "Consent: no")
        .replace("<ref-0001@", "<ref-0002@")
    )
    out = json.loads(runner.invoke(args=["referrals", "import-email", str(bad), str(worse)]).output)
    assert out["rejected"] == 2
    reasons = {r["file"]: r["reason"] for r in out["rejections"]}
    assert "no 'Field: value' lines" in reasons["bad.eml"]
    assert "Confirm the person has agreed" in reasons["worse.eml"]
    assert "Smith" not in json.dumps(out) and "07700" not in json.dumps(out)
    assert referrals() == []


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x85"])
def test_an_email_with_a_control_character_is_rejected_and_the_next_still_imports(
    runner, tmp_path, character
):
    """PostgreSQL cannot store a NUL: one such email stopped the command with a traceback."""
    fixture = (FIXTURES / "partner-referral.eml").read_text()
    bad = tmp_path / "bad.eml"
    bad.write_text(
        fixture.replace("Surname: Sample", f"Surname: Sam{character}ple").replace(
            "<ref-0001@", "<ref-0002@"
        )
    )
    good = tmp_path / "good.eml"
    good.write_text(fixture)
    result = runner.invoke(args=["referrals", "import-email", str(bad), str(good)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert (out["imported"], out["rejected"]) == (1, 1)
    [rejection] = out["rejections"]
    assert rejection == {
        "file": "bad.eml",
        "reason": "surname: contains a control character (such as NUL), which a field cannot hold",
    }
    assert [r.surname for r in referrals()] == ["Sample"]


def test_a_control_character_in_the_sender_given_as_the_referrer_is_rejected(runner, tmp_path):
    path = tmp_path / "from.eml"
    path.write_bytes(
        (FIXTURES / "partner-referral.eml")
        .read_bytes()
        .replace(b"Referrer email: housing.officer@example.org\n", b"")
        .replace(b"<housing.officer@", b"<housing\x00officer@")
    )
    out = json.loads(runner.invoke(args=["referrals", "import-email", str(path)]).output)
    assert out["rejected"] == 1 and out["rejections"][0]["reason"].startswith("referrer email:")
    assert referrals() == []


def test_format_characters_are_taken_out_of_an_emailed_referral(runner, tmp_path):
    path = tmp_path / "rlo.eml"
    path.write_text(
        (FIXTURES / "partner-referral.eml")
        .read_text()
        .replace("Surname: Sample", "Surname: \u202eSample\u200b")
        .replace("Phone: 07700 900321", "Phone: 07700\u00ad 900321")
    )
    out = json.loads(runner.invoke(args=["referrals", "import-email", str(path)]).output)
    assert out["imported"] == 1, out
    [referral] = referrals()
    assert (referral.surname, referral.mobile_phone) == ("Sample", "+447700900321")


class _Questions(HTMLParser):
    """The labels, legends and hints of a form, in page order."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._open = 0

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if self._open:
            self._open += 1
        elif tag in ("label", "legend") or "govuk-hint" in classes:
            self._open = 1
            self.texts.append("")

    def handle_endtag(self, tag):
        if self._open:
            self._open -= 1

    def handle_data(self, data):
        if self._open:
            self.texts[-1] += data


def questions_about_the_person(html: str) -> list[str]:
    start = html.index("About the person being referred") if "About the person" in html else 0
    end = html.index('<h2 class="govuk-heading-m">Consent') if "Consent</h2>" in html else None
    parser = _Questions()
    parser.feed(html[start:end])
    return [" ".join(t.split()) for t in parser.texts if t.strip()]


FIRST_PERSON = re.compile(r"\b(I|me|my|you|your)\b", re.IGNORECASE)


def test_the_partner_form_asks_about_the_person_in_the_third_person(client):
    page = client.get("/partner-referral").get_data(as_text=True)
    asked = questions_about_the_person(page)
    # the character count speaks to whoever is typing, the partner: that "you" is right
    about_them = [q for q in asked if not q.startswith("You can enter up to")]
    assert [q for q in about_them if FIRST_PERSON.search(q)] == []
    assert "Call their mobile" in asked
    assert "When is it safe to contact them? (optional)" in asked
    assert "Is it safe for us to send them text messages?" in asked


def test_the_self_referral_form_still_speaks_to_the_person(client):
    with time_machine.travel("2026-11-23 10:00 +0000", tick=False):
        page = client.get("/refer").get_data(as_text=True)
    asked = questions_about_the_person(page)
    assert "Call my mobile" in asked
    assert "When is it safe to contact you? (optional)" in asked
    assert "Is it safe for us to send you text messages?" in asked
