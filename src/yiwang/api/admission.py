"""Admission control: a bound on the work one process has in flight.

Past the bound a request is answered at once with ``503`` and ``Retry-After`` instead of waiting
in a queue that grows until memory or the database's connections run out. Health checks, metrics
and static files are never turned away: they are cheap and they are how operators see a surge.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from yiwang.kit.i18n import negotiate, t

EXEMPT = ("/healthz", "/readyz", "/metrics", "/static/")


class AdmissionControlMiddleware:
    """Admit at most ``max_in_flight`` requests at a time; refuse the excess fast."""

    def __init__(
        self, app: ASGIApp, *, max_in_flight: int, retry_after: int = 1, metrics: Any = None
    ) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.retry_after = retry_after
        self.metrics = metrics
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT):
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_in_flight:
            if self.metrics is not None:
                self.metrics.rejected.inc()
            await self._refuse(scope, send)
            return
        self.in_flight += 1
        if self.metrics is not None:
            self.metrics.in_flight.set(self.in_flight)
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
            if self.metrics is not None:
                self.metrics.in_flight.set(self.in_flight)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        headers = dict(scope.get("headers") or [])
        lang = negotiate(accept_language=headers.get(b"accept-language", b"").decode("latin-1"))
        body = json.dumps(
            {
                "error": {
                    "code": "overloaded",
                    "message": t("overloaded", lang, seconds=self.retry_after),
                    "details": [],
                }
            },
            ensure_ascii=False,
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [
                    (b"content-type", b"application/json; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(self.retry_after).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
