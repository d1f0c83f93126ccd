"""Request-level guards that run before any route."""

from __future__ import annotations

import json
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from yiwang.errors import YiwangError
from yiwang.kit.i18n import Lang, accept_language, negotiate

_CONTROL = re.compile(rb"%(?:0[0-9a-f]|1[0-9a-f]|7f)|[\x00-\x1f\x7f]", re.IGNORECASE)


def error_answer(error: YiwangError, lang: Lang) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """An error's ASGI headers and JSON body (the public shape, ``YiwangError.to_dict``), for
    middleware that answers before any route runs."""
    body = json.dumps(error.to_dict(lang), ensure_ascii=False).encode()
    headers = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        *((name.lower().encode(), value.encode()) for name, value in error.headers.items()),
    ]
    return headers, body


class RequestGuardMiddleware:
    """Refuse, before any route runs, a URL carrying control characters (400) and a body over
    the limit (413, by Content-Length or while streaming)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
        if _CONTROL.search(raw_path) or _CONTROL.search(scope.get("query_string", b"")):
            await self._refuse(scope, send, status=400, code="invalid_characters")
            return
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(scope, send)
            return
        seen = 0
        started = refused = False

        async def limited_receive() -> Message:
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # Answer now and tell the app the client went away: nothing half-read is
                    # handed to a route, and whatever the app answers afterwards is dropped.
                    refused = True
                    if not started:
                        await self._refuse(scope, send)
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, limited_receive, tracking_send)

    async def _refuse(
        self, scope: Scope, send: Send, *, status: int = 413, code: str = "body_too_large"
    ) -> None:
        lang = negotiate(accept_language=accept_language(scope.get("headers") or ()))
        error = YiwangError(
            code, status=status, params={"limit": self.max_bytes}, headers={"Connection": "close"}
        )
        headers, body = error_answer(error, lang)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
