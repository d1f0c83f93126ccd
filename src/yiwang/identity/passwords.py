"""Password hashing (argon2id) and the strength rule for new passwords.

argon2id with RFC 9106's parameters (64 MiB, 3 passes, 4 lanes) costs about 90 ms of CPU and
64 MiB of memory per check. A crowd signing in at once must not take every core and several
hundred MB from everyone else, so a process checks at most ``hashers`` passwords at once (a
pool of its own) and holds at most ``waiting`` more; past that a sign-in is answered at once
with 503 ``sign_in_busy`` and Retry-After, before anything is counted or written.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from yiwang.errors import Unavailable

T = TypeVar("T")

_HASHER = PasswordHasher()


class Gate:
    """At most ``hashers`` argon2 computations at once in this process, ``waiting`` more queued;
    the next is refused (503 ``sign_in_busy``) instead of queueing."""

    def __init__(self, *, hashers: int = 1, waiting: int = 2, retry_after: int = 1) -> None:
        self.hashers, self.waiting, self.retry_after = hashers, waiting, retry_after
        self._pool = ThreadPoolExecutor(
            max_workers=hashers, thread_name_prefix="argon2", initializer=_yield_the_cpu
        )
        self.inside = 0  # checked or waiting now (the event loop's thread only changes it)

    def refuse_if_full(self) -> None:
        """503 ``sign_in_busy`` if a check asked for now would be refused: a sign-in asks before
        it reads anything, so that the crowd's excess costs no database read."""
        if self.inside >= self.hashers + self.waiting:
            raise Unavailable(
                "sign_in_busy",
                params={"seconds": self.retry_after},
                headers={"Retry-After": str(self.retry_after)},
            )

    def close(self) -> None:
        """Let the pool's threads end once the checks in them are done."""
        self._pool.shutdown(wait=False)

    async def run(self, work: Callable[..., T], *args: object) -> T:
        self.refuse_if_full()
        self.inside += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, work, *args)
        finally:
            self.inside -= 1


def _yield_the_cpu() -> None:
    """A hasher thread runs at a lower CPU priority (nice +10; argon2's lane threads, started
    from it, inherit that): while passwords are checked, the event loop and the writer still
    get the cores first, so a crowd signing in slows sign-in, not everything else."""
    with contextlib.suppress(AttributeError, OSError):  # not on Linux: as it is
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)


NICE = 10
_gate = Gate()


def configure(*, hashers: int, waiting: int, retry_after: int) -> None:
    """Size this process's gate (the app does, from its settings, at start-up)."""
    global _gate
    if (hashers, waiting, retry_after) != (_gate.hashers, _gate.waiting, _gate.retry_after):
        _gate, old = Gate(hashers=hashers, waiting=waiting, retry_after=retry_after), _gate
        old.close()


def gate() -> Gate:
    """This process's gate."""
    return _gate


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
    """An argon2id hash, computed off the event loop through the gate."""
    return await _gate.run(_HASHER.hash, password)


def check_password(password_hash: str, password: str) -> bool:
    """Whether the password matches the hash (blocking: argon2 takes its full time)."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str, password: str) -> bool:
    """Whether the password matches; takes argon2's full time either way, off the event loop
    through the gate."""
    return await _gate.run(check_password, password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(password_hash)


_dummy: str | None = None


async def dummy_hash() -> str:
    """A hash to verify against when no account matches, so a miss costs the same time."""
    global _dummy
    if _dummy is None:
        _dummy = await _gate.run(_HASHER.hash, "yiwang-no-such-account")
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
