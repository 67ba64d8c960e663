"""Benchmark: staff search over 200,000 people (SQLite), by name prefix and by phone.

The people come in through the real police import (so the words of their names are indexed
the way imports index them): common UK surnames at roughly their real frequencies (Smith about
1 in 80) over a long tail of rarer ones, accented and apostrophe names, households of one to
four sharing a landline (Ofcom's drama ranges, so each number is shared by several
households, like a hostel's), a tenth of people referred twice. The searcher is a team leader;
40% of referrals are allocated in their team, 40% in another team, 20% unallocated.

Server time through the Flask test client, median and p95 over 200 requests each, against a
bare Flask route returning a constant in the same process:
- name prefix: the start of a forename and of a surname ("moh kha"), drawn from stored people;
- phone: a stored household landline, written as people write it ("0116 496 0123",
  "+44 116 496 0123", "(0116) 4960123");
and, for information, a whole common surname ("smith": thousands of matches, counted to 200),
the starts of a common forename and a common surname ("jos smit": two ranges of thousands of
words each, the hardest two-word search), and one letter. Measured at 50,000 people and
again at 200,000, so the growth shows. Target: each p95 at most 15x the bare route.
Run: .venv/bin/python -m bench.search [PEOPLE]
"""

from __future__ import annotations

import csv
import io
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.common import fresh_app, median, percentile, report

REQUESTS = 200
LIMIT = 15

# Common UK surnames and roughly how many in 10,000 people hold each (ONS-style frequencies).
COMMON_SURNAMES = {
    "Smith": 126,
    "Jones": 85,
    "Williams": 72,
    "Taylor": 59,
    "Brown": 56,
    "Davies": 52,
    "Evans": 44,
    "Wilson": 42,
    "Thomas": 40,
    "Johnson": 38,
    "Roberts": 37,
    "Robinson": 30,
    "Thompson": 30,
    "Wright": 29,
    "Walker": 28,
    "White": 27,
    "Edwards": 27,
    "Hughes": 27,
    "Green": 26,
    "Hall": 26,
    "Lewis": 25,
    "Harris": 25,
    "Clarke": 24,
    "Patel": 24,
    "Jackson": 23,
    "Wood": 22,
    "Turner": 22,
    "Martin": 22,
    "Cooper": 21,
    "Hill": 21,
    "Ward": 21,
    "Morris": 21,
    "Moore": 20,
    "Clark": 20,
    "Lee": 20,
    "King": 20,
    "Baker": 19,
    "Harrison": 19,
    "Morgan": 19,
    "Allen": 18,
    "Khan": 18,
    "Ali": 15,
    "Begum": 14,
    "Singh": 14,
    "Kaur": 10,
    "Ahmed": 12,
    "Hussain": 12,
    "Nowak": 4,
    "Kowalski": 3,
    "Wiśniewski": 2,
    "O'Brien": 6,
    "O'Neill": 5,
    "Smith-Jones": 1,
    "Okafor": 3,
    "Mensah": 3,
}
# The long tail: surnames built from syllables, about 35,000 of them, so that (as in a real
# register of names) the first four letters of a rarer surname are shared by few people.
ONSETS = ["B", "Br", "C", "Ch", "Cr", "D", "Dr", "F", "Fl", "G", "Gr", "H", "J", "K", "L"]
ONSETS += ["M", "N", "P", "Pr", "R", "S", "Sh", "St", "T", "Tr", "W"]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "oo"]
CODAS = ["ck", "ld", "ll", "m", "n", "nd", "ng", "r", "rn", "rt", "s", "t", "th", "x"]
ENDINGS = ["by", "den", "ford", "ham", "ley", "man", "ton", "well", "wood", "worth", "son", ""]
FORENAMES = [
    "Oliver",
    "George",
    "Harry",
    "Jack",
    "Jacob",
    "Noah",
    "Charlie",
    "Muhammad",
    "Thomas",
    "Oscar",
    "William",
    "James",
    "Leo",
    "Alfie",
    "Henry",
    "Joshua",
    "Freddie",
    "Archie",
    "Ethan",
    "Isaac",
    "Alexander",
    "Joseph",
    "Edward",
    "Samuel",
    "Max",
    "Daniel",
    "Arthur",
    "Lucas",
    "Mohammed",
    "Logan",
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Emily",
    "Isabella",
    "Mia",
    "Poppy",
    "Ella",
    "Lily",
    "Grace",
    "Sophia",
    "Evie",
    "Charlotte",
    "Jessica",
    "Daisy",
    "Sophie",
    "Chloé",
    "Zoë",
    "Ruby",
    "Aisha",
    "Fatima",
    "Priya",
    "Siobhán",
    "Seán",
    "Łukasz",
    "Kasia",
    "Tomasz",
    "José",
    "Anne-Marie",
    "Mary Jane",
    "Chidi",
    "Kwame",
    "Yusuf",
    "Sarah",
    "Claire",
    "Karen",
    "Susan",
    "David",
    "Paul",
    "Mark",
    "Andrew",
    "Michael",
    "John",
    "Peter",
    "Stephen",
    "Helen",
    "Julie",
    "Emma",
    "Laura",
    "Rebecca",
    "Hannah",
    "Rachel",
    "Gemma",
    "Nicola",
    "Lisa",
    "Kelly",
    "Ian",
    "Gary",
    "Kevin",
    "Lee",
    "Wayne",
    "Darren",
]
LANDLINES = [
    "0113 496 0",
    "0114 496 0",
    "0115 496 0",
    "0116 496 0",
    "0117 496 0",
    "0118 496 0",
    "0121 496 0",
    "0131 496 0",
    "0141 496 0",
    "0151 496 0",
    "0161 496 0",
    "0191 498 0",
    "020 7946 0",
    "029 2018 0",
    "01632 960",
]
HEADER = [
    "crime_reference",
    "offence",
    "crime_group",
    "occurred_on",
    "forename",
    "surname",
    "date_of_birth",
    "gender",
    "ethnicity",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "home_phone",
    "mobile_phone",
    "work_phone",
    "email",
    "contact_method",
    "consent",
    "flags",
    "risk_notes",
    "npa",
    "officer",
]


def surnames(rng: random.Random) -> tuple[list[str], list[float]]:
    """The common surnames at their frequencies, then a long tail sharing the rest."""
    tail = [f"{o}{v}{c}{e}" for o in ONSETS for v in VOWELS for c in CODAS for e in ENDINGS]
    rng.shuffle(tail)
    common_share = sum(COMMON_SURNAMES.values()) / 10_000
    # Zipf-like, its head (about 0.14% of people) below the fiftieth most common UK surname.
    weights = [1 / (k + 100) for k in range(len(tail))]
    scale = (1 - common_share) / sum(weights)
    names = [*COMMON_SURNAMES, *tail]
    return names, [f / 10_000 for f in COMMON_SURNAMES.values()] + [w * scale for w in weights]


def people_rows(count: int, *, start: int, received_on: date, seed: int):
    """Police download rows for ``count`` new people numbered from ``start``, a tenth of them
    referred twice (the same details, another crime)."""
    rng = random.Random(seed)
    names, weights = surnames(rng)
    household_phone = None
    household_left = 0
    rows = []
    for n in range(start, start + count):
        if household_left == 0:
            household_left = rng.choice([1, 1, 2, 2, 2, 3, 4])
            number = rng.randrange(len(LANDLINES) * 999)
            household_phone = f"{LANDLINES[number // 999]}{number % 999 + 1:03}"
            postcode = f"LE{rng.randrange(1, 19)} {rng.randrange(10)}{rng.choice('ABDEFGHJLN')}"
            postcode += rng.choice("PQRSTUWXYZ")
        household_left -= 1
        person = {
            "forename": rng.choice(FORENAMES),
            "surname": rng.choices(names, weights)[0],
            "date_of_birth": (
                date(1940, 1, 1) + timedelta(days=rng.randrange(365 * 70))
            ).isoformat(),
            "postcode": postcode,
            "home_phone": household_phone,
            "mobile_phone": f"07700 900{rng.randrange(1000):03}" if rng.random() < 0.5 else "",
            "email": f"person.{n}@example.org" if rng.random() < 0.5 else "",
        }
        for visit in range(2 if rng.random() < 0.1 else 1):
            rows.append(
                {
                    **person,
                    "crime_reference": f"BS-{n:07}-{visit}",
                    "offence": "Burglary dwelling",
                    "crime_group": "Burglary",
                    "occurred_on": (received_on - timedelta(days=3)).isoformat(),
                    "gender": rng.choice("FM"),
                    "ethnicity": "NS",
                    "address_line_1": f"{rng.randrange(1, 300)} Station Road",
                    "address_line_2": "",
                    "town": "Leicester",
                    "contact_method": "HOME_PHONE",
                    "consent": "ACCEPT",
                    "flags": "",
                    "risk_notes": "",
                    "npa": "Leicester East",
                    "officer": "PC 1",
                }
            )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def add_people(app, count: int, start: int) -> None:
    """Import ``count`` new people, 50,000 at a time, through the real police import."""
    from casework.audit import Origin
    from casework.db import db
    from casework.referrals.police_import import import_police_download
    from scheduling.service_calendars import victim_calendar

    received = datetime(2026, 11, 20, 7, tzinfo=UTC)
    with app.app_context():
        for batch in range(start, start + count, 50_000):
            size = min(50_000, start + count - batch)
            import_police_download(
                db.session,
                people_rows(size, start=batch, received_on=received.date(), seed=batch),
                filename=f"people-{batch}.csv",
                received_at=received,
                calendar=victim_calendar(app.config),
                origin=Origin.command_line("bench"),
                now=received,
                match_key_limit=app.config["MATCH_KEY_LIMIT"],
            )


def allocate(app, ours: list[int], theirs: list[int]) -> None:
    """40% of referrals to our team's caseworkers, 40% to another team's, 20% unallocated."""
    from casework.db import db

    with app.app_context():
        conn = db.session.connection()
        for k, worker in enumerate(ours + theirs):
            conn.exec_driver_sql(
                f"UPDATE referral SET allocated_to_id = {worker} "  # noqa: S608 (ints)
                f"WHERE id % 10 = {k}"
            )
        db.session.commit()


def timed(client, paths: list[str]) -> list[float]:
    samples = []
    for path in paths:
        start = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, (path, response.status_code)
    return samples


def stored(app, sql: str) -> list[tuple]:
    from casework.db import db

    with app.app_context():
        return db.session.connection().exec_driver_sql(sql).all()


def queries(app, rng: random.Random) -> dict[str, list[str]]:
    from urllib.parse import quote_plus

    sample = stored(
        app,
        "SELECT forename, surname, home_phone FROM person "
        "WHERE id IN (SELECT id FROM person ORDER BY random() LIMIT 400)",
    )
    names = [f"{f.split()[0][:3]} {s.replace(chr(39), '')[:4]}" for f, s, _ in sample]
    phones = []
    for _, _, e164 in sample:
        national = "0" + e164[3:]
        area = 4 if national.startswith(("011", "012", "013", "014", "015", "016", "019")) else 3
        written = [
            f"{national[: area + 1]} {national[area + 1 : area + 4]} {national[area + 4 :]}",
            f"+44 {national[1 : area + 1]} {national[area + 1 :]}",
            f"({national[: area + 1]}) {national[area + 1 :]}",
        ]
        phones.append(rng.choice(written))
    common = ["smith", "jones", "patel", "brown", "taylor", "williams", "khan", "o'brien"]
    common_pairs = ["jos smit", "oli will", "moh khan", "jam jone", "geo brow", "dav tayl"]
    letters = list("abcdeghjklmnprstw")
    as_paths = lambda qs: [f"/search?q={quote_plus(q)}" for q in qs]  # noqa: E731
    return {
        "name prefix": as_paths(rng.choice(names) for _ in range(REQUESTS)),
        "phone": as_paths(rng.choice(phones) for _ in range(REQUESTS)),
        "whole common surname": as_paths(rng.choice(common) for _ in range(REQUESTS)),
        "two common prefixes": as_paths(rng.choice(common_pairs) for _ in range(REQUESTS)),
        "one letter": as_paths(rng.choice(letters) for _ in range(REQUESTS)),
    }


def measure(app, client, label: str) -> dict[str, tuple[float, float, float]]:
    """p95 and median of each kind of search, and the ratio of its p95 to the bare route's."""
    rng = random.Random(7)
    paths = queries(app, rng)
    timed(client, ["/bench-constant"] * 50)
    for kind in paths:  # warm the page cache as a running service would be
        timed(client, paths[kind][:20])
    bare = timed(client, ["/bench-constant"] * REQUESTS)
    audit = timed(client, ["/bench-audit"] * REQUESTS)
    figures = {}
    for kind, kind_paths in paths.items():
        samples = timed(client, kind_paths)
        figures[kind] = (
            median(samples),
            percentile(samples, 0.95),
            percentile(samples, 0.95) / percentile(bare, 0.95),
        )
    figures["bare route"] = (median(bare), percentile(bare, 0.95), 1.0)
    figures["audit row and commit alone"] = (
        median(audit),
        percentile(audit, 0.95),
        percentile(audit, 0.95) / percentile(bare, 0.95),
    )
    print(f"  {label}:")
    for kind, (mid, p95, ratio) in figures.items():
        print(f"    {kind}: median {mid * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms ({ratio:.1f}x)")
    return figures


def plans(app) -> None:
    """SQLite's plans of a name and a phone search, to show that they seek by index."""
    import sqlalchemy as sa

    from casework.db import db
    from casework.people.search import _parameters, _people_statement, _viewer
    from casework.people.search_terms import parse_query
    from casework.staff.models import Staff

    with app.app_context():
        leader = db.session.scalars(sa.select(Staff).where(Staff.role == "team_leader")).first()
        for q in ("moh kha", "0116 496 0123"):
            query = parse_query(q)
            statement = _people_statement(_viewer(leader), query.kind, len(query.prefixes))
            sql = statement.params(_parameters(query)).compile(
                db.engine, compile_kwargs={"literal_binds": True}
            )
            plan = db.session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}").all()
            print(f"  plan of a {query.kind} search:")
            for row in plan:
                print(f"    {row[-1]}")


def audit_only():
    """The durable part of every search, on its own: one audit row and its commit."""
    from casework.audit import Origin, record_event
    from casework.db import db

    record_event(db.session, action="bench", origin=Origin())
    db.session.commit()
    return "ok"


def main(count: int = 200_000) -> bool:
    from casework.audit import Origin
    from casework.db import db
    from casework.staff.accounts import StaffDetails, create_staff, create_team

    folder = Path(tempfile.mkdtemp(prefix="waypoint-bench-search-"))
    app = fresh_app(folder / "waypoint.db")
    app.add_url_rule("/bench-constant", "bench_constant", lambda: "ok")
    app.add_url_rule("/bench-audit", "bench_audit", audit_only)
    password = "benchmark password 1"  # noqa: S105 (a throwaway local account)
    now = datetime.now(UTC)
    with app.app_context():
        teams = [
            create_team(db.session, name=n, service="victim", actor=None, origin=Origin(), now=now)
            for n in ("City", "County")
        ]
        workers = [
            create_staff(
                db.session,
                StaffDetails(
                    email=f"worker{k}@bench.test",
                    name=f"Worker {k}",
                    role="caseworker",
                    team_id=teams[k // 4].id,
                ),
                password=password,
                actor=None,
                origin=Origin(),
                now=now,
            ).id
            for k in range(8)
        ]
        create_staff(
            db.session,
            StaffDetails(
                email="lead@bench.test", name="Lead", role="team_leader", team_id=teams[0].id
            ),
            password=password,
            actor=None,
            origin=Origin(),
            now=now,
        )
    client = app.test_client()
    first = min(50_000, count)
    started = time.perf_counter()
    add_people(app, first, 0)
    allocate(app, workers[:4], workers[4:])
    print(f"imported {first:,} people in {time.perf_counter() - started:.0f} s")
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/login", data={"csrf_token": token, "email": "lead@bench.test", "password": password}
    )
    assert "people match" in client.get("/search?q=smith").get_data(as_text=True)
    people = stored(app, "SELECT count(*) FROM person")[0][0]
    small = measure(app, client, f"{people:,} people")
    if count > first:
        started = time.perf_counter()
        add_people(app, count - first, first)
        allocate(app, workers[:4], workers[4:])
        print(f"imported {count - first:,} more in {time.perf_counter() - started:.0f} s")
    people = stored(app, "SELECT count(*) FROM person")[0][0]
    words = stored(app, "SELECT count(*) FROM person_name_word")[0][0]
    large = measure(app, client, f"{people:,} people")
    plans(app)
    name, phone = large["name prefix"], large["phone"]
    growth = {
        kind: f"{small[kind][1] * 1000:.2f} ms -> {large[kind][1] * 1000:.2f} ms p95 "
        f"({large[kind][1] / small[kind][1]:.2f}x for {people / max(first, 1):.1f}x the people)"
        for kind in ("name prefix", "phone", "whole common surname", "two common prefixes")
    }
    return report(
        f"staff search, {people:,} people ({words:,} name words), {REQUESTS} requests each",
        {
            "name prefix p95": f"{name[1] * 1000:.2f} ms ({name[2]:.1f}x the bare route)",
            "phone p95": f"{phone[1] * 1000:.2f} ms ({phone[2]:.1f}x the bare route)",
            "bare route p95": f"{large['bare route'][1] * 1000:.2f} ms",
            "of which durable (an audit row and its commit alone) p95": (
                f"{large['audit row and commit alone'][1] * 1000:.2f} ms "
                f"({large['audit row and commit alone'][2]:.1f}x the bare route)"
            ),
            **{f"growth, {kind}": text for kind, text in growth.items()},
        },
        max(name[2], phone[2]),
        LIMIT,
    )


if __name__ == "__main__":
    sys.exit(0 if main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000) else 1)
