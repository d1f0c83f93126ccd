"""Turning every failure into a clear 4xx (or a sober 5xx) in the caller's language."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from yiwang.api.deps import request_lang
from yiwang.errors import YiwangError, field_error

log = logging.getLogger("yiwang.errors")

_PYDANTIC_CODES = {
    "missing": "field_required",
    "extra_forbidden": "unknown_field",
    "string_too_long": "too_long",
    "too_long": "too_long",
    "string_too_short": "field_required",
    "value_error": "invalid_characters",
}
# What a field should have been, in words a person reads (never pydantic's English text).
_EXPECTED = {
    "string_type": "type.text",
    "int_type": "type.integer",
    "int_parsing": "type.integer",
    "float_type": "type.number",
    "float_parsing": "type.number",
    "bool_type": "type.boolean",
    "bool_parsing": "type.boolean",
    "list_type": "type.list",
    "dict_type": "type.object",
    "model_type": "type.object",
    "model_attributes_type": "type.object",
}
_STATUS_CODES = {404: "not_found", 405: "method_not_allowed", 415: "unsupported_media_type"}

HtmlRenderer = Callable[[Request, YiwangError], Response]


def wants_json(request: Request) -> bool:
    """API and machine paths answer JSON; pages answer HTML."""
    path = request.url.path
    return path.startswith(("/api/", "/open311/", "/.well-known/")) or path in (
        "/healthz",
        "/readyz",
        "/metrics",
    )


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "body"


def from_validation(exc: RequestValidationError, *, content_type: str = "") -> YiwangError:
    """A pydantic failure as a YiwangError: 400 for malformed JSON, 415 for non-JSON, else 422."""
    details = []
    for err in exc.errors():
        kind = err.get("type", "")
        if kind == "json_invalid":
            return YiwangError("malformed_json", status=400)
        if (
            kind == "model_attributes_type"
            and tuple(err.get("loc", ())) == ("body",)
            and "json" not in content_type
        ):
            return YiwangError("unsupported_media_type", status=415)
        code = _PYDANTIC_CODES.get(kind, "wrong_type")
        entry = field_error(_field_name(tuple(err.get("loc", ()))), code)
        if code == "wrong_type":
            entry["message_key"] = _EXPECTED.get(kind, "wrong_type")
        details.append(entry)
    return YiwangError("validation_error", status=422, details=details)


def install(app: FastAPI, *, render_html: HtmlRenderer) -> None:
    """Register the handlers: JSON for API paths, pages for the rest."""

    def respond(request: Request, error: YiwangError) -> Response:
        if not wants_json(request):
            return render_html(request, error)
        headers = dict(error.headers)
        return JSONResponse(
            error.to_dict(request_lang(request)), status_code=error.status, headers=headers
        )

    @app.exception_handler(YiwangError)
    async def _yiwang(request: Request, exc: YiwangError) -> Response:
        return respond(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        content_type = request.headers.get("content-type", "")
        return respond(request, from_validation(exc, content_type=content_type))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code = _STATUS_CODES.get(exc.status_code, "bad_request")
        return respond(request, YiwangError(code, status=exc.status_code, headers=exc.headers))

    @app.exception_handler(DBAPIError)
    async def _data(request: Request, exc: DBAPIError) -> Response:
        # The database refused a value the checks let through (a NUL byte, an over-long value):
        # the transaction is rolled back, and the caller hears what kind of input it was.
        state = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None) or ""
        if not (isinstance(exc, DataError) or str(state).startswith("22")):
            return await _unexpected(request, exc)
        log.warning("database refused a value on %s %s", request.method, request.url.path)
        return respond(request, YiwangError("invalid_characters", status=400))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        request_id = getattr(request.state, "request_id", None)
        log.exception(
            "unhandled error on %s %s",
            request.method,
            request.url.path,
            extra={"request_id": request_id},
        )
        headers = {"X-Request-ID": request_id} if request_id else None
        return respond(request, YiwangError("internal_error", status=500, headers=headers))
