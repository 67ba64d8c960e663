"""The resource directory (issue 16, deliverable 6): HSB links, materials and local or regional
contacts that advisors give to professionals (signposting), with how many times each was given.

Advisors, HSB team leaders and admins maintain it. A broken or retired resource is hidden, with
a reason, never deleted: hidden ones leave advisors' searches but keep their counts.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa

from casework import access
from casework.audit import Origin, record_event
from casework.cases.timeline import EventPage
from casework.db import form_key, made_by_key, made_once
from casework.errors import NotFound, ValidationError
from casework.hsb.intake import load_contact
from casework.hsb.models import (
    REGIONS,
    RESOURCE_AUDIENCES,
    RESOURCE_KINDS,
    RESOURCE_TOPICS,
    AdviceContact,
    AdviceResource,
    ResourceGiven,
)

MAX_TITLE = 200
MAX_URL = 500
MAX_DESCRIPTION = 4000
MAX_LOCAL_AUTHORITY = 100
MAX_HIDDEN_REASON = 300
MAX_WORDS = 200
PER_PAGE = 20
NATIONAL = "national"
GIVE_SEARCH_LIMIT = 10


def fold(text: str | None) -> str:
    """Text for matching: accents dropped and case folded ("Écoles" finds "ecoles")."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def matches(resource: AdviceResource, words: str) -> bool:
    """Whether every word asked for is in the resource's title or description."""
    haystack = fold(f"{resource.title} {resource.description or ''}")
    return all(word in haystack for word in fold(words).split())


def _refuse_unless_maintainer(session, actor, origin, now, record_id=None) -> None:
    if not access.can_maintain_resources(actor):
        access.refuse(
            session,
            actor=actor,
            origin=origin,
            record_type="advice_resource",
            record_id=record_id,
            now=now,
        )


def _stale() -> ValidationError:
    return ValidationError(
        {
            "": "Someone changed this resource after you opened this page. Your changes have "
            "not been saved. The page now shows it as it is: check it, then save again."
        }
    )


def valid_url(url: str) -> bool:
    """An http or https address with a host, no spaces."""
    if any(c.isspace() for c in url) or len(url) > MAX_URL:
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        return False
    host = parts.hostname or ""
    return parts.scheme in ("http", "https") and "." in host and not host.startswith(".")


def clean_fields(
    *,
    title: str | None,
    url: str | None,
    description: str | None,
    kind: str | None,
    audiences: list[str] | None,
    topic: str | None,
    region: str | None,
    local_authority: str | None,
) -> dict:
    """The resource's fields, trimmed and checked; ValidationError with every problem."""
    errors: dict[str, str] = {}
    title = (title or "").strip()
    url = (url or "").strip() or None
    description = (description or "").strip() or None
    local_authority = (local_authority or "").strip() or None
    region = region or None
    audiences = [a for a in dict.fromkeys(audiences or []) if a]
    if not title:
        errors["title"] = "Enter the resource's title"
    elif len(title) > MAX_TITLE:
        errors["title"] = f"The title must be {MAX_TITLE} characters or fewer"
    if url is not None and not valid_url(url):
        errors["url"] = (
            "Enter a web address starting with https:// or http://, like https://www.nspcc.org.uk"
        )
    if description and len(description) > MAX_DESCRIPTION:
        errors["description"] = f"The description must be {MAX_DESCRIPTION:,} characters or fewer"
    if kind not in RESOURCE_KINDS:
        errors["kind"] = "Select what kind of resource it is"
    if not audiences:
        errors["audiences"] = "Select at least one audience"
    elif any(a not in RESOURCE_AUDIENCES for a in audiences):
        errors["audiences"] = "Select audiences from the list"
    if topic not in RESOURCE_TOPICS:
        errors["topic"] = "Select the resource's topic"
    if region is not None and region not in REGIONS:
        errors["region"] = "Select a region from the list, or national"
    if local_authority and len(local_authority) > MAX_LOCAL_AUTHORITY:
        errors["local_authority"] = (
            f"The local authority must be {MAX_LOCAL_AUTHORITY} characters or fewer"
        )
    elif local_authority and region is None:
        errors["local_authority"] = "Select the local authority's region, or leave it blank"
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "url": url,
        "description": description,
        "kind": kind,
        "audiences": audiences,
        "topic": topic,
        "region": region,
        "local_authority": local_authority,
    }


def given_counts(session, resource_ids) -> dict[int, int]:
    """How many times each resource was given (its ResourceGiven rows)."""
    ids = list(resource_ids)
    if not ids:
        return {}
    rows = session.execute(
        sa.select(ResourceGiven.resource_id, sa.func.count(ResourceGiven.id))
        .where(ResourceGiven.resource_id.in_(ids))
        .group_by(ResourceGiven.resource_id)
    ).all()
    found = dict.fromkeys(ids, 0)
    found.update(dict(rows))
    return found


def list_resources(
    session,
    viewer,
    *,
    words: str = "",
    audience: str | None = None,
    topic: str | None = None,
    kind: str | None = None,
    area: str | None = None,
    local_authority: str = "",
    show_hidden: bool = False,
    page: int = 1,
    origin: Origin,
    now: datetime,
    per_page: int = PER_PAGE,
) -> EventPage:
    """A page of the directory, by title: (resource, times given) pairs matching the words
    (title or description, case and accents ignored) and filters. ``area`` is "national" (no
    region) or a region (only that region's); ``local_authority`` words in the local authority.
    Hidden resources only when ``show_hidden``. The view is audited."""
    _refuse_unless_maintainer(session, viewer, origin, now)
    query = sa.select(AdviceResource).order_by(AdviceResource.title, AdviceResource.id)
    if not show_hidden:
        query = query.where(AdviceResource.hidden.is_(False))
    if topic in RESOURCE_TOPICS:
        query = query.where(AdviceResource.topic == topic)
    if kind in RESOURCE_KINDS:
        query = query.where(AdviceResource.kind == kind)
    if area == NATIONAL:
        query = query.where(AdviceResource.region.is_(None))
    elif area in REGIONS:
        query = query.where(AdviceResource.region == area)
    if audience in RESOURCE_AUDIENCES:
        # The JSON list as text holds the key in quotes (keys are plain words).
        query = query.where(sa.cast(AdviceResource.audiences, sa.Text).like(f'%"{audience}"%'))
    words = (words or "")[:MAX_WORDS]
    place = fold((local_authority or "")[:MAX_LOCAL_AUTHORITY]).strip()
    found = [
        r
        for r in session.scalars(query)
        if matches(r, words) and (not place or place in fold(r.local_authority))
    ]
    pages = max(1, -(-len(found) // per_page))
    page = min(max(page, 1), pages)
    shown = found[(page - 1) * per_page : page * per_page]
    counts = given_counts(session, [r.id for r in shown])
    record_event(
        session,
        action="advice_resource.list",
        actor=viewer,
        origin=origin,
        record_type="advice_resource",
        at=now,
        detail={
            "words": bool(words.strip()),
            "audience": audience,
            "topic": topic,
            "kind": kind,
            "area": area,
            "local_authority": bool(place),
            "hidden": show_hidden,
            "page": page,
        },
    )
    session.commit()
    return EventPage(
        items=[(r, counts[r.id]) for r in shown], page=page, per_page=per_page, total=len(found)
    )


def get_resource(session, resource_id: int, viewer, *, origin: Origin, now: datetime):
    """One resource with its count, for its edit page; NotFound when missing or refused."""
    _refuse_unless_maintainer(session, viewer, origin, now, resource_id)
    resource = session.get(AdviceResource, resource_id)
    if resource is None:
        raise NotFound(resource_id)
    return resource, given_counts(session, [resource.id])[resource.id]


def create_resource(
    session,
    *,
    actor,
    origin: Origin,
    now: datetime,
    submission_token: str | None = None,
    **fields,
) -> AdviceResource:
    """Add a resource to the directory; audited and committed. The same form sent twice
    (``submission_token``: a double click, a resend) adds one resource."""
    _refuse_unless_maintainer(session, actor, origin, now)
    key = form_key(f"resource:{actor.id}", submission_token)
    if (added := made_by_key(session, AdviceResource.submission_key, key)) is not None:
        return added
    values = clean_fields(**fields)

    def add() -> AdviceResource:
        resource = AdviceResource(
            **values,
            hidden=False,
            created_by_id=actor.id,
            created_at=now,
            updated_at=now,
            submission_key=key,
        )
        session.add(resource)
        session.flush()
        record_event(
            session,
            action="advice_resource.created",
            actor=actor,
            origin=origin,
            record_type="advice_resource",
            record_id=resource.id,
            detail={"title": resource.title, "kind": resource.kind},
            at=now,
        )
        session.commit()
        return resource

    return made_once(session, AdviceResource.submission_key, key, add)


def _for_change(session, resource_id, expected_version, actor, origin, now) -> AdviceResource:
    _refuse_unless_maintainer(session, actor, origin, now, resource_id)
    resource = session.get(AdviceResource, resource_id)
    if resource is None:
        raise NotFound(resource_id)
    if expected_version is None or resource.version != expected_version:
        raise _stale()
    return resource


def update_resource(
    session,
    resource_id: int,
    *,
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
    **fields,
) -> AdviceResource:
    """Change a resource's details (its counts are untouched); version-checked, audited."""
    resource = _for_change(session, resource_id, expected_version, actor, origin, now)
    values = clean_fields(**fields)
    changed = sorted(k for k, v in values.items() if getattr(resource, k) != v)
    for key, value in values.items():
        setattr(resource, key, value)
    resource.updated_at = now
    record_event(
        session,
        action="advice_resource.updated",
        actor=actor,
        origin=origin,
        record_type="advice_resource",
        record_id=resource.id,
        detail={"changed": changed},
        at=now,
    )
    session.commit()
    return resource


def hide_resource(
    session,
    resource_id: int,
    *,
    reason: str | None,
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> AdviceResource:
    """Hide a broken or retired resource from searches, with the reason; its counts stay."""
    resource = _for_change(session, resource_id, expected_version, actor, origin, now)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the resource is being hidden"})
    if len(reason) > MAX_HIDDEN_REASON:
        raise ValidationError(
            {"reason": f"The reason must be {MAX_HIDDEN_REASON} characters or fewer"}
        )
    if resource.hidden:
        raise ValidationError({"": "This resource is already hidden"})
    resource.hidden, resource.hidden_reason, resource.updated_at = True, reason, now
    record_event(
        session,
        action="advice_resource.hidden",
        actor=actor,
        origin=origin,
        record_type="advice_resource",
        record_id=resource.id,
        detail={"reason": reason},
        at=now,
    )
    session.commit()
    return resource


def unhide_resource(
    session, resource_id: int, *, expected_version: int | None, actor, origin: Origin, now
) -> AdviceResource:
    """Show a hidden resource in searches again."""
    resource = _for_change(session, resource_id, expected_version, actor, origin, now)
    if not resource.hidden:
        raise ValidationError({"": "This resource is not hidden"})
    resource.hidden, resource.hidden_reason, resource.updated_at = False, None, now
    record_event(
        session,
        action="advice_resource.unhidden",
        actor=actor,
        origin=origin,
        record_type="advice_resource",
        record_id=resource.id,
        at=now,
    )
    session.commit()
    return resource


# --- giving resources to a contact ------------------------------------------------------------


def resources_given_to(session, contact: AdviceContact) -> list[ResourceGiven]:
    """What this contact was given, first given first."""
    return list(
        session.scalars(
            sa.select(ResourceGiven)
            .where(ResourceGiven.contact_id == contact.id)
            .order_by(ResourceGiven.given_at, ResourceGiven.id)
        )
    )


def search_to_give(session, words: str, *, limit: int = GIVE_SEARCH_LIMIT) -> list[AdviceResource]:
    """Visible resources whose title or description has every word (nothing for no words)."""
    words = (words or "")[:MAX_WORDS]
    if not words.strip():
        return []
    query = (
        sa.select(AdviceResource)
        .where(AdviceResource.hidden.is_(False))
        .order_by(AdviceResource.title, AdviceResource.id)
    )
    return [r for r in session.scalars(query) if matches(r, words)][:limit]


def give_resource(
    session, contact_id: int, resource_id: int | None, *, actor, origin: Origin, now: datetime
) -> tuple[AdviceResource, bool]:
    """Record that ``resource`` was given to the contact: (resource, True) when recorded now,
    (resource, False) when it had been given already (nothing changed). A hidden resource
    cannot be given. Audited and committed."""
    contact = load_contact(session, contact_id, actor, origin=origin, now=now)
    resource = session.get(AdviceResource, resource_id) if resource_id else None
    if resource is None:
        raise ValidationError({"": "That resource is not in the directory"})
    if resource.hidden:
        raise ValidationError({"": f"“{resource.title}” is hidden and cannot be given"})
    already = session.scalar(
        sa.select(ResourceGiven.id).where(
            ResourceGiven.contact_id == contact.id, ResourceGiven.resource_id == resource.id
        )
    )
    if already is not None:
        return resource, False
    try:
        with session.begin_nested():
            session.add(
                ResourceGiven(
                    resource_id=resource.id,
                    contact_id=contact.id,
                    given_at=now,
                    given_by_id=actor.id,
                )
            )
            session.flush()
    except sa.exc.IntegrityError:  # given at the same moment by someone else
        return resource, False
    record_event(
        session,
        action="advice_resource.given",
        actor=actor,
        origin=origin,
        record_type="advice_contact",
        record_id=contact.id,
        detail={"resource_id": resource.id},
        at=now,
    )
    session.commit()
    return resource, True
