"""Errors the domain raises; api/ renders them as JSON, web/ as pages, from the same object."""

from __future__ import annotations

from typing import Any

from yiwang.kit.i18n import Lang, t


class YiwangError(Exception):
    """A failure a person can act on: a status, a machine-readable code and a message key."""

    status: int = 400
    code: str = "bad_request"
    keep_changes: bool = False

    def __init__(
        self,
        code: str | None = None,
        *,
        status: int | None = None,
        details: list[dict[str, Any]] | None = None,
        params: dict[str, Any] | None = None,
        message_key: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        if code:
            self.code = code
        if status:
            self.status = status
        self.details = details or []
        self.params = params or {}
        self.message_key = message_key or self.code
        self.headers = headers or {}
        super().__init__(self.code)

    def message(self, lang: Lang) -> str:
        """The message in the reader's language."""
        return t(self.message_key, lang, **self.params)

    def to_dict(self, lang: Lang) -> dict[str, Any]:
        """The public JSON shape: ``{"error": {"code", "message", "details"}}``."""
        details = [
            {**d, "message": t(d.get("message_key", d["code"]), lang, **d.get("params", {}))}
            for d in self.details
        ]
        for d in details:
            d.pop("message_key", None)
            d.pop("params", None)
        return {"error": {"code": self.code, "message": self.message(lang), "details": details}}


def field_error(field: str, code: str, *, message_key: str | None = None) -> dict[str, Any]:
    """One entry of an error's ``details``: which field, what is wrong."""
    entry: dict[str, Any] = {"field": field, "code": code}
    if message_key:
        entry["message_key"] = message_key
    return entry


class NotFound(YiwangError):
    status, code = 404, "not_found"


class Unauthorized(YiwangError):
    status, code = 401, "not_authenticated"


class Forbidden(YiwangError):
    status, code = 403, "forbidden"


class Conflict(YiwangError):
    status, code = 409, "conflict"


class Invalid(YiwangError):
    """422: the request was understood but what it says cannot be accepted."""

    status, code = 422, "validation_error"


class TooManyRequests(YiwangError):
    status, code = 429, "too_many_attempts"


class Unavailable(YiwangError):
    status, code = 503, "service_unavailable"
