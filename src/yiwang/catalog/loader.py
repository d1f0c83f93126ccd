"""Loading the whole catalogue from definitions/ into one validated, versioned snapshot."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from yiwang.catalog.definitions import (
    DefinitionError,
    Department,
    Region,
    load_departments,
    load_region,
)
from yiwang.catalog.items import Bundle, CertificateType, DataElement, DataSource, ServiceItem


@dataclasses.dataclass(frozen=True)
class Catalog:
    """Everything the region offers, as one immutable snapshot."""

    region: Region
    departments: dict[str, Department]
    elements: dict[str, DataElement]
    services: dict[str, ServiceItem]
    bundles: dict[str, Bundle]
    sources: dict[str, DataSource] = dataclasses.field(default_factory=dict)
    certificate_types: dict[str, CertificateType] = dataclasses.field(default_factory=dict)

    def digest_of(self, item: BaseModel) -> str:
        """The version fingerprint of one definition (stored with every application)."""
        return digest(item)


def digest(item: BaseModel) -> str:
    """SHA-256 of a definition's canonical JSON."""
    blob = json.dumps(item.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DefinitionError(f"{path}: cannot be read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        raise DefinitionError(f"{path}: not valid YAML: {exc}") from exc


def _problems(path: Path, exc: ValidationError) -> list[str]:
    return [
        f"{path.name}: {'.'.join(str(p) for p in err['loc']) or '(file)'}: {err['msg']}"
        for err in exc.errors()
    ]


def _load_each(directory: Path, model: type[BaseModel], problems: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for path in sorted(directory.glob("*.yaml")):
        try:
            item = model.model_validate(_read(path))
        except ValidationError as exc:
            problems.extend(_problems(path, exc))
            continue
        except DefinitionError as exc:
            problems.append(str(exc))
            continue
        code = item.code  # type: ignore[attr-defined]
        if code != path.stem:
            problems.append(f"{path.name}: code {code} must match the file name")
        elif code in found:
            problems.append(f"{path.name}: code {code} is defined twice")
        else:
            found[code] = item
    return found


def load_catalog(directory: Path) -> Catalog:
    """Read and validate every definition; DefinitionError lists every problem at once."""
    problems: list[str] = []
    region = load_region(directory)
    departments = {d.code: d for d in load_departments(directory)}
    elements: dict[str, DataElement] = {}
    raw = (
        _read(directory / "data-elements.yaml")
        if (directory / "data-elements.yaml").exists()
        else {}
    )
    for index, entry in enumerate((raw or {}).get("elements", [])):
        try:
            element = DataElement.model_validate(entry)
        except ValidationError as exc:
            problems.extend(f"data-elements.yaml #{index}: {p}" for p in _problems(Path(""), exc))
            continue
        if element.code in elements:
            problems.append(f"data-elements.yaml: {element.code} is defined twice")
        elements[element.code] = element
    services = _load_each(directory / "services", ServiceItem, problems)
    bundles = _load_each(directory / "bundles", Bundle, problems)
    for service in services.values():
        if service.department not in departments:
            problems.append(f"{service.code}: no department {service.department}")
    for bundle in bundles.values():
        for code in bundle.services:
            if code not in services:
                problems.append(f"{bundle.code}: no service {code}")
    sources = _load_list(directory / "data-sources.yaml", "sources", DataSource, problems)
    certificate_types = _load_list(
        directory / "certificates.yaml", "types", CertificateType, problems
    )
    for kind in certificate_types.values():
        if kind.issuer not in departments:
            problems.append(f"certificates.yaml: {kind.code}: no department {kind.issuer}")
    for source in sources.values():
        if source.provider not in departments:
            problems.append(f"data-sources.yaml: {source.code}: no department {source.provider}")
    if problems:
        raise DefinitionError("; ".join(problems))
    return Catalog(
        region=region,
        departments=departments,
        elements=elements,
        services=services,
        bundles=bundles,
        sources=sources,
        certificate_types=certificate_types,
    )


def _load_list(path: Path, key: str, model: type[Any], problems: list[str]) -> dict[str, Any]:
    raw = _read(path) if path.exists() else {}
    found: dict[str, Any] = {}
    for index, entry in enumerate((raw or {}).get(key, [])):
        try:
            item = model.model_validate(entry)
        except ValidationError as exc:
            problems.extend(f"{path.name} #{index}: {p}" for p in _problems(Path(""), exc))
            continue
        if item.code in found:
            problems.append(f"{path.name}: {item.code} is defined twice")
        found[item.code] = item
    return found
