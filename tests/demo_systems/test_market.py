"""市场主体登记: XML envelopes, the fixed demo enterprise and name reservation, dirty records."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import httpx
import pytest

from demo_systems import market
from demo_systems.enterprises import KINDS, uscc_check_char, valid_uscc
from demo_systems.world import World
from tests.demo_systems.conftest import CITIZEN1, ENTERPRISE1, NOBODY

ENT_FIELDS = [
    "ENTNAME",
    "UNISCID",
    "ENTTYPE_CN",
    "LEREP",
    "LEREP_CERNO",
    "REGCAP",
    "REGCAPCUR_CN",
    "DOM",
    "OPSCOPE",
    "ESTDATE",
    "REGSTATE_CN",
]
NAME_FIELDS = ["ENTNAME", "ENTTYPE_CN", "INVESTOR", "CERNO", "DOM", "REGCAP", "OPSCOPE", "VALIDTO"]


async def xml(http: httpx.AsyncClient, path: str, **params: str) -> ET.Element:
    response = await http.get(f"/market/services/{path}", params=params)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/xml"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?><Response>')
    return ET.fromstring(response.content)  # noqa: S314 - our own demo system


@pytest.mark.anyio
async def test_enterprise1_as_the_registry_holds_it(http: httpx.AsyncClient) -> None:
    root = await xml(http, "EntInfo", uniscid=ENTERPRISE1)
    assert root.findtext("ResultCode") == "00"
    assert root.findtext("ResultMsg") == "查询成功"
    info = root.find("EntInfo")
    assert info is not None
    assert [child.tag for child in info] == ENT_FIELDS
    fields = {child.tag: child.text for child in info}
    assert fields["ENTNAME"] == "安吉竹韵茶业有限公司"
    assert fields["UNISCID"] == ENTERPRISE1
    assert fields["ENTTYPE_CN"] == "有限责任公司(自然人投资或控股)"
    assert (fields["LEREP"], fields["LEREP_CERNO"]) == ("李明", CITIZEN1)
    assert (fields["REGCAP"], fields["REGCAPCUR_CN"]) == ("100.000000", "人民币")
    assert fields["DOM"] == "浙江省湖州市安吉县递铺街道天目路１２号"
    assert fields["OPSCOPE"] == "茶叶种植；茶叶销售；食用农产品零售"
    assert fields["ESTDATE"] == "2018-03-15"
    assert fields["REGSTATE_CN"] == "存续（在营、开业、在册）"


@pytest.mark.anyio
async def test_credit_codes_are_looked_up_whatever_their_case(
    http: httpx.AsyncClient, county: World
) -> None:
    root = await xml(http, "EntInfo", uniscid=ENTERPRISE1.lower())
    assert root.findtext("ResultCode") == "00"
    stored_lower = next(
        r["UNISCID"] for r in market.enterprise_records(county) if r["UNISCID"].islower()
    )
    root = await xml(http, "EntInfo", uniscid=stored_lower.upper())
    assert root.findtext("ResultCode") == "00"
    assert root.findtext("EntInfo/UNISCID") == stored_lower


@pytest.mark.anyio
async def test_unknown_enterprise_is_code_01_without_entinfo(http: httpx.AsyncClient) -> None:
    first17 = "91330523MA0000000"
    root = await xml(http, "EntInfo", uniscid=first17 + uscc_check_char(first17))
    assert root.findtext("ResultCode") == "01"
    assert root.findtext("ResultMsg") == "无此市场主体"
    assert root.find("EntInfo") is None
    root = await xml(http, "EntInfo")
    assert root.findtext("ResultCode") == "01"


@pytest.mark.anyio
async def test_citizen1s_name_reservation(http: httpx.AsyncClient) -> None:
    root = await xml(http, "NameReservation", cerNo=CITIZEN1)
    assert root.findtext("ResultCode") == "00"
    infos = root.findall("NameInfo")
    assert len(infos) == 1
    assert [child.tag for child in infos[0]] == NAME_FIELDS
    fields = {child.tag: child.text for child in infos[0]}
    assert fields["ENTNAME"] == "安吉李记小厨餐饮有限公司"
    assert fields["ENTTYPE_CN"] == "有限责任公司（自然人独资）"
    assert (fields["INVESTOR"], fields["CERNO"]) == ("李明", CITIZEN1)
    assert fields["DOM"] == "浙江省湖州市安吉县递铺街道胜利西路88号"
    assert fields["REGCAP"] == "50万元人民币"
    assert fields["OPSCOPE"] == "餐饮服务；食品销售"
    assert fields["VALIDTO"].startswith("2027-")


@pytest.mark.anyio
async def test_no_name_reservation_is_code_01(http: httpx.AsyncClient) -> None:
    root = await xml(http, "NameReservation", cerNo=NOBODY)
    assert root.findtext("ResultCode") == "01"
    assert root.find("NameInfo") is None


@pytest.mark.anyio
async def test_generated_name_reservations_are_served(
    http: httpx.AsyncClient, county: World
) -> None:
    reservations = market.name_reservations(county)
    assert len(reservations) == 1 + 300 // 10
    sample = reservations[-1]
    root = await xml(http, "NameReservation", cerNo=sample["CERNO"])
    assert sample["ENTNAME"] in [info.findtext("ENTNAME") for info in root.findall("NameInfo")]


def test_every_generated_credit_code_is_valid(county: World) -> None:
    records = market.enterprise_records(county)
    assert len(records) == 1 + 300 // 2
    codes = [r["UNISCID"].upper() for r in records]
    assert all(valid_uscc(code) for code in codes)
    assert len(set(codes)) == len(codes)
    assert len({r["ENTNAME"] for r in records}) == len(records)
    prefix = {"个体工商户": "92330523", "农民专业合作社": "93330523"}
    for record in records:
        assert record["UNISCID"].upper().startswith(prefix.get(record["ENTTYPE_CN"], "91330523"))
    assert {r["ENTTYPE_CN"] for r in records} == set(KINDS)


def test_the_registry_check_character_is_gb_32100() -> None:
    assert uscc_check_char("91330523MA28C1K70") == "K"
    assert valid_uscc("91330523ma28c1k70k")
    assert not valid_uscc("91330523MA28C1K70J")
    assert not valid_uscc("91330523MA28C1K70")
    assert not valid_uscc("91330523MA28C1K7OK")  # the letter O is not in the alphabet


def test_generated_records_are_dirty_as_promised(county: World) -> None:
    records = market.enterprise_records(county)[1:]
    lower = [r for r in records if r["UNISCID"] != r["UNISCID"].upper()]
    full_width = [r for r in records if re.search("[０-９]", r["DOM"])]
    half_brackets = [r for r in records if "(" in r["ENTNAME"]]
    wan = [r for r in records if re.fullmatch(r"\d+(\.\d+)?万元人民币", r["REGCAP"])]
    decimal = [r for r in records if re.fullmatch(r"\d+\.\d{6}", r["REGCAP"])]
    assert 1 <= len(lower) <= len(records) * 0.12
    assert 3 <= len(full_width) <= len(records) * 0.2
    assert 1 <= len(half_brackets) <= len(records) * 0.12
    assert len(wan) + len(decimal) == len(records) and wan and decimal
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["ESTDATE"]) for r in records)
    assert all(r["LEREP_CERNO"] in {p.id_number for p in county.generated_people} for r in records)
    towns = ("递铺街道", "昌硕街道", "灵峰街道", "孝丰镇", "报福镇", "天子湖镇", "杭垓镇", "溪龙乡")
    assert all(r["DOM"].startswith("浙江省湖州市安吉县") for r in records)
    assert all(any(town in r["DOM"] for town in towns) for r in records)
