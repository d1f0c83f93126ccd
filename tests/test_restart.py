"""After a crash: jobs a dead process committed but never ran, or claimed but never finished, run
on the next pass of whichever runner comes next, once each, and not before a claim's lease ends."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from yiwang import jobs
from yiwang.config import Settings
from yiwang.database import create_engine, transaction

pytestmark = pytest.mark.anyio

KIND = "test.restart"


@pytest.fixture
def calls() -> Iterator[list[int]]:
    """A job handler that records each run (by job id)."""
    seen: list[int] = []

    @jobs.handler(KIND)
    async def record(_engine: AsyncEngine, job_id: int, payload: dict) -> None:
        seen.append(job_id)

    yield seen
    jobs.HANDLERS.pop(KIND, None)


@pytest.fixture
async def next_process(settings: Settings, engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """The process that starts after the crash: an engine of its own on the same database."""
    other = create_engine(settings.database_url)
    yield other
    await jobs.drain(other)
    await other.dispose()


async def enqueue_and_die(engine: AsyncEngine, count: int = 1) -> None:
    """Commit jobs as a request would, then die before the after-commit runner starts."""
    async with transaction(engine, strict_audit=False) as db:
        for n in range(count):
            await jobs.enqueue(db, KIND, {"n": n})
        db.info["yiwang_tx"].after_commit.clear()  # the process is gone before its kick runs


async def job_rows(engine: AsyncEngine) -> list[sa.Row]:
    async with engine.connect() as conn:
        return list(
            (await conn.execute(sa.select(jobs.jobs).where(jobs.jobs.c.kind == KIND))).all()
        )


def aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


async def test_a_job_committed_but_never_run_runs_on_the_next_pass(
    engine: AsyncEngine, next_process: AsyncEngine, calls: list[int]
) -> None:
    await enqueue_and_die(engine)
    [job] = await job_rows(engine)
    assert job.status == "pending" and job.attempts == 0 and calls == []

    assert await jobs.run_pending(next_process) == 1
    [job] = await job_rows(engine)
    assert job.status == "done" and job.attempts == 1 and job.done_at is not None
    assert calls == [job.id]
    assert await jobs.run_pending(next_process) == 0
    assert calls == [job.id]


async def test_a_job_claimed_by_a_runner_that_died_runs_once_after_its_lease(
    engine: AsyncEngine, next_process: AsyncEngine, calls: list[int]
) -> None:
    await enqueue_and_die(engine)
    # The dying runner takes the job (run_after pushed on: its lease) and is killed before the
    # handler finishes: the row stays pending, with nothing to say the work was done.
    claimed = await jobs._claim(engine, 50)
    assert [row.kind for row in claimed] == [KIND]
    [job] = await job_rows(engine)
    lease_ends = aware(job.run_after)
    assert job.status == "pending" and job.attempts == 1
    assert lease_ends > dt.datetime.now(dt.UTC) + dt.timedelta(minutes=4)

    # While the lease holds, the next process leaves it alone: no second run beside the first.
    assert await jobs.run_pending(next_process) == 0
    assert calls == []
    [job] = await job_rows(engine)
    assert job.status == "pending" and aware(job.run_after) == lease_ends

    # Five minutes later (the clock moved by SQL, behind the platform's back): it runs, once.
    async with transaction(engine) as db:
        await db.execute(
            sa.update(jobs.jobs)
            .where(jobs.jobs.c.id == job.id)
            .values(run_after=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
        db.info["yiwang_tx"].exempt = True
    assert await jobs.run_pending(next_process) == 1
    [job] = await job_rows(engine)
    assert job.status == "done" and job.attempts == 2
    assert calls == [job.id]
    assert await jobs.run_pending(next_process) == 0
    assert calls == [job.id]


async def test_two_runners_after_a_restart_run_each_pending_job_once(
    engine: AsyncEngine, next_process: AsyncEngine, calls: list[int]
) -> None:
    # The restarted server and a `yiwang worker` both pick up what the crash left behind.
    await enqueue_and_die(engine, count=30)
    ran = await asyncio.gather(
        jobs.run_pending(engine, limit=7), jobs.run_pending(next_process, limit=7)
    )
    rows = await job_rows(engine)
    assert sum(ran) == 30
    assert sorted(calls) == sorted(row.id for row in rows)
    assert {row.status for row in rows} == {"done"}
    assert {row.attempts for row in rows} == {1}
