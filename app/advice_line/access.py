"""Who may reach the advice line's pages: its advisors, HSB team leaders and admins (and, for
the monthly figures, analysts). Anyone else gets 403, audited."""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, request
from flask_login import current_user

from app.auth.session import request_origin
from app.extensions import db
from casework import access
from casework.audit import record_refusal


def _guard(allowed):
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not allowed(current_user):
                record_refusal(
                    db.session,
                    "access.denied",
                    actor=current_user,
                    origin=request_origin(),
                    detail={"path": request.path},
                )
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


advice_line_required = _guard(access.can_use_advice_line)
lead_required = _guard(access.can_lead_advice_line)
report_required = _guard(access.can_view_hsb_report)
