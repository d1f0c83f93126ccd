"""What operators rely on: health, readiness, metrics, request ids and JSON logs."""

from __future__ import annotations

import json
import logging

import httpx
import pytest

from yiwang.observability import configure_logging

pytestmark = pytest.mark.anyio


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["database"] == "ok"


async def test_readiness_fails_when_the_database_is_gone(
    client: httpx.AsyncClient, app, settings
) -> None:
    from yiwang.database import create_engine

    working = app.state.engine
    app.state.engine = create_engine("postgresql://nobody@127.0.0.1:9/none")
    try:
        response = await client.get("/readyz")
    finally:
        await app.state.engine.dispose()
        app.state.engine = working
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


async def test_metrics_count_requests_by_route_template(client: httpx.AsyncClient) -> None:
    await client.get("/api/v1/departments/samr")
    await client.get("/api/v1/departments/tax")
    await client.get("/api/v1/departments/nope")
    text = (await client.get("/metrics")).text
    series = 'yiwang_http_requests_total{method="GET",route="/api/v1/departments/{code}"'
    assert f'{series},status="200"}} 2.0' in text
    assert 'route="/api/v1/departments/{code}",status="404"} 1.0' in text
    assert "yiwang_http_request_duration_seconds_bucket" in text


async def test_every_response_carries_a_request_id(client: httpx.AsyncClient) -> None:
    first = await client.get("/healthz")
    second = await client.get("/healthz")
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
    forged = await client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
    assert forged.headers["x-request-id"] != "bad id\nwith newline"


def test_logs_are_json_with_the_request_id(capsys: pytest.CaptureFixture[str]) -> None:
    from yiwang.observability import request_id_var

    configure_logging(level="INFO", json_logs=True)
    token = request_id_var.set("req-42")
    try:
        logging.getLogger("yiwang.test").info("hello %s", "world")
    finally:
        request_id_var.reset(token)
        logging.getLogger().handlers.clear()
    line = capsys.readouterr().err.strip().splitlines()[-1]
    record = json.loads(line)
    assert record["message"] == "hello world"
    assert record["request_id"] == "req-42"
    assert record["level"] == "INFO"


async def test_openapi_documents_the_public_contract(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    for path in (
        "/api/v1/auth/token",
        "/api/v1/auth/register",
        "/api/v1/me",
        "/api/v1/departments",
        "/api/v1/regions/resolve",
        "/healthz",
        "/readyz",
    ):
        assert path in document["paths"], path
    schemes = document["components"]["securitySchemes"]
    assert schemes["OAuth2PasswordBearer"]["flows"]["password"]["tokenUrl"] == "/api/v1/auth/token"
    # The routes a surge repeats answer without FastAPI's serialisation; their document does not
    # change for it: the shape of the answer, the bearer token, no internal notes.
    for path, shape in (
        ("/api/v1/applications/{application_id}", "object"),
        ("/api/v1/tasks", "array"),
    ):
        get = document["paths"][path]["get"]
        schema = get["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema["type"] == shape, path
        assert get["security"] == [{"OAuth2PasswordBearer": []}], path
        assert "raw driver" not in get.get("description", ""), path


async def test_access_log_names_the_route_not_the_personal_data_in_the_path(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="yiwang.access"):
        await client.get("/api/v1/regions/resolve", params={"q": "330523199003072317"})
    [record] = [r for r in caplog.records if r.name == "yiwang.access"]
    assert record.route == "/api/v1/regions/resolve"
    assert record.status == 200
    assert record.request_id
    assert "330523199003072317" not in record.getMessage()
