"""JSON text for what is stored and what is answered, through orjson.

A submission encodes its form, the JSON columns of its rows and its answer: with the standard
library's encoder that was the largest piece of Python time on the submission path after the
writes themselves (py-spy under load, docs/performance.md). orjson writes the same values about
ten times faster, as compact UTF-8 text (the standard library escaped non-ASCII characters and
put spaces after separators; both read back alike). Keys that are not strings become strings, as
with ``json.dumps``; what the standard library refuses (a date or time, a dataclass) is refused
here too, and what orjson alone refuses (a lone surrogate from a department system's data, an
integer beyond 64 bits) is written by the standard library as before. Hashes and fingerprints
(the audit chain, idempotency, certificates) keep their own canonical ``json.dumps``: what they
hash must not change with the encoder.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from fastapi.responses import JSONResponse

_OPTIONS = (
    orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)


def dumps(value: Any) -> str:
    """JSON text (compact) for a JSON column or a message."""
    try:
        return orjson.dumps(value, option=_OPTIONS).decode()
    except TypeError:
        return json.dumps(value)  # as before, or the same TypeError


class FastJSONResponse(JSONResponse):
    """A JSON answer encoded by orjson (FastAPI's ORJSONResponse is deprecated)."""

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content, option=_OPTIONS)
        except TypeError:
            return super().render(content)
