"""GB/T 2260 region codes: lookups by code, name, short name, former name and qualified name."""

from __future__ import annotations

import csv
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from yiwang.kit import regions
from yiwang.kit.regions import Region

DATA = Path(regions.__file__).with_name("data")


def _csv(filename: str) -> list[dict[str, str]]:
    with (DATA / filename).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def codes(q: str) -> list[str]:
    return [r.code for r in regions.resolve(q)]


# --- get ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("620923", Region("620923", "肃北蒙古族自治县", "甘肃省", "酒泉市")),
        ("451227", Region("451227", "巴马瑶族自治县", "广西壮族自治区", "河池市")),
        ("110118", Region("110118", "密云区", "北京市", "北京市")),
        ("320106", Region("320106", "鼓楼区", "江苏省", "南京市")),
        ("350102", Region("350102", "鼓楼区", "福建省", "福州市")),
        ("320302", Region("320302", "鼓楼区", "江苏省", "徐州市")),
        ("410204", Region("410204", "鼓楼区", "河南省", "开封市")),
        # provinces: province is the own name, city None
        ("320000", Region("320000", "江苏省", "江苏省", None)),
        ("110000", Region("110000", "北京市", "北京市", None)),
        ("650000", Region("650000", "新疆维吾尔自治区", "新疆维吾尔自治区", None)),
        ("810000", Region("810000", "香港特别行政区", "香港特别行政区", None)),
        # prefectures: city is the own name
        ("320100", Region("320100", "南京市", "江苏省", "南京市")),
        ("441900", Region("441900", "东莞市", "广东省", "东莞市")),
        ("632800", Region("632800", "海西蒙古族藏族自治州", "青海省", "海西蒙古族藏族自治州")),
        # municipality districts and counties: city is the municipality
        ("310115", Region("310115", "浦东新区", "上海市", "上海市")),
        ("500229", Region("500229", "城口县", "重庆市", "重庆市")),
        # county-level units under a province directly: no city
        ("429004", Region("429004", "仙桃市", "湖北省", None)),
        ("469028", Region("469028", "陵水黎族自治县", "海南省", None)),
        ("659001", Region("659001", "石河子市", "新疆维吾尔自治区", None)),
        # 三沙市's districts (2020), which the statistics data still lacks
        ("460302", Region("460302", "西沙区", "海南省", "三沙市")),
    ],
)
def test_get(code: str, expected: Region) -> None:
    assert regions.get(code) == expected


def test_get_normalises_full_width_digits_and_whitespace() -> None:
    assert regions.get(" １１０１１８ ") == regions.get("110118")


@pytest.mark.parametrize(
    "code",
    [
        "110228",  # former 密云县: exists, but is not a current region
        "110100",  # GB/T 2260's 市辖区 placeholder
        "130171",  # statistics-only development zone
        "232761",  # statistics-only 加格达奇区
        "460321",  # pre-2020 西沙群岛
        "999999",
        "",
        "11011",
        "abcdef",
    ],
)
def test_get_returns_none_for_anything_but_a_current_code(code: str) -> None:
    assert regions.get(code) is None


# --- exists ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "110118",
        "320000",
        "320100",
        "110228",
        "110229",
        "330181",
        "469003",
        "460321",
        "１１０２２８",
    ],
)
def test_exists_for_current_and_former_codes(code: str) -> None:
    assert regions.exists(code)


@pytest.mark.parametrize("code", ["999999", "110100", "130171", "", "  ", "密云县", "1101"])
def test_exists_false(code: str) -> None:
    assert not regions.exists(code)


# --- resolve: names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("肃北蒙古族自治县", ["620923"]),
        ("肃北", ["620923"]),
        ("巴马", ["451227"]),
        ("巴马瑶族", ["451227"]),
        ("密云区", ["110118"]),
        ("密云", ["110118"]),
        # provinces and prefectures, short forms included
        ("江苏省", ["320000"]),
        ("江苏", ["320000"]),
        ("南京", ["320100"]),
        ("新疆", ["650000"]),
        ("广西", ["450000"]),
        ("宁夏", ["640000"]),
        ("内蒙古", ["150000"]),
        ("西藏", ["540000"]),
        ("香港", ["810000"]),
        ("锡林郭勒", ["152500"]),
        ("大兴安岭", ["232700"]),
        ("伊犁", ["654000"]),
        ("克孜勒苏", ["653000"]),
        ("海西", ["632800"]),
        ("延边", ["222400"]),
        # ethnic qualifiers, with and without 族, several in a row, and 各族
        ("积石山", ["622927"]),
        ("双江", ["530925"]),
        ("察布查尔", ["654022"]),
        ("鄂温克", ["150724"]),
        ("鄂伦春", ["150723"]),
        ("梅里斯", ["230208"]),
        ("龙胜", ["450328"]),
        ("管城", ["410104"]),
        # other suffixes
        ("神农架", ["429021"]),
        ("六枝", ["520203"]),
        ("浦东", ["310115"]),
        ("太仆寺", ["152527"]),
        ("阿里", ["542500"]),
        # a suffix-looking ending that is part of the name
        ("万柏林", ["140109"]),
        ("清新", ["441803"]),
        ("津市", ["430781"]),
        ("沙市", ["421002"]),
    ],
)
def test_resolve_names(q: str, expected: list[str]) -> None:
    assert codes(q) == expected


def test_resolve_normalises_whitespace_and_full_width() -> None:
    assert codes("  密云\t") == ["110118"]
    assert codes("\u3000巴马\u3000") == ["451227"]
    assert codes("１１０１１８") == ["110118"]


@pytest.mark.parametrize("q", ["鼓楼区", "鼓楼"])
def test_resolve_ambiguous_name_returns_every_candidate_by_code(q: str) -> None:
    assert regions.resolve(q) == [
        Region("320106", "鼓楼区", "江苏省", "南京市"),
        Region("320302", "鼓楼区", "江苏省", "徐州市"),
        Region("350102", "鼓楼区", "福建省", "福州市"),
        Region("410204", "鼓楼区", "河南省", "开封市"),
    ]


def test_resolve_ambiguous_short_name_spans_levels() -> None:
    assert codes("吉林") == ["220000", "220200"]
    assert codes("朝阳") == ["110105", "211300", "211321", "220104"]
    assert codes("河南") == ["410000", "632324"]  # 河南省 and 河南蒙古族自治县


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("南京市鼓楼区", ["320106"]),
        ("南京鼓楼", ["320106"]),
        ("江苏省南京市鼓楼区", ["320106"]),
        ("福建 鼓楼", ["350102"]),
        ("江苏 鼓楼", ["320106", "320302"]),
        ("河南省开封市鼓楼区", ["410204"]),
        ("吉林 朝阳", ["220104"]),
        ("北京 朝阳区", ["110105"]),
        ("北京市密云县", ["110118"]),
        ("浙江 鼓楼", []),
        ("上海 密云", []),
    ],
)
def test_resolve_qualified(q: str, expected: list[str]) -> None:
    assert codes(q) == expected


# --- resolve: codes and former names --------------------------------------------------------------


def test_resolve_code() -> None:
    assert regions.resolve("110118") == [Region("110118", "密云区", "北京市", "北京市")]
    assert codes("320000") == ["320000"]
    assert codes("320100") == ["320100"]


def test_resolve_former_code_returns_successor() -> None:
    assert codes("110228") == ["110118"]
    assert codes("460323") == ["460302"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("密云县", ["110118"]),
        ("延庆县", ["110119"]),
        ("崇文区", ["110101"]),
        ("宣武", ["110102"]),
        ("闸北区", ["310106"]),
        ("南汇区", ["310115"]),
        ("南汇县", ["310115"]),
        ("萧山市", ["330109"]),
        ("富阳市", ["330111"]),
        ("通县", ["110112"]),
        ("开县", ["500154"]),
        ("郫县", ["510117"]),
        ("塘沽", ["120116"]),
        ("下关区", ["320106"]),
    ],
)
def test_resolve_former_name(q: str, expected: list[str]) -> None:
    assert codes(q) == expected


def test_current_name_wins_over_former_name() -> None:
    # 东山区 is a current district of 鹤岗 and the former 广州 district merged into 越秀区 (440104).
    assert codes("东山区") == ["230406"]
    assert "440104" not in codes("东山")
    # 萧山区 is current: the former 萧山市 row must not add anything.
    assert codes("萧山") == ["330109"]


@pytest.mark.parametrize(
    "q",
    [
        "",
        "   ",
        "\u3000",
        "abc",
        "不存在的地方",
        "沙",
        "12345",
        "1234567",
        "999999",
        "!!!",
        "x" * 500,
    ],
)
def test_resolve_garbage_returns_nothing(q: str) -> None:
    assert regions.resolve(q) == []


# --- the data -------------------------------------------------------------------------------------


def test_data_levels_and_uniqueness() -> None:
    rows = _csv("regions.csv")
    all_codes = [row["code"] for row in rows]
    assert len(all_codes) == len(set(all_codes))
    assert all(len(c) == 6 and c.isdigit() for c in all_codes)
    provinces = [c for c in all_codes if c.endswith("0000")]
    prefectures = [c for c in all_codes if c.endswith("00") and not c.endswith("0000")]
    counties = [c for c in all_codes if not c.endswith("00")]
    assert len(provinces) == 34
    assert len(prefectures) == 333
    assert len(counties) == 2844
    assert not any(c[4] == "7" for c in counties)  # statistics-only development zones


def test_every_region_resolves_by_code_and_by_name() -> None:
    # About 3,200 lookups through the in-memory indexes: no database needed.
    for row in _csv("regions.csv"):
        region = regions.get(row["code"])
        assert region is not None
        assert region.name == row["name"]
        assert region.province is not None
        assert regions.resolve(row["code"]) == [region]
        assert region in regions.resolve(row["name"])


def test_former_names_point_at_current_regions() -> None:
    rows = _csv("former_names.csv")
    current_names = {row["name"] for row in _csv("regions.csv")}
    assert len(rows) >= 30
    for row in rows:
        successor = regions.get(row["new_code"])
        assert successor is not None, row
        assert successor.name == row["new_name"], row
        if row["old_code"]:
            assert len(row["old_code"]) == 6 and row["old_code"].isdigit(), row
            assert regions.exists(row["old_code"]), row
        if row["old_name"] not in current_names:  # else the current name wins
            assert regions.resolve(row["old_name"]) == [successor], row


# --- loading --------------------------------------------------------------------------------------


def test_import_reads_no_file() -> None:
    code = (
        "import pathlib\n"
        "opened = []\n"
        "orig = pathlib.Path.open\n"
        "pathlib.Path.open = lambda self, *a, **k: opened.append(self) or orig(self, *a, **k)\n"
        "from yiwang.kit import regions\n"
        "assert regions._loaded is None\n"
        "assert not [p for p in opened if 'kit/data' in str(p)], opened\n"
        "regions.get('110118')\n"
        "assert regions._loaded is not None\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_concurrent_first_use_builds_one_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(regions, "_loaded", None)
    builds = 0
    real_build = regions._build

    def counting_build() -> regions._Index:
        nonlocal builds
        builds += 1
        return real_build()

    monkeypatch.setattr(regions, "_build", counting_build)
    barrier = threading.Barrier(8)
    results: list[Region | None] = []

    def worker() -> None:
        barrier.wait()
        results.append(regions.get("620923"))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert builds == 1
    assert len(results) == 8
    assert all(r == Region("620923", "肃北蒙古族自治县", "甘肃省", "酒泉市") for r in results)
