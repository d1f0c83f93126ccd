"""JSON text for what is stored and what is answered, through orjson.

A submission encodes its form, the JSON columns of its rows and its answer: with the standard
library's encoder that was the largest piece of Python time on the submission path after the
writes themselves (py-spy under load, docs/performance.md). orjson writes the same JSON — UTF-8,
no ASCII escapes, keys that are not strings turned into strings like ``json.dumps`` does — about
ten times faster. Hashes and fingerprints (the audit chain, idempotency) keep their own canonical
``json.dumps`` form: what they hash must not change with the encoder.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi.responses import JSONResponse

_OPTIONS = orjson.OPT_NON_STR_KEYS


def dumps(value: Any) -> str:
    """JSON text (compact) for a JSON column or a message."""
    return orjson.dumps(value, option=_OPTIONS).decode()


def loads(text: str | bytes) -> Any:
    """A JSON value from its text."""
    return orjson.loads(text)


class FastJSONResponse(JSONResponse):
    """A JSON answer encoded by orjson (the same JSON as Starlette's, faster)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=_OPTIONS)
