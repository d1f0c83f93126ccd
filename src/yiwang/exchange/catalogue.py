"""The data elements, the source catalogue and the access log as people and clients read them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from yiwang.catalog.items import DataElement, DataSource
from yiwang.catalog.loader import Catalog
from yiwang.errors import NotFound

SENSITIVITY = {1: "public", 2: "internal", 3: "sensitive", 4: "highly_sensitive"}
SHARING_ZH = {"unconditional": "无条件共享", "conditional": "有条件共享", "none": "不予共享"}


def element_view(catalog: Catalog, element: DataElement) -> dict[str, Any]:
    """One data element with the sources that serve it."""
    authority = catalog.departments.get(element.authority or "")
    return {
        "code": element.code,
        "name": element.name.zh,
        "name_en": element.name.en,
        "type": element.type,
        "validator": element.type,
        "max_length": element.max_length,
        "options": [
            {"value": o.value, "name": o.name.zh, "name_en": o.name.en}
            for o in element.options or []
        ]
        or None,
        "sensitivity": element.sensitivity,
        "sensitivity_level": SENSITIVITY[element.sensitivity],
        "authority": authority.code if authority else None,
        "authority_name": authority.name.zh if authority else None,
        "authority_name_en": authority.name.en if authority else None,
        "sources": [s.code for s in catalog.sources.values() if element.code in s.elements],
    }


def source_of(catalog: Catalog, code: str) -> DataSource:
    """A source by code, or 404."""
    source = catalog.sources.get(code)
    if source is None:
        raise NotFound("unknown_source", params={"code": code})
    return source


def source_view(catalog: Catalog, source: DataSource) -> dict[str, Any]:
    """One entry of the 政务数据资源目录."""
    provider = catalog.departments[source.provider]
    return {
        "code": source.code,
        "name": source.name.zh,
        "name_en": source.name.en,
        "description": source.description.zh if source.description else None,
        "description_en": source.description.en if source.description else None,
        "provider": provider.code,
        "provider_name": provider.name.zh,
        "provider_name_en": provider.name.en,
        "sharing": source.sharing,
        "sharing_name": SHARING_ZH[source.sharing],
        "update_cycle": source.update_cycle,
        "connector": source.connector,
        "endpoint": source.endpoint,
        "keys": list(source.keys),
        "elements": source.elements,
        "field_mapping": [
            {"element": f.element, "field": f.path, "values": f.values, "clean": f.clean or None}
            for f in source.fields
        ],
    }


def access_view(catalog: Catalog, row: dict[str, Any]) -> dict[str, Any]:
    """One line of a person's access log, with names to show."""
    department = catalog.departments.get(row["department_code"] or "")
    role = None
    if department and row["accessor_role"]:
        role = next((r for r in department.roles if r.code == row["accessor_role"]), None)
    source = catalog.sources.get(row["source"] or "")
    at: dt.datetime = row["accessed_at"]
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return {
        "id": row["id"],
        "accessed_at": at.isoformat(),
        "accessor_kind": row["accessor_kind"],
        "department": department.code if department else None,
        "department_name": department.name.zh if department else None,
        "department_name_en": department.name.en if department else None,
        "role": row["accessor_role"],
        "role_name": role.name.zh if role else None,
        "role_name_en": role.name.en if role else None,
        "source": row["source"],
        "source_name": source.name.zh if source else None,
        "source_name_en": source.name.en if source else None,
        "elements": [
            {
                "code": code,
                "name": catalog.elements[code].name.zh if code in catalog.elements else code,
                "name_en": catalog.elements[code].name.en if code in catalog.elements else code,
            }
            for code in row["elements"]
        ],
        "purpose": row["purpose"],
        "target_type": row["target_type"],
        "target_id": row["target_id"],
        "target_label": row["target_label"],
    }
