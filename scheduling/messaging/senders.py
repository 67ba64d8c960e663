"""The senders: SMS through the twilio SDK (or an outbox), email over SMTP (or an outbox)."""

from __future__ import annotations

import smtplib
import ssl
import uuid
from dataclasses import dataclass
from email.message import EmailMessage

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from casework.messages.outbox import SendError  # noqa: F401  (raised by every sender)

TWILIO_API = "https://api.twilio.com"


class BaseUrlHttpClient(TwilioHttpClient):
    """The SDK's own HTTP client, sending to ``base_url`` instead of Twilio's API host, so
    staging and tests can point the real SDK at a local fake of the Twilio REST API."""

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        if url.startswith(TWILIO_API):
            url = self.base_url + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


@dataclass
class TwilioSms:
    """Sends an SMS through the twilio SDK; a 429 or 5xx is worth retrying."""

    account_sid: str
    auth_token: str
    from_number: str
    base_url: str = TWILIO_API
    status_callback: str | None = None

    def __post_init__(self):
        self.client = Client(
            self.account_sid,
            self.auth_token,
            http_client=BaseUrlHttpClient(self.base_url, timeout=15),
        )

    def send(self, to: str, body: str) -> str:
        """Send one SMS; returns Twilio's message SID."""
        kwargs = {"to": to, "from_": self.from_number, "body": body}
        if self.status_callback:
            kwargs["status_callback"] = self.status_callback
        try:
            return self.client.messages.create(**kwargs).sid
        except TwilioRestException as exc:
            retry = exc.status in (429,) or exc.status >= 500
            raise SendError(f"Twilio {exc.status}: {exc.msg}"[:500], retry=retry) from None
        except (TwilioException, OSError) as exc:
            raise SendError(f"Twilio unreachable: {exc}"[:500], retry=True) from None


class OutboxSms:
    """Development: nothing leaves the machine; the message stays on the case as 'sent'."""

    def send(self, to: str, body: str) -> str:
        return f"outbox-{uuid.uuid4().hex[:16]}"


@dataclass
class SmtpEmail:
    """Sends an email over SMTP. ``require_tls`` on a send (onward referrals to agencies) means
    the message goes over TLS or not at all: STARTTLS even when ``use_tls`` is off, and a server
    that does not offer it gets nothing (a failure not worth retrying, never sent in plain)."""

    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    use_ssl: bool = False
    timeout: float = 15
    # Certificates to trust besides the system's (SMTP_CA_FILE): a private mail relay's CA.
    ca_file: str | None = None

    def _tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file or None)

    def send(
        self,
        to: str,
        subject: str,
        body: str,
        *,
        require_tls: bool = False,
        attachment: str | None = None,
        attachment_name: str | None = None,
        attachment_type: str | None = None,
    ) -> str:
        """Send one email, with one attachment when given (a calendar invitation)."""
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message_id = f"<{uuid.uuid4().hex}@waypoint>"
        message["Message-ID"] = message_id
        message.set_content(body)
        if attachment is not None:
            attach(message, attachment, attachment_name, attachment_type)
        try:
            if self.use_ssl:
                smtp = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=self._tls_context()
                )
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with smtp:
                if not self.use_ssl and (self.use_tls or require_tls):
                    smtp.ehlo()
                    if require_tls and not smtp.has_extn("starttls"):
                        raise SendError(
                            "not sent: the mail server does not offer TLS (STARTTLS), and "
                            "onward referrals are only sent over TLS",
                            retry=False,
                        )
                    smtp.starttls(context=self._tls_context())
                    smtp.ehlo()
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendError(
                f"address refused: {list(exc.recipients.values())[0]}"[:500], retry=False
            ) from None
        except ssl.SSLError as exc:
            # A certificate that cannot be trusted: not retried when TLS is required, so it is
            # put right rather than tried again and again.
            raise SendError(f"not sent: TLS failed: {exc}"[:500], retry=not require_tls) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise SendError(f"SMTP: {exc}"[:500], retry=True) from None
        return message_id


class OutboxEmail:
    """Keeps emails on the case only (EMAIL_BACKEND=outbox)."""

    def send(
        self,
        to: str,
        subject: str,
        body: str,
        *,
        require_tls: bool = False,
        attachment: str | None = None,
        attachment_name: str | None = None,
        attachment_type: str | None = None,
    ) -> str:
        return f"outbox-{uuid.uuid4().hex[:16]}"


def attach(message: EmailMessage, content: str, name: str | None, kind: str | None) -> None:
    """Add one attachment: text kept as text (a text/calendar invitation carries its METHOD, as
    RFC 6047 asks), anything else as bytes."""
    maintype, _, subtype = (kind or "application/octet-stream").partition("/")
    filename = name or "attachment"
    if maintype == "text":
        params = {}
        if subtype == "calendar":
            for line in content.splitlines():
                if line.startswith("METHOD:"):
                    params["method"] = line[len("METHOD:") :].strip()
                    break
        message.add_attachment(
            content, subtype=subtype or "plain", filename=filename, params=params
        )
    else:
        message.add_attachment(
            content.encode("utf-8"),
            maintype=maintype,
            subtype=subtype or "octet-stream",
            filename=filename,
        )


def sms_sender(config):
    """The SMS sender the settings ask for (SMS_BACKEND: twilio or outbox)."""
    if config["SMS_BACKEND"] == "twilio":
        base = config.get("PUBLIC_BASE_URL")
        return TwilioSms(
            config["TWILIO_ACCOUNT_SID"],
            config["TWILIO_AUTH_TOKEN"],
            config["TWILIO_FROM_NUMBER"],
            config["TWILIO_BASE_URL"],
            status_callback=f"{base.rstrip('/')}/webhooks/twilio/status" if base else None,
        )
    return OutboxSms()


def email_sender(config):
    """The email sender the settings ask for (EMAIL_BACKEND: smtp or outbox)."""
    if config["EMAIL_BACKEND"] == "smtp":
        return SmtpEmail(
            config["SMTP_HOST"],
            config["SMTP_PORT"],
            config["MAIL_FROM"],
            config["SMTP_USERNAME"] or None,
            config["SMTP_PASSWORD"] or None,
            config["SMTP_USE_TLS"],
            config["SMTP_USE_SSL"],
            ca_file=config.get("SMTP_CA_FILE") or None,
        )
    return OutboxEmail()
