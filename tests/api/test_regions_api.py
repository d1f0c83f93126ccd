"""GET /api/v1/regions/resolve: GB/T 2260 look-up over HTTP."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("q", "code"),
    [
        ("肃北", "620923"),
        ("巴马", "451227"),
        ("密云县", "110118"),
        ("安吉县", "330523"),
        ("330523", "330523"),
    ],
)
async def test_resolves_short_full_former_names_and_codes(
    client: httpx.AsyncClient, q: str, code: str
) -> None:
    found = (await client.get("/api/v1/regions/resolve", params={"q": q})).json()
    assert [r["code"] for r in found][:1] == [code]


async def test_ambiguous_name_returns_every_candidate_with_province_and_city(
    client: httpx.AsyncClient,
) -> None:
    found = (await client.get("/api/v1/regions/resolve", params={"q": "鼓楼区"})).json()
    assert {(r["code"], r["province"], r["city"]) for r in found} >= {
        ("320106", "江苏省", "南京市"),
        ("350102", "福建省", "福州市"),
        ("320302", "江苏省", "徐州市"),
        ("410204", "河南省", "开封市"),
    }


async def test_empty_query_is_422_and_nonsense_is_empty(client: httpx.AsyncClient) -> None:
    empty = await client.get("/api/v1/regions/resolve", params={"q": "  "})
    assert empty.status_code == 422
    assert empty.json()["error"]["code"] == "region_query_required"
    assert (await client.get("/api/v1/regions/resolve", params={"q": "亚特兰蒂斯"})).json() == []
