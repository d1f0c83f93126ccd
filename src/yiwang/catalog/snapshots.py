"""Catalogue snapshots: `catalog load` stores one; running instances pick it up, no restart."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import time
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from yiwang.audit import service as audit
from yiwang.catalog import repository as repo
from yiwang.catalog.definitions import DefinitionError, Department, Region
from yiwang.catalog.items import Bundle, CertificateType, DataElement, DataSource, ServiceItem
from yiwang.catalog.lint import Problem, lint
from yiwang.catalog.loader import Catalog, load_catalog
from yiwang.database import Db, transaction
from yiwang.errors import NotFound

RECHECK_SECONDS = 2.0


def document_of(catalog: Catalog) -> dict[str, Any]:
    """The catalogue as one JSON document."""
    return {
        "region": catalog.region.model_dump(mode="json"),
        "departments": [d.model_dump(mode="json") for d in catalog.departments.values()],
        "elements": [e.model_dump(mode="json") for e in catalog.elements.values()],
        "services": [s.model_dump(mode="json") for s in catalog.services.values()],
        "bundles": [b.model_dump(mode="json") for b in catalog.bundles.values()],
        "sources": [s.model_dump(mode="json") for s in catalog.sources.values()],
        "certificate_types": [
            c.model_dump(mode="json") for c in catalog.certificate_types.values()
        ],
    }


def catalog_of(document: dict[str, Any]) -> Catalog:
    """Rebuild a catalogue from its stored document."""
    return Catalog(
        region=Region.model_validate(document["region"]),
        departments={d["code"]: Department.model_validate(d) for d in document["departments"]},
        elements={e["code"]: DataElement.model_validate(e) for e in document["elements"]},
        services={s["code"]: ServiceItem.model_validate(s) for s in document["services"]},
        bundles={b["code"]: Bundle.model_validate(b) for b in document["bundles"]},
        sources={s["code"]: DataSource.model_validate(s) for s in document.get("sources", [])},
        certificate_types={
            c["code"]: CertificateType.model_validate(c)
            for c in document.get("certificate_types", [])
        },
    )


@dataclasses.dataclass
class LoadResult:
    """What `catalog load` did."""

    snapshot_id: int
    new: bool
    warnings: list[Problem]


async def load(db: Db, *, actor: audit.Actor | None, directory: Path) -> LoadResult:
    """Validate and lint definitions/, then store them as the current snapshot if they changed."""
    catalog = load_catalog(directory)
    problems = lint(catalog)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DefinitionError("; ".join(str(p) for p in errors))
    document = document_of(catalog)
    blob = json.dumps(document, sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(blob.encode()).hexdigest()
    warnings = [p for p in problems if p.severity == "warning"]
    latest = await repo.latest_snapshot(db)
    if latest is not None and latest.digest == digest:
        return LoadResult(latest.id, False, warnings)
    snapshot_id = await repo.insert_snapshot(
        db, {"digest": digest, "document": document, "loaded_at": dt.datetime.now(dt.UTC)}
    )
    await audit.record(
        db,
        actor=actor,
        action="catalog.loaded",
        target_type="catalog_snapshot",
        target_id=str(snapshot_id),
        after={
            "digest": digest,
            "services": len(catalog.services),
            "bundles": len(catalog.bundles),
        },
    )
    return LoadResult(snapshot_id, True, warnings)


class _Cache:
    """The newest snapshot (rechecked every few seconds) and older ones applications point to."""

    def __init__(self) -> None:
        self.current: tuple[int, Catalog] | None = None
        self.checked_at = 0.0
        self.by_id: dict[int, Catalog] = {}


_caches: weakref.WeakKeyDictionary[AsyncEngine, _Cache] = weakref.WeakKeyDictionary()


def _cache(db: Db) -> _Cache:
    cache = _caches.get(db.engine)
    if cache is None:
        cache = _caches[db.engine] = _Cache()
    return cache


async def current(db: Db) -> tuple[int, Catalog]:
    """The catalogue in force now, with its snapshot id; 404 when none was ever loaded."""
    cached = cached_current(db.engine)
    if cached is not None:
        return cached
    cache = _cache(db)
    latest = await repo.latest_snapshot_id(db)
    cache.checked_at = time.monotonic()
    if latest is None:
        raise NotFound("catalog_not_loaded")
    if cache.current is None or cache.current[0] != latest:
        cache.current = (latest, await by_id(db, latest))
    return cache.current


def cached_current(engine: AsyncEngine) -> tuple[int, Catalog] | None:
    """The catalogue in force, if this process checked it recently (no database call)."""
    cache = _caches.get(engine)
    if cache is None or cache.current is None:
        return None
    if time.monotonic() - cache.checked_at > RECHECK_SECONDS:
        return None
    return cache.current


async def current_of(engine: AsyncEngine) -> tuple[int, Catalog]:
    """The catalogue in force for a caller without a unit of work: the process's copy, or a
    short read when that copy is more than a few seconds old."""
    cached = cached_current(engine)
    if cached is not None:
        return cached
    async with transaction(engine, write=False) as db:
        return await current(db)


async def by_id(db: Db, snapshot_id: int) -> Catalog:
    """A snapshot by id: the catalogue an application was submitted under."""
    cache = _cache(db)
    found = cache.by_id.get(snapshot_id)
    if found is None:
        row = await repo.snapshot(db, snapshot_id)
        if row is None:
            raise NotFound("catalog_not_loaded")
        found = cache.by_id[snapshot_id] = catalog_of(row.document)
    return found


async def by_id_of(engine: AsyncEngine, snapshot_id: int) -> Catalog:
    """`by_id` for a caller without a unit of work: the process's copy, or a short read."""
    cache = _caches.get(engine)
    found = cache.by_id.get(snapshot_id) if cache is not None else None
    if found is not None:
        return found
    async with transaction(engine, write=False) as db:
        return await by_id(db, snapshot_id)


def forget(engine: AsyncEngine) -> None:
    """Drop cached snapshots (tests that empty the database)."""
    _caches.pop(engine, None)
