"""The one app: every system's health check, deterministic data, latency injection."""

from __future__ import annotations

import time

import httpx
import pytest
import yaml
from fastapi import FastAPI

from demo_systems import health, hrss, market, realestate, world
from demo_systems.app import create_app, parse_latency
from demo_systems.people import legacy_number
from demo_systems.world import DEFAULT_ACCOUNTS, World

PREFIXES = ("population", "market", "realestate", "hrss", "health")


@pytest.mark.anyio
@pytest.mark.parametrize("path", ["/healthz", *(f"/{p}/healthz" for p in PREFIXES)])
async def test_every_system_has_a_health_check(http: httpx.AsyncClient, path: str) -> None:
    response = await http.get(path)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_same_size_gives_the_same_county(county: World) -> None:
    again = world.build(generated=300)
    for records in (
        market.enterprise_records,
        market.name_reservations,
        realestate.export,
        hrss.records,
        health.births,
        health.health_certificates,
    ):
        assert records(again) == records(county)


def test_the_fixtures_agree_with_the_demo_accounts(county: World) -> None:
    accounts = yaml.safe_load(DEFAULT_ACCOUNTS.read_text(encoding="utf-8"))
    (enterprise,) = accounts["enterprises"]
    (fixed,) = county.fixed_enterprises
    assert (fixed.uscc, fixed.name) == (enterprise["uscc"], enterprise["name"])
    assert (fixed.legal_rep_name, fixed.legal_rep_id) == (
        enterprise["legal_representative"]["name"],
        enterprise["legal_representative"]["id_number"],
    )
    names = {p.id_number: p.plain_name for p in county.fixed_people}
    for row in county.fixtures["hrss"]:
        assert names[row["person"]["aac002"]] == row["person"]["aac003"]
    for birth in county.fixtures["health"]["births"]:
        for parent in (birth["mother"], birth["father"]):
            assert names[parent["id_no"]] == parent["name"]


@pytest.mark.anyio
async def test_synthetic_people_are_in_the_population_registry_too(
    http: httpx.AsyncClient, county: World
) -> None:
    owner = next(
        r
        for r in realestate.rows(county)
        if r["证件种类"] == "身份证"
        and len(r["证件号码"]) == 18
        and r["证件号码"] not in {p.id_number for p in county.fixed_people}
    )
    number = owner["证件号码"]
    registered = next(p for p in county.people if p.id_number == number)
    if registered.legacy_id:
        number = legacy_number(number)
    response = await http.get("/population/v1/persons", params={"idCardNo": number})
    assert response.json()["code"] == "0000"


def test_latency_is_parsed_for_all_or_per_prefix() -> None:
    assert parse_latency("") == {}
    assert parse_latency("50") == {"*": 50.0}
    assert parse_latency("population=50, market=20") == {"population": 50.0, "market": 20.0}
    assert parse_latency("10,hrss=200") == {"*": 10.0, "hrss": 200.0}


async def timed_get(app: FastAPI, path: str, **params: str) -> float:
    """Seconds one request to the app took."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://demo-systems") as client:
        started = time.perf_counter()
        assert (await client.get(path, params=params)).status_code == 200
        return time.perf_counter() - started


@pytest.mark.anyio
async def test_injected_latency_delays_answers_but_not_health_checks() -> None:
    # a second of latency, so that a loaded test machine is not mistaken for it
    app = create_app(generated=20, latency_ms={"market": 1000, "hrss": 0})
    assert await timed_get(app, "/market/services/EntInfo", uniscid="x") >= 0.99
    assert await timed_get(app, "/market/healthz") < 0.99
    assert await timed_get(app, "/hrss/api/v2/insured", aac002="x") < 0.99


@pytest.mark.anyio
async def test_latency_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_LATENCY_MS", "population=10,health=200")
    app = create_app(generated=20)
    assert await timed_get(app, "/health/birth-records", parent_id_no="x") >= 0.2
