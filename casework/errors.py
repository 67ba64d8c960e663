"""Errors service functions raise for input they refuse; nothing is stored when they do."""

from __future__ import annotations

# A version-checked save that found the row changed since it was read: SQLAlchemy's own
# exception, named here so the web layer can answer it without importing the ORM.
from sqlalchemy.orm.exc import StaleDataError as ConcurrentEdit  # noqa: F401


class ValidationError(Exception):
    """Input a person must correct: ``errors`` maps a field name to a message in plain words."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class NotFound(Exception):
    """The record does not exist, or the person asking may not know that it does."""
