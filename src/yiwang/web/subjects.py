"""What an apply URL is for: /services/{code}/apply… applies for one service, /bundles/{code}/apply…
for a bundle; its name, and the URL its pages hang from."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from yiwang.applications import service as applications
from yiwang.catalog.loader import Catalog
from yiwang.errors import NotFound
from yiwang.identity.service import Account


def subject_at(request: Request, catalog: Catalog, code: str) -> applications.Subject:
    """The service or bundle this URL applies for; 404 if there is none."""
    kind = "bundle" if request.url.path.startswith("/bundles/") else "service"
    known = catalog.bundles if kind == "bundle" else catalog.services
    if code not in known:
        raise NotFound(f"unknown_{kind}", params={"code": code})
    return applications.subject_of(
        catalog,
        service=code if kind == "service" else None,
        bundle=code if kind == "bundle" else None,
    )


def title_of(catalog: Catalog, subject: applications.Subject) -> Any:
    """The service's or bundle's name (a bilingual text)."""
    item = catalog.bundles[subject.code] if subject.kind == "bundle" else subject.services[0]
    return item.name


def base_of(subject: applications.Subject) -> str:
    """/services/{code} or /bundles/{code}."""
    return f"/{subject.kind}s/{subject.code}"


def may_apply(account: Account, subject: applications.Subject) -> bool:
    """Whether this kind of account is who the service (every service of a bundle) is for."""
    return account.kind in {a for s in subject.services for a in s.audience}
