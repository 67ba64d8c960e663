"""The partner registry's pages (admins create and edit; staff read)."""

from app.partners import bp  # noqa: F401
