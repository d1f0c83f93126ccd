"""A service's or bundle's form as an HTML page: inputs generated from its JSON Schema, answers
read back from a posted form, errors put beside their fields, answers shown for checking."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from yiwang.catalog import forms
from yiwang.catalog.items import ServiceItem
from yiwang.catalog.loader import Catalog
from yiwang.kit.i18n import Lang, format_date, t
from yiwang.kit.validators import InvalidIdNumber, mask_id_number
from yiwang.web.ui import as_date, pick

PREFIX = "form."  # posted names: form.<field>, apart from csrf_token and the like
LONG_TEXT = 300  # text allowed to be longer than this gets a textarea


@dataclasses.dataclass(frozen=True)
class Widget:
    """One input of a generated form, ready for the template."""

    name: str  # the form's field name
    label: str
    hint: str | None
    kind: str  # text | textarea | select | date | integer | number | checkbox | tel | code
    required: bool
    value: str
    error: str | None
    options: list[tuple[str, str]]
    max_length: int | None

    @property
    def html_name(self) -> str:
        return PREFIX + self.name

    @property
    def html_id(self) -> str:
        return "form-" + self.name


@dataclasses.dataclass(frozen=True)
class Group:
    """Fields asked for one service of a bundle (a fieldset); legend None for a single service."""

    legend: str | None
    widgets: list[Widget]


def schema_for(catalog: Catalog, services: Iterable[ServiceItem]) -> dict[str, Any]:
    """The JSON Schema of a service's form, or of a bundle's one merged form."""
    merged = forms.merge(services)
    return forms.json_schema(merged.fields, catalog.elements)


def label(prop: Mapping[str, Any], lang: Lang) -> str:
    """A schema property's title in the reader's language."""
    return str(prop.get("x-title-en") or prop["title"]) if lang == "en" else str(prop["title"])


def _hint(prop: Mapping[str, Any], lang: Lang) -> str | None:
    if "description" not in prop:
        return None
    return (
        str(prop.get("x-description-en") or prop["description"])
        if lang == "en"
        else str(prop["description"])
    )


def _kind(prop: Mapping[str, Any]) -> str:
    if "enum" in prop:
        return "select"
    kind = prop.get("type")
    if kind == "boolean":
        return "checkbox"
    if kind == "integer":
        return "integer"
    if kind == "number":
        return "number"
    if prop.get("format") == "date":
        return "date"
    if prop.get("pattern", "").startswith("^(\\+?86)?1"):
        return "tel"
    if "pattern" in prop:
        return "code"  # ID number, credit code, division code: no autocorrect, no capitalising
    if prop.get("maxLength", 0) > LONG_TEXT:
        return "textarea"
    return "text"


def _options(prop: Mapping[str, Any], lang: Lang) -> list[tuple[str, str]]:
    names = prop.get("x-enum-names", {})
    return [(value, names.get(value, {}).get(lang) or value) for value in prop.get("enum", [])]


def groups(
    schema: Mapping[str, Any],
    *,
    lang: Lang,
    values: Mapping[str, Any],
    errors: Mapping[str, str],
    legends: Mapping[str, str] | None = None,
    only: Iterable[str] | None = None,
) -> list[Group]:
    """The form's inputs, in order, grouped under the service that first asks for each."""
    wanted = set(only) if only is not None else None
    required = set(schema.get("required", []))
    out: list[Group] = []
    for name, prop in schema["properties"].items():
        if wanted is not None and name not in wanted:
            continue
        value = values.get(name)
        widget = Widget(
            name=name,
            label=label(prop, lang),
            hint=_hint(prop, lang),
            kind=_kind(prop),
            required=name in required,
            value="" if value is None else str(value),
            error=errors.get(name),
            options=_options(prop, lang),
            max_length=prop.get("maxLength"),
        )
        legend = (legends or {}).get(name)
        if not out or out[-1].legend != legend:
            out.append(Group(legend, []))
        out[-1].widgets.append(widget)
    return out


def legends(catalog: Catalog, services: list[ServiceItem], lang: Lang) -> dict[str, str]:
    """For a bundle: each merged field → the name of the first service that asks for it."""
    if len(services) < 2:
        return {}
    merged = forms.merge(services)
    found: dict[str, str] = {}
    for service in services:
        for field in service.form.fields:
            found.setdefault(merged.sources[(service.code, field.name)], pick(lang, service.name))
    return found


def answers_from(posted: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    """What was posted for each field: text as typed (trimmed), a checkbox as true or false;
    empty answers are left out, so that the form's checks call them missing."""
    out: dict[str, Any] = {}
    for name, prop in schema["properties"].items():
        raw = posted.get(PREFIX + name)
        if prop.get("type") == "boolean":
            out[name] = raw in ("on", "true", "1")
        elif isinstance(raw, str) and raw.strip():
            out[name] = raw.strip()
    return out


def field_errors(details: Iterable[Mapping[str, Any]], lang: Lang) -> dict[str, str]:
    """Per-field messages from an Invalid's details (form.<field> → message)."""
    out: dict[str, str] = {}
    for detail in details:
        field = str(detail.get("field", ""))
        name = field[len(PREFIX) :] if field.startswith(PREFIX) else field
        key = detail.get("message_key") or detail["code"]
        out.setdefault(name, t(key, lang, **detail.get("params", {})))
    return out


def hidden_value(value: Any) -> str:
    """A cleaned answer as it travels in a hidden field from the check page."""
    if value is True:
        return "on"
    return "" if value is None or value is False else str(value)


def shown(prop: Mapping[str, Any], value: Any, lang: Lang) -> str:
    """An answer as a person reads it: option names, dates in words, ID numbers masked."""
    if value is None or value == "":
        return t("answer.blank", lang)
    if "enum" in prop:
        return prop.get("x-enum-names", {}).get(value, {}).get(lang) or str(value)
    if prop.get("type") == "boolean":
        return t("answer.yes" if value else "answer.no", lang)
    if prop.get("format") == "date":
        try:
            return format_date(as_date(value), lang)
        except ValueError:
            return str(value)
    if prop.get("x-standard", "").startswith("GB 11643"):
        try:
            return mask_id_number(str(value))
        except InvalidIdNumber:
            return str(value)
    return str(value)


def rows(schema: Mapping[str, Any], answers: Mapping[str, Any], lang: Lang) -> list[dict[str, str]]:
    """Every field with its answer, for a check-answers list or a case file."""
    return [
        {"name": name, "label": label(prop, lang), "value": shown(prop, answers.get(name), lang)}
        for name, prop in schema["properties"].items()
    ]
