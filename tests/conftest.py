"""Shared fixtures: a clean database per test (SQLite or PostgreSQL), the real demo department
systems over HTTP, and the application driven in-process through its ASGI interface."""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
import uvicorn
from sqlalchemy.ext.asyncio import AsyncEngine

from yiwang.config import ROOT, Settings
from yiwang.database import create_engine
from yiwang.tables import metadata

DEMO_PASSWORD = "yiwang-demo"


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServerThread:
    """A real uvicorn server on a free loopback port, in a background thread."""

    def __init__(self, app: object, port: int | None = None) -> None:
        self.port = port or free_port()
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="auto",
            # a deliberately slow answer still in flight is cut off at the end of its test
            timeout_graceful_shutdown=1,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of this test worker's own, migrated to head from empty."""
    base = os.environ.get("YIWANG_TEST_DATABASE_URL")
    if not base:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'yiwang-test.db'}"
        _migrate(url)
        yield url
        return
    # Unique per run as well as per worker: two test runs on one server never share a database.
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid()))[:8]
    name = f"yiwang_test_{run}_{_worker()}"
    admin_url = sa.make_url(base)
    url = admin_url.set(database=name).render_as_string(hide_password=False)

    async def recreate(drop_only: bool = False) -> None:
        engine = create_engine(admin_url.render_as_string(hide_password=False))
        try:
            async with engine.connect() as conn:
                conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                if not drop_only:
                    await conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        finally:
            await engine.dispose()

    asyncio.run(recreate())
    _migrate(url)
    yield url
    asyncio.run(recreate(drop_only=True))


def _migrate(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


@pytest.fixture(scope="session")
def demo_systems() -> Iterator[ServerThread]:
    """The demo department systems, served for real over HTTP on loopback."""
    from demo_systems.app import create_app

    with ServerThread(create_app(generated=300)) as server:
        yield server


@pytest.fixture(scope="session")
def demo_password_hash() -> str:
    from argon2 import PasswordHasher

    return PasswordHasher().hash(DEMO_PASSWORD)


@pytest.fixture
def settings(database_url: str, demo_systems: ServerThread, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        notification_log=tmp_path / "notifications.log",
        population_registry_url=f"{demo_systems.url}/population",
        exchange_base_url=demo_systems.url,
        keys_dir=tmp_path / "keys",
        secret_key="test-secret-key-0123456789",
        log_json=False,
        strict_audit=True,
    )


async def reset_database(engine: AsyncEngine) -> None:
    """Empty every table, so that each test starts from a clean database."""
    async with engine.connect() as conn:
        conn = await conn.execution_options(yiwang_write=True)  # SQLite: BEGIN IMMEDIATE
        async with conn.begin():
            if conn.dialect.name == "postgresql":
                names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
                await conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in reversed(metadata.sorted_tables):
                    await conn.execute(table.delete())


@pytest.fixture
async def engine(settings: Settings, demo_password_hash: str) -> AsyncIterator[AsyncEngine]:
    """The test database, emptied and loaded with the demo region."""
    from yiwang import background
    from yiwang.audit import service as audit
    from yiwang.seed import seed_demo

    engine = create_engine(settings.database_url)
    audit.bind_key(engine, settings.audit_hmac_key)
    await reset_database(engine)
    await seed_demo(
        engine, definitions_dir=settings.definitions_dir, password_hash=demo_password_hash
    )
    await background.drain(engine)
    await audit.seal(engine)
    yield engine
    await background.drain(engine)
    await engine.dispose()


@pytest.fixture
async def app(settings: Settings, engine: AsyncEngine) -> AsyncIterator[object]:
    from yiwang.main import create_app

    application = create_app(settings, configure_logs=False)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


Another = Callable[[], AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def another(app: object) -> Another:
    """Another browser on the same app, for a second person: its own cookies, its own address."""
    addresses = itertools.count(20)

    @asynccontextmanager
    async def open_one() -> AsyncIterator[httpx.AsyncClient]:
        n = next(addresses)
        transport = httpx.ASGITransport(app=app, client=(f"203.0.113.{n}", 50000 + n))  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c

    return open_one


async def sign_in(
    client: httpx.AsyncClient, username: str, password: str = DEMO_PASSWORD
) -> dict[str, str]:
    """Authorization headers for an account, through the real token endpoint."""
    response = await client.post(
        "/api/v1/auth/token", data={"username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def demo_definitions() -> Path:
    return ROOT / "definitions"


@pytest.fixture
def seeded_database(settings: Settings, demo_password_hash: str) -> Settings:
    """For tests that drive the yiwang command in a subprocess: a clean, seeded database."""
    from yiwang import background
    from yiwang.audit import service as audit
    from yiwang.seed import seed_demo

    async def prepare() -> None:
        engine = create_engine(settings.database_url)
        audit.bind_key(engine, settings.audit_hmac_key)
        try:
            await reset_database(engine)
            await seed_demo(
                engine, definitions_dir=settings.definitions_dir, password_hash=demo_password_hash
            )
            await background.drain(engine)
            await audit.seal(engine)
        finally:
            await engine.dispose()

    asyncio.run(prepare())
    return settings


def run_sql(url: str, statement: str) -> None:
    """Run one statement outside the application, as someone tampering with the database would."""

    async def go() -> None:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                conn = await conn.execution_options(yiwang_write=True)
                async with conn.begin():
                    await conn.execute(sa.text(statement))
        finally:
            await engine.dispose()

    asyncio.run(go())
