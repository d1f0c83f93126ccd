"""Catalogue endpoints: departments, service guides and bundles."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from yiwang.api.deps import DbDep
from yiwang.catalog import guides, snapshots
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


@router.get("/services")
async def services(db: DbDep) -> list[dict[str, Any]]:
    """Every service item (政务服务事项) of the region, by department."""
    _, current = await snapshots.current(db)
    return [
        guides.service_summary(current, s)
        for s in sorted(current.services.values(), key=lambda s: (s.department, s.code))
    ]


@router.get("/services/{code}")
async def service(code: str, db: DbDep) -> dict[str, Any]:
    """A service guide (办事指南): GB/T 39046 fields, materials, form_schema and workflow."""
    _, current = await snapshots.current(db)
    return guides.service_guide(current, code)


@router.get("/bundles")
async def bundles(db: DbDep) -> list[dict[str, Any]]:
    """Every bundle (一件事) of the region."""
    _, current = await snapshots.current(db)
    return [guides.bundle_summary(current, b) for b in current.bundles.values()]


@router.get("/bundles/{code}")
async def bundle(code: str, db: DbDep) -> dict[str, Any]:
    """A bundle: its services, merged form_schema, promised_limit_days and burden."""
    _, current = await snapshots.current(db)
    return guides.bundle_guide(current, code)
