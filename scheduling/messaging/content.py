"""What the messages say, in plain English. Letter wording is editable by administrators
(``LetterTemplate``); these are the defaults and the SMS and email texts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

DEFAULT_LETTERS = {
    "initial_message": (
        "Support after crime",
        "Dear {forename},\n\n"
        "The police told us you would like support after what happened to you. We are "
        "{service}, a free and confidential service for anyone affected by crime.\n\n"
        "We can listen, help you understand what happens next, help with practical things "
        "like safety at home, and put you in touch with other services.\n\n"
        "To talk to us, call {service_phone} free, Monday to Saturday 9am to 6pm "
        "(8pm on Wednesdays), or use the secure web chat at {web_address}.\n\n"
        "Your reference is {reference}.\n\nYours sincerely,\n{service}",
    ),
    "home_visit_offer": (
        "We would like to visit you",
        "Dear {forename},\n\n"
        "We are {service}, a free and confidential service for anyone affected by crime. "
        "We would like to visit you at home on {visit_time} to talk about the support we "
        "can offer.\n\n"
        "If that time does not suit you, or you would rather we did not visit, please call "
        "{service_phone} free, Monday to Saturday 9am to 6pm (8pm on Wednesdays).\n\n"
        "Your reference is {reference}.\n\nYours sincerely,\n{service}",
    ),
    "final_letter": (
        "We tried to contact you",
        "Dear {forename},\n\n"
        "We are {service}. We tried to contact you {attempts} to offer support after "
        "what happened to you, but were not able to reach you.\n\n"
        "Support is still here if you want it: we can listen, help you understand what "
        "happens next, help with practical things like safety at home, and put you in touch "
        "with other services.\n\n"
        "Call {service_phone} free, Monday to Saturday 9am to 6pm (8pm on Wednesdays), or "
        "use the secure web chat at {web_address}.\n\n"
        "Your reference is {reference}.\n\nYours sincerely,\n{service}",
    ),
}


@dataclass(frozen=True)
class Wording:
    """What SMS, emails and letters say, with the service's name, phone and web address."""

    service: str
    service_phone: str
    web_address: str

    def sms(self, kind: str, **values) -> str:
        v = {
            "service": self.service,
            "service_phone": self.service_phone,
            "web_address": self.web_address,
            **values,
        }
        texts = {
            "initial_message": "{service}: the police told us you would like support after "
            "crime. We offer free, confidential help. Call {service_phone} "
            "(Mon-Sat 9am-6pm, Wed to 8pm) or chat at {web_address}. "
            "Ref {reference}. Reply STOP to stop texts.",
            "home_visit_offer": "{service}: we would like to visit you at home on {visit_time} "
            "to offer free support. To change or cancel, call "
            "{service_phone}. Ref {reference}. Reply STOP to stop texts.",
            "final_letter": "{service}: we tried to contact you to offer free, confidential "
            "support after crime. Support is still here: call {service_phone} (Mon-Sat 9am-6pm, "
            "Wed to 8pm) or chat at {web_address}. Ref {reference}. Reply STOP to stop texts.",
            "reminder": "{service}: a reminder of your {appointment} on {when}. To change it, "
            "call {service_phone}. Ref {reference}. Reply STOP to stop texts.",
        }
        return texts[kind].format(**v)

    def email(self, kind: str, **values) -> tuple[str, str]:
        title, body = DEFAULT_LETTERS[kind]
        return title, body.format(
            service=self.service,
            service_phone=self.service_phone,
            web_address=self.web_address,
            **values,
        )

    def breach_alert(
        self, kind: str, reference: str, due_at: datetime, referral_id: int
    ) -> tuple[str, str]:
        """The team leader's email when a deadline passes unmet: (subject, body)."""
        return (
            f"Deadline missed: {reference}",
            f"The deadline for '{kind.replace('_', ' ')}' on referral {reference} passed at "
            f"{due_at:%H:%M on %A %-d %B} without being met.\n\n"
            f"Open it in Waypoint: /referrals/{referral_id}\n",
        )

    def advice_line_breach_alert(
        self, kind: str, contact_id: int, due_at: datetime
    ) -> tuple[str, str]:
        """The HSB team leaders' email when a callback (D8) or a feedback follow-up (D12) is
        missed: (subject, body). The contact's number only, never the professional's details."""
        what = "callback" if kind == "callback" else "follow-up of negative feedback"
        return (
            f"Advice line {what} missed: contact {contact_id}",
            f"The {what} for advice contact {contact_id} was due at "
            f"{due_at:%H:%M on %A %-d %B} and has not been made.\n\n"
            f"Open it in Waypoint: /advice-line/contacts/{contact_id}\n",
        )

    def advice_line_breach_late(
        self, contact_id: int, due_at: datetime, made_at: datetime, *, by_reply: bool
    ) -> tuple[str, str]:
        """The HSB team leaders' email when a callback (D8) is recorded as made after its due
        time, before the sweep counted it missed, or by a corrected reply time: (subject,
        body). The contact's number only."""
        made = "The reply was sent" if by_reply else "It was made"
        return (
            f"Advice line callback made late: contact {contact_id}",
            f"The callback for advice contact {contact_id} was due at "
            f"{due_at:%H:%M on %A %-d %B}. {made} at {made_at:%H:%M on %A %-d %B}, late, so "
            f"it counts as missed.\n\n"
            f"Open it in Waypoint: /advice-line/contacts/{contact_id}\n",
        )

    WITHDRAWN_BECAUSE = {
        "answered": "the call was answered after all",
        "no_number": "there is no phone number or email address to reach them",
        "corrected": "the reply's time was corrected, and it was sent in time",
    }

    def advice_line_breach_withdrawn(self, contact_id: int, why: str) -> tuple[str, str]:
        """The HSB team leaders' email when a callback they were told was missed is no longer
        counted as missed (``why``: answered, no_number, corrected): (subject, body)."""
        because = self.WITHDRAWN_BECAUSE.get(why, "it is no longer owed")
        return (
            f"Advice line callback no longer missed: contact {contact_id}",
            f"We told you the callback for advice contact {contact_id} was missed. That has been "
            f"withdrawn: {because}. It is no longer counted as missed, and nothing needs "
            f"doing.\n\n"
            f"Open it in Waypoint: /advice-line/contacts/{contact_id}\n",
        )

    def re_engagement_prompt(self, reference: str, referral_id: int) -> tuple[str, str]:
        """The caseworker's email the working day before a key date (D9): (subject, body)."""
        return (
            f"Re-engage before a key date: {reference}",
            f"Referral {reference} has a court date, sentencing or offender release coming up. "
            f"Contact the person today to offer support again.\n\n"
            f"Open it in Waypoint: /referrals/{referral_id}\n",
        )

    def letter(self, title: str, body: str, **values) -> tuple[str, str]:
        return title, body.format_map(
            _Defaulting(
                service=self.service,
                service_phone=self.service_phone,
                web_address=self.web_address,
                **values,
            )
        )


class _Defaulting(dict):
    """Leaves an unknown {placeholder} in an edited template visible instead of failing."""

    def __missing__(self, key):
        return "{" + key + "}"


def wording_from(config) -> Wording:
    """The service's wording from the app's settings (name, phone, web address)."""
    return Wording(
        config["VICTIM_SERVICE_NAME"],
        config["SERVICE_PHONE"],
        config["PUBLIC_BASE_URL"].rstrip("/") + "/refer",
    )
