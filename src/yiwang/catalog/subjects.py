"""What is applied for: one service or a bundle (一件事), resolved against the catalogue."""

from __future__ import annotations

import dataclasses

from yiwang.catalog import forms
from yiwang.catalog.items import FormField, ServiceItem
from yiwang.catalog.loader import Catalog
from yiwang.errors import Invalid, field_error


@dataclasses.dataclass(frozen=True)
class Subject:
    """What is applied for: one service, or a bundle of them, with its form."""

    kind: str
    code: str
    services: list[ServiceItem]
    fields: list[FormField]
    merged: forms.MergedForm
    waits_for: dict[str, list[str]]


def subject_of(catalog: Catalog, *, service: str | None, bundle: str | None) -> Subject:
    """Resolve `service` or `bundle` (exactly one) against the catalogue."""
    if bool(service) == bool(bundle):
        raise Invalid("service_or_bundle", details=[field_error("service", "service_or_bundle")])
    if service:
        item = catalog.services.get(service)
        if item is None:
            raise Invalid(
                "unknown_service",
                params={"code": service},
                details=[field_error("service", "unknown_service")],
            )
        merged = forms.merge([item])
        return Subject("service", item.code, [item], merged.fields, merged, {})
    found = catalog.bundles.get(bundle or "")
    if found is None:
        raise Invalid(
            "unknown_bundle",
            params={"code": bundle},
            details=[field_error("bundle", "unknown_bundle")],
        )
    items = [catalog.services[code] for code in found.services]
    merged = forms.merge(items)
    return Subject("bundle", found.code, items, merged.fields, merged, dict(found.after))
