"""Crash: kill -9 the server in the middle of a load of submissions, restart it, and check that
nothing acknowledged was lost, that the audit chain verifies, and that pending jobs run.

Starts the server as the README does (benchmarks/spike.py's helpers: migrate, seed-demo,
complaints retrain, ``yiwang serve --demo-systems`` in a process group of its own) and offers a
steady, open-loop stream of 开餐馆一件事 submissions, each with its own Idempotency-Key; every 201's
application id is recorded. After --kill-after seconds the server and its child get SIGKILL at
once; the load goes on for --tail seconds (those requests find no server). Then:

1. Before restarting: every acknowledged application is in the database (queried directly).
2. The jobs as the crash left them: pending and due, pending but claimed by the killed process
   (its runner pushes run_after 5 minutes on when it claims: the lease), done.
3. Restart; ``yiwang audit verify`` (exit 0 wanted), with the rows the crash left unsealed.
4. Does the restarted server run the due jobs by itself? Then requests the client never heard
   back about are retried with their keys (each a replay if it had been stored, or created now):
   their commits wake the server's job runner.
5. The killed runner's claims: by default their lease is moved into the past with SQL (what the
   clock does in 5 minutes; the lease is not a setting) and ``yiwang jobs run`` runs them, as
   cron would; --wait-lease really waits for it instead (up to 5 minutes more).
6. Every job pending at the kill is done, each notification job left exactly one message, and
   ``yiwang audit verify`` passes with nothing left unsealed.

    .venv/bin/python benchmarks/crash.py                      # SQLite
    .venv/bin/python benchmarks/crash.py \
        --database-url postgresql://postgres@127.0.0.1/postgres   # a scratch database there
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import spike  # noqa: E402 - the server, the load generator and the counting live there

YIWANG = spike.YIWANG


async def _jobs(database_url: str) -> dict[str, Any]:
    import sqlalchemy as sa

    from yiwang.applications.models import applications
    from yiwang.audit.models import audit_events
    from yiwang.database import create_engine
    from yiwang.jobs import jobs
    from yiwang.notifications.models import notifications

    engine = create_engine(database_url)
    now = dt.datetime.now(dt.UTC)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(sa.select(jobs))).all()
            messages = (
                await conn.execute(
                    sa.select(notifications.c.job_id, sa.func.count()).group_by(
                        notifications.c.job_id
                    )
                )
            ).all()
            submitted = (
                await conn.execute(
                    sa.select(sa.func.count()).where(
                        audit_events.c.action == "application.submitted"
                    )
                )
            ).scalar_one()
            unsealed = (
                await conn.execute(sa.select(sa.func.count()).where(audit_events.c.seq.is_(None)))
            ).scalar_one()
            stored = (
                await conn.execute(sa.select(sa.func.count()).select_from(applications))
            ).scalar_one()
    finally:
        await engine.dispose()

    def aware(value: dt.datetime) -> dt.datetime:
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)

    due = [r.id for r in rows if r.status == "pending" and aware(r.run_after) <= now]
    leased = [r.id for r in rows if r.status == "pending" and aware(r.run_after) > now]
    return {
        "due": due,
        "leased": leased,
        "lease_ends": max((aware(r.run_after) for r in rows if r.id in set(leased)), default=None),
        "done": [r.id for r in rows if r.status == "done"],
        "failed": [r.id for r in rows if r.status == "failed"],
        "status": {r.id: r.status for r in rows},
        "kinds": collections.Counter(r.kind for r in rows),
        "messages": dict(messages),
        "audit_submitted": submitted,
        "audit_unsealed": unsealed,
        "applications": stored,
    }


def jobs_state(database_url: str) -> dict[str, Any]:
    return asyncio.run(_jobs(database_url))


async def _expire_leases(database_url: str, ids: list[int]) -> int:
    """Move the killed runner's leases into the past: what the clock does in 5 minutes. Only
    those: the restarted server's own runner may hold live claims right now."""
    import sqlalchemy as sa

    from yiwang.database import create_engine
    from yiwang.jobs import jobs

    engine = create_engine(database_url)
    now = dt.datetime.now(dt.UTC)
    try:
        async with engine.begin() as conn:
            done = await conn.execute(
                sa.update(jobs)
                .where(jobs.c.id.in_(ids), jobs.c.status == "pending", jobs.c.run_after > now)
                .values(run_after=now - dt.timedelta(seconds=1))
            )
            return done.rowcount
    finally:
        await engine.dispose()


def describe(state: dict[str, Any]) -> str:
    return (
        f"{len(state['due'])} pending and due, {len(state['leased'])} pending under a claim "
        f"(lease), {len(state['done'])} done, {len(state['failed'])} failed"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="", help="PostgreSQL server; default SQLite")
    parser.add_argument("--rate", type=float, default=60, help="submissions per second offered")
    parser.add_argument("--kill-after", type=float, default=8)
    parser.add_argument("--tail", type=float, default=2, help="seconds of load after the kill")
    parser.add_argument(
        "--max-in-flight", type=int, default=64, help="YIWANG_MAX_IN_FLIGHT (the default: 64)"
    )
    parser.add_argument(
        "--wait-lease",
        action="store_true",
        help="wait for the killed runner's 5-minute leases to pass instead of moving them",
    )
    args = parser.parse_args()
    setup = spike.prepare(args.database_url, max_in_flight=args.max_in_flight, prefix="crash")
    server = spike.Server(setup.env, setup.workdir)
    results: list[tuple[str, bool, str]] = []
    print(f"machine: {spike.machine()}")
    print(
        f"{setup.backend}, one uvicorn worker, YIWANG_MAX_IN_FLIGHT={args.max_in_flight}; "
        f"{args.rate:.0f} submissions/s offered, kill -9 after {args.kill_after:.0f} s"
    )
    try:
        server.start()
        token, body = spike.sign_in_and_form(server.base)
        killed: dict[str, Any] = {}

        def during(elapsed: float) -> None:
            if not killed and elapsed >= args.kill_after:
                killed["pids"] = server.kill9()
                killed["at"] = time.time()

        run = spike.run_load(
            server,
            kind="submit",
            phases=[(args.rate, args.kill_after + args.tail)],
            tag="crash",
            token=token,
            body=body,
            timeout=5,
            during=during,
        )
        if not killed:
            sys.exit("the load ended before the kill")
        kill_t = killed["at"] - run.start_wall
        records = run.records
        acked = {r[6]: r[7] for r in records if r[5] == 201}
        unknown = [r[6] for r in records if r[5] in (spike.ABANDONED, spike.FAILED)]
        in_flight = [
            r for r in records if r[2] <= kill_t and r[5] in (spike.ABANDONED, spike.FAILED)
        ]
        victims = ", ".join(f"{pid} ({run.labels.get(pid, '?')})" for pid in killed["pids"])
        print(
            f"\nkilled {victims} at t={kill_t:.1f} s; {len(records)} requests offered: "
            f"{len(acked)} answered 201, "
            f"{sum(r[5] == 503 for r in records)} x 503, {len(in_flight)} sent before the kill "
            f"and never answered, {len(unknown) - len(in_flight)} sent after it"
        )
        stored, dup = spike.stored_applications(setup.database_url)
        missing = [k for k, i in acked.items() if stored.get(k) != i]
        print("\nchecks:")
        spike.check(
            "every acknowledged application is stored (read before the restart)",
            not missing and not dup,
            f"{len(acked)} acknowledged, {len(stored)} stored, {len(missing)} missing, "
            f"{len(set(stored) & set(unknown))} stored whose 201 never reached the client",
            results,
        )
        at_kill = jobs_state(setup.database_url)
        pending_at_kill = at_kill["due"] + at_kill["leased"]
        print(f"  jobs as the crash left them: {describe(at_kill)}; {dict(at_kill['kinds'])}")
        print(f"  audit rows left unsealed by the crash: {at_kill['audit_unsealed']}")

        restart_began = time.monotonic()
        server.start()
        print(f"  restarted: ready in {time.monotonic() - restart_began:.1f} s")
        ok, said = spike.audit_verify(setup.env)
        spike.check("yiwang audit verify right after the restart", ok, said, results)

        time.sleep(3)
        idle = jobs_state(setup.database_url)
        ran_alone = len(set(at_kill["due"]) - set(idle["due"]))
        print(
            f"  3 s after the restart, with no request: {describe(idle)} "
            f"({ran_alone} of the {len(at_kill['due'])} due jobs ran by themselves)"
        )
        retried = spike.resend(server.base, token, body, unknown)
        if not retried:  # one commit to wake the runner
            retried = spike.resend(server.base, token, body, ["crash-after-restart"])
        replays = sum(a[3] for a in retried)
        deadline = time.monotonic() + 30
        while True:
            woken = jobs_state(setup.database_url)
            left = {j for j in at_kill["due"] if woken["status"].get(j) == "pending"}
            if not left or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        spike.check(
            "due jobs run after the restart",
            not left,
            f"{len(at_kill['due']) - len(left)}/{len(at_kill['due'])} of the jobs due at the "
            f"kill done once the restarted server committed something ({len(retried)} "
            f"retried requests: {replays} replays, {len(retried) - replays} created)",
            results,
        )
        leased = at_kill["leased"]
        if leased:
            ends = at_kill["lease_ends"]
            print(
                f"  {len(leased)} jobs were claimed by the killed runner; their lease ends "
                f"{(ends - dt.datetime.now(dt.UTC)).total_seconds():.0f} s from now"
            )
            if args.wait_lease:
                time.sleep(max(0.0, (ends - dt.datetime.now(dt.UTC)).total_seconds()) + 1)
                how = "waited for the lease to end"
            else:
                moved = asyncio.run(_expire_leases(setup.database_url, leased))
                how = f"moved {moved} leases into the past with SQL (the clock's 5 minutes)"
            done = subprocess.run(
                [*YIWANG, "jobs", "run"], env=setup.env, capture_output=True, text=True
            )
            print(f"  {how}; `yiwang jobs run`: {done.stdout.strip() or done.stderr.strip()}")
        deadline = time.monotonic() + 30  # the restarted server may still be running some
        while True:
            final = jobs_state(setup.database_url)
            if not final["due"] + final["leased"] or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        not_done = [j for j in pending_at_kill if final["status"].get(j) != "done"]
        spike.check(
            "every job pending at the kill is done",
            not not_done,
            f"{len(pending_at_kill) - len(not_done)}/{len(pending_at_kill)} done "
            f"({len(at_kill['due'])} due, {len(leased)} under the killed runner's lease); "
            f"now {describe(final)}",
            results,
        )
        sends = [j for j, s in final["status"].items() if s == "done"]
        extra_messages = {j: n for j, n in final["messages"].items() if n != 1}
        lines = collections.Counter()
        log = setup.workdir / "notifications.log"
        if log.exists():
            for line in log.read_text(encoding="utf-8").splitlines():
                lines[json.loads(line)["job_id"]] += 1
        repeated = sum(n - 1 for n in lines.values() if n > 1)
        spike.check(
            "one message per notification job",
            not extra_messages and len(final["messages"]) == final["kinds"]["notifications.send"],
            f"{len(final['messages'])} messages in the box for "
            f"{final['kinds']['notifications.send']} notification jobs ({len(sends)} jobs done); "
            f"the outside channel's log has {sum(lines.values())} lines, {repeated} of them "
            "repeats (it is at-least-once: a job killed after sending runs again)",
            results,
        )
        stored, dup = spike.stored_applications(setup.database_url)
        wrong = [a for a in retried if a[1] != 201 or stored.get(a[0]) != a[2]]
        expected = set(acked) | {a[0] for a in retried}
        spike.check(
            "after the retries: every key stored once, nothing else",
            not wrong and not dup and set(stored) == expected,
            f"{len(stored)} stored for {len(expected)} keys answered 201; "
            f"{len(wrong)} retries not stored as answered; {dup} keys stored twice",
            results,
        )
        spike.check(
            "every stored application has its audit row",
            final["audit_submitted"] == final["applications"],
            f"{final['applications']} applications, {final['audit_submitted']} "
            "application.submitted audit rows",
            results,
        )
        ok, said = spike.audit_verify(setup.env)
        spike.check(
            "yiwang audit verify at the end, all sealed",
            ok and "0 awaiting seal" in said,
            said,
            results,
        )
        failed = [name for name, passed, _ in results if not passed]
        print(f"\n{len(results) - len(failed)}/{len(results)} checks passed")
    finally:
        server.stop()
        setup.cleanup()


if __name__ == "__main__":
    main()
