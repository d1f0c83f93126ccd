"""What every benchmark here needs: where the project is and how to run yiwang, the demo's bundle
and citizen, what machine this is, a free port, a process's CPU time and its children, an
open-loop generator's process, a chart's grid, and a statement on the PostgreSQL server
(scratch databases)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import socket
import subprocess
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
YIWANG = [sys.executable, "-m", "yiwang.cli"]
TICKS = os.sysconf("SC_CLK_TCK")
BUNDLE = "open-restaurant"
CITIZEN = "citizen1"
PASSWORD = "yiwang-demo"  # noqa: S105 - every demo account's published password


def machine() -> str:
    """Cores, CPU model, Python, kernel, commit and load average: the first line of a report."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.machine(),
    )
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, commit {commit or '?'}, "
        f"load average before the run {load}"
    )


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def descendants(pid: int) -> list[int]:
    """The process and every live process under it."""
    found = [pid]
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            for child in children.read_text().split():
                found += descendants(int(child))
    return found


def run_generator(
    drive: Callable[[dict[str, Any]], Coroutine[Any, Any, Any]], config_path: str
) -> None:
    """The load generator's own process: its configuration from a JSON file, ``drive`` run on
    uvloop where installed, its result written where the configuration says."""
    cfg = json.loads(Path(config_path).read_text(encoding="utf-8"))
    try:
        import uvloop

        result = uvloop.run(drive(cfg))
    except ImportError:
        result = asyncio.run(drive(cfg))
    Path(cfg["out"]).write_text(json.dumps(result), encoding="utf-8")


def svg_grid(
    out: list[str],
    ticks: list[float],
    scale: Callable[[float], float],
    *,
    left: float,
    top: float,
    width: float,
    height: float,
) -> None:
    """A chart's horizontal grid lines with their labels, and its frame."""
    for tick in ticks:
        yy = top + scale(tick)
        out.append(
            f'<line x1="{left}" x2="{left + width}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#ddd"/>'
        )
        out.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end">{tick:,.5g}</text>')
    out.append(
        f'<rect x="{left}" y="{top}" width="{width}" height="{height}" fill="none" stroke="#333"/>'
    )


async def admin(url: str, statement: str) -> None:
    """Run one statement on a PostgreSQL server (CREATE / DROP DATABASE of a scratch one)."""
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()
