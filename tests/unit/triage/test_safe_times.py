from datetime import time

from triage import safe_times
from triage.safe_times import SafeWindow


def test_windows_round_trip_through_json_and_read_in_words():
    windows = (
        SafeWindow(frozenset(range(5)), time(9), time(12)),
        SafeWindow(frozenset({2}), time(18), time(20)),
    )
    stored = safe_times.to_json(windows)
    assert safe_times.from_json(stored) == windows
    assert safe_times.describe(windows) == "weekdays 09:00 to 12:00; Wednesday 18:00 to 20:00"


def test_no_windows_means_any_time_in_service_hours():
    assert safe_times.to_json(()) is None
    assert safe_times.from_json(None) == ()
    assert safe_times.describe(()) == "Any time in service hours"


def test_a_malformed_stored_window_is_left_out_not_trusted():
    stored = [
        {"days": [0], "start": "25:00", "end": "26:00"},
        {"days": [], "start": "09:00", "end": "10:00"},
        {"days": [1], "start": "12:00", "end": "09:00"},
        {"start": "09:00"},
        {"days": [5, 6], "start": "10:00", "end": "16:00"},
    ]
    assert safe_times.describe(safe_times.from_json(stored)) == "weekends 10:00 to 16:00"


def test_a_window_says_what_is_wrong_with_it():
    assert SafeWindow(frozenset(), time(9), time(10)).problem() == (
        "Select at least one day when it is safe to contact them"
    )
    assert SafeWindow(frozenset({1}), time(10), time(10)).problem() == (
        "The end of a safe time must be after its start"
    )
