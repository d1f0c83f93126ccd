"""The workflow engine against a peer: the same bundle lifecycle through yiwang's engine and
through SpiffWorkflow (BPMN), state persisted after every step, in one run.

The lifecycle is 开餐馆一件事 (open-restaurant) from the demo catalogue: four department branches,
the food permit held back by `after:` until the business licence is approved, every task
approved until all four branches are. One *step* is one persisted transition — the start (the
fan-out) or one task's approval — and each step is one transaction of its own on the same
database, through the same engine and driver: yiwang.database.write_unit, as the staff
decision route runs it (on SQLite on the raw database's writer thread, through SQLAlchemy's
synchronous connection), strict audit off for both: the audit trail belongs to the
applications domain above the engine.

- yiwang: the real engine (yiwang.workflow.service) on the real tables (migrated to head). A
  step reads the application's tasks, approves the first open one (`decide`) and, when a branch
  is approved, releases the branches waiting for it (`release_waiting`), as the applications
  domain does.
- SpiffWorkflow: a BPMN process built from the same catalogue (a parallel gateway, one chain of
  user tasks per branch, the waiting branch chained after the one it waits for). A step loads
  the stored JSON, deserializes it, completes the first ready user task (its decision in the
  task data), runs the engine and stores `serialize_json(workflow)` in a table of its own —
  what a stateless server does per request. "Spiff, kept in memory" skips the load and the
  deserialization (the generous case: one process owning the workflow object).

Bytes per step, measured on one extra, untimed lifecycle of each engine: for yiwang the rows
the step inserted or changed (each written row counted whole, as a JSON object with its column
names); for SpiffWorkflow the length of the JSON it stored. On PostgreSQL also what the
database keeps for the same rows (pg_column_size, after TOAST compression). CPU ms is this
process's (aiosqlite's thread included, PostgreSQL's server not); SQL statements per step leave
BEGIN and COMMIT aside.

    .venv/bin/python benchmarks/workflow_peer.py --seconds 5      # SQLite, a temporary file
    .venv/bin/python benchmarks/workflow_peer.py --seconds 5 \\
        --database-url postgresql://postgres@127.0.0.1:5432/test  # a scratch database there
    .venv/bin/python benchmarks/workflow_peer.py --profile         # + where yiwang's time goes

With a PostgreSQL URL (or YIWANG_BENCH_DATABASE_URL) the run creates a scratch database on that
server and drops it afterwards; the database named in the URL is only used to connect.
SpiffWorkflow is a benchmark-only dependency: pip install -e '.[bench]'.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import dataclasses
import datetime as dt
import json
import os
import platform
import pstats
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from xml.sax.saxutils import quoteattr

import orjson
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BUNDLE, ROOT, admin  # noqa: E402 - the benchmarks' shared helpers

TODAY = dt.date(2026, 11, 26)  # a Thursday: deadlines are counted from it
OFFICER = "00000000-0000-4000-8000-0000000b0001"
COMMENT = "符合条件"
TARGET = 50.0  # yiwang's lifecycles/s over SpiffWorkflow's

# The peer's store: one row per workflow, its serialized JSON rewritten at every step.
spiff_workflows = sa.Table(
    "bench_spiff_workflows",
    sa.MetaData(),
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("state", sa.Text, nullable=False),
)

Probe = Callable[[str], Awaitable[None]]


@dataclasses.dataclass
class Context:
    """What both engines are given once, before the clock starts."""

    engine: AsyncEngine
    raw: Any  # yiwang.rawdb.RawDatabase on the same database
    memory: dict[str, bytes]  # the in-memory key-value store of the "no database" rows
    catalog: Any
    plans: list[Any]
    calendar: Any
    spec: Any
    subprocess_specs: Any
    serializer: Any


def bpmn_of(catalog: Any, bundle: Any) -> str:
    """The bundle as BPMN: a parallel gateway, one chain of user tasks per branch (its steps in
    the order `next` links them), a branch that waits chained after the one it waits for."""
    services = [catalog.services[code] for code in bundle.services]
    after = {code: list(pre) for code, pre in bundle.after.items()}
    dependents = {s.code: [d for d, pre in after.items() if s.code in pre] for s in services}
    nodes = ['<bpmn:startEvent id="start"/>', '<bpmn:parallelGateway id="fork"/>']
    flows: list[tuple[str, str]] = [("start", "fork")]
    first, last = {}, {}
    for service in services:
        steps = {step.code: step for step in service.workflow.steps}
        step, chain = service.workflow.steps[0], []
        while step is not None:
            task_id = f"t_{service.code}_{step.code}".replace("-", "_")
            nodes.append(f"<bpmn:userTask id={quoteattr(task_id)} name={quoteattr(step.code)}/>")
            chain.append(task_id)
            step = steps[step.next] if step.next else None
        flows += list(zip(chain, chain[1:], strict=False))
        first[service.code], last[service.code] = chain[0], chain[-1]
    nodes += ['<bpmn:parallelGateway id="join"/>', '<bpmn:endEvent id="end"/>']
    for service in services:
        pre = after.get(service.code, [])
        if not pre:
            flows.append(("fork", first[service.code]))
        elif len(pre) == 1 and dependents[pre[0]] == [service.code]:
            flows.append((last[pre[0]], first[service.code]))
        else:
            sys.exit(f"{bundle.code}: this benchmark models one-to-one `after:` waits only")
        if not dependents[service.code]:
            flows.append((last[service.code], "join"))
    flows.append(("join", "end"))
    edges = [
        f'<bpmn:sequenceFlow id="f{i}" sourceRef="{a}" targetRef="{b}"/>'
        for i, (a, b) in enumerate(flows)
    ]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'id="bench" targetNamespace="https://yiwang.invalid/bench">\n'
        '<bpmn:process id="bundle" isExecutable="true">\n'
        + "\n".join(nodes + edges)
        + "\n</bpmn:process>\n</bpmn:definitions>\n"
    )


# --- one lifecycle per engine ----------------------------------------------------------------


async def yiwang_lifecycle(ctx: Context, probe: Probe | None = None) -> int:
    """Start the bundle's branches, then approve every task, one transaction per step: through
    SQLAlchemy in a `write_unit`, as the staff decision route runs it."""
    from yiwang.database import write_unit
    from yiwang.workflow import service as workflow

    application_id = str(uuid.uuid4())
    await write_unit(
        ctx.engine,
        lambda db: workflow.start(
            db,
            application_id=application_id,
            plans=ctx.plans,
            today=TODAY,
            calendar=ctx.calendar,
        ),
        strict_audit=False,
    )
    steps = 1
    if probe:
        await probe(application_id)

    async def step(db: Any) -> int:
        """One approval, and the branches it releases; how many tasks are open after it."""
        open_tasks = [t for t in await workflow.history(db, application_id) if t.status == "open"]
        task = open_tasks[0]
        done = await workflow.decide(
            db,
            task_id=task.id,
            department_code=task.department_code,
            roles=[task.role],
            actor_id=OFFICER,
            decision="approve",
            comment=COMMENT,
            services=ctx.catalog.services,
            today=TODAY,
            calendar=ctx.calendar,
        )
        started: list[str] = []
        if done.branch_status == "approved":
            started = await workflow.release_waiting(
                db,
                application_id=application_id,
                services=ctx.catalog.services,
                today=TODAY,
                calendar=ctx.calendar,
            )
        # One task per step and per started branch (no 会签 officers): what is still open.
        return len(open_tasks) - 1 + (done.next_step is not None) + len(started)

    left = -1
    while left != 0:
        left = await write_unit(ctx.engine, step, strict_audit=False)
        steps += 1
        if probe:
            await probe(application_id)
    return steps


def spiff_start(ctx: Context) -> Any:
    """A new SpiffWorkflow instance of the bundle, run to its first user tasks."""
    from SpiffWorkflow.bpmn import BpmnWorkflow

    wf = BpmnWorkflow(ctx.spec, ctx.subprocess_specs)
    wf.do_engine_steps()
    return wf


def spiff_approve(wf: Any) -> None:
    """One step: the first ready user task approved (the decision in its data), the engine run
    on to the next user tasks."""
    from SpiffWorkflow.util.task import TaskState

    task = wf.get_next_task(state=TaskState.READY, manual=True)
    task.set_data(
        decision="approve",
        comment=COMMENT,
        decided_by=OFFICER,
        decided_at=dt.datetime.now(dt.UTC).isoformat(),
    )
    task.run()
    wf.do_engine_steps()


async def spiff_lifecycle(ctx: Context, *, reload: bool, probe: Probe | None = None) -> int:
    """The same lifecycle in SpiffWorkflow, the serialized workflow stored after every step
    (through SQLAlchemy in a `write_unit`, as yiwang's)."""
    from yiwang.database import write_unit

    workflow_id = str(uuid.uuid4())
    serializer = ctx.serializer
    wf = spiff_start(ctx)

    async def create(db: Any) -> None:
        state = serializer.serialize_json(wf)
        await db.execute(sa.insert(spiff_workflows).values(id=workflow_id, state=state))

    await write_unit(ctx.engine, create, strict_audit=False)
    steps = 1
    if probe:
        await probe(workflow_id)
    stored = spiff_workflows.c.id == workflow_id

    async def step(db: Any) -> Any:
        current = wf
        if reload:
            query = sa.select(spiff_workflows.c.state).where(stored)
            current = serializer.deserialize_json((await db.execute(query)).scalar_one())
        spiff_approve(current)
        state = serializer.serialize_json(current)
        await db.execute(sa.update(spiff_workflows).where(stored).values(state=state))
        return current

    while not wf.is_completed():
        wf = await write_unit(ctx.engine, step, strict_audit=False)
        steps += 1
        if probe:
            await probe(workflow_id)
    return steps


async def yiwang_raw_lifecycle(ctx: Context) -> int:
    """yiwang's engine on the raw driver (`workflow.store`): the same rules (`workflow.machine`),
    one transaction per step. The officer picks the first task still open, as above."""
    from yiwang.workflow import service as workflow
    from yiwang.workflow import store
    from yiwang.workflow.models import branches, tasks

    raw = ctx.raw
    branch_rows, open_tasks = await workflow.plan_start(
        application_id=str(uuid.uuid4()), plans=ctx.plans, today=TODAY, calendar=ctx.calendar
    )

    async def fan_out(tx: Any) -> None:
        await tx.insert_rows(branches, branch_rows)
        await tx.insert_rows(tasks, open_tasks)

    await raw.run(fan_out)
    steps = 1
    while open_tasks:
        task = open_tasks.pop(0)

        async def step(tx: Any, task: dict[str, Any] = task) -> list[dict[str, Any]]:
            _, opened = await store.decide(
                raw,
                tx,
                task_id=task["id"],
                department_code=task["department_code"],
                roles=[task["role"]],
                actor_id=OFFICER,
                decision="approve",
                comment=COMMENT,
                services=ctx.catalog.services,
                today=TODAY,
                calendar=ctx.calendar,
            )
            return opened

        open_tasks += await raw.run(step)
        steps += 1
    return steps


async def spiff_raw_lifecycle(ctx: Context) -> int:
    """SpiffWorkflow with the same store on the raw driver: a step loads the stored JSON,
    deserializes it, completes the first ready user task, serializes it back and stores it,
    in one transaction (what a stateless server does per request)."""
    raw, serializer = ctx.raw, ctx.serializer
    pg = raw.dialect.name == "postgresql"
    load = raw.query(
        ("bench.spiff.load", pg),
        lambda: (
            sa.select(spiff_workflows.c.state)
            .where(spiff_workflows.c.id == sa.bindparam("id"))
            .with_for_update(nowait=False)
            if pg
            else sa.select(spiff_workflows.c.state).where(
                spiff_workflows.c.id == sa.bindparam("id")
            )
        ),
    )
    save = raw.query(
        "bench.spiff.save",
        lambda: (
            sa.update(spiff_workflows)
            .where(spiff_workflows.c.id == sa.bindparam("id"))
            .values(state=sa.bindparam("state"))
        ),
    )
    workflow_id = str(uuid.uuid4())
    wf = spiff_start(ctx)
    first = {"id": workflow_id, "state": serializer.serialize_json(wf)}

    async def create(tx: Any) -> None:
        await tx.insert_rows(spiff_workflows, [first])

    await raw.run(create)
    steps = 1

    async def step(tx: Any) -> bool:
        wf = serializer.deserialize_json((await tx.fetch(load, id=workflow_id))[0]["state"])
        spiff_approve(wf)
        await tx.fetch(save, id=workflow_id, state=serializer.serialize_json(wf))
        return bool(wf.is_completed())

    while not await raw.run(step):
        steps += 1
    return steps + 1


# The JSON of both "no database" lanes: orjson (the library yiwang writes its JSON with) for
# yiwang's rows and for the dictionary SpiffWorkflow's serializer makes of a workflow — the same
# dictionary its serialize_json hands to the standard library.
_dumps = orjson.dumps
_loads = orjson.loads


def spiff_dumps(serializer: Any, wf: Any) -> bytes:
    return _dumps(serializer.to_dict(wf))


def spiff_loads(serializer: Any, document: bytes) -> Any:
    return serializer.from_dict(_loads(document))


async def yiwang_memory_lifecycle(ctx: Context) -> int:
    """The engine alone (`workflow.machine`), no database: every row a step changes is written
    as JSON to a key-value store in memory, with the application's index (its branches, the
    open tasks per step), and each step reads what it needs back from it — stateless, as a
    server would be."""
    from yiwang.workflow import machine
    from yiwang.workflow import service as workflow

    kv = ctx.memory
    application_id = str(uuid.uuid4())
    branch_rows, open_tasks = await workflow.plan_start(
        application_id=application_id, plans=ctx.plans, today=TODAY, calendar=ctx.calendar
    )
    for row in branch_rows + open_tasks:
        kv[row["id"]] = _dumps(row)
    # The application's index: its branches, and how many tasks each branch's step has open.
    index: dict[str, Any] = {"branches": [b["id"] for b in branch_rows], "open": {}}
    for t in open_tasks:
        key = f"{t['branch_id']}/{t['step_code']}"
        index["open"][key] = index["open"].get(key, 0) + 1
    kv[application_id] = _dumps(index)
    steps = 1
    while open_tasks:
        picked = open_tasks.pop(0)
        index = _loads(kv[application_id])
        task = _loads(kv[picked["id"]])
        key = f"{task['branch_id']}/{task['step_code']}"
        done, writes = machine.decide(
            task=task,
            branch=_loads(kv[task["branch_id"]]),
            open_in_step=index["open"].get(key, 0),
            department_code=task["department_code"],
            roles=[task["role"]],
            actor_id=OFFICER,
            decision="approve",
            comment=COMMENT,
            service=ctx.catalog.services[task["service_code"]],
            today=TODAY,
            calendar=ctx.calendar,
        )
        if done.branch_status == "approved":
            rows = [_loads(kv[i]) for i in index["branches"]]
            for waiting in machine.releasable(machine.after(rows, writes)):
                service = ctx.catalog.services[waiting["service_code"]]
                writes.add(machine.release(waiting, service, TODAY, ctx.calendar))
        if writes.cancel_open_of:
            sys.exit("this lifecycle only approves: nothing is cancelled")
        for task_id, values in writes.closed:
            kv[task_id] = _dumps({**task, **values})
            index["open"][key] -= 1
        for branch_id, values in writes.branches:
            kv[branch_id] = _dumps({**_loads(kv[branch_id]), **values})
        for row in writes.tasks:
            kv[row["id"]] = _dumps(row)
            opened = f"{row['branch_id']}/{row['step_code']}"
            index["open"][opened] = index["open"].get(opened, 0) + 1
        kv[application_id] = _dumps(index)
        open_tasks += writes.tasks
        steps += 1
    return steps


async def spiff_memory_lifecycle(ctx: Context) -> int:
    """SpiffWorkflow alone, no database: its serialized JSON kept in the same in-memory store,
    read back and deserialized at every step."""
    kv, serializer = ctx.memory, ctx.serializer
    workflow_id = str(uuid.uuid4())
    wf = spiff_start(ctx)
    kv[workflow_id] = spiff_dumps(serializer, wf)
    steps = 1
    while not wf.is_completed():
        wf = spiff_loads(serializer, kv[workflow_id])
        spiff_approve(wf)
        kv[workflow_id] = spiff_dumps(serializer, wf)
        steps += 1
    return steps


ENGINES: dict[str, Callable[[Context], Awaitable[int]]] = {
    "yiwang": yiwang_lifecycle,
    "SpiffWorkflow": lambda ctx: spiff_lifecycle(ctx, reload=True),
    "SpiffWorkflow, kept in memory": lambda ctx: spiff_lifecycle(ctx, reload=False),
    "yiwang, raw driver": yiwang_raw_lifecycle,
    "SpiffWorkflow, raw driver": spiff_raw_lifecycle,
    "yiwang, no database": yiwang_memory_lifecycle,
    "SpiffWorkflow, no database": spiff_memory_lifecycle,
}
PEER = {  # what each yiwang row is compared with: the same store, the same driver
    "yiwang": "SpiffWorkflow",
    "yiwang, raw driver": "SpiffWorkflow, raw driver",
    "yiwang, no database": "SpiffWorkflow, no database",
}
OURS = {peer: ours for ours, peer in PEER.items()} | {"SpiffWorkflow, kept in memory": "yiwang"}
OURS |= {name: name for name in PEER}


# --- bytes per step ----------------------------------------------------------------------------


async def yiwang_bytes(ctx: Context) -> dict[str, list[int]]:
    """Bytes of the rows each step inserted or changed (JSON; on PostgreSQL also stored)."""
    from yiwang.database import transaction
    from yiwang.workflow.models import branches, tasks

    pg = ctx.engine.dialect.name == "postgresql"
    seen: dict[str, tuple[int, int, int]] = {}
    per_step: dict[str, list[int]] = {"json": [], "stored": []}

    async def probe(application_id: str) -> None:
        now: dict[str, tuple[int, int, int]] = {}
        async with transaction(ctx.engine, write=False) as db:
            for table in (branches, tasks):
                size = (
                    sa.func.pg_column_size(sa.literal_column(f"{table.name}.*"))
                    if pg
                    else sa.literal(0)
                )
                query = sa.select(table, size.label("stored_size")).where(
                    table.c.application_id == application_id
                )
                for row in (await db.execute(query)).all():
                    values = {k: v for k, v in row._mapping.items() if k != "stored_size"}
                    encoded = json.dumps(values, default=str, ensure_ascii=False).encode()
                    now[f"{table.name}:{row.id}"] = (len(encoded), row.stored_size, hash(encoded))
        written = [v for k, v in now.items() if seen.get(k) != v]
        per_step["json"].append(sum(v[0] for v in written))
        per_step["stored"].append(sum(v[1] for v in written))
        seen.clear()
        seen.update(now)

    await yiwang_lifecycle(ctx, probe)
    return per_step


async def spiff_bytes(ctx: Context) -> dict[str, list[int]]:
    """Bytes of the JSON each step stored (on PostgreSQL also what the database keeps of it)."""
    from yiwang.database import transaction

    pg = ctx.engine.dialect.name == "postgresql"
    per_step: dict[str, list[int]] = {"json": [], "stored": [], "spec": []}
    state = spiff_workflows.c.state

    async def probe(workflow_id: str) -> None:
        stored = sa.func.pg_column_size(state) if pg else sa.literal(0)
        query = sa.select(state, stored).where(spiff_workflows.c.id == workflow_id)
        async with transaction(ctx.engine, write=False) as db:
            text, size = (await db.execute(query)).one()
        per_step["json"].append(len(text.encode()))
        per_step["stored"].append(size)
        document = json.loads(text)
        spec_part = {k: document[k] for k in ("spec", "subprocess_specs")}
        per_step["spec"].append(len(json.dumps(spec_part).encode()))
        if document["completed"]:  # the stored state, read back, is a finished workflow
            assert ctx.serializer.deserialize_json(text).is_completed()

    await spiff_lifecycle(ctx, reload=True, probe=probe)
    return per_step


# --- the run -------------------------------------------------------------------------------------


async def statements_per_step(
    ctx: Context, lifecycle: Callable[[Context], Awaitable[int]]
) -> float:
    """SQL statements one lifecycle sends (BEGIN and COMMIT aside), per step: counted by
    SQLAlchemy's cursor event, and on the raw driver by its transactions' three verbs."""
    from yiwang import rawdb

    count = 0

    def counted(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        nonlocal count
        count += not statement.lstrip().upper().startswith("BEGIN")

    patched = []
    for tx in (rawdb.SqliteTx, rawdb.PostgresTx):
        for verb in ("fetch", "execute", "insert_rows"):
            original = getattr(tx, verb)

            async def counting(self: Any, *args: Any, _original: Any = original, **kw: Any) -> Any:
                nonlocal count
                count += 1
                return await _original(self, *args, **kw)

            patched.append((tx, verb, original))
            setattr(tx, verb, counting)
    # Every engine's: `write_unit` runs SQLAlchemy's statements through an engine of its own.
    event.listen(sa.engine.Engine, "before_cursor_execute", counted)
    try:
        steps = await lifecycle(ctx)
    finally:
        event.remove(sa.engine.Engine, "before_cursor_execute", counted)
        for tx, verb, original in patched:
            setattr(tx, verb, original)
    return count / steps


async def measure(
    ctx: Context, *, seconds: float, rounds: int, concurrency: int
) -> dict[str, dict[str, Any]]:
    """Each engine in turn for seconds/rounds, `rounds` times, with `concurrency` lifecycles in
    flight at once; lifecycles/s over the total."""
    results = {name: {"lifecycles": 0, "steps": 0, "wall": 0.0, "cpu": 0.0} for name in ENGINES}
    for run in ENGINES.values():  # warm-up: caches, the statement cache, the pool
        for _ in range(3):
            await run(ctx)
    for _ in range(rounds):
        for name, run in ENGINES.items():
            result = results[name]
            ctx.memory.clear()  # the in-memory store holds one turn's lifecycles at most
            started, cpu = time.perf_counter(), time.process_time()
            deadline = started + seconds / rounds

            async def lane(
                run: Any = run, result: dict[str, Any] = result, deadline: float = deadline
            ) -> None:
                while time.perf_counter() < deadline:
                    steps = await run(ctx)  # (not `+= await`: the lanes would lose updates)
                    result["steps"] += steps
                    result["lifecycles"] += 1

            await asyncio.gather(*(lane() for _ in range(concurrency)))
            result["wall"] += time.perf_counter() - started
            result["cpu"] += time.process_time() - cpu
    for result in results.values():
        result["lifecycles_per_s"] = result["lifecycles"] / result["wall"]
        result["steps_per_lifecycle"] = result["steps"] / result["lifecycles"]
        result["ms_per_lifecycle"] = 1000 * result["wall"] / result["lifecycles"]
        result["cpu_ms_per_lifecycle"] = 1000 * result["cpu"] / result["lifecycles"]
    return results


async def check_yiwang_finished(ctx: Context) -> int:
    """Every branch yiwang started is approved and no task is left open; how many branches."""
    from yiwang.database import transaction
    from yiwang.workflow.models import branches, tasks

    async with transaction(ctx.engine, write=False) as db:
        by_status = dict(
            (
                await db.execute(
                    sa.select(branches.c.status, sa.func.count()).group_by(branches.c.status)
                )
            ).all()
        )
        open_tasks = (
            await db.execute(sa.select(sa.func.count()).where(tasks.c.status == "open"))
        ).scalar_one()
    if set(by_status) != {"approved"} or open_tasks:
        sys.exit(f"yiwang left unfinished work: branches {by_status}, open tasks {open_tasks}")
    return int(by_status["approved"])


# Where yiwang's time goes, for --profile: the first bucket whose pattern a function matches.
BUCKETS = [
    ("event loop idle: waiting for the database (and aiosqlite's thread)", "select.epoll"),
    ("SQLAlchemy: building statements, cache keys", "sqlalchemy/sql/"),
    ("SQLAlchemy: async bridge (greenlet)", "util/concurrency|greenlet|ext/asyncio"),
    ("SQLAlchemy: execution, results, pool", "sqlalchemy/"),
    ("driver, Python side (aiosqlite / asyncpg)", "aiosqlite/|asyncpg/"),
    ("driver: sqlite3 (the writer thread)", "sqlite3.Connection|sqlite3.Cursor"),
    ("waiting for the writer thread / for work on it", "threading.py|concurrent/futures"),
    (
        "asyncio: scheduling, wake-ups, hand-offs to the driver",
        "asyncio/|selectors.py|_queue|socket",
    ),
    ("yiwang workflow code", "yiwang/workflow/"),
    ("working-day calendar", "yiwang/kit/workdays|chinese_calendar"),
    ("yiwang transaction wrapper", "yiwang/database"),
]


async def profile_yiwang(ctx: Context, seconds: float) -> list[tuple[str, float]]:
    """cProfile over yiwang lifecycles, on this thread and (SQLite) on the writer thread that
    runs each `write_unit`: share of time per bucket."""
    from yiwang import rawdb

    profiler, on_writer = cProfile.Profile(), cProfile.Profile()
    writer = rawdb.beside(ctx.engine)
    sqlite = isinstance(writer, rawdb.SqliteDatabase)
    if sqlite:  # a profiler is per thread: enabled there, it stays on for the thread's work
        await writer.run_sync(lambda _conn: on_writer.enable())
    deadline = time.perf_counter() + seconds
    profiler.enable()
    while time.perf_counter() < deadline:
        await yiwang_lifecycle(ctx)
    profiler.disable()
    stats = pstats.Stats(profiler)
    if sqlite:
        await writer.run_sync(lambda _conn: on_writer.disable())
        stats.add(on_writer)
    shares: dict[str, float] = {}
    total = 0.0
    rows = stats.stats  # type: ignore[attr-defined]
    for (filename, _, function), (_, _, tottime, _, _) in rows.items():
        where = f"{filename}:{function}"
        name = next(
            (n for n, pattern in BUCKETS if any(p in where for p in pattern.split("|"))),
            "other",
        )
        shares[name] = shares.get(name, 0.0) + tottime
        total += tottime
    return sorted(((n, t / total) for n, t in shares.items()), key=lambda x: -x[1])


async def statement_cost(ctx: Context, count: int = 2000) -> dict[str, float]:
    """Microseconds for one of yiwang's reads (a task by id, as task_for_update builds it):
    through SQLAlchemy Core as the engine runs it, and the same SQL on the raw driver."""
    from yiwang.database import transaction
    from yiwang.workflow.models import tasks

    pg = ctx.engine.dialect.name == "postgresql"
    raw_sql = "SELECT * FROM tasks WHERE id = $1" if pg else "SELECT * FROM tasks WHERE id = ?"
    async with transaction(ctx.engine, write=False) as db:
        ids = list((await db.execute(sa.select(tasks.c.id).limit(100))).scalars())
        started = time.perf_counter()
        for i in range(count):
            query = sa.select(tasks).where(tasks.c.id == ids[i % len(ids)])
            (await db.execute(query)).first()
        through_sa = time.perf_counter() - started
        driver = (await db.get_raw_connection()).driver_connection
        started = time.perf_counter()
        for i in range(count):
            if pg:
                await driver.fetchrow(raw_sql, ids[i % len(ids)])
            else:
                cursor = await driver.execute(raw_sql, (ids[i % len(ids)],))
                await cursor.fetchone()
        raw = time.perf_counter() - started
    return {"sqlalchemy_us": 1e6 * through_sa / count, "driver_us": 1e6 * raw / count}


async def run(database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    from SpiffWorkflow.bpmn.parser import BpmnParser
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer

    from yiwang.catalog.loader import load_catalog
    from yiwang.database import create_engine
    from yiwang.kit.workdays import WorkdayCalendar
    from yiwang.rawdb import PostgresDatabase, RawDatabase
    from yiwang.workflow import service as workflow

    catalog = load_catalog(ROOT / "definitions")
    bundle = catalog.bundles[BUNDLE]
    plans = [
        workflow.BranchPlan(catalog.services[code], tuple(bundle.after.get(code, ())))
        for code in bundle.services
    ]
    parser = BpmnParser()
    parser.add_bpmn_str(bpmn_of(catalog, bundle).encode())
    engine = create_engine(database_url)
    raw = RawDatabase.for_url(database_url)
    if isinstance(raw, PostgresDatabase):  # as many connections as lanes, like the engine's pool
        raw = PostgresDatabase(raw.dsn, readers=1, writers=max(args.concurrency))
    ctx = Context(
        engine=engine,
        raw=raw,
        memory={},
        catalog=catalog,
        plans=plans,
        calendar=WorkdayCalendar(),
        spec=parser.get_spec("bundle"),
        subprocess_specs=parser.get_subprocess_specs("bundle"),
        serializer=BpmnWorkflowSerializer(),
    )
    try:
        async with engine.begin() as conn:
            await conn.run_sync(spiff_workflows.metadata.create_all)
        sizes = {"yiwang": await yiwang_bytes(ctx), "SpiffWorkflow": await spiff_bytes(ctx)}
        if len(sizes["yiwang"]["json"]) != len(sizes["SpiffWorkflow"]["json"]):
            sys.exit(f"the engines took different numbers of steps: {sizes}")
        statements = {name: await statements_per_step(ctx, run) for name, run in ENGINES.items()}
        by_level = {}
        for level in args.concurrency:
            results = await measure(
                ctx, seconds=args.seconds, rounds=args.rounds, concurrency=level
            )
            for name, result in results.items():
                result["statements_per_step"] = statements[name]
            by_level[level] = results
        branches = await check_yiwang_finished(ctx)
        ours = ["yiwang", "yiwang, raw driver"]  # the rows that write to the database
        expected = 4 * (
            sum(r[name]["lifecycles"] + 3 for r in by_level.values() for name in ours)
            + len(ours)  # one lifecycle each to count statements
            + 1  # the bytes probe
        )
        if branches != expected:
            sys.exit(f"yiwang: {branches} branches approved, expected {expected}")
        profile = None
        if args.profile:
            profile = {
                "buckets": await profile_yiwang(ctx, args.seconds),
                "statement": await statement_cost(ctx),
            }
    finally:
        await raw.close()
        await engine.dispose()
    return {"by_concurrency": by_level, "bytes_per_step": sizes, "profile": profile}


# --- scratch databases, output ------------------------------------------------------------


def migrate(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


def mean(values: list[int]) -> float:
    return sum(values) / len(values) if values else 0.0


def report(out: dict[str, Any], backend: str, pg: bool) -> None:
    sizes = out["bytes_per_step"]
    stored_head = " | bytes/step stored" if pg else ""
    verdicts = []
    for level, results in out["by_concurrency"].items():
        print(
            f"\n| {BUNDLE}, {backend}, 1 process, {level} in flight | lifecycles/s "
            f"| yiwang × | steps/lifecycle | ms/lifecycle | CPU ms/lifecycle "
            f"| SQL statements/step | bytes/step (JSON){stored_head} |"
        )
        print(f"| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---:{' | ---:' if pg else ''} |")
        for name, result in results.items():
            size = sizes["yiwang" if name.startswith("yiwang") else "SpiffWorkflow"]
            stored = f" | {mean(size['stored']):,.0f}" if pg else ""
            ours = results[OURS[name]]
            print(
                f"| {name} | {result['lifecycles_per_s']:,.1f} "
                f"| {ours['lifecycles_per_s'] / result['lifecycles_per_s']:.1f} "
                f"| {result['steps_per_lifecycle']:.0f} "
                f"| {result['ms_per_lifecycle']:.2f} | {result['cpu_ms_per_lifecycle']:.2f} "
                f"| {result['statements_per_step']:.1f} | {mean(size['json']):,.0f}{stored} |"
            )
        for name, peer in PEER.items():
            ratio = results[name]["lifecycles_per_s"] / results[peer]["lifecycles_per_s"]
            verdicts.append(f"{name} against {peer}, {level} in flight: {ratio:.1f}×")
    print("\n(`yiwang ×`: the yiwang row on the same store and driver over this row.)")
    print("\nBytes written per step (step 0 = start; the raw driver writes the same rows):")
    for name, size in sizes.items():
        print(f"- {name}, JSON: {size['json']}")
        if pg:
            print(f"- {name}, stored by PostgreSQL: {size['stored']}")
    spec = mean(sizes["SpiffWorkflow"]["spec"])
    print(f"- of SpiffWorkflow's JSON, the process spec it carries: {spec:,.0f} bytes per step")
    print(f"\nTarget ≥ {TARGET:.0f}× SpiffWorkflow's rate:")
    for verdict in verdicts:
        ratio = float(verdict.rsplit(" ", 1)[1].rstrip("×"))
        print(f"- {verdict} — {'met' if ratio >= TARGET else 'NOT met'}")
    if out["profile"]:
        print("\n| where yiwang's time goes (cProfile, main thread) | share |")
        print("| --- | ---: |")
        for name, share in out["profile"]["buckets"]:
            print(f"| {name} | {share:.0%} |")
        cost = out["profile"]["statement"]
        print(
            f"\nOne of yiwang's reads (a task by id): {cost['sqlalchemy_us']:,.0f} µs through "
            f"SQLAlchemy Core async, {cost['driver_us']:,.0f} µs on the raw driver."
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("YIWANG_BENCH_DATABASE_URL", ""),
        help="PostgreSQL server (a scratch database is made there), or a new SQLite file; "
        "default a temporary SQLite file",
    )
    parser.add_argument("--seconds", type=float, default=10, help="measured seconds per engine")
    parser.add_argument("--rounds", type=int, default=5, help="turns the engines take")
    parser.add_argument(
        "--concurrency",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[1, 16],
        help="lifecycles in flight at once, one table per level (default 1,16)",
    )
    parser.add_argument("--profile", action="store_true", help="also profile yiwang's engine")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="yiwang-bench-workflow-"))
    url, scratch = args.database_url, None
    if url.startswith("postgres"):
        scratch = f"yiwang_bench_workflow_{uuid.uuid4().hex[:8]}"
        asyncio.run(admin(url, f'CREATE DATABASE "{scratch}"'))
        url = urlunsplit(urlsplit(url)._replace(path=f"/{scratch}"))
    elif url:
        path = sa.make_url(url).database
        if not path or Path(path).exists():
            sys.exit(f"{url}: give a SQLite file that does not exist yet")
    else:
        url = f"sqlite:///{workdir / 'bench.db'}"
    backend = "PostgreSQL" if scratch else "SQLite"
    try:
        migrate(url)
        out = asyncio.run(run(url, args))
    finally:
        if scratch:
            asyncio.run(admin(args.database_url, f'DROP DATABASE "{scratch}" WITH (FORCE)'))
        shutil.rmtree(workdir, ignore_errors=True)
    report(out, backend, pg=bool(scratch))
    if args.json:
        out["setup"] = {
            "backend": backend,
            "bundle": BUNDLE,
            "seconds_per_engine": args.seconds,
            "rounds": args.rounds,
            "python": platform.python_version(),
            "versions": {
                name: version(name)
                for name in ("SpiffWorkflow", "SQLAlchemy", "aiosqlite", "asyncpg", "lxml")
            },
            "cpu": platform.processor() or platform.machine(),
        }
        args.json.write_text(json.dumps(out, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
