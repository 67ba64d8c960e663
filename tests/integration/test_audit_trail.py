"""The audit trail is append-only: not the app, not raw SQL, can change or delete a row."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError

from casework.audit import AuditEvent, Origin, record_event
from casework.db import db


@pytest.fixture
def event(app):
    row = record_event(db.session, action="test.event", origin=Origin(ip="10.0.0.1"))
    db.session.commit()
    return row


def test_orm_refuses_to_change_an_audit_row(event):
    event.action = "rewritten"
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()


def test_orm_refuses_to_delete_an_audit_row(event):
    db.session.delete(event)
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET action = 'rewritten'",
        "DELETE FROM audit_event",
    ],
)
def test_database_refuses_raw_sql_that_rewrites_history(event, statement):
    with pytest.raises(DatabaseError):
        db.session.execute(sa.text(statement))
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(sa.select(AuditEvent.action)) == "test.event"


def test_an_import_reads_as_counts_on_the_audit_page(app, client, sign_in_as):
    from datetime import UTC, datetime

    from casework.referrals.police_import import import_police_download
    from scheduling.service_calendars import victim_calendar
    from tests.police import police_csv, police_row

    received = datetime(2026, 11, 23, 9, tzinfo=UTC)
    result = import_police_download(
        db.session,
        police_csv(police_row()),
        filename="download.csv",
        received_at=received,
        calendar=victim_calendar(app.config),
        origin=Origin.command_line("test"),
        now=received,
    )
    sign_in_as("admin")
    page = client.get(f"/admin/audit?record_id={result.batch_id}").get_data(as_text=True)
    assert "referral.import" in page
    assert "imported: 1" in page
    assert "rejections: 0" in page
    assert "None" not in page


def test_the_trail_shows_each_record_and_detail_in_words(app, client, sign_in_as):
    """A record type in words, no 'None' for a record without an id, and yes/no and lists as
    people write them, not as Python prints them."""
    record_event(
        db.session,
        action="approval.requested",
        origin=Origin.command_line("test"),
        record_type="approval",
        detail={"hidden": False, "urgent": True, "fields": ["forename", "surname"]},
    )
    db.session.commit()
    sign_in_as("admin")
    page = client.get("/admin/audit?record_type=approval").get_data(as_text=True)
    assert "approval.requested" in page and "Approval request" in page
    assert "fields: forename, surname; hidden: no; urgent: yes" in page
    assert "None" not in page and "False" not in page and "['" not in page
