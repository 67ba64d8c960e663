"""A whole session on the real server leaves no one's details in its log (issue 17: "a test
greps the log of a full e2e run for the demo people's names, phones and emails").

The demo is seeded, everyone's names, phone numbers, emails and postcodes are read back from the
database, then ``flask dev`` (its scheduler sweeping beside it) serves a caseworker, a team
leader and a member of the public over plain HTTP with LOG_FORMAT=json, and ``scheduler
run-once`` runs; neither's output may hold any of those details, and the server's log must have
exactly one JSON line for each request it answered.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import unquote_plus
from zoneinfo import ZoneInfo

import requests
import sqlalchemy as sa

from casework.db import db
from tests.fakes.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]
CSRF = re.compile(r'name="(?:call-)?csrf_token" (?:type="hidden" )?value="([^"]+)"')

# What the public types into /refer and a caseworker into a call's notes: details too.
NEW_PERSON = {
    "forename": "Ottoline",
    "surname": "Quibbleford",
    "phone": "07700 900987",
    "email": "ottoline.quibbleford@example.org",
}

# Where the seeded people's (and staff's and agencies' contacts') details are kept.
NAMES = [
    ("person", "forename"),
    ("person", "surname"),
    ("referral", "forename"),
    ("referral", "surname"),
    ("referral", "referrer_name"),
    ("advice_contact", "professional_name"),
    ("staff", "name"),
    ("partner_contact", "name"),
    ("partner_agency", "contact_name"),
    ("partner_agency", "keyworker_name"),
]
PHONES = [
    (table, column)
    for table in ("person", "referral")
    for column in ("home_phone", "mobile_phone", "work_phone")
] + [
    ("advice_contact", "phone"),
    ("staff", "phone"),
    ("partner_contact", "phone"),
    ("partner_agency", "contact_phone"),
    ("sms_opt_out", "phone"),
]
EMAILS = [
    ("person", "email"),
    ("referral", "email"),
    ("advice_contact", "email"),
    ("staff", "email"),
    ("partner_contact", "email"),
    ("partner_agency", "contact_email"),
]
POSTCODES = [("person", "postcode"), ("referral", "postcode")]


def values(columns) -> set[str]:
    found = set()
    for table, column in columns:
        query = sa.text(f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL")  # noqa: S608 (names above)
        found.update(str(v).strip() for v in db.session.scalars(query) if str(v).strip())
    return found


def details() -> dict[str, set[str]]:
    """Everyone's details in the database, as they may appear in a log."""
    words = {
        word
        for name in values(NAMES) | {NEW_PERSON["forename"], NEW_PERSON["surname"]}
        for word in re.findall(r"[^\W\d_]{3,}", name)
    }
    return {
        "names": words,
        "phones": {
            re.sub(r"\D", "", phone)
            for phone in values(PHONES) | {NEW_PERSON["phone"]}
            if len(re.sub(r"\D", "", phone)) >= 9
        },
        "emails": values(EMAILS) | {NEW_PERSON["email"]},
        "postcodes": values(POSTCODES),
    }


def readable(log: str) -> str:
    """The log as written, then as a reader would decode it: URL-encoding undone (a path or
    query quoted in a line) and JSON's escapes undone (``Zo\\u00eb``)."""
    decoded = []
    for line in log.splitlines():
        try:
            decoded.append(json.dumps(json.loads(line), ensure_ascii=False))
        except ValueError:
            continue
    return "\n".join([log, unquote_plus(log), *decoded])


def leaks(log: str, found: dict[str, set[str]]) -> list[str]:
    """Each detail that appears in ``log``: a name as a whole word, an email or postcode
    anywhere (spaces in a postcode ignored), a phone number by its digits whatever separates
    them, with or without its leading 0 or +44 (case ignored throughout)."""
    text = readable(log)
    lowered = text.lower()
    squashed = re.sub(r"\s+", "", lowered)
    out = [name for name in found["names"] if re.search(rf"\b{re.escape(name.lower())}\b", lowered)]
    out += [email for email in found["emails"] if email.lower() in lowered]
    out += [code for code in found["postcodes"] if code.lower().replace(" ", "") in squashed]
    for phone in found["phones"]:
        national = re.sub(r"^(44|0)", "", phone)
        if re.search(r"[\s\-().]*".join(national), text):
            out.append(phone)
    return out


def poll(condition, what: str, timeout: float = 90) -> None:
    """Wait for ``condition()``, generously: this proves what is logged, not speed."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


class Browser:
    """Plain HTTP with a cookie jar, the CSRF token read from each form, and a note of the
    request id of every response the server gave (each redirect followed included)."""

    def __init__(self, base: str, answered: list[str]) -> None:
        self.base = base
        self.http = requests.Session()
        self.http.hooks["response"].append(
            lambda response, **kw: answered.append(response.headers["X-Request-Id"])
        )
        self.page = ""

    def get(self, path: str, **params) -> str:
        response = self.http.get(self.base + path, params=params, timeout=60)
        assert response.status_code == 200, (path, response.status_code)
        self.page = response.text
        return self.page

    def try_get(self, path: str) -> int:
        """GET a page that may not be there; its status (the page kept when 200)."""
        response = self.http.get(self.base + path, timeout=60)
        if response.status_code == 200:
            self.page = response.text
        return response.status_code

    def post(self, path: str, data: dict, *, form_page: str | None = None) -> requests.Response:
        page = self.get(form_page) if form_page else self.page
        token = CSRF.search(page).group(1)
        field = "call-csrf_token" if 'name="call-csrf_token"' in page else "csrf_token"
        response = self.http.post(self.base + path, data={field: token, **data}, timeout=60)
        problems = re.findall(r'href="#[^"]*">([^<]+)</a>', response.text.split("<main", 1)[-1])
        assert response.status_code == 200, (path, response.status_code, problems)
        self.page = response.text
        return response

    def sign_in(self, email: str, password: str) -> None:
        self.post("/login", {"email": email, "password": password}, form_page="/login")
        assert "Sign out" in self.page

    def sign_out(self) -> None:
        self.post("/logout", {})


def ids(pattern: str, html: str) -> list[int]:
    return list(dict.fromkeys(int(i) for i in re.findall(pattern, html)))


def referred_person(referral_ids: list[int]):
    """The id, surname, phone, email and postcode on the first of these referrals that has all
    four (read as the server runs)."""
    rows = db.session.execute(
        sa.text(
            "SELECT id, surname, COALESCE(mobile_phone, home_phone) AS phone, email, postcode "
            "FROM referral WHERE COALESCE(mobile_phone, home_phone) IS NOT NULL "
            "AND email IS NOT NULL AND postcode IS NOT NULL"
        )
    ).all()
    db.session.remove()
    by_id = {row.id: row for row in rows}
    return next(by_id[i] for i in referral_ids if i in by_id)


def caseworker_session(browser: Browser):
    """Queue, referrals, searches by name, phone, email and postcode, a search result opened,
    cases and their notes."""
    referrals = ids(r'href="/referrals/(\d+)"', browser.get("/queue"))
    assert referrals, "the demo queue is empty"
    for referral in referrals[:3]:
        browser.get(f"/referrals/{referral}")
    person = referred_person(referrals)
    for query in (person.surname, person.phone, person.email, person.postcode):
        browser.get("/search", q=query)
    browser.get("/search", q=f"{NEW_PERSON['forename']} {NEW_PERSON['surname']}")
    opened = ids(r'href="/search/open/referral/(\d+)"', browser.get("/search", q=person.surname))
    assert person.id in opened, f"a search for {person.surname!r} did not find their referral"
    browser.get(f"/search/open/referral/{person.id}")
    for case in ids(r'href="/cases/(\d+)"', browser.get("/caseload"))[:2]:
        browser.get(f"/cases/{case}")
        browser.get(f"/cases/{case}/notes")
    return person


def team_leader_session(browser: Browser, person) -> None:
    """The queue, searches, and a call recorded (covering for a caseworker) with notes naming
    the person and their number."""
    referrals = ids(r'href="/referrals/(\d+)"', browser.get("/queue"))
    browser.get("/search", q=person.surname)
    browser.get("/search", q=person.phone or person.postcode)
    # The first referral in the queue on which a call can be recorded now.
    callable_ = next(r for r in referrals if browser.try_get(f"/referrals/{r}/record/call") == 200)
    # The server runs on the real clock, and the demo's referrals arrived moments ago: the
    # call is given as the next minute but one, UK time (an attempt may be up to 5 minutes on).
    called = datetime.now(ZoneInfo("Europe/London")) + timedelta(minutes=2)
    browser.post(
        f"/referrals/{callable_}/calls",
        {
            "call-outcome": "no_answer",
            "call-day": [str(called.day), str(called.month), str(called.year)],
            "call-at": called.strftime("%H:%M"),
            "call-notes": f"Rang {person.surname} on {person.phone}; also {NEW_PERSON['phone']}",
        },
    )


def test_a_whole_session_on_the_real_server_leaves_no_ones_details_in_its_log(
    app, runner, database_uri, tmp_path
):
    seeded = runner.invoke(args=["demo", "seed"])
    assert seeded.exit_code == 0, seeded.output
    passwords = dict(re.findall(r"(\S+@waypoint\.example)\s+(\S+)", seeded.output))
    found = details()
    db.session.remove()
    db.engine.dispose()
    assert len(found["names"]) > 40 and len(found["phones"]) > 20 and found["emails"]

    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("LOG_")},
        "WAYPOINT_ENV": "development",
        "DATABASE_URL": database_uri,
        "WAYPOINT_INSTANCE_DIR": str(tmp_path),
        "LOG_FORMAT": "json",
        "PYTHONUNBUFFERED": "1",
    }
    port = free_port()
    server_log, sweep_log = tmp_path / "server.log", tmp_path / "run-once.log"
    answered: list[str] = []
    with server_log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "dev", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        public = Browser(base, answered)

        def up() -> bool:
            try:
                public.get("/healthz")
            except requests.ConnectionError:
                return False
            return True

        poll(up, "the server to answer")
        poll(lambda: '"event":"sweeps"' in server_log.read_text(), "its scheduler to sweep")

        caseworker = Browser(base, answered)
        caseworker.sign_in(
            "sam.caseworker@waypoint.example", passwords["sam.caseworker@waypoint.example"]
        )
        person = caseworker_session(caseworker)
        caseworker.sign_out()

        leader = Browser(base, answered)
        leader.sign_in("lead.city@waypoint.example", passwords["lead.city@waypoint.example"])
        team_leader_session(leader, person)
        leader.sign_out()

        public.get("/refer")
        submission = re.search(
            r'name="submission_token" type="hidden" value="([^"]+)"', public.page
        )
        public.post(
            "/refer",
            {
                **NEW_PERSON,
                "contact_method": "MOBILE_PHONE",
                "safe_to_voicemail": "no",
                "safe_to_text": "yes",
                "safe_to_email": "yes",
                "safe_times": "after 5pm",
                "concerns": ["PERSISTENTLY_TARGETED"],
                "account": f"{NEW_PERSON['forename']} keeps being followed home",
                "webchat_at": "",
                "submission_token": submission.group(1),
            },
        )
        assert "referral" in public.page.lower()
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)
    with sweep_log.open("wb") as out:
        subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run-once"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=120,
        )

    logged, swept = server_log.read_text(), sweep_log.read_text()
    assert not leaks(logged + swept, found)

    lines = [line for line in logged.splitlines() if line.strip()]
    assert [line for line in lines if not line.startswith("{")] == [
        f"Waypoint on http://127.0.0.1:{port}/ with the scheduler running beside it."
    ]
    entries = [json.loads(line) for line in lines if line.startswith("{")]
    requests_logged = [entry["request_id"] for entry in entries if entry.get("event") == "request"]
    assert Counter(requests_logged) == Counter(answered)
    assert len(answered) > 25
    assert any(entry.get("event") == "sweeps" for entry in entries)
    assert '"event":"sweeps"' in swept
