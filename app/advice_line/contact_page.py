"""One advice contact's page: a summary of who got in touch and how, then one section per
feature (the callback, the advice, resources given, follow-up sessions, evidence of local
practice, feedback), each filled by its feature's loader registered with :func:`section`, in the
order of ORDER (the order of a contact's life)."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app, render_template
from flask_login import current_user

from app.advice_line import bp
from app.advice_line.access import advice_line_required
from app.auth.session import request_origin
from app.extensions import db
from casework.db import utcnow
from casework.errors import NotFound
from casework.hsb import models as words
from casework.hsb.callbacks import called_back_by_email
from casework.hsb.contacts import get_contact
from scheduling.service_calendars import hsb_calendar

# (template, loader): loader(contact) -> the template's context, as a dict.
SECTIONS: list[tuple[str, Callable]] = []
ORDER = (
    "advice_line/_callbacks.html",
    "advice_line/_advice.html",
    "advice_line/_resources_given.html",
    "advice_line/_sessions.html",
    "advice_line/_evidence.html",
    "advice_line/_feedback.html",
)


def _place(template: str) -> int:
    return ORDER.index(template) if template in ORDER else len(ORDER)


def section(template: str):
    """Register a loader for a section of the contact page, shown with ``template``."""

    def register(loader: Callable) -> Callable:
        SECTIONS.append((template, loader))
        SECTIONS.sort(key=lambda entry: _place(entry[0]))
        return loader

    return register


def line_calendar():
    """The line's calendar (HSB_LINE_HOURS, bank holidays), for the pages' times and rules."""
    return hsb_calendar(current_app.config)


def contact_or_404(contact_id: int, page: str):
    """The contact, if the signed-in person may use the advice line, its view audited with the
    page seen; a missing contact and a refused one are the same 404."""
    try:
        return get_contact(
            db.session, contact_id, current_user, origin=request_origin(), now=utcnow(), page=page
        )
    except NotFound:
        abort(404)


def render_contact_page(template: str, contact, **context):
    """A page about one contact, with its summary and the line's words."""
    return render_template(
        template,
        contact=contact,
        words=words,
        by_email=called_back_by_email(contact),
        **context,
    )


@bp.route("/advice-line/contacts/<int:contact_id>")
@advice_line_required
def contact(contact_id: int):
    """Everything about one contact, each feature's section in turn."""
    found = contact_or_404(contact_id, "contact")
    sections = [(template, loader(found)) for template, loader in SECTIONS]
    return render_contact_page("advice_line/contact.html", found, sections=sections)
