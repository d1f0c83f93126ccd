"""All SQL of the catalogue."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from yiwang.catalog.models import catalog_snapshots, departments
from yiwang.database import Db


async def all_departments(db: Db) -> list[sa.Row[Any]]:
    """Every department, by code."""
    return list((await db.execute(sa.select(departments).order_by(departments.c.code))).all())


async def department(db: Db, code: str) -> sa.Row[Any] | None:
    """One department by code."""
    query = sa.select(departments).where(departments.c.code == code)
    return (await db.execute(query)).first()


async def department_versions(db: Db) -> dict[str, str]:
    """The loaded version of each department."""
    rows = await db.execute(sa.select(departments.c.code, departments.c.version))
    return {row.code: row.version for row in rows}


async def upsert_department(db: Db, values: dict[str, Any], *, exists: bool) -> None:
    """Insert a department or replace the loaded one."""
    if exists:
        await db.execute(
            sa.update(departments).where(departments.c.code == values["code"]).values(**values)
        )
    else:
        await db.execute(sa.insert(departments).values(**values))


async def latest_snapshot_id(db: Db) -> int | None:
    """The id of the newest catalogue snapshot."""
    return (await db.execute(sa.select(sa.func.max(catalog_snapshots.c.id)))).scalar()


async def snapshot(db: Db, snapshot_id: int) -> sa.Row[Any] | None:
    """One catalogue snapshot."""
    query = sa.select(catalog_snapshots).where(catalog_snapshots.c.id == snapshot_id)
    return (await db.execute(query)).first()


async def latest_snapshot(db: Db) -> sa.Row[Any] | None:
    """The newest snapshot's id and digest."""
    query = (
        sa.select(catalog_snapshots.c.id, catalog_snapshots.c.digest)
        .order_by(catalog_snapshots.c.id.desc())
        .limit(1)
    )
    return (await db.execute(query)).first()


async def insert_snapshot(db: Db, values: dict[str, Any]) -> int:
    """Store a snapshot; returns its id."""
    result = await db.execute(
        sa.insert(catalog_snapshots).values(**values).returning(catalog_snapshots.c.id)
    )
    return int(result.scalar_one())
