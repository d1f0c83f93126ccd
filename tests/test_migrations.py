"""Migrations: from empty to head and back, and the models say exactly what the migrations build."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

from yiwang.config import ROOT
from yiwang.database import create_engine
from yiwang.tables import metadata


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    base = os.environ.get("YIWANG_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"yiwang_migrations_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    admin = sa.make_url(base)

    async def run(*statements: str) -> None:
        engine = create_engine(admin.render_as_string(hide_password=False))
        try:
            async with engine.connect() as conn:
                conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
                for statement in statements:
                    await conn.execute(sa.text(statement))
        finally:
            await engine.dispose()

    asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'))
    yield admin.set(database=name).render_as_string(hide_password=False)
    asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _config(url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["database_url"] = url
    config.attributes["configure_logger"] = False
    return config


def _tables_and_drift(url: str) -> tuple[set[str], list[object]]:
    async def inspect() -> tuple[set[str], list[object]]:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:

                def work(sync_conn: sa.Connection) -> tuple[set[str], list[object]]:
                    names = set(sa.inspect(sync_conn).get_table_names())
                    drift = compare_metadata(MigrationContext.configure(sync_conn), metadata)
                    return names, drift

                return await conn.run_sync(work)
        finally:
            await engine.dispose()

    return asyncio.run(inspect())


def test_upgrade_from_empty_matches_the_models_and_downgrades_cleanly(empty_database: str) -> None:
    config = _config(empty_database)
    command.upgrade(config, "head")
    tables, drift = _tables_and_drift(empty_database)
    assert {"accounts", "sessions", "login_failures", "departments", "audit_events"} <= tables
    assert drift == [], f"models and migrations disagree: {drift}"
    command.downgrade(config, "base")
    tables, _ = _tables_and_drift(empty_database)
    assert tables <= {"alembic_version"}
    command.upgrade(config, "head")
