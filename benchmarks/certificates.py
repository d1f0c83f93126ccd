"""Electronic licence throughput: issuing (sign + store, one transaction each, as an approval
does) and verifying (anyone's GET of a licence's verification, through a real server).

    .venv/bin/python benchmarks/certificates.py                 # SQLite (embedded default)
    .venv/bin/python benchmarks/certificates.py --database-url postgresql://postgres@127.0.0.1/bench

Prints Markdown tables for docs/performance.md. Verification needs wrk (apt-get install wrk).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.http_baseline import YIWANG, wrk  # noqa: E402


async def issue_many(database_url: str, keys: Path, count: int) -> tuple[float, list[str]]:
    """Issue ``count`` business licences, one transaction each; (licences/s, ids)."""
    from yiwang import jobs
    from yiwang.audit import service as audit
    from yiwang.catalog import snapshots
    from yiwang.certificates import service as certificates
    from yiwang.certificates.keys import KeyRing
    from yiwang.config import get_settings
    from yiwang.database import create_engine, transaction

    engine = create_engine(database_url)
    audit.bind_key(engine, get_settings().audit_hmac_key)
    ring = KeyRing(keys)
    ids: list[str] = []
    try:
        async with transaction(engine, write=False) as db:
            _, catalog = await snapshots.current(db)
        kind = catalog.certificate_types["business_licence"]
        values = {
            "enterprise.name": "安吉李记小厨餐饮有限公司",
            "enterprise.type": "llc",
            "enterprise.legal_representative": "李明",
            "enterprise.registered_capital": "50",
            "enterprise.registered_address": "浙江省湖州市安吉县递铺街道胜利西路88号",
            "enterprise.business_scope": "餐饮服务；食品销售",
        }
        ring.current_key_id("samr")  # the key exists before the clock starts
        started = time.perf_counter()
        for _ in range(count):
            async with transaction(engine) as db:
                row = await certificates.issue(
                    db,
                    catalog=catalog,
                    keyring=ring,
                    kind=kind,
                    holder_account_id="bench",
                    values=values,
                    today=dt.date(2026, 11, 26),
                )
            ids.append(row["id"])
        elapsed = time.perf_counter() - started
        await jobs.drain(engine)  # the PDFs the jobs render, after the clock stops
        await audit.drain(engine)
    finally:
        await engine.dispose()
    return count / elapsed, ids


def render_only(count: int) -> float:
    """PDFs drawn per second by one process (the render job's work)."""
    from yiwang.certificates import pdf

    started = time.perf_counter()
    for index in range(count):
        pdf.render(
            title="营业执照",
            title_en="Business licence",
            identifier=f"1.2.156.3005.2.11100000000013338W011.11330523002500017G.2026{index:07d}.001.X",
            holder="安吉李记小厨餐饮有限公司",
            holder_code="91330523MA28C1K70K",
            issuer="安吉县市场监督管理局",
            issued_on="2026-11-26",
            valid_until=None,
            items=[("经营范围", "餐饮服务；食品销售")],
            verify_url="http://127.0.0.1:8000/verify/00000000-0000-0000-0000-000000000000",
        )
    return count / (time.perf_counter() - started)


def crypto_only(keys: Path, count: int) -> tuple[float, float]:
    """Ed25519 sign and verify of a licence-sized message: the CPU ceiling, per second."""
    from yiwang.certificates.keys import KeyRing

    ring = KeyRing(keys)
    message = ("营业执照" * 60).encode()
    started = time.perf_counter()
    for _ in range(count):
        key_id, signature = ring.sign("samr", message)
    signs = count / (time.perf_counter() - started)
    started = time.perf_counter()
    for _ in range(count):
        assert ring.verify(key_id, message, signature)
    return signs, count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--port", type=int, default=8794)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="yiwang-bench-certs-"))
    keys = workdir / "keys"
    database_url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    env = {
        **os.environ,
        "YIWANG_DATABASE_URL": database_url,
        "YIWANG_KEYS_DIR": str(keys),
        "YIWANG_PORT": str(args.port),
        "YIWANG_DEMO_SYSTEMS_PORT": str(args.port + 1),
        "YIWANG_LOG_LEVEL": "WARNING",
    }
    os.environ.update({"YIWANG_KEYS_DIR": str(keys), "YIWANG_DATABASE_URL": database_url})
    subprocess.run([*YIWANG, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([*YIWANG, "seed-demo"], env=env, check=True, capture_output=True)
    backend = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    signs, verifies = crypto_only(keys, 20_000)
    renders = render_only(200)
    rate, ids = asyncio.run(issue_many(database_url, keys, args.count))
    print(f"| licences ({backend}) | per second |")
    print("| --- | ---: |")
    print(f"| Ed25519 sign, in process (ceiling) | {signs:,.0f} |")
    print(f"| Ed25519 verify, in process (ceiling) | {verifies:,.0f} |")
    print(f"| PDF drawn (reportlab, embedded CJK subset, QR code) | {renders:,.0f} |")
    print(
        f"| issued: sign + store + audit + PDF job queued, 1 transaction each "
        f"({args.count}, the PDFs drawn meanwhile in a thread) | {rate:,.0f} |"
    )
    if not shutil.which("wrk"):
        print("(wrk not found: verification over HTTP skipped)")
        return
    server = subprocess.Popen(
        [*YIWANG, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/readyz", timeout=0.5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        target = ids[len(ids) // 2]
        assert httpx.get(f"{base}/api/v1/certificates/{target}/verify").json()["valid"]
        print()
        print(
            f"| verification over HTTP ({backend}, 1 worker, wrk -t2, {args.seconds}s) "
            "| conns | req/s | p50 ms | p99 ms | non-2xx |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for name, url, extra in (
            (
                "GET /api/v1/certificates/{id}/verify (JSON)",
                f"{base}/api/v1/certificates/{target}/verify",
                [],
            ),
            ("GET /verify/{id} (page)", f"{base}/verify/{target}", []),
        ):
            result = wrk(url, seconds=args.seconds, connections=32, extra=extra)
            print(
                f"| {name} | 32 | {result['rps']:,.0f} | {result['p50']:.1f} "
                f"| {result['p99']:.1f} | {result['non2xx']} |"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
