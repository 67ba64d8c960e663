"""The case-notes revision on a database filled at the revision before it, on both engines:
existing attempts get their contact mode, and the revision goes down and up again cleanly."""

from datetime import datetime

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from casework.db import db
from tests.factories import create_referrals
from tests.police import police_row

BEFORE = "2fc86edd3319"  # people and cases as records
NOTES = "e05c05982583"  # case notes and contact modes


def _tables() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names())


def test_existing_attempts_get_their_mode_and_the_revision_goes_down_and_up(
    app, create_team_record, create_staff_record
):
    # The referral is made by today's import, before going back: later revisions' tables
    # (the search words) are not there at the revision before.
    worker_id = create_staff_record("caseworker", team=create_team_record()).id
    create_referrals(police_row())
    referral_id = db.session.scalar(sa.text("SELECT id FROM referral"))
    db.session.remove()
    downgrade(revision=BEFORE)
    try:
        assert not {"case_note", "case_note_amendment"} & _tables()
        with db.engine.begin() as conn:
            attempts = sa.Table("contact_attempt", sa.MetaData(), autoload_with=conn)
            assert "mode" not in attempts.c
            conn.execute(
                attempts.insert(),
                [
                    {
                        "referral_id": referral_id,
                        "channel": channel,
                        "outcome": outcome,
                        "attempted_at": datetime(2026, 11, 20, hour),
                        "recorded_by_id": worker_id,
                        "created_at": datetime(2026, 11, 20, hour),
                    }
                    for channel, outcome, hour in (
                        ("telephone", "no_answer", 9),
                        ("home_visit", "visited", 11),
                        ("telephone", "spoke", 13),
                    )
                ],
            )
        upgrade(revision=NOTES)
        with db.engine.connect() as conn:
            modes = conn.execute(
                sa.text("SELECT channel, mode FROM contact_attempt ORDER BY id")
            ).all()
        assert [tuple(m) for m in modes] == [
            ("telephone", "telephone"),
            ("home_visit", "face_to_face"),
            ("telephone", "telephone"),
        ]
        assert {"case_note", "case_note_amendment"} <= _tables()

        downgrade(revision=BEFORE)  # and back: the attempts stay, without their mode
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM contact_attempt")).scalar() == 3
        assert not {"case_note", "case_note_amendment"} & _tables()
    finally:
        db.session.remove()
        upgrade()
    assert "mode" in {c["name"] for c in sa.inspect(db.engine).get_columns("contact_attempt")}
