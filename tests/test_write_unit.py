"""`database.write_unit`: one write transaction of service code, which on SQLite runs on the raw
database's writer thread (the staff decision route uses it). It must keep the unit of work's
promises: all or nothing, an audit row for every change, after-commit hooks on the event loop,
the request's id in its audit rows."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from yiwang import background, rawdb
from yiwang.applications.models import tracking_counters
from yiwang.audit import service as audit
from yiwang.audit.models import audit_events
from yiwang.database import UnauditedChange, transaction, tx_state, write_unit
from yiwang.observability import request_id_var

pytestmark = pytest.mark.anyio


async def counters(engine: AsyncEngine) -> list[str]:
    async with transaction(engine, write=False) as db:
        query = sa.select(tracking_counters.c.day).order_by(tracking_counters.c.day)
        return list((await db.execute(query)).scalars())


async def add(db: Any, day: str, *, audited: bool = True) -> None:
    await db.execute(sa.insert(tracking_counters).values(day=day, last=1))
    if audited:
        await audit.record(
            db, actor=None, action="test.counter", target_type="counter", target_id=day
        )


async def test_a_unit_commits_all_of_its_work_and_its_hooks_run_after(
    engine: AsyncEngine,
) -> None:
    hooks: list[int] = []

    async def work(db: Any) -> str:
        await add(db, "20261201")
        async with db.begin_nested():  # a savepoint, as services use for "insert or not"
            await add(db, "20261202")
        tx_state(db).after_commit.append(lambda: hooks.append(threading.get_ident()))
        return "done"

    token = request_id_var.set("req-write-unit-1")
    try:
        assert await write_unit(engine, work) == "done"
    finally:
        request_id_var.reset(token)
    assert await counters(engine) == ["20261201", "20261202"]
    # The hook ran once, after the commit, on the event loop's thread (it may start tasks).
    assert hooks == [threading.get_ident()]
    async with transaction(engine, write=False) as db:
        rows = (
            await db.execute(
                sa.select(audit_events.c.request_id).where(audit_events.c.action == "test.counter")
            )
        ).all()
    assert [r.request_id for r in rows] == ["req-write-unit-1"] * 2  # the caller's request id
    await background.drain(engine)  # the audit rows were sealed in a chain, as any others
    assert (await audit.verify(engine)).ok


async def test_a_unit_that_fails_leaves_nothing_and_the_next_one_works(
    engine: AsyncEngine,
) -> None:
    async def fails(db: Any) -> None:
        await add(db, "20261203")
        raise ValueError("the service's own refusal")

    with pytest.raises(ValueError, match="own refusal"):
        await write_unit(engine, fails)
    await with_nested_failure(engine)
    assert await counters(engine) == ["20261205"]


async def with_nested_failure(engine: AsyncEngine) -> None:
    """A savepoint that fails is undone alone; what came before it in the unit stays."""

    async def work(db: Any) -> None:
        await add(db, "20261205")
        with pytest.raises(sa.exc.IntegrityError):
            async with db.begin_nested():
                await add(db, "20261205", audited=False)  # the same key again

    await write_unit(engine, work)


async def test_an_unaudited_change_is_refused_whole(engine: AsyncEngine) -> None:
    async def unaudited(db: Any) -> None:
        await add(db, "20261206")
        await add(db, "20261207", audited=False)
        await db.execute(sa.delete(audit_events).where(audit_events.c.target_id == "20261206"))
        tx_state(db).audited = False

    with pytest.raises(UnauditedChange):
        await write_unit(engine, unaudited)
    assert await counters(engine) == []


async def test_a_refusal_that_keeps_its_changes_commits_them(engine: AsyncEngine) -> None:
    """As with `transaction`: a refused sign-in still counts the failure it wrote."""

    class Refused(Exception):
        keep_changes = True

    async def refuses(db: Any) -> None:
        await add(db, "20261208")
        raise Refused

    with pytest.raises(Refused):
        await write_unit(engine, refuses)
    assert await counters(engine) == ["20261208"]


async def test_on_sqlite_a_unit_may_wait_on_nothing_but_its_statements(
    engine: AsyncEngine,
) -> None:
    """On SQLite the unit runs on the writer thread, with no event loop: work that waits on
    anything else (a department's system, a timer) is refused and undone instead of holding the
    write lock while it waits. On PostgreSQL it is an ordinary transaction and may wait."""

    async def waits(db: Any) -> None:
        await add(db, "20261209")
        await asyncio.sleep(0.01)
        await add(db, "20261210")

    if engine.dialect.name == "sqlite":
        # (asyncio finds no event loop on the thread; anything else that would suspend is
        # stopped by `rawdb.run_to_end`.)
        with pytest.raises(RuntimeError, match="no running event loop|must not wait"):
            await write_unit(engine, waits)
        assert await counters(engine) == []
    else:
        await write_unit(engine, waits)
        assert await counters(engine) == ["20261209", "20261210"]


async def test_a_unit_runs_on_the_writers_new_connection_after_it_lost_one(
    engine: AsyncEngine,
) -> None:
    """When even a rollback fails, the writer thread closes its connection and opens another
    for the next write: a unit then runs on the new one, not on the closed one."""
    if engine.dialect.name != "sqlite":
        pytest.skip("the SQLite writer thread's connection")
    await write_unit(engine, lambda db: add(db, "20261211"))
    raw = rawdb.beside(engine)

    def lose(conn: sqlite3.Connection) -> None:  # as `_abandon` does after a failed ROLLBACK
        conn.close()
        raw._write_conn = None  # type: ignore[attr-defined]

    with pytest.raises(sqlite3.ProgrammingError):  # (run_sync finds the connection closed)
        await raw.run_sync(lose)
    await write_unit(engine, lambda db: add(db, "20261212"))
    assert await counters(engine) == ["20261211", "20261212"]
