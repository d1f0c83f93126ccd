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
    # Each refusal in its reader's language (each language's answer is made once).
    for accept, expected in (
        ("", "请 1 秒后重试"),
        ("fr, en;q=0.8", "try again in 1 seconds"),
        ([("Accept-Language", "fr"), ("Accept-Language", "en")], "try again"),  # two lines
    ):
        headers = accept if isinstance(accept, list) else {"Accept-Language": accept}
        again = await busy_client.get("/api/v1/services", headers=headers)
        assert again.status_code == 503
        assert expected in again.json()["error"]["message"]
        assert int(again.headers["Content-Length"]) == len(again.content)
    assert (await busy_client.get("/healthz")).status_code == 200
    metrics = (await busy_client.get("/metrics")).text
    assert "yiwang_http_rejected_total 4.0" in metrics
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


class _Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_once_full_the_bound_is_what_the_pace_finishes_within_the_wait() -> None:
    """Until the process is full the bound is the count (64), whatever the pace: requests
    waiting on something outside are all admitted. Once a request finds it full, the bound is
    what the process finishes in 0.1 s at its best pace of the last five seconds (200/s: 20),
    never under a quarter of the count (16), half a second at a time while each half-second
    refuses a tenth or more of what arrives in it (a surge); then the count again. Past the
    bound each request is refused at once with 503 and Retry-After."""
    from yiwang.api.admission import AdmissionControlMiddleware

    release = asyncio.Event()

    async def app(scope: dict, receive: object, send: object) -> None:  # type: ignore[type-arg]
        if scope["path"] == "/outside":
            await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]
        await send({"type": "http.response.body", "body": b"ok"})  # type: ignore[operator]

    clock = _Clock()
    admission = AdmissionControlMiddleware(app, max_in_flight=64, wait=0.1, clock=clock)
    transport = httpx.ASGITransport(app=admission)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:

        async def admitted_at_once() -> int:
            """Park requests until one is refused; how many were admitted."""
            release.clear()
            parked: list[asyncio.Task[httpx.Response]] = []
            while True:
                task = asyncio.create_task(client.get("/outside"))
                for _ in range(1000):  # until it is refused, or waits in the app
                    await asyncio.sleep(0)
                    if task.done() or admission.in_flight > len(parked):
                        break
                assert task.done() or admission.in_flight == len(parked) + 1
                if task.done():
                    refused = task.result()
                    assert refused.status_code == 503
                    assert refused.headers["Retry-After"] == "1"
                    break
                parked.append(task)
                assert len(parked) <= 64, "admitted past max_in_flight"
            release.set()
            for answer in await asyncio.gather(*parked):
                assert answer.status_code == 200
            return len(parked)

        async def fill(parked: list[asyncio.Task[httpx.Response]]) -> None:
            """Admit requests that wait outside until as many are in flight as the bound."""
            while admission.in_flight < admission.bound():
                parked.append(asyncio.create_task(client.get("/outside")))
                for _ in range(1000):
                    await asyncio.sleep(0)
                    if admission.in_flight == len(parked):
                        break
                assert admission.in_flight == len(parked), "refused under the bound"

        async def free(parked: list[asyncio.Task[httpx.Response]]) -> None:
            release.set()
            for answer in await asyncio.gather(*parked):
                assert answer.status_code == 200

        async def refused_beside_the_bound(count: int) -> None:
            """With the bound's worth in flight, ``count`` more are refused; then all finish."""
            release.clear()
            parked: list[asyncio.Task[httpx.Response]] = []
            await fill(parked)
            for _ in range(count):
                assert (await client.get("/quick")).status_code == 503
            await free(parked)

        async def keep_pace(per_second: int, seconds: float) -> None:
            """Finish quick requests at this pace, after 5 s that forget what came before."""
            clock.now += 5.0
            for _ in range(int(per_second * seconds)):
                clock.now += 1 / per_second
                assert (await client.get("/quick")).status_code == 200

        assert await admitted_at_once() == 64  # at rest, and now full
        assert await admitted_at_once() == 16  # full, and no pace yet: a quarter
        await keep_pace(200, 1.5)  # the half-second after is not a surge: not full
        assert await admitted_at_once() == 64
        # 200/s x 0.1 s = 20, give or take the request the quarter-second buckets cut in two.
        assert 19 <= await admitted_at_once() <= 21
        # A surge: with the bound's worth waiting, everything else is refused for 1.5 s.
        start = clock.now  # full since the refusal just now
        release.clear()
        parked: list[asyncio.Task[httpx.Response]] = []
        for quarter in range(1, 7):
            clock.now = start + 0.25 * quarter
            await fill(parked)  # (the pace, and so the bound, moves as the quarters end)
            for _ in range(10):
                assert (await client.get("/quick")).status_code == 503
            assert admission.bound() < 64, "a surge keeps the process full"
        await free(parked)
        # The surge is over. Its last half-second keeps the process full for one more, in
        # which the load it carries (40 admitted) has a burst that finds the tighter bound
        # (3 refused, fewer than a tenth of the half-second's arrivals).
        for i in range(40):
            clock.now = start + 2.0 + 0.01 * i
            assert (await client.get("/quick")).status_code == 200
        await refused_beside_the_bound(3)
        assert admission.bound() < 64
        clock.now = start + 2.5
        assert await admitted_at_once() == 64  # not a surge: the count, and now full again
        # A half-second that refuses a tenth or more of its arrivals keeps it full.
        start = clock.now
        await refused_beside_the_bound(10)
        clock.now = start + 0.6
        assert await admitted_at_once() < 64
        # A last half-second of surge, then nothing for two seconds: the surge is over.
        await refused_beside_the_bound(10)
        clock.now += 2.0
        assert admission.bound() == 64
        await keep_pace(1000, 1.5)
        assert await admitted_at_once() == 64
        assert await admitted_at_once() == 64  # 1,000/s x 0.1 s = 100: the count


def test_the_pace_is_the_best_second_of_the_last_five() -> None:
    """Held up for 0.6 s after a second at 200/s, the pace is still 200/s (a bound that followed
    the last second would shrink just as the held-up requests arrive); a faster second counts
    once it is whole, and three seconds on; past five seconds, it is forgotten."""
    from yiwang.api.admission import Pace

    pace, now = Pace(), 1000.0
    for _ in range(300):  # 1.5 s at 200/s
        now += 1 / 200
        pace.finished(now)
    assert 199 <= pace.per_second(now) <= 201
    now += 0.6  # nothing finishes
    assert 199 <= pace.per_second(now) <= 201
    now = 1002.25  # a second at 500/s, from a quarter second's start
    for _ in range(500):
        now += 1 / 500
        pace.finished(now)
    now += 0.25  # the last quarter second is whole
    assert 498 <= pace.per_second(now) <= 501
    now += 3.0  # still within the five seconds
    assert 498 <= pace.per_second(now) <= 501
    now += 2.5
    assert pace.per_second(now) == 0


async def test_the_bound_in_force_is_exported(settings: Settings, engine: AsyncEngine) -> None:
    """Operators see the bound admission control applies now: at rest, the count."""
    from yiwang.main import create_app

    settings = settings.model_copy(update={"max_in_flight": 40})
    application = create_app(settings, configure_logs=False)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application, client=("203.0.113.7", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            assert (await c.get("/api/v1/services")).status_code == 200
            metrics = (await c.get("/metrics")).text
    assert "yiwang_http_admission_bound 40.0" in metrics


def test_admission_settings_are_checked() -> None:
    """A wait that is not a number of seconds, or a bound under one, is refused at start-up
    instead of failing every request."""
    import pydantic

    for bad in ({"admission_wait_seconds": float("nan")}, {"admission_wait_seconds": -1.0}):
        with pytest.raises(pydantic.ValidationError):
            Settings(**bad)
    with pytest.raises(pydantic.ValidationError):
        Settings(max_in_flight=0)
    assert Settings(admission_wait_seconds=0).admission_wait_seconds == 0
