"""Cleaning a department system's value into its standard data element (数据清洗).

Every value is cleaned on the way in and then checked against its element exactly as a form
answer would be. What had to be cleaned, and what could not be, is named by rule, so that the data
quality report can tell a department which of its habits cost the most.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

from yiwang.catalog.forms import InvalidValue, check_value
from yiwang.catalog.items import DataElement, SourceField
from yiwang.kit import regions
from yiwang.kit.text import (
    clean_person_name,
    strip_pinyin_annotations,
    to_halfwidth,
    to_simplified,
)
from yiwang.kit.validators import InvalidIdNumber, InvalidPhone, normalize_mobile, upgrade_id_number

# Cleaning rules, as the quality report names them.
RULES = (
    "whitespace",
    "fullwidth",
    "pinyin",
    "traditional",
    "name_separator",
    "brackets",
    "case",
    "legacy_id",
    "mobile_prefix",
    "date_format",
    "unit",
    "number_format",
    "code_map",
    "division_code",
)
# Why a value was rejected: the element check's codes, and a code the mapping does not know.
REJECTIONS = (
    "unknown_code",
    "invalid_id_number",
    "invalid_uscc",
    "invalid_phone",
    "invalid_date",
    "invalid_option",
    "invalid_region_code",
    "too_long",
    "wrong_type",
)

_CHINA = dt.timezone(dt.timedelta(hours=8))
_DATE = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"
)
_COMPACT_DATE = re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})")
_NUMBER_WITH_UNIT = re.compile(
    r"(?P<n>\d+(?:\.\d+)?)\s*(?:平方米|平米|㎡|m2|m²|万元人民币|万元|元|人|个)?"
)
_NUMERIC = {"integer", "money", "decimal"}
_CODES = {"id_number", "uscc", "mobile", "region_code", "date"} | _NUMERIC


@dataclasses.dataclass(frozen=True)
class Cleaned:
    """A value fit for its element, and the rules it took to get there."""

    value: Any
    rules: tuple[str, ...]


class Rejected(ValueError):
    """A value that no cleaning makes fit for its element; ``rule`` says why."""

    def __init__(self, rule: str) -> None:
        super().__init__(rule)
        self.rule = rule


def parse_date(text: str) -> str:
    """An ISO date from the ways systems write one: ``1990/1/2``, ``19900102``, ``1990年1月2日``,
    ``2026-11-20T08:31:00+08:00`` (taken in China time)."""
    if "T" in text and ("+" in text or text.endswith("Z")):
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return moment.astimezone(_CHINA).date().isoformat()
    match = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if match is None:
        raise Rejected("invalid_date")
    try:
        return dt.date(int(match["y"]), int(match["m"]), int(match["d"])).isoformat()
    except ValueError as exc:
        raise Rejected("invalid_date") from exc


def division_code(text: str) -> str:
    """The GB/T 2260 code of the county (or city) an address starts with:
    ``浙江省湖州市安吉县递铺街道…`` → ``330523``."""
    for cut in range(min(len(text), 30), 1, -1):
        if text[cut - 1] not in "县区市旗":
            continue
        found = regions.resolve(text[:cut])
        if len(found) == 1:
            return found[0].code
    raise Rejected("invalid_region_code")


def clean(raw: Any, *, element: DataElement, field: SourceField) -> Cleaned | None:
    """The value ``raw`` cleaned for ``element``; None when the system has no value for it."""
    if raw is None or isinstance(raw, dict | list):
        return None
    text = raw if isinstance(raw, str) else str(raw)
    if not text.strip():
        return None
    rules: list[str] = []

    def step(rule: str, new: str) -> None:
        nonlocal text
        if new != text:
            rules.append(rule)
            text = new

    step("whitespace", " ".join(text.split()))
    kind = element.type
    if field.values is not None:
        table = {_plain(k): v for k, v in field.values.items()}
        if _plain(text) not in table:
            raise Rejected("unknown_code")
        step("code_map", table[_plain(text)])
        return Cleaned(_checked(text, element), tuple(rules))
    step("fullwidth", to_halfwidth(text, keep_cjk_punctuation=kind not in _CODES))
    if kind in ("text", "address"):
        step("pinyin", strip_pinyin_annotations(text))
        step("traditional", to_simplified(text))
    if "person_name" in field.clean:
        step("name_separator", clean_person_name(text))
    if "enterprise_name" in field.clean:
        step("brackets", text.replace("(", "（").replace(")", "）"))
    if kind in ("id_number", "uscc"):
        step("case", text.upper())
    if kind == "id_number" and len(text) == 15 and text.isdigit():
        try:
            step("legacy_id", upgrade_id_number(text))
        except InvalidIdNumber as exc:
            raise Rejected("invalid_id_number") from exc
    elif kind == "mobile":
        try:
            step("mobile_prefix", normalize_mobile(text))
        except InvalidPhone as exc:
            raise Rejected("invalid_phone") from exc
    elif kind == "date":
        step("date_format", parse_date(text))
    elif kind == "region_code" and not text.isdigit():
        step("division_code", division_code(text))
    elif kind in _NUMERIC:
        match = _NUMBER_WITH_UNIT.fullmatch(text)
        if match is None:
            raise Rejected("wrong_type")
        step("unit", match["n"])
        if "." in text:
            step("number_format", text.rstrip("0").rstrip("."))
        if kind == "integer" and "." in text:
            raise Rejected("wrong_type")
    return Cleaned(_checked(text, element), tuple(rules))


def _plain(text: str) -> str:
    return to_halfwidth(" ".join(text.split()), keep_cjk_punctuation=False)


def _checked(text: str, element: DataElement) -> Any:
    try:
        return check_value(text, element)
    except InvalidValue as exc:
        raise Rejected(exc.code) from exc
