"""实名注册 through the API, verified against the population registry over real HTTP."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest
import sqlalchemy as sa

from tests.conftest import sign_in
from yiwang.identity import passwords
from yiwang.identity.models import accounts

pytestmark = pytest.mark.anyio

ZHAO_MIN = {"name": "赵敏", "id_number": "330523199512120022", "phone": "13812345678"}


async def slow_registry(scope, receive, send, pause: float = 2.0):
    """A population registry that takes its time: a real HTTP server answering after 2 s that
    the name on every ID number is 赵敏."""
    if scope["type"] != "http":
        return
    await asyncio.sleep(pause)
    body = b'{"code": "0000", "data": {"fullName": "\\u8d75\\u654f"}}'
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})


class ParkedRegistry:
    """A population registry that holds every question until the test lets it answer: a real
    HTTP server that counts what it was asked, then says the name on every ID number is 赵敏."""

    def __init__(self) -> None:
        self.asked = 0
        self.answer = threading.Event()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        self.asked += 1
        await asyncio.to_thread(self.answer.wait, 60)
        await slow_registry(scope, receive, send, pause=0.0)


async def until(condition, seconds: float = 60.0) -> None:
    """Wait for ``condition()`` to hold (the crowd's passwords are hashed one at a time)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


def registration(i: int) -> dict[str, str]:
    """The i-th of a crowd of people all named 赵敏 (the registries here say so)."""
    return {
        "name": "赵敏",
        "id_number": _id_number(i),
        "phone": f"138{i:08d}",
        "password": "bamboo-2026",
    }


def send_crowd(client: httpx.AsyncClient, app, registry_url: str, crowd: int) -> list:
    """Registrations of ``crowd`` people at once, against the registry at ``registry_url``
    (given a minute to answer): their tasks, each the answer to one."""
    app.state.settings = app.state.settings.model_copy(
        update={"population_registry_url": registry_url, "connector_timeout_seconds": 60.0}
    )
    return [
        asyncio.create_task(client.post("/api/v1/auth/register", json=registration(i)))
        for i in range(crowd)
    ]


async def count_accounts(engine) -> int:
    async with engine.connect() as conn:
        return int(
            (await conn.execute(sa.select(sa.func.count()).select_from(accounts))).scalar_one()
        )


async def test_registered_citizen_can_sign_in_and_sees_masked_numbers(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/api/v1/auth/register", json={**ZHAO_MIN, "password": "bamboo-2026"}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["kind"] == "citizen"
    assert body["realname_verified"] is True
    assert body["id_number"] == "330523********0022"
    assert body["phone"] == "138****5678"

    headers = await sign_in(client, "13812345678", "bamboo-2026")
    me = (await client.get("/api/v1/me", headers=headers)).json()
    assert me["name"] == "赵敏"
    assert me["id"] == body["id"]
    # Signing in with the ID number works too.
    await sign_in(client, "330523199512120022", "bamboo-2026")


async def test_name_must_match_the_registry(client: httpx.AsyncClient, engine) -> None:
    before = await count_accounts(engine)
    response = await client.post(
        "/api/v1/auth/register", json={**ZHAO_MIN, "name": "赵明", "password": "bamboo-2026"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "realname_mismatch"
    assert "不一致" in response.json()["error"]["message"]
    assert await count_accounts(engine) == before


async def test_unknown_person_is_a_mismatch(client: httpx.AsyncClient) -> None:
    # A valid ID number of the demo county that the registry does not hold.
    response = await client.post(
        "/api/v1/auth/register",
        json={
            "name": "赵敏",
            "id_number": "330523199512120030",
            "phone": "13812345679",
            "password": "bamboo-2026",
        },
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "realname_mismatch"


async def test_traditional_and_pinyin_names_in_the_registry_are_cleaned(
    client: httpx.AsyncClient,
) -> None:
    # The registry holds 張強 and 孫(sūn)建華; people type their names in simplified characters.
    for name, id_number, phone in (
        ("张强", "330523200101150038", "13812340001"),
        ("孙建华", "330523197004202313", "13812340002"),
    ):
        response = await client.post(
            "/api/v1/auth/register",
            json={"name": name, "id_number": id_number, "phone": phone, "password": "bamboo-2026"},
        )
        assert response.status_code == 201, response.text


async def test_legacy_fifteen_digit_number_is_upgraded(client: httpx.AsyncClient) -> None:
    # 钱伟 330523198808081216 — his old 15-digit number drops the century and the check character.
    response = await client.post(
        "/api/v1/auth/register",
        json={
            "name": "钱伟",
            "id_number": "330523880808121",
            "phone": "13812340003",
            "password": "bamboo-2026",
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["id_number"] == "330523********1216"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("id_number", "330523199512120023", "invalid_id_number"),  # wrong check character
        ("id_number", "33052319950230002X", "invalid_id_number"),  # 30 February
        ("id_number", "999999199512120022", "invalid_id_number"),  # no such division
        ("id_number", "hello", "invalid_id_number"),
        ("phone", "12812345678", "invalid_phone"),
        ("phone", "1381234567", "invalid_phone"),
        ("password", "12345678", "weak_password"),
        ("password", "short1", "weak_password"),
        ("password", "x13812345678", "weak_password"),  # built on the phone number
        ("name", "<script>alert(1)</script>", "invalid_name"),
        ("name", "Robert'); DROP TABLE accounts;--", "invalid_name"),
    ],
)
async def test_bad_fields_are_422_with_a_code_per_field(
    client: httpx.AsyncClient, engine, field: str, value: str, code: str
) -> None:
    before = await count_accounts(engine)
    payload = {**ZHAO_MIN, "password": "bamboo-2026", field: value}
    response = await client.post("/api/v1/auth/register", json=payload)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert [d["field"] for d in error["details"]] == [field]
    assert error["details"][0]["message"]
    assert await count_accounts(engine) == before


async def test_id_number_errors_say_what_is_wrong_in_english_too(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/auth/register",
        json={**ZHAO_MIN, "id_number": "33052319950230002X", "password": "bamboo-2026"},
        headers={"Accept-Language": "en-GB,en;q=0.9"},
    )
    detail = response.json()["error"]["details"][0]
    assert detail["code"] == "invalid_id_number"
    assert "birth date" in detail["message"]


async def test_second_registration_for_the_same_person_is_refused(
    client: httpx.AsyncClient,
) -> None:
    payload = {**ZHAO_MIN, "password": "bamboo-2026"}
    assert (await client.post("/api/v1/auth/register", json=payload)).status_code == 201
    again = await client.post("/api/v1/auth/register", json={**payload, "phone": "13912345678"})
    assert again.status_code == 422
    assert again.json()["error"]["code"] == "account_exists"
    # citizen1's person is already registered as a demo account.
    demo = await client.post(
        "/api/v1/auth/register",
        json={
            "name": "李明",
            "id_number": "330523199003072317",
            "phone": "13700000000",
            "password": "bamboo-2026",
        },
    )
    assert demo.json()["error"]["code"] == "account_exists"


async def test_registry_down_is_503_and_writes_nothing(
    client: httpx.AsyncClient, app, engine
) -> None:
    app.state.settings = app.state.settings.model_copy(
        update={"population_registry_url": "http://127.0.0.1:9/population"}
    )
    before = await count_accounts(engine)
    response = await client.post(
        "/api/v1/auth/register", json={**ZHAO_MIN, "password": "bamboo-2026"}
    )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "registry_unavailable"
    assert response.headers["retry-after"]
    assert await count_accounts(engine) == before


class FailingRegistry:
    """A population registry that is up but broken: a real HTTP server answering 500 to every
    question, and counting them."""

    def __init__(self) -> None:
        self.asked = 0

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        self.asked += 1
        await send({"type": "http.response.start", "status": 500, "headers": []})
        await send({"type": "http.response.body", "body": b"internal error"})


async def test_a_registry_that_keeps_failing_is_left_alone_for_a_while(
    client: httpx.AsyncClient, app, engine
) -> None:
    # After the registry has failed as many times running as a department system may (five by
    # default), registration says at once that it cannot be reached and when to come back,
    # without asking it again and without hashing anyone's password for nothing.
    from tests.conftest import ServerThread

    settings = app.state.settings
    before = await count_accounts(engine)
    registry = FailingRegistry()
    with ServerThread(registry) as server:
        app.state.settings = settings.model_copy(update={"population_registry_url": server.url})
        for i in range(settings.source_failure_threshold):
            response = await client.post("/api/v1/auth/register", json=registration(i))
            assert response.status_code == 503
            assert response.json()["error"]["code"] == "registry_unavailable"
        assert registry.asked == settings.source_failure_threshold
        response = await client.post(
            "/api/v1/auth/register",
            json=registration(99),
            headers={"Accept-Language": "en"},
        )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "registry_unavailable"
    assert "population registry cannot be reached" in response.json()["error"]["message"]
    assert 1 <= int(response.headers["Retry-After"]) <= settings.source_recovery_seconds
    assert registry.asked == settings.source_failure_threshold  # not asked this time
    assert await count_accounts(engine) == before


async def test_registered_citizens_get_an_opaque_username_not_their_phone(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/api/v1/auth/register", json={**ZHAO_MIN, "password": "bamboo-2026"}
    )
    username = response.json()["username"]
    assert "13812345678" not in username and "330523" not in username


async def test_the_password_is_taken_exactly_as_typed(client: httpx.AsyncClient) -> None:
    password = "  bamboo-2026  "
    response = await client.post("/api/v1/auth/register", json={**ZHAO_MIN, "password": password})
    assert response.status_code == 201
    await sign_in(client, "13812345678", password)
    trimmed = await client.post(
        "/api/v1/auth/token", data={"username": "13812345678", "password": "bamboo-2026"}
    )
    assert trimmed.status_code == 401


async def test_fields_are_trimmed_but_names_are_compared_as_the_registry_would(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/api/v1/auth/register",
        json={
            "name": " 赵敏 ",
            "id_number": " 330523199512120022 ",
            "phone": "+86 138-1234-5678",
            "password": "bamboo-2026",
        },
    )
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "赵敏"


async def test_repeated_mismatches_for_one_id_number_are_throttled(
    client: httpx.AsyncClient,
) -> None:
    for guess in ("赵一", "赵二", "赵三", "赵四", "赵五"):
        response = await client.post(
            "/api/v1/auth/register", json={**ZHAO_MIN, "name": guess, "password": "bamboo-2026"}
        )
        assert response.json()["error"]["code"] == "realname_mismatch"
    response = await client.post(
        "/api/v1/auth/register", json={**ZHAO_MIN, "password": "bamboo-2026"}
    )
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "too_many_attempts"


async def test_a_slow_registry_does_not_hold_up_other_peoples_sign_in(
    client: httpx.AsyncClient, app
) -> None:
    # A registry that takes its time: a real HTTP server that answers after a pause.
    from tests.conftest import ServerThread

    finished: list[str] = []

    with ServerThread(slow_registry) as registry:
        app.state.settings = app.state.settings.model_copy(
            update={"population_registry_url": registry.url, "connector_timeout_seconds": 10.0}
        )

        async def register() -> None:
            response = await client.post(
                "/api/v1/auth/register", json={**ZHAO_MIN, "password": "bamboo-2026"}
            )
            assert response.status_code == 201, response.text
            finished.append("registration")

        async def sign_in_meanwhile() -> None:
            await asyncio.sleep(0.3)
            await sign_in(client, "citizen2")
            finished.append("sign-in")

        await asyncio.gather(register(), sign_in_meanwhile())
    assert finished == ["sign-in", "registration"]


def _id_number(serial: int) -> str:
    """A valid 18-digit number of 安吉县, born 1995-12-12 (GB 11643 check digit)."""
    body = f"33052319951212{serial:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


async def test_a_crowd_registering_while_the_registry_is_slow_holds_up_no_one_else(
    client: httpx.AsyncClient, app, engine
) -> None:
    # More registrations waiting on a slow registry than the database pool has connections: a
    # signed-in person's account still loads while every one of them waits, because a
    # registration holds nothing of the database while the registry answers.
    from tests.conftest import ServerThread

    crowd = 24  # more than the pool's connections (SQLite 15, PostgreSQL 20)
    headers = await sign_in(client, "citizen2")
    before = await count_accounts(engine)
    # Room in the password gate for all of them: each is hashed, then asks the registry.
    passwords.configure(hashers=1, waiting=crowd, retry_after=1)
    registry = ParkedRegistry()
    try:
        with ServerThread(registry) as server:
            registrations = send_crowd(client, app, server.url, crowd)
            try:
                await until(lambda: registry.asked == crowd)
                me = await client.get("/api/v1/me", headers=headers)
                still_waiting = sum(not r.done() for r in registrations)
            finally:
                registry.answer.set()
            answers = await asyncio.gather(*registrations)
    finally:
        passwords.configure(hashers=1, waiting=2, retry_after=1)
    assert me.status_code == 200
    assert still_waiting == crowd
    assert [a.status_code for a in answers] == [201] * crowd
    assert await count_accounts(engine) == before + crowd


async def test_a_crowd_registering_at_once_is_turned_away_before_the_registry_is_asked(
    client: httpx.AsyncClient, app, engine
) -> None:
    # One password hashed at a time and two waiting (the defaults): a crowd of twelve at once.
    # Those the gate has no room for are told at once when to come back, while the registry,
    # another department's system, has not been asked about them, and never is.
    from tests.conftest import ServerThread

    crowd = 12
    before = await count_accounts(engine)
    passwords.configure(hashers=1, waiting=2, retry_after=1)
    registry = ParkedRegistry()
    with ServerThread(registry) as server:
        registrations = send_crowd(client, app, server.url, crowd)
        try:
            await until(lambda: registry.asked + sum(r.done() for r in registrations) == crowd)
            turned_away = [r.result() for r in registrations if r.done()]
            asked_while_holding = registry.asked
        finally:
            registry.answer.set()
        answers = await asyncio.gather(*registrations)
    assert turned_away, "the gate had room for all twelve"
    for answer in turned_away:
        assert answer.status_code == 503
        assert answer.json()["error"]["code"] == "sign_in_busy"
        assert answer.headers["Retry-After"] == "1"
    registered = [a for a in answers if a.status_code == 201]
    assert len(registered) + len(turned_away) == crowd
    assert registry.asked == asked_while_holding == len(registered)
    assert await count_accounts(engine) == before + len(registered)
