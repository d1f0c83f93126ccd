"""A crowd signing in at once (a new subsidy opens at nine): each person is signed in or told at
once when to try again; nobody waits out a timeout, and nothing is counted against anyone."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import DEMO_PASSWORD
from tests.conftest import sign_in as sign_in_as
from tests.web.test_pages import csrf_from
from yiwang.config import Settings
from yiwang.identity.models import accounts, login_failures, sessions

pytestmark = pytest.mark.anyio

CROWD = 40  # more than the database pool's connections (SQLite 15, PostgreSQL 20) at once


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # One password checked at a time and two waiting (the platform's defaults, pinned here).
    return settings.model_copy(
        update={"password_hashers": 1, "sign_ins_waiting": 2, "retry_after_seconds": 1}
    )


async def sessions_of(engine: AsyncEngine, username: str) -> int:
    async with engine.connect() as conn:
        query = (
            sa.select(sa.func.count())
            .select_from(sessions.join(accounts, accounts.c.id == sessions.c.account_id))
            .where(accounts.c.username == username)
        )
        return (await conn.execute(query)).scalar_one()


async def test_a_crowd_signing_in_at_once_is_signed_in_or_told_when_to_retry(
    client: httpx.AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    async def sign_in() -> httpx.Response:
        return await client.post(
            "/api/v1/auth/token",
            data={"username": "citizen2", "password": DEMO_PASSWORD},
        )

    answers = await asyncio.gather(*(sign_in() for _ in range(CROWD)))
    assert {a.status_code for a in answers} <= {200, 503}
    signed_in = [a.json()["access_token"] for a in answers if a.status_code == 200]
    refused = [a for a in answers if a.status_code == 503]
    # The process checks one password at a time and holds two more: the rest hear at once.
    assert len(signed_in) >= settings.password_hashers + settings.sign_ins_waiting
    assert refused
    for answer in refused:
        assert answer.json()["error"]["code"] == "sign_in_busy"
        assert answer.json()["error"]["message"] == "登录和注册的人较多，请 1 秒后再试。"
        assert answer.headers["retry-after"] == "1"
    # Every token handed out works, each is one session, and a refusal is no failed attempt.
    for token in signed_in:
        me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
    assert await sessions_of(engine, "citizen2") == len(signed_in)
    async with engine.connect() as conn:
        failures = await conn.execute(sa.select(sa.func.count()).select_from(login_failures))
        assert failures.scalar_one() == 0
    # Once the crowd has gone, the next person signs in as usual.
    assert (await sign_in()).status_code == 200


async def test_while_the_crowd_is_in_the_rest_of_the_platform_answers(
    client: httpx.AsyncClient,
) -> None:
    # A sign-in waits for its password check holding nothing another request needs: someone
    # already signed in reads their account (a database read) while forty sign-ins are in.
    headers = await sign_in_as(client, "citizen1")
    crowd = [
        asyncio.create_task(
            client.post(
                "/api/v1/auth/token",
                data={"username": "citizen3", "password": DEMO_PASSWORD},
            )
        )
        for _ in range(CROWD)
    ]
    await asyncio.sleep(0.05)
    me = await asyncio.wait_for(client.get("/api/v1/me", headers=headers), timeout=5)
    assert me.status_code == 200
    assert {a.status_code for a in await asyncio.gather(*crowd)} <= {200, 503}


async def test_the_sign_in_page_says_when_to_retry(client: httpx.AsyncClient) -> None:
    form = await client.get("/login")
    token = csrf_from(form.text)

    async def sign_in() -> httpx.Response:
        return await client.post(
            "/login",
            data={"csrf_token": token, "username": "citizen1", "password": DEMO_PASSWORD},
        )

    answers = await asyncio.gather(*(sign_in() for _ in range(CROWD)))
    assert {a.status_code for a in answers} <= {303, 503}
    busy = [a for a in answers if a.status_code == 503]
    assert busy and any(a.status_code == 303 for a in answers)
    page = busy[0]
    assert page.headers["retry-after"] == "1"
    assert "登录和注册的人较多，请 1 秒后再试。" in page.text
    assert re.search(r'name="username"[^>]*value="citizen1"', page.text)  # what was typed stays


async def test_more_sign_ins_than_pooled_connections_all_get_through(
    settings: Settings, engine: AsyncEngine
) -> None:
    # With room for the whole crowd to wait, every one is signed in: a sign-in reads the account
    # on its own unit's connection, not on a second one it would wait for while holding the first.
    from yiwang.main import create_app

    crowd = 24  # more than either pool's connections; two checks at once, so that the last
    # one's connection is not held past the pool's timeout on a loaded machine
    roomy = create_app(
        settings.model_copy(update={"sign_ins_waiting": crowd, "password_hashers": 2}),
        configure_logs=False,
    )
    async with roomy.router.lifespan_context(roomy):
        transport = httpx.ASGITransport(app=roomy, client=("203.0.113.9", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            answers = await asyncio.gather(
                *(
                    client.post(
                        "/api/v1/auth/token",
                        data={"username": "enterprise1", "password": DEMO_PASSWORD},
                    )
                    for _ in range(crowd)
                )
            )
    assert [a.status_code for a in answers] == [200] * crowd
    assert await sessions_of(engine, "enterprise1") == crowd


async def test_a_right_password_is_not_refused_when_the_upgrade_of_its_hash_finds_no_room(
    client: httpx.AsyncClient, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An account hashed with older, weaker parameters is rehashed when it signs in. If the gate
    # fills between the password's check and that rehash, the person is still signed in (the
    # old hash stays until a later sign-in); the page once answered 500 instead.
    from argon2 import PasswordHasher

    from yiwang.errors import Unavailable
    from yiwang.identity import passwords

    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(DEMO_PASSWORD)
    async with engine.begin() as conn:
        await conn.execute(
            sa.update(accounts).where(accounts.c.username == "citizen3").values(password_hash=weak)
        )

    async def no_room(password: str) -> str:
        raise Unavailable("sign_in_busy", params={"seconds": 1}, headers={"Retry-After": "1"})

    monkeypatch.setattr(passwords, "hash_password", no_room)
    form = await client.get("/login")
    answer = await client.post(
        "/login",
        data={
            "csrf_token": csrf_from(form.text),
            "username": "citizen3",
            "password": DEMO_PASSWORD,
        },
    )
    assert answer.status_code == 303
    assert (await client.get("/me")).status_code == 200
    async with engine.connect() as conn:
        stored = (
            await conn.execute(
                sa.select(accounts.c.password_hash).where(accounts.c.username == "citizen3")
            )
        ).scalar_one()
    assert stored == weak
