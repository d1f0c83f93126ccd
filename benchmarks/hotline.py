"""12345 in a crisis: ``POST /api/v1/complaints`` at rising concurrency — tickets/s, p50/p90/p99
latency and the server's CPU per ticket — then a check that nothing was lost or filed twice.

A crisis (a flood, a water main burst, a heatwave's power cuts) brings the hotline a surge of
tickets, many about the same place. Starts the platform as ``make run`` does (a scratch
database migrated and seeded, the routing model stored, ``yiwang serve``), then for each
--levels concurrency runs wrk for --seconds against the API:

- the bodies are the 604 held-out tickets of the shipped dispatch history (free text the rules
  and the model route, or leave to a dispatcher), every third one at one of a few flooded
  addresses with coordinates, so that the duplicate check links them to an open ticket there;
- every request has a distinct Idempotency-Key; every 201's ticket number is written down.

Then the checks, which exit 1 if any fails: every acknowledged ticket number is a stored ticket
(counted), ticket numbers are unique, each stored ticket has its "received" audit row and its
timeline, of the reports of one category at one flooded place all but the first are linked to
it, and a retry with an acknowledged key answers the same ticket and files nothing.

    .venv/bin/python benchmarks/hotline.py                           # SQLite
    .venv/bin/python benchmarks/hotline.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT  # noqa: E402 - the benchmarks' shared helpers
from submission import (  # noqa: E402
    CITIZEN,
    SUBMIT_LUA,
    Database,
    Server,
    machine,
    postgres_cpu,
    postgres_pids,
    scratch_yiwang,
    sign_in,
    wrk,
)

PATH = "/api/v1/complaints"
# Where the water stands: reports there, every third one, carry these places.
FLOODED = [
    ("递铺街道胜利西路88号", 30.6388, 119.6802),
    ("昌硕街道浦源大道地下通道", 30.6301, 119.6912),
    ("孝丰镇溪南村桥头", 30.5527, 119.5316),
]


def ticket_bodies(category: str | None = None) -> list[str]:
    """The held-out tickets (of one category, if given) as request bodies, one JSON document
    per line."""
    path = ROOT / "definitions" / "complaints" / "heldout.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if category in (None, r["category"])]
    if not rows:
        sys.exit(f"no held-out ticket of category {category}")
    bodies = []
    for i, row in enumerate(rows):
        body: dict[str, Any] = {"text": row["text"], "kind": row["kind"], "channel": "mobile"}
        if i % 3 == 0:
            address, lat, lon = FLOODED[(i // 3) % len(FLOODED)]
            body["location"] = {"address": address, "lat": lat, "lon": lon}
        elif row["address"]:
            body["location"] = {"address": row["address"]}
        bodies.append(json.dumps(body, ensure_ascii=False))
    return bodies


def acked(workdir: Path, prefix: str) -> list[str]:
    """The ticket number of every 201 one level's wrk threads wrote down."""
    return [
        line
        for path in sorted(workdir.glob(f"acked-{prefix}-t*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def run_level(
    server: Server, database: Database, workdir: Path, token: str, level: int, seconds: float
) -> dict[str, Any]:
    prefix = f"c{level}"
    script = workdir / f"{prefix}.lua"
    settings = {
        "BODIES": str(workdir / "bodies.jsonl"),
        "OUT": str(workdir),
        "PREFIX": prefix,
        "AUTH": f"Bearer {token}",
        "PATH": PATH,
        "NUMBER": "ticket_no",
    }
    script.write_text(
        "".join(f"{k} = {json.dumps(v)}\n" for k, v in settings.items()) + SUBMIT_LUA,
        encoding="utf-8",
    )
    cpu, pg, backends = server.cpu(), postgres_cpu(), postgres_pids()
    result = wrk(server.base + PATH, connections=level, seconds=seconds, script=script)
    time.sleep(0.5)  # the last answers' after-commit work (job wake-ups)
    result["server_cpu"] = server.cpu() - cpu
    result["pg_cpu"] = postgres_cpu() - pg
    # A backend that ended during the level took its CPU time with it (the pool's overflow
    # connections, closed when returned): then the figure is not known.
    result["pg_cpu_known"] = backends <= postgres_pids()
    result["acked"] = acked(workdir, prefix)
    created = max(result["created"], 1)
    result["tickets_per_s"] = result["created"] / result["seconds"]
    result["server_cpu_ms"] = 1000 * result["server_cpu"] / created
    result["pg_cpu_ms"] = 1000 * result["pg_cpu"] / created
    return result


def check(
    server: Server, database: Database, token: str, results: dict[int, dict[str, Any]]
) -> list[str]:
    """Nothing lost, nothing twice: what the run acknowledged against what is stored."""
    problems = []
    count, steady_since = -1, time.monotonic()  # the requests wrk left in flight, finished
    while time.monotonic() - steady_since < 1.0:
        now = database.query("SELECT count(*) FROM tickets")[0][0]
        if now != count:
            count, steady_since = now, time.monotonic()
        time.sleep(0.1)
    numbers = [number for r in results.values() for number in r["acked"]]
    untracked = sum(r["untracked"] for r in results.values())
    if untracked:
        problems.append(f"{untracked} answers of 201 without a ticket number")
    stored = {row[0] for row in database.query("SELECT ticket_no FROM tickets")}
    missing = set(numbers) - stored
    if missing:
        problems.append(f"{len(missing)} acknowledged tickets not stored: {sorted(missing)[:3]}")
    if len(set(numbers)) != len(numbers):
        problems.append(f"{len(numbers) - len(set(numbers))} ticket numbers acknowledged twice")
    keyed = database.query("SELECT count(*) FROM tickets WHERE idempotency_key IS NOT NULL")[0][0]
    if keyed < len(numbers):  # (more is fine: stored, in flight when wrk stopped, answer unread)
        problems.append(f"{keyed} tickets stored with a key, {len(numbers)} acknowledged")
    audited = database.query(
        "SELECT count(*) FROM audit_events WHERE action = 'complaint.received'"
    )[0][0]
    if audited != len(stored):
        problems.append(f"{len(stored)} tickets, {audited} 'complaint.received' audit rows")
    untold = database.query(
        "SELECT count(*) FROM tickets t WHERE NOT EXISTS "
        "(SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'received')"
    )[0][0]
    if untold:
        problems.append(f"{untold} tickets without their 'received' event")
    # Reports of one kind at one flooded place: one ticket dispatched, the rest linked to it.
    unlinked = database.query(
        "SELECT count(*) - count(DISTINCT category || ' ' || lat || ' ' || lon) FROM tickets "
        "WHERE lat IS NOT NULL AND category IS NOT NULL AND duplicate_of IS NULL"
    )[0][0]
    if unlinked:
        problems.append(f"{unlinked} reports of a problem already reported there were not linked")
    # A client that timed out retries with the same key: the same ticket, nothing new filed.
    bodies = (server.workdir / "bodies.jsonl").read_text(encoding="utf-8").splitlines()
    before = len(stored)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with httpx.Client(base_url=server.base, timeout=30, headers=headers) as client:
        for number in numbers[:: max(1, len(numbers) // 20)][:20]:
            [(key,)] = database.query(
                "SELECT idempotency_key FROM tickets WHERE ticket_no = ?", number
            )
            again = client.post(PATH, content=bodies[0], headers={"Idempotency-Key": key})
            if again.status_code != 200 or again.json().get("ticket_no") != number:
                problems.append(f"retry of {key}: {again.status_code}, not ticket {number}")
                break
    after = database.query("SELECT count(*) FROM tickets")[0][0]
    if after != before:
        problems.append(f"retries filed {after - before} new tickets")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("YIWANG_BENCH_DATABASE_URL", ""),
        help="PostgreSQL server (a scratch database is made there); default SQLite",
    )
    parser.add_argument(
        "--levels",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[1, 8, 32],
        help="connections, one wrk run each (default 1,8,32)",
    )
    parser.add_argument("--seconds", type=float, default=10, help="per level")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers")
    parser.add_argument(
        "--category",
        help="only the held-out tickets of this category (e.g. utilities.water_outage): a "
        "crisis of one kind, where on PostgreSQL tickets of one category are received in turn",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    print(f"Machine: {machine()}")
    bodies = ticket_bodies(args.category)
    serve = ("--workers", str(args.workers))
    with scratch_yiwang(args.database_url, "hotline", *serve) as (database, server):
        backend = "PostgreSQL" if database.is_postgres else "SQLite"
        workdir = server.workdir
        (workdir / "bodies.jsonl").write_text("\n".join(bodies) + "\n", encoding="utf-8")
        token = sign_in(server.base, CITIZEN)
        results = {
            level: run_level(server, database, workdir, token, level, args.seconds)
            for level in args.levels
        }
        problems = check(server, database, token, results)
        linked = database.query("SELECT count(*) FROM tickets WHERE status = 'linked'")[0][0]
        total = database.query("SELECT count(*) FROM tickets")[0][0]
    pg = " | PostgreSQL CPU ms/ticket" if backend == "PostgreSQL" else ""
    print(
        f"\n| 12345 intake{', ' + args.category if args.category else ''}, {backend}, "
        f"{args.workers} worker(s), {args.seconds:g} s per level "
        f"| tickets/s | p50 / p90 / p99 ms | server CPU ms/ticket{pg} | 503 | other |"
    )
    print(f"| --- | ---: | ---: | ---: |{' ---: |' if pg else ''} ---: | ---: |")
    for level, r in results.items():
        known = f"{r['pg_cpu_ms']:.1f}" if r["pg_cpu_known"] else "n/a (backends ended)"
        pg_cell = f" {known} |" if pg else ""
        other = f"{r['other']} ({r['other_status']})" if r["other"] else "0"
        print(
            f"| {level} connection(s) | {r['tickets_per_s']:.1f} | {r['p50']:.1f} / "
            f"{r['p90']:.1f} / {r['p99']:.1f} | {r['server_cpu_ms']:.1f} |{pg_cell} "
            f"{r['rejected']} | {other} |"
        )
    print(f"\n{total:,} tickets stored, {linked:,} of them linked to an open one at the same place")
    print(
        "checks: "
        + (
            "; ".join(problems)
            if problems
            else "every 201 stored once, audited, with its timeline; every report of a "
            "place's problem after the first linked; retries answered the same ticket and filed "
            "nothing"
        )
    )
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
