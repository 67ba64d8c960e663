"""Uploaded files: written to disk as they arrive, and refused above MAX_UPLOAD_MB."""

from __future__ import annotations

import tempfile

from flask import Flask, Request, current_app

from casework.referrals.import_jobs import upload_folder

# Room for the rest of a multipart form (CSRF token, field names, boundaries) around the file.
FORM_ALLOWANCE = 64 * 1024


class UploadRequest(Request):
    """A request whose uploaded files are spooled, as they arrive, to an unnamed file in the
    instance's uploads folder: never held whole in memory (nor in a /tmp that may be memory),
    and gone by themselves when the request ends unless a service saves them."""

    def _get_file_stream(
        self, total_content_length, content_type, filename=None, content_length=None
    ):
        folder = upload_folder(current_app.config["INSTANCE_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        return tempfile.TemporaryFile("wb+", dir=folder)


def configure_uploads(app: Flask) -> None:
    """Spool uploads to disk, and answer 413 to any request bigger than MAX_UPLOAD_MB allows."""
    limit_mb = app.config["MAX_UPLOAD_MB"]
    if not isinstance(limit_mb, int) or limit_mb < 1:
        raise RuntimeError(f"MAX_UPLOAD_MB must be a whole number of megabytes, not {limit_mb!r}")
    app.request_class = UploadRequest
    app.config["MAX_CONTENT_LENGTH"] = limit_mb * 1024 * 1024 + FORM_ALLOWANCE
