"""Where a form's answers came from, as a person reads it: filled in from a department's system
(and whether that department is the authority for it, 已核验), changed by the person, or typed by
them; and why a prefill left a field for the person to fill in."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from yiwang.catalog.loader import Catalog
from yiwang.kit.i18n import Lang, t
from yiwang.prefill import service as prefill
from yiwang.web.formpage import hidden_value
from yiwang.web.ui import as_datetime, pick

STATES = ("prefilled", "changed", "entered")
# Why a prefill left a field empty that the person should hear about (not_consented: they chose).
MISSING_NOTED = frozenset(
    {"source_timeout", "source_unavailable", "source_circuit_open", "rejected", "no_value"}
)
FETCHED = frozenset({"ok", "not_found"})  # a source that answered, with or without a record


@dataclasses.dataclass(frozen=True)
class Origin:
    """One answer's origin, ready for a template."""

    state: str  # prefilled | changed | entered
    where: str | None  # "安吉县卫生健康委员会 · 出生医学证明信息", for prefilled and changed
    verified: bool
    fetched_at: dt.datetime | None = None
    original: str | None = None  # the prefilled value as the input holds it (for the script)


def where(catalog: Catalog, source: str | None, lang: Lang, *, staff: bool = False) -> str | None:
    """The department and system a value came from, in words."""
    if source == prefill.ACCOUNT_SOURCE:
        return t("origin.account_staff" if staff else "origin.account", lang)
    found = catalog.sources.get(source or "")
    if found is None:
        return source
    department = catalog.departments.get(found.provider)
    names = [pick(lang, department.name)] if department else []
    return " · ".join([*names, pick(lang, found.name)])


def prefilled(catalog: Catalog, result: Mapping[str, Any], lang: Lang) -> dict[str, Origin]:
    """Each field a prefill filled, with where its value came from."""
    return {
        name: Origin(
            state="prefilled",
            where=where(catalog, entry.get("source"), lang),
            verified=bool(entry.get("verified")),
            fetched_at=as_datetime(entry.get("fetched_at")),
            original=hidden_value(entry.get("value")),
        )
        for name, entry in result.get("fields", {}).items()
    }


def recorded(
    catalog: Catalog,
    origins: Mapping[str, Any],
    lang: Lang,
    *,
    values: Mapping[str, Any] | None = None,
    staff: bool = False,
) -> dict[str, Origin]:
    """Origins as an application (or a prefill token checked against answers) records them.

    With ``values``, an answer still as prefilled keeps its value as ``original``, so that the
    form's script can tell when it is changed again."""
    out: dict[str, Origin] = {}
    for name, entry in origins.items():
        state = entry.get("origin")
        if state not in STATES:
            continue
        out[name] = Origin(
            state=state,
            where=where(catalog, entry.get("source"), lang, staff=staff)
            if state != "entered"
            else None,
            verified=state == "prefilled" and bool(entry.get("verified")),
            fetched_at=as_datetime(entry.get("fetched_at")),
            original=hidden_value(values.get(name))
            if values is not None and state == "prefilled"
            else None,
        )
    return out


def missing_notes(result: Mapping[str, Any], lang: Lang) -> dict[str, str]:
    """Fields a prefill could not fill for a reason the person should know, with that reason."""
    notes: dict[str, str] = {}
    for entry in result.get("missing", []):
        reason = entry.get("reason")
        if reason not in MISSING_NOTED:
            continue
        department = (lang == "en" and entry.get("department_name_en")) or entry.get(
            "department_name", ""
        )
        notes[entry["field"]] = t(f"missing.{reason}", lang, department=department)
    return notes


def failed_departments(catalog: Catalog, result: Mapping[str, Any], lang: Lang) -> list[str]:
    """The departments whose systems did not answer (timed out, down, or left alone for now)."""
    names: list[str] = []
    for source in result.get("sources", []):
        if source.get("status") in FETCHED:
            continue
        found = catalog.sources.get(source.get("code", ""))
        department = catalog.departments.get(found.provider) if found else None
        name = pick(lang, department.name) if department else pick(lang, source)
        if name not in names:
            names.append(name)
    return names
