"""A volunteer reaches nothing but the few pages of the case they are assigned to now (spec
3.12): every GET route of the app, with the seeded records' ids, is refused them except those."""

import re

from app.auth.session import PUBLIC_ENDPOINTS, TWO_STEP_EXEMPT
from casework.db import db
from casework.models import CaseVolunteer
from tests.conftest import sign_in

# The bad-input suite's seed (a case per team, notes, the volunteer on one case...), as fixture
# "seeded" here too.
# (its database_uri too: the seed is restored from the suite's snapshot once one is taken).
from tests.integration.test_bad_input import _seeded_urls, database_uri, seeded  # noqa: F401

# What a volunteer may open on their own case, and their own pages.
ON_THEIR_CASE = {
    "cases.case",
    "support.overview",
    "notes.case_notes",
    "notes.new_note",
    "support.step_down_volunteer",
}
THEIR_OWN = {"main.account", "support.my_cases"}
# Pages of no one's records: signing in and out, the public forms, health and notices.
PUBLIC_BLUEPRINTS = {"auth", "public", "webhooks"}


def _get_rules(app):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if rule.endpoint.split(".")[0] in PUBLIC_BLUEPRINTS or rule.endpoint in TWO_STEP_EXEMPT:
            continue
        if rule.endpoint in PUBLIC_ENDPOINTS:  # the HSB line's public pages: anyone's
            continue
        yield rule


def test_a_volunteer_reaches_only_their_assigned_cases_pages(app, seeded):  # noqa: F811
    volunteer = seeded["volunteer"]
    link = db.session.query(CaseVolunteer).filter_by(volunteer_id=volunteer.id).one()
    client = app.test_client()
    assert sign_in(client, volunteer.email).status_code == 302
    reached, refused = [], 0
    for rule in _get_rules(app):
        for url in _seeded_urls(re.sub(r"<path:", "<", rule.rule)):
            status = client.get(url).status_code
            case = re.match(r"/cases/(\d+)", url)
            own_case = case is not None and int(case.group(1)) == link.case_id
            allowed = rule.endpoint in THEIR_OWN or (rule.endpoint in ON_THEIR_CASE and own_case)
            if rule.endpoint == "support.step_down_volunteer":
                allowed = allowed and url.endswith(f"/{link.id}/step-down")
            if allowed:
                assert status == 200, (url, status)
                reached.append(rule.endpoint)
            elif rule.endpoint == "main.home":
                assert client.get(url).headers["Location"] == "/my-cases"
            else:
                assert not 200 <= status < 300, (rule.endpoint, url, status)
                refused += 1
    assert set(reached) == ON_THEIR_CASE | THEIR_OWN
    assert refused > 100
