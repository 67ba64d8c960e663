"""Outbound messages: their wording, and the senders for SMS (Twilio), email (SMTP), letters."""
