"""The wording of each letter, as administrators edit it; Waypoint's own wording until then."""

from __future__ import annotations

import re
import string
from datetime import datetime

import sqlalchemy as sa

from casework.audit import Origin, record_event
from casework.errors import NotFound, ValidationError
from casework.messages.models import LetterTemplate


def letter_wordings(session, defaults: dict[str, tuple[str, str]]) -> list[tuple[str, str, bool]]:
    """Every kind of letter: (kind, title, whether an administrator has changed its wording)."""
    saved = {t.kind: t for t in session.scalars(sa.select(LetterTemplate))}
    return [
        (kind, saved[kind].title if kind in saved else title, kind in saved)
        for kind, (title, _body) in defaults.items()
    ]


def letter_wording(session, kind: str, defaults: dict[str, tuple[str, str]]) -> tuple[str, str]:
    """One letter's (title, body): as saved, or the default wording."""
    if kind not in defaults:
        raise NotFound(kind)
    template = session.get(LetterTemplate, kind)
    return (template.title, template.body) if template else defaults[kind]


PLACEHOLDER = re.compile(r"^[a-z_]+$")


def wording_problem(body: str) -> str | None:
    """Why this letter wording cannot be used, or None. Placeholders are plain names in braces,
    like {forename}; a lone brace, a number or anything more in braces would stop every letter
    of this kind from being written."""
    try:
        parts = list(string.Formatter().parse(body))
    except ValueError:
        return (
            "Use braces only around a placeholder, like {forename}; a single { or } is not allowed"
        )
    for _text, field, spec, conversion in parts:
        if field is None:
            continue
        if not PLACEHOLDER.match(field) or spec or conversion:
            return (
                "A placeholder is a name in braces, like {forename} or {reference}: "
                f"{{{field}}} is not one"
            )
    return None


def save_letter_wording(
    session,
    kind: str,
    title: str,
    body: str,
    *,
    defaults: dict[str, tuple[str, str]],
    actor,
    origin: Origin,
    now: datetime,
) -> LetterTemplate:
    """New wording for one kind of letter, used by every letter queued from now on; audited."""
    if kind not in defaults:
        raise NotFound(kind)
    problem = wording_problem(body)
    if problem:
        raise ValidationError({"body": problem})
    template = session.get(LetterTemplate, kind)
    if template is None:
        template = LetterTemplate(kind=kind)
        session.add(template)
    template.title, template.body = title, body
    template.updated_at, template.updated_by_id = now, actor.id
    record_event(
        session,
        action="letter_template.update",
        actor=actor,
        origin=origin,
        record_type="letter_template",
        record_id=kind,
        at=now,
    )
    session.commit()
    return template
