"""Catalogue verbs: load departments from definitions, look them up."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from yiwang.audit import service as audit
from yiwang.catalog import repository as repo
from yiwang.catalog.definitions import Department, load_departments, load_region
from yiwang.database import Db
from yiwang.errors import NotFound


async def load_definitions(db: Db, *, actor: audit.Actor | None, directory: Path) -> int:
    """Bring departments in line with definitions/; returns how many changed."""
    region = load_region(directory)
    loaded = await repo.department_versions(db)
    changed = 0
    for department in load_departments(directory):
        version = department.version
        if loaded.get(department.code) == version:
            continue
        await repo.upsert_department(
            db, _row(department, region.code, version), exists=department.code in loaded
        )
        await audit.record(
            db,
            actor=actor,
            action="department.loaded",
            target_type="department",
            target_id=department.code,
            after={"name": department.name.zh, "version": version},
        )
        changed += 1
    return changed


def _row(department: Department, region_code: str, version: str) -> dict[str, Any]:
    return {
        "code": department.code,
        "name_zh": department.name.zh,
        "name_en": department.name.en,
        "uscc": department.uscc,
        "region_code": region_code,
        "phone": department.phone,
        "roles": [role.model_dump() for role in department.roles],
        "version": version,
        "loaded_at": dt.datetime.now(dt.UTC),
    }


async def list_departments(db: Db) -> list[dict[str, Any]]:
    """Every department of the region, as the public API shows it."""
    return [_public(row) for row in await repo.all_departments(db)]


async def get_department(db: Db, code: str) -> dict[str, Any]:
    """One department, or 404."""
    row = await repo.department(db, code)
    if row is None:
        raise NotFound("unknown_department", params={"code": code})
    return _public(row)


def _public(row: Any) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name_zh,
        "name_en": row.name_en,
        "uscc": row.uscc,
        "region_code": row.region_code,
        "phone": row.phone,
        "roles": row.roles,
    }
