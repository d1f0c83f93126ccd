"""社会保险: nested JSON with aac002-style codes, the demo people's records, dirty contacts."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from demo_systems import hrss
from demo_systems.world import World
from tests.demo_systems.conftest import CITIZEN1, CITIZEN2, CITIZEN3, ENTERPRISE1, NOBODY


async def insured(http: httpx.AsyncClient, number: str) -> dict[str, Any]:
    response = await http.get("/hrss/api/v2/insured", params={"aac002": number})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    return response.json()


@pytest.mark.anyio
async def test_citizen1_works_for_enterprise1(http: httpx.AsyncClient) -> None:
    body = await insured(http, CITIZEN1)
    assert (body["success"], body["errcode"]) == (True, "0")
    assert body["data"]["person"] == {
        "aac002": CITIZEN1,
        "aac003": "李明",
        "aac004": "1",
        "contact": {
            "mobile": "１３９０５７２１００１",
            "address": "浙江省湖州市安吉县递铺街道阳光小区3幢201室",
        },
    }
    assert body["data"]["insurances"][0] == {
        "aae140": "110",
        "aae140_name": "企业职工基本养老保险",
        "aac008": "1",
        "aac008_name": "正常参保",
        "aae030": "20180401",
        "employer": {"aab004": "安吉竹韵茶业有限公司", "aab998": ENTERPRISE1},
    }


@pytest.mark.anyio
async def test_citizen2_and_citizen3(http: httpx.AsyncClient) -> None:
    wang = (await insured(http, CITIZEN2))["data"]
    assert wang["person"]["contact"]["mobile"] == "+86 13905721002"
    assert wang["person"]["aac004"] == "2"
    chen = (await insured(http, CITIZEN3))["data"]
    pension = next(i for i in chen["insurances"] if i["aae140"] == "110")
    assert (pension["aac008"], pension["aac008_name"]) == ("2", "暂停缴费")


@pytest.mark.anyio
async def test_someone_not_insured(http: httpx.AsyncClient) -> None:
    assert await insured(http, NOBODY) == {"success": True, "errcode": "404", "data": None}
    assert await insured(http, "") == {"success": True, "errcode": "404", "data": None}


@pytest.mark.anyio
async def test_generated_insured_people_are_served(http: httpx.AsyncClient, county: World) -> None:
    records = hrss.records(county)
    assert len(records) == 3 + 300 * 5 // 6
    last = records[-1]
    assert (await insured(http, last["person"]["aac002"]))["data"] == last


def test_generated_contacts_are_dirty_as_promised(county: World) -> None:
    records = hrss.records(county)[3:]
    mobiles = [r["person"]["contact"]["mobile"] for r in records]
    full_width = [m for m in mobiles if re.fullmatch("[０-９]{11}", m)]
    prefixed = [m for m in mobiles if re.fullmatch(r"\+86 1\d{10}", m)]
    spaced = [m for m in mobiles if re.fullmatch(r"1\d\d \d{4} \d{4}", m)]
    plain = [m for m in mobiles if re.fullmatch(r"1\d{10}", m)]
    assert len(full_width) + len(prefixed) + len(spaced) + len(plain) == len(mobiles)
    assert len(full_width) >= len(mobiles) * 0.08
    assert prefixed and spaced
    assert any(re.search("[０-９]", r["person"]["contact"]["address"]) for r in records)
    for record in records:
        for item in record["insurances"]:
            assert item["aae140_name"] == hrss.AAE140[item["aae140"]]
            assert item["aac008_name"] == hrss.AAC008[item["aac008"]]
            assert re.fullmatch(r"(19|20)\d{6}", item["aae030"])
            employer = item["employer"]
            assert employer is None or set(employer) == {"aab004", "aab998"}
    codes = {i["aae140"] for r in records for i in r["insurances"]}
    assert {"110", "310", "170", "390"} <= codes
