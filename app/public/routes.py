from datetime import datetime

from flask import current_app, redirect, render_template, session, url_for

from app.answer_forms import characteristic_answers, safe_contact_answers
from app.auth.session import request_origin
from app.extensions import db, limiter, public_form_limit, public_form_sent
from app.forms import REFUSED, add_missing_errors, call_service
from app.public import bp
from app.public.forms import PartnerReferralForm, SelfReferralForm
from casework.db import sent_before, utcnow
from casework.referrals.partner_referral import ReferrerDetails, submit_partner_referral
from casework.referrals.self_referral import available_webchat_slots, submit_self_referral
from casework.referrals.victim_details import (
    PARTNER_METHODS,
    SELF_METHODS,
    VictimDetails,
    check_victim,
)
from scheduling.service_calendars import victim_calendar


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def victim_details_from(form) -> VictimDetails:
    """The victim's details as typed into a referral form (self, partner or staff-entered)."""
    return VictimDetails(
        forename=form.forename.data or "",
        surname=form.surname.data or "",
        contact_method=form.contact_method.data or "",
        date_of_birth=form.date_of_birth.data,
        phone=form.phone.data or "",
        email=form.email.data or "",
        address_line_1=form.address_line_1.data or "",
        address_line_2=form.address_line_2.data or "",
        town=form.town.data or "",
        postcode=form.postcode.data or "",
        safe_to_voicemail=_yes_no(form.safe_to_voicemail.data),
        safe_to_text=_yes_no(form.safe_to_text.data),
        account=form.account.data or "",
        occurred_on=form.occurred_on.data,
        crime_reference=form.crime_reference.data or "",
        concerns=tuple(form.concerns.data or ()),
        preferred_worker_gender=form.preferred_worker_gender.data or "",
        preferred_language=form.preferred_language.data or "",
        characteristics=characteristic_answers(form),
        **safe_contact_answers(form),
    )


def show_every_victim_problem(form, methods, today) -> None:
    """When a referral form fails its own checks, the victim details' checks are shown too
    (a missing phone number for the way chosen, a postcode that is not one), not only after
    the first errors are put right."""
    if form.is_submitted() and form.errors:
        add_missing_errors(form, lambda: check_victim(victim_details_from(form), methods, today))


def _slot_label(slot: datetime, tz) -> str:
    local = slot.astimezone(tz)
    return local.strftime("%A %-d %B, ") + local.strftime("%-I:%M%p").lower()


def _webchat_hint(slots: list[datetime], tz) -> str:
    """Say how far ahead a chat can be booked by the last day offered: "the next five working
    days" would not tell a person that Saturdays are in it, or that a bank holiday is not."""
    if not slots:
        return "No web chat times are free just now. We will contact you the way you chose above."
    last = slots[-1].astimezone(tz)
    return (
        "You can chat with a caseworker online at a time that suits you, up to "
        f"{last.strftime('%A %-d %B')}. Times are UK time."
    )


@bp.route("/refer", methods=["GET", "POST"])
@limiter.limit(public_form_limit, methods=["POST"], deduct_when=public_form_sent)
def refer():
    """Self-referral: accepted on the person's own account, no proof needed (spec 3.1, 3.6)."""
    now = utcnow()
    calendar = victim_calendar(current_app.config)
    slots = available_webchat_slots(calendar, now)
    form = SelfReferralForm()
    form.webchat_at.choices = [("", "No thanks")] + [
        (s.isoformat(), _slot_label(s, calendar.tz)) for s in slots
    ]
    if form.validate_on_submit():
        webchat = datetime.fromisoformat(form.webchat_at.data) if form.webchat_at.data else None
        referral = call_service(
            form,
            lambda: submit_self_referral(
                db.session,
                victim_details_from(form),
                submission_token=form.submission_token.data,
                webchat_at=webchat,
                calendar=calendar,
                now=now,
                origin=request_origin(),
            ),
        )
        if referral is not REFUSED:
            # The chat time stored: a resend with another time chosen did not change it.
            chat = referral.webchat_at and _slot_label(referral.webchat_at, calendar.tz)
            _confirm_once(referral, chat)
            return redirect(url_for("public.refer_confirmation"))
    show_every_victim_problem(form, SELF_METHODS, calendar.local_date(now))
    return render_template(
        "public/refer.html", form=form, webchat_hint=_webchat_hint(slots, calendar.tz)
    ), (400 if form.errors else 200)


def _confirm_once(referral, webchat: str | None) -> None:
    """Keep what the confirmation page shows of the referral just made (its reference, chat
    time, and whether this send only found what an earlier send of the form had made), for
    that page alone."""
    session["referral_reference"] = referral.reference
    session["referral_webchat"] = webchat
    session["referral_sent_twice"] = sent_before(referral)


def _confirmation_once() -> tuple[str | None, str | None, bool]:
    """The reference, chat time and sent-twice of the referral just made, taken from the
    session so they are shown once: on a shared or borrowed device the next person cannot read
    them back."""
    return (
        session.pop("referral_reference", None),
        session.pop("referral_webchat", None),
        session.pop("referral_sent_twice", False),
    )


@bp.route("/refer/confirmation")
def refer_confirmation():
    """The self-referral's reference and chat time, shown once."""
    reference, webchat, sent_twice = _confirmation_once()
    if not reference:
        return redirect(url_for("public.refer"))
    return render_template(
        "public/confirmation.html",
        reference=reference,
        webchat=webchat,
        partner=False,
        sent_twice=sent_twice,
    )


@bp.route("/partner-referral", methods=["GET", "POST"])
@limiter.limit(public_form_limit, methods=["POST"], deduct_when=public_form_sent)
def partner_referral():
    """A partner agency refers someone who has agreed to it (spec 3.6)."""
    now = utcnow()
    form = PartnerReferralForm()
    if form.validate_on_submit():
        referrer = ReferrerDetails(
            agency_name=form.agency_name.data or "",
            agency_kind=form.agency_kind.data or "",
            referrer_name=form.referrer_name.data or "",
            referrer_email=form.referrer_email.data or "",
            referrer_phone=form.referrer_phone.data or "",
        )
        referral = call_service(
            form,
            lambda: submit_partner_referral(
                db.session,
                referrer,
                victim_details_from(form),
                consent=bool(form.consent.data),
                dedupe_token=f"form:{form.submission_token.data}",
                calendar=victim_calendar(current_app.config),
                now=now,
                origin=request_origin(),
            ),
        )
        if referral is not REFUSED:
            _confirm_once(referral, None)
            return redirect(url_for("public.partner_confirmation"))
    today = victim_calendar(current_app.config).local_date(now)
    show_every_victim_problem(form, PARTNER_METHODS, today)
    return render_template("public/partner.html", form=form), (400 if form.errors else 200)


@bp.route("/partner-referral/confirmation")
def partner_confirmation():
    """The partner referral's reference, shown once."""
    reference, _, sent_twice = _confirmation_once()
    if not reference:
        return redirect(url_for("public.partner_referral"))
    return render_template(
        "public/confirmation.html",
        reference=reference,
        webchat=None,
        partner=True,
        sent_twice=sent_twice,
    )
