"""Argon2id password hashing, with costs set once from configuration."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
_hasher = PasswordHasher(type=Type.ID)
# Verifying against this keeps unknown-user sign-ins as slow as real ones.
_DUMMY_HASH = _hasher.hash("waypoint-timing-equaliser")


def configure(time_cost: int, memory_cost: int) -> None:
    """Set the Argon2id costs (tests use cheap ones; production keeps the defaults)."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, type=Type.ID)
    _DUMMY_HASH = _hasher.hash("waypoint-timing-equaliser")


def hash_password(password: str) -> str:
    """An argon2id hash of a password."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; always does the work of one verification."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, in words for the form, or None."""
    if len(password) < MIN_LENGTH:
        return f"Password must be at least {MIN_LENGTH} characters"
    if len(set(password)) < 4:
        return "Password must not repeat the same few characters"
    return None
