"""The raw driver's read snapshots (`RawDatabase.read`), on which an application's status and
the staff inbox are read: one moment for all of a page's reads, and never a write."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from yiwang import rawdb
from yiwang.config import Settings
from yiwang.database import create_engine
from yiwang.rawdb import RawDatabase

pytestmark = pytest.mark.anyio

COUNT = "SELECT count(*) FROM tracking_counters"


async def add_counter(tx: Any, day: str) -> None:
    pg = tx.db.dialect.name == "postgresql"
    await tx.execute(
        "INSERT INTO tracking_counters (day, last) VALUES ($1, 1)"
        if pg
        else "INSERT INTO tracking_counters (day, last) VALUES (?, 1)",
        (day,),
    )


async def test_a_read_snapshot_refuses_to_write(settings: Settings, engine: AsyncEngine) -> None:
    raw = RawDatabase.for_url(settings.database_url)
    try:
        with pytest.raises(
            (sqlite3.OperationalError, asyncpg.ReadOnlySQLTransactionError)
        ) as refused:
            await raw.read(lambda tx: add_counter(tx, "20261127"))
        assert "read" in str(refused.value).lower()  # read-only, not some other failure
        # Nothing was written, and the snapshot's connection serves the next read.
        assert (await raw.read(lambda tx: tx.execute(COUNT)))[0][0] == 0
        await raw.run(lambda tx: add_counter(tx, "20261127"))
        assert (await raw.read(lambda tx: tx.execute(COUNT)))[0][0] == 1
    finally:
        await raw.close()


async def test_the_reads_of_one_snapshot_see_one_moment(
    settings: Settings, engine: AsyncEngine
) -> None:
    raw = RawDatabase.for_url(settings.database_url)

    async def twice(tx: Any) -> tuple[int, int]:
        before = (await tx.execute(COUNT))[0][0]
        # Another connection commits a row between the snapshot's two reads.
        if raw.dialect.name == "postgresql":
            await raw.run(lambda w: add_counter(w, "20261128"))
        else:  # on SQLite the snapshot's work may not wait: the other writer commits at once
            other = sqlite3.connect(str(raw.path), isolation_level=None)  # type: ignore[attr-defined]
            other.execute("INSERT INTO tracking_counters (day, last) VALUES ('20261128', 1)")
            other.close()
        return before, (await tx.execute(COUNT))[0][0]

    async def waits(tx: Any) -> int:
        await asyncio.sleep(0.01)
        return (await tx.execute(COUNT))[0][0]

    async def fails(tx: Any) -> int:
        await tx.execute(COUNT)
        raise ValueError("the page's own mistake")

    try:
        assert await raw.read(twice) == (0, 0)
        assert (await raw.read(lambda tx: tx.execute(COUNT)))[0][0] == 1  # the next one sees it
        # A snapshot's own error is the one its caller gets, and the connection serves on.
        with pytest.raises(ValueError, match="own mistake"):
            await raw.read(fails)
        if raw.dialect.name == "sqlite":
            # SQLite reads on the event loop, where nothing else runs between a snapshot's reads;
            # one that would wait on anything is refused, since another request could then use
            # its connection meanwhile.
            with pytest.raises(RuntimeError, match="must not wait"):
                await raw.read(waits)
        assert (await raw.read(lambda tx: tx.execute(COUNT)))[0][0] == 1
    finally:
        await raw.close()


@pytest.mark.usefixtures("engine")  # the test database, emptied
async def test_the_raw_database_beside_an_engine_is_closed_with_it(settings: Settings) -> None:
    """The background passes write through `rawdb.beside(engine)`: one per engine, its
    connections given back when the engine is disposed, and a new one if the engine is used
    again."""
    engine = create_engine(settings.database_url)  # a process's own, beside the test's
    try:
        raw = rawdb.beside(engine)
        assert rawdb.beside(engine) is raw
        await raw.run(lambda tx: add_counter(tx, "20261129"), background=True)
        assert (await raw.read(lambda tx: tx.execute(COUNT)))[0][0] == 1
        await engine.dispose()
        with pytest.raises(RuntimeError):  # closed: its connections and thread are gone
            await raw.run(lambda tx: tx.execute(COUNT), background=True)
        again = rawdb.beside(engine)
        assert again is not raw
        assert (await again.read(lambda tx: tx.execute(COUNT)))[0][0] == 1
    finally:
        await engine.dispose()
