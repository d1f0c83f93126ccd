"""Personal data is masked before it is written to the audit log."""

from __future__ import annotations

from typing import Any

from yiwang.kit.masking import mask_name
from yiwang.kit.validators import mask_id_number, mask_phone

_DROP = {"password", "password_hash", "token", "access_token", "secret"}


_MASKERS = {
    "id_number": mask_id_number,
    "phone": mask_phone,
    "name": mask_name,
}


def mask(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """A copy of ``data`` fit for the audit log: secrets dropped, personal data masked."""
    if data is None:
        return None
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in _DROP:
            continue
        masker = _MASKERS.get(key)
        if masker and isinstance(value, str) and value:
            try:
                out[key] = masker(value)
            except ValueError:
                out[key] = "***"
        elif isinstance(value, dict):
            out[key] = mask(value)
        else:
            out[key] = value
    return out
