"""The same referral form sent twice at the same moment (a double click, two tabs) makes one
referral, and neither send is an error: the one whose INSERT meets the other's key gets the
other's referral. Each was a 500 for the person who pressed twice (found by a walk-through
sending the same POST from four threads), on the public form, the partner form and staff entry.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from casework.audit import Origin
from casework.db import db, utcnow
from casework.referrals.models import Referral
from casework.referrals.partner_referral import ReferrerDetails, submit_partner_referral
from casework.referrals.self_referral import submit_self_referral
from casework.referrals.staff_entered import HowReceived, record_staff_referral
from casework.referrals.victim_details import VictimDetails
from scheduling.service_calendars import victim_calendar
from tests.conftest import audit_rows, sent_at_the_same_moment

ORIGIN = Origin.command_line("test")
TOKEN = "the-same-form-token-0123"
VICTIM = VictimDetails(
    "Robin",
    "Sample",
    "MOBILE_PHONE",
    phone="07700 900123",
    safe_to_voicemail=False,
    safe_to_text=True,
    account="Someone keeps damaging my car",
)


def _self(session, app, actor):
    return submit_self_referral(
        session,
        VICTIM,
        submission_token=TOKEN,
        webchat_at=None,
        calendar=victim_calendar(app.config),
        now=utcnow(),
        origin=ORIGIN,
    )


def _partner(session, app, actor):
    return submit_partner_referral(
        session,
        ReferrerDetails("Oadby Hub", "Community", "Harriet Referrer", "harriet@oadby.example"),
        VICTIM,
        consent=True,
        dedupe_token=TOKEN,
        calendar=victim_calendar(app.config),
        now=utcnow(),
        origin=ORIGIN,
    )


def _staff(session, app, actor):
    now = utcnow()
    return record_staff_referral(
        session,
        VICTIM,
        HowReceived("phone", now - timedelta(minutes=10)),
        submission_token=TOKEN,
        actor=session.get(type(actor), actor.id),
        calendar=victim_calendar(app.config),
        now=now,
        origin=ORIGIN,
    )


@pytest.mark.parametrize("send", [_self, _partner, _staff], ids=["self", "partner", "staff"])
def test_a_referral_form_sent_twice_at_the_same_moment_makes_one_referral(
    app, create_staff_record, send
):
    actor = create_staff_record("team_leader")
    first, second = sent_at_the_same_moment(
        lambda session: send(session, app, actor), Referral.dedupe_key
    )
    assert second.id == first
    db.session.rollback()
    assert db.session.scalars(sa.select(Referral.id)).all() == [first]
    assert len(audit_rows("referral.create")) == 1
