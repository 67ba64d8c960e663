"""Refusals of requests nobody signed in sent (a forged cookie, a form without its CSRF token, an
unsigned webhook), audited without letting a flood of them flood the audit trail.

The trail is append-only, so a source that sends thousands of refusals would otherwise add
thousands of rows nobody can remove. The first refusal of each kind from a source in each window
(``REFUSAL_AUDIT_RATE_LIMIT``, default one a minute) is written; Flask-Limiter's counter for that
source and window holds the count of the rest (README: "Reading the refusal counters").
"""

from __future__ import annotations

import logging

from flask import current_app, request
from limits import parse

from app.extensions import db, limiter
from casework.audit import Origin, record_refusal


def audit_refusal(action: str, detail: dict | None = None) -> bool:
    """Audit one refused request from the current source; False when the limiter already holds
    this source's refusals for the window and counted this one instead."""
    source = request.remote_addr or "unknown"
    if limiter.enabled and limiter.initialized:
        limit = parse(current_app.config["REFUSAL_AUDIT_RATE_LIMIT"])
        try:
            counted = not limiter.limiter.hit(limit, "refusal", action, source)
        except Exception as exc:  # the counters' storage is down: audit rather than lose it
            logging.getLogger("waypoint.web").warning(
                "refusal counter unavailable (%s): auditing this refusal", type(exc).__name__
            )
            counted = False
        if counted:
            return False
    record_refusal(
        db.session,
        action,
        origin=Origin(ip=request.remote_addr, user_agent=request.headers.get("User-Agent")),
        detail={"path": request.path, **(detail or {})},
    )
    return True
