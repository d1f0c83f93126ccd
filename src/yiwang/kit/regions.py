"""GB/T 2260 administrative division codes (中华人民共和国行政区划代码).

Provinces (省级), prefectures (地级) and counties (县级) with their 6-digit codes, from
``data/regions.csv`` (source, year and licence in ``data/README.md``), plus a hand-curated table
of former names and codes (曾用名/旧代码) in ``data/former_names.csv``. Nothing is read at import
time: the first call loads both files once (about 3,300 rows, tens of milliseconds), under a
lock, and keeps dict indexes in memory; lookups are dict hits, so no database is needed.

``Region.province`` and ``Region.city`` are names, never codes:

- a province (``320000``): ``province`` is its own name, ``city`` is None;
- a prefecture (``320100`` 南京市, ``441900`` 东莞市): its province, and ``city`` is its own name;
- a county under a prefecture (``320106`` 鼓楼区): its province and prefecture;
- a district or county of a municipality (北京/天津/上海/重庆, ``110118`` 密云区): ``province``
  and ``city`` are both the municipality's name (``北京市``), the way an address reads;
- a county-level unit under a province directly (省直辖县级行政区划, ``429004`` 仙桃市,
  ``469028`` 陵水黎族自治县, ``659001`` 石河子市): ``city`` is None.

Name matching (``resolve``): a query matches a full name, then a former name, then a short form.
The short form of a name drops its administrative suffix (省, 市, 自治区, 自治州, 自治县, 旗, 盟,
地区, 林区, 特别行政区…) and then any trailing ethnic-group names (``ETHNIC_GROUPS``, e.g.
肃北蒙古族自治县 → 肃北, 新疆维吾尔自治区 → 新疆), keeping at least two characters
(沙县 has no short form, 津市市 → 津市).
"""

from __future__ import annotations

import csv
import re
import threading
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from yiwang.kit.text import to_halfwidth

__all__ = ["ETHNIC_GROUPS", "Region", "exists", "get", "resolve"]

_DATA_DIR = Path(__file__).with_name("data")
_MUNICIPALITIES = frozenset({"11", "12", "31", "50"})
_CODE = re.compile(r"[0-9]{6}")
_WHITESPACE = re.compile(r"\s+")
_MAX_QUERY = 64

# China's 56 officially recognised ethnic groups (民族), as they appear in autonomous area names.
ETHNIC_GROUPS: tuple[str, ...] = (
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
)

# Administrative suffixes, longest first so 自治县 wins over 县. After the ambiguous ones the
# shorter suffix is tried too: 万柏林区 is 万柏林 + 区, not 万柏 + 林区; 清新区 is not 清 + 新区.
_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "林区",
    "矿区",
    "新区",
    "特区",
    "省",
    "市",
    "区",
    "县",
    "旗",
    "盟",
)
_AMBIGUOUS_SUFFIXES = frozenset({"林区", "矿区", "新区", "特区"})
# Ethnic names as they end a name: 蒙古族, and 各族 (龙胜各族自治县). In autonomous-area names the
# 族 is sometimes left out (新疆维吾尔自治区, 伊犁哈萨克自治州), so there the bare forms of two or
# more characters count too (蒙古, 哈萨克; never one character like 回 or 藏).
_ETHNIC = tuple(sorted([*ETHNIC_GROUPS, "各族"], key=len, reverse=True))
_ETHNIC_IN_AUTONOMOUS = tuple(
    sorted(
        [*_ETHNIC, *(g[:-1] for g in ETHNIC_GROUPS if len(g) >= 3)],
        key=len,
        reverse=True,
    )
)


@dataclass(frozen=True)
class Region:
    """An administrative division (行政区划): code, name, and its province and prefecture names."""

    code: str
    name: str
    province: str | None
    city: str | None


@dataclass(frozen=True)
class _Index:
    by_code: dict[str, Region]
    successors: dict[str, tuple[str, ...]]  # former code -> current codes
    names: dict[str, tuple[str, ...]]
    short_names: dict[str, tuple[str, ...]]
    former_names: dict[str, tuple[str, ...]]
    former_short_names: dict[str, tuple[str, ...]]
    areas: dict[str, tuple[str, ...]]  # province/prefecture full and short names, for qualifiers


_lock = threading.Lock()
_loaded: _Index | None = None


def get(code: str) -> Region | None:
    """Return the current region with this 6-digit code (province, prefecture or county)."""
    return _index().by_code.get(_normalise(code))


def exists(code: str) -> bool:
    """Tell whether a code is a current region or a former one kept in the history table."""
    index = _index()
    code = _normalise(code)
    return code in index.by_code or code in index.successors


def resolve(q: str) -> list[Region]:
    """Find current regions by code, name, short or former name, or qualified name; by code."""
    text = _WHITESPACE.sub("", _normalise(q))
    if not text or len(text) > _MAX_QUERY:
        return []
    index = _index()
    if _CODE.fullmatch(text):
        if text in index.by_code:
            return [index.by_code[text]]
        codes = index.successors.get(text, ())
    else:
        codes = _match(index, text, depth=0)
    return [index.by_code[c] for c in sorted(set(codes))]


# --- matching -----------------------------------------------------------------------------------


def _normalise(s: str) -> str:
    return to_halfwidth(s, keep_cjk_punctuation=False).strip()


def _strip_ethnic(base: str, *, autonomous: bool) -> str:
    """Drop trailing ethnic-group names while at least two characters remain."""
    tokens = _ETHNIC_IN_AUTONOMOUS if autonomous else _ETHNIC
    stripped = True
    while stripped:
        stripped = False
        for token in tokens:
            if base.endswith(token) and len(base) - len(token) >= 2:
                base = base[: -len(token)]
                stripped = True
                break
    if base.endswith("族") and len(base) >= 3:  # 东乡族自治县 -> 东乡, 鄂温克族自治旗 -> 鄂温克
        base = base[:-1]
    return base


def _short_forms(name: str) -> set[str]:
    """Short forms of a name: without its administrative suffix and trailing ethnic names."""
    forms: set[str] = set()
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            base = name[: -len(suffix)]
            forms.add(_strip_ethnic(base, autonomous=suffix.startswith("自治")))
            if suffix not in _AMBIGUOUS_SUFFIXES:
                break
    forms.discard(name)
    return forms


def _match(index: _Index, text: str, *, depth: int) -> tuple[str, ...]:
    if hit := index.names.get(text):
        return hit
    if hit := index.former_names.get(text):
        return hit
    variants = _short_forms(text) | {_strip_ethnic(text, autonomous=True)}
    for table in (index.short_names, index.former_short_names):
        codes = [c for v in variants for c in table.get(v, ())]
        if codes:
            return tuple(codes)
    # 南京市鼓楼区, 江苏鼓楼, 江苏省南京市鼓楼区: a province or prefecture name, then the rest.
    if depth >= 2:
        return ()
    found: set[str] = set()
    for cut in range(2, len(text) - 1):
        areas = index.areas.get(text[:cut])
        if not areas:
            continue
        prefixes = tuple(_area_prefix(a) for a in areas)
        for code in _match(index, text[cut:], depth=depth + 1):
            if code not in areas and code.startswith(prefixes):
                found.add(code)
    return tuple(found)


def _area_prefix(code: str) -> str:
    return code[:2] if code.endswith("0000") else code[:4]


# --- loading ------------------------------------------------------------------------------------


def _index() -> _Index:
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = _build()
    return _loaded


def _rows(filename: str) -> list[dict[str, str]]:
    with (_DATA_DIR / filename).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def _build() -> _Index:
    names = {row["code"]: row["name"] for row in _rows("regions.csv")}
    by_code: dict[str, Region] = {}
    for code, name in names.items():
        province = names[code[:2] + "0000"]
        if code.endswith("0000"):
            city = None
        elif code.endswith("00"):
            city = name
        elif code[:2] in _MUNICIPALITIES:
            city = province
        else:
            city = names.get(code[:4] + "00")
        by_code[code] = Region(code=code, name=name, province=province, city=city)

    exact: defaultdict[str, list[str]] = defaultdict(list)
    short: defaultdict[str, list[str]] = defaultdict(list)
    areas: defaultdict[str, list[str]] = defaultdict(list)
    for code, name in names.items():
        exact[name].append(code)
        forms = _short_forms(name)
        for form in forms:
            short[form].append(code)
        if code.endswith("00"):
            for key in {name, *forms}:
                areas[key].append(code)

    successors: defaultdict[str, list[str]] = defaultdict(list)
    former: defaultdict[str, list[str]] = defaultdict(list)
    former_short: defaultdict[str, list[str]] = defaultdict(list)
    for row in _rows("former_names.csv"):
        new_code = row["new_code"]
        if row["old_code"]:
            successors[row["old_code"]].append(new_code)
        former[row["old_name"]].append(new_code)
        for form in _short_forms(row["old_name"]):
            former_short[form].append(new_code)

    return _Index(
        by_code=by_code,
        successors=_freeze(successors),
        names=_freeze(exact),
        short_names=_freeze(short),
        former_names=_freeze(former),
        former_short_names=_freeze(former_short),
        areas=_freeze(areas),
    )


def _freeze(table: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    return {key: tuple(sorted(set(codes))) for key, codes in table.items()}
