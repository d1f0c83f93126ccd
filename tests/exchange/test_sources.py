"""Each department system's dirty data, read over HTTP through its connector and the mapping in
definitions/data-sources.yaml, comes out clean — and the cleaning is counted by rule."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ServerThread
from yiwang.catalog.loader import Catalog, load_catalog
from yiwang.exchange import service as exchange
from yiwang.exchange.connectors.csv_export import CsvConnector

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[2]
CATALOG: Catalog = load_catalog(ROOT / "definitions")
CITIZEN1 = "330523199003072317"
CITIZEN2 = "330523198506144023"
CITIZEN3 = "330523195809210012"  # filed under his 15-digit number in some systems
ENTERPRISE1 = "91330523MA28C1K70K"


@pytest.fixture
async def hub(demo_systems: ServerThread) -> AsyncIterator[exchange.Exchange]:
    CsvConnector.exports.clear()
    async with httpx.AsyncClient() as http:
        hub = exchange.Exchange(
            http=http, base_url=demo_systems.url, endpoints={}, timeout=5.0, budget=5.0
        )
        yield hub
        await hub.aclose()


async def ask(hub: exchange.Exchange, source: str, key: str) -> exchange.Fetched:
    wanted = CATALOG.sources[source]
    return await exchange.fetch(hub, CATALOG, exchange.Ask(wanted, key, frozenset(wanted.elements)))


def values(answer: exchange.Fetched) -> dict[str, object]:
    return {element: cleaned.value for element, cleaned in answer.values.items()}


async def test_population_registry(hub: exchange.Exchange) -> None:
    # Filed under the legacy number: found by the 18-digit one, and given back as 18 digits.
    answer = await ask(hub, "population_registry", CITIZEN3)
    assert answer.status == "ok"
    assert values(answer)["person.id_number"] == CITIZEN3
    assert "legacy_id" in answer.values["person.id_number"].rules
    assert values(answer)["person.name"] == "陈建国"
    assert values(answer)["person.birth_date"] == "1958-09-21"
    assert values(answer)["person.gender"] == "1"
    assert values(answer)["person.household_region"] == "330523"
    # Written 孫(sūn)建華 by the registry.
    annotated = await ask(hub, "population_registry", "330523197004202313")
    assert values(annotated)["person.name"] == "孙建华"
    assert {"pinyin", "traditional"} <= set(annotated.values["person.name"].rules)
    missing = await ask(hub, "population_registry", "330523200001010016")
    assert missing.status == "not_found"
    assert missing.values == {}


async def test_market_register_in_xml(hub: exchange.Exchange) -> None:
    answer = await ask(hub, "market_entities", ENTERPRISE1)
    assert values(answer) == {
        "enterprise.name": "安吉竹韵茶业有限公司",
        "enterprise.uscc": ENTERPRISE1,
        "enterprise.type": "llc",
        "enterprise.legal_representative": "李明",
        "enterprise.registered_address": "浙江省湖州市安吉县递铺街道天目路12号",
        "enterprise.registered_capital": "100",
        "enterprise.business_scope": "茶叶种植；茶叶销售；食用农产品零售",
    }
    assert answer.values["enterprise.registered_address"].rules == ("fullwidth",)
    assert answer.values["enterprise.type"].rules == ("code_map",)


async def test_name_reservations_in_xml(hub: exchange.Exchange) -> None:
    answer = await ask(hub, "name_reservations", CITIZEN1)
    assert values(answer)["enterprise.name"] == "安吉李记小厨餐饮有限公司"
    assert values(answer)["enterprise.registered_capital"] == "50"
    assert answer.values["enterprise.registered_capital"].rules == ("unit",)
    assert values(answer)["enterprise.type"] == "llc"


async def test_real_estate_export_in_gbk_csv(hub: exchange.Exchange) -> None:
    shop = await ask(hub, "real_estate", CITIZEN1)
    assert values(shop) == {
        "property.certificate_no": "浙(2021)安吉县不动产权第0003721号",
        "property.address": "浙江省湖州市安吉县递铺街道胜利西路88号",
        "property.area": "85.6",
    }
    assert shop.values["property.area"].rules == ("unit",)
    # The export lists him under his 15-digit number; the index knows both.
    flat = await ask(hub, "real_estate", CITIZEN3)
    assert flat.status == "ok"
    assert values(flat)["property.address"].startswith("浙江省湖州市安吉县")
    office = await ask(hub, "real_estate", ENTERPRISE1)
    assert office.status == "ok"


async def test_social_insurance_in_nested_json(hub: exchange.Exchange) -> None:
    first = await ask(hub, "social_insurance", CITIZEN1)
    assert values(first)["person.phone"] == "13905721001"
    assert first.values["person.phone"].rules == ("fullwidth",)
    assert values(first)["person.mailing_address"] == "浙江省湖州市安吉县递铺街道阳光小区3幢201室"
    second = await ask(hub, "social_insurance", CITIZEN2)
    assert values(second)["person.phone"] == "13905721002"
    assert second.values["person.phone"].rules == ("mobile_prefix",)


async def test_birth_records_know_who_the_other_parent_is(hub: exchange.Exchange) -> None:
    father = await ask(hub, "birth_records", CITIZEN1)
    assert values(father) == {
        "newborn.name": "李沐阳",
        "newborn.gender": "1",
        "newborn.birth_date": "2026-11-20",
        "newborn.birth_place": "安吉县妇幼保健院",
        "newborn.birth_certificate_no": "Q330098765",
        "guardian.relation": "father",
        "spouse.name": "周雨桐",
        "spouse.id_number": "330523199301014529",
    }
    mother = await ask(hub, "birth_records", "330523199301014529")
    assert values(mother)["guardian.relation"] == "mother"
    assert values(mother)["spouse.id_number"] == CITIZEN1


async def test_health_certificates(hub: exchange.Exchange) -> None:
    answer = await ask(hub, "health_certificates", CITIZEN1)
    assert values(answer) == {"person.health_certificate_no": "JK33052320260003721"}


async def test_every_generated_record_cleans_without_loss(hub: exchange.Exchange) -> None:
    """A sweep over the generated county: the dirt is cleaned by the rules that should see it,
    and no value of a real record is rejected."""
    from demo_systems.app import create_app

    world = create_app(generated=300).state.world
    people = [p.id_number for p in world.people[:150]]
    enterprises = [e.uscc for e in world.enterprises[:120]]
    cleaned: Counter[str] = Counter()
    rejected: Counter[str] = Counter()
    found: Counter[str] = Counter()
    asks = [("population_registry", k) for k in people]
    asks += [("social_insurance", k) for k in people]
    asks += [("real_estate", k) for k in people + enterprises]
    asks += [("birth_records", k) for k in people]
    asks += [("market_entities", k) for k in enterprises]
    for source, key in asks:
        answer = await ask(hub, source, key)
        assert answer.status in ("ok", "not_found"), (source, key, answer.status)
        found[source] += answer.status == "ok"
        cleaned.update(answer.cleaned)
        rejected.update(answer.rejected)
    assert rejected == Counter()
    assert found["population_registry"] == len(people)
    assert min(found.values()) > 0
    rules = ("date_format", "traditional", "legacy_id", "fullwidth", "unit", "code_map")
    for rule in (*rules, "division_code"):
        assert cleaned[rule] > 0, rule
