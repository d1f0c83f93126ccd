"""Admission control: past the bound on work in flight, the excess is refused at once with
503 and Retry-After; health checks still answer, and admitted work finishes untouched."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import ServerThread
from yiwang.config import Settings

pytestmark = pytest.mark.anyio


@pytest.fixture
async def busy_client(settings: Settings, engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    """The platform allowing one request at a time, with a population registry that takes 2 s."""
    from demo_systems.app import create_app as demo_app
    from yiwang.main import create_app

    with ServerThread(demo_app(generated=10, latency_ms={"population": 2000})) as slow:
        application = create_app(
            settings.model_copy(
                update={"max_in_flight": 1, "population_registry_url": f"{slow.url}/population"}
            ),
            configure_logs=False,
        )
        async with application.router.lifespan_context(application):
            transport = httpx.ASGITransport(app=application, client=("203.0.113.7", 50000))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                yield c


async def test_the_excess_is_refused_fast_and_admitted_work_completes(
    busy_client: httpx.AsyncClient,
) -> None:
    registration = asyncio.create_task(
        busy_client.post(
            "/api/v1/auth/register",
            json={
                "name": "赵敏",
                "id_number": "330523199512120022",
                "phone": "13905729001",
                "password": "Anji-2026-spring",
            },
        )
    )
    await asyncio.sleep(0.2)  # the registration is waiting on the registry
    started = time.perf_counter()
    refused = await busy_client.get("/api/v1/services", headers={"Accept-Language": "en"})
    took = time.perf_counter() - started
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "1"
    assert refused.json()["error"]["code"] == "overloaded"
    assert "try again" in refused.json()["error"]["message"]
    assert took < 1.0  # refused, not queued behind the registration's 2 s
    assert (await busy_client.get("/healthz")).status_code == 200
    metrics = (await busy_client.get("/metrics")).text
    assert "yiwang_http_rejected_total 1.0" in metrics
    registered = await registration
    assert registered.status_code == 201, registered.text
    assert (await busy_client.get("/api/v1/services")).status_code == 200


async def test_while_the_event_loop_lags_new_requests_are_refused(
    settings: Settings, engine: AsyncEngine
) -> None:
    """Requests that never wait are finished one by one, so few are ever in flight: the queue
    forms in front of the application. While the loop runs its timers late, new requests are
    refused at once; when it catches up, they are served again."""
    from yiwang.main import create_app

    application = create_app(
        settings.model_copy(update={"max_loop_lag_seconds": 0.05}), configure_logs=False
    )
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application, client=("203.0.113.7", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            assert (await c.get("/api/v1/services")).status_code == 200
            busy = True

            async def hog() -> None:  # a loop with more to do than it can: 60 ms turns
                while busy:
                    time.sleep(0.06)  # noqa: ASYNC251 - blocking the loop is the point
                    await asyncio.sleep(0)

            hogging = asyncio.create_task(hog())
            await asyncio.sleep(0.5)
            refused = await c.get("/api/v1/services")
            assert refused.status_code == 503
            assert refused.headers["Retry-After"] == "1"
            assert (await c.get("/healthz")).status_code == 200  # never refused
            busy = False
            await hogging
            await asyncio.sleep(0.1)
            assert (await c.get("/api/v1/services")).status_code == 200
