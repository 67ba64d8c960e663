"""The resource directory (issue 16): the list with its search and filters and how many times
each resource was given, adding and editing one, hiding one with a reason and showing it again;
and, on a contact's page, the resources given to that professional and giving another."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.advice_line import bp
from app.advice_line.access import _guard, advice_line_required
from app.advice_line.contact_page import contact_or_404, render_contact_page, section
from app.advice_line.resource_forms import HideForm, NewResourceForm, ResourceForm, UnhideForm
from app.auth.session import request_origin
from app.extensions import db
from app.forms import REFUSED, ActionForm, call_service, flash_made, page_number, posted_id
from casework import access
from casework.db import utcnow
from casework.errors import NotFound, ValidationError
from casework.hsb import models as words
from casework.hsb import resources as directory

maintainers = _guard(access.can_maintain_resources)


def _choice(name: str, allowed) -> str | None:
    value = request.args.get(name)
    return value if value in allowed else None


@bp.route("/advice-line/resources")
@maintainers
def resources():
    """The directory: search by words, filter by audience, topic, kind and area."""
    area_choices = {directory.NATIONAL: "National (England-wide)", **words.REGIONS}
    filters = {
        "words": (request.args.get("q") or "")[: directory.MAX_WORDS],
        "audience": _choice("audience", words.RESOURCE_AUDIENCES),
        "topic": _choice("topic", words.RESOURCE_TOPICS),
        "kind": _choice("kind", words.RESOURCE_KINDS),
        "area": _choice("area", area_choices),
        "local_authority": (request.args.get("local_authority") or "")[:100],
        "show_hidden": request.args.get("show") == "hidden",
    }
    found = directory.list_resources(
        db.session,
        current_user,
        **filters,
        page=page_number(),
        origin=request_origin(),
        now=utcnow(),
    )
    return render_template(
        "advice_line/resources.html",
        found=found,
        filters=filters,
        area_choices=area_choices,
        words=words,
    )


def _render_resource_form(form, resource=None, count=0, status=200):
    hide_form = unhide_form = None
    if resource is not None:
        hide_form, unhide_form = HideForm(prefix="hide"), UnhideForm(prefix="unhide")
        hide_form.version.data = unhide_form.version.data = str(resource.version)
    status = 400 if form.errors or form.form_errors else status
    return render_template(
        "advice_line/resource_form.html",
        form=form,
        resource=resource,
        count=count,
        hide_form=hide_form,
        unhide_form=unhide_form,
        words=words,
    ), status


@bp.route("/advice-line/resources/new", methods=["GET", "POST"])
@maintainers
def new_resource():
    """Add a resource to the directory."""
    form = NewResourceForm()
    if form.validate_on_submit():
        made = call_service(
            form,
            lambda: directory.create_resource(
                db.session,
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
                submission_token=form.submission_token.data,
                **form.fields_for_service(),
            ),
        )
        if made is not REFUSED:
            flash_made(made, f"“{made.title}” added to the directory.")
            return redirect(url_for("advice_line.resources"))
    return _render_resource_form(form)


def _resource_or_404(resource_id: int):
    try:
        return directory.get_resource(
            db.session, resource_id, current_user, origin=request_origin(), now=utcnow()
        )
    except NotFound:
        abort(404)


@bp.route("/advice-line/resources/<int:resource_id>", methods=["GET", "POST"])
@maintainers
def resource(resource_id: int):
    """A resource's details, to edit; and hiding or showing it again."""
    form = ResourceForm()
    if request.method == "POST" and form.validate_on_submit():
        saved = call_service(
            form,
            lambda: directory.update_resource(
                db.session,
                resource_id,
                expected_version=form.loaded_version(),
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
                **form.fields_for_service(),
            ),
        )
        if saved is not REFUSED:
            flash(f"“{saved.title}” saved.", "success")
            return redirect(url_for("advice_line.resource", resource_id=resource_id))
    found, count = _resource_or_404(resource_id)
    if request.method == "GET" or form.form_errors:
        errors = form.form_errors
        form = ResourceForm(formdata=None, obj=found)
        form.form_errors = list(errors)
        form.region.data = found.region or ""
        form.version.data = str(found.version)
    return _render_resource_form(form, found, count)


def _hide_or_unhide(resource_id: int, form, act, done: str):
    if form.validate_on_submit():
        try:
            changed = act(form)
        except NotFound:
            abort(404)
        except ValidationError as exc:
            db.session.rollback()
            flash(next(iter(exc.errors.values())), "error")
        else:
            flash(done.format(title=changed.title), "success")
    else:
        flash(next(iter(form.errors.values()))[0] if form.errors else "Try again.", "error")
    return redirect(url_for("advice_line.resource", resource_id=resource_id))


@bp.route("/advice-line/resources/<int:resource_id>/hide", methods=["POST"])
@maintainers
def hide_resource(resource_id: int):
    """Hide a resource from searches, with the reason; its counts are kept."""
    return _hide_or_unhide(
        resource_id,
        HideForm(prefix="hide"),
        lambda form: directory.hide_resource(
            db.session,
            resource_id,
            reason=form.reason.data,
            expected_version=form.loaded_version(),
            actor=current_user,
            origin=request_origin(),
            now=utcnow(),
        ),
        "“{title}” is hidden. Its counts are kept.",
    )


@bp.route("/advice-line/resources/<int:resource_id>/unhide", methods=["POST"])
@maintainers
def unhide_resource(resource_id: int):
    """Show a hidden resource in searches again."""
    return _hide_or_unhide(
        resource_id,
        UnhideForm(prefix="unhide"),
        lambda form: directory.unhide_resource(
            db.session,
            resource_id,
            expected_version=form.loaded_version(),
            actor=current_user,
            origin=request_origin(),
            now=utcnow(),
        ),
        "“{title}” is shown in searches again.",
    )


# --- on a contact's page ----------------------------------------------------------------------


@section("advice_line/_resources_given.html")
def resources_given_section(contact) -> dict:
    """What this professional was given, and a box to find another."""
    return {"given": directory.resources_given_to(db.session, contact)}


@bp.route("/advice-line/contacts/<int:contact_id>/resources")
@advice_line_required
def contact_resources(contact_id: int):
    """Find visible resources to give to this professional."""
    found = contact_or_404(contact_id, "resources")
    asked = (request.args.get("q") or "")[: directory.MAX_WORDS]
    matches = directory.search_to_give(db.session, asked)
    given_ids = {g.resource_id for g in directory.resources_given_to(db.session, found)}
    return render_contact_page(
        "advice_line/contact_resources.html",
        found,
        asked=asked,
        matches=matches,
        given_ids=given_ids,
        given=directory.resources_given_to(db.session, found),
        give_form=ActionForm(),
    )


@bp.route("/advice-line/contacts/<int:contact_id>/resources/give", methods=["POST"])
@advice_line_required
def give_resource(contact_id: int):
    """Record that a resource was given to this professional (once per resource)."""
    back = url_for("advice_line.contact_resources", contact_id=contact_id)
    asked = (request.form.get("q") or "")[: directory.MAX_WORDS]
    if asked:
        back = url_for("advice_line.contact_resources", contact_id=contact_id, q=asked)
    if not ActionForm().validate_on_submit():
        flash("The form had expired. Try again.", "error")
        return redirect(back)
    try:
        resource, recorded = directory.give_resource(
            db.session,
            contact_id,
            posted_id("resource_id"),
            actor=current_user,
            origin=request_origin(),
            now=utcnow(),
        )
    except NotFound:
        abort(404)
    except ValidationError as exc:
        db.session.rollback()
        flash(next(iter(exc.errors.values())), "error")
        return redirect(back)
    if recorded:
        flash(f"“{resource.title}” recorded as given.", "success")
    else:
        flash(
            f"“{resource.title}” was already given to this professional: nothing changed.", "info"
        )
    return redirect(back)
