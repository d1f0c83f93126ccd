"""Admission control: a bound on the work one process has in flight, and on its event loop's lag.

Past the bound a request is answered at once with ``503`` and ``Retry-After`` instead of waiting
in a queue that grows until memory or the database's connections run out. Health checks, metrics
and static files are never turned away: they are cheap and they are how operators see a surge.

Requests that never wait (a cached service guide) are each finished before the next is read,
so few are ever in flight however many arrive: the queue then forms in front of the
application, in the sockets, where no bound sees it. The loop's lag — how late a timer set for
10 ms fires — is that queue's length in time; while it is over ``max_lag`` (when set), new
requests are refused too, which costs far less than answering them.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from yiwang.kit.i18n import negotiate, t

EXEMPT = ("/healthz", "/readyz", "/metrics", "/static/")


class LoopLag:
    """How late the event loop runs a timer: measured every ``interval`` by a task of its own."""

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval
        self.seconds = 0.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start measuring on the running loop (once; again if the loop changed)."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._measure())

    async def _measure(self) -> None:
        loop = asyncio.get_running_loop()
        previous = 0.0
        while True:
            before = loop.time()
            await asyncio.sleep(self.interval)
            late = max(0.0, loop.time() - before - self.interval)
            # The smaller of the last two: one long stretch of work (a big JSON answer, a
            # collection) is not a queue; a loop late twice running is.
            self.seconds, previous = min(late, previous), late


class AdmissionControlMiddleware:
    """Admit at most ``max_in_flight`` requests at a time, and none while the loop lags more than
    ``max_lag`` seconds; refuse the excess fast."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_in_flight: int,
        retry_after: int = 1,
        metrics: Any = None,
        max_lag: float = 0.0,
    ) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.retry_after = retry_after
        self.metrics = metrics
        self.max_lag = max_lag
        self.lag = LoopLag()
        self.in_flight = 0

    def overloaded(self) -> bool:
        """Whether a new request would have to wait: the bound is reached, or the loop lags."""
        return self.in_flight >= self.max_in_flight or (
            self.max_lag > 0 and self.lag.seconds > self.max_lag
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(EXEMPT):
            await self.app(scope, receive, send)
            return
        self.lag.start()
        if self.overloaded():
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
