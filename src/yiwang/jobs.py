"""The job outbox: side effects written in the same transaction as the change that causes them,
run after commit, at least once, by the process that committed them or by `yiwang worker`.

Handlers are registered by kind in ``HANDLERS`` and must be idempotent: a job can run twice
(a crash between the work and marking it done), never zero times once it is committed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from yiwang import rawdb
from yiwang.background import Coalescer
from yiwang.database import BigId, Db, metadata, tx_state

log = logging.getLogger("yiwang.jobs")
MAX_ATTEMPTS = 8

jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending | done | failed
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("run_after", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_error", sa.Text),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("done_at", sa.DateTime(timezone=True)),
    sa.Index("ix_jobs_due", "status", "run_after"),
)

Handler = Callable[[AsyncEngine, int, dict[str, Any]], Awaitable[None]]
BatchHandler = Callable[[AsyncEngine, list[tuple[int, dict[str, Any]]]], Awaitable[None]]
HANDLERS: dict[str, Handler] = {}
BATCH_HANDLERS: dict[str, BatchHandler] = {}
LEASE = dt.timedelta(minutes=5)
"""How long a claimed job is left to its runner before another may take it (a crashed runner's
jobs come back after this); longer than any handler takes."""


def configure(*, lease_seconds: float) -> None:
    """Set the claim lease (``YIWANG_JOB_LEASE_SECONDS``)."""
    global LEASE
    LEASE = dt.timedelta(seconds=lease_seconds)


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of this kind."""

    def register(function: Handler) -> Handler:
        HANDLERS[kind] = function
        return function

    return register


def batch_handler(kind: str) -> Callable[[BatchHandler], BatchHandler]:
    """Register a function that runs many jobs of this kind at once (one transaction for all);
    if it fails, the jobs run one by one through the kind's plain handler."""

    def register(function: BatchHandler) -> BatchHandler:
        BATCH_HANDLERS[kind] = function
        return function

    return register


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def row(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A new job's row, for a writer that inserts rows itself (the submission path); it must call
    ``request_run`` after its commit."""
    now = _now()
    return {
        "kind": kind,
        "payload": payload,
        "status": "pending",
        "attempts": 0,
        "run_after": now,
        "created_at": now,
    }


_INSERT = sa.insert(jobs)  # built once: a statement's cache key is computed once


async def enqueue(db: Db, kind: str, payload: dict[str, Any]) -> None:
    """Write a job in the caller's transaction; it runs only if that transaction commits."""
    await db.execute(_INSERT, row(kind, payload))
    state = tx_state(db)
    engine = db.engine
    if not any(getattr(cb, "_yiwang_jobs", False) for cb in state.after_commit):

        def kick() -> None:
            request_run(engine)

        kick._yiwang_jobs = True  # type: ignore[attr-defined]
        state.after_commit.append(kick)


@dataclasses.dataclass(frozen=True)
class Claimed:
    """A job a runner has taken; ``attempts`` counts this run."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int


_WHEN = jobs.c.run_after.type


def _claim_statement(dialect: str, limit: int) -> sa.Update:
    due = (
        sa.select(jobs.c.id)
        .where(jobs.c.status == "pending", jobs.c.run_after <= sa.bindparam("now", type_=_WHEN))
        .order_by(jobs.c.id)
        .limit(limit)
    )
    if dialect == "postgresql":  # two runners never take the same job, nor wait for each other
        due = due.with_for_update(skip_locked=True)
    return (
        sa.update(jobs)
        .where(jobs.c.id.in_(due.scalar_subquery()))
        .values(run_after=sa.bindparam("lease_ends", type_=_WHEN), attempts=jobs.c.attempts + 1)
        .returning(jobs.c.id, jobs.c.kind, jobs.c.payload, jobs.c.attempts)
    )


_DONE = (
    sa.update(jobs)
    .where(jobs.c.id == sa.bindparam("job_id"))
    .values(status="done", done_at=sa.bindparam("now", type_=_WHEN), last_error=None)
)
_FAILED = (
    sa.update(jobs)
    .where(jobs.c.id == sa.bindparam("job_id"))
    .values(status="failed", last_error=sa.bindparam("error"))
)
_RETRY = (
    sa.update(jobs)
    .where(jobs.c.id == sa.bindparam("job_id"))
    .values(last_error=sa.bindparam("error"), run_after=sa.bindparam("again", type_=_WHEN))
)


async def _claim(engine: AsyncEngine, limit: int) -> list[Claimed]:
    """Take due jobs in one statement (SKIP LOCKED on PostgreSQL, the write lock on SQLite),
    pushing run_after on so that a crashed runner's jobs come back later (its lease)."""
    raw = rawdb.beside(engine)
    claim = raw.query(("jobs.claim", limit), lambda: _claim_statement(raw.dialect.name, limit))
    now = _now()

    async def work(tx: Any) -> list[dict[str, Any]]:
        return await tx.fetch(claim, now=now, lease_ends=now + LEASE)

    rows = await raw.run(work, background=True)
    return sorted((Claimed(**row) for row in rows), key=lambda job: job.id)


async def _finish(engine: AsyncEngine, outcomes: list[tuple[Claimed, str | None]]) -> None:
    """Record how the claimed jobs went, in one transaction: done, failed for good, or due
    again after a backoff."""
    raw = rawdb.beside(engine)
    now = _now()
    done, failed, retry = [], [], []
    for job, error in outcomes:
        if error is None:
            done.append({"job_id": job.id, "now": now})
        elif job.attempts >= MAX_ATTEMPTS:
            failed.append({"job_id": job.id, "error": error[:2000]})
        else:
            backoff = dt.timedelta(seconds=min(3600, 2**job.attempts))
            retry.append({"job_id": job.id, "error": error[:2000], "again": now + backoff})
    queries = [
        (raw.query("jobs.done", lambda: _DONE), done),
        (raw.query("jobs.failed", lambda: _FAILED), failed),
        (raw.query("jobs.retry", lambda: _RETRY), retry),
    ]

    async def work(tx: Any) -> None:
        for query, values in queries:
            await tx.run_many(query, values)

    await raw.run(work, background=True)


async def _run_one(engine: AsyncEngine, row: Claimed) -> str | None:
    function = HANDLERS.get(row.kind)
    try:
        if function is None:
            raise LookupError(f"no handler for job kind {row.kind}")
        await function(engine, row.id, row.payload)
    except Exception as exc:  # recorded on the job and retried with backoff
        log.exception("job %s (%s) failed", row.id, row.kind)
        return f"{exc.__class__.__name__}: {exc}"
    return None


async def run_pending(engine: AsyncEngine, *, limit: int = 100) -> int:
    """Run every job that is due now; returns how many ran (successfully or not).

    Jobs of one kind with a batch handler run together and are marked done together; others
    are marked done one by one as they finish, so that a crash re-runs as little as possible.
    """
    ran = 0
    while rows := await _claim(engine, limit):
        by_kind: dict[str, list[Claimed]] = {}
        for row in rows:
            by_kind.setdefault(row.kind, []).append(row)
        for kind, group in by_kind.items():
            many = BATCH_HANDLERS.get(kind)
            if many is not None and len(group) > 1:
                try:
                    await many(engine, [(row.id, row.payload) for row in group])
                except Exception:
                    log.exception("%d jobs of %s failed together: one by one", len(group), kind)
                else:
                    await _finish(engine, [(row, None) for row in group])
                    continue
            for row in group:
                await _finish(engine, [(row, await _run_one(engine, row))])
        ran += len(rows)
        if len(rows) < limit:
            break
    return ran


_runner = Coalescer("running jobs", run_pending, spacing=0.2)
request_run = _runner.request
drain = _runner.drain
