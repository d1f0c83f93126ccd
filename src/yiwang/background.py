"""Per-engine background passes that coalesce: a pass requested while one runs becomes one more
pass, never a queue of them (the audit sealer and the job runner both work this way)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("yiwang.background")


_ALL: list[Coalescer] = []


async def drain(engine: AsyncEngine) -> None:
    """Wait until every background pass of this engine has finished, including the passes one
    pass asked for (a job's pass writes audit rows, which asks for the sealer): before the
    engine, and the raw database beside it, are disposed of."""
    while busy := [c for c in _ALL if c.running(engine)]:
        for coalescer in busy:
            await coalescer.drain(engine)


class Coalescer:
    """Runs ``work(engine)`` in the background when asked, at most one pass at a time."""

    def __init__(
        self, name: str, work: Callable[[AsyncEngine], Awaitable[Any]], *, spacing: float = 0.0
    ) -> None:
        self.name = name
        self.work = work
        # A pass asked for during a pass starts at least this long after it: under load one pass
        # then takes many commits' rows, instead of a pass (and its transactions) per commit.
        self.spacing = spacing
        self._running: weakref.WeakKeyDictionary[AsyncEngine, asyncio.Task[None]] = (
            weakref.WeakKeyDictionary()
        )
        self._again: weakref.WeakSet[AsyncEngine] = weakref.WeakSet()
        self._wake: weakref.WeakKeyDictionary[AsyncEngine, asyncio.Event] = (
            weakref.WeakKeyDictionary()
        )
        self._draining: weakref.WeakSet[AsyncEngine] = weakref.WeakSet()
        _ALL.append(self)

    def running(self, engine: AsyncEngine) -> bool:
        """Whether a pass of this engine is running or waiting out its spacing."""
        task = self._running.get(engine)
        return task is not None and not task.done()

    def request(self, engine: AsyncEngine) -> None:
        """Run soon; a request during a run coalesces into one more pass."""
        if self.running(engine):
            self._again.add(engine)
            return
        self._running[engine] = asyncio.get_running_loop().create_task(self._until_quiet(engine))

    async def _until_quiet(self, engine: AsyncEngine) -> None:
        try:
            while True:
                self._again.discard(engine)
                try:
                    await self.work(engine)
                except Exception:  # the next request tries again; nothing committed is lost
                    log.exception("%s failed", self.name)
                    return
                if engine not in self._again:
                    return
                if self.spacing and engine not in self._draining:
                    wake = self._wake[engine] = asyncio.Event()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(wake.wait(), self.spacing)
        finally:
            self._wake.pop(engine, None)
            self._draining.discard(engine)

    async def drain(self, engine: AsyncEngine) -> None:
        """Wait for the background pass of this engine to finish (shutdown, tests); a pass
        waiting out its spacing starts at once."""
        task = self._running.get(engine)
        if task is not None and not task.done():
            self._draining.add(engine)
            wake = self._wake.get(engine)
            if wake is not None:
                wake.set()
            await asyncio.shield(task)
