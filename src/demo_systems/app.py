"""One ASGI app serving every demo department system under its own path prefix."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

from demo_systems import population
from demo_systems.people import fixed_people, generated_people

DEFAULT_ACCOUNTS = Path(__file__).resolve().parents[2] / "definitions" / "demo" / "accounts.yaml"


def create_app(accounts_file: Path | None = None, generated: int | None = None) -> FastAPI:
    """The demo systems, with the demo accounts' people and ``generated`` synthetic residents."""
    accounts_file = accounts_file or Path(os.environ.get("DEMO_ACCOUNTS_FILE", DEFAULT_ACCOUNTS))
    count = generated if generated is not None else int(os.environ.get("DEMO_PEOPLE", "3000"))
    people = fixed_people(accounts_file)
    people += generated_people(count, taken={p.id_number for p in people})
    app = FastAPI(title="Demo department systems of 安吉县", docs_url=None, redoc_url=None)
    app.include_router(population.router(people))

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
