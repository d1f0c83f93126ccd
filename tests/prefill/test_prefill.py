"""Prefill with consent: the form filled from the demo county's department systems over HTTP,
each value with its provenance; nothing without consent; every access logged for the person."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import ServerThread, free_port, sign_in
from yiwang.config import Settings

pytestmark = pytest.mark.anyio

NEWBORN_ELEMENTS = {
    "person.name",
    "person.household_address",
    "person.phone",
    "person.mailing_address",
    "guardian.relation",
    "spouse.name",
    "spouse.id_number",
    "newborn.name",
    "newborn.gender",
    "newborn.birth_date",
    "newborn.birth_place",
    "newborn.birth_certificate_no",
}


@asynccontextmanager
async def platform(settings: Settings, **changes: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The platform with some settings changed (where sources are, the time budget)."""
    from yiwang.main import create_app

    application = create_app(settings.model_copy(update=changes), configure_logs=False)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application, client=("203.0.113.7", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


async def consent(
    client: httpx.AsyncClient, headers: dict[str, str], *, elements: list[str] | None = None
) -> dict[str, Any]:
    needed = await client.get("/api/v1/consents/needed?bundle=newborn", headers=headers)
    assert needed.status_code == 200, needed.text
    chosen = elements if elements is not None else [e["element"] for e in needed.json()["elements"]]
    response = await client.post(
        "/api/v1/consents",
        json={"purpose": "prefill", "bundle": "newborn", "elements": chosen},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_without_consent_prefill_is_refused_naming_each_element(
    client: httpx.AsyncClient,
) -> None:
    headers = await sign_in(client, "citizen1")
    response = await client.get("/api/v1/prefill?bundle=newborn", headers=headers)
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "consent_required"
    assert "授权" in error["message"]
    assert {d["element"] for d in error["details"]} == NEWBORN_ELEMENTS
    birth = next(d for d in error["details"] if d["element"] == "newborn.name")
    assert birth["department_name"] == "安吉县卫生健康委员会"
    assert birth["message"].startswith("需授权获取：新生儿姓名")
    english = await client.get(
        "/api/v1/prefill?bundle=newborn", headers=headers | {"Accept-Language": "en"}
    )
    assert english.json()["error"]["details"][0]["message"].startswith("Consent needed")


async def test_the_form_is_filled_from_four_departments_with_provenance(
    client: httpx.AsyncClient,
) -> None:
    headers = await sign_in(client, "citizen1")
    given = await consent(client, headers)
    assert set(given["elements"]) == NEWBORN_ELEMENTS
    response = await client.get("/api/v1/prefill?bundle=newborn", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    fields = body["fields"]
    assert body["consent_id"] == given["id"]
    assert fields["newborn_name"]["value"] == "李沐阳"
    assert fields["newborn_name"]["source"] == "birth_records"
    assert fields["newborn_name"]["department"] == "health"
    assert fields["newborn_name"]["verified"] is True
    assert fields["newborn_birth_date"]["value"] == "2026-11-20"
    assert fields["newborn_gender"]["value"] == "1"
    # The applicant is the father in the birth record, so the other parent is the mother.
    assert fields["guardian_relation"]["value"] == "father"
    assert fields["spouse_name"]["value"] == "周雨桐"
    assert fields["spouse_id_number"]["value"] == "330523199301014529"
    # Social insurance writes the phone in full-width digits; the form gets plain ones.
    assert fields["applicant_phone"]["value"] == "13905721001"
    assert fields["applicant_phone"]["source"] == "social_insurance"
    assert fields["applicant_phone"]["verified"] is False  # hrss is not the phone's authority
    assert fields["applicant_name"] == fields["applicant_name"] | {
        "value": "李明",
        "source": "population_registry",
        "verified": True,
    }
    assert fields["applicant_id_number"]["source"] == "realname"
    assert fields["household_address"]["value"].startswith("浙江省湖州市安吉县")
    for entry in fields.values():
        if entry["source"] != "realname":
            assert entry["fetched_at"] and entry["department_name"] and entry["source_name"]
    assert body["missing"] == []
    assert {s["code"]: s["status"] for s in body["sources"]} == {
        "population_registry": "ok",
        "social_insurance": "ok",
        "birth_records": "ok",
    }
    assert body["prefill_token"]


async def test_every_access_is_in_the_persons_log_and_only_theirs(
    client: httpx.AsyncClient,
) -> None:
    headers = await sign_in(client, "citizen1")
    await consent(client, headers)
    assert (await client.get("/api/v1/prefill?bundle=newborn", headers=headers)).status_code == 200
    log = (await client.get("/api/v1/me/data-access", headers=headers)).json()["items"]
    by_source = {row["source"]: row for row in log}
    assert set(by_source) == {"population_registry", "social_insurance", "birth_records"}
    birth = by_source["birth_records"]
    assert birth["accessor_kind"] == "platform"
    assert birth["department_name"] == "安吉县卫生健康委员会"
    assert birth["purpose"] == "prefill"
    assert birth["target_label"] == "bundle:newborn"
    assert {e["code"] for e in birth["elements"]} >= {"newborn.name", "spouse.id_number"}
    assert {e["name"] for e in by_source["social_insurance"]["elements"]} == {
        "手机号码",
        "邮寄地址",
    }
    other = await sign_in(client, "citizen2")
    assert (await client.get("/api/v1/me/data-access", headers=other)).json()["items"] == []


async def test_a_partial_consent_fetches_only_what_it_names(client: httpx.AsyncClient) -> None:
    headers = await sign_in(client, "citizen1")
    births = ["newborn.name", "newborn.birth_date", "spouse.name"]
    await consent(client, headers, elements=births)
    body = (await client.get("/api/v1/prefill?bundle=newborn", headers=headers)).json()
    assert body["fields"]["newborn_name"]["value"] == "李沐阳"
    assert "applicant_phone" not in body["fields"]
    missing = {m["field"]: m["reason"] for m in body["missing"]}
    assert missing["applicant_phone"] == "not_consented"
    assert missing["newborn_gender"] == "not_consented"
    log = (await client.get("/api/v1/me/data-access", headers=headers)).json()["items"]
    assert [row["source"] for row in log] == ["birth_records"]
    assert sorted(e["code"] for e in log[0]["elements"]) == sorted(births)


async def test_a_consent_names_only_what_the_form_needs_and_one_purpose(
    client: httpx.AsyncClient,
) -> None:
    headers = await sign_in(client, "citizen1")
    extra = await client.post(
        "/api/v1/consents",
        json={"purpose": "prefill", "bundle": "newborn", "elements": ["enterprise.uscc"]},
        headers=headers,
    )
    assert extra.status_code == 422
    assert extra.json()["error"]["code"] == "element_not_needed"
    purpose = await client.post(
        "/api/v1/consents",
        json={"purpose": "marketing", "bundle": "newborn", "elements": ["newborn.name"]},
        headers=headers,
    )
    assert purpose.status_code == 422
    assert purpose.json()["error"]["code"] == "unknown_purpose"


async def test_a_withdrawn_consent_covers_nothing(client: httpx.AsyncClient) -> None:
    headers = await sign_in(client, "citizen1")
    given = await consent(client, headers)
    withdrawn = await client.post(f"/api/v1/consents/{given['id']}/withdraw", headers=headers)
    assert withdrawn.status_code == 200
    assert withdrawn.json()["active"] is False
    response = await client.get("/api/v1/prefill?bundle=newborn", headers=headers)
    assert response.status_code == 403
    other = await sign_in(client, "citizen2")
    theirs = await client.post(f"/api/v1/consents/{given['id']}/withdraw", headers=other)
    assert theirs.status_code == 404


async def test_a_source_that_is_down_leaves_its_fields_to_the_person(
    settings: Settings, engine: AsyncEngine
) -> None:
    closed = f"http://127.0.0.1:{free_port()}/hrss/api/v2/insured"
    async with platform(settings, source_endpoints={"social_insurance": closed}) as client:
        headers = await sign_in(client, "citizen1")
        await consent(client, headers)
        response = await client.get("/api/v1/prefill?bundle=newborn", headers=headers)
        assert response.status_code == 200
        body = response.json()
        assert body["fields"]["newborn_name"]["value"] == "李沐阳"
        missing = {m["field"]: m for m in body["missing"]}
        assert missing["applicant_phone"]["reason"] == "source_unavailable"
        assert missing["mailing_address"]["department_name"] == "安吉县人力资源和社会保障局"
        status = {s["code"]: s["status"] for s in body["sources"]}
        assert status["social_insurance"] == "unavailable"


async def test_a_slow_source_does_not_hold_the_form_past_its_budget(
    settings: Settings, engine: AsyncEngine
) -> None:
    from demo_systems.app import create_app

    with ServerThread(create_app(generated=20, latency_ms={"health": 8000})) as slow:
        async with platform(
            settings, exchange_base_url=slow.url, prefill_budget_seconds=1.5
        ) as client:
            headers = await sign_in(client, "citizen1")
            await consent(client, headers)
            started = time.perf_counter()
            response = await client.get("/api/v1/prefill?bundle=newborn", headers=headers)
            elapsed = time.perf_counter() - started
    assert response.status_code == 200
    body = response.json()
    # the budget is 1.5 s (room for the other sources on a loaded test machine);
    # the slow source would take 8 s
    assert elapsed < 5.0
    assert body["fields"]["applicant_phone"]["value"] == "13905721001"
    missing = {m["field"]: m["reason"] for m in body["missing"]}
    assert missing["newborn_name"] == "source_timeout"


async def test_a_failing_source_is_left_alone_once_its_circuit_opens(
    settings: Settings, engine: AsyncEngine
) -> None:
    closed = f"http://127.0.0.1:{free_port()}/health/birth-records"
    async with platform(
        settings, source_endpoints={"birth_records": closed}, source_failure_threshold=2
    ) as client:
        headers = await sign_in(client, "citizen1")
        await consent(client, headers)
        statuses = []
        for _ in range(3):
            body = (await client.get("/api/v1/prefill?bundle=newborn", headers=headers)).json()
            statuses.append({s["code"]: s["status"] for s in body["sources"]}["birth_records"])
    assert statuses == ["unavailable", "unavailable", "circuit_open"]


async def test_the_data_quality_report_counts_what_was_cleaned(client: httpx.AsyncClient) -> None:
    headers = await sign_in(client, "citizen1")
    await consent(client, headers)
    await client.get("/api/v1/prefill?bundle=newborn", headers=headers)
    citizen = await client.get("/api/v1/data-sources/social_insurance/quality", headers=headers)
    assert citizen.status_code == 403
    staff = await sign_in(client, "staff-hrss")
    report = await client.get("/api/v1/data-sources/social_insurance/quality", headers=staff)
    assert report.status_code == 200
    numbers = report.json()
    assert numbers["reads"] == 1
    assert numbers["records_read"] == 1
    assert numbers["values_read"] == 2
    assert numbers["values_cleaned"] >= 1
    assert numbers["cleaned_by_rule"]["fullwidth"] >= 1
    assert numbers["values_rejected"] == 0


async def test_prefills_waiting_on_slow_departments_hold_up_no_one_else(
    settings: Settings, engine: AsyncEngine
) -> None:
    # In a crisis the departments' systems slow down just as everyone applies. A prefill waits
    # for them holding nothing of the database, so others are answered meanwhile: with more
    # prefills waiting than either pool has connections, a signed-in person's account still
    # loads before any of those prefills is back.
    from demo_systems.app import create_app, parse_latency

    crowd = 24  # more than the pool's connections (SQLite 15, PostgreSQL 20)
    with ServerThread(create_app(generated=20, latency_ms=parse_latency("1500"))) as slow:
        # a budget well past the departments' 1.5 s: every answer counts, however loaded the
        # machine running the test is
        async with platform(
            settings, exchange_base_url=slow.url, prefill_budget_seconds=5
        ) as client:
            headers = await sign_in(client, "citizen1")
            await consent(client, headers)
            prefills = [
                asyncio.create_task(client.get("/api/v1/prefill?bundle=newborn", headers=headers))
                for _ in range(crowd)
            ]
            await asyncio.sleep(0.3)  # the departments are being asked
            me = await client.get("/api/v1/me", headers=headers)
            still_waiting = sum(not p.done() for p in prefills)
            answers = await asyncio.gather(*prefills)
    assert me.status_code == 200
    assert still_waiting == crowd
    assert [a.status_code for a in answers] == [200] * crowd
    assert all(a.json()["fields"]["newborn_name"]["value"] for a in answers)
