"""Scale out: two app processes and two `yiwang worker` processes on one PostgreSQL.

The requirement: "throughput rises, no job is run twice, no task is decided twice". Two
configurations, each on a fresh scratch database (migrated and seeded as ``make run`` does):

  A  one ``yiwang serve`` process           + one ``yiwang worker``
  B  two ``yiwang serve`` processes (2 ports) + two ``yiwang worker`` processes

Load, for --seconds after a --warmup:

1. Submissions: closed-loop clients (--concurrency in all, an async httpx client in a load
   process of its own, --load-processes to split it) POST /api/v1/applications of the bundle
   open-restaurant as citizen1, each request with a distinct Idempotency-Key; the clients are
   spread evenly across the app processes. Measured: applications/s (201s), p50/p99.
2. Staff decisions, raced: one client per department of the bundle (staff-samr, staff-fire,
   staff-tax) reads its inbox and sends each task's {"decision": "approve"} twice at the same
   moment, one copy to each app process (in A: twice to the one process, on two connections).
   Exactly one copy may be answered 200; the other must be refused (409).

The job runners compete meanwhile: each app process runs the outbox after its own commits and
the workers poll it (claims: FOR UPDATE SKIP LOCKED). The workers run their deadline checks
every --deadline-every seconds (the product default is 300 s; short here so that the two
workers' checks overlap while tasks come due).

Afterwards, the load stopped and the outbox drained, the database is checked:

(a) no job ran twice: notification log lines per job id (the outside channel writes one line per
    run of a notifications.send job), in-app messages and `notification.sent` audit rows per
    done job, `certificate.rendered` audit rows and PDFs per licence, licences per approved
    branch (exactly one where the service issues one), jobs left pending/failed, jobs with
    attempts > 1 (claimed more than once);
(b) no task decided twice: decision audit rows (task.approve …) per task id, decision events in
    the application timelines per (branch, step) against the tasks that step had, 200s the
    racers received against the tasks stored as decided, deadline warnings/escalations
    (task_due_soon, task_overdue events) per (branch, step) against its tasks;
(c) every 201 is a stored application (key by key), and no acknowledged key stored twice;
plus `yiwang audit verify` (two workers seal the audit chain).

Any duplicate or loss exits 1. The machine: this host has 2 cores, shared by the app processes,
the workers, PostgreSQL and the load generator, so B has no spare core to use; the CPU each
group used is printed.

    .venv/bin/python benchmarks/scaleout.py --seconds 20 --concurrency 16
    .venv/bin/python benchmarks/scaleout.py --rounds 2 --json scaleout.json \
        --database-url postgresql://postgres@127.0.0.1/postgres
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402 - the benchmarks' shared helpers
    BUNDLE,
    CITIZEN,
    PASSWORD,
    ROOT,
    TICKS,
    YIWANG,
    admin,
    cpu_seconds,
    descendants,
    free_port,
    machine,
    run_generator,
)

DECISIONS = ("task.approve", "task.reject", "task.return")
DECISION_EVENTS = ("task_approved", "task_rejected", "task_returned")
DEADLINE_EVENTS = ("task_due_soon", "task_overdue")

# ---------------------------------------------------------------------------------------------
# The load generator: a process of its own, closed loop, httpx.
# ---------------------------------------------------------------------------------------------


async def _generate(cfg: dict[str, Any]) -> dict[str, Any]:
    import httpx

    ports: list[int] = cfg["ports"]
    clients = [
        httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}",
            timeout=cfg["timeout"],
            limits=httpx.Limits(max_connections=cfg["concurrency"], max_keepalive_connections=None),
            headers={
                "Authorization": f"Bearer {cfg['token']}",
                "Content-Type": "application/json",
            },
        )
        for port in ports
    ]
    body = cfg["body"].encode()
    records: list[list[Any]] = []
    # Every load process starts its clock at the same wall-clock moment.
    await asyncio.sleep(max(0.0, cfg["start_at"] - time.time()))
    start_wall, start = time.time(), time.perf_counter()
    end = start + cfg["warmup"] + cfg["seconds"]
    seq = 0

    async def loop(n: int) -> None:
        nonlocal seq
        client = clients[n % len(clients)]
        while time.perf_counter() < end:
            seq += 1
            key = f"{cfg['tag']}-{seq}"
            began = time.perf_counter()
            app_id, status = "", 0
            try:
                answer = await client.post(
                    "/api/v1/applications", content=body, headers={"Idempotency-Key": key}
                )
                status = answer.status_code
                if status == 201:
                    app_id = answer.json()["id"]
                    if answer.headers.get("idempotent-replayed") == "true":
                        status = -201  # a replay where none was expected
            except httpx.TimeoutException:
                status = -1
            except httpx.HTTPError:
                status = 0
            done = time.perf_counter()
            records.append(
                [round(began - start, 4), round(done - start, 4), round(done - began, 5)]
                + [status, key, app_id, n % len(clients)]
            )
            if status in (0, 503):
                await asyncio.sleep(0.05)

    await asyncio.gather(*(loop(n) for n in range(cfg["concurrency"])))
    for client in clients:
        await client.aclose()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "start_wall": start_wall,
        "records": records,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
    }


def generator_main(config_path: str) -> None:
    run_generator(_generate, config_path)


# ---------------------------------------------------------------------------------------------
# Processes: servers, workers, and the CPU they use.
# ---------------------------------------------------------------------------------------------


def machine_busy_seconds() -> float:
    """CPU time the whole machine has spent busy (every core, every process)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / TICKS


def postgres_pids() -> list[int]:
    """Every PostgreSQL process on the host (its backends do the other scale-out work)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() in ("postgres", "postmaster"):
                    out.append(int(entry.name))
    return out


@dataclass
class Proc:
    """A yiwang process in a process group of its own, its output in a log file."""

    name: str
    args: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [*YIWANG, *self.args],
            env=self.env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def pids(self) -> list[int]:
        return descendants(self.process.pid) if self.alive() else []

    def cpu(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.pids())

    def tail(self, lines: int = 15) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if not self.alive():
            return
        os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def wait_ready(proc: Proc, port: int) -> None:
    import httpx

    for _ in range(600):
        if not proc.alive():
            sys.exit(f"{proc.name} exited: {proc.tail()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=0.5).status_code == 200:
                return
        time.sleep(0.1)
    sys.exit(f"{proc.name} did not answer within 60 s: {proc.tail()}")


@dataclass
class Scratch:
    workdir: Path
    env: dict[str, str]
    url: str
    admin_url: str
    name: str

    def drop(self, keep: bool) -> None:
        if keep:
            print(f"  kept: database {self.name}, files {self.workdir}")
            return
        with contextlib.suppress(Exception):
            asyncio.run(
                admin(self.admin_url, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            )
        shutil.rmtree(self.workdir, ignore_errors=True)


def prepare(admin_url: str, label: str) -> Scratch:
    """A scratch database on the server, migrated and seeded as `make run` does."""
    workdir = Path(tempfile.mkdtemp(prefix=f"yiwang-scaleout-{label}-"))
    name = f"yiwang_bench_scaleout_{label.lower()}_{uuid.uuid4().hex[:8]}"
    asyncio.run(admin(admin_url, f'CREATE DATABASE "{name}"'))
    url = urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))
    env = {
        **os.environ,
        "YIWANG_DATABASE_URL": url,
        "YIWANG_LOG_LEVEL": "WARNING",
        "YIWANG_NOTIFICATION_LOG": str(workdir / "notifications.log"),
        "YIWANG_KEYS_DIR": str(workdir / "keys"),  # one directory shared by every process
        "YIWANG_DEMO_SYSTEMS_PORT": str(free_port()),
    }
    scratch = Scratch(workdir=workdir, env=env, url=url, admin_url=admin_url, name=name)
    for step in (["migrate"], ["seed-demo"], ["complaints", "retrain", "--if-missing"]):
        done = subprocess.run([*YIWANG, *step], env=env, capture_output=True)
        if done.returncode != 0:
            scratch.drop(keep=False)
            sys.exit(
                f"yiwang {' '.join(step)} failed: {done.stderr.decode(errors='replace')[-2000:]}"
            )
    return scratch


# ---------------------------------------------------------------------------------------------
# Staff clients that race every decision across the app processes.
# ---------------------------------------------------------------------------------------------


def sign_in(base: str, username: str) -> str:
    import httpx

    answer = httpx.post(
        f"{base}/api/v1/auth/token", data={"username": username, "password": PASSWORD}, timeout=30
    )
    answer.raise_for_status()
    return answer.json()["access_token"]


def bundle_departments() -> list[str]:
    import yaml

    bundle = yaml.safe_load((ROOT / "definitions/bundles" / f"{BUNDLE}.yaml").read_text("utf-8"))
    out = []
    for code in bundle["services"]:
        service = yaml.safe_load(
            (ROOT / "definitions/services" / f"{code}.yaml").read_text("utf-8")
        )
        if service["department"] not in out:
            out.append(service["department"])
    return out


def step_priority(step: str) -> int:
    """Finish cases rather than open new ones: later steps first, so that branches get approved
    (licences issued, PDFs rendered) while the load runs. The inbox itself is soonest-due-first,
    which would keep every racer on the never-ending first steps."""
    return {"decide": 0, "review": 1}.get(step, 2)


@dataclass
class RaceStats:
    pairs: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)  # e.g. "200+409"
    winners: int = 0  # 200s
    doubles: list[str] = field(default_factory=list)  # task ids answered 200 twice
    errors: list[str] = field(default_factory=list)
    inbox_reads: int = 0
    inbox_seconds: float = 0.0


async def race(
    ports: list[int],
    tokens: dict[str, str],
    stop: asyncio.Event,
    stats: RaceStats,
    batch: int,
) -> None:
    import httpx

    async def racer(department: str, token: str) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        # Two clients, one per app process (in A both reach the one process, on two connections).
        targets = [ports[0], ports[1 % len(ports)]]
        clients = [
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{p}", headers=headers, timeout=30)
            for p in targets
        ]
        turn = 0
        try:
            while not stop.is_set():
                turn += 1
                began = time.perf_counter()
                try:
                    inbox = await clients[turn % 2].get("/api/v1/tasks")
                except httpx.HTTPError as exc:
                    stats.errors.append(f"{department} inbox: {exc!r}")
                    await asyncio.sleep(0.2)
                    continue
                stats.inbox_reads += 1
                stats.inbox_seconds += time.perf_counter() - began
                if inbox.status_code != 200:
                    stats.errors.append(f"{department} inbox: {inbox.status_code}")
                    await asyncio.sleep(0.2)
                    continue
                open_tasks = [t for t in inbox.json() if not t["suspended"] and not t["delegated"]]
                open_tasks.sort(key=lambda t: (step_priority(t["step"]), t["created_at"]))
                if not open_tasks:
                    await asyncio.sleep(0.1)
                    continue
                for task in open_tasks[:batch]:
                    if stop.is_set():
                        break
                    path = f"/api/v1/tasks/{task['id']}/decision"
                    answers = await asyncio.gather(
                        *(c.post(path, json={"decision": "approve"}) for c in clients),
                        return_exceptions=True,
                    )
                    codes = []
                    for answer in answers:
                        if isinstance(answer, BaseException):
                            codes.append(0)
                            stats.errors.append(f"{department} decision: {answer!r}")
                        else:
                            codes.append(answer.status_code)
                            if answer.status_code >= 500 or answer.status_code in (400, 422):
                                stats.errors.append(
                                    f"{department} decision {answer.status_code}: "
                                    f"{answer.text[:200]}"
                                )
                    stats.pairs += 1
                    stats.outcomes["+".join(str(c) for c in sorted(codes))] += 1
                    ok = codes.count(200)
                    stats.winners += ok
                    if ok > 1:
                        stats.doubles.append(task["id"])
        finally:
            for client in clients:
                await client.aclose()

    await asyncio.gather(*(racer(d, t) for d, t in tokens.items()))


# ---------------------------------------------------------------------------------------------
# One configuration.
# ---------------------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


async def _count_backlog(url: str) -> tuple[int, int]:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        pending = await conn.fetchval("SELECT count(*) FROM jobs WHERE status = 'pending'")
        unsealed = await conn.fetchval("SELECT count(*) FROM audit_events WHERE seq IS NULL")
        return int(pending), int(unsealed)
    finally:
        await conn.close()


def run_config(label: str, apps: int, workers: int, args: argparse.Namespace) -> dict[str, Any]:
    import httpx

    print(f"\n== {label}: {apps} app process(es) + {workers} worker(s) ==", flush=True)
    scratch = prepare(args.database_url, label)
    procs: list[Proc] = []
    try:
        ports = [free_port() for _ in range(apps)]
        servers = [
            Proc(
                f"app{i + 1}",
                ["serve"],
                {**scratch.env, "YIWANG_PORT": str(port)},
                scratch.workdir / f"app{i + 1}.log",
            )
            for i, port in enumerate(ports)
        ]
        worker_procs = [
            Proc(
                f"worker{i + 1}",
                ["worker", "--deadline-every", str(args.deadline_every)],
                {**scratch.env, "YIWANG_PORT": str(ports[0])},
                scratch.workdir / f"worker{i + 1}.log",
            )
            for i in range(workers)
        ]
        procs = [*servers, *worker_procs]
        for proc in procs:
            proc.start()
        for proc, port in zip(servers, ports, strict=True):
            wait_ready(proc, port)
        time.sleep(1.0)
        for proc in worker_procs:
            if not proc.alive():
                sys.exit(f"{proc.name} exited: {proc.tail()}")

        base = f"http://127.0.0.1:{ports[0]}"
        token = sign_in(base, CITIZEN)
        schema = httpx.get(f"{base}/api/v1/bundles/{BUNDLE}", timeout=30).json()["form_schema"]
        sys.path.insert(0, str(ROOT))
        from tests.applications.helpers import answers

        body = json.dumps({"bundle": BUNDLE, "form": answers(schema)}, ensure_ascii=False)
        staff = {d: sign_in(base, f"staff-{d}") for d in bundle_departments()}

        # The load processes, and meanwhile the racers and the CPU meter in this process.
        tag = f"so{label}{uuid.uuid4().hex[:6]}"
        per = [args.concurrency // args.load_processes] * args.load_processes
        for i in range(args.concurrency % args.load_processes):
            per[i] += 1
        cfgs = []
        start_at = time.time() + 2.0
        for i, concurrency in enumerate(per):
            cfg = {
                # Each load process talks to every app process (its clients spread evenly).
                "ports": ports,
                "token": token,
                "body": body,
                "concurrency": concurrency,
                "seconds": args.seconds,
                "warmup": args.warmup,
                "start_at": start_at,
                "timeout": 30.0,
                "tag": f"{tag}p{i}",
                "out": str(scratch.workdir / f"load{i}.json"),
            }
            path = scratch.workdir / f"load{i}.cfg.json"
            path.write_text(json.dumps(cfg), encoding="utf-8")
            cfgs.append((cfg, path))
        result = asyncio.run(
            _drive(label, cfgs, start_at, ports, staff, servers, worker_procs, args, scratch.url)
        )

        # Drain: every job run, every audit row sealed, by the processes still running.
        drain_began = time.time()
        backlog = (-1, -1)
        while time.time() - drain_began < args.drain_timeout:
            backlog = asyncio.run(_count_backlog(scratch.url))
            if backlog == (0, 0):
                break
            time.sleep(0.5)
        result["drain_seconds"] = round(time.time() - drain_began, 1)
        result["left_pending"], result["left_unsealed"] = backlog
        result["alive_at_end"] = {p.name: p.alive() for p in procs}
        for proc in worker_procs:
            proc.stop(signal.SIGINT)
        for proc in servers:
            proc.stop(signal.SIGTERM)
        result["log_errors"] = {
            p.name: sum(
                ("Traceback" in line or " failed" in line or "ERROR" in line)
                for line in p.log.read_text(errors="replace").splitlines()
            )
            for p in procs
        }
        result["log_error_samples"] = {
            p.name: [
                line[:300]
                for line in p.log.read_text(errors="replace").splitlines()
                if " failed" in line or "Error" in line
            ][:5]
            for p in procs
        }

        records = result.pop("records")
        result["checks"] = asyncio.run(check(scratch, records, tag, result))
        verify = subprocess.run(
            [*YIWANG, "audit", "verify"], env=scratch.env, capture_output=True, text=True
        )
        result["audit_verify"] = (verify.stdout + verify.stderr).strip()
        result["checks"]["audit_chain_broken"] = int(verify.returncode != 0)
        return result
    finally:
        for proc in procs:
            proc.stop(signal.SIGKILL)
        scratch.drop(args.keep)


async def _drive(
    label: str,
    cfgs: list[tuple[dict[str, Any], Path]],
    start_at: float,
    ports: list[int],
    staff: dict[str, str],
    servers: list[Proc],
    worker_procs: list[Proc],
    args: argparse.Namespace,
    url: str,
) -> dict[str, Any]:
    """Start the load processes, race decisions until they end, measure the CPU of each group."""
    generators = [
        await asyncio.create_subprocess_exec(sys.executable, __file__, "--generate", str(path))
        for _, path in cfgs
    ]
    stop = asyncio.Event()
    stats = RaceStats()
    racing = asyncio.create_task(race(ports, staff, stop, stats, args.batch))
    # Measure from the end of the warm-up to the end of the run.
    await asyncio.sleep(max(0.0, start_at + args.warmup - time.time()))
    pg = postgres_pids()

    def sample() -> dict[str, float]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "apps": sum(p.cpu() for p in servers),
            "workers": sum(p.cpu() for p in worker_procs),
            "load": sum(cpu_seconds(g.pid) for g in generators),
            "racers": usage.ru_utime + usage.ru_stime,
            "postgres": sum(cpu_seconds(pid) for pid in pg),
            "machine": machine_busy_seconds(),
        }

    before, began = sample(), time.perf_counter()
    winners_before, pairs_before = stats.winners, stats.pairs
    waits, samples = await sample_waits(url, args.seconds - 0.3)
    after, wall = sample(), time.perf_counter() - began
    winners_window, pairs_window = stats.winners - winners_before, stats.pairs - pairs_before
    for g in generators:
        await g.wait()
    stop.set()
    await racing
    if any(g.returncode for g in generators):
        sys.exit(f"a load process failed ({[g.returncode for g in generators]})")
    records: list[list[Any]] = []
    generator_cpu = 0.0
    for cfg, _ in cfgs:
        data = json.loads(await asyncio.to_thread(Path(cfg["out"]).read_text, encoding="utf-8"))
        records += data["records"]
        generator_cpu += data["cpu_seconds"]
    window = [r for r in records if args.warmup <= r[1] < args.warmup + args.seconds]
    ok = [r for r in window if r[3] == 201]
    per_app = Counter(r[6] for r in ok)
    statuses = Counter(r[3] for r in records)
    cpu = {k: round((after[k] - before[k]) / wall, 2) for k in after}
    machine_busy = cpu.pop("machine")
    # Everything else on the host meanwhile (other people's tests, the kernel): noise to report.
    cpu["other"] = round(max(0.0, machine_busy - sum(cpu.values())), 2)
    return {
        "label": label,
        "apps": len(servers),
        "workers": len(worker_procs),
        "seconds": args.seconds,
        "concurrency": args.concurrency,
        "applications_per_s": round(len(ok) / args.seconds, 1),
        "per_app_process_per_s": [round(per_app[i] / args.seconds, 1) for i in range(len(ports))],
        "p50_ms": round(pct([r[2] for r in ok], 50) * 1000, 1),
        "p99_ms": round(pct([r[2] for r in ok], 99) * 1000, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "decisions_per_s": round(winners_window / wall, 1),
        "race_pairs": stats.pairs,
        "race_pairs_in_window": pairs_window,
        "race_outcomes": dict(stats.outcomes),
        "race_doubles": stats.doubles,
        "race_winners": stats.winners,
        "race_errors": stats.errors[:10],
        "race_error_count": len(stats.errors),
        # What the database's active sessions were doing, on average, at 10 samples/s.
        "pg_active": {k: round(v / max(1, samples), 2) for k, v in waits.most_common(6)},
        "inbox_reads": stats.inbox_reads,
        "inbox_mean_ms": round(stats.inbox_seconds / max(1, stats.inbox_reads) * 1000, 1),
        "cpu_cores": cpu,
        "cpu_cores_total": round(sum(cpu.values()), 2),
        "generator_cpu_seconds": round(generator_cpu, 1),
        "records": records,
    }


async def sample_waits(url: str, seconds: float) -> tuple[Counter[str], int]:
    """Sample pg_stat_activity: what the scratch database's active sessions wait on."""
    import asyncpg

    waits: Counter[str] = Counter()
    samples = 0
    conn = await asyncpg.connect(url)
    end = time.perf_counter() + seconds
    try:
        while time.perf_counter() < end:
            rows = await conn.fetch(
                "SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS w, "
                "left(regexp_replace(query, '\\s+', ' ', 'g'), 40) AS q FROM pg_stat_activity "
                "WHERE datname = current_database() AND state = 'active' "
                "AND pid <> pg_backend_pid()"
            )
            samples += 1
            for row in rows:
                waits[f"{row['w']} {row['q']}"] += 1
            await asyncio.sleep(0.1)
    finally:
        await conn.close()
    return waits, samples


# ---------------------------------------------------------------------------------------------
# After the run: what the database says.
# ---------------------------------------------------------------------------------------------


def delivered(log: Path) -> Counter[int]:
    """Lines in the notification log (the outside channel) per job id."""
    lines: Counter[int] = Counter()
    if log.exists():
        for line in log.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(ValueError, KeyError):
                lines[json.loads(line)["job_id"]] += 1
    return lines


def signing_keys(directory: Path) -> dict[str, int]:
    """Key files per department (more than one: two processes each made a first key)."""
    return {d.name: len(list(d.glob("*.pem"))) for d in sorted(directory.glob("*")) if d.is_dir()}


async def check(
    scratch: Scratch, records: list[list[Any]], tag: str, result: dict[str, Any]
) -> dict[str, Any]:
    import asyncpg
    import yaml

    conn = await asyncpg.connect(scratch.url)
    q = conn.fetchval
    out: dict[str, Any] = {}
    info: dict[str, Any] = {}
    try:
        # (c) every 201 is a stored application; no key stored twice.
        acknowledged = {r[4]: r[5] for r in records if r[3] in (201, -201)}
        stored = {
            row["idempotency_key"]: row["id"]
            for row in await conn.fetch(
                "SELECT idempotency_key, id FROM applications WHERE idempotency_key LIKE $1",
                f"{tag}%",
            )
        }
        out["acknowledged_not_stored"] = sum(
            stored.get(key) != app_id for key, app_id in acknowledged.items()
        )
        out["acknowledged_id_twice"] = len(acknowledged) - len(set(acknowledged.values()))
        out["replays_unexpected"] = sum(r[3] == -201 for r in records)
        refused = {r[4] for r in records if r[3] >= 400}
        out["refused_but_stored"] = sum(key in stored for key in refused)
        info["stored_without_answer"] = sum(
            key in stored for key in {r[4] for r in records if r[3] in (0, -1)}
        )
        info["applications_stored"] = len(stored)
        info["acknowledged"] = len(acknowledged)

        # (a) jobs: left over, failed, claimed more than once.
        by_status = {
            (row["kind"], row["status"]): row["n"]
            for row in await conn.fetch(
                "SELECT kind, status, count(*) AS n FROM jobs GROUP BY kind, status"
            )
        }
        info["jobs"] = {f"{k}:{s}": n for (k, s), n in sorted(by_status.items())}
        out["jobs_left_pending"] = sum(n for (_, s), n in by_status.items() if s == "pending")
        out["jobs_failed"] = sum(n for (_, s), n in by_status.items() if s == "failed")
        out["jobs_claimed_more_than_once"] = await q("SELECT count(*) FROM jobs WHERE attempts > 1")
        info["job_attempts"] = {
            str(row["attempts"]): row["n"]
            for row in await conn.fetch(
                "SELECT attempts, count(*) AS n FROM jobs GROUP BY attempts ORDER BY attempts"
            )
        }

        # The outside channel: one line per run of a notifications.send job.
        lines = await asyncio.to_thread(delivered, Path(scratch.env["YIWANG_NOTIFICATION_LOG"]))
        out["notification_jobs_delivered_twice"] = sum(n > 1 for n in lines.values())
        info["notification_log_lines"] = sum(lines.values())
        done_ids = {
            row["id"]
            for row in await conn.fetch(
                "SELECT id FROM jobs WHERE kind = 'notifications.send' AND status = 'done'"
            )
        }
        out["notification_jobs_done_never_delivered"] = len(done_ids - set(lines))
        out["notification_messages_per_job_not_one"] = await q(
            "SELECT count(*) FROM jobs j WHERE j.kind = 'notifications.send' AND j.status = 'done'"
            " AND (SELECT count(*) FROM notifications n WHERE n.job_id = j.id) <> 1"
        )
        sent_audit = await q("SELECT count(*) FROM audit_events WHERE action = 'notification.sent'")
        messages = await q("SELECT count(*) FROM notifications")
        out["notification_sent_audit_minus_messages"] = abs(sent_audit - messages)

        # Licences: exactly one per approved branch of a service that issues one; one PDF each.
        issuing = []
        for path in (ROOT / "definitions/services").glob("*.yaml"):
            service = yaml.safe_load(path.read_text("utf-8"))
            if (service.get("result") or {}).get("certificate_type"):
                issuing.append(service["code"])
        out["approved_branches_without_one_licence"] = await q(
            "SELECT count(*) FROM branches b WHERE b.status = 'approved' AND b.service_code = "
            "ANY($1::text[]) AND "
            "(SELECT count(*) FROM certificates c WHERE c.branch_id = b.id) <> 1",
            issuing,
        )
        out["licences_per_branch_over_one"] = await q(
            "SELECT count(*) FROM (SELECT branch_id FROM certificates WHERE branch_id IS NOT NULL "
            "GROUP BY branch_id HAVING count(*) > 1) x"
        )
        out["licences_without_pdf"] = await q(
            "SELECT count(*) FROM certificates c WHERE NOT EXISTS "
            "(SELECT 1 FROM certificate_pdfs p WHERE p.certificate_id = c.id)"
        )
        out["licences_rendered_twice"] = await q(
            "SELECT count(*) FROM (SELECT target_id FROM audit_events WHERE action = "
            "'certificate.rendered' GROUP BY target_id HAVING count(*) > 1) x"
        )
        out["licences_issued_audit_twice"] = await q(
            "SELECT count(*) FROM (SELECT target_id FROM audit_events WHERE action = "
            "'certificate.issued' GROUP BY target_id HAVING count(*) > 1) x"
        )
        info["licences"] = await q("SELECT count(*) FROM certificates")
        info["approved_branches"] = await q(
            "SELECT count(*) FROM branches WHERE status = 'approved'"
        )
        info["signing_keys_per_department"] = await asyncio.to_thread(
            signing_keys, Path(scratch.env["YIWANG_KEYS_DIR"])
        )

        # (b) tasks: one decision each.
        out["tasks_with_two_decision_audit_rows"] = await q(
            "SELECT count(*) FROM (SELECT target_id FROM audit_events "
            "WHERE action = ANY($1::text[]) GROUP BY target_id HAVING count(*) > 1) x",
            list(DECISIONS),
        )
        out["steps_with_more_decision_events_than_tasks"] = await q(
            "SELECT count(*) FROM (SELECT e.branch_id, e.detail->>'step' AS step, count(*) AS n "
            "FROM application_events e WHERE e.kind = ANY($1::text[]) "
            "GROUP BY e.branch_id, e.detail->>'step') ev WHERE ev.n > (SELECT count(*) FROM tasks t"
            " WHERE t.branch_id = ev.branch_id AND t.step_code = ev.step "
            "AND t.decided_by IS NOT NULL)",
            list(DECISION_EVENTS),
        )
        decided = await q(
            "SELECT count(*) FROM tasks WHERE status = 'done' AND decided_by IS NOT NULL"
        )
        info["tasks_decided"] = decided
        out["race_200s_minus_tasks_decided"] = max(0, result["race_winners"] - decided)
        out["race_both_200"] = len(result["race_doubles"])
        out["tasks_done_without_decider"] = await q(
            "SELECT count(*) FROM tasks WHERE status = 'done' AND (decided_by IS NULL OR "
            "decided_at IS NULL OR decision IS NULL)"
        )
        out["steps_warned_more_than_tasks"] = await q(
            "SELECT count(*) FROM (SELECT e.branch_id, e.detail->>'step' AS step, e.kind, "
            "count(*) AS n FROM application_events e WHERE e.kind = ANY($1::text[]) "
            "GROUP BY e.branch_id, e.detail->>'step', e.kind) ev WHERE ev.n > (SELECT count(*) "
            "FROM tasks t WHERE t.branch_id = ev.branch_id AND t.step_code = ev.step)",
            list(DEADLINE_EVENTS),
        )
        # The same warning sent twice: one notification job per (officer, kind, task's service,
        # tracking number, due date) is expected.
        out["deadline_notifications_sent_twice"] = await q(
            "SELECT count(*) FROM (SELECT 1 FROM jobs WHERE kind = 'notifications.send' AND "
            "payload->>'kind' = ANY($1::text[]) GROUP BY payload->>'account_id', "
            "payload->>'kind', payload->>'application_id', (payload->'params')::text "
            "HAVING count(*) > 1) x",
            list(DEADLINE_EVENTS),
        )
        info["deadline_events"] = await q(
            "SELECT count(*) FROM application_events WHERE kind = ANY($1::text[])",
            list(DEADLINE_EVENTS),
        )
        info["deadline_examples"] = [
            dict(row)
            for row in await conn.fetch(
                "SELECT e.branch_id, e.detail->>'step' AS step, e.kind, count(*) AS n, "
                "array_agg(to_char(e.at, 'HH24:MI:SS.US') ORDER BY e.at) AS at "
                "FROM application_events e WHERE e.kind = ANY($1::text[]) "
                "GROUP BY 1, 2, 3 HAVING count(*) > 1 LIMIT 3",
                list(DEADLINE_EVENTS),
            )
        ]
    finally:
        await conn.close()
    return {**out, "_info": info}


# Checks that are informational rather than a duplicate or a loss.
NOT_FAILURES = {"jobs_claimed_more_than_once"}


# ---------------------------------------------------------------------------------------------
# Report.
# ---------------------------------------------------------------------------------------------


def report(results: list[dict[str, Any]]) -> int:
    print(
        "\n| config | apps/s (per process) | p50 / p99 ms | decisions/s | race pairs: outcomes |"
        " CPU cores: apps, workers, postgres, load, racers, other |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for r in results:
        c = r["cpu_cores"]
        outcomes = ", ".join(f"{k} x{v}" for k, v in sorted(r["race_outcomes"].items()))
        print(
            f"| {r['label']}{r['round']}: {r['apps']} app + {r['workers']} worker"
            f" | {r['applications_per_s']}"
            f" ({' / '.join(map(str, r['per_app_process_per_s']))}) | {r['p50_ms']} / {r['p99_ms']}"
            f" | {r['decisions_per_s']} | {r['race_pairs']}: {outcomes} | {c['apps']}, "
            f"{c['workers']}, {c['postgres']}, {c['load']}, {c['racers']}, {c['other']} "
            f"(= {r['cpu_cores_total']} of {os.cpu_count()}) |"
        )

    def median(label: str, key: str) -> float:
        values = [r[key] for r in results if r["label"] == label]
        return round(statistics.median(values), 1) if values else math.nan

    a, b = median("A", "applications_per_s"), median("B", "applications_per_s")
    if a and b:
        ratio = b / a
        dratio = median("B", "decisions_per_s") / max(0.1, median("A", "decisions_per_s"))
        print(f"\nB/A (medians): applications {a} -> {b}/s = {ratio:.2f}x, decisions {dratio:.2f}x")
        print(
            f"{'Throughput did not rise' if ratio < 1.1 else 'Throughput rose'}, on "
            f"{os.cpu_count()} cores shared by the app processes, the workers, PostgreSQL and "
            "the load generator (see the CPU columns): a second app process has at most the "
            "idle part of those cores to run on, so B is bounded by the machine, not the design."
        )
    noisy = [r for r in results if r["cpu_cores"]["other"] > 0.2]
    if noisy:
        print(
            "Noise: other processes on this host used "
            + ", ".join(f"{r['label']}{r['round']} {r['cpu_cores']['other']}" for r in noisy)
            + " cores during the measured seconds; those runs had that much less machine."
        )
    failures = 0
    for r in results:
        checks = r["checks"]
        info = checks.pop("_info")
        bad = {k: v for k, v in checks.items() if v and k not in NOT_FAILURES}
        if sum(r["log_errors"].values()):  # a job that failed and was retried is still a fault
            bad["log_error_lines"] = sum(r["log_errors"].values())
        failures += sum(1 for _ in bad)
        print(f"\n{r['label']}{r['round']} checks ({'FAIL' if bad else 'PASS'}):")
        print("  " + ", ".join(f"{k}={v}" for k, v in checks.items()))
        print("  " + ", ".join(f"{k}={v}" for k, v in info.items()))
        print(
            f"  statuses {r['statuses']}; drained in {r['drain_seconds']} s "
            f"(left pending {r['left_pending']}, unsealed {r['left_unsealed']}); "
            f"inbox reads {r['inbox_reads']} at {r['inbox_mean_ms']} ms"
        )
        print(f"  PostgreSQL active sessions (mean): {r['pg_active']}")
        print(f"  audit verify: {r['audit_verify']}")
        print(f"  log error lines: {r['log_errors']}")
        for name, samples in r["log_error_samples"].items():
            for line in samples[:2]:
                print(f"    {name}: {line}")
        if r["race_error_count"]:
            print(f"  racer errors ({r['race_error_count']}): {r['race_errors'][:3]}")
        checks["_info"] = info
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--generate", help=argparse.SUPPRESS)
    parser.add_argument("--seconds", type=int, default=30, help="measured seconds per config")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of load before")
    parser.add_argument("--concurrency", type=int, default=16, help="submitting clients in all")
    parser.add_argument("--load-processes", type=int, default=1)
    parser.add_argument("--batch", type=int, default=10, help="tasks raced per inbox read")
    parser.add_argument(
        "--deadline-every", type=float, default=2.0, help="workers' deadline check interval, s"
    )
    parser.add_argument("--drain-timeout", type=float, default=120.0)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "YIWANG_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL server to create the scratch databases on (only used to connect)",
    )
    parser.add_argument("--only", choices=["A", "B"], help="run one configuration")
    parser.add_argument("--rounds", type=int, default=1, help="run A then B this many times")
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    if args.generate:
        generator_main(args.generate)
        return
    if not args.database_url.startswith("postgres"):
        sys.exit("scale-out needs PostgreSQL: --database-url postgresql://…")
    print(f"machine: {machine()}")
    print(
        f"load: {args.concurrency} closed-loop submitting clients in {args.load_processes} "
        f"process(es), {args.warmup:g} s warm-up + {args.seconds} s measured; staff racing "
        f"every decision across the app processes; workers' deadline check every "
        f"{args.deadline_every:g} s"
    )
    configs = [("A", 1, 1), ("B", 2, 2)]
    results = []
    for n in range(args.rounds):  # A, B, A, B …: drift on a shared machine hits both alike
        for label, apps, workers in configs:
            if not args.only or label == args.only:
                result = run_config(label, apps, workers, args)
                result["round"] = n + 1
                results.append(result)
    failures = report(results)
    if args.json:
        args.json.write_text(
            json.dumps({"machine": machine(), "results": results}, indent=2, default=str),
            encoding="utf-8",
        )
    if failures:
        print(f"\n{failures} check(s) found a duplicate or a loss")
        sys.exit(1)


if __name__ == "__main__":
    main()
