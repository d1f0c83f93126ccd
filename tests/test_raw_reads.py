"""The raw driver's read snapshots (`RawDatabase.read`), on which an application's status and
the staff inbox are read: one moment for all of a page's reads, and never a write."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from yiwang.config import Settings
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
        # Another transaction commits a row between the snapshot's two reads.
        await raw.run(lambda w: add_counter(w, "20261128"))
        return before, (await tx.execute(COUNT))[0][0]

    async def waits(tx: Any) -> int:
        await asyncio.sleep(0.01)
        return (await tx.execute(COUNT))[0][0]

    try:
        if raw.dialect.name == "postgresql":
            assert await raw.read(twice) == (0, 0)
            assert (await raw.read(lambda tx: tx.execute(COUNT)))[0][0] == 1
        else:
            # SQLite reads on the event loop, where nothing else can run between a snapshot's
            # reads; one that would wait on anything is refused, since another request could
            # then use its connection meanwhile. The connection serves the next read.
            with pytest.raises(RuntimeError, match="must not wait"):
                await raw.read(waits)
            await raw.run(lambda w: add_counter(w, "20261128"))
            assert (await raw.read(lambda tx: tx.execute(COUNT)))[0][0] == 1
    finally:
        await raw.close()
