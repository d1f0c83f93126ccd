"""Identifiers of rows and requests: random (version 4) UUIDs, as text.

Every submission names its application, branches, tasks and notification, and every workflow
step the tasks it opens. The standard library's ``str(uuid.uuid4())`` costs about 2.7 µs here
(a ``UUID`` object built from an int, then formatted); uuid-utils makes the same kind of UUID
from the operating system's random source in Rust in 0.17 µs (docs/performance.md, § 6).
"""

from __future__ import annotations

import uuid_utils


def new_id() -> str:
    """A new row id: a random UUID, ``xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx``."""
    return str(uuid_utils.uuid4())


def new_hex() -> str:
    """A new random id as 32 hex digits (request ids)."""
    return uuid_utils.uuid4().hex
