"""Errors service functions raise for input they refuse; nothing is stored when they do."""

from __future__ import annotations


class ValidationError(Exception):
    """Input a person must correct: ``errors`` maps a field name to a message in plain words."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class NotFound(Exception):
    """The record does not exist, or the person asking may not know that it does."""
