"""不动产登记: the whole 权利人 export as GBK CSV, cached by a strong ETag, with dirty rows."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

import httpx
import pytest

from demo_systems.enterprises import valid_uscc
from demo_systems.spelling import in_traditional
from demo_systems.world import World
from tests.demo_systems.conftest import CITIZEN1, CITIZEN2, ENTERPRISE1

HEADER = "不动产单元号,不动产权证号,权利人,证件种类,证件号码,坐落,建筑面积,规划用途,登记时间"
PATH = "/realestate/export/qlr.csv"
Export = tuple[bytes, list[dict[str, str]]]


@pytest.fixture
async def export(http: httpx.AsyncClient) -> Export:
    response = await http.get(PATH)
    assert response.status_code == 200
    return response.content, list(csv.DictReader(io.StringIO(response.content.decode("gbk"))))


@pytest.mark.anyio
async def test_the_export_is_gbk_csv_with_the_registrys_header(
    http: httpx.AsyncClient, export: Export
) -> None:
    body, _ = export
    response = await http.get(PATH)
    assert response.headers["content-type"] == "text/csv; charset=GBK"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert body.decode("gbk").split("\r\n")[0] == HEADER


@pytest.mark.anyio
async def test_an_unchanged_export_is_304_to_if_none_match(
    http: httpx.AsyncClient, export: Export
) -> None:
    body, _ = export
    etag = (await http.get(PATH)).headers["etag"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)  # strong: no W/
    again = await http.get(PATH, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert (await http.get(PATH, headers={"If-None-Match": f'"stale", {etag}'})).status_code == 304
    changed = await http.get(PATH, headers={"If-None-Match": '"stale"'})
    assert changed.status_code == 200
    assert changed.content == body


@pytest.mark.anyio
async def test_the_demo_peoples_properties(export: Export) -> None:
    _, rows = export
    by_number: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_number.setdefault(row["证件号码"], []).append(row)
    (shop,) = by_number[CITIZEN1]
    assert shop == {
        "不动产单元号": shop["不动产单元号"],
        "不动产权证号": "浙(2021)安吉县不动产权第0003721号",
        "权利人": "李明",
        "证件种类": "身份证",
        "证件号码": CITIZEN1,
        "坐落": "浙江省湖州市安吉县递铺街道胜利西路88号",
        "建筑面积": "85.6平方米",
        "规划用途": "商业",
        "登记时间": shop["登记时间"],
    }
    (flat,) = by_number[CITIZEN2]
    assert (flat["权利人"], flat["规划用途"]) == ("王芳", "住宅")
    # citizen3 is filed under his legacy 15-digit number only.
    (old,) = by_number["330523580921001"]
    assert (old["权利人"], old["规划用途"]) == ("陈建国", "住宅")
    assert "330523195809210012" not in by_number
    (office,) = by_number[ENTERPRISE1]
    assert (office["权利人"], office["证件种类"]) == ("安吉竹韵茶业有限公司", "统一社会信用代码")


@pytest.mark.anyio
async def test_generated_rows_are_dirty_as_promised(export: Export, county: World) -> None:
    _, rows = export
    assert len(rows) == 4 + 300 * 2 // 3
    assert all(len(r["不动产单元号"]) == 28 for r in rows)
    assert len({r["不动产权证号"] for r in rows}) == len(rows)
    assert all(
        re.fullmatch(r"浙\(20\d\d\)安吉县不动产权第\d{7}号", r["不动产权证号"]) for r in rows
    )
    assert {r["规划用途"] for r in rows} == {"住宅", "商业", "商服", "工业"}
    enterprises = [r for r in rows if r["证件种类"] == "统一社会信用代码"]
    people = [r for r in rows if r["证件种类"] == "身份证"]
    assert len(enterprises) + len(people) == len(rows)
    assert len(enterprises) >= 10 and all(valid_uscc(r["证件号码"]) for r in enterprises)

    legacy = [r for r in people if len(r["证件号码"]) == 15]
    assert 2 <= len(legacy) <= len(people) * 0.1
    born = {p.id_number[:6] + p.id_number[8:17]: p.birth_date.year for p in county.people}
    assert all(born[r["证件号码"]] < 2000 for r in legacy)

    areas = Counter(
        "full-width"
        if re.fullmatch("[０-９．]+", r["建筑面积"])
        else "unit"
        if re.fullmatch(r"\d+(\.\d+)?(平方米|㎡)", r["建筑面积"])
        else "plain"
        if re.fullmatch(r"\d+\.\d\d", r["建筑面积"])
        else r["建筑面积"]
        for r in rows
    )
    assert set(areas) == {"full-width", "unit", "plain"}
    assert areas["full-width"] >= 5 and areas["unit"] >= len(rows) * 0.2

    dates = Counter(
        "slash"
        if re.fullmatch(r"\d{4}/\d{1,2}/\d{1,2}", r["登记时间"])
        else "iso"
        if re.fullmatch(r"\d{4}-\d\d-\d\d", r["登记时间"])
        else "compact"
        if re.fullmatch(r"\d{8}", r["登记时间"])
        else r["登记时间"]
        for r in rows
    )
    assert set(dates) == {"slash", "iso", "compact"}

    traditional = [r for r in people if in_traditional(r["权利人"])]
    assert 1 <= len(traditional) <= len(people) * 0.1
    owners = Counter(r["证件号码"] for r in people)
    assert any(count > 1 for count in owners.values())
