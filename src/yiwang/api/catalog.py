"""Catalogue endpoints: departments, service guides and bundles.

Guides change only when the catalogue is loaded again, so they are served from the process's
copy of the catalogue in force without a database transaction, rendered once per snapshot, and
carry an ETag: a client that has the guide gets ``304 Not Modified``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request, Response

from yiwang.api.deps import CatalogNow, DbDep
from yiwang.catalog import guides
from yiwang.catalog import service as catalog

router = APIRouter(prefix="/api/v1", tags=["catalog"])

_RENDERED_MAX = 2_000
_rendered: dict[tuple[int, str], bytes] = {}


def _guide(request: Request, snapshot_id: int, key: str, render: Callable[[], Any]) -> Response:
    """A guide as JSON, rendered once per catalogue snapshot, with its ETag."""
    etag = f'"catalog-{snapshot_id}-{key}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    body = _rendered.get((snapshot_id, key))
    if body is None:
        body = json.dumps(render(), ensure_ascii=False, separators=(",", ":")).encode()
        if len(_rendered) >= _RENDERED_MAX:
            _rendered.clear()
        _rendered[(snapshot_id, key)] = body
    return Response(body, media_type="application/json", headers=headers)


@router.get("/departments")
async def departments(db: DbDep) -> list[dict[str, Any]]:
    """The region's departments with their codes, credit codes and staff roles."""
    return await catalog.list_departments(db)


@router.get("/departments/{code}")
async def department(code: str, db: DbDep) -> dict[str, Any]:
    """One department."""
    return await catalog.get_department(db, code)


@router.get("/services", response_model=None)
async def services(request: Request, now: CatalogNow) -> Response:
    """Every service item (政务服务事项) of the region, by department."""
    snapshot_id, current = now
    return _guide(
        request,
        snapshot_id,
        "services",
        lambda: [
            guides.service_summary(current, s)
            for s in sorted(current.services.values(), key=lambda s: (s.department, s.code))
        ],
    )


@router.get("/services/{code}", response_model=None)
async def service(code: str, request: Request, now: CatalogNow) -> Response:
    """A service guide (办事指南): GB/T 39046 fields, materials, form_schema and workflow."""
    snapshot_id, current = now
    return _guide(
        request, snapshot_id, f"service:{code}", lambda: guides.service_guide(current, code)
    )


@router.get("/bundles", response_model=None)
async def bundles(request: Request, now: CatalogNow) -> Response:
    """Every bundle (一件事) of the region."""
    snapshot_id, current = now
    return _guide(
        request,
        snapshot_id,
        "bundles",
        lambda: [guides.bundle_summary(current, b) for b in current.bundles.values()],
    )


@router.get("/bundles/{code}", response_model=None)
async def bundle(code: str, request: Request, now: CatalogNow) -> Response:
    """A bundle: its services, merged form_schema, promised_limit_days and burden."""
    snapshot_id, current = now
    return _guide(
        request, snapshot_id, f"bundle:{code}", lambda: guides.bundle_guide(current, code)
    )
