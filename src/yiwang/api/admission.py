"""Admission control: a bound on the work one process has in flight, and on its event loop's lag.

Past the bound a request is answered at once with ``503`` and ``Retry-After`` instead of waiting
in a queue that grows until memory or the database's connections run out. Health checks, metrics
and static files are never turned away: they are cheap and they are how operators see a surge.

A count is not a time, though: 64 in flight are a fifth of a second for a process that finishes
300 submissions a second and a second at 60. So once the process is full (a request finds the
bound reached), the bound becomes what it finishes in ``wait`` seconds at the best pace it kept
over a second of the last five (Little's law), never under a quarter of ``max_in_flight``. It
stays full half a second at a time, for as long as each half-second refuses at least a tenth of
what arrives in it: a surge. Once the surge is over the tighter bound would go on turning away
the bursts of a load the process carries well (a pass of background work holding its writer up
for 50 ms is 20 more in flight at 400/s), a few in a hundred, so it is ``max_in_flight`` again.
Until it is full the bound is the count: a crowd arriving at rest, or requests waiting on a
department's slow system, are admitted as before. The best second, not the last: while a pass
of background work holds the writer up, the process finishes fewer, and a bound that followed
the last second would shrink just as the requests it held up arrive.

Requests that never wait (a cached service guide) are each finished before the next is read,
so few are ever in flight however many arrive: the queue then forms in front of the
application, in the sockets, where no bound sees it. The loop's lag — how late a timer set for
10 ms fires — is that queue's length in time; while it is over ``max_lag`` (when set), new
requests are refused too, which costs far less than answering them.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from yiwang.api.middleware import error_answer
from yiwang.errors import Unavailable
from yiwang.kit.i18n import LANGS, Lang, accept_language, negotiate

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


class Pace:
    """The most requests the process has finished in a second of the last ``horizon`` seconds
    (seconds starting on a bucket's boundary; buckets of ``window / per_window`` seconds, whole
    ones only)."""

    def __init__(self, window: float = 1.0, per_window: int = 4, horizon: float = 5.0) -> None:
        self.window, self.per_window = window, per_window
        self.width = window / per_window
        self.kept = round(horizon / self.width)  # whole buckets remembered
        if self.kept < per_window:
            raise ValueError("the horizon must hold a whole window")
        self._counts = [0] * (self.kept + 1)  # and the one being filled
        self._index = 0  # the bucket being filled, in widths since the clock's zero
        self._best = 0.0

    def _roll(self, now: float) -> int:
        index = max(math.floor(now / self.width), self._index)  # a clock never goes back here
        if index > self._index:
            ring = len(self._counts)
            for i in range(self._index + 1, min(index, self._index + ring) + 1):
                self._counts[i % ring] = 0
            self._index = index
            whole = [self._counts[i % ring] for i in range(index - self.kept, index)]
            self._best = (
                max(
                    sum(whole[i : i + self.per_window])
                    for i in range(len(whole) - self.per_window + 1)
                )
                / self.window
            )
        return index

    def finished(self, now: float) -> None:
        """One request finished at ``now``."""
        self._counts[self._roll(now) % len(self._counts)] += 1

    def per_second(self, now: float) -> float:
        """The best second's requests finished, of the last ``horizon`` seconds."""
        self._roll(now)
        return self._best


class AdmissionControlMiddleware:
    """Admit at most ``max_in_flight`` requests at a time; once that is reached, what the process
    finishes within ``wait`` seconds at its best recent pace (at least a quarter of
    ``max_in_flight``), for as long as the process stays full (``wait`` 0: ``max_in_flight``
    always); nothing while the loop lags more than ``max_lag`` seconds. Refuse the excess fast.

    Full lasts a ``PERIOD`` at a time, and another as long as the one before refused at least
    ``SURGE_SHARE`` of the requests that arrived in it: a surge keeps it full, while a load the
    process can carry, whose bursts the tighter bound still turns some of away, does not."""

    PERIOD = 0.5  # seconds the process stays full, and then again while the surge lasts
    SURGE_SHARE = 0.1  # the share of a period's arrivals refused that means it is still a surge

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_in_flight: int,
        wait: float = 0.0,
        retry_after: int = 1,
        metrics: Any = None,
        max_lag: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.floor = max(1, max_in_flight // 4)
        self.wait = wait
        self.retry_after = retry_after
        self.metrics = metrics
        self.max_lag = max_lag
        self.clock = clock
        self.pace = Pace()
        self.full_until = 0.0  # the end of the period in which the bound follows the pace
        self.arrived = self.refused = 0  # in the period
        self.lag = LoopLag()
        self.in_flight = 0
        self._refusals = {lang: self._refusal(lang) for lang in LANGS}
        self._languages: dict[str, Lang] = {}
        if metrics is not None:
            metrics.admission_bound.set_function(self.bound)  # read when scraped

    def bound(self) -> int:
        """How many requests may be in flight now."""
        return self._bound(self.clock())

    def _bound(self, now: float) -> int:
        while self.full_until and now >= self.full_until:  # a period is over: still a surge?
            surge = self.refused and self.refused >= self.SURGE_SHARE * self.arrived
            self.full_until = self.full_until + self.PERIOD if surge else 0.0
            self.arrived = self.refused = 0
        if self.wait <= 0 or not self.full_until:
            return self.max_in_flight
        allowed = int(self.pace.per_second(now) * self.wait)
        return min(self.max_in_flight, max(self.floor, allowed))

    def overloaded(self) -> bool:
        """Whether a new request would have to wait: the bound is reached (at the count, that
        makes the process full), or the loop lags."""
        now = self.clock()
        bound = self._bound(now)
        self.arrived += 1
        if self.in_flight >= bound:
            self.refused += 1
            if self.wait > 0 and not self.full_until:
                self.full_until, self.arrived, self.refused = now + self.PERIOD, 1, 1
            return True
        if self.max_lag > 0 and self.lag.seconds > self.max_lag:
            self.refused += 1  # refused too: while full, part of the surge's share
            return True
        return False

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
            self.pace.finished(self.clock())
            if self.metrics is not None:
                self.metrics.in_flight.set(self.in_flight)

    def _refusal(self, lang: Lang) -> tuple[list[tuple[bytes, bytes]], bytes]:
        error = Unavailable(
            "overloaded",
            params={"seconds": self.retry_after},
            headers={"Retry-After": str(self.retry_after)},
        )
        return error_answer(error, lang)

    def _language(self, scope: Scope) -> Lang:
        """The refusal's language, from Accept-Language; the few distinct short ones a surge's
        clients send are each negotiated once (a long one is not kept)."""
        accept = accept_language(scope.get("headers") or ())
        lang = self._languages.get(accept)
        if lang is None:
            lang = negotiate(accept_language=accept)
            if len(accept) <= 100:
                if len(self._languages) >= 256:
                    self._languages.clear()
                self._languages[accept] = lang
        return lang

    async def _refuse(self, scope: Scope, send: Send) -> None:
        """503 with Retry-After, in the client's language: each language's answer is made
        once, so a surge's excess costs what the server needs to parse and answer it."""
        headers, body = self._refusals[self._language(scope)]
        await send({"type": "http.response.start", "status": 503, "headers": list(headers)})
        await send({"type": "http.response.body", "body": body})
