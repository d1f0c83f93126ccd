"""Two languages, zh-CN first: negotiation, message lookup and date formatting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

from yiwang.kit.messages import MESSAGES

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
DEFAULT_LANG: Lang = "zh"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def parse_lang(value: str | None) -> Lang | None:
    """Map a language tag such as ``zh-CN`` or ``en-GB`` onto a supported language."""
    if not value:
        return None
    tag = value.strip().lower().replace("_", "-")
    if tag.startswith("zh"):
        return "zh"
    if tag.startswith("en"):
        return "en"
    return None


def negotiate(*, explicit: str | None = None, accept_language: str | None = None) -> Lang:
    """Choose the language: an explicit choice first, then Accept-Language by weight, else zh."""
    chosen = parse_lang(explicit)
    if chosen:
        return chosen
    ranked: list[tuple[float, int, Lang]] = []
    for index, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        lang = parse_lang(tag)
        if lang is None:
            continue
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        if weight > 0:
            ranked.append((-weight, index, lang))
    return sorted(ranked)[0][2] if ranked else DEFAULT_LANG


def accept_language(headers: Iterable[tuple[bytes, bytes]]) -> str:
    """An ASGI request's Accept-Language, its repeated lines joined into one list (RFC 9110)."""
    return ", ".join(v.decode("latin-1") for k, v in headers if k == b"accept-language")


def t(key: str, lang: Lang = DEFAULT_LANG, **params: object) -> str:
    """The message for ``key`` in ``lang``, with ``{name}`` placeholders filled."""
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["zh"]
    return text.format(**params) if params else text


def format_date(value: dt.date | dt.datetime | None, lang: Lang = DEFAULT_LANG) -> str:
    """``2026年11月26日`` in Chinese, ``26 Nov 2026`` in English."""
    if value is None:
        return ""
    if lang == "en":
        return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"
    return f"{value.year}年{value.month}月{value.day}日"


def format_datetime(value: dt.datetime | None, lang: Lang = DEFAULT_LANG) -> str:
    """A date and minute in the reader's language, in China Standard Time."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone(dt.timezone(dt.timedelta(hours=8)))
    return f"{format_date(local, lang)} {local:%H:%M}"
