"""Engines, the shared table metadata, and the unit of work (one transaction per request or job)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import sqlite3
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from yiwang import rawdb
from yiwang.config import Settings, to_async_url
from yiwang.kit import jsontext

log = logging.getLogger("yiwang.database")

T = TypeVar("T")

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# An auto-incrementing 64-bit key on PostgreSQL that is still SQLite's rowid alias.
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

Db = AsyncConnection
"""The unit of work handed to services: one open transaction, whatever the driver."""

_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE")


@dataclasses.dataclass
class TxState:
    """What one transaction did, read at commit time."""

    writes: int = 0
    audited: bool = False
    exempt: bool = False
    after_commit: list[Callable[[], Awaitable[None] | None]] = dataclasses.field(
        default_factory=list
    )


class UnauditedChange(RuntimeError):
    """A transaction changed data without writing an audit row."""


def tx_state(db: AsyncConnection) -> TxState:
    """The bookkeeping of the transaction currently open on this connection."""
    state = db.info.get("yiwang_tx")
    if state is None:
        state = db.info["yiwang_tx"] = TxState()
    return state


def create_engine(database_url: str, *, echo: bool = False) -> AsyncEngine:
    """Build the asyncio engine for a plain database URL; SQLite gets WAL and BEGIN IMMEDIATE."""
    url = make_url(to_async_url(database_url))
    is_sqlite = url.get_backend_name() == "sqlite"
    kwargs: dict[str, Any] = {"echo": echo}
    if is_sqlite:
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30}
    else:
        # Sized for one process under admission control (YIWANG_MAX_IN_FLIGHT, 64): most requests
        # hold a connection only for their few statements, and the submission path has a pool
        # of its own (rawdb). A request that cannot get one in 10 s fails instead of queueing.
        # The sessions are set up as the raw driver's are (rawdb.SERVER_SETTINGS: statement and
        # idle-transaction timeouts, a plan for each execution).
        kwargs.update(
            pool_size=10,
            max_overflow=10,
            pool_timeout=10,
            pool_pre_ping=True,
            connect_args={
                "command_timeout": 30,
                "server_settings": rawdb.SERVER_SETTINGS,
            },
        )
    # Bound parameters stay out of error messages and logs: they carry personal data.
    engine = create_async_engine(
        url, hide_parameters=True, json_serializer=jsontext.dumps, **kwargs
    )

    if is_sqlite:

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy's "begin" event decide how each transaction starts.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            for pragma in (
                "PRAGMA journal_mode=WAL",
                "PRAGMA synchronous=NORMAL",
                "PRAGMA foreign_keys=ON",
                "PRAGMA busy_timeout=30000",
            ):
                cursor.execute(pragma)
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(conn: sa.Connection) -> None:
            # A transaction that may write takes the write lock up front: SQLite cannot
            # upgrade a read lock under contention, and busy_timeout does not cover it.
            write = conn.get_execution_options().get("yiwang_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    event.listen(engine.sync_engine, "before_cursor_execute", _count_writes)
    return engine


def _count_writes(conn: sa.Connection, _cursor: Any, statement: str, *_args: Any) -> None:
    if statement.lstrip()[:6].upper() in _WRITE_VERBS:
        state = conn.info.get("yiwang_tx")
        if state is not None:
            state.writes += 1


@asynccontextmanager
async def transaction(
    engine: AsyncEngine, *, write: bool = True, strict_audit: bool = True
) -> AsyncIterator[AsyncConnection]:
    """Open one transaction: commit when the block ends, roll back when it raises.

    The transaction begins at its first statement, not before: work done ahead of it (a call to
    a department system, a password hash) holds no lock — on SQLite, no write lock that every
    other writer would queue behind. An exception with a true ``keep_changes`` attribute (a
    refused sign-in that must still count the failure) commits what was written before it is
    re-raised.
    """
    async with engine.connect() as conn:
        if write:
            conn = await conn.execution_options(yiwang_write=True)
        conn.info["yiwang_tx"] = state = TxState()
        try:
            yield conn
            _check_audited(state, strict_audit)
        except BaseException as exc:
            if getattr(exc, "keep_changes", False) and conn.in_transaction():
                _check_audited(state, strict_audit)
                await conn.commit()
            elif conn.in_transaction():
                await conn.rollback()
            raise
        else:
            if conn.in_transaction():
                await conn.commit()
        finally:
            conn.info.pop("yiwang_tx", None)
    await _after_commit(state)


async def _after_commit(state: TxState) -> None:
    for callback in state.after_commit:
        try:
            result = callback()
            if result is not None:
                await result
        except Exception:  # an after-commit hook must never undo an acknowledged commit
            log.exception("after-commit hook failed")


async def write_unit(
    engine: AsyncEngine, work: Callable[[Any], Awaitable[T]], *, strict_audit: bool = True
) -> T:
    """Run ``await work(db)`` in one write transaction and return its result, as ``transaction``
    would; on SQLite, on the writer thread of ``rawdb.beside(engine)``.

    Through aiosqlite each statement is a hop to its thread and back, and a turn of the event
    loop, while the transaction holds SQLite's write lock, which it also has to win from the
    writer thread (submissions, jobs, the audit sealer). Here the writer thread runs the whole
    unit with SQLAlchemy's synchronous connection over its own sqlite3 connection, taking its
    turn with the process's other writes. ``work`` is the same service code (``ThreadUnit`` has
    the face of the ``AsyncConnection`` it is written against), but it must await nothing but
    its statements: it is run to its end without an event loop (``rawdb.run_to_end``), and one
    that waits on anything else is refused, its changes rolled back. Never call it while a
    ``transaction`` of the same request holds the write lock (a route's ``DbDep`` after a
    write): on SQLite the writer thread would wait for that lock until it gave up.
    """
    if engine.dialect.name != "sqlite":
        async with transaction(engine, strict_audit=strict_audit) as db:
            return await work(db)
    raw = rawdb.beside(engine)
    assert isinstance(raw, rawdb.SqliteDatabase)
    state = TxState()

    def in_thread(dbapi: sqlite3.Connection) -> T:
        with _twin(raw, dbapi).connect() as conn:
            conn.execution_options(yiwang_write=True)
            conn.info["yiwang_tx"] = state
            rawdb.begin_immediate(dbapi)
            try:
                result = rawdb.run_to_end(work(ThreadUnit(conn, engine)))
                _check_audited(state, strict_audit)
            except BaseException as exc:
                if getattr(exc, "keep_changes", False):
                    _check_audited(state, strict_audit)
                    _commit(conn, dbapi)
                raise  # (what is left open, run_sync rolls back)
            finally:
                conn.info.pop("yiwang_tx", None)
            _commit(conn, dbapi)
            return result

    done = asyncio.ensure_future(raw.run_sync(in_thread))
    try:
        result = await asyncio.shield(done)
    except asyncio.CancelledError:
        # The caller went away (a client gone, a shutdown); the unit still ends on the writer
        # thread, and if it commits, what should follow its commit still does.
        def follow(finished: asyncio.Future[T]) -> None:
            if not finished.cancelled() and finished.exception() is None:
                task = asyncio.ensure_future(_after_commit(state))
                _following.add(task)  # (a task nobody holds may be collected before it ends)
                task.add_done_callback(_following.discard)

        done.add_done_callback(follow)
        raise
    await _after_commit(state)  # on the event loop, as after ``transaction``
    return result


_following: set[asyncio.Task[None]] = set()


def _commit(conn: sa.Connection, dbapi: sqlite3.Connection) -> None:
    """Commit the raw ``BEGIN IMMEDIATE``: through SQLAlchemy when a statement began its own
    transaction (it commits the connection), else directly (a unit that sent nothing)."""
    conn.commit()
    if dbapi.in_transaction:
        dbapi.execute("COMMIT")


# The synchronous engine over each writer thread's sqlite3 connection (used on that thread only).
_twins: weakref.WeakKeyDictionary[rawdb.SqliteDatabase, tuple[sqlite3.Connection, sa.Engine]] = (
    weakref.WeakKeyDictionary()
)


def _twin(raw: rawdb.SqliteDatabase, dbapi: sqlite3.Connection) -> sa.Engine:
    found = _twins.get(raw)
    if found is not None and found[0] is dbapi:
        return found[1]
    if found is not None:  # the writer opened a new connection after a failed one
        found[1].dispose(close=False)
    twin = sa.create_engine(
        "sqlite://",
        creator=lambda: dbapi,
        poolclass=StaticPool,
        pool_reset_on_return=None,
        hide_parameters=True,
        json_serializer=jsontext.dumps,
    )
    event.listen(twin, "before_cursor_execute", _count_writes)
    twin.connect().close()  # the dialect's first-connect set-up ends any transaction: before one
    _twins[raw] = (dbapi, twin)
    return twin


class ThreadUnit:
    """A unit of work on the SQLite writer thread (``write_unit``): a synchronous SQLAlchemy
    connection with the face of the ``AsyncConnection`` services are written against. Its
    coroutines never suspend. It holds the write lock from its start, and commits or rolls back
    only as a whole (no ``commit()`` halfway, as ``commit_before_waiting`` would)."""

    def __init__(self, conn: sa.Connection, engine: AsyncEngine) -> None:
        self.sync_connection = conn
        self.engine = engine

    @property
    def dialect(self) -> sa.Dialect:
        return self.sync_connection.dialect

    @property
    def info(self) -> dict[Any, Any]:
        return self.sync_connection.info

    def in_transaction(self) -> bool:
        return True

    async def execute(
        self, statement: Any, parameters: Any = None, *, execution_options: Any = None
    ) -> Any:
        return self.sync_connection.execute(
            statement, parameters, execution_options=execution_options
        )

    @asynccontextmanager
    async def begin_nested(self) -> AsyncIterator[Any]:
        """A savepoint (``async with db.begin_nested():``, the one form services use)."""
        with self.sync_connection.begin_nested() as savepoint:
            yield savepoint


@asynccontextmanager
async def reader(db: AsyncConnection) -> AsyncIterator[AsyncConnection]:
    """A short read ahead of the unit of work, for reads that slow work (argon2) will follow:
    a read-only transaction on the unit's own connection, ended when the block ends, so no lock
    is held while that work runs and the unit's first write begins afresh.

    On the unit's own connection, not a second one from the pool: a crowd signing in at once
    held every pooled connection in its units while each waited for one more, and every
    request then waited out the pool's timeout and failed."""
    if db.in_transaction():
        yield db
        return
    write = db.sync_connection.get_execution_options().get("yiwang_write", False)
    if write:  # SQLite's begin then takes no write lock for these reads
        await db.execution_options(yiwang_write=False)
    try:
        yield db
    finally:
        if write:
            await db.execution_options(yiwang_write=True)
        if db.in_transaction():
            if tx_state(db).writes:
                raise RuntimeError("reader() was given a write; it would be dropped")
            await db.rollback()


async def end_reads(db: AsyncConnection) -> None:
    """End a transaction that has only read, so that a write can follow safely.

    A read-only unit of work (a GET) that must still log something — who looked at whose data —
    ends its reads first: the log then opens a fresh transaction with the insert as its first
    statement, which SQLite grants by waiting (busy_timeout) instead of failing the upgrade of a
    stale read snapshot. A transaction that may write already holds its lock and is left alone.
    """
    if not db.in_transaction() or db.sync_connection is None:
        return
    if db.sync_connection.get_execution_options().get("yiwang_write", False):
        return
    if tx_state(db).writes:
        raise RuntimeError("end_reads() after a write would drop it")
    await db.rollback()


def changed_nothing(db: AsyncConnection) -> None:
    """Say that the last write statement changed no row (a conditional update that lost a race):
    it then needs no audit row."""
    state = tx_state(db)
    state.writes = max(0, state.writes - 1)


async def commit_before_waiting(db: AsyncConnection) -> None:
    """Commit what a unit of work has done so far, before it waits on another writer.

    The submission path writes through its own connection (``applications.writer``); a request
    that read through its unit of work first (a web form) must not hold SQLite's write lock
    while it waits for that writer. Anything written so far is committed (its audit rows are
    still checked when the unit of work ends); later statements open a fresh transaction.
    """
    if db.in_transaction():
        await db.commit()


def _check_audited(state: TxState, strict: bool) -> None:
    if strict and state.writes and not (state.audited or state.exempt):
        raise UnauditedChange("a transaction changed data without writing an audit row")


def engine_for(settings: Settings) -> AsyncEngine:
    """The engine for the configured system of record."""
    return create_engine(settings.database_url)
