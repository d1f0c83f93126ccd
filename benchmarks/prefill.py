"""Prefill across five department systems, each answering 50 ms late: does the fan-out cost
about one source, or five?

Starts the demo department systems (``yiwang demo-systems``, DEMO_LATENCY_MS on every answer)
and the platform (``yiwang serve``, one uvicorn worker unless --workers) on free ports, on a fresh
database migrated and seeded as ``make run`` does. citizen1 signs in and consents to what
开餐馆一件事 (open-restaurant) asks of the five systems; one prefill call checks that all five
are asked and answer "ok". Then wrk drives, for each number of clients:

- each source directly, as the connector asks it (citizen1's key; the CSV export as the
  conditional GET the connector refreshes it with), giving the slowest single source;
- GET /api/v1/prefill?bundle=open-restaurant, every answer checked for five "ok" sources.

It prints Markdown tables for docs/performance.md: p50/p99 and requests/s, the ratio of prefill
to the slowest single source (target: ≤ 1.5×), and the CPU each process spent per request.

    .venv/bin/python benchmarks/prefill.py                          # SQLite (embedded default)
    .venv/bin/python benchmarks/prefill.py \
        --database-url postgresql://postgres@127.0.0.1/postgres     # a scratch database there

With a PostgreSQL URL (or YIWANG_BENCH_DATABASE_URL) the run creates a scratch database on that
server and drops it afterwards; the database named in the URL is only used to connect.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BUNDLE, CITIZEN, PASSWORD, ROOT, TICKS, YIWANG, admin, free_port, machine  # noqa: E402 - the benchmarks' shared helpers

SOURCES = 5  # the bundle draws on five systems for citizen1

# wrk script: count answers that are not what we expect, and report exact percentiles.
# EXPECT is "prefill" (200 and every source "ok") or "source" (200, or 304 for the export).
LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0; seen = 0; http = 0; late = 0 end
function response(status, headers, body)
  seen = seen + 1
  if EXPECT == "prefill" then
    local ok = 0
    for _ in string.gmatch(body, '"status":"ok"') do ok = ok + 1 end
    if status ~= 200 then http = http + 1
    elseif ok < SOURCES then
      bad = bad + 1
      if string.find(body, '"status":"timeout"', 1, true) then late = late + 1 end
    end
  elseif status ~= 200 and status ~= 304 then
    http = http + 1
  end
end
function done(summary, latency, requests)
  local b, s, h, l = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    b = b + t:get("bad"); s = s + t:get("seen"); h = h + t:get("http"); l = l + t:get("late")
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50": %d, "p90": %d, "p99": %d, ' ..
    '"max": %d, "seen": %d, "bad_sources": %d, "timeouts": %d, "bad_http": %d, ' ..
    '"errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, s, b, l, h,
    e.connect + e.read + e.write + e.timeout))
end
"""


# Where the platform's CPU goes, for --profile: the first pattern a sampled stack matches.
BUCKETS = [
    ("httpcore's failed `import sniffio` (per lock/shield)", "current_async_library"),
    ("outgoing GETs to the systems (httpx/httpcore)", "httpx/|httpcore/"),
    ("access log and quality ledger inserts", "log_access|record_reads"),
    ("sign-in check (token, session, account)", "current_account|account_for_token"),
    ("catalogue snapshot and consent reads", "snapshots.py|covering_consent"),
    ("cleaning and mapping the answers", "cleaning.py|jmespath|defusedxml|_raw"),
    ("prefill token signing", "sign_token"),
    ("other SQL: commits, driver threads", "sqlalchemy/|aiosqlite/|asyncpg/|database.py"),
    ("routing, middleware, response", "starlette/|fastapi/|yiwang/observability|yiwang/api/"),
]


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process and its live children (uvicorn's workers) have used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    total = (int(fields[11]) + int(fields[12])) / TICKS
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        total += sum(cpu_seconds(int(child)) for child in children.read_text().split())
    return total


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wrk(
    url: str,
    *,
    seconds: int,
    clients: int,
    script: Path,
    headers: dict[str, str],
) -> dict[str, Any]:
    """One wrk run; latencies in ms."""
    args = ["wrk", f"-t{min(2, clients)}", f"-c{clients}", f"-d{seconds}s", "--timeout", "30s"]
    args += ["-s", str(script)]  # wrk's own timeout (2 s) would drop the slowest from the tail
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    done = subprocess.run([*args, url], capture_output=True, text=True)
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
    if done.returncode != 0 or line is None:
        sys.exit(f"wrk failed on {url}: {done.stderr.strip() or done.stdout.strip()}")
    raw = json.loads(line.removeprefix("RESULT "))
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50": raw["p50"] / 1000,
        "p90": raw["p90"] / 1000,
        "p99": raw["p99"] / 1000,
        "max": raw["max"] / 1000,
        # answers that were not 200 (or 304), or lacked a source that said "ok"
        "bad": raw["bad_sources"] + raw["bad_http"] + raw["errors"],
        "bad_sources": raw["bad_sources"],
        "timeouts": raw["timeouts"],
        "bad_http": raw["bad_http"] + raw["errors"],
    }


def measure(
    url: str,
    *,
    seconds: int,
    warmup: int,
    clients: int,
    script: Path,
    headers: dict[str, str],
    pids: dict[str, int],
) -> dict[str, Any]:
    """Warm up, then one measured run, with the CPU each process spent on it."""
    if warmup > 0:
        wrk(url, seconds=warmup, clients=clients, script=script, headers=headers)
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    before["wrk"] = children_cpu()
    result = wrk(url, seconds=seconds, clients=clients, script=script, headers=headers)
    after = {name: cpu_seconds(pid) for name, pid in pids.items()}
    after["wrk"] = children_cpu()
    requests = max(result["requests"], 1)
    result["cpu_ms_per_request"] = {
        name: (after[name] - before[name]) * 1000 / requests for name in after
    }
    result["cpu_cores"] = {name: (after[name] - before[name]) / seconds for name in after}
    result["load_1m"] = os.getloadavg()[0]  # other work on the machine shows here
    return result


def wait_until_up(url: str, process: subprocess.Popen[bytes], what: str) -> None:
    for _ in range(300):
        if process.poll() is not None:
            sys.exit(f"{what} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=0.5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    sys.exit(f"{what} did not answer {url} within 30 s")


def scratch_database(url: str) -> tuple[str, str]:
    """Create a database beside the one the URL names; its URL and name."""
    name = f"yiwang_bench_prefill_{uuid.uuid4().hex[:8]}"
    asyncio.run(admin(url, f'CREATE DATABASE "{name}"'))
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}")), name


def profile(
    pid: int, url: str, *, seconds: int, script: Path, headers: dict[str, str]
) -> list[tuple[str, float]]:
    """py-spy (samples only while the GIL is held) on the platform during one sequential run:
    the share of its CPU per bucket."""
    out = script.with_suffix(".spy")
    spy = subprocess.Popen(
        ["py-spy", "record", "-p", str(pid), "-d", str(seconds), "-r", "250", "--gil", "-s"]
        + ["--format", "raw", "-o", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    time.sleep(1)  # py-spy attaches
    wrk(url, seconds=seconds, clients=1, script=script, headers=headers)
    _, err = spy.communicate(timeout=60)
    if not out.exists():
        sys.exit(f"py-spy failed: {err.decode().strip()}")
    shares: dict[str, float] = {}
    total = 0
    for line in out.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        total += int(count)
        bucket = next((name for name, pattern in BUCKETS if re.search(pattern, stack)), "other")
        shares[bucket] = shares.get(bucket, 0) + int(count)
    return sorted(((name, n / total) for name, n in shares.items()), key=lambda kv: -kv[1])


def direct_sources(
    base: str, id_number: str, asked: list[str]
) -> list[tuple[str, str, dict[str, str]]]:
    """How the connector asks each source: (code, url, headers), from definitions/."""
    catalogue = yaml.safe_load((ROOT / "definitions" / "data-sources.yaml").read_text("utf-8"))
    by_code = {s["code"]: s for s in catalogue["sources"]}
    found = []
    for code in asked:
        source = by_code[code]
        url = f"{base}{source['endpoint']}"
        headers: dict[str, str] = {}
        if source["connector"] == "csv":
            # The connector downloads the export once and then only asks whether it changed.
            etag = httpx.get(url, timeout=10).headers.get("etag")
            if etag:
                headers["If-None-Match"] = etag
        else:
            url += "?" + urlencode({source["query"]: id_number})
        found.append((code, url, headers))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("YIWANG_BENCH_DATABASE_URL", ""),
        help="PostgreSQL server to run on (a scratch database is made there); default SQLite",
    )
    parser.add_argument("--seconds", type=int, default=12, help="measured seconds per case")
    parser.add_argument("--source-seconds", type=int, default=6, help="per source and level")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured seconds first")
    parser.add_argument("--clients", default="1,8,32", help="concurrent clients, comma-separated")
    parser.add_argument("--latency-ms", default="50", help="DEMO_LATENCY_MS for the systems")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of the platform")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also sample the platform with py-spy (on PATH) during a sequential run",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    if args.profile and not shutil.which("py-spy"):
        sys.exit("--profile needs py-spy on PATH (pip install py-spy, anywhere but the project)")
    levels = [int(c) for c in args.clients.split(",")]

    facts = machine()
    workdir = Path(tempfile.mkdtemp(prefix="yiwang-bench-prefill-"))
    scratch = None
    database_url = f"sqlite:///{workdir / 'bench.db'}"
    if args.database_url.startswith(("postgresql", "postgres:")):
        database_url, scratch = scratch_database(args.database_url)
    elif args.database_url:
        sys.exit("--database-url: a postgresql:// URL, or nothing for SQLite")
    backend = "PostgreSQL" if scratch else "SQLite"
    port, demo_port = free_port(), free_port()
    demo = f"http://127.0.0.1:{demo_port}"
    env = {
        **os.environ,
        "YIWANG_DATABASE_URL": database_url,
        "YIWANG_PORT": str(port),
        "YIWANG_DEMO_SYSTEMS_PORT": str(demo_port),
        "YIWANG_EXCHANGE_BASE_URL": demo,
        "YIWANG_NOTIFICATION_LOG": str(workdir / "notifications.log"),
        "YIWANG_KEYS_DIR": str(workdir / "keys"),
        "YIWANG_LOG_LEVEL": "WARNING",
    }
    processes: list[subprocess.Popen[bytes]] = []
    try:
        # As `make run` does (its seed step): migrate, load the demo county, store a routing
        # model for 12345 if the checkout has one (else the server trains it while we measure).
        for command in (["migrate"], ["seed-demo"], ["complaints", "retrain", "--if-missing"]):
            done = subprocess.run([*YIWANG, *command], env=env, capture_output=True, text=True)
            if done.returncode != 0 and "No such command" not in done.stderr:
                sys.exit(f"yiwang {' '.join(command)} failed:\n{done.stderr or done.stdout}")
        demo_systems = subprocess.Popen(
            [*YIWANG, "demo-systems"],
            env={**env, "DEMO_LATENCY_MS": args.latency_ms},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(demo_systems)
        wait_until_up(f"{demo}/healthz", demo_systems, "the demo department systems")
        server = subprocess.Popen(
            [*YIWANG, "serve", "--workers", str(args.workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(server)
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/readyz", server, "the platform")
        pids = {"platform": server.pid, "demo systems": demo_systems.pid}

        # Sign in, consent to what the bundle asks, and check one prefill by hand.
        with httpx.Client(base_url=base, timeout=30) as client:
            signed_in = client.post(
                "/api/v1/auth/token", data={"username": CITIZEN, "password": PASSWORD}
            )
            signed_in.raise_for_status()
            bearer = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
            needed = client.get(
                "/api/v1/consents/needed", params={"bundle": BUNDLE}, headers=bearer
            ).json()
            elements = [row["element"] for row in needed["elements"]]
            consent = client.post(
                "/api/v1/consents",
                json={"purpose": "prefill", "bundle": BUNDLE, "elements": elements},
                headers=bearer,
            )
            if consent.status_code != 201:
                sys.exit(f"consent refused: {consent.status_code} {consent.text}")
            first = client.get("/api/v1/prefill", params={"bundle": BUNDLE}, headers=bearer)
            first.raise_for_status()
            checked = first.json()
        asked = [s["code"] for s in checked["sources"]]
        not_ok = [f"{s['code']}={s['status']}" for s in checked["sources"] if s["status"] != "ok"]
        if len(asked) < SOURCES or not_ok:
            sys.exit(
                f"prefill of {BUNDLE} for {CITIZEN} asked {len(asked)} sources "
                f"({', '.join(asked)}), not ok: {', '.join(not_ok) or 'none'}; "
                f"{SOURCES} sources all ok are needed to measure anything"
            )
        accounts = yaml.safe_load(
            (ROOT / "definitions" / "demo" / "accounts.yaml").read_text("utf-8")
        )
        id_number = next(a["id_number"] for a in accounts["citizens"] if a["username"] == CITIZEN)
        print(f"Machine: {facts}")
        timings = ", ".join(f"{s['code']} {s['elapsed_ms']} ms" for s in checked["sources"])
        print(
            f"Prefill of {BUNDLE} for {CITIZEN}: {len(asked)} sources all ok on the first call "
            f"({timings}); {len(checked['fields'])} fields filled, "
            f"{len(checked['missing'])} missing.\n"
        )

        def script(expect: str) -> Path:
            path = workdir / f"{expect}.lua"
            path.write_text(f'EXPECT = "{expect}"\nSOURCES = {SOURCES}\n{LUA}', encoding="utf-8")
            return path

        results: dict[str, Any] = {
            "machine": facts,
            "backend": backend,
            "workers": args.workers,
            "latency_ms": args.latency_ms,
            "sources_asked": asked,
            "first_call": checked["sources"],
            "levels": {},
        }
        targets = direct_sources(demo, id_number, asked)
        for clients in levels:
            level: dict[str, Any] = {"sources": {}}
            for code, url, headers in targets:
                level["sources"][code] = measure(
                    url,
                    seconds=args.source_seconds,
                    warmup=min(args.warmup, 1),
                    clients=clients,
                    script=script("source"),
                    headers=headers,
                    pids=pids,
                )
            level["prefill"] = measure(
                f"{base}/api/v1/prefill?bundle={BUNDLE}",
                seconds=args.seconds,
                warmup=args.warmup,
                clients=clients,
                script=script("prefill"),
                headers=bearer,
                pids=pids,
            )
            results["levels"][clients] = level
        # Each source's own share of one prefill, as the platform timed it (sequential).
        with httpx.Client(base_url=base, timeout=30, headers=bearer) as client:
            spread: dict[str, list[int]] = {code: [] for code in asked}
            for _ in range(50):
                answer = client.get("/api/v1/prefill", params={"bundle": BUNDLE}).json()
                for source in answer["sources"]:
                    spread[source["code"]].append(source["elapsed_ms"])
        results["elapsed_ms_in_prefill"] = spread
        if args.profile:
            results["profile"] = profile(
                server.pid,
                f"{base}/api/v1/prefill?bundle={BUNDLE}",
                seconds=args.seconds,
                script=script("prefill"),
                headers=bearer,
            )
        results["load_after"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        verify = subprocess.run([*YIWANG, "audit", "verify"], env=env, capture_output=True)
        results["audit"] = (verify.stdout or verify.stderr).decode().strip()
    finally:
        for process in reversed(processes):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(workdir, ignore_errors=True)
        if scratch:
            asyncio.run(admin(args.database_url, f'DROP DATABASE IF EXISTS "{scratch}"'))

    report(results, args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")


def report(results: dict[str, Any], args: argparse.Namespace) -> None:
    """The Markdown tables."""
    levels = results["levels"]
    print(
        f"| {results['backend']}, {results['workers']} worker{'s' * (results['workers'] > 1)}, "
        f"DEMO_LATENCY_MS={args.latency_ms} | clients "
        "| prefill req/s | prefill p50 / p99 ms | slowest source p50 / p99 ms "
        "| ratio p50 | ratio p99 | ≤ 1.5× | not ok |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |")
    for clients, level in levels.items():
        # The slowest single source: the highest p50 of the five, and the highest p99.
        slow50 = max(r["p50"] for r in level["sources"].values())
        slow99 = max(r["p99"] for r in level["sources"].values())
        r = level["prefill"]
        ratio50, ratio99 = r["p50"] / slow50, r["p99"] / slow99
        met = "met" if ratio50 <= 1.5 and ratio99 <= 1.5 else "**missed**"
        if ratio50 <= 1.5 < ratio99:
            met = "p50 met, p99 **missed**"
        not_ok = f"{r['bad']}" + (f" ({r['timeouts']} timeout)" if r["timeouts"] else "")
        print(
            f"| prefill, {len(results['sources_asked'])} sources | {clients} | {r['rps']:,.1f} "
            f"| {r['p50']:.1f} / {r['p99']:.1f} | {slow50:.1f} / {slow99:.1f} "
            f"| {ratio50:.2f}× | {ratio99:.2f}× | {met} | {not_ok} |"
        )
    print(
        "\n| each source asked directly, p50 / p99 ms | "
        + " | ".join(f"{clients} client{'s' if clients > 1 else ''}" for clients in levels)
        + " |"
    )
    print("| --- |" + " ---: |" * len(levels))
    for code in results["sources_asked"]:
        cells = []
        for level in levels.values():
            r = level["sources"][code]
            cells.append(
                f"{r['p50']:.1f} / {r['p99']:.1f}" + (f" ({r['bad']} bad)" * bool(r["bad"]))
            )
        print(f"| {code} | " + " | ".join(cells) + " |")
    print(
        "\n| prefill, clients | platform CPU ms/req (cores busy) | demo systems CPU ms/req "
        "| wrk CPU ms/req | load 1 min after |"
    )
    print("| ---: | ---: | ---: | ---: | ---: |")
    for clients, level in levels.items():
        r = level["prefill"]
        cpu, cores = r["cpu_ms_per_request"], r["cpu_cores"]
        print(
            f"| {clients} | {cpu['platform']:.1f} ({cores['platform']:.2f}) "
            f"| {cpu['demo systems']:.1f} | {cpu['wrk']:.2f} | {r['load_1m']:.2f} |"
        )
    print("\nelapsed_ms per source inside 50 sequential prefills (min / median / max):")
    for code, values in results["elapsed_ms_in_prefill"].items():
        values = sorted(values)
        print(f"- {code}: {values[0]} / {values[len(values) // 2]} / {values[-1]}")
    if "profile" in results:
        print("\nWhere the platform's CPU goes in a sequential prefill (py-spy --gil):")
        for name, share in results["profile"]:
            print(f"- {name}: {share:.0%}")
    print(f"\nload average after the run: {results['load_after']}")
    print(f"audit after the run: {results['audit']}")


if __name__ == "__main__":
    main()
