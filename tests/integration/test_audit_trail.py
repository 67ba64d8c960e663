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
