"""The HSB advice line (issue 16) as records: advice contacts from safeguarding professionals
by every channel, the advice recorded on them (Brook traffic light, Hackett's continuum, concern
tags), follow-up sessions, the resource directory and each time a resource is given, evidence of
local practice, professionals' feedback, the guidance wording shown beside each choice, and the
line's settings.

No child is identified by name on the line: a contact holds the professional's details and the
child's age in years, never a child's name. After the retention period the professional's details
are removed (``anonymised_at``) and the anonymous advice is kept for the monthly monitoring.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

import casework.staff.models  # noqa: F401  (Staff and Team, named in relationships below)
from casework.db import UTCDateTime, db

# --- words ----------------------------------------------------------------------------------

# Keys are the monthly report's ``contacts`` keys (DESIGN.md Stable interfaces).
CHANNELS = {
    "telephone": "Telephone",
    "email": "Email",
    "web_form": "Web form",
    "chat": "Chat",
}
CALL_OUTCOMES = {
    "answered": "Answered",
    "missed": "Not answered",
    "voicemail": "Voicemail",
}
SETTING_TYPES = {
    "primary": "Primary school",
    "secondary": "Secondary school",
    "alternative_provision": "Alternative provision",
    "early_years": "Early years",
    "college": "College",
    "police": "Police",
    "social_work": "Social work",
    "health": "Health",
    "other": "Other",
}
# England's regions, for England-wide reach.
REGIONS = {
    "north_east": "North East",
    "north_west": "North West",
    "yorkshire_humber": "Yorkshire and the Humber",
    "east_midlands": "East Midlands",
    "west_midlands": "West Midlands",
    "east_of_england": "East of England",
    "london": "London",
    "south_east": "South East",
    "south_west": "South West",
}
CONTACT_KINDS = {
    "case_advice": "Advice on a case or incident",
    "policy_advice": "Policy and whole-school advice",
}
CONTACT_STATUSES = {"new": "New", "in_progress": "In progress", "closed": "Closed"}
# The Brook sexual behaviours traffic light (Brook, 2012) and Hackett's continuum (Hackett,
# 2010): the choices; the guidance shown beside each is Waypoint's own wording (AdviceGuidance).
TRAFFIC_LIGHT = {"green": "Green", "amber": "Amber", "red": "Red"}
CONTINUUM = {
    "normal": "Normal",
    "inappropriate": "Inappropriate",
    "problematic": "Problematic",
    "abusive": "Abusive",
    "violent": "Violent",
}
THRESHOLD_ANSWERS = {"yes": "Yes", "no": "No", "unsure": "Not sure"}
REFER_TO = {
    "childrens_social_care": "Local authority children's social care",
    "police": "Police",
    "both": "Children's social care and the police",
    "not_advised": "Referral not advised (reason recorded)",
}
CONCERN_TAGS = {
    "online": "Online",
    "peer_on_peer": "Peer-on-peer",
    "image_sharing": "Image sharing",
    "radicalisation": "Radicalisation and extremism",
}
# Safeguarding and radicalisation research brief, section 6c.
IDEOLOGIES = {
    "islamist": "Islamist",
    "extreme_right_wing": "Extreme right-wing",
    "mixed": "Mixed",
    "unclear_unstable": "Unclear or unstable",
}
INFLUENCERS = {
    "familial": "Familial",
    "extra_familial": "Extra-familial",
    "primarily_online": "Primarily online",
}
POLICY_TOPICS = {
    "whole_school": "Whole-school or whole-system approach",
    "policy": "Developing or reviewing a policy",
    "rshe": "Relationships, sex and health education",
    "staff_training": "Staff training and confidence",
    "recording": "Recording and reporting",
    "multi_agency": "Working with partners",
    "culture": "Culture and attitudes",
    "best_practice": "Sharing best practice and resources",
}
OUTCOMES = {
    "advice_given": "Advice given",
    "signposted": "Signposted",
    "follow_up_booked": "Tailored follow-up session booked",
}
SESSION_MEANS = {"telephone": "Telephone", "video": "Video call", "in_person": "In person"}
SESSION_STATUSES = {
    "booked": "Booked",
    "held": "Held",
    "missed": "Missed",
    "rescheduled": "Rescheduled",
    "cancelled": "Cancelled",
}
RESOURCE_KINDS = {
    "link": "Website or link",
    "material": "Guidance or training material",
    "contact": "Local or regional contact",
}
RESOURCE_AUDIENCES = {
    "dsl": "Designated safeguarding leads",
    "senior_leaders": "Headteachers and senior leaders",
    "early_years": "Early years",
    "social_work": "Social workers",
    "police": "Police",
    "health": "Health",
    "parents": "Parents and carers",
    "young_people": "Children and young people",
}
RESOURCE_TOPICS = {
    "identifying": "Identifying HSB",
    "responding": "Responding to HSB",
    "online": "Online harm and image sharing",
    "policy": "Policy and whole-school approach",
    "support_services": "Support services",
    "radicalisation": "Radicalisation and extremism",
    "csa": "Child sexual abuse",
}
EVIDENCE_KINDS = {
    "good_practice": "Good practice",
    "challenge": "Challenge",
    "barrier": "Barrier to multi-agency working",
}
EVIDENCE_THEMES = {
    "identification": "Identification",
    "recording": "Recording and reporting",
    "thresholds": "Thresholds",
    "information_sharing": "Information sharing",
    "training": "Training",
    "capacity": "Capacity and resources",
    "online": "Online harm",
    "trauma_informed": "Trauma-informed practice",
    "leadership": "Leadership and culture",
}
# The same confidence questions at first contact (before) and in the feedback (after), 1-5.
CONFIDENCE_QUESTIONS = {
    "identify": "How confident are you in identifying harmful sexual behaviour?",
    "respond": "How confident are you in responding to harmful sexual behaviour?",
}
CONFIDENCE_SCALE = {
    1: "Not at all confident",
    2: "Slightly confident",
    3: "Fairly confident",
    4: "Confident",
    5: "Very confident",
}
SATISFACTION = {
    5: "Very satisfied",
    4: "Satisfied",
    3: "Neither satisfied nor dissatisfied",
    2: "Dissatisfied",
    1: "Very dissatisfied",
}


class AdviceContact(db.Model):
    """One contact with the HSB line by a professional, by one channel (DESIGN.md Records)."""

    __tablename__ = "advice_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(16))  # CHANNELS
    call_outcome: Mapped[str | None] = mapped_column(sa.String(16))  # CALL_OUTCOMES (telephone)
    # The telephony provider's call id, when the call came through the voice webhook.
    call_sid: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # A call's start and end (so its duration); an email's reply.
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    out_of_hours: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    status: Mapped[str] = mapped_column(sa.String(12), default="new", index=True)

    # Who: the professional, never a child.
    professional_name: Mapped[str | None] = mapped_column(sa.String(120))
    professional_role: Mapped[str | None] = mapped_column(sa.String(120))
    setting_type: Mapped[str | None] = mapped_column(sa.String(24))  # SETTING_TYPES
    organisation: Mapped[str | None] = mapped_column(sa.String(200))
    local_authority: Mapped[str | None] = mapped_column(sa.String(100))
    region: Mapped[str | None] = mapped_column(sa.String(24))  # REGIONS
    email: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(20), index=True)  # E.164
    # What the professional asked (the form's text, the email, the voicemail summary).
    request_text: Mapped[str | None] = mapped_column(sa.Text)
    # Confidence before the advice (CONFIDENCE_QUESTIONS, 1-5).
    confidence_identify_before: Mapped[int | None] = mapped_column(sa.Integer)
    confidence_respond_before: Mapped[int | None] = mapped_column(sa.Integer)

    # The advice (statement a or b).
    kind: Mapped[str | None] = mapped_column(sa.String(16))  # CONTACT_KINDS
    child_age: Mapped[int | None] = mapped_column(sa.Integer)  # years, never a band
    incident_setting: Mapped[str | None] = mapped_column(sa.String(24))  # SETTING_TYPES
    what_happened: Mapped[str | None] = mapped_column(sa.Text)
    traffic_light: Mapped[str | None] = mapped_column(sa.String(8))  # TRAFFIC_LIGHT
    continuum: Mapped[str | None] = mapped_column(sa.String(16))  # CONTINUUM
    risk_of_significant_harm: Mapped[bool | None] = mapped_column(sa.Boolean)
    meets_threshold: Mapped[str | None] = mapped_column(sa.String(8))  # THRESHOLD_ANSWERS
    refer_to: Mapped[str | None] = mapped_column(sa.String(24))  # REFER_TO
    refer_reason: Mapped[str | None] = mapped_column(sa.Text)  # why not, when prompted
    concern_tags: Mapped[list] = mapped_column(sa.JSON, default=list)  # CONCERN_TAGS
    ideology: Mapped[str | None] = mapped_column(sa.String(24))  # IDEOLOGIES
    influencer: Mapped[str | None] = mapped_column(sa.String(24))  # INFLUENCERS
    policy_topics: Mapped[list] = mapped_column(sa.JSON, default=list)  # POLICY_TOPICS
    advice_given: Mapped[str | None] = mapped_column(sa.Text)
    outcome: Mapped[str | None] = mapped_column(sa.String(20))  # OUTCOMES
    advised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    advisor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    # Free text redacted by an advisor (a child's name given by mistake): when and by whom.
    redacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    redacted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    # The professional's details removed after the retention period.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")
    # For a contact an advisor logged by hand: a hash of the form's one-time token, so the
    # same form sent twice is one contact (each counts in the monthly figures and may owe a
    # callback).
    submission_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    advisor = relationship("Staff", foreign_keys=[advisor_id])
    recorded_by = relationship("Staff", foreign_keys=[recorded_by_id])
    obligations = relationship(
        "Obligation", back_populates="advice_contact", order_by="Obligation.due_at"
    )
    callbacks: Mapped[list[AdviceCallback]] = relationship(
        back_populates="contact", order_by="AdviceCallback.made_at"
    )
    sessions: Mapped[list[AdviceSession]] = relationship(
        back_populates="contact", order_by="AdviceSession.starts_at"
    )
    resources_given: Mapped[list[ResourceGiven]] = relationship(back_populates="contact")
    evidence: Mapped[list[PracticeEvidence]] = relationship(back_populates="contact")
    feedback: Mapped[AdviceFeedback | None] = relationship(back_populates="contact")

    __mapper_args__ = {"version_id_col": version}

    @property
    def received_minute(self) -> datetime:
        """When it came in, to the minute: the earliest time typed on a form (a callback, a
        reply) that is not before it, since forms take times to the minute."""
        return self.received_at.replace(second=0, microsecond=0)


CALLBACK_RESULTS = {
    "spoke": "Spoke to the professional",
    "voicemail_left": "Left a voicemail",
    "no_answer": "No answer",
    "no_number": "No phone number to call (withheld or not given)",
}


class AdviceCallback(db.Model):
    """One call back to a professional (D8): when, what happened, a short note (redactable,
    removed with the professional's details at retention)."""

    __tablename__ = "advice_callback"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("advice_contact.id"), index=True)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime)
    result: Mapped[str] = mapped_column(sa.String(16))  # CALLBACK_RESULTS
    note: Mapped[str | None] = mapped_column(sa.String(500))
    made_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    contact: Mapped[AdviceContact] = relationship(back_populates="callbacks")
    made_by = relationship("Staff")


class AdviceSession(db.Model):
    """A tailored follow-up session booked for a contact: when, by what means, and what
    became of it (held, missed, rescheduled, cancelled)."""

    __tablename__ = "advice_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("advice_contact.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(sa.Integer, default=60)
    means: Mapped[str] = mapped_column(sa.String(16))  # SESSION_MEANS
    # Where or how to join: an address, a video link, the number to call.
    joining_details: Mapped[str | None] = mapped_column(sa.String(500))
    status: Mapped[str] = mapped_column(sa.String(12), default="booked")  # SESSION_STATUSES
    # A rescheduled session points at the one that replaced it.
    replaced_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("advice_session.id"))
    advisor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    # The calendar invitation's UID and sequence, so an update replaces the invitation.
    ics_uid: Mapped[str] = mapped_column(sa.String(80), unique=True)
    ics_sequence: Mapped[int] = mapped_column(sa.Integer, default=0)
    booked_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")

    contact: Mapped[AdviceContact] = relationship(back_populates="sessions")
    advisor = relationship("Staff", foreign_keys=[advisor_id])
    booked_by = relationship("Staff", foreign_keys=[booked_by_id])

    __mapper_args__ = {"version_id_col": version}


class AdviceResource(db.Model):
    """An entry in the resource directory: an HSB link, material or local/regional contact."""

    __tablename__ = "advice_resource"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    url: Mapped[str | None] = mapped_column(sa.String(500))
    description: Mapped[str | None] = mapped_column(sa.Text)
    kind: Mapped[str] = mapped_column(sa.String(12))  # RESOURCE_KINDS
    audiences: Mapped[list] = mapped_column(sa.JSON, default=list)  # RESOURCE_AUDIENCES
    topic: Mapped[str] = mapped_column(sa.String(24))  # RESOURCE_TOPICS
    # "England" for national resources, else a region (REGIONS) and optionally a local authority.
    region: Mapped[str | None] = mapped_column(sa.String(24))
    local_authority: Mapped[str | None] = mapped_column(sa.String(100))
    # A broken or retired resource is hidden from advisors' searches; its counts are kept.
    hidden: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    hidden_reason: Mapped[str | None] = mapped_column(sa.String(300))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")
    # A hash of the new-resource form's one-time token: the same form sent twice adds one resource.
    submission_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    given: Mapped[list[ResourceGiven]] = relationship(back_populates="resource")

    __mapper_args__ = {"version_id_col": version}


class ResourceGiven(db.Model):
    """One time a resource was given to a professional (signposting): the counts."""

    __tablename__ = "resource_given"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(sa.ForeignKey("advice_resource.id"), index=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("advice_contact.id"), index=True)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    given_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))

    resource: Mapped[AdviceResource] = relationship(back_populates="given")
    contact: Mapped[AdviceContact] = relationship(back_populates="resources_given")

    __table_args__ = (sa.UniqueConstraint("resource_id", "contact_id"),)


class PracticeEvidence(db.Model):
    """Evidence of local practice (output 5): good practice, a challenge, or a barrier to
    multi-agency working, tagged by theme and area, from a contact or on its own."""

    __tablename__ = "practice_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("advice_contact.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))  # EVIDENCE_KINDS
    themes: Mapped[list] = mapped_column(sa.JSON, default=list)  # EVIDENCE_THEMES
    region: Mapped[str | None] = mapped_column(sa.String(24))
    local_authority: Mapped[str | None] = mapped_column(sa.String(100))
    setting_type: Mapped[str | None] = mapped_column(sa.String(24))
    summary: Mapped[str] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("staff.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # A hash of the evidence form's one-time token: the same form sent twice records one
    # piece of evidence.
    submission_key: Mapped[str | None] = mapped_column(sa.String(64), unique=True)

    contact: Mapped[AdviceContact | None] = relationship(back_populates="evidence")
    recorded_by = relationship("Staff")


class AdviceFeedback(db.Model):
    """A professional's feedback on the advice, through a one-time link: the same confidence
    questions as at first contact, satisfaction and their own words. Negative feedback is
    flagged to the team leader with a D12 follow-up."""

    __tablename__ = "advice_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(sa.ForeignKey("advice_contact.id"), unique=True)
    # Only a hash of the link's token is stored; the link works once.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    confidence_identify_after: Mapped[int | None] = mapped_column(sa.Integer)
    confidence_respond_after: Mapped[int | None] = mapped_column(sa.Integer)
    satisfaction: Mapped[int | None] = mapped_column(sa.Integer)  # SATISFACTION
    comments: Mapped[str | None] = mapped_column(sa.Text)
    negative: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    # The team leader's follow-up of negative feedback (meets D12).
    followed_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    followed_up_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
    follow_up_notes: Mapped[str | None] = mapped_column(sa.Text)

    contact: Mapped[AdviceContact] = relationship(back_populates="feedback")


class AdviceGuidance(db.Model):
    """The short guidance shown beside each traffic-light and continuum choice: Waypoint's own
    wording (seeded by the migration), editable by admins. ``key`` is e.g. ``traffic_light:red``
    or ``continuum:abusive``."""

    __tablename__ = "advice_guidance"

    key: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    text: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))


class AdviceLineSetting(db.Model):
    """The advice line's settings, one row: the charge per contact for the funder's monthly
    figures and how many years a professional's details are kept."""

    __tablename__ = "advice_line_setting"

    id: Mapped[int] = mapped_column(primary_key=True)
    charge_per_contact_pence: Mapped[int] = mapped_column(sa.Integer, default=0)
    retention_years: Mapped[int] = mapped_column(sa.Integer, default=2)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff.id"))
