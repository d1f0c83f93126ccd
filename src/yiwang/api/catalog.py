"""Catalogue endpoints: departments (services and bundles join later)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from yiwang.api.deps import DbDep
from yiwang.catalog import service as catalog

router = APIRouter(prefix="/api/v1", tags=["catalog"])


@router.get("/departments")
async def departments(db: DbDep) -> list[dict[str, Any]]:
    """The region's departments with their codes, credit codes and staff roles."""
    return await catalog.list_departments(db)


@router.get("/departments/{code}")
async def department(code: str, db: DbDep) -> dict[str, Any]:
    """One department."""
    return await catalog.get_department(db, code)
