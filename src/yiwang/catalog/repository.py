"""All SQL of the catalogue."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from yiwang.catalog.models import departments
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
