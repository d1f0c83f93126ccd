"""The data elements and the source catalogue (政务数据资源目录) as the API serves them."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.anyio


async def test_data_elements_name_type_sensitivity_and_authority(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/data-elements")
    assert response.status_code == 200
    elements = {e["code"]: e for e in response.json()}
    id_number = elements["person.id_number"]
    assert id_number["name"] == "公民身份号码"
    assert id_number["validator"] == "id_number"
    assert id_number["sensitivity"] == 4
    assert id_number["authority_name"] == "安吉县公安局"
    assert "population_registry" in id_number["sources"]
    assert elements["newborn.gender"]["options"][0] == {
        "value": "1",
        "name": "男",
        "name_en": "Male",
    }


async def test_the_source_catalogue_says_who_shares_what_and_how(
    client: httpx.AsyncClient,
) -> None:
    sources = {s["code"]: s for s in (await client.get("/api/v1/data-sources")).json()}
    assert {s["connector"] for s in sources.values()} == {"json_rest", "xml", "csv"}
    estate = sources["real_estate"]
    assert estate["provider"] == "housing"
    assert estate["sharing"] == "conditional"
    assert estate["sharing_name"] == "有条件共享"
    assert estate["update_cycle"] == "daily"
    assert {"element": "property.area", "field": "建筑面积", "values": None, "clean": None} in (
        estate["field_mapping"]
    )
    assert sources["market_entities"]["sharing"] == "unconditional"
    one = await client.get("/api/v1/data-sources/birth_records")
    assert one.json()["provider_name"] == "安吉县卫生健康委员会"
    missing = await client.get("/api/v1/data-sources/nope")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "unknown_source"


async def test_materials_that_shared_data_proves_say_where_it_comes_from(
    client: httpx.AsyncClient,
) -> None:
    guide = (await client.get("/api/v1/services/health-birth-certificate")).json()
    identity = next(m for m in guide["materials"] if m["code"] == "parents-identity")
    assert identity["provided_by"] == "person.id_number"
    assert identity["provided_via"]["kind"] == "data_source"
    assert identity["provided_via"]["department_name"] == "安吉县公安局"
    form = next(m for m in guide["materials"] if m["code"] == "registration-form")
    assert "provided_via" not in form
    bundle = (await client.get("/api/v1/bundles/newborn")).json()
    saved = bundle["burden"]["before"]["materials"] - bundle["burden"]["after"]["materials"]
    assert saved >= 3  # ID documents and household registers are never asked for on paper
