"""The raw driver beside SQLAlchemy, for the submission hot path: stdlib ``sqlite3`` or ``asyncpg``.

SQLAlchemy stays the way the rest of the platform talks to the database; on the hot path its
per-statement cost (about 150–300 µs of Python each, and on SQLite one thread hop per statement
through aiosqlite) is most of a submission's time (``../shared/docs/performance-baselines.md``).
Here the same tables, columns and types are used — statements are built from the shared metadata
and compiled once — and values are converted by SQLAlchemy's own type processors, so a row written
here reads back through SQLAlchemy exactly as if SQLAlchemy had written it.

- SQLite: one writer thread per process with its own connection (WAL, ``BEGIN IMMEDIATE``); a
  read connection used on the event loop itself, since a WAL read of an indexed row costs
  microseconds and never waits for the writer.
- PostgreSQL: a small asyncpg pool of its own, with JSON codecs.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import json
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import asyncpg as pg_asyncpg
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_

from yiwang.kit import jsontext

# JSON columns are written as the SQLAlchemy engines write them (database.create_engine); on
# PostgreSQL the asyncpg codec below does it.
_SQLITE = sqlite.dialect(json_serializer=jsontext.dumps)
_POSTGRES = pg_asyncpg.dialect()

Row = dict[str, Any]


class IntegrityViolation(Exception):
    """A unique or other constraint refused a write (either driver)."""


class Query:
    """A SQLAlchemy Core statement (a SELECT, or a write with or without RETURNING) compiled
    once for the raw driver, with its parameters' encoders and its result's decoders."""

    def __init__(self, statement: sa.Executable, dialect: sa.Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.names = list(compiled.positiontup or [])
        self.encoders = [
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            if dialect.name == "sqlite"
            else None
            for name in self.names
        ]
        selected = list(getattr(statement, "exported_columns", []))
        self.columns = [c.key for c in selected]
        self.decoders = _decoders(selected, dialect)

        # The statement's own literals (LIMIT 1, 'valid'); a bindparam() without a value must
        # be given each time: a forgotten one is an error, not a NULL written.
        self.defaults = {
            name: value
            for name, value in compiled.params.items()
            if not compiled.binds[name].required
        }

    def params(self, values: dict[str, Any]) -> tuple[Any, ...]:
        """The positional parameters, encoded as SQLAlchemy would, from named values."""
        merged = self.defaults | values
        return tuple(
            merged[name] if encode is None or merged[name] is None else encode(merged[name])
            for name, encode in zip(self.names, self.encoders, strict=True)
        )

    def decode(self, record: Sequence[Any]) -> Row:
        """A result row as a dict, its values decoded as SQLAlchemy would."""
        return {
            name: (value if decode is None or value is None else decode(value))
            for name, decode, value in zip(self.columns, self.decoders, record, strict=True)
        }


def _decoders(columns: list[Any], dialect: sa.Dialect) -> list[Callable[[Any], Any] | None]:
    if dialect.name != "sqlite":
        return [None] * len(columns)  # asyncpg returns native values (JSON through its codec)
    return [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns]


class Insert:
    """A multi-row INSERT of one table for one set of columns, with SQLAlchemy's value encoders."""

    def __init__(self, table: sa.Table, columns: Sequence[str], dialect: sa.Dialect) -> None:
        # inline(): no RETURNING of generated keys, which executemany would only throw away.
        statement = sa.insert(table).inline()
        compiled = statement.compile(dialect=dialect, column_keys=list(columns))
        self.sql = str(compiled)
        self.columns = list(compiled.positiontup or [])
        if sorted(self.columns) != sorted(columns):
            raise ValueError(f"{table.name}: cannot insert exactly {sorted(columns)}")
        if dialect.name == "sqlite":
            self.encoders = [
                table.c[c].type.dialect_impl(dialect).bind_processor(dialect) for c in self.columns
            ]
        else:
            self.encoders = [None] * len(self.columns)

    def encode(self, rows: Sequence[Row]) -> list[tuple[Any, ...]]:
        """Rows (dicts) as positional, encoded parameter tuples."""
        out = []
        for row in rows:
            if len(row) != len(self.columns):
                raise ValueError(f"rows of one insert must share their columns: {sorted(row)}")
            out.append(
                tuple(
                    row[name] if encode is None or row[name] is None else encode(row[name])
                    for name, encode in zip(self.columns, self.encoders, strict=True)
                )
            )
        return out


def _check_no_python_defaults(table: sa.Table, columns: Sequence[str]) -> None:
    """A column left out must get its value from the database: a Python-side default
    (``default=``) would silently not apply here."""
    missing = [
        c.name
        for c in table.columns
        if c.name not in columns and c.default is not None and not c.primary_key
    ]
    if missing:
        raise ValueError(f"{table.name}: columns with Python defaults left out: {missing}")


class RawDatabase:
    """What the hot path needs of a database: decoded reads, and write transactions."""

    dialect: sa.Dialect

    def __init__(self) -> None:
        self._queries: dict[Any, Query] = {}
        self._inserts: dict[tuple[str, tuple[str, ...]], Insert] = {}
        self._lock = threading.Lock()

    def query(self, key: Any, build: Callable[[], sa.Executable]) -> Query:
        found = self._queries.get(key)
        if found is None:
            found = self._queries[key] = Query(build(), self.dialect)
        return found

    def insert(self, table: sa.Table, columns: Sequence[str]) -> Insert:
        key = (table.name, tuple(columns))
        with self._lock:  # the SQLite writer thread and the event loop both build them
            found = self._inserts.get(key)
            if found is None:
                _check_no_python_defaults(table, columns)
                found = self._inserts[key] = Insert(table, columns, self.dialect)
        return found

    async def fetch(self, query: Query, **values: Any) -> list[Row]:
        raise NotImplementedError

    async def run(self, work: Callable[[Any], Any], *, background: bool = False) -> Any:
        """Run ``await work(tx)`` in one write transaction and return its result; ``tx`` offers
        ``fetch`` (a SELECT, or a write with RETURNING), ``execute``, ``insert_rows`` and
        ``run_many`` (one statement per set of values). A constraint refusing a write raises
        ``IntegrityViolation``, with the whole transaction rolled back.

        ``background``: the work of a background pass (jobs, the audit sealer). On SQLite it
        takes its turn on the one writer thread like any other; on PostgreSQL it has write
        connections of its own, so that a submission group never waits behind it for one."""
        raise NotImplementedError

    async def read(self, work: Callable[[Any], Any]) -> Any:
        """Run ``await work(tx)`` on one read-only snapshot and return its result: the reads of
        a page that takes several (an application, its branches, its timeline) see the same
        moment. ``tx`` offers ``fetch`` and ``execute``; on SQLite, as on the writer thread,
        ``work`` must not wait on anything but them."""
        raise NotImplementedError

    async def close(self) -> None:
        raise NotImplementedError

    @staticmethod
    def for_url(url: str) -> RawDatabase:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            if not parsed.database or parsed.database == ":memory:":
                raise ValueError("the raw SQLite path needs a database file")
            return SqliteDatabase(Path(parsed.database))
        return PostgresDatabase(
            parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        )


LOCK_WAIT_SECONDS = 30.0


def _sqlite_connect(path: Path, *, query_only: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    for pragma in (
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=NORMAL",
        "PRAGMA foreign_keys=ON",
        "PRAGMA busy_timeout=30000",
    ):
        conn.execute(pragma)
    if query_only:  # the event loop's connection reads; a write there is a bug, refused
        conn.execute("PRAGMA query_only=ON")
    return conn


def begin_immediate(conn: sqlite3.Connection) -> None:
    """Take the write lock, asking again every millisecond or so.

    SQLite's own busy handler sleeps 1, 2, 5 … then 100 ms between tries, so a writer that
    arrives just after another took the lock may sleep 100 ms for a lock held for 2 — that, not
    the work, was the tail of a surge. The writer thread asks often instead (the event loop is
    never the one waiting), and gives up after ``LOCK_WAIT_SECONDS`` like busy_timeout would.
    """
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    pause = 0.0005
    conn.execute("PRAGMA busy_timeout=0")
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 1.5, 0.004)
    # Once the lock is held, the rare wait inside the transaction (a checkpoint) is SQLite's.
    conn.execute("PRAGMA busy_timeout=5000")


class SqliteTx:
    """The writer thread's open transaction. Its methods are coroutines that never suspend, so
    that one ``async def`` piece of work serves both drivers; the writer thread runs it to its
    end with ``run_to_end``."""

    def __init__(self, db: SqliteDatabase, conn: sqlite3.Connection) -> None:
        self.db, self.conn = db, conn

    async def fetch(self, query: Query, **values: Any) -> list[Row]:
        return [query.decode(r) for r in self.conn.execute(query.sql, query.params(values))]

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, params).fetchall()

    async def insert_rows(self, table: sa.Table, rows: Sequence[Row]) -> None:
        if rows:
            insert = self.db.insert(table, list(rows[0]))
            self.conn.executemany(insert.sql, insert.encode(rows))

    async def run_many(self, query: Query, values: Sequence[dict[str, Any]]) -> None:
        if values:
            self.conn.executemany(query.sql, [query.params(v) for v in values])


def run_to_end(coroutine: Any) -> Any:
    """Run a coroutine that awaits nothing that suspends (SqliteTx's methods) to its result: on
    the writer thread, or on the event loop for a read snapshot."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    coroutine.close()
    raise RuntimeError("work on a SQLite connection must not wait on the event loop")


class SqliteDatabase(RawDatabase):
    dialect = _SQLITE

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="yiwang-writer")
        self._write_conn: sqlite3.Connection | None = None
        self._read_conn: sqlite3.Connection | None = None
        self._closed = False

    def _reader(self) -> sqlite3.Connection:
        if self._closed:
            raise RuntimeError("the raw database is closed")
        if self._read_conn is None:
            self._read_conn = _sqlite_connect(self.path, query_only=True)
        return self._read_conn

    async def fetch(self, query: Query, **values: Any) -> list[Row]:
        # Autocommit: each read is its own snapshot and holds nothing afterwards.
        return [query.decode(r) for r in self._reader().execute(query.sql, query.params(values))]

    async def read(self, work: Callable[[Any], Any]) -> Any:
        # On the event loop, like `fetch`: a WAL read of indexed rows takes microseconds and
        # never waits for the writer. `work` runs to its end without suspending, so no other
        # coroutine uses the connection while its snapshot is open.
        conn = self._reader()
        conn.execute("BEGIN")
        try:
            return run_to_end(work(SqliteTx(self, conn)))
        finally:
            if conn.in_transaction:  # (SQLite may have ended it after an error of its own)
                conn.execute("ROLLBACK")

    def _connection(self) -> sqlite3.Connection:
        """The writer thread's connection (opened again after ``_abandon`` closed it)."""
        if self._write_conn is None:
            self._write_conn = _sqlite_connect(self.path)
        return self._write_conn

    def _transaction(self, work: Callable[[Any], Any], conn: sqlite3.Connection) -> Any:
        """``work`` in one write transaction on the writer thread (``run``'s, via ``run_sync``,
        which rolls back what an error leaves open)."""
        begin_immediate(conn)
        try:
            result = run_to_end(work(SqliteTx(self, conn)))
            conn.execute("COMMIT")  # (a deferred constraint refuses here)
        except sqlite3.IntegrityError as exc:
            raise IntegrityViolation(str(exc)) from exc
        return result

    def _abandon(self, conn: sqlite3.Connection) -> None:
        """Roll back; a connection that cannot even do that is closed, and the next group opens
        a fresh one (a failed COMMIT must not leave every later BEGIN refused)."""
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        except sqlite3.Error:
            conn.close()
            self._write_conn = None

    async def run(self, work: Callable[[Any], Any], *, background: bool = False) -> Any:
        return await self.run_sync(functools.partial(self._transaction, work))

    async def run_sync(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        """Run ``fn(connection)`` on the writer thread, in turn with the process's other writes.

        ``fn`` begins and ends its own transaction (``begin_immediate``, then COMMIT); one it
        leaves open by raising is rolled back. It runs in a copy of the caller's context, so
        that what it logs and audits carries the caller's request id."""
        if self._closed:
            raise RuntimeError("the raw database is closed")
        context = contextvars.copy_context()

        def call() -> Any:
            conn = self._connection()
            try:
                result = context.run(fn, conn)
                if conn.in_transaction:  # the next write could not even begin
                    raise RuntimeError("run_sync: the work left its transaction open")
            except BaseException:
                self._abandon(conn)
                raise
            return result

        return await asyncio.get_running_loop().run_in_executor(self._writer, call)

    async def close(self) -> None:
        self._closed = True

        def shut() -> None:
            if self._write_conn is not None:
                self._write_conn.close()
                self._write_conn = None

        await asyncio.get_running_loop().run_in_executor(self._writer, shut)
        self._writer.shutdown(wait=True)
        if self._read_conn is not None:
            self._read_conn.close()
            self._read_conn = None


class PostgresTx:
    """An open asyncpg transaction."""

    def __init__(self, db: PostgresDatabase, conn: Any) -> None:
        self.db, self.conn = db, conn

    async def fetch(self, query: Query, **values: Any) -> list[Row]:
        return [query.decode(r) for r in await self.conn.fetch(query.sql, *query.params(values))]

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(await self.conn.fetch(sql, *params))

    async def insert_rows(self, table: sa.Table, rows: Sequence[Row]) -> None:
        if rows:
            insert = self.db.insert(table, list(rows[0]))
            await self.conn.executemany(insert.sql, insert.encode(rows))

    async def run_many(self, query: Query, values: Sequence[dict[str, Any]]) -> None:
        if values:
            await self.conn.executemany(query.sql, [query.params(v) for v in values])


# Both engines' PostgreSQL sessions (database.create_engine uses these too):
# - a statement that runs away is stopped instead of holding locks, and a transaction left idle
#   (a crashed request) after a minute;
# - every execution of a prepared statement is planned for its values. Both drivers keep their
#   statements prepared for the connection's life, and PostgreSQL otherwise settles on one
#   generic plan after five runs: planned while a table is still small (a new deployment, the
#   first minutes after a restore) that plan is a sequential scan, and it stays one as the table
#   grows until the next ANALYZE. Measured: the idempotency lookup took 2 ms at 18,000
#   applications instead of 16 µs; planning each time costs about 10 µs of the server's CPU.
SERVER_SETTINGS = {
    "statement_timeout": "30000",
    "idle_in_transaction_session_timeout": "60000",
    "plan_cache_mode": "force_custom_plan",
}


async def _session_untouched(conn: Any) -> None:
    """What a connection needs on its way back to the pool: nothing more than asyncpg's own
    rollback of an unfinished transaction. Nothing here sets session variables, listens or
    takes session-level advisory locks, so the default ``RESET ALL; UNLISTEN *; …`` — a round
    trip on every release, three per submission — has nothing to undo."""


async def _json_codecs(conn: Any) -> None:
    for kind in ("json", "jsonb"):
        await conn.set_type_codec(
            kind,
            encoder=jsontext.dumps,
            decoder=json.loads,
            schema="pg_catalog",
        )


class PostgresDatabase(RawDatabase):
    dialect = _POSTGRES
    ACQUIRE_SECONDS = 10.0

    def __init__(self, dsn: str, *, readers: int = 8, writers: int = 2) -> None:
        super().__init__()
        self.dsn = dsn
        self.sizes = {"read": readers, "write": writers, "background": 2, "counters": 2}
        # Reads (sessions, staff, certificates), the writer's groups and the background passes
        # have pools of their own: a group never waits behind a crowd of reads, or behind the
        # job runner and the sealer, for a connection. Each pool opens on first use.
        self._pools: dict[str, Any] = {}
        self._opening = asyncio.Lock()
        self._closed = False

    async def _pool(self, purpose: str) -> Any:
        if self._closed:
            raise RuntimeError("the raw database is closed")
        pool = self._pools.get(purpose)
        if pool is None:
            async with self._opening:
                pool = self._pools.get(purpose)
                if pool is None:
                    import asyncpg

                    size = self.sizes[purpose]
                    pool = self._pools[purpose] = await asyncpg.create_pool(
                        self.dsn,
                        min_size=1,
                        max_size=size,
                        init=_json_codecs,
                        reset=_session_untouched,
                        command_timeout=30,
                        server_settings=SERVER_SETTINGS,
                    )
        return pool

    async def fetch(self, query: Query, **values: Any) -> list[Row]:
        return await self._fetch_on("read", query, values)

    async def _fetch_on(self, purpose: str, query: Query, values: dict[str, Any]) -> list[Row]:
        """One statement on a connection of that pool, outside any transaction of ours."""
        pool = await self._pool(purpose)
        async with pool.acquire(timeout=self.ACQUIRE_SECONDS) as conn:
            return [query.decode(r) for r in await conn.fetch(query.sql, *query.params(values))]

    async def read(self, work: Callable[[Any], Any]) -> Any:
        pool = await self._pool("read")
        async with (
            pool.acquire(timeout=self.ACQUIRE_SECONDS) as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            return await work(PostgresTx(self, conn))

    async def run(self, work: Callable[[Any], Any], *, background: bool = False) -> Any:
        import asyncpg

        pool = await self._pool("background" if background else "write")
        async with pool.acquire(timeout=self.ACQUIRE_SECONDS) as conn:
            try:
                async with conn.transaction():
                    return await work(PostgresTx(self, conn))
            except asyncpg.IntegrityConstraintViolationError as exc:
                raise IntegrityViolation(str(exc)) from exc

    async def take(self, query: Query, **values: Any) -> list[Row]:
        """One statement committed at once, on a small pool of its own: a day's counter taken
        (the 12345 ticket numbers) without holding its row until a longer transaction ends, and
        without waiting behind the submissions for a connection. ``TimeoutError`` when none is
        free in time."""
        return await self._fetch_on("counters", query, values)

    async def close(self) -> None:
        self._closed = True
        for pool in self._pools.values():
            await pool.close()
        self._pools.clear()


_beside: weakref.WeakKeyDictionary[sa.Engine, RawDatabase] = weakref.WeakKeyDictionary()


def beside(engine: AsyncEngine) -> RawDatabase:
    """The raw database on the same database as this engine: made on first use, closed when
    the engine is disposed. The process's submissions and its background passes (jobs,
    notifications, the audit sealer) write through it.

    On SQLite this keeps the write lock short. A transaction through the engine (aiosqlite)
    waits for a turn of the event loop between two statements while it holds the lock, tens of
    milliseconds in a surge, and every other writer waits with it; on the writer thread a
    transaction runs its SQL to the end and lets go, and the process's own writers take turns
    instead of competing for the lock.

    Drain the background passes (``background.drain``) before disposing of the engine: a pass
    still running would find this one closed."""
    sync = engine.sync_engine
    raw = _beside.get(sync)
    if raw is None:
        raw = _beside[sync] = RawDatabase.for_url(engine.url.render_as_string(hide_password=False))
        if not sa.event.contains(sync, "engine_disposed", _close_beside):
            sa.event.listen(sync, "engine_disposed", _close_beside)
    return raw


def _close_beside(sync: sa.Engine) -> None:
    # AsyncEngine.dispose runs the engine's own dispose in a greenlet: the close can be awaited.
    # (Only that dispose: yiwang never disposes the sync engine, nor with close=False.)
    raw = _beside.pop(sync, None)
    if raw is not None:
        await_(raw.close())
