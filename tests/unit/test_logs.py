"""Request logs never hold a query string (app.logs): what staff search for is personal data;
and the log lines' formats, paths, request ids and sweep counts hold no one's details."""

import json
import logging
import re

import pytest

from app.log_format import JsonLines, TextLines
from app.logs import DropQueryStrings, drop_query_string
from app.request_log import logged_path, request_id_for
from scheduling.sweep_counts import sweep_counts


@pytest.mark.parametrize(
    "logged,kept",
    [
        ("GET /search?q=Zo%C3%AB+Brown HTTP/1.1", "GET /search HTTP/1.1"),
        ("GET /search?q=Zoe&page=2 HTTP/1.1", "GET /search HTTP/1.1"),
        ("GET /login?next=%2Fsearch%3Fq%3DZoe HTTP/1.1", "GET /login HTTP/1.1"),
        ("GET /%73earch?q=Zoe HTTP/1.1", "GET /%73earch HTTP/1.1"),  # an encoded path
        ("GET http://host/search?q=Zoe HTTP/1.1", "GET http://host/search HTTP/1.1"),
        ("GET /search? HTTP/1.1", "GET /search HTTP/1.1"),
        ("GET /search?q=Zoe Brown HTTP/1.1", "GET /search HTTP/1.1"),  # raw spaces, by hand
        ("GET /search?q=Zoe Brown", "GET /search"),
        ("GET /search?q=a?b?c HTTP/1.1", "GET /search HTTP/1.1"),
        ("\x1b[31m\x1b[1mGET /search?q=Zoe Brown\x1b[0m", "\x1b[31m\x1b[1mGET /search\x1b[0m"),
        ("GET /queue HTTP/1.1", "GET /queue HTTP/1.1"),
        ("", ""),
    ],
)
def test_a_query_string_is_cut_from_what_is_logged(logged, kept):
    assert drop_query_string(logged) == kept


def _record(msg, *args) -> logging.LogRecord:
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, msg, args, None)
    assert DropQueryStrings().filter(record)
    return record


def test_the_filter_rewrites_a_request_log_record():
    record = _record('127.0.0.1 - - [x] "%s" %s %s', "GET /search?q=Zoe+Brown HTTP/1.1", "200", "-")
    assert record.getMessage() == '127.0.0.1 - - [x] "GET /search HTTP/1.1" 200 -'


def test_a_refused_request_is_logged_without_the_words_it_quoted():
    record = _record("127.0.0.1 - - [x] code %d, message %s", 400, "Bad request version ('Brown')")
    assert record.getMessage() == "127.0.0.1 - - [x] code 400, message Bad request version"


def test_a_record_with_named_arguments_is_rewritten_too():
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, "%(line)s", None, None)
    record.args = {"line": "GET /search?q=Zoe HTTP/1.1"}
    assert DropQueryStrings().filter(record)
    assert record.getMessage() == "GET /search HTTP/1.1"


# --- the line formats, the logged path, request ids and sweep counts (README: Logs) ----------


def _line(formatter, msg="GET %s 200", *args, exc_info=None, **fields) -> str:
    record = logging.LogRecord(
        "waypoint.requests", logging.INFO, __file__, 1, msg, args or ("/queue",), exc_info
    )
    record.created = 1795413600.25  # 2026-11-23 06:00:00.250 UTC
    for key, value in fields.items():
        setattr(record, key, value)
    return formatter.format(record)


def test_a_json_line_has_time_level_logger_message_then_its_fields():
    line = json.loads(_line(JsonLines(), event="request", status=200, staff_id=None))
    assert line == {
        "time": "2026-11-23T06:00:00.250Z",
        "level": "INFO",
        "logger": "waypoint.requests",
        "message": "GET /queue 200",
        "event": "request",
        "status": 200,
        "staff_id": None,
    }


def test_a_json_line_keeps_a_traceback_on_its_one_line():
    try:
        raise ValueError("broken")
    except ValueError:
        import sys

        text = _line(JsonLines(), exc_info=sys.exc_info())
    assert "\n" not in text
    assert "ValueError: broken" in json.loads(text)["exception"]


def test_a_text_line_is_time_level_logger_message_then_key_values():
    text = _line(TextLines(), event="request", path="/queue", staff_id=None, sweeps={"a": 1})
    assert text == (
        '2026-11-23T06:00:00.250Z INFO waypoint.requests GET /queue 200 path=/queue sweeps={"a":1}'
    )


@pytest.mark.parametrize(
    "rule,arguments,logged",
    [
        ("/referrals/<int:referral_id>", {"referral_id": 12}, "/referrals/12"),
        (
            "/cases/<int:case_id>/notes/<int:note_id>/edit",
            {"case_id": 3, "note_id": 40},
            "/cases/3/notes/40/edit",
        ),
        (
            "/professionals/feedback/<token>",
            {"token": "Zq8-secret"},
            "/professionals/feedback/<token>",
        ),
        ("/static/<path:filename>", {"filename": "Zoe Brown.css"}, "/static/<filename>"),
        ("/queue", {}, "/queue"),
        (None, None, None),  # matched no route: whatever was typed is not logged
    ],
)
def test_the_path_logged_is_the_route_with_its_whole_number_ids(rule, arguments, logged):
    assert logged_path(rule, arguments) == logged


@pytest.mark.parametrize("incoming", ["abc", "a.b_c-9", "x" * 64])
def test_a_short_token_is_kept_as_the_request_id(incoming):
    assert request_id_for(incoming) == incoming


@pytest.mark.parametrize("incoming", [None, "", "x" * 65, "Zoe Brown", "a\nb", "é", "a/b", "a=b"])
def test_anything_else_gets_a_new_request_id(incoming):
    assert re.fullmatch(r"[0-9a-f]{32}", request_id_for(incoming))


def test_a_sweep_summary_is_reduced_to_counts_without_names_or_reasons():
    summary = {
        "now": "2026-11-23T06:00:00+00:00",
        "imports": [
            {
                "file": "Zoe Brown 07700900123.csv",
                "imported": 3,
                "duplicates": 1,
                "rejected": 1,
                "rejections": [{"line": 4, "reason": "postcode 'LE1 1AA' is not valid"}],
            },
            {"file": "brown.csv", "error": "no column 'surname' (Brown)"},
        ],
        "uploads": {
            "stuck": 0,
            "jobs": [{"job": 41, "status": "done", "imported": 2, "duplicates": 0, "rejected": 0}],
        },
        "breaches": 2,
        "messages": {"sent": 1, "failed": 0, "retrying": 0},
        "reminders_queued": "failed",
    }
    assert sweep_counts(summary) == {
        "imports": {"count": 2, "imported": 3, "duplicates": 1, "rejected": 1, "failed": 1},
        "uploads": {
            "stuck": 0,
            "jobs": {"count": 1, "imported": 2, "duplicates": 0, "rejected": 0},
        },
        "breaches": 2,
        "messages": {"sent": 1, "failed": 0, "retrying": 0},
        "reminders_queued": "failed",
    }
