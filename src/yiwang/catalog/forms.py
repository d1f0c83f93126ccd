"""Forms: rendered to JSON Schema, merged across a bundle, and checked on the server."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from yiwang.catalog.items import DataElement, FormField, ServiceItem
from yiwang.errors import field_error
from yiwang.kit import regions
from yiwang.kit.validators import (
    InvalidIdNumber,
    InvalidPhone,
    InvalidUscc,
    normalize_mobile,
    parse_id_number,
    parse_uscc,
)

DEFAULT_MAX_LENGTH = 200
_PATTERNS = {
    "id_number": r"^([0-9]{17}[0-9Xx]|[0-9]{15})$",
    "uscc": r"^[0-9A-HJ-NPQRTUWXY]{18}$",
    "mobile": r"^(\+?86)?1[3-9][0-9]{9}$",
    "region_code": r"^[0-9]{6}$",
}
_STANDARDS = {
    "id_number": "GB 11643-1999",
    "uscc": "GB 32100-2015",
    "region_code": "GB/T 2260",
}


def label_of(field: FormField, element: DataElement) -> dict[str, str]:
    """The field's label in both languages (the data element's name unless the form says)."""
    text = field.label or element.name
    return {"zh": text.zh, "en": text.en}


def property_schema(field: FormField, element: DataElement) -> dict[str, Any]:
    """One field as JSON Schema, with its data element and labels as x- annotations."""
    label = label_of(field, element)
    schema: dict[str, Any] = {
        "title": label["zh"],
        "x-title-en": label["en"],
        "x-element": element.code,
    }
    if field.hint:
        schema["description"] = field.hint.zh
        schema["x-description-en"] = field.hint.en
    kind = element.type
    if kind in ("text", "address"):
        schema.update(type="string", maxLength=element.max_length or DEFAULT_MAX_LENGTH)
    elif kind in _PATTERNS:
        schema.update(type="string", pattern=_PATTERNS[kind])
    elif kind == "date":
        schema.update(type="string", format="date")
    elif kind == "integer":
        schema.update(type="integer", minimum=0)
    elif kind in ("money", "decimal"):
        schema.update(type="number", minimum=0)
    elif kind == "boolean":
        schema.update(type="boolean")
    elif kind == "enum":
        options = element.options or []
        schema.update(
            type="string",
            enum=[o.value for o in options],
            **{"x-enum-names": {o.value: {"zh": o.name.zh, "en": o.name.en} for o in options}},
        )
    if kind in _STANDARDS:
        schema["x-standard"] = _STANDARDS[kind]
    if field.required and schema.get("type") == "string":
        schema["minLength"] = 1
    return schema


def json_schema(fields: Iterable[FormField], elements: dict[str, DataElement]) -> dict[str, Any]:
    """A form as a JSON Schema object (draft 2020-12)."""
    fields = list(fields)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {f.name: property_schema(f, elements[f.element]) for f in fields},
        "required": [f.name for f in fields if f.required],
        "additionalProperties": False,
    }


@dataclasses.dataclass(frozen=True)
class MergedForm:
    """一表申请: a bundle's one form, and where each service's fields come from in it."""

    fields: list[FormField]
    # (service code, the service's own field name) → the merged form's field name
    sources: dict[tuple[str, str], str]

    def for_service(self, service: ServiceItem, form: dict[str, Any]) -> dict[str, Any]:
        """The part of a merged form's answers that one service's form asks for."""
        out = {}
        for field in service.form.fields:
            merged_name = self.sources[(service.code, field.name)]
            if merged_name in form:
                out[field.name] = form[merged_name]
        return out


def merge(services: Iterable[ServiceItem]) -> MergedForm:
    """Merge forms: a field backed by a data element already asked for is asked once."""
    by_element: dict[str, FormField] = {}
    order: list[str] = []
    sources: dict[tuple[str, str], str] = {}
    for service in services:
        for field in service.form.fields:
            seen = by_element.get(field.element)
            if seen is None:
                by_element[field.element] = field
                order.append(field.element)
            elif field.required and not seen.required:
                by_element[field.element] = seen.model_copy(update={"required": True})
            sources[(service.code, field.name)] = by_element[field.element].name
    return MergedForm(fields=[by_element[e] for e in order], sources=sources)


def validate(
    data: Any, fields: Iterable[FormField], elements: dict[str, DataElement]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Check answers against the form; returns the cleaned answers and per-field errors."""
    fields = list(fields)
    if not isinstance(data, dict):
        return {}, [field_error("form", "wrong_type", message_key="type.object")]
    errors: list[dict[str, Any]] = []
    known = {f.name for f in fields}
    for name in data:
        if name not in known:
            errors.append(field_error(f"form.{name}"[:80], "unknown_field"))
    clean: dict[str, Any] = {}
    for field in fields:
        value = data.get(field.name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if field.required:
                errors.append(field_error(f"form.{field.name}", "field_required"))
            continue
        try:
            clean[field.name] = _clean(value, elements[field.element])
        except _FieldError as exc:
            errors.append(field_error(f"form.{field.name}", exc.code, message_key=exc.message_key))
    return clean, errors


class InvalidValue(ValueError):
    """A value its data element does not allow; ``code`` says why (``invalid_id_number`` …)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def check_value(value: Any, element: DataElement) -> Any:
    """One value checked and normalised against its data element, as a form answer would be."""
    try:
        return _clean(value, element)
    except _FieldError as exc:
        raise InvalidValue(exc.code) from exc


class _FieldError(Exception):
    def __init__(self, code: str, message_key: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.message_key = message_key


def _clean(value: Any, element: DataElement) -> Any:
    kind = element.type
    if kind in ("integer", "money", "decimal", "boolean"):
        return _clean_scalar(value, kind)
    if not isinstance(value, str):
        raise _FieldError("wrong_type", "type.text")
    text = " ".join(value.split())
    if kind in ("text", "address"):
        if len(text) > (element.max_length or DEFAULT_MAX_LENGTH):
            raise _FieldError("too_long")
        return text
    if kind == "id_number":
        try:
            return parse_id_number(text, region_exists=regions.exists).value
        except InvalidIdNumber as exc:
            key = (
                "invalid_id_number" if exc.reason == "format" else f"invalid_id_number.{exc.reason}"
            )
            raise _FieldError("invalid_id_number", key) from exc
    if kind == "uscc":
        try:
            return parse_uscc(text).value
        except InvalidUscc as exc:
            raise _FieldError("invalid_uscc") from exc
    if kind == "mobile":
        try:
            return normalize_mobile(text)
        except InvalidPhone as exc:
            raise _FieldError("invalid_phone") from exc
    if kind == "region_code":
        if not regions.exists(text):
            raise _FieldError("invalid_region_code")
        return text
    if kind == "date":
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError as exc:
            raise _FieldError("invalid_date") from exc
    if kind == "enum":
        if text not in {o.value for o in element.options or []}:
            raise _FieldError("invalid_option")
        return text
    raise _FieldError("wrong_type")


def _clean_scalar(value: Any, kind: str) -> Any:
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _FieldError("wrong_type", "type.boolean")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _FieldError("wrong_type", "type.integer" if kind == "integer" else "type.number")
    if kind == "integer":
        try:
            number = int(value) if not isinstance(value, float) or value.is_integer() else None
        except ValueError:
            number = None
        if number is None or number < 0 or number > 10**9:
            raise _FieldError("wrong_type", "type.integer")
        return number
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise _FieldError("wrong_type", "type.number") from exc
    if not amount.is_finite() or amount < 0 or amount > Decimal(10) ** 12:
        raise _FieldError("wrong_type", "type.number")
    return str(amount)
