"""Staff decisions: ``POST /api/v1/tasks/{id}/decision``, milliseconds per decision and the
server's CPU per decision, one officer at a time and then one officer per department at once.

Starts the platform as ``make run`` does (a scratch database migrated and seeded, ``yiwang
serve``, one worker), has citizen1 submit 2 × --applications bundles (开餐馆一件事, forms varied
as submission.py varies them), then has an officer of each department of the bundle approve
every task in their inbox until every application is approved (the food permit's branch opens
when the business licence is issued):

1. one decision at a time, the departments in turn, for the first half;
2. one client per department at once, for the second half.

With --web the officers decide as they do at their desks, through the workbench's form
(``POST /work/tasks/{id}``, signed in through the login page, the form's CSRF token sent back):
the same decisions, answered 303 back to the inbox. Its branch status is not in the answer, so
the "branches approved" column is left out; the checks at the end are the same.

A decision that approves a branch also issues its licence (signed, its PDF drawn by a job in
the same server process): the server's CPU per decision includes that. The run ends by
checking what it did: every application approved, every task decided once (one decision audit
row per task), and exits 1 if not.

    .venv/bin/python benchmarks/decisions.py                  # SQLite
    .venv/bin/python benchmarks/decisions.py --database-url postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python benchmarks/decisions.py --web           # through the workbench's form
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PASSWORD  # noqa: E402 - the benchmarks' shared helpers
from scaleout import bundle_departments  # noqa: E402
from submission import (  # noqa: E402
    BUNDLE,
    CITIZEN,
    Database,
    Server,
    form_bodies,
    machine,
    scratch_yiwang,
    sign_in,
    submit_by_hand,
)


class Officer:
    """One officer: an API token (the inbox is read through the API) and, with --web, a
    browser-like session signed in through the login page, with its CSRF token."""

    def __init__(self, base: str, username: str, *, web: bool) -> None:
        self.base, self.token = base, sign_in(base, username)
        self.session: dict[str, str] = {}
        self.csrf = ""
        if web:
            with httpx.Client(base_url=base, timeout=30) as browser:
                page = browser.get("/login")
                found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
                if found is None:
                    sys.exit(f"the login page ({page.status_code}) has no CSRF token")
                self.csrf = found.group(1)
                signed = browser.post(
                    "/login",
                    data={"username": username, "password": PASSWORD, "csrf_token": self.csrf},
                )
                if signed.status_code != 303:
                    sys.exit(f"web sign-in of {username}: {signed.status_code}")
                self.session = dict(browser.cookies)
                # The form's token is the browser's CSRF cookie (signing in may renew it).
                self.csrf = self.session.get("yiwang_csrf", self.csrf)


def decide_all(officer: Officer, applications: set[str]) -> list[tuple[float, str]]:
    """Approve every task of these applications in one officer's inbox, one at a time, until
    the inbox holds none: (seconds, branch status after, "" through the form) per decision."""
    out = []
    headers = {"Authorization": f"Bearer {officer.token}"}
    with (
        httpx.Client(base_url=officer.base, timeout=30, headers=headers) as client,
        httpx.Client(base_url=officer.base, timeout=30, cookies=officer.session) as browser,
    ):
        while True:
            inbox = client.get("/api/v1/tasks")
            inbox.raise_for_status()
            mine = [t for t in inbox.json() if t["application_id"] in applications]
            if not mine:
                return out
            for task in mine:
                started = time.perf_counter()
                if officer.session:
                    answer = browser.post(
                        f"/work/tasks/{task['id']}",
                        data={"csrf_token": officer.csrf, "decision": "approve"},
                    )
                    # (303 to the login page would be a session lost, not a decision)
                    if answer.status_code != 303 or answer.headers["location"] != "/work":
                        sys.exit(f"decision {answer.status_code}: {answer.text[:300]}")
                    out.append((time.perf_counter() - started, ""))
                    continue
                answer = client.post(
                    f"/api/v1/tasks/{task['id']}/decision", json={"decision": "approve"}
                )
                if answer.status_code != 200:
                    sys.exit(f"decision {answer.status_code}: {answer.text[:300]}")
                out.append((time.perf_counter() - started, answer.json()["branch_status"]))


def phase(
    server: Server, officers: dict[str, Officer], applications: set[str], *, together: bool
) -> dict[str, Any]:
    """Decide every task of ``applications``; latency, decisions/s and CPU per decision."""
    cpu, started = server.cpu(), time.perf_counter()
    decided: list[tuple[float, str]] = []
    while True:  # again, until no department has any left (a released branch opens later)
        if together:
            with ThreadPoolExecutor(len(officers)) as pool:
                runs = pool.map(lambda o: decide_all(o, applications), officers.values())
                batch = [d for run in runs for d in run]
        else:
            batch = [d for o in officers.values() for d in decide_all(o, applications)]
        decided += batch
        if not batch:
            break
    wall, used = time.perf_counter() - started, server.cpu() - cpu
    ms = sorted(1000 * seconds for seconds, _ in decided)
    return {
        "decisions": len(ms),
        "branches_approved": sum(status == "approved" for _, status in decided),
        "p50_ms": statistics.median(ms),
        "p90_ms": ms[int(0.9 * (len(ms) - 1))],
        "p99_ms": ms[int(0.99 * (len(ms) - 1))],
        "decisions_per_s": len(ms) / wall,
        "server_cpu_ms_per_decision": 1000 * used / len(ms),
    }


def check(database: Database, applications: set[str], decisions: int) -> list[str]:
    """What the run must have left: every application approved, one decision per task."""
    problems = []
    rows = database.query("SELECT id, status FROM applications")
    not_done = [i for i, status in rows if i in applications and status != "approved"]
    if not_done:
        problems.append(f"{len(not_done)} applications not approved")
    audited = database.query("SELECT count(*) FROM audit_events WHERE action = 'task.approve'")
    twice = database.query(
        "SELECT count(*) FROM (SELECT target_id FROM audit_events WHERE action = 'task.approve'"
        " GROUP BY target_id HAVING count(*) > 1) AS t"
    )
    if audited[0][0] != decisions or twice[0][0]:
        problems.append(
            f"{audited[0][0]} decision audit rows for {decisions} decisions, {twice[0][0]} twice"
        )
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
    parser.add_argument("--applications", type=int, default=40, help="per phase")
    parser.add_argument(
        "--web", action="store_true", help="decide through the workbench's form, not the API"
    )
    args = parser.parse_args()
    print(f"Machine: {machine()}")
    with scratch_yiwang(args.database_url, "decisions") as (database, server):
        backend = "PostgreSQL" if database.is_postgres else "SQLite"
        schema = httpx.get(f"{server.base}/api/v1/bundles/{BUNDLE}", timeout=30).json()
        bodies = form_bodies(schema["form_schema"], 2 * args.applications)
        citizen = sign_in(server.base, CITIZEN)
        stored = submit_by_hand(server.base, citizen, bodies, "decisions")
        if any(status != 201 for status, _ in stored):
            sys.exit(f"submissions refused: {[s for s, _ in stored if s != 201][:5]}")
        ids = [answer["id"] for _, answer in stored]
        officers = {
            d: Officer(server.base, f"staff-{d}", web=args.web) for d in bundle_departments()
        }
        results = {
            "one at a time": phase(server, officers, set(ids[: args.applications]), together=False),
            f"{len(officers)} departments at once": phase(
                server, officers, set(ids[args.applications :]), together=True
            ),
        }
        problems = check(database, set(ids), sum(r["decisions"] for r in results.values()))
    route = "the workbench's form" if args.web else "the API"
    print(
        f"\n| {BUNDLE}, {backend}, 1 worker, {route} | decisions | of them branches approved | "
        "p50 / p90 / p99 ms | decisions/s | server CPU ms per decision |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, r in results.items():
        print(
            f"| {name} | {r['decisions']} | {'–' if args.web else r['branches_approved']} | "
            f"{r['p50_ms']:.1f} / "
            f"{r['p90_ms']:.1f} / {r['p99_ms']:.1f} | {r['decisions_per_s']:.1f} | "
            f"{r['server_cpu_ms_per_decision']:.1f} |"
        )
    print(
        "\nchecks: "
        + (
            "; ".join(problems)
            if problems
            else "every application approved, each task decided once"
        )
    )
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
