"""Submission throughput: POST /api/v1/applications for 开餐馆一件事 (open-restaurant, four
departments) at rising concurrency, against the ceiling of the same durable writes on this machine.

1. yiwang: a scratch database migrated and seeded as ``make run`` does (``yiwang migrate``,
   ``seed-demo``, ``complaints retrain --if-missing``), ``yiwang serve --workers N``. citizen1
   signs in; --forms request bodies are built from the bundle's merged form (GET
   /api/v1/bundles/open-restaurant, tests/applications/helpers.py ``answers``), with names,
   addresses, numbers, phone numbers and choices varied; each is submitted once by hand (it must
   answer 201) and the rows one submission added, table by table, are counted (after the
   after-commit work: the outbox job and the audit seal).
2. The baseline: benchmarks/baseline_app.py under uvicorn with the same worker count, on a scratch
   database of its own migrated by yiwang's alembic, writing the rows yiwang wrote for one of
   those submissions (same tables, shape and size) in one transaction with the fastest driver
   (stdlib sqlite3 or raw asyncpg), no framework logic. Its rows per submission are counted too.
3. For each --levels concurrency, on each server: wrk (-t2, --timeout 30 s) for --seconds, each
   request with an Idempotency-Key of its own (run-server-level-thread-counter) and one of the
   bodies in turn. Per level: applications/s (201s that were not replays), p50/p90/p99 (wrk's
   Lua ``done``), 503s and other answers, and CPU: the server's process tree (utime + stime from
   /proc, uvicorn's workers included) from the start of wrk until yiwang's background work is
   drained (no pending job, no unsealed audit row), per application; PostgreSQL's processes too
   on PostgreSQL, and wrk's own.
4. Nothing lost: every 201's tracking number (wrk writes them down per thread) must be a stored
   application with that level's keys; the run fails (exit 1) if one is not, or if a 201 had no
   tracking number. Stored rows whose answer wrk never read (in flight when wrk stopped) are
   counted, not failed.

It prints Markdown tables (yiwang and the baseline per level, yiwang as a ratio of the baseline
at the same level and of the best baseline level, the ceiling) and writes --json and --svg.

    .venv/bin/python benchmarks/submission.py                          # SQLite, 1 worker
    .venv/bin/python benchmarks/submission.py --workers 2 --levels 8,32,64 --seconds 15 \\
        --svg /tmp/submission.svg --json /tmp/submission.json
    .venv/bin/python benchmarks/submission.py \\
        --database-url postgresql://postgres@127.0.0.1:5432/postgres     # scratch databases there

With a PostgreSQL URL the run creates two scratch databases on that server (yiwang's and the
baseline's) and drops them afterwards; the database named in the URL is only used to connect.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BUNDLE, CITIZEN, PASSWORD, ROOT, TICKS, YIWANG, free_port, machine, svg_grid  # noqa: E402 - the benchmarks' shared helpers

HERE = Path(__file__).resolve().parent

# wrk: a distinct Idempotency-Key per request, the bodies in turn; every 201's number (the
# NUMBER field of the answer, tracking_no unless the script sets it) written to a file per
# thread; counts and exact percentiles printed by done() as one JSON line. A replay is a 201 or a
# 200 marked Idempotent-Replayed. (hotline.py uses it too, for tickets.)
SUBMIT_LUA = r"""
local threads, started = {}, 0
function setup(thread)
  thread:set("tid", started)
  started = started + 1
  table.insert(threads, thread)
end
function init(args)
  bodies = {}
  for line in io.lines(BODIES) do bodies[#bodies + 1] = line end
  n, created, replayed, rejected, other, untracked = 0, 0, 0, 0, 0, 0
  other_status = ""
  prefix = PREFIX .. "-t" .. tid .. "-"
  acked = io.open(OUT .. "/acked-" .. PREFIX .. "-t" .. tid .. ".txt", "w")
  headers = {["Content-Type"] = "application/json", ["Authorization"] = AUTH}
  number = '"' .. (NUMBER or "tracking_no") .. '"%s*:%s*"(%w+)"'
end
function request()
  n = n + 1
  headers["Idempotency-Key"] = prefix .. n
  return wrk.format("POST", PATH, headers, bodies[(n + tid * 7) % #bodies + 1])
end
function response(status, hdrs, body)
  local replay = hdrs["idempotent-replayed"] or hdrs["Idempotent-Replayed"]
  if (status == 201 or status == 200) and replay then
    replayed = replayed + 1
  elseif status == 201 then
    local tn = string.match(body, number)
    if tn then
      acked:write(tn, "\n")
      created = created + 1
    else
      untracked = untracked + 1
    end
  elseif status == 503 then
    rejected = rejected + 1
  else
    other = other + 1
    if other_status == "" then
      other_status = status .. " " .. (string.gsub(string.sub(body, 1, 160), '[^%w :,._-]', "."))
    end
  end
end
function done(summary, latency, requests)
  local c, r, j, o, u, os_ = 0, 0, 0, 0, 0, ""
  for _, t in ipairs(threads) do
    c = c + t:get("created"); r = r + t:get("replayed"); j = j + t:get("rejected")
    o = o + t:get("other"); u = u + t:get("untracked")
    if os_ == "" then os_ = t:get("other_status") end
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50": %d, "p90": %d, "p99": %d, ' ..
    '"max": %d, "created": %d, "replayed": %d, "rejected": %d, "other": %d, ' ..
    '"untracked": %d, "errors": %d, "other_status": "%s"}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, c, r, j, o, u,
    e.connect + e.read + e.write + e.timeout, os_))
end
"""


# ---------------------------------------------------------------------------------------------
# Processes, CPU, databases: shared with readpaths.py.
# ---------------------------------------------------------------------------------------------


def _stat(pid: int | str) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def tree_cpu(pid: int) -> float:
    """utime + stime (s) of a process and every live process under it (uvicorn's workers, the
    demo department systems)."""
    fields = _stat(pid)
    if fields is None:
        return 0.0
    total = (int(fields[11]) + int(fields[12])) / TICKS
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            total += sum(tree_cpu(int(child)) for child in children.read_text().split())
    return total


def postgres_pids() -> set[int]:
    """The machine's live processes named postgres (the server and its backends)."""
    pids = set()
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError):
                if Path(proc, "comm").read_text().strip() == "postgres":
                    pids.add(int(proc.name))
    return pids


def postgres_cpu() -> float:
    """utime + stime (s) of every live process named postgres on the machine (the server's
    backends; connections that ended during the run are not counted)."""
    total = 0.0
    for pid in postgres_pids():
        fields = _stat(pid)
        if fields:
            total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def machine_busy() -> float:
    """CPU seconds the whole machine has spent busy (user, nice, system, irq, softirq)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in fields[:7])
    return (user + nice + system + irq + softirq) / TICKS


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def _pg(url: str, statement: str, *params: Any, fetch: bool = True) -> list[tuple[Any, ...]]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        if fetch:
            return [tuple(r) for r in await conn.fetch(statement, *params)]
        await conn.execute(statement, *params)
        return []
    finally:
        await conn.close()


@dataclass
class Database:
    """A scratch database: a file in the work directory, or one created on a PostgreSQL server
    (and dropped by ``drop``)."""

    url: str
    admin_url: str = ""
    name: str = ""

    @classmethod
    def create(cls, server_url: str, workdir: Path, label: str) -> Database:
        if not server_url:
            return cls(url=f"sqlite:///{workdir / f'{label}.db'}")
        if not server_url.startswith(("postgresql://", "postgres://")):
            sys.exit("--database-url: a postgresql:// URL, or nothing for SQLite")
        name = f"yiwang_bench_{label}_{uuid.uuid4().hex[:8]}"
        asyncio.run(_pg(server_url, f'CREATE DATABASE "{name}"', fetch=False))
        url = urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
        return cls(url=url, admin_url=server_url, name=name)

    @property
    def is_postgres(self) -> bool:
        return bool(self.name)

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """Rows of one statement; ``?`` placeholders on both backends."""
        if not self.is_postgres:
            with contextlib.closing(sqlite3.connect(self.url.removeprefix("sqlite:///"))) as db:
                db.execute("PRAGMA busy_timeout=30000")
                return db.execute(sql, params).fetchall()
        numbered = iter(range(1, 1000))
        sql = re.sub(r"\?", lambda _: f"${next(numbered)}", sql)
        return asyncio.run(_pg(self.url, sql, *params))

    def tables(self) -> list[str]:
        if self.is_postgres:
            sql = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        else:
            sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
        return sorted(r[0] for r in self.query(sql) if r[0] != "alembic_version")

    def counts(self) -> dict[str, int]:
        """Rows per table (one statement)."""
        tables = self.tables()
        union = " UNION ALL ".join(f"SELECT '{t}', count(*) FROM \"{t}\"" for t in tables)  # noqa: S608
        return {name: int(n) for name, n in self.query(union)}

    def drop(self) -> None:
        if self.is_postgres:
            with contextlib.suppress(Exception):
                asyncio.run(
                    _pg(
                        self.admin_url,
                        f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)',
                        fetch=False,
                    )
                )


def yiwang_env(database: Database, workdir: Path, port: int, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "YIWANG_DATABASE_URL": database.url,
        "YIWANG_PORT": str(port),
        "YIWANG_DEMO_SYSTEMS_PORT": str(free_port()),
        "YIWANG_LOG_LEVEL": "WARNING",
        "YIWANG_NOTIFICATION_LOG": str(workdir / "notifications.log"),
        "YIWANG_KEYS_DIR": str(workdir / "keys"),
        **extra,
    }


def yiwang_command(env: dict[str, str], *args: str, optional: bool = False) -> None:
    """Run a yiwang CLI command; exit with its output if it fails."""
    done = subprocess.run([*YIWANG, *args], env=env, capture_output=True, text=True)
    if done.returncode != 0 and not (optional and "No such command" in done.stderr):
        sys.exit(f"yiwang {' '.join(args)} failed:\n{(done.stderr or done.stdout)[-3000:]}")


def prepare_yiwang(env: dict[str, str]) -> None:
    """As `make run` does: migrate, load the demo county, store the 12345 routing model (else
    every server process trains its own at start-up, inside the measurement)."""
    yiwang_command(env, "migrate")
    yiwang_command(env, "seed-demo")
    yiwang_command(env, "complaints", "retrain", "--if-missing", optional=True)


@contextlib.contextmanager
def scratch_yiwang(
    database_url: str, label: str, *serve: str, **extra: str
) -> Iterator[tuple[Database, Server]]:
    """The platform as `make run` starts it, on a scratch database of its own (migrated, seeded,
    `yiwang serve *serve` running); stopped, dropped and its work directory removed after."""
    workdir = Path(tempfile.mkdtemp(prefix=f"yiwang-bench-{label}-"))
    database: Database | None = None
    server: Server | None = None
    try:
        database = Database.create(database_url, workdir, label)
        port = free_port()
        env = yiwang_env(database, workdir, port, **extra)
        prepare_yiwang(env)
        server = Server("yiwang", [*YIWANG, "serve", *serve], env, port, workdir).start()
        yield database, server
    finally:
        if server is not None:
            server.stop()
        if database is not None:
            database.drop()
        shutil.rmtree(workdir, ignore_errors=True)


@dataclass
class Server:
    """A server in a process group of its own; stop() ends the group, workers and all."""

    name: str
    command: list[str]
    env: dict[str, str]
    port: int
    workdir: Path
    ready_path: str = "/readyz"
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.workdir / f"{self.name}.log"

    def start(self) -> Server:
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for _ in range(600):
            if self.process.poll() is not None:
                sys.exit(f"{self.name} exited with {self.process.returncode}:\n{self.tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.base + self.ready_path, timeout=0.5).status_code == 200:
                    return self
            time.sleep(0.1)
        sys.exit(f"{self.name} did not answer within 60 s:\n{self.tail()}")

    def tail(self, lines: int = 20) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def cpu(self) -> float:
        return tree_cpu(self.process.pid) if self.process else 0.0

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def sign_in(base: str, username: str) -> str:
    answer = httpx.post(
        f"{base}/api/v1/auth/token",
        data={"username": username, "password": PASSWORD},
        timeout=30,
    )
    if answer.status_code != 200:
        sys.exit(f"sign-in as {username} failed: {answer.status_code} {answer.text[:300]}")
    return answer.json()["access_token"]


def wrk(
    url: str,
    *,
    connections: int,
    seconds: float,
    script: Path,
    threads: int = 2,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One wrk run whose Lua done() prints a RESULT line; latencies in ms, wrk's own CPU."""
    args = ["wrk", f"-t{min(threads, connections)}", f"-c{connections}", f"-d{round(seconds)}s"]
    args += ["--timeout", "30s", "-s", str(script)]  # wrk's 2 s default would cut the tail
    for name, value in (headers or {}).items():
        args += ["-H", f"{name}: {value}"]
    before = children_cpu()
    done = subprocess.run([*args, url], capture_output=True, text=True)
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
    if done.returncode != 0 or line is None:
        sys.exit(f"wrk failed on {url}: {done.stderr.strip() or done.stdout.strip()}")
    raw = json.loads(line.removeprefix("RESULT "))
    raw["seconds"] = raw["duration_us"] / 1e6
    for p in ("p50", "p90", "p99", "max"):
        raw[p] = raw[p] / 1000
    raw["wrk_cpu"] = children_cpu() - before
    return raw


# ---------------------------------------------------------------------------------------------
# Request bodies: the merged form, varied the way real applicants vary it.
# ---------------------------------------------------------------------------------------------

PLACES = ["递铺", "孝丰", "天荒坪", "梅溪", "鄣吴", "杭垓", "报福", "天子湖", "溪龙", "灵峰"]
TRADES = ["农家菜馆", "竹乡土菜馆", "面馆", "茶餐厅", "小吃店", "酒楼", "烧烤店", "快餐店"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛"]
ROADS = ["胜利西路", "昌硕东路", "浦源大道", "天目路", "灵峰大道", "玉磬路", "递铺南路"]
SCOPES = [
    "餐饮服务；食品销售（仅销售预包装食品）",
    "餐饮服务；酒类经营；食品互联网销售",
    "小餐饮；食品小作坊经营；农产品零售",
    "餐饮服务（不产生油烟、异味、废气）；外卖递送服务",
]
ITEMS = [
    "热食类食品制售；冷食类食品制售",
    "热食类食品制售；自制饮品制售",
    "热食类食品制售",
    "热食类食品制售；冷食类食品制售；生食类食品制售；糕点类食品制售",
]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def form_bodies(schema: dict[str, Any], count: int, seed: int = 12345) -> list[str]:
    """``count`` request bodies for the bundle: every required field answered (as the tests'
    ``answers`` does), with names, addresses, scope, sizes, phone numbers and choices varied;
    the applicant's ID number and the credit code stay citizen1's and enterprise1's."""
    sys.path.insert(0, str(ROOT))
    from tests.applications.helpers import answers, kind_of

    rng = random.Random(seed)
    bodies = []
    for _ in range(count):
        form = answers(schema)
        for name, prop in schema["properties"].items():
            kind, element = kind_of(prop), prop.get("x-element", "")
            value: Any = form[name]
            if kind == "enum":
                value = rng.choice(prop["enum"])
            elif kind == "mobile":
                value = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
            elif kind == "integer":
                value = rng.randint(8, 240)
            elif kind == "money":
                value = str(rng.choice([3, 5, 10, 20, 50, 100, 200]) * rng.choice([1, 10]))
            elif kind == "address":
                value = (
                    f"浙江省湖州市安吉县{rng.choice(PLACES)}街道{rng.choice(ROADS)}"
                    f"{rng.randint(1, 999)}号"
                )
            elif element == "enterprise.name":
                value = f"安吉县{rng.choice(PLACES)}{_person(rng)[0]}记{rng.choice(TRADES)}"
            elif element.endswith("business_scope"):
                value = rng.choice(SCOPES)
            elif element.endswith("business_items"):
                value = rng.choice(ITEMS)
            elif element.endswith("health_certificate_no"):
                value = f"浙湖健{rng.randint(2024, 2026)}{rng.randrange(10**6):06d}"
            elif kind == "text" and (
                element.startswith("person.")
                or element.endswith(("representative", "manager", "officer"))
            ):
                value = _person(rng)
            if isinstance(value, str) and "maxLength" in prop:
                value = value[: prop["maxLength"]]
            form[name] = value
        bodies.append(json.dumps({"bundle": BUNDLE, "form": form}, ensure_ascii=False))
    return bodies


def submit_by_hand(
    base: str, token: str, bodies: list[str], prefix: str
) -> list[tuple[int, dict[str, Any]]]:
    """POST every body once, sequentially; (status, answer) each."""
    out = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for i, body in enumerate(bodies):
            answer = client.post(
                "/api/v1/applications",
                content=body.encode(),
                headers={
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/json",
                    "Idempotency-Key": f"{prefix}-{i}",
                },
            )
            try:
                out.append((answer.status_code, answer.json()))
            except ValueError:
                out.append((answer.status_code, {"text": answer.text[:300]}))
    return out


# ---------------------------------------------------------------------------------------------
# What one submission wrote, and the baseline's template of it.
# ---------------------------------------------------------------------------------------------


def background_waiting(database: Database) -> tuple[int, int]:
    """yiwang's after-commit work not yet done: pending jobs, unsealed audit rows."""
    jobs = database.query("SELECT count(*) FROM jobs WHERE status = 'pending'")[0][0]
    unsealed = database.query("SELECT count(*) FROM audit_events WHERE seq IS NULL")[0][0]
    return int(jobs), int(unsealed)


def drain(database: Database, timeout: float) -> tuple[float, tuple[int, int]]:
    """Wait until yiwang's background work is done; seconds waited and what was left."""
    began = time.monotonic()
    left = background_waiting(database)
    while any(left) and time.monotonic() - began < timeout:
        time.sleep(0.2)
        left = background_waiting(database)
    return time.monotonic() - began, left


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else value.isoformat()


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def template_from(database: Database, application_id: str) -> dict[str, Any]:
    """The rows yiwang stored for one submission, as baseline_app.py's BASELINE_TEMPLATE."""
    from baseline_app import APP, TRACKING

    (app,) = database.query(
        "SELECT id, tracking_no, applicant_id, kind, subject_code, snapshot_id, status, "
        "due_date FROM applications WHERE id = ?",
        application_id,
    )
    _, tracking_no, applicant_id, kind, subject_code, snapshot_id, status, due_date = app

    def mark(text: Any) -> str:
        return _text(text).replace(application_id, APP).replace(tracking_no, TRACKING)

    branch_rows = database.query(
        "SELECT id, service_code, department_code, status, step_code, waits_for, "
        "promised_limit_days, started_on, due_date, step_due_date FROM branches "
        "WHERE application_id = ? ORDER BY service_code",
        application_id,
    )
    index = {row[0]: i for i, row in enumerate(branch_rows)}
    task_rows = database.query(
        "SELECT branch_id, department_code, service_code, step_code, role, status, due_date "
        "FROM tasks WHERE application_id = ? ORDER BY service_code, role",
        application_id,
    )
    jobs = [
        (kind_, payload)
        for kind_, payload in database.query(
            "SELECT kind, payload FROM jobs ORDER BY id DESC LIMIT 500"
        )
        if application_id in _text(payload)
    ]
    events = database.query(
        "SELECT kind, detail, actor_kind FROM application_events WHERE application_id = ? "
        "ORDER BY id",
        application_id,
    )
    audits = database.query(
        "SELECT actor, action, target_type, summary FROM audit_events WHERE target_id = ? "
        "ORDER BY id",
        application_id,
    )
    if not (branch_rows and jobs and events and audits):
        sys.exit(
            f"the submission {application_id} left {len(branch_rows)} branches, {len(jobs)} "
            f"jobs, {len(events)} events, {len(audits)} audit rows: the template needs one each"
        )
    return {
        "applicant_id": applicant_id,
        "actor": audits[0][0],
        "actor_kind": events[0][2],
        "region": tracking_no[:6],
        "application": {
            "kind": kind,
            "subject_code": subject_code,
            "snapshot_id": snapshot_id,
            "status": status,
            "due_date": _iso(due_date),
        },
        "branches": [
            {
                "service_code": r[1],
                "department_code": r[2],
                "status": r[3],
                "step_code": r[4],
                "waits_for": _text(r[5]),
                "promised_limit_days": r[6],
                "started_on": _iso(r[7]),
                "due_date": _iso(r[8]),
                "step_due_date": _iso(r[9]),
            }
            for r in branch_rows
        ],
        "tasks": [
            {
                "branch": index[r[0]],
                "department_code": r[1],
                "service_code": r[2],
                "step_code": r[3],
                "role": r[4],
                "status": r[5],
                "due_date": _iso(r[6]),
            }
            for r in task_rows
        ],
        "job": {"kind": jobs[-1][0], "payload": mark(jobs[-1][1])},
        "event": {"kind": events[0][0], "detail": mark(events[0][1])},
        "audit": {
            "action": audits[0][1],
            "target_type": audits[0][2],
            "summary": mark(audits[0][3]),
        },
    }


def rows_per_submission(
    before: dict[str, int], after: dict[str, int], submissions: int
) -> dict[str, float]:
    return {
        table: (after[table] - before.get(table, 0)) / submissions
        for table in after
        if after[table] != before.get(table, 0)
    }


# ---------------------------------------------------------------------------------------------
# One concurrency level on one server.
# ---------------------------------------------------------------------------------------------


@dataclass
class Target:
    """A server under test and what the levels need to know about it."""

    label: str  # yiwang | baseline
    server: Server
    database: Database
    token: str
    background: bool  # yiwang: wait for its after-commit work before reading the CPU
    levels: dict[int, dict[str, Any]] = field(default_factory=dict)


def run_level(
    target: Target,
    *,
    connections: int,
    seconds: float,
    tag: str,
    workdir: Path,
    bodies_file: Path,
    drain_timeout: float,
    threads: int,
) -> dict[str, Any]:
    prefix = f"{tag}-{target.label}-c{connections}"
    script = workdir / f"{prefix}.lua"
    script.write_text(
        f"BODIES = {json.dumps(str(bodies_file))}\nPREFIX = {json.dumps(prefix)}\n"
        f"OUT = {json.dumps(str(workdir))}\nAUTH = {json.dumps('Bearer ' + target.token)}\n"
        f'PATH = "/api/v1/applications"\n{SUBMIT_LUA}',
        encoding="utf-8",
    )
    pg = target.database.is_postgres
    cpu0, pg0, busy0 = target.server.cpu(), postgres_cpu() if pg else 0.0, machine_busy()
    result = wrk(
        f"{target.server.base}/api/v1/applications",
        connections=connections,
        seconds=seconds,
        script=script,
        threads=threads,
    )
    cpu_during = target.server.cpu() - cpu0
    pg_during = max(postgres_cpu() - pg0, 0.0) if pg else 0.0
    # Whatever else ran on the machine meanwhile (another test run, a build) shows here.
    others = machine_busy() - busy0 - cpu_during - pg_during - result["wrk_cpu"]
    waited, left = drain(target.database, drain_timeout) if target.background else (0.0, (0, 0))
    # postgres: live backends only (one that ended during the level drops out of the sum)
    cpu, pg_cpu = target.server.cpu() - cpu0, max(postgres_cpu() - pg0, 0.0) if pg else math.nan
    # Every 201 a stored application? Keys and tracking numbers of this level, from the database.
    acked: list[str] = []
    for path in sorted(workdir.glob(f"acked-{prefix}-t*.txt")):
        acked += path.read_text().split()
    stored = dict(
        target.database.query(
            "SELECT tracking_no, idempotency_key FROM applications WHERE idempotency_key LIKE ?",
            f"{prefix}-%",
        )
    )
    missing = [tn for tn in acked if tn not in stored]
    created = max(result["created"], 1)
    result.update(
        connections=connections,
        apps_per_s=result["created"] / result["seconds"],
        cpu_ms_per_app=cpu * 1000 / created,
        cpu_cores=cpu_during / result["seconds"],
        other_cores=max(others, 0.0) / result["seconds"],
        pg_cpu_ms_per_app=pg_cpu * 1000 / created,
        wrk_cpu_ms_per_app=result["wrk_cpu"] * 1000 / created,
        drain_s=waited,
        left_after_drain=left,
        acked=len(acked),
        acked_distinct=len(set(acked)),
        stored=len(stored),
        missing=len(missing),
        missing_sample=missing[:5],
        stored_unanswered=len(set(stored) - set(acked)),
        load_1m=os.getloadavg()[0],
    )
    return result


def level_problems(label: str, r: dict[str, Any]) -> list[str]:
    """What must fail the run: a 201 not stored, a 201 without a tracking number, a replay of a
    key never sent before, an ack file that lost lines."""
    out = []
    c = r["connections"]
    if r["missing"]:
        out.append(
            f"{label} c={c}: {r['missing']} of {r['acked']} acknowledged applications are not "
            f"stored (e.g. {', '.join(r['missing_sample'])})"
        )
    if r["acked"] != r["created"] or r["acked_distinct"] != r["acked"]:
        out.append(
            f"{label} c={c}: wrk counted {r['created']} x 201, the tracking-number files hold "
            f"{r['acked']} ({r['acked_distinct']} distinct)"
        )
    if r["untracked"]:
        out.append(f"{label} c={c}: {r['untracked']} x 201 without a tracking_no in the answer")
    if r["replayed"]:
        out.append(f"{label} c={c}: {r['replayed']} replays, but every key was new")
    return out


# ---------------------------------------------------------------------------------------------
# The chart: hand-written SVG (matplotlib is not a dependency), as spike.py draws its own.
# ---------------------------------------------------------------------------------------------


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _nice(v: float) -> float:
    if v <= 0:
        return 1
    exp = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 2.5, 4, 5, 8, 10):
        if v <= m * exp:
            return m * exp
    return 10 * exp


def svg_chart(results: dict[str, Any], *, title: str, subtitle: str) -> str:
    """Two panels over the concurrency levels (evenly spaced): applications/s, and p99 latency
    on a log scale; yiwang's points labelled with its share of the baseline."""
    levels = results["levels"]
    series = [("yiwang", "#1f77b4", ""), ("baseline", "#7f7f7f", "5 3")]
    width, left, right, top = 760, 70, 150, 70
    panels = [("applications per second", 260), ("p99 latency, ms (log)", 170)]
    gap = 48
    height = top + sum(h for _, h in panels) + gap * len(panels) + 10
    plot_w = width - left - right

    def x(i: int) -> float:
        return left + plot_w * (i + 0.5) / len(levels)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="22" font-size="15" font-weight="bold">{_esc(title)}</text>',
        f'<text x="{left}" y="40" fill="#555">{_esc(subtitle)}</text>',
    ]
    y0 = top
    for name, h in panels:
        out.append(f'<text x="{left}" y="{y0 - 8}" font-weight="bold">{name}</text>')
        if name.startswith("applications"):
            key = "apps_per_s"
            peak = max(results[s][c][key] for s, _, _ in series for c in levels)
            top_value = _nice(peak * 1.12)
            ticks = [top_value * i / 5 for i in range(6)]

            def scale(v: float, h: int = h, top_value: float = top_value) -> float:
                return h * (1 - v / top_value)

        else:
            key = "p99"
            values = [max(results[s][c][key], 0.1) for s, _, _ in series for c in levels]
            lo = 10 ** math.floor(math.log10(min(values)))
            hi = 10 ** math.ceil(math.log10(max(values) * 1.01))
            ticks = [10**e for e in range(round(math.log10(lo)), round(math.log10(hi)) + 1)]

            def scale(v: float, h: int = h, lo: float = lo, hi: float = hi) -> float:
                v = min(max(v, lo), hi)
                return h * (1 - math.log10(v / lo) / math.log10(hi / lo))

        svg_grid(out, ticks, scale, left=left, top=y0, width=plot_w, height=h)
        for n, (label, colour, dash) in enumerate(series):
            points = [
                (x(i), y0 + scale(results[label][c][key]), results[label][c][key])
                for i, c in enumerate(levels)
            ]
            dashing = f' stroke-dasharray="{dash}"' if dash else ""
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _ in points)
            out.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dashing} '
                f'points="{path}"/>'
            )
            for i, (px, py, v) in enumerate(points):
                out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>')
                text = f"{v:,.0f}" if key == "apps_per_s" else f"{v:,.0f} ms"
                if label == "yiwang" and key == "apps_per_s":
                    text += f" ({results['ratio'][levels[i]]:.0%})"
                dy = -8 if label == "baseline" else 16
                out.append(
                    f'<text x="{px:.1f}" y="{py + dy:.1f}" text-anchor="middle" '
                    f'fill="{colour}">{_esc(text)}</text>'
                )
            ly = y0 + 16 + 18 * n
            out.append(
                f'<line x1="{left + plot_w + 12}" x2="{left + plot_w + 32}" y1="{ly - 4}" '
                f'y2="{ly - 4}" stroke="{colour}" stroke-width="2"{dashing}/>'
            )
            out.append(f'<text x="{left + plot_w + 36}" y="{ly}">{label}</text>')
        y0 += h + gap
        for i, c in enumerate(levels):
            out.append(
                f'<text x="{x(i):.1f}" y="{y0 - gap + 16}" text-anchor="middle">{c} conns</text>'
            )
    out.append("</svg>")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------


def report(results: dict[str, Any]) -> None:
    levels = results["levels"]
    pg = results["backend"] == "PostgreSQL"
    print(
        f"\n| {results['backend']}, {results['workers']} worker(s), {results['seconds']:g} s "
        "per level | conns | applications/s | p50 / p99 ms | CPU ms/app (cores) "
        + ("| postgres CPU ms/app " if pg else "")
        + "| wrk CPU ms/app | other processes, cores | 503 | other | yiwang ÷ baseline |"
    )
    print("| --- | ---: | ---: | ---: | ---: |" + (" ---: |" if pg else "") + " ---: |" * 5)
    for label in ("yiwang", "baseline"):
        for c in levels:
            r = results[label][c]
            ratio = f"{results['ratio'][c]:.0%}" if label == "yiwang" else ""
            print(
                f"| {label} | {c} | {r['apps_per_s']:,.0f} | {r['p50']:.1f} / {r['p99']:.1f} "
                f"| {r['cpu_ms_per_app']:.2f} ({r['cpu_cores']:.2f}) "
                + (f"| {r['pg_cpu_ms_per_app']:.2f} " if pg else "")
                + f"| {r['wrk_cpu_ms_per_app']:.2f} | {r['other_cores']:.2f} | {r['rejected']} "
                f"| {r['other'] + r['errors']} | {ratio} |"
            )
    ceiling = results["ceiling"]
    best = results["yiwang_best"]
    print(
        f"\nCeiling (best baseline level): {ceiling['apps_per_s']:,.0f} applications/s at "
        f"{ceiling['connections']} conns. yiwang's best: {best['apps_per_s']:,.0f}/s at "
        f"{best['connections']} conns = {best['apps_per_s'] / ceiling['apps_per_s']:.1%} "
        "of the ceiling."
    )
    print("\nEvery 201 stored (tracking numbers wrk saw vs rows with the level's keys):")
    for label in ("yiwang", "baseline"):
        for c in levels:
            r = results[label][c]
            drained = f"; background drained in {r['drain_s']:.1f} s" if label == "yiwang" else ""
            left = r["left_after_drain"]
            if any(left):
                drained += f" (still waiting: {left[0]} jobs, {left[1]} unsealed audit rows)"
            print(
                f"- {label} c={c}: {r['acked']:,} acknowledged, {r['missing']} missing; "
                f"{r['stored']:,} stored ({r['stored_unanswered']} whose answer wrk never "
                f"read){drained}"
            )
    rows = results["rows_per_submission"]
    tables = sorted(set(rows["yiwang"]) | set(rows["baseline"]))
    print("\n| rows per submission (sequential, after-commit work done) | yiwang | baseline |")
    print("| --- | ---: | ---: |")
    for table in tables:
        print(
            f"| {table} | {rows['yiwang'].get(table, 0):.2f} "
            f"| {rows['baseline'].get(table, 0):.2f} |"
        )
    print("(tracking_counters: one upsert each, no new row; baseline_app.py lists its statements)")
    if results["problems"]:
        print("\nFAILED:")
        for problem in results["problems"]:
            print(f"- {problem}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("YIWANG_BENCH_DATABASE_URL", ""),
        help="PostgreSQL server (scratch databases are made there); default SQLite",
    )
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of both servers")
    parser.add_argument(
        "--levels", default="8,32,64", help="concurrent connections, comma-separated"
    )
    parser.add_argument("--seconds", type=int, default=10, help="measured seconds per level")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured seconds per server")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--forms", type=int, default=32, help="distinct request bodies")
    parser.add_argument("--drain-timeout", type=float, default=120)
    parser.add_argument("--max-in-flight", type=int, default=0, help="YIWANG_MAX_IN_FLIGHT")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--svg", type=Path, help="write the chart here")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    sys.path.insert(0, str(HERE))
    levels = [int(c) for c in args.levels.split(",")]
    tag = uuid.uuid4().hex[:6]
    facts = machine()
    print(f"Machine: {facts}")
    workdir = Path(tempfile.mkdtemp(prefix="yiwang-bench-submission-"))
    databases: list[Database] = []
    servers: list[Server] = []
    problems: list[str] = []
    try:
        # yiwang, with its demo county.
        ydb = Database.create(args.database_url, workdir, "submit")
        databases.append(ydb)
        backend = "PostgreSQL" if ydb.is_postgres else "SQLite"
        port = free_port()
        extra = {"YIWANG_MAX_IN_FLIGHT": str(args.max_in_flight)} if args.max_in_flight else {}
        env = yiwang_env(ydb, workdir, port, **extra)
        prepare_yiwang(env)
        serve = [*YIWANG, "serve", "--workers", str(args.workers)]
        yiwang = Server("yiwang", serve, env, port, workdir).start()
        servers.append(yiwang)
        token = sign_in(yiwang.base, CITIZEN)
        schema = httpx.get(f"{yiwang.base}/api/v1/bundles/{BUNDLE}", timeout=30).json()
        bodies = form_bodies(schema["form_schema"], args.forms)
        drain(ydb, args.drain_timeout)
        before = ydb.counts()
        answers = submit_by_hand(yiwang.base, token, bodies, f"{tag}-check")
        refused = [(i, s, a) for i, (s, a) in enumerate(answers) if s != 201]
        if refused:
            i, status, answer = refused[0]
            print(f"{len(refused)} of {len(bodies)} bodies refused; first: {status} {answer}")
            bodies = [b for b, (s, _) in zip(bodies, answers, strict=True) if s == 201]
            if not bodies:
                sys.exit("no body was accepted")
        drain(ydb, args.drain_timeout)
        rows = {"yiwang": rows_per_submission(before, ydb.counts(), len(bodies))}
        first = next(a for s, a in answers if s == 201)
        template = template_from(ydb, first["id"])
        (workdir / "template.json").write_text(json.dumps(template), encoding="utf-8")
        bodies_file = workdir / "bodies.jsonl"
        bodies_file.write_text("\n".join(bodies) + "\n", encoding="utf-8")
        size = sum(len(b.encode()) for b in bodies) / len(bodies)
        print(
            f"{backend}, {args.workers} worker(s) each; POST /api/v1/applications ({BUNDLE}: "
            f"{len(template['branches'])} services, {len(template['tasks'])} open tasks), "
            f"{len(bodies)} bodies of {size:,.0f} B on average; wrk -t{args.threads}, "
            f"{args.seconds:g} s per level, levels {args.levels}"
        )

        # The baseline, on a database of its own with yiwang's schema.
        bdb = Database.create(args.database_url, workdir, "ceiling")
        databases.append(bdb)
        bport = free_port()
        yiwang_command(yiwang_env(bdb, workdir, bport), "migrate")
        benv = {
            **os.environ,
            "BASELINE_DATABASE_URL": bdb.url,
            "BASELINE_TEMPLATE": str(workdir / "template.json"),
        }
        uvicorn = [sys.executable, "-m", "uvicorn", "--app-dir", str(HERE), "baseline_app:app"]
        uvicorn += ["--host", "127.0.0.1", "--port", str(bport), "--workers", str(args.workers)]
        uvicorn += ["--log-level", "warning", "--no-access-log"]
        baseline = Server("baseline", uvicorn, benv, bport, workdir, ready_path="/").start()
        servers.append(baseline)
        before = bdb.counts()
        answers = submit_by_hand(baseline.base, token, bodies, f"{tag}-check")
        if any(s != 201 for s, _ in answers):
            sys.exit(f"the baseline refused a body: {next(a for s, a in answers if s != 201)}")
        rows["baseline"] = rows_per_submission(before, bdb.counts(), len(bodies))

        targets = [
            Target("yiwang", yiwang, ydb, token, background=True),
            Target("baseline", baseline, bdb, token, background=False),
        ]
        for target in targets:
            if target.label == "baseline":
                yiwang.stop()  # one server at a time on the machine
            if args.warmup > 0:
                run_level(
                    target,
                    connections=levels[0],
                    seconds=args.warmup,
                    tag=f"{tag}w",
                    workdir=workdir,
                    bodies_file=bodies_file,
                    drain_timeout=args.drain_timeout,
                    threads=args.threads,
                )
            for c in levels:
                r = run_level(
                    target,
                    connections=c,
                    seconds=args.seconds,
                    tag=tag,
                    workdir=workdir,
                    bodies_file=bodies_file,
                    drain_timeout=args.drain_timeout,
                    threads=args.threads,
                )
                target.levels[c] = r
                problems += level_problems(target.label, r)
                print(
                    f"  {target.label:8} c={c:<4} {r['apps_per_s']:8,.0f} applications/s  "
                    f"p99 {r['p99']:7.1f} ms  CPU {r['cpu_ms_per_app']:.2f} ms/app  "
                    f"503 {r['rejected']}  other {r['other'] + r['errors']}"
                    + (f" (first: {r['other_status'][:120]})" if r["other_status"] else "")
                )
    finally:
        for server in reversed(servers):
            server.stop()
        for database in databases:
            database.drop()
        shutil.rmtree(workdir, ignore_errors=True)

    ybest = max(targets[0].levels.values(), key=lambda r: r["apps_per_s"])
    ceiling = max(targets[1].levels.values(), key=lambda r: r["apps_per_s"])
    results: dict[str, Any] = {
        "machine": facts,
        "backend": backend,
        "workers": args.workers,
        "seconds": args.seconds,
        "levels": levels,
        "bodies": len(bodies),
        "template": template,
        "rows_per_submission": rows,
        "yiwang": targets[0].levels,
        "baseline": targets[1].levels,
        "ratio": {
            c: targets[0].levels[c]["apps_per_s"] / max(targets[1].levels[c]["apps_per_s"], 1e-9)
            for c in levels
        },
        "ceiling": ceiling,
        "yiwang_best": ybest,
        "problems": problems,
        "load_after": os.getloadavg()[0],
    }
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    if args.svg:
        args.svg.write_text(
            svg_chart(
                results,
                title=f"Submission throughput: POST /api/v1/applications ({BUNDLE})",
                subtitle=(
                    f"{backend}, {args.workers} worker(s), {args.seconds:g} s per level; "
                    f"baseline = the same rows in one transaction, raw driver; "
                    f"{os.cpu_count()} cores shared with wrk"
                ),
            ),
            encoding="utf-8",
        )
        print(f"chart: {args.svg}")
    if problems:
        sys.exit(f"{len(problems)} problem(s): not every acknowledged submission is accounted for")


if __name__ == "__main__":
    main()
