"""Masking of a person's name for display and logs (ID numbers and phones: kit.validators)."""

from __future__ import annotations


def mask_name(value: str) -> str:
    """Keep the first character: ``张三丰`` → ``张**``, ``李明`` → ``李*``."""
    return value[:1] + "*" * (len(value) - 1) if value else value
