"""Baseline HTTP throughput of the foundation: health, a catalogue read, /me, and sign-in.

Starts a real server (one uvicorn worker) on a fresh database, drives it with wrk on loopback,
and prints a Markdown table for docs/performance.md. Bounded: each run lasts --seconds.

    .venv/bin/python benchmarks/http_baseline.py                       # SQLite (embedded default)
    .venv/bin/python benchmarks/http_baseline.py \
        --database-url postgresql://postgres@127.0.0.1/bench
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, YIWANG  # noqa: E402 - the benchmarks' shared helpers


def wrk(url: str, *, seconds: int, connections: int, extra: list[str]) -> dict[str, float]:
    """Run wrk and pull out requests/s and latency percentiles (ms)."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *extra, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50": pct("50"),
        "p99": pct("99"),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--port", type=int, default=8790)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    workdir = Path(tempfile.mkdtemp(prefix="yiwang-bench-"))
    env = {
        **os.environ,
        "YIWANG_DATABASE_URL": args.database_url or f"sqlite:///{workdir / 'bench.db'}",
        "YIWANG_PORT": str(args.port),
        "YIWANG_DEMO_SYSTEMS_PORT": str(args.port + 1),
        "YIWANG_LOG_LEVEL": "WARNING",
    }
    subprocess.run([*YIWANG, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([*YIWANG, "seed-demo"], env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [*YIWANG, "serve", "--demo-systems"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/readyz", timeout=0.5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        token = httpx.post(
            f"{base}/api/v1/auth/token", data={"username": "citizen1", "password": "yiwang-demo"}
        ).json()["access_token"]
        lua = workdir / "signin.lua"
        lua.write_text(
            'wrk.method = "POST"\n'
            'wrk.body = "username=citizen2&password=yiwang-demo"\n'
            'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        )
        # One 开餐馆一件事 application (4 departments, one merged form) per request.
        schema = httpx.get(f"{base}/api/v1/bundles/open-restaurant").json()["form_schema"]
        sys.path.insert(0, str(ROOT))
        from tests.applications.helpers import answers

        body = json.dumps(
            {"bundle": "open-restaurant", "form": answers(schema)}, ensure_ascii=False
        )
        submit = workdir / "submit.lua"
        submit.write_text(
            'wrk.method = "POST"\n'
            f"wrk.body = {json.dumps(body, ensure_ascii=False)}\n"
            'wrk.headers["Content-Type"] = "application/json"\n'
            f'wrk.headers["Authorization"] = "Bearer {token}"\n',
            encoding="utf-8",
        )
        cases = [
            ("GET /healthz", f"{base}/healthz", 32, []),
            ("GET /api/v1/departments", f"{base}/api/v1/departments", 32, []),
            (
                "GET /api/v1/me (bearer)",
                f"{base}/api/v1/me",
                32,
                ["-H", f"Authorization: Bearer {token}"],
            ),
            ("GET / (portal page)", f"{base}/", 32, []),
            (
                "POST /api/v1/applications (4-department bundle)",
                f"{base}/api/v1/applications",
                32,
                ["-s", str(submit)],
            ),
            (
                "POST /api/v1/auth/token (argon2id)",
                f"{base}/api/v1/auth/token",
                8,
                ["-s", str(lua)],
            ),
        ]
        backend = "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite"
        print(
            f"| what ({backend}, 1 worker, wrk -t2, {args.seconds}s) "
            "| conns | req/s | p50 ms | p99 ms | non-2xx |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for name, url, conns, extra in cases:
            r = wrk(url, seconds=args.seconds, connections=conns, extra=extra)
            print(
                f"| {name} | {conns} | {r['rps']:,.0f} | {r['p50']:.1f} "
                f"| {r['p99']:.1f} | {r['non2xx']} |"
            )
        verify = subprocess.run(
            [*YIWANG, "audit", "verify"], env=env, capture_output=True, text=True
        )
        print(f"\naudit after the run: {verify.stdout.strip() or verify.stderr.strip()}")
    finally:
        server.terminate()
        server.wait(timeout=20)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
