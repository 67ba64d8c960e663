"""The advice recorded on a contact (issue 16, deliverables 3 and 4; statements a and b of the
HSB support service), redacting free text, and the guidance wording shown beside each choice.

Case advice (statement b) places the behaviour on the Brook traffic light and Hackett's
continuum with the child's age in years (never a name, never a band), the setting, the risk of
significant harm and the local authority threshold; red, or abusive or violent with a risk of
significant harm, prompts the advisor to advise a referral (``triage.hsb.prompts_referral``) and
what was advised is required. Policy advice (statement a) records its topics. Audit rows name
the fields saved, never their text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from casework import access
from casework.audit import Origin, record_event
from casework.db import refuse_stale
from casework.errors import NotFound, ValidationError
from casework.hsb.callbacks import nobody_to_call, open_callback
from casework.hsb.guidance import DEFAULT_GUIDANCE
from casework.hsb.intake import check_version, load_contact, refuse_if_anonymised, stale
from casework.hsb.models import (
    CONCERN_TAGS,
    CONTACT_KINDS,
    CONTINUUM,
    IDEOLOGIES,
    INFLUENCERS,
    OUTCOMES,
    POLICY_TOPICS,
    REFER_TO,
    SETTING_TYPES,
    THRESHOLD_ANSWERS,
    TRAFFIC_LIGHT,
    AdviceContact,
    AdviceGuidance,
    AdviceSession,
    ResourceGiven,
)
from triage.hsb import prompts_referral

MAX_WHAT_HAPPENED, MAX_ADVICE, MAX_REASON = 4000, 8000, 2000
MIN_GUIDANCE, MAX_GUIDANCE = 10, 600
REDACTABLE = {
    "request_text": "What they asked",
    "what_happened": "What happened",
    "advice_given": "Advice given",
}
REDACTED = "[redacted]"
CASE_FIELDS = (
    "child_age",
    "incident_setting",
    "what_happened",
    "traffic_light",
    "continuum",
    "risk_of_significant_harm",
    "meets_threshold",
    "refer_to",
    "refer_reason",
    "concern_tags",
    "ideology",
    "influencer",
)
CITATION = (
    "Scales: Brook sexual behaviours traffic light tool; Hackett's continuum of children's "
    "sexual behaviours (2010). Wording: Waypoint's own."
)


@dataclass(frozen=True)
class AdviceAnswers:
    """The advice as typed on the form (statement a or b)."""

    kind: str | None = None
    child_age: int | None = None
    incident_setting: str | None = None
    what_happened: str | None = None
    traffic_light: str | None = None
    continuum: str | None = None
    risk_of_significant_harm: bool | None = None
    meets_threshold: str | None = None
    concern_tags: tuple[str, ...] = ()
    ideology: str | None = None
    influencer: str | None = None
    refer_to: str | None = None
    refer_reason: str | None = None
    policy_topics: tuple[str, ...] = ()
    advice_given: str | None = None
    outcome: str | None = None


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def _check_case(answers: AdviceAnswers, errors: dict[str, str]) -> dict:
    """Statement b: the case's answers, checked; problems added to ``errors``."""
    if answers.child_age is None:
        errors["child_age"] = "Enter the child's age in years"
    elif not 0 <= answers.child_age <= 17:
        errors["child_age"] = "The child's age must be a whole number of years from 0 to 17"
    if answers.incident_setting not in SETTING_TYPES:
        errors["incident_setting"] = "Select the setting where it happened"
    what = _text(answers.what_happened)
    if not what:
        errors["what_happened"] = "Describe what happened, without naming any child"
    elif len(what) > MAX_WHAT_HAPPENED:
        errors["what_happened"] = f"What happened must be {MAX_WHAT_HAPPENED:,} characters or fewer"
    if answers.traffic_light not in TRAFFIC_LIGHT:
        errors["traffic_light"] = "Select where the behaviour sits on the traffic light"
    if answers.continuum not in CONTINUUM:
        errors["continuum"] = "Select where the behaviour sits on the continuum"
    if answers.risk_of_significant_harm is None:
        errors["risk_of_significant_harm"] = (
            "Select whether there is a risk of significant harm to any child"
        )
    if answers.meets_threshold not in THRESHOLD_ANSWERS:
        errors["meets_threshold"] = "Select whether it meets the local authority's threshold"
    tags = list(dict.fromkeys(answers.concern_tags))
    if any(tag not in CONCERN_TAGS for tag in tags):
        errors["concern_tags"] = "Select the concerns from the list"
    ideology, influencer = _text(answers.ideology), _text(answers.influencer)
    if "radicalisation" in tags:
        if ideology not in IDEOLOGIES:
            errors["ideology"] = "Select the ideology, as radicalisation is a concern"
        if influencer not in INFLUENCERS:
            errors["influencer"] = "Select the main influence, as radicalisation is a concern"
    else:
        if ideology:
            errors["ideology"] = "Only give an ideology when radicalisation is a concern"
        if influencer:
            errors["influencer"] = "Only give the main influence when radicalisation is a concern"
    refer_to, reason = _text(answers.refer_to), _text(answers.refer_reason)
    prompted = prompts_referral(
        answers.traffic_light, answers.continuum, answers.risk_of_significant_harm
    )
    if refer_to and refer_to not in REFER_TO:
        errors["refer_to"] = "Select what referral was advised"
    elif prompted and not refer_to:
        errors["refer_to"] = (
            "Record the referral advised to children's social care or the police, or that "
            "a referral was not advised and why"
        )
    if refer_to == "not_advised":
        if not reason:
            errors["refer_reason"] = "Give the reason a referral was not advised"
        elif len(reason) > MAX_REASON:
            errors["refer_reason"] = f"The reason must be {MAX_REASON:,} characters or fewer"
    elif reason:
        errors["refer_reason"] = "Only give a reason when a referral was not advised"
    return {
        "child_age": answers.child_age,
        "incident_setting": answers.incident_setting,
        "what_happened": what,
        "traffic_light": answers.traffic_light,
        "continuum": answers.continuum,
        "risk_of_significant_harm": answers.risk_of_significant_harm,
        "meets_threshold": answers.meets_threshold,
        "refer_to": refer_to,
        "refer_reason": reason if refer_to == "not_advised" else None,
        "concern_tags": tags,
        "ideology": ideology if "radicalisation" in tags else None,
        "influencer": influencer if "radicalisation" in tags else None,
    }


_OWED = (
    "A callback is still owed to this professional: they got in touch outside opening hours, "
    "or their call was not answered. "
)
CALLBACK_OWED = _OWED + (
    "Record it in the Callback section first (speaking to them or leaving a voicemail; for an "
    "email, replying), then close the contact"
)
# An outcome closes the contact: the advice itself can be kept now, without one.
CALLBACK_OWED_FOR_OUTCOME = _OWED + (
    "Save the advice now without an outcome, record the callback in the Callback section, then "
    "choose the outcome"
)


def _check_outcome(session, contact: AdviceContact, outcome: str | None, errors) -> None:
    if outcome is None:
        return
    if outcome not in OUTCOMES:
        errors["outcome"] = "Select the outcome from the list"
    elif open_callback(contact) is not None:
        errors["outcome"] = CALLBACK_OWED_FOR_OUTCOME
    elif outcome == "signposted" and not session.scalar(
        sa.select(sa.func.count())
        .select_from(ResourceGiven)
        .where(ResourceGiven.contact_id == contact.id)
    ):
        errors["outcome"] = "Give at least one resource from the directory first"
    elif outcome == "follow_up_booked" and not session.scalar(
        sa.select(sa.func.count())
        .select_from(AdviceSession)
        .where(AdviceSession.contact_id == contact.id, AdviceSession.status == "booked")
    ):
        errors["outcome"] = "Book the follow-up session first"


@refuse_stale(stale)
def record_advice(
    session,
    contact_id: int,
    *,
    answers: AdviceAnswers,
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> AdviceContact:
    """Record (or correct) the advice given on a contact: case advice (statement b) or policy
    advice (statement a), the advice given and, when decided, the outcome, which closes the
    contact. Signposting needs a resource given first, a follow-up a session booked first; an
    outcome waits until no callback is owed.
    Audited with the names of the fields saved; committed."""
    contact = load_contact(session, contact_id, actor, origin=origin, now=now)
    check_version(contact, expected_version)
    refuse_if_anonymised(contact)
    errors: dict[str, str] = {}
    values: dict = dict.fromkeys(CASE_FIELDS)
    values["concern_tags"], values["policy_topics"] = [], []
    if answers.kind not in CONTACT_KINDS:
        errors["kind"] = "Select whether the advice was on a case or incident, or on policy"
    elif answers.kind == "case_advice":
        values.update(_check_case(answers, errors))
    else:
        topics = list(dict.fromkeys(answers.policy_topics))
        if not topics:
            errors["policy_topics"] = "Select at least one topic the advice covered"
        elif any(topic not in POLICY_TOPICS for topic in topics):
            errors["policy_topics"] = "Select the topics from the list"
        values["policy_topics"] = topics
    advice = _text(answers.advice_given)
    if not advice:
        errors["advice_given"] = "Enter the advice given"
    elif len(advice) > MAX_ADVICE:
        errors["advice_given"] = f"The advice given must be {MAX_ADVICE:,} characters or fewer"
    outcome = _text(answers.outcome)
    _check_outcome(session, contact, outcome, errors)
    if errors:
        raise ValidationError(errors)
    values.update(kind=answers.kind, advice_given=advice, outcome=outcome)
    changed = [name for name, value in values.items() if getattr(contact, name) != value]
    for name, value in values.items():
        setattr(contact, name, value)
    first = contact.advised_at is None
    if first:
        contact.advised_at = now
    contact.advisor_id = actor.id
    contact.status = "closed" if outcome else "in_progress"
    contact.updated_at = now
    record_event(
        session,
        action="advice_contact.advice_recorded" if first else "advice_contact.advice_changed",
        origin=origin,
        actor=actor,
        record_type="advice_contact",
        record_id=contact.id,
        detail={"fields": sorted(changed), "status": contact.status},
        at=now,
    )
    session.commit()
    return contact


@refuse_stale(stale)
def close_contact(
    session,
    contact_id: int,
    *,
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> AdviceContact:
    """Close a contact once its advice is recorded (or, with "No phone number to call" recorded,
    nobody could be reached to advise) and no callback is owed; audited, committed."""
    contact = load_contact(session, contact_id, actor, origin=origin, now=now)
    check_version(contact, expected_version)
    if contact.status == "closed":
        raise ValidationError({"": "This contact is already closed"})
    unadvised = contact.advised_at is None
    if unadvised and not nobody_to_call(session, contact):
        raise ValidationError({"": "Record the advice given before closing the contact"})
    if open_callback(contact) is not None:  # closing must not hide a D8 callback not made
        raise ValidationError({"": CALLBACK_OWED})
    contact.status = "closed"
    contact.updated_at = now
    record_event(
        session,
        action="advice_contact.closed",
        origin=origin,
        actor=actor,
        record_type="advice_contact",
        record_id=contact.id,
        detail={"fields": ["status"], "advice_recorded": not unadvised},
        at=now,
    )
    session.commit()
    return contact


def redacted(text: str, words: list[str]) -> str:
    """``text`` with each of ``words`` (whole words or phrases, any case) as "[redacted]"."""
    for word in sorted(words, key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", REDACTED, text, flags=re.IGNORECASE)
    return text


def words_to_redact(typed: str | None) -> list[str]:
    """The words or phrases an advisor typed to remove: one a line or separated by commas."""
    return [w.strip() for w in re.split(r"[,\n]", typed or "") if w.strip()]


@refuse_stale(stale)
def redact_text(
    session,
    contact_id: int,
    *,
    field_name: str | None,
    words: str | None,
    clear: bool,
    expected_version: int | None,
    actor,
    origin: Origin,
    now: datetime,
) -> AdviceContact:
    """Redact a free-text field of a contact (a child's name given by mistake): replace the
    words typed with "[redacted]", or clear the field entirely. Audited with the field's name,
    never the text; committed."""
    contact = load_contact(session, contact_id, actor, origin=origin, now=now)
    check_version(contact, expected_version)
    if field_name not in REDACTABLE:
        raise ValidationError({"field_name": "Select the text to redact"})
    current = getattr(contact, field_name)
    if not current:
        raise ValidationError({"field_name": "There is no text there to redact"})
    if clear:
        new = None
    else:
        chosen = words_to_redact(words)
        if not chosen:
            raise ValidationError(
                {"words": "Enter the words to remove, or choose to clear the text entirely"}
            )
        if any(len(word) > 200 for word in chosen):
            raise ValidationError({"words": "Each word or phrase must be 200 characters or fewer"})
        new = redacted(current, chosen)
        if new == current:
            raise ValidationError({"words": "None of those words appear in that text"})
    setattr(contact, field_name, new)
    contact.redacted_at = now
    contact.redacted_by_id = actor.id
    contact.updated_at = now
    record_event(
        session,
        action="advice_contact.redacted",
        origin=origin,
        actor=actor,
        record_type="advice_contact",
        record_id=contact.id,
        detail={"field": field_name, "cleared": clear},
        at=now,
    )
    session.commit()
    return contact


# --- the guidance wording -------------------------------------------------------------------


def guidance_texts(session) -> dict[str, str]:
    """Each choice's guidance (``traffic_light:red`` ...): the stored wording, else the
    default (a database made without the migration's seed)."""
    stored = {row.key: row.text for row in session.scalars(sa.select(AdviceGuidance))}
    return {key: stored.get(key, text) for key, text in DEFAULT_GUIDANCE.items()}


def guidance_rows(session, viewer, *, origin: Origin, now: datetime) -> list[AdviceGuidance]:
    """The eight guidance texts in the scales' order, for those who use the line."""
    if not access.can_use_advice_line(viewer):
        access.refuse(
            session, actor=viewer, origin=origin, record_type="advice_guidance", record_id=None,
            now=now,
        )  # fmt: skip
    _ensure_guidance(session, now)
    rows = {row.key: row for row in session.scalars(sa.select(AdviceGuidance))}
    return [rows[key] for key in DEFAULT_GUIDANCE]


def _ensure_guidance(session, now: datetime) -> None:
    present = set(session.scalars(sa.select(AdviceGuidance.key)))
    missing = [key for key in DEFAULT_GUIDANCE if key not in present]
    for key in missing:
        session.add(AdviceGuidance(key=key, text=DEFAULT_GUIDANCE[key], updated_at=now))
    if missing:
        session.commit()


def guidance_label(key: str) -> str:
    """``traffic_light:red`` as "Traffic light: Red"."""
    scale, choice = key.split(":", 1)
    if scale == "traffic_light":
        return f"Traffic light: {TRAFFIC_LIGHT[choice]}"
    return f"Continuum: {CONTINUUM[choice]}"


def get_guidance(session, key: str, viewer, *, origin: Origin, now: datetime) -> AdviceGuidance:
    """One guidance text for an admin to edit: NotFound for an unknown key or anyone else."""
    if not access.is_admin(viewer):
        access.refuse(
            session, actor=viewer, origin=origin, record_type="advice_guidance", record_id=key,
            now=now,
        )  # fmt: skip
    if key not in DEFAULT_GUIDANCE:
        raise NotFound(key)
    _ensure_guidance(session, now)
    return session.get(AdviceGuidance, key)


def guidance_version(row: AdviceGuidance) -> str:
    """The token a form carries so a save over a later change is refused."""
    return row.updated_at.isoformat()


def update_guidance(
    session,
    key: str,
    *,
    text: str | None,
    expected_version: str | None,
    actor,
    origin: Origin,
    now: datetime,
) -> AdviceGuidance:
    """An admin's new wording for one choice's guidance (10-600 characters); audited with
    the key, committed."""
    row = get_guidance(session, key, actor, origin=origin, now=now)
    if expected_version != guidance_version(row):
        raise ValidationError(
            {
                "": "Someone changed this guidance after you opened this page. Your changes "
                "have not been saved. The page now shows it as it is: check it, then save again."
            }
        )
    text = " ".join((text or "").split())
    if len(text) < MIN_GUIDANCE:
        raise ValidationError({"text": f"Enter the guidance: at least {MIN_GUIDANCE} characters"})
    if len(text) > MAX_GUIDANCE:
        raise ValidationError({"text": f"The guidance must be {MAX_GUIDANCE} characters or fewer"})
    row.text = text
    row.updated_at = now
    row.updated_by_id = actor.id
    record_event(
        session,
        action="advice_guidance.changed",
        origin=origin,
        actor=actor,
        record_type="advice_guidance",
        record_id=key,
        detail={"key": key},
        at=now,
    )
    session.commit()
    return row
