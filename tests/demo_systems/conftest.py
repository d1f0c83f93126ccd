"""The demo department systems in-process: one small county shared by every test here."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from demo_systems.app import create_app
from demo_systems.world import World

CITIZEN1 = "330523199003072317"
CITIZEN2 = "330523198506144023"
CITIZEN3 = "330523195809210012"
ZHOU_YUTONG = "330523199301014529"
ENTERPRISE1 = "91330523MA28C1K70K"
# A valid ID number of the demo county that no system holds.
NOBODY = "330523199512120030"


@pytest.fixture(scope="session")
def systems() -> FastAPI:
    return create_app(generated=300, latency_ms={})


@pytest.fixture(scope="session")
def county(systems: FastAPI) -> World:
    return systems.state.world


@pytest.fixture
async def http(systems: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=systems)
    async with httpx.AsyncClient(transport=transport, base_url="http://demo-systems") as client:
        yield client
