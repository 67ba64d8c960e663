"""The partner registry's pages: every signed-in staff member reads the list and an agency's
page (caseworkers choose agencies when referring on); admins create and edit agencies and
contacts, record the twice-yearly reviews, and complete or merge agencies awaiting an entry."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.session import request_origin, role_required
from app.extensions import db
from app.forms import (
    REFUSED,
    ActionForm,
    button_action,
    call_service,
    flash_made,
    page_number,
    posted_int,
)
from app.partners import bp
from app.partners.forms import AgencyForm, ContactForm, MergeForm, ReviewForm
from app.plans.forms import loaded_version
from casework.access import is_admin
from casework.db import MAX_ID, utcnow
from casework.errors import NotFound
from casework.onward.models import ONWARD_STATUSES
from casework.partners.activity import agency_activity, visible_referrals_from
from casework.partners.merging import merge_agency
from casework.partners.models import AGENCY_TYPES, ONWARD_SERVICES, PARTNERSHIP_LEVELS
from casework.partners.registry import (
    FILTERS,
    AgencyDetails,
    ContactDetails,
    add_contact,
    agencies_page,
    create_agency,
    filter_counts,
    get_agency,
    record_review,
    registry_agencies,
    remove_contact,
    reviews_due,
    update_agency,
)
from casework.staff.vetting import local_today

admin_only = role_required("admin")
# The victim service's staff: not its volunteers, nor the HSB advice line's staff (whatever
# their role, role_required refuses them), since an entry names the agency's keyworkers and the
# people who referred victims from it.
registry_readers = role_required("caseworker", "team_leader", "analyst", "admin")
LABELS = {
    "agency_types": AGENCY_TYPES,
    "levels": PARTNERSHIP_LEVELS,
    "services": ONWARD_SERVICES,
    "onward_statuses": ONWARD_STATUSES,
}


def _agency_or_404(agency_id: int):
    if agency_id > MAX_ID:
        abort(404)
    try:
        return get_agency(db.session, agency_id)
    except NotFound:
        abort(404)


def _details(form: AgencyForm) -> AgencyDetails:
    return AgencyDetails(
        name=form.name.data or "",
        in_registry=bool(form.in_registry.data),
        agency_type=form.agency_type.data or None,
        partnership_level=form.partnership_level.data or None,
        provides=form.provides.data or None,
        keyworker_name=form.keyworker_name.data,
        mou_signed_on=form.mou_signed_on.data,
        mou_review_on=form.mou_review_on.data,
        isa_in_place=bool(form.isa_in_place.data),
        secure_email=form.secure_email.data,
        phone=form.phone.data,
        notes=form.notes.data,
    )


@bp.route("/partners")
@registry_readers
def registry():
    """The registry, in the registry / awaiting an entry / reviews due, 25 to a page; admins see
    the partnership reviews due at the top."""
    today = local_today(utcnow())
    show = request.args.get("show", "registry")
    show = show if show in FILTERS else "registry"
    q = request.args.get("q", "")[:200]
    page = agencies_page(
        db.session,
        show,
        today=today,
        page=page_number(),
        per_page=current_app.config["PAGE_SIZE"],
        q=q,
    )
    admin = is_admin(current_user)
    return render_template(
        "partners/registry.html",
        page=page,
        show=show,
        q=q.strip(),
        filters=FILTERS,
        counts=filter_counts(db.session, today),
        due=reviews_due(db.session, today) if admin else [],
        today=today,
        admin=admin,
        **LABELS,
    )


@bp.route("/partners/new", methods=["GET", "POST"])
@admin_only
def new_agency():
    """Add an agency to the registry."""
    form = AgencyForm()
    if form.validate_on_submit():
        agency = call_service(
            form,
            lambda: create_agency(
                db.session,
                _details(form),
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if agency is not REFUSED:
            flash(f"{agency.name} added to the registry.", "success")
            return redirect(url_for("partners.agency", agency_id=agency.id))
    return render_template("partners/agency_form.html", form=form, agency=None), (
        400 if form.errors or form.form_errors else 200
    )


@bp.route("/partners/<int:agency_id>")
@registry_readers
def agency(agency_id: int):
    """One agency's entry, its contacts, the referrals from it the viewer may see, and how many
    onward referrals went to it. Read-only for everyone but admins."""
    found = _agency_or_404(agency_id)
    admin = is_admin(current_user)
    referrals = visible_referrals_from(
        found.id, current_user, page=page_number(), per_page=current_app.config["PAGE_SIZE"]
    )
    review_form = ReviewForm(formdata=None)
    review_form.version.data = found.version
    return render_template(
        "partners/agency.html",
        agency=found,
        activity=agency_activity(db.session, found.id, current_user),
        referrals=referrals,
        admin=admin,
        review_form=review_form,
        action_form=ActionForm(),
        today=local_today(utcnow()),
        **LABELS,
    )


@bp.route("/partners/<int:agency_id>/edit", methods=["GET", "POST"])
@admin_only
def edit_agency(agency_id: int):
    """Edit an agency's entry; an agency awaiting one is completed by ticking "in the registry"."""
    found = _agency_or_404(agency_id)
    form = AgencyForm(obj=found if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = found.version
        if not found.in_registry:
            form.in_registry.data = True
            form.phone.data = found.phone or found.contact_phone
    if form.validate_on_submit():
        outcome = call_service(
            form,
            lambda: update_agency(
                db.session,
                found.id,
                _details(form),
                version=loaded_version(form.version),
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if outcome is not REFUSED:
            flash("Changes saved.", "success")
            return redirect(url_for("partners.agency", agency_id=found.id))
    return render_template("partners/agency_form.html", form=form, agency=found), (
        400 if form.errors or form.form_errors else 200
    )


@bp.route("/partners/<int:agency_id>/contacts/new", methods=["GET", "POST"])
@admin_only
def new_contact(agency_id: int):
    """Add a named contact at an agency."""
    found = _agency_or_404(agency_id)
    form = ContactForm()
    if form.validate_on_submit():
        contact = call_service(
            form,
            lambda: add_contact(
                db.session,
                found.id,
                ContactDetails(
                    name=form.name.data,
                    role=form.role.data,
                    email=form.email.data,
                    phone=form.phone.data,
                ),
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
                submission_token=form.submission_token.data,
            ),
        )
        if contact is not REFUSED:
            flash_made(contact, f"{contact.name} added as a contact.")
            return redirect(url_for("partners.agency", agency_id=found.id) + "#contacts")
    return render_template("partners/contact_form.html", form=form, agency=found), (
        400 if form.errors or form.form_errors else 200
    )


@bp.route("/partners/<int:agency_id>/contacts/<int:contact_id>/remove", methods=["POST"])
@admin_only
def remove_agency_contact(agency_id: int, contact_id: int):
    """Remove a contact from an agency."""
    found = _agency_or_404(agency_id)

    def act():
        contact = remove_contact(
            db.session,
            found.id,
            contact_id,
            actor=current_user,
            origin=request_origin(),
            now=utcnow(),
        )
        return f"{contact.name} removed from the contacts."

    button_action(act)
    return redirect(url_for("partners.agency", agency_id=found.id) + "#contacts")


@bp.route("/partners/<int:agency_id>/review", methods=["POST"])
@admin_only
def review(agency_id: int):
    """Record a partnership review held; the next is due six months later."""
    found = _agency_or_404(agency_id)
    form = ReviewForm()
    if form.validate_on_submit():
        outcome = call_service(
            form,
            lambda: record_review(
                db.session,
                found.id,
                reviewed_on=form.reviewed_on.data,
                version=loaded_version(form.version),
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if outcome is not REFUSED:
            flash(
                f"Review recorded. The next is due by {outcome.mou_review_on:%-d %B %Y}.",
                "success",
            )
            return redirect(url_for("partners.agency", agency_id=found.id))
    form.version.data = found.version
    return render_template(
        "partners/agency.html",
        agency=found,
        activity=agency_activity(db.session, found.id, current_user),
        referrals=visible_referrals_from(
            found.id, current_user, page=1, per_page=current_app.config["PAGE_SIZE"]
        ),
        admin=True,
        review_form=form,
        action_form=ActionForm(),
        today=local_today(utcnow()),
        **LABELS,
    ), 400


@bp.route("/partners/<int:agency_id>/merge", methods=["GET", "POST"])
@admin_only
def merge(agency_id: int):
    """Merge an agency awaiting its entry into the registry agency it really is."""
    found = _agency_or_404(agency_id)
    form = MergeForm()
    form.into_id.choices = [("", "Select an agency")] + [
        (str(a.id), a.name) for a in registry_agencies(db.session) if a.id != found.id
    ]
    if request.method == "GET":
        form.version.data = found.version
    if form.validate_on_submit():
        name = found.name
        target = call_service(
            form,
            lambda: merge_agency(
                db.session,
                found.id,
                posted_int(form.into_id.data),
                version=loaded_version(form.version),
                actor=current_user,
                origin=request_origin(),
                now=utcnow(),
            ),
        )
        if target is not REFUSED:
            flash(f"{name} merged into {target.name}.", "success")
            return redirect(url_for("partners.agency", agency_id=target.id))
    return render_template(
        "partners/merge.html",
        form=form,
        agency=found,
        activity=agency_activity(db.session, found.id, current_user),
    ), (400 if form.errors or form.form_errors else 200)
