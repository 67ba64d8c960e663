"""Contact obligations D1-D3 at weekends, bank holidays, Wednesday late close and clock changes."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduling.calendar import Calendar
from triage.deadlines import CONTACT_METHODS, initial_obligations, webchat_slots
from triage.enhanced import ENHANCED, STANDARD

LONDON = ZoneInfo("Europe/London")
CAL = Calendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def wall(moment: datetime) -> str:
    return moment.astimezone(LONDON).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    "received,band,due",
    [
        ("2026-11-20 16:00", STANDARD, "2026-11-22 16:00"),  # 48 clock hours, over a weekend
        ("2026-11-20 16:00", ENHANCED, "2026-11-21 16:00"),
        ("2026-12-24 10:00", STANDARD, "2026-12-26 10:00"),  # clock hours ignore Christmas
        ("2026-03-28 12:00", STANDARD, "2026-03-30 13:00"),  # 48 real hours across spring forward
        ("2026-10-24 12:00", ENHANCED, "2026-10-25 11:00"),  # 24 real hours across fall back
    ],
)
def test_d1_phone_contact_is_due_in_clock_hours(received, band, due):
    [obligation] = initial_obligations("MOBILE_PHONE", band, at(received), CAL)
    assert obligation.kind == "phone_contact" and obligation.channel == "mobile_phone"
    assert wall(obligation.due_at) == due


@pytest.mark.parametrize(
    "method,received,due",
    [
        ("EMAIL", "2026-11-23 10:00", "2026-11-23 18:00"),
        ("POST", "2026-11-25 19:30", "2026-11-25 20:00"),  # Wednesday late close
        ("SMS", "2026-11-21 18:30", "2026-11-23 18:00"),  # Saturday after close
        ("EMAIL", "2026-12-24 18:01", "2026-12-26 18:00"),  # Boxing Day Saturday is open
        ("SMS", "2026-12-26 19:00", "2026-12-29 18:00"),  # 28th is the substitute holiday
        ("POST", "2026-04-02 18:30", "2026-04-04 18:00"),  # over Good Friday
    ],
)
def test_d2_initial_message_by_close_of_service_day(method, received, due):
    [obligation] = initial_obligations(method, STANDARD, at(received), CAL)
    assert obligation.kind == "initial_message"
    assert wall(obligation.due_at) == due


@pytest.mark.parametrize(
    "received,offer_due,visit_due",
    [
        ("2026-11-23 10:00", "2026-11-23 18:00", "2026-11-30 18:00"),
        ("2026-11-21 12:00", "2026-11-21 18:00", "2026-11-27 18:00"),  # Saturday receipt
        ("2026-12-23 11:00", "2026-12-23 20:00", "2027-01-04 18:00"),  # Wednesday before Xmas
        ("2026-03-27 17:00", "2026-03-27 18:00", "2026-04-07 18:00"),  # Easter, and into BST
    ],
)
def test_d3_home_visit_offer_and_visit(received, offer_due, visit_due):
    offer, visit = initial_obligations("IN_PERSON", STANDARD, at(received), CAL, has_mobile=True)
    assert (offer.kind, offer.channel) == ("home_visit_offer", "sms")
    assert visit.kind == "home_visit"
    assert wall(offer.due_at) == offer_due
    assert wall(visit.due_at) == visit_due


def test_d3_offer_goes_by_post_without_a_mobile():
    offer, _ = initial_obligations("IN_PERSON", STANDARD, at("2026-11-23 10:00"), CAL)
    assert offer.channel == "post"


def test_unknown_method_and_naive_time_are_refused():
    with pytest.raises(ValueError):
        initial_obligations("CARRIER_PIGEON", STANDARD, at("2026-11-23 10:00"), CAL)
    with pytest.raises(ValueError):
        initial_obligations("EMAIL", STANDARD, datetime(2026, 11, 23, 10), CAL)


received_moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 1), timezones=st.just(LONDON)
)


@given(received_moments, st.sampled_from(CONTACT_METHODS))
def test_due_never_before_receipt_and_enhanced_never_later(received, method):
    standard = initial_obligations(method, STANDARD, received, CAL)
    enhanced = initial_obligations(method, ENHANCED, received, CAL)
    for s, e in zip(standard, enhanced, strict=True):
        assert s.due_at > received and e.due_at > received
        assert e.due_at <= s.due_at
        assert s.due_at - received <= timedelta(days=21)


def test_d5_webchat_slots_are_inside_hours_from_an_hour_ahead_to_the_fifth_working_day():
    submitted = at("2026-11-25 17:10")  # Wednesday, late opening
    slots = webchat_slots(submitted, CAL)
    walls = [wall(s) for s in slots]
    assert walls[0] == "2026-11-25 18:30"  # an hour ahead, on the half hour
    assert walls[2] == "2026-11-25 19:30" and "2026-11-25 20:00" not in walls
    assert "2026-11-28 09:00" in walls  # Saturday is a service day
    assert not any(w.startswith("2026-11-29") for w in walls)  # Sunday closed
    assert walls[-1] == "2026-12-02 19:30"  # close of the 5th working day (a Wednesday)


def test_d5_no_slots_on_bank_holidays():
    walls = [wall(s) for s in webchat_slots(at("2026-12-23 10:00"), CAL)]
    assert not any(
        w.startswith(("2026-12-25", "2026-12-27", "2026-12-28", "2027-01-01")) for w in walls
    )
    assert any(w.startswith("2026-12-26") for w in walls)
    assert walls[-1] == "2027-01-04 17:30"


@given(received_moments)
def test_d5_every_slot_is_bookable(submitted):
    for slot in webchat_slots(submitted, CAL):
        assert slot >= submitted + timedelta(hours=1)
        assert CAL.is_open_at(slot) and CAL.is_open_at(slot + timedelta(minutes=29))
