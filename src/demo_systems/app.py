"""One ASGI app serving every demo department system under its own path prefix."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from demo_systems import health, hrss, market, population, realestate, world
from demo_systems.world import DEFAULT_ACCOUNTS

__all__ = ["DEFAULT_ACCOUNTS", "create_app", "parse_latency"]

ALL = "*"


def parse_latency(text: str) -> dict[str, float]:
    """DEMO_LATENCY_MS: "50" for every system, or "population=50,market=20" per prefix."""
    latency: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        prefix, _, value = part.rpartition("=")
        latency[prefix.strip().strip("/") or ALL] = float(value)
    return latency


class Latency:
    """Middleware that makes each system wait its configured milliseconds before answering."""

    def __init__(self, app: ASGIApp, latency_ms: dict[str, float]) -> None:
        self.app = app
        self.latency_ms = latency_ms

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].endswith("/healthz"):
            prefix = scope["path"].strip("/").split("/", 1)[0]
            delay = self.latency_ms.get(prefix, self.latency_ms.get(ALL, 0.0))
            if delay > 0:
                await asyncio.sleep(delay / 1000)
        await self.app(scope, receive, send)


def create_app(
    accounts_file: Path | None = None,
    generated: int | None = None,
    *,
    fixtures_file: Path | None = None,
    latency_ms: dict[str, float] | None = None,
) -> FastAPI:
    """The demo systems, with the demo accounts' people and ``generated`` synthetic residents."""
    accounts_file = accounts_file or Path(os.environ.get("DEMO_ACCOUNTS_FILE", DEFAULT_ACCOUNTS))
    count = generated if generated is not None else int(os.environ.get("DEMO_PEOPLE", "3000"))
    if latency_ms is None:
        latency_ms = parse_latency(os.environ.get("DEMO_LATENCY_MS", ""))
    county = world.build(accounts_file, fixtures_file, count)
    app = FastAPI(title="Demo department systems of 安吉县", docs_url=None, redoc_url=None)
    app.state.world = county
    routers = [
        population.router(county.people),
        market.router(county),
        realestate.router(county),
        hrss.router(county),
        health.router(county),
    ]
    for api in routers:
        api.add_api_route("/healthz", healthz, methods=["GET"])
        app.include_router(api)
    app.add_api_route("/healthz", healthz, methods=["GET"])
    if latency_ms:
        app.add_middleware(Latency, latency_ms=latency_ms)
    return app


async def healthz() -> dict[str, str]:
    """Whether the system is up."""
    return {"status": "ok"}
