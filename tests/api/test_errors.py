"""Bad input of every kind gets a clear 4xx with a code and a message, never a 500."""

from __future__ import annotations

import httpx
import pytest
import sqlalchemy as sa

from yiwang.identity.models import accounts

pytestmark = pytest.mark.anyio

GOOD = {
    "name": "赵敏",
    "id_number": "330523199512120022",
    "phone": "13812345678",
    "password": "bamboo-2026",
}


async def account_count(engine) -> int:
    async with engine.connect() as conn:
        return int(
            (await conn.execute(sa.select(sa.func.count()).select_from(accounts))).scalar_one()
        )


@pytest.mark.parametrize(
    ("content", "headers", "status", "code"),
    [
        (b'{"name": "\xe8\xb5\xb5', {"content-type": "application/json"}, 400, "malformed_json"),
        (b"{name: 1}", {"content-type": "application/json"}, 400, "malformed_json"),
        (b"[1, 2]", {"content-type": "application/json"}, 422, "validation_error"),
        (
            b'{"name": 5, "id_number": [], "phone": {}, "password": null}',
            {"content-type": "application/json"},
            422,
            "validation_error",
        ),
        (b"", {"content-type": "application/json"}, 422, "validation_error"),
    ],
)
async def test_malformed_bodies(
    client: httpx.AsyncClient, engine, content: bytes, headers, status: int, code: str
) -> None:
    before = await account_count(engine)
    response = await client.post("/api/v1/auth/register", content=content, headers=headers)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert await account_count(engine) == before


async def test_wrong_types_name_each_field(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/register", json={"name": 5, "id_number": [], "phone": "x", "password": "y"}
    )
    fields = {d["field"]: d["code"] for d in response.json()["error"]["details"]}
    assert fields == {"name": "wrong_type", "id_number": "wrong_type"}


async def test_unknown_and_missing_fields(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/register", json={**GOOD, "is_admin": True})
    assert response.status_code == 422
    assert response.json()["error"]["details"] == [
        {"field": "is_admin", "code": "unknown_field", "message": "不认识的字段。"}
    ]
    missing = await client.post(
        "/api/v1/auth/register", json={"name": "赵敏"}, headers={"Accept-Language": "en"}
    )
    details = missing.json()["error"]["details"]
    assert {d["field"] for d in details} == {"id_number", "phone", "password"}
    assert all(
        d["code"] == "field_required" and d["message"] == "This field is required." for d in details
    )


async def test_oversized_body_is_413_before_anything_is_read(
    client: httpx.AsyncClient, engine, settings
) -> None:
    huge = {**GOOD, "name": "赵" * (settings.max_body_bytes // 3 + 1000)}  # 3 bytes each
    before = await account_count(engine)  # the demo accounts only
    response = await client.post("/api/v1/auth/register", json=huge)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"
    assert await account_count(engine) == before


async def test_oversized_streamed_body_without_length_is_413(
    client: httpx.AsyncClient, settings
) -> None:
    async def chunks():
        for _ in range(settings.max_body_bytes // 65536 + 2):
            yield b"x" * 65536

    response = await client.post(
        "/api/v1/auth/register", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


async def test_overlong_field_is_422_too_long(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/auth/register", json={**GOOD, "name": "赵" * 61})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["code"] == "too_long"


async def test_sql_and_html_in_the_sign_in_name_are_just_wrong_credentials(
    client: httpx.AsyncClient,
) -> None:
    for username in ("' OR '1'='1", "<img src=x onerror=alert(1)>", "admin'--"):
        response = await client.post(
            "/api/v1/auth/token", data={"username": username, "password": "x' OR 1=1 --"}
        )
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_credentials"


async def test_token_endpoint_wants_a_form(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/token", json={"username": "citizen1", "password": "yiwang-demo"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


async def test_unknown_api_path_and_method_are_json(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    wrong = await client.delete("/api/v1/departments")
    assert wrong.status_code == 405
    assert wrong.json()["error"]["code"] == "method_not_allowed"


async def test_unknown_page_is_a_page_in_the_readers_language(client: httpx.AsyncClient) -> None:
    response = await client.get("/no-such-page", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "Nothing was found here." in response.text


async def test_bearer_garbage_is_401_not_500(client: httpx.AsyncClient) -> None:
    for value in ("Bearer", "Bearer     ", "Basic abc", "Bearer " + "x" * 5000):
        response = await client.get("/api/v1/me", headers={"Authorization": value})
        assert response.status_code == 401, value


async def test_a_body_that_is_not_json_is_415(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/register", content=b"name=x", headers={"content-type": "text/plain"}
    )
    assert response.status_code == 415, response.text
    assert response.json()["error"]["code"] == "unsupported_media_type"


@pytest.mark.parametrize(
    "path",
    ["/api/v1/departments/tax%00", "/api/v1/regions/resolve?q=%E5%AE%89%00", "/me%0a"],
)
async def test_control_characters_in_the_url_are_400(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_characters"


async def test_control_characters_in_a_sign_in_name_are_400_on_every_database(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/api/v1/auth/token", data={"username": "citizen1\x00", "password": "yiwang-demo"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_characters"


async def test_a_nul_byte_that_reaches_the_database_is_400_and_rolls_back(
    client: httpx.AsyncClient, engine
) -> None:
    # A name with a NUL fails the name check before any write; the phone path must too.
    before = await account_count(engine)
    response = await client.post(
        "/api/v1/auth/register", json={**GOOD, "name": "赵\x00敏", "phone": "138\x0012345678"}
    )
    assert response.status_code == 422
    assert {d["field"] for d in response.json()["error"]["details"]} == {"name", "phone"}
    assert await account_count(engine) == before


async def test_wrong_type_messages_are_entirely_in_the_readers_language(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/api/v1/auth/register", json={**GOOD, "name": 5})
    detail = response.json()["error"]["details"][0]
    assert detail == {"field": "name", "code": "wrong_type", "message": "格式不正确：应为文本。"}


async def test_405_says_which_methods_are_allowed(client: httpx.AsyncClient) -> None:
    response = await client.delete("/api/v1/departments")
    assert response.status_code == 405
    assert "GET" in response.headers["allow"]


async def test_an_unexpected_failure_is_a_sober_500_with_the_request_id(
    app, monkeypatch: pytest.MonkeyPatch
) -> None:
    from yiwang.catalog import service as catalog

    async def broken(db):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(catalog, "list_departments", broken)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        response = await c.get("/api/v1/departments", headers={"X-Request-ID": "req-500"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "req-500"
    error = response.json()["error"]
    assert error["code"] == "internal_error"
    assert "disk on fire" not in response.text
