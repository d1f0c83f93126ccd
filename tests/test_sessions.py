"""PostgreSQL sessions of both engines: a lookup prepared while its table was small still finds a
row by its index once the table has grown (PostgreSQL would otherwise keep the sequential scan
it first planned), and a connection goes back to the pool and out again without a reset."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from yiwang.config import Settings
from yiwang.rawdb import SERVER_SETTINGS, RawDatabase

pytestmark = pytest.mark.anyio


@pytest.fixture
def postgres(settings: Settings) -> Settings:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL sessions")
    return settings


async def plan_after_growth(tx) -> str:
    """The plan of a key lookup prepared on a table known to be empty, run as often as a driver
    runs a cached statement, and asked again after 20,000 rows arrived (no ANALYZE since)."""
    # The shape of the idempotency lookup: one person's key, unique per person.
    await tx.execute(
        "CREATE TEMP TABLE growing (person varchar, k varchar, v text, UNIQUE (person, k))"
        " ON COMMIT DROP"
    )
    await tx.execute("CREATE INDEX ON growing (person)")
    await tx.execute("ANALYZE growing")  # as autovacuum finds a new deployment's tables: empty
    await tx.execute(
        "PREPARE lookup(varchar, varchar) AS SELECT v FROM growing WHERE person = $1 AND k = $2"
    )
    try:
        for n in range(8):
            await tx.execute(f"EXECUTE lookup('p', 'k{n}')")
        await tx.execute(
            "INSERT INTO growing SELECT 'p', 'k' || n, 'value' FROM generate_series(1, 20000) AS n"
        )
        rows = await tx.execute("EXPLAIN EXECUTE lookup('p', 'k123')")
        return "\n".join(r[0] for r in rows)
    finally:
        await tx.execute("DEALLOCATE lookup")


async def test_a_lookup_planned_on_a_small_table_uses_the_index_when_it_has_grown(
    postgres: Settings,
) -> None:
    raw = RawDatabase.for_url(postgres.database_url)
    try:
        plan = await raw.run(plan_after_growth)
    finally:
        await raw.close()
    assert "Index Scan" in plan or "Index Only Scan" in plan, plan
    assert "Seq Scan" not in plan


async def test_both_engines_open_sessions_alike_and_reuse_them(
    postgres: Settings, engine: AsyncEngine
) -> None:
    names = sorted(SERVER_SETTINGS)
    settings_query = sa.select(*[sa.func.current_setting(name).label(name) for name in names])
    async with engine.connect() as conn:
        through_sqlalchemy = (await conn.execute(settings_query)).one()._asdict()
    raw = RawDatabase.for_url(postgres.database_url)
    try:
        query = raw.query("settings", lambda: settings_query)
        first = await raw.fetch(query)
        # A transaction that failed leaves its connection fit for the next one.
        with pytest.raises(Exception, match="division by zero"):
            await raw.run(lambda tx: tx.execute("SELECT 1 / 0"))
        for _ in range(3):
            assert await raw.fetch(query) == first
        assert await raw.run(lambda tx: tx.execute("SELECT 2")) == [(2,)]
    finally:
        await raw.close()
    assert first[0] == through_sqlalchemy
    assert through_sqlalchemy["plan_cache_mode"] == "force_custom_plan"
    assert through_sqlalchemy["statement_timeout"] == "30s"
    assert through_sqlalchemy["idle_in_transaction_session_timeout"] == "1min"
