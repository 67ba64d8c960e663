"""Secrets Waypoint must read back (two-step verification keys) are stored sealed: encrypted and
authenticated (Fernet: AES-128-CBC with HMAC-SHA256) under a key kept outside the database, so a
copy of the database or of a backup does not hand over anyone's second factor.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class Unreadable(Exception):
    """Sealed under another key (the key setting changed) or altered."""


class SecretBox:
    """Seals and opens secrets stored in the database (two-step keys) with a key from the
    settings."""

    def __init__(self, key_material: str):
        if len(key_material or "") < 16:
            raise ValueError("the sealing key must be at least 16 characters")
        key = HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=None,
            info=b"waypoint sealed secrets v1",
        ).derive(key_material.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, text: str) -> str:
        return self._fernet.encrypt(text.encode()).decode("ascii")

    def open(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except (InvalidToken, ValueError):
            raise Unreadable from None
