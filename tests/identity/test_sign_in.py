"""Sign-in with tokens: roles, sign-out, expiry and throttling."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
import sqlalchemy as sa

from tests.conftest import sign_in
from yiwang.identity.models import sessions

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("username", "kind"),
    [
        ("citizen1", "citizen"),
        ("citizen2", "citizen"),
        ("citizen3", "citizen"),
        ("enterprise1", "enterprise"),
        ("admin", "admin"),
        ("staff-samr", "staff"),
        ("staff-civil", "staff"),
    ],
)
async def test_demo_accounts_sign_in(client: httpx.AsyncClient, username: str, kind: str) -> None:
    me = (await client.get("/api/v1/me", headers=await sign_in(client, username))).json()
    assert me["username"] == username
    assert me["kind"] == kind


async def test_every_department_has_a_staff_account_with_all_its_roles(
    client: httpx.AsyncClient,
) -> None:
    departments = (await client.get("/api/v1/departments")).json()
    for department in departments:
        me = (
            await client.get(
                "/api/v1/me", headers=await sign_in(client, f"staff-{department['code']}")
            )
        ).json()
        assert me["department"]["code"] == department["code"]
        assert sorted(me["roles"]) == sorted(role["code"] for role in department["roles"])


async def test_enterprise_account_carries_its_credit_code(client: httpx.AsyncClient) -> None:
    me = (await client.get("/api/v1/me", headers=await sign_in(client, "enterprise1"))).json()
    assert me["uscc"] == "91330523MA28C1K70K"
    assert me["enterprise_name"] == "安吉竹韵茶业有限公司"


async def test_wrong_password_is_401_with_a_message(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/token", data={"username": "citizen1", "password": "nope-nope-1"}
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


async def test_failed_sign_in_does_the_same_work_whether_or_not_the_account_exists(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Timing is what an attacker measures; its cause is whether an argon2 hash is verified.
    # Count the real verifications (the real hasher still runs) on both paths.
    from yiwang.identity import passwords

    verified: list[str] = []
    real_check = passwords.check_password

    def counting_check(hash_: str, password: str) -> bool:
        verified.append(hash_)
        return real_check(hash_, password)

    monkeypatch.setattr(passwords, "check_password", counting_check)
    for username in ("citizen2", "nobody-at-all"):
        response = await client.post(
            "/api/v1/auth/token", data={"username": username, "password": "wrong-pass-9"}
        )
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_credentials"
    assert len(verified) == 2
    # Both hashes carry the same argon2 cost parameters, so both checks take as long.
    assert verified[0].split("$")[1:4] == verified[1].split("$")[1:4]


async def test_signing_out_revokes_the_token(client: httpx.AsyncClient) -> None:
    headers = await sign_in(client, "citizen1")
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    response = await client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_token"


async def test_expired_token_is_401_token_expired(client: httpx.AsyncClient, engine) -> None:
    headers = await sign_in(client, "citizen1")
    async with engine.begin() as conn:
        await conn.execute(
            sa.update(sessions).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
        )
    response = await client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_expired"


async def test_me_without_a_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/me", headers={"Accept-Language": "en"})
    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "not_authenticated",
        "message": "Please sign in first.",
        "details": [],
    }


async def test_repeated_failures_lock_the_account_then_the_right_password_is_refused(
    client: httpx.AsyncClient,
) -> None:
    for _ in range(5):
        response = await client.post(
            "/api/v1/auth/token", data={"username": "citizen2", "password": "wrong-pass-9"}
        )
        assert response.status_code == 401
    response = await client.post(
        "/api/v1/auth/token", data={"username": "citizen2", "password": "yiwang-demo"}
    )
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "too_many_attempts"
    assert int(response.headers["retry-after"]) > 0
    # Other accounts from other addresses are unaffected.
    await sign_in(client, "citizen1")


async def test_one_address_guessing_many_accounts_is_throttled(
    client: httpx.AsyncClient, app
) -> None:
    app.state.settings = app.state.settings.model_copy(update={"login_max_failures_per_address": 4})
    for index in range(4):
        await client.post(
            "/api/v1/auth/token", data={"username": f"guess{index}", "password": "wrong-pass-9"}
        )
    response = await client.post(
        "/api/v1/auth/token", data={"username": "citizen1", "password": "yiwang-demo"}
    )
    assert response.status_code == 429


async def test_the_lockout_covers_every_name_of_the_account(client: httpx.AsyncClient) -> None:
    # citizen1 is also 13905721001 and 330523199003072317: guesses under any name count once.
    for name in ("citizen1", "13905721001", "330523199003072317", " citizen1 ", "13905721001"):
        response = await client.post(
            "/api/v1/auth/token", data={"username": name, "password": "wrong-pass-9"}
        )
        assert response.status_code == 401
    for name in ("citizen1", "13905721001", "330523199003072317"):
        response = await client.post(
            "/api/v1/auth/token", data={"username": name, "password": "yiwang-demo"}
        )
        assert response.status_code == 429, name


async def test_forwarded_for_headers_do_not_change_the_throttled_address(
    client: httpx.AsyncClient, app
) -> None:
    app.state.settings = app.state.settings.model_copy(update={"login_max_failures_per_address": 3})
    for index in range(3):
        await client.post(
            "/api/v1/auth/token",
            data={"username": f"guess{index}", "password": "wrong-pass-9"},
            headers={"X-Forwarded-For": f"198.51.100.{index}"},
        )
    response = await client.post(
        "/api/v1/auth/token",
        data={"username": "citizen1", "password": "yiwang-demo"},
        headers={"X-Forwarded-For": "198.51.100.99"},
    )
    assert response.status_code == 429
