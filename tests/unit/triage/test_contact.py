"""D1b, D3b and D4 rules at the tricky dates."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduling.calendar import Calendar
from triage import contact
from triage.contact import ChannelChoice, contact_channel, letter_hold_reason

LONDON = ZoneInfo("Europe/London")
CAL = Calendar()


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def wall(moment):
    return moment.astimezone(LONDON).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    "third_call,letter_due",
    [
        ("2026-11-23 15:00", "2026-11-23 18:00"),  # Monday: close that day
        ("2026-11-25 19:30", "2026-11-25 20:00"),  # Wednesday late opening
        ("2026-11-21 18:30", "2026-11-23 18:00"),  # Saturday after close: Monday
        ("2026-12-24 17:00", "2026-12-24 18:00"),
        ("2026-12-24 18:30", "2026-12-26 18:00"),  # Boxing Day Saturday is open
        ("2026-10-25 11:00", "2026-10-26 18:00"),  # Sunday the clocks go back
    ],
)
def test_d1b_final_letter_after_the_third_failed_call(third_call, letter_due):
    follow = contact.after_phone_attempt("no_answer", 2, at(third_call), CAL)
    assert follow.meets == ("phone_contact",)
    [(kind, channel, due)] = [(d.kind, d.channel, d.due_at) for d in follow.creates]
    assert (kind, channel, wall(due)) == ("final_letter", "post", letter_due)


def test_first_and_second_failed_calls_create_nothing_and_speaking_meets():
    assert contact.after_phone_attempt("voicemail", 0, at("2026-11-23 10:00"), CAL).creates == ()
    assert contact.after_phone_attempt("no_answer", 1, at("2026-11-23 12:00"), CAL).creates == ()
    spoke = contact.after_phone_attempt("spoke", 1, at("2026-11-23 12:00"), CAL)
    assert spoke.meets == ("phone_contact",) and spoke.conversation


@pytest.mark.parametrize(
    "received,second_due",
    [
        (date(2026, 11, 20), "2026-12-04 18:00"),
        (date(2026, 12, 18), "2027-01-06 20:00"),  # over Christmas and New Year; Wednesday
        (date(2026, 3, 20), "2026-04-07 18:00"),  # over Easter, into BST
    ],
)
def test_d3b_second_visit_by_the_tenth_working_day(received, second_due):
    follow = contact.after_visit("no_answer", "home_visit", at("2026-11-25 10:00"), received, CAL)
    [(kind, due)] = [(d.kind, d.due_at) for d in follow.creates]
    assert kind == "home_visit_second" and wall(due) == second_due


def test_second_failed_visit_leads_to_the_final_letter():
    follow = contact.after_visit(
        "no_answer", "home_visit_second", at("2026-12-03 11:00"), date(2026, 11, 20), CAL
    )
    assert follow.creates[0].kind == "final_letter"


@pytest.mark.parametrize(
    "held,due",
    [
        (date(2026, 11, 23), "2026-11-30 18:00"),
        (date(2026, 12, 22), "2026-12-31 18:00"),
        (date(2026, 12, 23), "2027-01-04 18:00"),
    ],
)
def test_d4_needs_assessment_within_five_working_days(held, due):
    assert wall(contact.needs_assessment_due(held, CAL)) == due


@pytest.mark.parametrize(
    "kwargs,problem",
    [
        ({"outcome": "voicemail", "safe_to_voicemail": False}, "not safe to leave a voicemail"),
        ({"earlier": [at("2026-11-23 09:30")]}, "at least 2 hours apart"),
        (
            {"earlier": [at("2026-11-23 06:00"), at("2026-11-23 03:00"), at("2026-11-23 00:00")]},
            "Three calls have already been made",
        ),
        ({"outcome": "teleported"}, "Select what happened"),
        ({"when": at("2026-11-23 12:00")}, "cannot be in the future"),
    ],
)
def test_attempt_problems(kwargs, problem):
    found = contact.attempt_problem(
        "telephone",
        kwargs.get("outcome", "no_answer"),
        kwargs.get("when", at("2026-11-23 11:00")),
        kwargs.get("earlier", []),
        safe_to_voicemail=kwargs.get("safe_to_voicemail"),
        now=at("2026-11-23 11:00"),
    )
    assert problem in found


def test_calls_exactly_two_hours_apart_are_allowed():
    assert (
        contact.attempt_problem(
            "telephone",
            "no_answer",
            at("2026-11-23 11:00"),
            [at("2026-11-23 09:00")],
            safe_to_voicemail=None,
            now=at("2026-11-23 11:00") + timedelta(minutes=1),
        )
        is None
    )


@pytest.mark.parametrize(
    "event,due",
    [
        (date(2026, 11, 25), "2026-11-24 18:00"),  # Wednesday: Tuesday
        (date(2026, 11, 23), "2026-11-20 18:00"),  # Monday: the Friday before
        (date(2026, 11, 26), "2026-11-25 20:00"),  # Thursday: Wednesday's late close
        (date(2026, 4, 7), "2026-04-02 18:00"),  # Tuesday after Easter: Maundy Thursday (BST)
        (date(2026, 12, 29), "2026-12-24 18:00"),  # after Christmas and its substitute day
    ],
)
def test_d9_re_engagement_the_working_day_before(event, due):
    assert wall(contact.re_engagement_due(event, CAL)) == due


SLOT = datetime(2026, 11, 27, 14, tzinfo=ZoneInfo("UTC"))


@pytest.mark.parametrize(
    ("kind", "now", "not_yet"),
    [
        ("web_chat", SLOT - timedelta(days=3), True),
        ("web_chat", SLOT - timedelta(seconds=1), True),
        ("web_chat", SLOT, False),
        ("web_chat", SLOT + timedelta(minutes=40), False),
        ("needs_assessment", SLOT - timedelta(days=3), False),
    ],
)
def test_a_web_chat_is_held_only_at_or_after_its_slot(kind, now, not_yet):
    starts = contact.held_from(kind, SLOT, None)
    assert (starts is not None and now < starts) is not_yet


def test_the_first_conversation_does_not_hold_a_booked_web_chat():
    assert "web_chat" not in contact.CONVERSATION_MEETS
    assert "phone_contact" in contact.CONVERSATION_MEETS


@pytest.mark.parametrize(
    ("method", "kinds", "offered"),
    [
        ("MOBILE_PHONE", ["phone_contact"], ("telephone",)),
        ("WORK_PHONE", [], ("telephone",)),
        ("IN_PERSON", ["home_visit_offer", "home_visit"], ("home_visit",)),
        ("IN_PERSON", ["home_visit_second"], ("home_visit",)),
        ("EMAIL", ["initial_message"], ()),
        ("SMS", ["initial_message", "phone_contact"], ("telephone",)),
    ],
)
def test_the_page_offers_only_the_chosen_channels_attempts(method, kinds, offered):
    assert contact.attempt_channels(method, kinds) == offered


@pytest.mark.parametrize(
    ("earlier", "when", "message"),
    [
        (
            ["2026-11-23 12:35"],
            "2026-11-23 13:50",
            "The next call can be made from 14:35. Calls must be at least 2 hours apart.",
        ),
        (
            ["2026-11-23 17:30"],
            "2026-11-23 17:45",  # 19:30 is the next allowed time, still that Monday
            "The next call can be made from 19:30. Calls must be at least 2 hours apart.",
        ),
        (
            ["2026-07-06 23:00"],
            "2026-07-06 23:30",  # British Summer Time: said in UK time, the next day
            "The next call can be made from Tue 7 Jul at 01:00. Calls must be at least 2 hours "
            "apart.",
        ),
        (
            ["2026-11-23 10:00"],
            "2026-11-23 09:15",  # recording an earlier call, too near a later one
            "A call was recorded at 10:00 on Mon 23 Nov: check the time of this one. "
            "Calls must be at least 2 hours apart.",
        ),
    ],
)
def test_a_call_too_soon_says_what_to_do_instead(earlier, when, message):
    found = contact.attempt_problem(
        "telephone",
        "no_answer",
        at(when),
        [at(e) for e in earlier],
        safe_to_voicemail=None,
        now=at("2026-11-23 20:00") if when.startswith("2026-11") else at("2026-07-07 00:00"),
        tz=LONDON,
    )
    assert found == message


def test_an_attempt_before_the_referral_arrived_is_refused_with_its_arrival_time():
    received = at("2026-11-23 09:15")
    problem = contact.attempt_problem(
        "telephone",
        "no_answer",
        at("2026-11-21 10:00"),
        [],
        safe_to_voicemail=True,
        now=at("2026-11-23 12:00"),
        received_at=received,
    )
    assert problem == (
        "The referral arrived at 09:15 on 23 November 2026: "
        "enter the time of an attempt made since then"
    )
    assert (
        contact.attempt_problem(
            "telephone",
            "no_answer",
            received,
            [],
            safe_to_voicemail=True,
            now=at("2026-11-23 12:00"),
            received_at=received,
        )
        is None
    )


def test_a_booked_appointment_is_held_from_its_booked_time():
    slot, booked = at("2026-11-27 14:00"), at("2026-11-25 10:00")
    assert contact.held_from("web_chat", slot, None) == slot
    assert contact.held_from("needs_assessment", at("2026-11-30 18:00"), booked) == booked
    assert contact.held_from("re_engagement", slot, None) is None


# --- contact_channel and letter_hold_reason (DESIGN.md Safe contact) --------------------------


@pytest.mark.parametrize(
    "asked,text,email,stop,expected",
    [
        ("sms", None, None, False, ChannelChoice("sms", True)),
        ("sms", True, False, False, ChannelChoice("sms", True)),
        (
            "sms",
            False,
            None,
            False,
            ChannelChoice("post", False, "They said it is not safe to text them"),
        ),
        (
            "sms",
            None,
            None,
            True,
            ChannelChoice("post", False, "Their number has opted out of texts (STOP)"),
        ),
        ("email", None, None, False, ChannelChoice("email", True)),
        (
            "email",
            None,
            False,
            False,
            ChannelChoice("post", False, "They said it is not safe to email them"),
        ),
        ("email", False, True, True, ChannelChoice("email", True)),
        ("post", False, False, True, ChannelChoice("post", True)),
    ],
)
def test_the_channel_is_the_one_asked_for_only_when_it_is_safe(asked, text, email, stop, expected):
    assert (
        contact_channel(asked, safe_to_text=text, safe_to_email=email, opted_out=stop) == expected
    )


def test_without_a_letter_in_its_place_an_unsafe_channel_gives_nothing():
    choice = contact_channel(
        "email", safe_to_text=None, safe_to_email=False, opted_out=False, fall_back_to_post=False
    )
    assert choice.channel is None and "not safe to email" in choice.reason


@pytest.mark.parametrize(
    "chosen,abuse,post,held",
    [
        (False, True, None, True),
        (False, True, False, True),
        (False, True, True, False),
        (False, False, None, False),
        (True, True, None, False),
    ],
)
def test_a_letter_they_did_not_choose_is_held_when_flagged_for_domestic_abuse(
    chosen, abuse, post, held
):
    reason = letter_hold_reason(
        chosen=chosen, domestic_abuse=abuse, safe_to_post=post, why_letter="the final letter"
    )
    assert (reason is not None) == held
    if held:
        assert "domestic abuse" in reason and "the final letter" in reason
