"""Spike: offer 10x the sustainable rate for 30 s, then go back to normal. Does the server stay up?

Starts a real server the way ``make run`` does (``yiwang migrate``, ``yiwang seed-demo``,
``yiwang complaints retrain --if-missing``, ``yiwang serve --demo-systems``: one uvicorn worker)
on a fresh database, with admission control as the platform sets it by default (64 in flight;
once full, what the process's pace finishes in 0.08 s) or as --max-in-flight and
--admission-wait set it (YIWANG_MAX_IN_FLIGHT, YIWANG_ADMISSION_WAIT_SECONDS).
The load comes from an open-loop generator in a process of its own: requests leave at a fixed
arrival rate whatever the answers do, so a slow server cannot slow the offered load down
(wrk's closed loop would: each of its connections waits for its answer, and a spike would turn
into longer waits instead of more requests).

1. A search finds the sustainable rate: the highest fixed rate with p99 <= 250 ms and no 503,
   going up x1.5 until the first miss, then halving the gap twice, then holding it for as long
   as the run will before the spike (15 s), 10% lower each time that misses (or --rate skips
   it). On PostgreSQL a probe commits one row every 50 ms beside the run and times it (the
   disk's own stalls: each step's line, the per-second table and the summary show them); a
   step whose every bad second had a bare commit over 100 ms, in it or the second before, is
   run again ("disk"), up to three tries.
2. 15 s at that rate, 30 s at 10x, 15 s at that rate. Per second: offered, admitted (answered,
   not 503), rejected (503), p99 of the admitted and of the 503s (response times: from the
   moment the client starts sending to the answer's last byte; the generator's own lag behind
   its schedule is printed too), each server process's resident memory (VmRSS of the server
   and its child, the demo department systems), and the background work waiting (jobs due,
   audit rows not yet sealed). Recovered means: 5 s of requests with no 503 and admitted
   p99 <= 250 ms, starting within 1 s of the spike's end.
3. The issue's targets, each printed PASS or FAIL with its numbers, and a chart (docs/spike.svg,
   spike-read.svg for --target read; matplotlib is not a dependency, so the SVG is drawn by
   hand).
4. Nothing lost: every 201 is a stored application (the database is counted, key by key); no
   503 stored anything; a sample of acknowledged requests sent again with the same
   Idempotency-Key is answered as a replay and creates nothing; requests the client gave up on
   mid-spike (--abandon-every) are sent again with their key and each ends up stored once.

    .venv/bin/python benchmarks/spike.py                     # submissions (open-restaurant), SQLite
    .venv/bin/python benchmarks/spike.py --target read       # GET /api/v1/services/{code}
    .venv/bin/python benchmarks/spike.py --target signin     # POST /api/v1/auth/token (argon2id)
    .venv/bin/python benchmarks/spike.py \
        --database-url postgresql://postgres@127.0.0.1/postgres   # a scratch database there

With a PostgreSQL URL the run creates a scratch database on that server and drops it afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402 - the benchmarks' shared helpers
    BUNDLE,
    CITIZEN,
    PASSWORD,
    ROOT,
    YIWANG,
    admin,
    cpu_seconds,
    descendants,
    free_port,
    machine,
    run_generator,
    svg_grid,
)

READ_SERVICE = "samr-business-licence"
SIGNIN_ACCOUNT = "citizen2"  # not the account the submissions use
P99_LIMIT = 0.250  # admitted requests, seconds
REJECT_LIMIT = 0.050  # a 503 must come back this fast

# Status codes the generator records besides HTTP ones.
ABANDONED = -1  # the client gave up (its timeout); the server may still have done the work
FAILED = 0  # no answer: connection refused or reset
SLEEP_AT_LEAST = 0.001  # seconds: the shortest wait the generator asks its event loop for

# ---------------------------------------------------------------------------------------------
# The load generator: its own process, asyncio streams and a hand-written HTTP/1.1 client.
# httpx costs ~6 ms of CPU per request once hundreds are outstanding (its connection pool
# scans its waiters on every request); this client costs ~60-165 us (the slower figure on a
# slower machine), so one core can offer thousands of requests a second and the generator
# stays a small share of the machine.
# ---------------------------------------------------------------------------------------------


class Connections:
    """Keep-alive connections to one server, at most ``limit`` open; waiting for one counts.

    uvicorn closes a connection idle for 5 s: one idle for 4 s, or already closed by the
    server, is dropped rather than reused (else a request sent as the server closes it would
    fail for the client's sake, not the server's)."""

    IDLE_SECONDS = 4.0

    def __init__(self, host: str, port: int, limit: int) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter, float]] = []
        self.slots = asyncio.Semaphore(limit)
        self.opened = 0

    async def _connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        while self.idle:
            reader, writer, since = self.idle.pop()
            if not reader.at_eof() and time.monotonic() - since < self.IDLE_SECONDS:
                return reader, writer
            writer.close()
        self.opened += 1
        return await asyncio.open_connection(self.host, self.port)

    async def request(self, raw: bytes) -> tuple[int, dict[bytes, bytes], bytes]:
        async with self.slots:
            reader, writer = await self._connection()
            try:
                writer.write(raw)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                headers = {}
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get(b"content-length", b"0"))
                body = await reader.readexactly(length) if length else b""
            except BaseException:  # a timeout cancels us too: never reuse a half-read socket
                writer.close()
                raise
            if headers.get(b"connection", b"").lower() == b"close":
                writer.close()
            else:
                self.idle.append((reader, writer, time.monotonic()))
            return status, headers, body

    def close(self) -> None:
        for _, writer, _ in self.idle:
            writer.close()


async def _drive(cfg: dict[str, Any]) -> dict[str, Any]:
    conns = Connections(cfg["host"], cfg["port"], cfg["max_connections"])
    body = cfg.get("body", "").encode()
    if cfg["kind"] == "submit":
        head = (
            "POST /api/v1/applications HTTP/1.1\r\nHost: bench\r\n"
            "Content-Type: application/json\r\n"
            f"Authorization: Bearer {cfg['token']}\r\n"
            f"Content-Length: {len(body)}\r\n"
        )
    elif cfg["kind"] == "signin":
        head = (
            "POST /api/v1/auth/token HTTP/1.1\r\nHost: bench\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n"
        )
    else:
        head = f"GET {cfg['path']} HTTP/1.1\r\nHost: bench\r\n"
    arrivals: list[tuple[float, int]] = []
    offset = 0.0
    for phase, (rate, seconds) in enumerate(cfg["phases"]):
        arrivals += [(offset + i / rate, phase) for i in range(round(rate * seconds))]
        offset += seconds
    records: list[list[Any]] = []
    abandon_every = cfg.get("abandon_every", 0)
    abandon_phases = set(cfg.get("abandon_phases", []))

    async def one(seq: int, at: float, phase: int) -> None:
        lag = time.perf_counter() - start - at
        key = f"{cfg['tag']}-{seq}" if cfg["kind"] == "submit" else ""
        if key:
            raw = (head + f"Idempotency-Key: {key}\r\n\r\n").encode() + body
        else:
            raw = (head + "\r\n").encode() + body
        abandon = bool(abandon_every) and phase in abandon_phases and seq % abandon_every == 0
        app_id, flags = "", ""
        try:
            async with asyncio.timeout(cfg["abandon_after"] if abandon else cfg["timeout"]):
                status, headers, answer = await conns.request(raw)
            if status == 201:
                app_id = json.loads(answer)["id"]
            elif status == 200 and cfg["kind"] == "signin":
                app_id = json.loads(answer)["access_token"]  # the session it started
            if b"retry-after" in headers:
                flags += "R"
            if headers.get(b"idempotent-replayed") == b"true":
                flags += "P"
        except TimeoutError:
            status = ABANDONED
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            status = FAILED
            flags += f"E:{exc.__class__.__name__}"
        if abandon:
            flags += "A"
        latency = time.perf_counter() - start - at
        records.append([seq, phase, round(at, 4), round(lag, 4), round(latency, 5), status, key])
        records[-1] += [app_id, flags]

    tasks: set[asyncio.Task[None]] = set()
    start_wall, start = time.time() + 0.05, time.perf_counter() + 0.05
    i = 0
    while i < len(arrivals):
        now = time.perf_counter() - start
        if arrivals[i][0] > now:
            # uvloop rounds a timer to whole milliseconds: a sleep of half a millisecond or
            # less returns at once, and at a spike's sub-millisecond gaps the generator spun a
            # core waiting for its next arrival, taking it from the server it measures. Wait
            # at least 1 ms and send what fell due meanwhile: the extra wait shows in each
            # request's lag, and the checks' response times (rt) start at the actual send.
            await asyncio.sleep(max(arrivals[i][0] - now, SLEEP_AT_LEAST))
            continue
        while i < len(arrivals) and arrivals[i][0] <= now:
            task = asyncio.create_task(one(i, *arrivals[i]))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            i += 1
    if tasks:
        await asyncio.gather(*tasks)
    conns.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "start_wall": start_wall,
        "records": records,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "connections_opened": conns.opened,
    }


def generator_main(config_path: str) -> None:
    run_generator(_drive, config_path)


# ---------------------------------------------------------------------------------------------
# The server under test, started the way the README does.
# ---------------------------------------------------------------------------------------------


def rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def label(pid: int) -> str:
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return str(pid)
    words = [w.decode() for w in cmd if w]
    if "demo-systems" in words:
        return "demo-systems"
    if "serve" in words:
        return "yiwang serve"
    return " ".join(words[-2:])


@dataclass
class Server:
    """``yiwang serve --demo-systems`` in a process group of its own (so kill -9 takes all)."""

    env: dict[str, str]
    workdir: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def port(self) -> int:
        return int(self.env["YIWANG_PORT"])

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        import httpx

        self.starts += 1
        log = (self.workdir / f"server-{self.starts}.log").open("wb")
        self.process = subprocess.Popen(
            [*YIWANG, "serve", "--demo-systems"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for _ in range(300):
            if self.process.poll() is not None:
                sys.exit(f"the server exited with {self.process.returncode}: {self.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base}/readyz", timeout=0.5).status_code == 200:
                    return
            time.sleep(0.1)
        sys.exit(f"the server did not answer within 30 s: {self.log_tail()}")

    def log_tail(self, lines: int = 15) -> str:
        path = self.workdir / f"server-{self.starts}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def pids(self) -> list[int]:
        return descendants(self.process.pid) if self.alive() else []

    def kill9(self) -> list[int]:
        """SIGKILL to the server and its children at once, as a crash would."""
        pids = self.pids()
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        return pids

    def stop(self) -> None:
        if not self.alive():
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


@dataclass
class Setup:
    """A fresh, migrated and seeded database, the environment to serve it, and its clean-up."""

    workdir: Path
    env: dict[str, str]
    database_url: str
    backend: str
    scratch: str = ""
    admin_url: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def cleanup(self) -> None:
        if self.scratch:
            with contextlib.suppress(Exception):
                asyncio.run(
                    admin(self.admin_url, f'DROP DATABASE IF EXISTS "{self.scratch}" WITH (FORCE)')
                )
        shutil.rmtree(self.workdir, ignore_errors=True)


def prepare(
    database_url: str, *, max_in_flight: int, prefix: str, wait: float | None = None
) -> Setup:
    workdir = Path(tempfile.mkdtemp(prefix=f"yiwang-{prefix}-"))
    scratch = ""
    if database_url.startswith("postgres"):
        scratch = f"yiwang_bench_{prefix}_{uuid.uuid4().hex[:8]}"
        asyncio.run(admin(database_url, f'CREATE DATABASE "{scratch}"'))
        url = urlunsplit(urlsplit(database_url)._replace(path=f"/{scratch}"))
    else:
        url = database_url or f"sqlite:///{workdir / 'bench.db'}"
    port = free_port()
    env = {
        **os.environ,
        "YIWANG_DATABASE_URL": url,
        "YIWANG_PORT": str(port),
        "YIWANG_DEMO_SYSTEMS_PORT": str(free_port()),
        "YIWANG_LOG_LEVEL": "WARNING",
        "YIWANG_MAX_IN_FLIGHT": str(max_in_flight),
        **({} if wait is None else {"YIWANG_ADMISSION_WAIT_SECONDS": str(wait)}),
        "YIWANG_NOTIFICATION_LOG": str(workdir / "notifications.log"),
        "YIWANG_KEYS_DIR": str(workdir / "keys"),
    }
    setup = Setup(
        workdir=workdir,
        env=env,
        database_url=url,
        backend="PostgreSQL" if scratch else "SQLite",
        scratch=scratch,
        admin_url=database_url,
    )
    try:
        subprocess.run([*YIWANG, "migrate"], env=env, check=True, capture_output=True)
        subprocess.run([*YIWANG, "seed-demo"], env=env, check=True, capture_output=True)
        # As `make run` does: store the 12345 routing model, so that the server loads it
        # (without one, every server trains its own at start-up and keeps ~140 MB more).
        subprocess.run(
            [*YIWANG, "complaints", "retrain", "--if-missing"],
            env=env,
            check=True,
            capture_output=True,
        )
    except subprocess.CalledProcessError as exc:
        setup.cleanup()
        sys.exit(f"{exc.cmd[-1]} failed: {exc.stderr.decode(errors='replace')[-2000:]}")
    return setup


def sign_in_and_form(base: str) -> tuple[str, str]:
    """citizen1's bearer token and one 开餐馆一件事 request body (the merged 4-department form)."""
    import httpx

    token = httpx.post(
        f"{base}/api/v1/auth/token", data={"username": CITIZEN, "password": PASSWORD}, timeout=30
    ).json()["access_token"]
    schema = httpx.get(f"{base}/api/v1/bundles/{BUNDLE}", timeout=30).json()["form_schema"]
    sys.path.insert(0, str(ROOT))
    from tests.applications.helpers import answers

    return token, json.dumps({"bundle": BUNDLE, "form": answers(schema)}, ensure_ascii=False)


# ---------------------------------------------------------------------------------------------
# Running the generator and watching the server meanwhile.
# ---------------------------------------------------------------------------------------------


@dataclass
class Run:
    records: list[list[Any]]
    start_wall: float
    generator_cpu: float
    connections_opened: int
    rss: dict[int, list[tuple[float, int]]]  # pid -> (t since start, kB)
    labels: dict[int, str]
    server_cpu: float
    wall: float
    server_alive: bool
    backlog: list[tuple[float, int, int]] = field(default_factory=list)  # t, jobs, unsealed


class Backlog:
    """Counts the background work waiting (pending jobs due now, unsealed audit rows), from a
    thread with its own event loop and engine, so the main process can sample it while it
    watches the server."""

    def __init__(self, database_url: str) -> None:
        import threading

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.database_url = database_url
        self.engine: Any = None

    async def _count(self) -> tuple[int, int]:
        import datetime as dt

        import sqlalchemy as sa

        from yiwang.audit.models import audit_events
        from yiwang.database import create_engine
        from yiwang.jobs import jobs

        if self.engine is None:
            self.engine = create_engine(self.database_url)
        async with self.engine.connect() as conn:
            due = await conn.execute(
                sa.select(sa.func.count()).where(
                    jobs.c.status == "pending", jobs.c.run_after <= dt.datetime.now(dt.UTC)
                )
            )
            unsealed = await conn.execute(
                sa.select(sa.func.count()).where(audit_events.c.seq.is_(None))
            )
            return due.scalar_one(), unsealed.scalar_one()

    def count(self) -> tuple[int, int] | None:
        future = asyncio.run_coroutine_threadsafe(self._count(), self.loop)
        try:
            return future.result(timeout=2)
        except Exception:  # a busy database: skip this sample
            future.cancel()
            return None

    def close(self) -> None:
        if self.engine is not None:
            asyncio.run_coroutine_threadsafe(self.engine.dispose(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


class CommitProbe:
    """PostgreSQL's own commit latency beside the run: from a thread with its own connection, a
    one-row INSERT committed every ``every`` seconds into a table of its own, timed. A second
    of the run whose requests were slow can then be read against what a bare commit (the WAL's
    flush to disk) took in it: a disk that stalls a commit for 200 ms stalls every commit
    queued behind it, the server's too, whatever the load. About 20 small commits a second;
    not on SQLite, where the probe would take the server's write lock."""

    def __init__(self, database_url: str, every: float = 0.05) -> None:
        import threading

        self.dsn = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
        self.every = every
        self.samples: list[tuple[float, float]] = []  # (wall time sent, ms)
        self.failed = ""  # why the probe stopped early, if it did
        self._stop = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._probe()), daemon=True)
        self.thread.start()

    async def _probe(self) -> None:
        try:
            await self._commit_until_stopped()
        except Exception as exc:  # a probe that died must not read as a quiet disk
            self.failed = f"{exc.__class__.__name__}: {exc}"

    async def _commit_until_stopped(self) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.dsn)
        try:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS bench_commit_probe "
                "(id bigserial PRIMARY KEY, at double precision NOT NULL)"
            )
            while not self._stop.is_set():
                sent, began = time.time(), time.perf_counter()
                await conn.execute("INSERT INTO bench_commit_probe (at) VALUES ($1)", sent)
                took = time.perf_counter() - began
                self.samples.append((sent, took * 1000))
                await asyncio.sleep(max(0.0, self.every - took))
        finally:
            await conn.close()

    def between(self, start: float, end: float) -> list[float]:
        """The commits' times (ms) sent from ``start`` to ``end`` (wall clock)."""
        return [ms for t, ms in list(self.samples) if start <= t < end]

    def summary(self, start: float, end: float) -> str:
        took = self.between(start, end)
        if self.failed:
            return f"a bare commit: the probe FAILED ({self.failed}), {len(took)} samples"
        if not took:
            return "a bare commit: no sample"
        return (
            f"a bare commit: p50 {pct(took, 50):.1f}, p99 {pct(took, 99):.0f}, "
            f"max {max(took):.0f} ms"
        )

    def close(self) -> None:
        self._stop.set()
        self.thread.join(timeout=10)


PROBE: CommitProbe | None = None  # on PostgreSQL, from the server's start to the end


def run_load(
    server: Server,
    *,
    kind: str,
    phases: list[tuple[float, float]],
    tag: str,
    token: str = "",
    body: str = "",
    path: str = "",
    timeout: float = 10.0,
    abandon_every: int = 0,
    abandon_phases: tuple[int, ...] = (),
    abandon_after: float = 0.1,
    during: Any = None,
    backlog: Backlog | None = None,
) -> Run:
    """Start the generator in its own process; sample RSS every 0.2 s until it ends.

    ``during(elapsed_seconds)`` is called on every sample (crash.py kills the server from it).
    """
    out = server.workdir / f"load-{tag}.json"
    cfg = {
        "host": "127.0.0.1",
        "port": server.port,
        "kind": kind,
        "phases": phases,
        "tag": tag,
        "token": token,
        "body": body,
        "path": path,
        "timeout": timeout,
        "max_connections": 1024,
        "abandon_every": abandon_every,
        "abandon_phases": list(abandon_phases),
        "abandon_after": abandon_after,
        "out": str(out),
    }
    cfg_path = server.workdir / f"load-{tag}.cfg.json"
    cfg_path.write_text(json.dumps(cfg), encoding="utf-8")
    pids = server.pids()
    labels = {pid: label(pid) for pid in pids}
    cpu_before = sum(cpu_seconds(pid) for pid in pids)
    rss: dict[int, list[tuple[float, int]]] = {pid: [] for pid in pids}
    began = time.time()
    counts: list[tuple[float, int, int]] = []
    last_count = 0.0
    generator = subprocess.Popen([sys.executable, __file__, "--generate", str(cfg_path)])
    cpu_after = cpu_before
    while generator.poll() is None:
        now = time.time()
        for pid in server.pids():
            kb = rss_kb(pid)
            if kb is not None:
                rss.setdefault(pid, []).append((now, kb))
                labels.setdefault(pid, label(pid))
        if server.alive():
            cpu_after = sum(cpu_seconds(pid) for pid in server.pids())
        if during is not None:
            during(now - began)
        if backlog is not None and now - last_count >= 1:
            last_count = now
            counted = backlog.count()
            if counted is not None:
                counts.append((now, *counted))
        time.sleep(0.2)
    if generator.returncode != 0:
        sys.exit(f"the load generator failed with {generator.returncode}")
    result = json.loads(out.read_text(encoding="utf-8"))
    start = result["start_wall"]
    RUNS.append(
        run := Run(
            records=result["records"],
            start_wall=start,
            generator_cpu=result["cpu_seconds"],
            connections_opened=result["connections_opened"],
            rss={pid: [(t - start, kb) for t, kb in samples] for pid, samples in rss.items()},
            backlog=[(t - start, jobs, unsealed) for t, jobs, unsealed in counts],
            labels=labels,
            server_cpu=cpu_after - cpu_before,
            wall=time.time() - began,
            server_alive=server.alive(),
        )
    )
    return run


RUNS: list[Run] = []  # every run of this process, for counting what was stored


# ---------------------------------------------------------------------------------------------
# Numbers.
# ---------------------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def rt(r: list[Any]) -> float:
    """Response time: from the moment the client started sending (connecting if it had to) to
    the last byte of the answer. The record's own latency also counts any delay of the
    generator itself in sending on time (r[3], its lag), which on a shared 2-core machine is
    the generator's problem, not the server's; both are printed."""
    return r[4] - r[3]


def admitted(r: list[Any]) -> bool:
    return r[5] > 0 and r[5] != 503


def ok(r: list[Any]) -> bool:
    return 200 <= r[5] < 300


@dataclass
class Second:
    t: int
    offered: int
    admitted: int
    rejected: int
    good: int
    other: int  # abandoned, failed, or an answer that is neither 2xx nor 503
    p99_admitted: float
    p99_rejected: float
    rss_mb: dict[int, float]
    jobs_due: float = math.nan  # pending jobs due, sampled about once a second
    unsealed: float = math.nan  # audit rows not yet sealed into the chain
    commit_max: float = math.nan  # the slowest bare commit sent in it (PostgreSQL's probe)


def per_second(run: Run, seconds: int) -> list[Second]:
    buckets: list[list[list[Any]]] = [[] for _ in range(seconds)]
    for r in run.records:
        buckets[min(seconds - 1, int(r[2]))].append(r)
    out = []
    for t, rs in enumerate(buckets):
        rss = {}
        for pid, samples in run.rss.items():
            inside = [kb for s, kb in samples if t <= s < t + 1]
            if inside:
                rss[pid] = max(inside) / 1024
        out.append(
            Second(
                t=t,
                offered=len(rs),
                admitted=sum(admitted(r) for r in rs),
                rejected=sum(r[5] == 503 for r in rs),
                good=sum(ok(r) for r in rs),
                other=sum(not ok(r) and r[5] != 503 for r in rs),
                p99_admitted=pct([rt(r) for r in rs if admitted(r)], 99) * 1000,
                p99_rejected=pct([rt(r) for r in rs if r[5] == 503], 99) * 1000,
                rss_mb=rss,
            )
        )
    for t, due, unsealed in run.backlog:
        if 0 <= t < seconds:
            out[int(t)].jobs_due, out[int(t)].unsealed = due, unsealed
    if PROBE is not None:
        for second in out:
            took = PROBE.between(run.start_wall + second.t, run.start_wall + second.t + 1)
            second.commit_max = max(took, default=math.nan)
    return out


def step_passes(run: Run) -> tuple[bool, str]:
    rs = run.records
    rejected = sum(r[5] == 503 for r in rs)
    failed = sum(not admitted(r) and r[5] != 503 for r in rs)
    wrong = sum(admitted(r) and not ok(r) for r in rs)
    p99 = pct([rt(r) for r in rs if admitted(r)], 99)
    passed = not rejected and not failed and not wrong and p99 <= P99_LIMIT
    return passed, f"p99 {p99 * 1000:,.0f} ms, {rejected} x 503, {failed + wrong} other"


def search(
    server: Server,
    kind: str,
    start: float,
    seconds: float,
    steps: int,
    confirm: float,
    **request: Any,
) -> float:
    """Highest fixed rate with p99 <= 250 ms and no 503: x1.5 until the first miss (at most
    SEARCH_LIMIT steps), then halve the gap ``steps`` times, then hold the rate found for
    ``confirm`` seconds (as long as the run holds it before the spike), 10% lower each time it
    misses. A search that never misses would call a rate sustainable that is only where it
    stopped looking, and the spike would be 10x of too little; a rate that passes a short step
    but not a long one is not sustained, and a recovery to it would be judged against a rate
    the server never kept."""
    low, high, rate = 0.0, math.inf, start
    n = bisections = 0

    def step(rate: float, length: float, tag: str) -> bool:
        for attempt in range(1, STALL_TRIES + 1):
            # Each try its own tag: the generator's idempotency keys are made from it, and a
            # try that sent the keys of the one before would be answered with what they stored.
            again_tag = tag if attempt == 1 else f"{tag}-{attempt}"
            run = run_load(server, kind=kind, phases=[(rate, length)], tag=again_tag, **request)
            passed, summary = step_passes(run)
            if PROBE is not None:
                summary += "; " + PROBE.summary(run.start_wall, run.start_wall + length)
            again = not passed and attempt < STALL_TRIES and disk_stalled(run, length)
            verdict = "ok  " if passed else "disk" if again else "miss"
            print(f"  {rate:7.1f}/s for {length:.0f} s: {verdict} ({summary})")
            time.sleep(1.5)  # let the queue and the background passes settle between steps
            if not again:
                return passed
        return False

    while bisections < steps and n < SEARCH_LIMIT:
        if high != math.inf:
            bisections += 1
        if step(rate, seconds, f"s{n}"):
            low = rate
        else:
            high = rate
        rate = rate * 1.5 if high == math.inf else (low + high) / 2
        n += 1
    if high == math.inf:
        print(f"  no miss within {SEARCH_LIMIT} steps: the rate is at least {low:.1f}/s")
    rate = low or start / 2
    for attempt in range(CONFIRM_LIMIT):
        if step(rate, confirm, f"c{attempt}"):
            return rate
        rate *= 0.9
    return rate


def disk_stalled(run: Run, length: float) -> bool:
    """Whether every second of a step that went wrong (p99 over the limit, a 503, a failure)
    had a bare commit over ``STALL_MS`` in it or in the second before: the disk's stall, not
    the rate. A step whose own load slowed the probe has bad seconds the probe did not see."""
    if PROBE is None or PROBE.failed:
        return False
    seconds = per_second(run, max(1, math.ceil(length)))
    stalled = {s.t for s in seconds if s.commit_max > STALL_MS}
    bad = [s for s in seconds if s.p99_admitted > P99_LIMIT * 1000 or s.rejected or s.other]
    return bool(bad) and all(s.t in stalled or s.t - 1 in stalled for s in bad)


SEARCH_LIMIT = 14
CONFIRM_LIMIT = 6
STALL_MS = 100.0
"""A miss in a step whose every bad second had a bare commit longer than this, in it or just
before it, is the disk's, not the rate's: the step is run again, ``STALL_TRIES`` times in all.
(A stall of the disk holds every commit queued behind it; at 10/s or at 400/s a step's p99
then shows the stall.)"""
STALL_TRIES = 3


RECOVERED_FOR = 5.0  # seconds of normal service that count as recovered


def recovery_seconds(run: Run, spike_end: float) -> float | None:
    """Smallest t (in 50 ms steps) such that the requests sent in the 5 s from spike_end + t
    saw no 503, no failure and an admitted p99 <= 250 ms; None if there is none in the run."""
    after = [r for r in run.records if r[2] >= spike_end]
    end = max((r[2] for r in after), default=spike_end)
    step = 0
    while spike_end + step * 0.05 + RECOVERED_FOR <= end + 0.5:
        start = spike_end + step * 0.05
        window = [r for r in after if start <= r[2] < start + RECOVERED_FOR]
        if all(ok(r) for r in window) and pct([rt(r) for r in window], 99) <= P99_LIMIT:
            return step * 0.05
        step += 1
    return None


def check(name: str, passed: bool, detail: str, results: list[tuple[str, bool, str]]) -> None:
    results.append((name, passed, detail))
    print(f"  {'PASS' if passed else 'FAIL'}  {name}: {detail}")


def targets(
    run: Run, seconds: list[Second], *, sustainable: float, phases: list[tuple[float, float]]
) -> list[tuple[str, bool, str]]:
    pre_end = phases[0][1]
    spike_end = pre_end + phases[1][1]
    spike = [r for r in run.records if pre_end <= r[2] < spike_end]
    results: list[tuple[str, bool, str]] = []
    failed = sum(r[5] == FAILED for r in run.records)
    check(
        "no crash",
        run.server_alive and failed == 0,
        f"server {'up' if run.server_alive else 'DOWN'} after the run, "
        f"{failed} requests without an answer",
        results,
    )
    worst = []
    for pid, samples in run.rss.items():
        pre = [kb for t, kb in samples if pre_end - 5 <= t < pre_end]
        later = [kb for t, kb in samples if t >= pre_end]
        if not pre or not later:
            continue
        base = sorted(pre)[len(pre) // 2] / 1024
        peak = max(later) / 1024
        worst.append(
            (
                peak < 300 and peak <= base * 1.10,
                f"{run.labels.get(pid, pid)} {base:.0f} -> {peak:.0f} MB "
                f"({(peak / base - 1) * 100:+.1f}%)",
            )
        )
    check(
        "RSS < 300 MB and within 10% of pre-spike, each process",
        all(p for p, _ in worst) and bool(worst),
        "; ".join(d for _, d in worst) or "no samples",
        results,
    )
    adm = [rt(r) for r in spike if admitted(r)]
    adm_sched = [r[4] for r in spike if admitted(r)]
    worst_second = max(
        (s.p99_admitted for s in seconds[int(pre_end) : int(spike_end)] if s.admitted),
        default=math.nan,
    )
    check(
        "admitted p99 <= 250 ms during the spike",
        pct(adm, 99) <= P99_LIMIT,
        f"p99 {pct(adm, 99) * 1000:,.0f} ms over {len(adm):,} admitted "
        f"(p50 {pct(adm, 50) * 1000:,.0f} ms; worst second {worst_second:,.0f} ms; from the "
        f"scheduled send time p99 {pct(adm_sched, 99) * 1000:,.0f} ms)",
        results,
    )
    rej = [r for r in spike if r[5] == 503]
    missing = sum("R" not in r[8] for r in rej)
    check(
        "excess answered 503 + Retry-After within 50 ms",
        bool(rej) and pct([rt(r) for r in rej], 99) <= REJECT_LIMIT and not missing,
        "no 503 at all: the spike brought no excess, so the rate the search found is below what "
        "the server carries, and this run is no test of the spike"
        if not rej
        else f"{len(rej):,} x 503, p99 {pct([rt(r) for r in rej], 99) * 1000:,.1f} ms, "
        f"p50 {pct([rt(r) for r in rej], 50) * 1000:,.1f} ms, max "
        f"{max((rt(r) for r in rej), default=math.nan) * 1000:,.0f} ms (from the scheduled "
        f"send time p99 {pct([r[4] for r in rej], 99) * 1000:,.1f} ms); "
        f"{missing} without Retry-After",
        results,
    )
    spike_secs = seconds[int(pre_end) : int(spike_end)]
    goodput = sum(s.good for s in spike_secs) / max(1, len(spike_secs))
    check(
        "goodput >= 80% of the sustainable rate during the spike",
        goodput >= 0.8 * sustainable,
        f"{goodput:,.1f} 2xx/s = {goodput / sustainable:.0%} of {sustainable:,.1f}/s "
        f"(lowest second {min(s.good for s in spike_secs)}/s)",
        results,
    )
    rec = recovery_seconds(run, spike_end)
    post = [s for s in seconds if s.t >= spike_end]
    late = max(post, key=lambda s: s.p99_admitted if s.admitted else 0, default=None)
    check(
        "recovers within 1 s of the spike's end",
        rec is not None and rec <= 1.0,
        ("not within the run" if rec is None else f"{rec:.2f} s")
        + " (then 5 s with no 503 and admitted p99 <= 250 ms); worst second after the spike: "
        + (f"t={late.t} s, p99 {late.p99_admitted:,.0f} ms" if late else "none"),
        results,
    )
    return results


# ---------------------------------------------------------------------------------------------
# Nothing lost: count the stored applications.
# ---------------------------------------------------------------------------------------------


async def _stored(database_url: str) -> tuple[dict[str, str], int]:
    import sqlalchemy as sa

    from yiwang.applications.models import applications
    from yiwang.database import create_engine

    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(sa.select(applications.c.idempotency_key, applications.c.id))
            pairs = [(k or "", i) for k, i in rows]
    finally:
        await engine.dispose()
    by_key = dict(pairs)
    return by_key, len(pairs) - len(by_key)


def stored_applications(database_url: str) -> tuple[dict[str, str], int]:
    """Idempotency key -> application id for every application in the database, and how many
    rows share a key with another (the unique constraint says: none)."""
    return asyncio.run(_stored(database_url))


def resend(base: str, token: str, body: str, keys: list[str]) -> list[tuple[str, int, str, bool]]:
    """Send these requests again, each with its own key: (key, status, id, replayed)."""
    import httpx

    out = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for key in keys:
            for _ in range(20):  # a 503 here would only mean: try again shortly
                r = client.post(
                    "/api/v1/applications",
                    content=body.encode(),
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Content-Type": "application/json",
                        "Idempotency-Key": key,
                    },
                )
                if r.status_code != 503:
                    break
                time.sleep(0.2)
            replayed = r.headers.get("idempotent-replayed") == "true"
            out.append(
                (key, r.status_code, r.json().get("id", "") if r.is_success else "", replayed)
            )
    return out


def nothing_lost(
    setup: Setup, base: str, token: str, body: str, runs: list[Run], sample: int
) -> list[tuple[str, bool, str]]:
    results: list[tuple[str, bool, str]] = []
    records = [r for run in runs for r in run.records if r[6]]
    acked = {r[6]: r[7] for r in records if r[5] == 201 and "P" not in r[8]}
    rejected = [r[6] for r in records if r[5] == 503]
    unknown = [r[6] for r in records if r[5] in (ABANDONED, FAILED)]
    stored, dup = stored_applications(setup.database_url)
    wrong_id = [k for k, i in acked.items() if stored.get(k) != i]
    check(
        "every 201 is a stored application",
        not wrong_id and not dup,
        f"{len(acked):,} acknowledged, {len(stored):,} stored, {len(wrong_id)} acknowledged "
        f"but missing or different; keys stored twice: {dup}",
        results,
    )
    stored_rejected = [k for k in rejected if k in stored]
    stored_unknown = [k for k in unknown if k in stored]
    extra = set(stored) - set(acked) - set(unknown)
    check(
        "no 503 stored anything; nothing stored that was not sent",
        not stored_rejected and not extra,
        f"{len(rejected):,} x 503, {len(stored_rejected)} of them stored; {len(extra)} stored "
        f"rows with no request; of {len(unknown)} abandoned/unanswered, {len(stored_unknown)} "
        "had been stored anyway (the client gave up, the server had not)",
        results,
    )
    before = len(stored)
    again = resend(base, token, body, list(acked)[:sample])
    good = [a for a in again if a[1] == 201 and a[3] and a[2] == acked[a[0]]]
    after = len(stored_applications(setup.database_url)[0])
    check(
        "acknowledged requests sent again with their key: replays, no new rows",
        len(good) == len(again) and after == before,
        f"{len(good)}/{len(again)} answered 201 + Idempotent-Replayed with the same id; "
        f"stored {before:,} -> {after:,}",
        results,
    )
    retried = resend(base, token, body, unknown)
    replays = sum(a[3] for a in retried)
    stored_now = stored_applications(setup.database_url)[0]
    mismatched = [a for a in retried if a[1] != 201 or stored_now.get(a[0]) != a[2]]
    check(
        "abandoned requests retried with their key: each stored exactly once",
        not mismatched
        and replays == len(stored_unknown)
        and len(stored_now) == before + len(unknown) - len(stored_unknown),
        f"{len(retried)} retried: {replays} replays of what the server had already stored, "
        f"{len(retried) - replays} created now; stored {before:,} -> {len(stored_now):,}",
        results,
    )
    fresh = resend(base, token, body, rejected[: min(sample, 50)])
    stored_last = stored_applications(setup.database_url)[0]
    check(
        "503s retried with their key: created now (the 503 had done nothing)",
        all(a[1] == 201 and not a[3] for a in fresh)
        and len(stored_last) == len(stored_now) + len(fresh),
        f"{sum(a[1] == 201 and not a[3] for a in fresh)}/{len(fresh)} created, not replayed; "
        f"stored {len(stored_now):,} -> {len(stored_last):,}",
        results,
    )
    return results


async def _sessions_of(database_url: str, username: str) -> set[str]:
    import sqlalchemy as sa

    from yiwang.database import create_engine
    from yiwang.identity.models import accounts, sessions

    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                sa.select(sessions.c.token_hash)
                .join(accounts, accounts.c.id == sessions.c.account_id)
                .where(accounts.c.username == username, sessions.c.kind == "api")
            )
            return {h for (h,) in rows}
    finally:
        await engine.dispose()


def sessions_started(
    setup: Setup, base: str, runs: list[Run], sample: int
) -> list[tuple[str, bool, str]]:
    """A sign-in's 200 is a session stored for its token, and nothing else started one."""
    import httpx

    from yiwang.identity.service import token_hash

    results: list[tuple[str, bool, str]] = []
    tokens = [r[7] for run in runs for r in run.records if r[5] == 200 and r[7]]
    stored = asyncio.run(_sessions_of(setup.database_url, SIGNIN_ACCOUNT))
    missing = [t for t in tokens if token_hash(t) not in stored]
    refused = sum(r[5] == 503 for run in runs for r in run.records)
    check(
        "every 200 is a stored session; a 503 started none",
        not missing and len(stored) == len(tokens),
        f"{len(tokens):,} tokens answered, {len(stored):,} sessions stored, {len(missing)} "
        f"answered but not stored; {refused:,} x 503",
        results,
    )
    with httpx.Client(base_url=base, timeout=30) as client:
        answers = [
            client.get("/api/v1/me", headers={"Authorization": f"Bearer {t}"}).status_code
            for t in tokens[-sample:]
        ]
    check(
        "tokens answered in the run open the account",
        answers.count(200) == len(answers),
        f"{answers.count(200)}/{len(answers)} of the last tokens answered GET /api/v1/me 200",
        results,
    )
    return results


def audit_verify(env: dict[str, str]) -> tuple[bool, str]:
    done = subprocess.run([*YIWANG, "audit", "verify"], env=env, capture_output=True, text=True)
    return done.returncode == 0, (done.stdout.strip() or done.stderr.strip())


def metric(base: str, name: str) -> float:
    import httpx

    text = httpx.get(f"{base}/metrics", timeout=10).text
    found = re.search(rf"^{name}(?:\{{[^}}]*\}})? ([\d.e+]+)$", text, re.M)
    return float(found.group(1)) if found else math.nan


# ---------------------------------------------------------------------------------------------
# The chart: a small SVG by hand (matplotlib is not a dependency of the project).
# ---------------------------------------------------------------------------------------------


def svg_chart(
    seconds: list[Second],
    *,
    title: str,
    subtitle: str,
    spike: tuple[float, float],
    labels: dict[int, str],
) -> str:
    width, left, right = 930, 70, 160
    panels = [
        ("requests per second", 190),
        ("p99 latency, ms (log)", 190),
        ("RSS, MB", 120),
        ("background work waiting", 110),
    ]
    top, gap = 72, 42
    height = top + sum(h for _, h in panels) + gap * len(panels) + 10
    plot_w = width - left - right
    n = len(seconds)

    def x(t: float) -> float:
        return left + plot_w * t / n

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="20" font-size="15" font-weight="bold">{_esc(title)}</text>',
        f'<text x="{left}" y="38" fill="#555">{_esc(subtitle)}</text>',
    ]
    y0 = top
    for name, h in panels:
        out.append(
            f'<rect x="{x(spike[0]):.1f}" y="{y0}" width="{x(spike[1]) - x(spike[0]):.1f}" '
            f'height="{h}" fill="#f3f3f3"/>'
        )
        out.append(f'<text x="{left}" y="{y0 - 6}" font-weight="bold">{name}</text>')
        series: list[tuple[str, str, list[float], str]] = []
        if name.startswith("requests"):
            series = [
                ("offered", "#888", [s.offered for s in seconds], ""),
                ("admitted", "#1f77b4", [s.admitted for s in seconds], ""),
                ("rejected 503", "#d62728", [s.rejected for s in seconds], ""),
                ("2xx (goodput)", "#2ca02c", [s.good for s in seconds], "4 3"),
            ]
            top_value = _nice(max(max(v) for _, _, v, _ in series))
            ticks = [top_value * i / 4 for i in range(5)]

            def scale(v: float, h: int = h, top_value: float = top_value) -> float:
                return h * (1 - v / top_value)

        elif name.startswith("p99"):
            series = [
                ("admitted p99", "#1f77b4", [s.p99_admitted for s in seconds], ""),
                ("503 p99", "#d62728", [s.p99_rejected for s in seconds], ""),
            ]
            ticks = [1, 10, 100, 1000, 10000]

            def scale(v: float, h: int = h) -> float:
                v = min(max(v, 1), 10000)
                return h * (1 - math.log10(v) / 4)

            for limit, colour in ((250, "#1f77b4"), (50, "#d62728")):
                yy = y0 + scale(limit)
                out.append(
                    f'<line x1="{left}" x2="{left + plot_w}" y1="{yy:.1f}" y2="{yy:.1f}" '
                    f'stroke="{colour}" stroke-dasharray="2 3" opacity="0.7"/>'
                )
                out.append(
                    f'<text x="{left + plot_w - 4}" y="{yy - 3:.1f}" text-anchor="end" '
                    f'fill="{colour}">{limit} ms</text>'
                )
        elif name.startswith("background"):
            series = [
                ("jobs due", "#ff7f0e", [s.jobs_due for s in seconds], ""),
                ("unsealed audit", "#17becf", [s.unsealed for s in seconds], "4 3"),
            ]
            peak = max((v for _, _, vs, _ in series for v in vs if v == v), default=1)
            top_value = _nice(max(peak, 10))
            ticks = [top_value * i / 4 for i in range(5)]

            def scale(v: float, h: int = h, top_value: float = top_value) -> float:
                return h * (1 - v / top_value)

        else:
            pids = sorted({pid for s in seconds for pid in s.rss_mb})
            colours = ["#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
            series = [
                (
                    f"RSS {labels.get(pid, pid)}",
                    colours[i % len(colours)],
                    [s.rss_mb.get(pid, math.nan) for s in seconds],
                    "",
                )
                for i, pid in enumerate(pids)
            ]
            peak = max((v for _, _, vs, _ in series for v in vs if v == v), default=1)
            top_value = _nice(max(peak * 1.15, 330))
            ticks = [top_value * i / 4 for i in range(5)]

            def scale(v: float, h: int = h, top_value: float = top_value) -> float:
                return h * (1 - v / top_value)

            yy = y0 + scale(300)
            out.append(
                f'<line x1="{left}" x2="{left + plot_w}" y1="{yy:.1f}" y2="{yy:.1f}" '
                'stroke="#9467bd" stroke-dasharray="2 3" opacity="0.7"/>'
            )
            out.append(
                f'<text x="{left + plot_w - 4}" y="{yy - 3:.1f}" text-anchor="end" '
                'fill="#9467bd">300 MB</text>'
            )

        svg_grid(out, ticks, scale, left=left, top=y0, width=plot_w, height=h)
        for i, (legend, colour, values, dash) in enumerate(series):
            dashing = f' stroke-dasharray="{dash}"' if dash else ""
            runs: list[list[str]] = [[]]
            for s, v in zip(seconds, values, strict=True):
                if v != v:  # NaN: no such answers that second; the line breaks
                    runs.append([])
                    continue
                runs[-1].append(f"{x(s.t + 0.5):.1f},{y0 + scale(v):.1f}")
            for points in runs:
                if len(points) == 1:
                    cx, cy = points[0].split(",")
                    out.append(f'<circle cx="{cx}" cy="{cy}" r="2" fill="{colour}"/>')
                elif points:
                    out.append(
                        f'<polyline fill="none" stroke="{colour}" stroke-width="1.8"{dashing} '
                        f'points="{" ".join(points)}"/>'
                    )
            ly = y0 + 14 + 16 * i
            out.append(
                f'<line x1="{left + plot_w + 10}" x2="{left + plot_w + 28}" y1="{ly - 4}" '
                f'y2="{ly - 4}" stroke="{colour}" stroke-width="2"{dashing}/>'
            )
            out.append(f'<text x="{left + plot_w + 32}" y="{ly}">{_esc(str(legend))}</text>')
        y0 += h + gap
    for t in range(0, n + 1, 5):
        out.append(f'<text x="{x(t):.1f}" y="{y0 - gap + 16}" text-anchor="middle">{t} s</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _nice(v: float) -> float:
    if v <= 0:
        return 1
    exp = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 4, 5, 8, 10):
        if v <= m * exp:
            return m * exp
    return 10 * exp


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="", help="PostgreSQL server; default SQLite")
    parser.add_argument("--target", choices=["submit", "read", "signin"], default="submit")
    parser.add_argument(
        "--max-in-flight",
        type=int,
        default=64,
        help="YIWANG_MAX_IN_FLIGHT for the server (default 64, the platform's)",
    )
    parser.add_argument(
        "--admission-wait",
        type=float,
        default=None,
        help="YIWANG_ADMISSION_WAIT_SECONDS for the server (default: the platform's, 0.08; "
        "0: the bound is --max-in-flight always)",
    )
    parser.add_argument("--rate", type=float, default=0, help="sustainable rate; skips the search")
    parser.add_argument("--search-start", type=float, default=0)
    parser.add_argument(
        "--search-steps", type=int, default=2, help="bisections after the first miss"
    )
    parser.add_argument("--search-seconds", type=float, default=6)
    parser.add_argument("--factor", type=float, default=10)
    parser.add_argument("--before", type=float, default=15)
    parser.add_argument("--spike", type=float, default=30)
    parser.add_argument("--after", type=float, default=15)
    parser.add_argument(
        "--abandon-every",
        type=int,
        default=50,
        help="during the spike, every Nth submission gives up after --abandon-after s and is "
        "retried later with the same key (0: never)",
    )
    parser.add_argument("--abandon-after", type=float, default=0.1)
    parser.add_argument("--replay-sample", type=int, default=200)
    parser.add_argument(
        "--plot",
        default="",
        help="SVG to write (default docs/spike[-read][-postgresql].svg)",
    )
    args = parser.parse_args()
    wait = args.admission_wait
    setup = prepare(args.database_url, max_in_flight=args.max_in_flight, prefix="spike", wait=wait)
    if wait is None:
        from yiwang.config import Settings

        wait = Settings.model_fields["admission_wait_seconds"].default
    admission = f"{args.max_in_flight} in flight"
    if wait > 0:
        admission += f"; once full, what the pace finishes in {wait:g} s"
    server = Server(setup.env, setup.workdir)
    print(f"machine: {machine()}")
    global PROBE
    try:
        server.start()
        if setup.scratch:
            PROBE = CommitProbe(setup.database_url)
        token, body = sign_in_and_form(server.base)
        if args.target == "submit":
            request: dict[str, Any] = {"token": token, "body": body}
            what = f"POST /api/v1/applications ({BUNDLE}, 4 departments, {len(body.encode())} B)"
        elif args.target == "signin":
            request = {"body": urlencode({"username": SIGNIN_ACCOUNT, "password": PASSWORD})}
            what = f"POST /api/v1/auth/token ({SIGNIN_ACCOUNT}, argon2id)"
        else:
            request = {"path": f"/api/v1/services/{READ_SERVICE}"}
            what = f"GET {request['path']}"
        kind = args.target
        print(f"{setup.backend}, one uvicorn worker, admission: {admission}; {what}")
        run_load(server, kind=kind, phases=[(5, 2)], tag="warm", **request)
        sustainable = args.rate
        if not sustainable:
            start = args.search_start or {"submit": 8, "signin": 4}.get(kind, 100)
            print(f"searching the sustainable rate ({args.search_seconds:.0f} s per step):")
            sustainable = search(
                server,
                kind,
                start,
                args.search_seconds,
                args.search_steps,
                args.before,
                **request,
            )
        phases = [
            (sustainable, args.before),
            (sustainable * args.factor, args.spike),
            (sustainable, args.after),
        ]
        print(
            f"sustainable rate {sustainable:,.1f}/s; run: {args.before:.0f} s at it, "
            f"{args.spike:.0f} s at {sustainable * args.factor:,.1f}/s, {args.after:.0f} s at it"
        )
        rejected_before = metric(server.base, "yiwang_http_rejected_total")
        backlog = Backlog(setup.database_url)
        try:
            run = run_load(
                server,
                kind=kind,
                phases=phases,
                tag="main",
                abandon_every=args.abandon_every if kind == "submit" else 0,
                abandon_phases=(1,),
                abandon_after=args.abandon_after,
                backlog=backlog,
                **request,
            )
        finally:
            backlog.close()
        total = int(sum(s for _, s in phases))
        seconds = per_second(run, total)
        lags = [r[3] for r in run.records]
        print(
            f"generator: {len(run.records):,} requests, CPU {run.generator_cpu:.1f} s in "
            f"{run.wall:.0f} s, send lag p99 {pct(lags, 99) * 1000:.1f} ms "
            f"max {max(lags) * 1000:.0f} ms, {run.connections_opened} connections; "
            f"server CPU {run.server_cpu:.1f} s"
        )
        if server.alive():
            counted = metric(server.base, "yiwang_http_rejected_total") - rejected_before
            print(
                f"server's yiwang_http_rejected_total rose by {counted:,.0f}; the client saw "
                f"{sum(r[5] == 503 for r in run.records):,} x 503"
            )
        pids = sorted(run.labels)
        print(
            "\n  t | offered | admitted | 503 | 2xx | other | p99 adm ms | p99 503 ms | "
            "jobs due | unsealed | "
            + ("bare commit max ms | " if PROBE else "")
            + " | ".join(f"RSS {run.labels[p]} MB" for p in pids)
        )
        for s in seconds:
            print(
                f"{s.t:3d} | {s.offered:7d} | {s.admitted:8d} | {s.rejected:4d} | {s.good:4d} | "
                f"{s.other:5d} | {s.p99_admitted:10.0f} | {s.p99_rejected:10.1f} | "
                f"{s.jobs_due:8.0f} | {s.unsealed:8.0f} | "
                + (f"{s.commit_max:18.0f} | " if PROBE else "")
                + " | ".join(f"{s.rss_mb.get(p, math.nan):.0f}" for p in pids)
            )
        print(
            "\n| phase | offered/s | admitted/s | 503/s | 2xx/s | admitted p50 / p99 ms "
            "| 503 p50 / p99 ms |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
        )
        for phase, (name, (_, length)) in enumerate(
            zip(("before", "spike", "after"), phases, strict=True)
        ):
            rs = [r for r in run.records if r[1] == phase]
            adm = [rt(r) for r in rs if admitted(r)]
            rej = [rt(r) for r in rs if r[5] == 503]
            print(
                f"| {name} | {len(rs) / length:,.1f} | {len(adm) / length:,.1f} "
                f"| {len(rej) / length:,.1f} | {sum(ok(r) for r in rs) / length:,.1f} "
                f"| {pct(adm, 50) * 1000:,.0f} / {pct(adm, 99) * 1000:,.0f} "
                f"| {pct(rej, 50) * 1000:,.1f} / {pct(rej, 99) * 1000:,.1f} |"
            )
        print("\ntargets:")
        results = targets(run, seconds, sustainable=sustainable, phases=phases)
        pre = [rt(r) for r in run.records if r[1] != 1 and admitted(r)]
        print(
            f"  (outside the spike: admitted p99 {pct(pre, 99) * 1000:,.0f} ms, "
            f"{sum(r[5] == 503 for r in run.records if r[1] != 1)} x 503)"
        )
        if PROBE is not None:
            slow = [s for s in seconds if s.p99_admitted > P99_LIMIT * 1000]
            stalled = [s for s in slow if s.commit_max > STALL_MS]
            print(
                f"  (the disk: {PROBE.summary(run.start_wall, run.start_wall + run.wall)}; "
                f"of the {len(slow)} seconds whose admitted p99 was over "
                f"{P99_LIMIT * 1000:.0f} ms, {len(stalled)} had a bare commit over "
                f"{STALL_MS:.0f} ms)"
            )
        default = "spike" + ("" if kind == "submit" else f"-{kind}")
        default += "-postgresql" if setup.scratch else ""
        plot = Path(args.plot) if args.plot else ROOT / "docs" / f"{default}.svg"
        plot.write_text(
            svg_chart(
                seconds,
                title=f"Spike: {what}",
                subtitle=(
                    f"{setup.backend}, 1 worker, {admission}, "
                    f"{sustainable:,.0f}/s -> {sustainable * args.factor:,.0f}/s -> "
                    f"{sustainable:,.0f}/s, 2 cores shared with the load generator"
                ),
                spike=(args.before, args.before + args.spike),
                labels=run.labels,
            ),
            encoding="utf-8",
        )
        print(f"  chart: {plot}")
        if kind == "submit" and server.alive():
            print("\nnothing lost:")
            results += nothing_lost(
                setup, server.base, token, body, RUNS, sample=args.replay_sample
            )
        if kind == "signin" and server.alive():
            print("\nnothing lost:")
            results += sessions_started(setup, server.base, RUNS, sample=args.replay_sample)
        ok_, said = audit_verify(setup.env)
        check("yiwang audit verify", ok_, said, results)
        failed = [name for name, passed, _ in results if not passed]
        print(f"\n{len(results) - len(failed)}/{len(results)} checks passed")
    finally:
        if PROBE is not None:
            PROBE.close()
        server.stop()
        setup.cleanup()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--generate"]:
        generator_main(sys.argv[2])
    else:
        main()
