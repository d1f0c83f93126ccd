"""Password hashing (argon2id) and the strength rule for new passwords."""

from __future__ import annotations

import asyncio
import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()
_COMMON = {
    "password",
    "password1",
    "12345678",
    "123456789",
    "1234567890",
    "qwerty123",
    "11111111",
    "88888888",
    "abc12345",
    "a1234567",
    "iloveyou",
    "woaini1314",
    "aa123456",
    "qq123456",
    "admin123",
    "00000000",
    "1qaz2wsx",
    "zxcvbnm1",
    "passw0rd",
    "abcd1234",
}


async def hash_password(password: str) -> str:
    """An argon2id hash, computed off the event loop."""
    return await asyncio.to_thread(_HASHER.hash, password)


def check_password(password_hash: str, password: str) -> bool:
    """Whether the password matches the hash (blocking: argon2 takes its full time)."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str, password: str) -> bool:
    """Whether the password matches; takes argon2's full time either way, off the event loop."""
    return await asyncio.to_thread(check_password, password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(password_hash)


_dummy: str | None = None


async def dummy_hash() -> str:
    """A hash to verify against when no account matches, so a miss costs the same time."""
    global _dummy
    if _dummy is None:
        _dummy = await asyncio.to_thread(_HASHER.hash, "yiwang-no-such-account")
    return _dummy


def is_weak(password: str, *, avoid: tuple[str, ...] = ()) -> bool:
    """Weak: short, no letter, no digit or symbol, well known, or built on personal data."""
    if not 8 <= len(password) <= 128:
        return True
    if not re.search(r"[A-Za-z]", password) or not re.search(r"[^A-Za-z]", password):
        return True
    if password.lower() in _COMMON or len(set(password)) < 4:
        return True
    return any(len(part) >= 6 and part in password for part in avoid)
