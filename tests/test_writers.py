"""On SQLite one process's write transactions take turns before they ask SQLite for its lock:
a writer that fails lets the next one go, and one that has waited as long as SQLite itself would
(30 s) gets SQLite's own "database is locked" instead of waiting on."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from yiwang import database
from yiwang.database import transaction
from yiwang.jobs import jobs

pytestmark = pytest.mark.anyio


@pytest.fixture
def sqlite(engine: AsyncEngine) -> AsyncEngine:
    if engine.dialect.name != "sqlite":
        pytest.skip("the turn-taking is SQLite's")
    return engine


async def add_job(engine: AsyncEngine, kind: str, *, held: asyncio.Event | None = None) -> None:
    """One write transaction storing a job; with ``held``, kept open until it is set."""
    now = dt.datetime.now(dt.UTC)
    async with transaction(engine, strict_audit=False) as db:
        await db.execute(
            jobs.insert().values(
                kind=kind, payload={}, status="done", attempts=0, run_after=now, created_at=now
            )
        )
        if held is not None:
            await held.wait()
            if kind.endswith("fails"):
                raise RuntimeError("the first writer fails")


async def kinds(engine: AsyncEngine) -> set[str]:
    async with transaction(engine, write=False) as db:
        rows = await db.execute(sa.select(jobs.c.kind).where(jobs.c.kind.like("w-%")))
        return {kind for (kind,) in rows}


async def test_writers_take_turns_and_a_failed_one_lets_the_next_go(sqlite: AsyncEngine) -> None:
    release = asyncio.Event()
    first = asyncio.create_task(add_job(sqlite, "w-fails", held=release))
    await asyncio.sleep(0.1)  # the first writer holds its turn
    others = [asyncio.create_task(add_job(sqlite, f"w-{n}")) for n in range(8)]
    await asyncio.sleep(0.2)
    assert not any(task.done() for task in others)  # they wait for it
    release.set()
    with pytest.raises(RuntimeError):
        await first
    await asyncio.wait_for(asyncio.gather(*others), 10)
    assert await kinds(sqlite) == {f"w-{n}" for n in range(8)}  # the failed one wrote nothing


async def test_a_writer_waiting_too_long_gets_sqlites_own_error(
    sqlite: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "WRITER_WAIT_SECONDS", 0.3)
    release = asyncio.Event()
    holder = asyncio.create_task(add_job(sqlite, "w-holder", held=release))
    await asyncio.sleep(0.1)
    try:
        # Within a few seconds, not after SQLite's 30 s busy timeout.
        with pytest.raises(sa.exc.OperationalError, match="database is locked"):
            await asyncio.wait_for(add_job(sqlite, "w-late"), 5)
    finally:
        release.set()
        await holder
    await add_job(sqlite, "w-after")  # the turn was given back: the next writer goes at once
    assert await kinds(sqlite) == {"w-holder", "w-after"}
