"""Service guides (办事指南) and bundles (一件事) as pages: what a service asks and promises, and
what a bundle saves the applicant, drawn as a chart that needs no script."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from yiwang.api.deps import DbDep
from yiwang.catalog import guides, snapshots
from yiwang.catalog.items import ITEM_TYPES, Bundle
from yiwang.catalog.loader import Catalog
from yiwang.errors import NotFound
from yiwang.web.pages import WebAccount
from yiwang.web.render import render

router = APIRouter(include_in_schema=False)

BURDEN_MEASURES = ("fields", "materials", "visits", "promised_limit_days")


@router.get("/services/{code}")
async def service_page(request: Request, code: str, db: DbDep, account: WebAccount) -> Response:
    """办事指南: one service's guide, with the way to apply."""
    _, catalog = await snapshots.current(db)
    service = catalog.services.get(code)
    if service is None:
        raise NotFound("unknown_service", params={"code": code})
    context = {
        "service": service,
        "department": catalog.departments[service.department],
        "item_type": ITEM_TYPES.get(service.item_type_code),
        "steps": service.workflow.steps,
        "in_bundles": [b for b in catalog.bundles.values() if code in b.services],
        "conditions": service.conditions,
    }
    return render(request, "portal/service.html", context, account=account)


def stages(bundle: Bundle) -> list[list[str]]:
    """The bundle's services in the order they can start: all at once but for `after:` waits."""
    depth: dict[str, int] = {}

    def level(code: str) -> int:
        if code not in depth:
            depth[code] = 1 + max((level(p) for p in bundle.after.get(code, [])), default=0)
        return depth[code]

    out: list[list[str]] = [[] for _ in range(max(level(c) for c in bundle.services))]
    for code in bundle.services:
        out[level(code) - 1].append(code)
    return out


def burden_chart(catalog: Catalog, bundle: Bundle) -> list[dict[str, Any]]:
    """Before and after, per measure, with bar lengths (0–100) for an inline SVG."""
    burden = guides.burden(catalog, bundle)
    rows = []
    for measure in BURDEN_MEASURES:
        before, after = burden["before"][measure], burden["after"][measure]
        top = max(before, after, 1)
        rows.append(
            {
                "measure": measure,
                "before": before,
                "after": after,
                "before_bar": round(100 * before / top, 1),
                "after_bar": round(100 * after / top, 1),
                "saved": before - after,
            }
        )
    return rows


@router.get("/bundles/{code}")
async def bundle_page(request: Request, code: str, db: DbDep, account: WebAccount) -> Response:
    """一件事: what it is, which departments take part, what waits for what, what it saves."""
    _, catalog = await snapshots.current(db)
    bundle = catalog.bundles.get(code)
    if bundle is None:
        raise NotFound("unknown_bundle", params={"code": code})
    services = {c: catalog.services[c] for c in bundle.services}
    context = {
        "bundle": bundle,
        "services": services,
        "departments": {c: catalog.departments[s.department] for c, s in services.items()},
        "stages": stages(bundle),
        "chart": burden_chart(catalog, bundle),
        "promised_days": guides.critical_path_days(catalog, bundle),
    }
    return render(request, "portal/bundle.html", context, account=account)
