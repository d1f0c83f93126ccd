"""公安人口库: the demo people as the registry spells them, and its generated dirty names."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from demo_systems.people import legacy_number
from demo_systems.spelling import PINYIN
from demo_systems.world import World
from tests.demo_systems.conftest import CITIZEN1, NOBODY


async def person(http: httpx.AsyncClient, number: str) -> dict[str, Any]:
    response = await http.get("/population/v1/persons", params={"idCardNo": number})
    assert response.status_code == 200
    return response.json()


@pytest.mark.anyio
async def test_the_registry_answers_in_its_own_shape(http: httpx.AsyncClient) -> None:
    body = await person(http, CITIZEN1)
    assert (body["code"], body["msg"]) == ("0000", "成功")
    assert body["data"]["fullName"] == "李明"
    assert (await person(http, "330523197004202313"))["data"]["fullName"] == "孫(sūn)建華"
    assert (await person(http, "330523580921001"))["data"]["fullName"] == "陈建国"
    assert await person(http, NOBODY) == {"code": "1004", "msg": "查无此人", "data": None}


@pytest.mark.anyio
async def test_some_generated_names_carry_inline_pinyin(
    http: httpx.AsyncClient, county: World
) -> None:
    annotated = [p for p in county.generated_people if "(" in p.name]
    assert 2 <= len(annotated) <= len(county.generated_people) * 0.08
    for p in annotated:
        match = re.fullmatch(r"(.)\((\w+)\)(.+)", p.name)
        assert match is not None, p.name
        assert match.group(2) == PINYIN[p.plain_name[0]]
    first = annotated[0]
    number = legacy_number(first.id_number) if first.legacy_id else first.id_number
    assert (await person(http, number))["data"]["fullName"] == first.name
