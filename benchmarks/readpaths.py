"""Read paths: the service guide, prefill (from the demo department systems), an application's
status and the staff inbox — requests/s, p50/p99 and CPU per request.

Starts the platform as ``make run`` does (a scratch database migrated and seeded,
``yiwang serve --demo-systems --workers N``), then sets up what each read needs:

- service guide: GET /api/v1/services/samr-business-licence (办事指南, JSON), and the same
  guide as the portal page GET /services/samr-business-licence (HTML), no sign-in;
- prefill: citizen1 consents to what 开餐馆一件事 (open-restaurant) asks of the department
  systems (GET /api/v1/consents/needed, POST /api/v1/consents), then GET
  /api/v1/prefill?bundle=open-restaurant; every answer must name each source "ok";
- application status: citizen1 submits --applications bundles (varied forms, as
  submission.py builds them), then GET /api/v1/applications/{id} of one of them;
- staff inbox: staff-samr (every samr role) reads GET /api/v1/tasks, which then holds the
  business-licence acceptance task of each of those applications.

Each path gets --warmup unmeasured seconds, then wrk -t2 -c--connections for --seconds. The
table gives requests/s, p50/p99 (wrk's Lua ``done``), answers that were not 200 (the run
exits 1 if there are any), prefill answers that left a source out (slower than the prefill
budget: degraded, not failed), the size of an answer, and CPU per request: the platform's
processes (uvicorn and its workers), the demo department systems', PostgreSQL's, wrk's, and the
cores other processes on the machine used meanwhile.

    .venv/bin/python benchmarks/readpaths.py                           # SQLite, 1 worker
    .venv/bin/python benchmarks/readpaths.py --workers 2 --seconds 15 --json /tmp/reads.json
    .venv/bin/python benchmarks/readpaths.py \\
        --database-url postgresql://postgres@127.0.0.1:5432/postgres    # a scratch database

With a PostgreSQL URL the run creates a scratch database on that server and drops it afterwards.
DEMO_LATENCY_MS (--latency-ms) makes every demo system answer that much later.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from submission import (  # noqa: E402 - the helpers of the submission benchmark
    BUNDLE,
    CITIZEN,
    Server,
    form_bodies,
    machine,
    machine_busy,
    postgres_cpu,
    scratch_yiwang,
    sign_in,
    submit_by_hand,
    tree_cpu,
    wrk,
)

SERVICE = "samr-business-licence"
STAFF = "staff-samr"

# wrk: count answers that are not 200, or (EXPECT_OK > 0) hold fewer '"status":"ok"' than that.
READ_LUA = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) good, bad, short, bad_status = 0, 0, 0, "" end
function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    if bad_status == "" then
      bad_status = status .. " " .. (string.gsub(string.sub(body, 1, 160), '[^%w :,._-]', "."))
    end
  elseif EXPECT_OK > 0 then
    local n = 0
    for _ in string.gmatch(body, '"status"%s*:%s*"ok"') do n = n + 1 end
    if n < EXPECT_OK then short = short + 1 else good = good + 1 end
  else
    good = good + 1
  end
end
function done(summary, latency, requests)
  local g, b, s, bs = 0, 0, 0, ""
  for _, t in ipairs(threads) do
    g = g + t:get("good"); b = b + t:get("bad"); s = s + t:get("short")
    if bs == "" then bs = t:get("bad_status") end
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "p50": %d, "p90": %d, ' ..
    '"p99": %d, "max": %d, "good": %d, "bad": %d, "short": %d, "errors": %d, ' ..
    '"bad_status": "%s"}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max, g, b, s,
    e.connect + e.read + e.write + e.timeout, bs))
end
"""


def _children(pid: int) -> list[int]:
    found = []
    for path in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found += [int(child) for child in path.read_text().split()]
    return found


def split_cpu(pid: int) -> dict[str, float]:
    """CPU seconds of the platform's processes and of the demo department systems (the child
    ``yiwang serve --demo-systems`` started), apart."""
    demo = 0.0
    for child in _children(pid):
        with contextlib.suppress(OSError):
            if b"demo-systems" in Path(f"/proc/{child}/cmdline").read_bytes():
                demo += tree_cpu(child)
    return {"platform": tree_cpu(pid) - demo, "demo systems": demo}


def measure(
    server: Server,
    url: str,
    *,
    connections: int,
    seconds: int,
    warmup: int,
    script: Path,
    headers: dict[str, str],
    postgres: bool,
) -> dict[str, Any]:
    if warmup > 0:
        wrk(url, connections=connections, seconds=warmup, script=script, headers=headers)
    pid = server.process.pid
    cpu0, pg0, busy0 = split_cpu(pid), postgres_cpu() if postgres else 0.0, machine_busy()
    r = wrk(url, connections=connections, seconds=seconds, script=script, headers=headers)
    cpu1, pg1, busy1 = split_cpu(pid), postgres_cpu() if postgres else 0.0, machine_busy()
    requests = max(r["requests"], 1)
    used = {name: cpu1[name] - cpu0[name] for name in cpu0}
    used["postgres"] = max(pg1 - pg0, 0.0)  # live backends only: one that ended drops out
    used["wrk"] = r["wrk_cpu"]
    r.update(
        rps=r["requests"] / r["seconds"],
        bytes_per_answer=r["bytes"] / requests,
        cpu_ms_per_request={name: v * 1000 / requests for name, v in used.items()},
        platform_cores=used["platform"] / r["seconds"],
        other_cores=max(busy1 - busy0 - sum(used.values()), 0.0) / r["seconds"],
        not_ok=r["bad"] + r["errors"],
        load_1m=os.getloadavg()[0],
    )
    return r


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("YIWANG_BENCH_DATABASE_URL", ""),
        help="PostgreSQL server (a scratch database is made there); default SQLite",
    )
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=10, help="measured seconds per path")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured seconds per path")
    parser.add_argument("--applications", type=int, default=100, help="submitted first")
    parser.add_argument("--latency-ms", default="", help="DEMO_LATENCY_MS of the demo systems")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    facts = machine()
    print(f"Machine: {facts}")
    results: dict[str, Any] = {"machine": facts, "workers": args.workers, "paths": {}}
    extra = {"DEMO_LATENCY_MS": args.latency_ms} if args.latency_ms else {}
    serve = ("--demo-systems", "--workers", str(args.workers))
    with scratch_yiwang(args.database_url, "reads", *serve, **extra) as (database, server):
        results["backend"] = backend = "PostgreSQL" if database.is_postgres else "SQLite"
        workdir = server.workdir
        base = server.base
        citizen = {"Authorization": f"Bearer {sign_in(base, CITIZEN)}"}
        with httpx.Client(base_url=base, timeout=30) as client:
            # Prefill: consent to exactly what the bundle asks, then one call by hand.
            needed = client.get(
                "/api/v1/consents/needed", params={"bundle": BUNDLE}, headers=citizen
            ).json()
            consent = client.post(
                "/api/v1/consents",
                json={
                    "purpose": "prefill",
                    "bundle": BUNDLE,
                    "elements": [row["element"] for row in needed["elements"]],
                },
                headers=citizen,
            )
            if consent.status_code != 201:
                sys.exit(f"consent refused: {consent.status_code} {consent.text[:300]}")
            first = client.get("/api/v1/prefill", params={"bundle": BUNDLE}, headers=citizen)
            first.raise_for_status()
            sources = first.json()["sources"]
            not_ok = [f"{s['code']}={s['status']}" for s in sources if s["status"] != "ok"]
            if not sources or not_ok:
                sys.exit(f"prefill of {BUNDLE}: sources not ok: {', '.join(not_ok) or 'none'}")
            schema = client.get(f"/api/v1/bundles/{BUNDLE}").json()["form_schema"]
        # Applications to read back, and to fill the inbox.
        bodies = form_bodies(schema, args.applications)
        submitted = submit_by_hand(base, citizen["Authorization"][7:], bodies, "reads")
        refused = [(s, a) for s, a in submitted if s != 201]
        if refused:
            sys.exit(f"{len(refused)} submissions refused, first: {refused[0]}")
        application_id = submitted[len(submitted) // 2][1]["id"]
        staff = {"Authorization": f"Bearer {sign_in(base, STAFF)}"}
        inbox = httpx.get(f"{base}/api/v1/tasks", headers=staff, timeout=30)
        inbox.raise_for_status()
        results["inbox_tasks"] = len(inbox.json())
        results["prefill_sources"] = [s["code"] for s in sources]
        print(
            f"{backend}, {args.workers} worker(s), wrk -t2 -c{args.connections}, "
            f"{args.seconds} s per path (after {args.warmup} s of warm-up); prefill asks "
            f"{len(sources)} sources ({', '.join(results['prefill_sources'])}), "
            f"DEMO_LATENCY_MS={args.latency_ms or 'unset'}; {args.applications} applications "
            f"submitted, {results['inbox_tasks']} tasks in {STAFF}'s inbox"
        )
        cases = [
            ("service guide (JSON)", f"/api/v1/services/{SERVICE}", {}, 0),
            ("service guide page (HTML)", f"/services/{SERVICE}", {}, 0),
            ("prefill, open-restaurant", f"/api/v1/prefill?bundle={BUNDLE}", citizen, len(sources)),
            ("application status", f"/api/v1/applications/{application_id}", citizen, 0),
            (f"staff inbox ({STAFF})", "/api/v1/tasks", staff, 0),
        ]
        for name, path, headers, expect_ok in cases:
            script = workdir / f"read-{len(results['paths'])}.lua"
            script.write_text(f"EXPECT_OK = {expect_ok}\n{READ_LUA}", encoding="utf-8")
            r = measure(
                server,
                base + path,
                connections=args.connections,
                seconds=args.seconds,
                warmup=args.warmup,
                script=script,
                headers=headers,
                postgres=database.is_postgres,
            )
            r["path"] = path
            results["paths"][name] = r
            print(
                f"  {name:28} {r['rps']:8,.0f} req/s  p99 {r['p99']:7.1f} ms  "
                f"not 200 {r['not_ok']}"
                + (f", {r['short']} with a source left out" if r["short"] else "")
                + (f" (first: {r['bad_status'][:120]})" if r["bad_status"] else "")
            )
        results["load_after"] = os.getloadavg()[0]
    report(results, args)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    if any(r["not_ok"] for r in results["paths"].values()):
        sys.exit("some answers were not 200, or no answer came")


def report(results: dict[str, Any], args: argparse.Namespace) -> None:
    pg = results["backend"] == "PostgreSQL"
    print(
        f"\n| {results['backend']}, {results['workers']} worker(s), wrk -c{args.connections}, "
        f"{args.seconds} s | req/s | p50 / p99 ms | platform CPU ms/req (cores) "
        "| demo systems CPU ms/req "
        + ("| postgres CPU ms/req " if pg else "")
        + "| answer KB | other processes, cores | not 200 | prefill short |"
    )
    print("| --- | ---: | ---: | ---: | ---: |" + (" ---: |" if pg else "") + " ---: |" * 4)
    for name, r in results["paths"].items():
        cpu = r["cpu_ms_per_request"]
        print(
            f"| {name} | {r['rps']:,.0f} | {r['p50']:.1f} / {r['p99']:.1f} "
            f"| {cpu['platform']:.2f} ({r['platform_cores']:.2f}) | {cpu['demo systems']:.2f} "
            + (f"| {cpu['postgres']:.2f} " if pg else "")
            + f"| {r['bytes_per_answer'] / 1024:.1f} | {r['other_cores']:.2f} | {r['not_ok']} "
            + f"| {r['short'] if 'prefill' in name else ''} |"
        )
    print(f"\nload average after the run: {results['load_after']:.2f}")


if __name__ == "__main__":
    main()
