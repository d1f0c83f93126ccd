"""Service guides (办事指南) and bundles as the public API shows them, with a bundle's burden."""

from __future__ import annotations

from typing import Any

from yiwang.catalog import forms
from yiwang.catalog.items import ITEM_TYPES, Bundle, Material, ServiceItem
from yiwang.catalog.loader import Catalog, digest
from yiwang.errors import NotFound


def service_summary(catalog: Catalog, service: ServiceItem) -> dict[str, Any]:
    """A line of the service list."""
    department = catalog.departments[service.department]
    return {
        "code": service.code,
        "name": service.name.zh,
        "name_en": service.name.en,
        "department": {
            "code": department.code,
            "name": department.name.zh,
            "name_en": department.name.en,
        },
        "item_type_code": service.item_type_code,
        "item_kind": service.item_kind,
        "legal_limit_days": service.legal_limit_days,
        "promised_limit_days": service.promised_limit_days,
        "online": service.online,
        "visits": service.visits,
        "audience": service.audience,
    }


def service_guide(catalog: Catalog, code: str) -> dict[str, Any]:
    """A whole service guide with its form as JSON Schema and its workflow."""
    service = catalog.services.get(code)
    if service is None:
        raise NotFound("unknown_service", params={"code": code})
    item_type = ITEM_TYPES.get(service.item_type_code)
    guide = service_summary(catalog, service)
    guide.update(
        version=service.version,
        digest=digest(service),
        item_type={
            "code": service.item_type_code,
            "name": item_type.zh if item_type else None,
            "name_en": item_type.en if item_type else None,
        },
        fee=service.fee.model_dump(mode="json"),
        conditions=service.conditions.model_dump(),
        process=[step.model_dump() for step in service.process],
        legal_basis=[basis.model_dump() for basis in service.legal_basis],
        materials=[material_view(catalog, m) for m in service.materials],
        result=service.result.model_dump(mode="json"),
        phones=service.phones.model_dump(),
        form_schema=forms.json_schema(service.form.fields, catalog.elements),
        workflow=[
            {
                "code": s.code,
                "name": s.name.zh,
                "name_en": s.name.en,
                "role": s.role,
                "limit_days": s.limit_days,
                "sign": s.sign,
                "actions": s.actions,
            }
            for s in service.workflow.steps
        ],
    )
    return guide


def material_view(catalog: Catalog, material: Material) -> dict[str, Any]:
    """A material as the guide shows it; one the platform obtains itself (免提交) says from where:
    a shared data source of the element's authority, or an electronic licence."""
    view = material.model_dump(mode="json")
    by = material.provided_by
    if by is None:
        return view
    if by.startswith("certificate:"):
        view["provided_via"] = {"kind": "certificate", "certificate_type": by.split(":", 1)[1]}
        return view
    serving = [s for s in catalog.sources.values() if s.sharing != "none" and by in s.elements]
    authority = catalog.elements[by].authority if by in catalog.elements else None
    source = next((s for s in serving if s.provider == authority), serving[0] if serving else None)
    if source is not None:
        department = catalog.departments[source.provider]
        view["provided_via"] = {
            "kind": "data_source",
            "source": source.code,
            "source_name": source.name.zh,
            "source_name_en": source.name.en,
            "department": department.code,
            "department_name": department.name.zh,
            "department_name_en": department.name.en,
        }
    return view


def critical_path_days(catalog: Catalog, bundle: Bundle) -> int:
    """The bundle's promised working days: its longest chain of `after:` waits, not the sum."""
    memo: dict[str, int] = {}

    def finish(code: str) -> int:
        if code not in memo:
            before = max((finish(p) for p in bundle.after.get(code, [])), default=0)
            memo[code] = before + catalog.services[code].promised_limit_days
        return memo[code]

    return max(finish(code) for code in bundle.services)


def burden(catalog: Catalog, bundle: Bundle) -> dict[str, dict[str, int]]:
    """What applying costs the applicant: service by service, against the bundle."""
    services = [catalog.services[code] for code in bundle.services]
    merged = forms.merge(services)
    materials_before = sum(len(s.materials) for s in services)
    still_needed = {m.code for s in services for m in s.materials if m.provided_by is None}
    return {
        "before": {
            "fields": sum(len(s.form.fields) for s in services),
            "materials": materials_before,
            "visits": sum(s.visits for s in services),
            "promised_limit_days": sum(s.promised_limit_days for s in services),
        },
        "after": {
            "fields": len(merged.fields),
            "materials": len(still_needed),
            "visits": bundle.visits,
            "promised_limit_days": critical_path_days(catalog, bundle),
        },
    }


def bundle_summary(catalog: Catalog, bundle: Bundle) -> dict[str, Any]:
    """A line of the bundle list."""
    return {
        "code": bundle.code,
        "name": bundle.name.zh,
        "name_en": bundle.name.en,
        "audience": bundle.audience,
        "services": [
            {
                "code": code,
                "name": catalog.services[code].name.zh,
                "name_en": catalog.services[code].name.en,
                "department": catalog.services[code].department,
                "after": bundle.after.get(code, []),
            }
            for code in bundle.services
        ],
        "promised_limit_days": critical_path_days(catalog, bundle),
    }


def bundle_guide(catalog: Catalog, code: str) -> dict[str, Any]:
    """A bundle with its one merged form and its burden before and after."""
    bundle = catalog.bundles.get(code)
    if bundle is None:
        raise NotFound("unknown_bundle", params={"code": code})
    merged = forms.merge(catalog.services[c] for c in bundle.services)
    guide = bundle_summary(catalog, bundle)
    guide.update(
        version=bundle.version,
        digest=digest(bundle),
        description=bundle.description.model_dump(),
        visits=bundle.visits,
        form_schema=forms.json_schema(merged.fields, catalog.elements),
        burden=burden(catalog, bundle),
    )
    return guide
