"""卫生健康: snake_case JSON for birth records and health certificates, newest first."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from demo_systems import health
from demo_systems.spelling import in_traditional
from demo_systems.world import World
from tests.demo_systems.conftest import CITIZEN1, NOBODY, ZHOU_YUTONG

SON = {
    "cert_no": "Q330098765",
    "baby": {
        "name": "李沐阳",
        "sex": "M",
        "birth_time": "2026-11-20T08:31:00+08:00",
        "birth_org": "安吉县妇幼保健院",
    },
    "mother": {"name": "周雨桐", "id_no": ZHOU_YUTONG},
    "father": {"name": "李明", "id_no": CITIZEN1},
}


async def records(http: httpx.AsyncClient, path: str, **params: str) -> list[dict[str, Any]]:
    response = await http.get(f"/health/{path}", params=params)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "OK"
    return body["records"]


@pytest.mark.anyio
async def test_either_parent_finds_the_birth(http: httpx.AsyncClient) -> None:
    assert await records(http, "birth-records", parent_id_no=CITIZEN1) == [SON]
    assert await records(http, "birth-records", parent_id_no=ZHOU_YUTONG) == [SON]


@pytest.mark.anyio
async def test_citizen1s_health_certificate(http: httpx.AsyncClient) -> None:
    assert await records(http, "health-certificates", id_no=CITIZEN1) == [
        {
            "cert_no": "JK33052320260003721",
            "name": "李明",
            "id_no": CITIZEN1,
            "category": "食品从业人员",
            "issue_date": "2026-03-01",
            "valid_until": "2027-02-28",
        }
    ]


@pytest.mark.anyio
async def test_nothing_found_is_an_empty_list(http: httpx.AsyncClient) -> None:
    assert await records(http, "birth-records", parent_id_no=NOBODY) == []
    assert await records(http, "health-certificates", id_no=NOBODY) == []


@pytest.mark.anyio
async def test_generated_births_are_served_newest_first(
    http: httpx.AsyncClient, county: World
) -> None:
    births = health.births(county)
    assert len(births) == 1 + 300 // 10
    people = {p.id_number: p for p in county.people}
    for birth in births:
        assert not people[birth["mother"]["id_no"]].male
        assert people[birth["father"]["id_no"]].male
        assert birth["baby"]["sex"] in {"M", "F"}
        assert re.fullmatch(r"Q\d{9}", birth["cert_no"])
        assert 2025 <= health.parse_birth_time(birth["baby"]["birth_time"]).year <= 2026
    some = births[-1]
    assert some in await records(http, "birth-records", parent_id_no=some["father"]["id_no"])
    for parent in {b["father"]["id_no"] for b in births} | {b["mother"]["id_no"] for b in births}:
        found = await records(http, "birth-records", parent_id_no=parent)
        times = [health.parse_birth_time(r["baby"]["birth_time"]) for r in found]
        assert times == sorted(times, reverse=True)


def test_generated_records_are_dirty_as_promised(county: World) -> None:
    births = health.births(county)[1:]
    no_offset = [
        b for b in births if re.fullmatch(r"\d{4}/\d\d/\d\d \d\d:\d\d", b["baby"]["birth_time"])
    ]
    assert 1 <= len(no_offset) <= len(births) * 0.3
    certificates = health.health_certificates(county)[1:]
    assert len(certificates) == 300 // 5
    names = [c["name"] for c in certificates]
    names += [b[who]["name"] for b in births for who in ("mother", "father")]
    traditional = [n for n in names if in_traditional(n)]
    assert 1 <= len(traditional) <= len(names) * 0.12
    for c in certificates:
        assert re.fullmatch(r"JK330523" + c["issue_date"][:4] + r"\d{7}", c["cert_no"])
        assert c["valid_until"] > c["issue_date"]
