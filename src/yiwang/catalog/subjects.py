"""What is applied for: one service or a bundle (一件事), resolved against the catalogue."""

from __future__ import annotations

import dataclasses
import weakref

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


_resolved: dict[int, tuple[weakref.ref[Catalog], dict[tuple[str, str], Subject]]] = {}


def subject_of(catalog: Catalog, *, service: str | None, bundle: str | None) -> Subject:
    """Resolve `service` or `bundle` (exactly one) against the catalogue (remembered per
    catalogue snapshot: merging a bundle's forms is work every submission would repeat)."""
    held = _resolved.get(id(catalog))
    if held is None or held[0]() is not catalog:
        held = _resolved[id(catalog)] = (weakref.ref(catalog), {})
    key = (service or "", bundle or "")
    found = held[1].get(key)
    if found is None:
        found = _resolve(catalog, service=service, bundle=bundle)
        if len(held[1]) < 10_000:
            held[1][key] = found
    return found


def _resolve(catalog: Catalog, *, service: str | None, bundle: str | None) -> Subject:
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
