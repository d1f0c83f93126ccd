"""The portal's pages over HTTP, without a browser: forms, CSRF, cookies, redirects."""

from __future__ import annotations

import re

import httpx
import pytest

pytestmark = pytest.mark.anyio


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "form has no CSRF token"
    return match.group(1)


async def test_home_is_chinese_first_and_english_on_request(client: httpx.AsyncClient) -> None:
    zh = await client.get("/")
    assert zh.status_code == 200
    assert '<html lang="zh-CN"' in zh.text and "一网通办" in zh.text
    assert "安吉县市场监督管理局" in zh.text
    switched = await client.get("/lang/en", params={"next": "/"}, follow_redirects=True)
    assert '<html lang="en"' in switched.text
    assert "Anji County Administration for Market Regulation" in switched.text
    # The choice is remembered on the next page.
    assert '<html lang="en"' in (await client.get("/login")).text


async def test_sign_in_with_the_form_then_sign_out(client: httpx.AsyncClient) -> None:
    page = await client.get("/login")
    token = csrf_from(page.text)
    response = await client.post(
        "/login",
        data={
            "username": "citizen1",
            "password": "yiwang-demo",
            "csrf_token": token,
            "next": "/me",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/me"
    cookie = response.headers["set-cookie"]
    assert "yiwang_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    me = await client.get("/me")
    assert "李*" in me.text
    assert "330523********2317" in me.text
    assert "330523199003072317" not in me.text and "李明" not in me.text
    out = await client.post("/logout", data={"csrf_token": csrf_from(me.text)})
    assert out.status_code == 303
    after = await client.get("/me")
    assert after.status_code == 303 and after.headers["location"].startswith("/login")


async def test_a_form_without_the_right_csrf_token_is_refused(client: httpx.AsyncClient) -> None:
    await client.get("/login")
    response = await client.post(
        "/login", data={"username": "citizen1", "password": "yiwang-demo", "csrf_token": "forged"}
    )
    assert response.status_code == 403
    assert "页面已过期" in response.text
    assert "yiwang_session" not in response.headers.get("set-cookie", "")


async def test_wrong_password_on_the_form_says_so_and_keeps_the_name(
    client: httpx.AsyncClient,
) -> None:
    token = csrf_from((await client.get("/login")).text)
    response = await client.post(
        "/login", data={"username": "citizen1", "password": "wrong-pass-1", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "账号或密码不正确" in response.text
    assert 'value="citizen1"' in response.text


async def test_registration_form_shows_each_error_beside_its_field(
    client: httpx.AsyncClient,
) -> None:
    token = csrf_from((await client.get("/register")).text)
    response = await client.post(
        "/register",
        data={
            "name": "赵敏",
            "id_number": "330523199512120023",
            "phone": "123",
            "password": "abc",
            "csrf_token": token,
        },
    )
    assert response.status_code == 422
    html = response.text
    for field in ("id_number", "phone", "password"):
        assert f'id="{field}-error"' in html
    assert 'aria-invalid="true"' in html
    assert "校验位" in html
    assert 'value="赵敏"' in html  # what was typed is kept, except the password


# Someone the demo population registry knows, registering on the page.
ZHOU_YUTONG = {
    "name": "周雨桐",
    "id_number": "330523199301014529",
    "phone": "13612345678",
    "password": "bamboo-2026",
}


async def test_registering_on_the_page_signs_you_in(client: httpx.AsyncClient) -> None:
    token = csrf_from((await client.get("/register")).text)
    response = await client.post(
        "/register",
        data={**ZHOU_YUTONG, "csrf_token": token},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "周**" in response.text and "注册成功" in response.text


async def test_an_account_stored_without_its_session_is_sent_to_sign_in(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The account and the browser's session are stored one after the other. If the session
    # cannot be (the database refuses it), the person is not shown an error for a registration
    # that worked: they are sent to sign in, and welcomed after it.
    from sqlalchemy.exc import OperationalError

    from yiwang.identity import service as identity

    async def refused(*args: object, **kwargs: object) -> None:
        raise OperationalError("INSERT INTO sessions", {}, Exception("database is locked"))

    token = csrf_from((await client.get("/register")).text)
    with monkeypatch.context() as patch:
        patch.setattr(identity, "start_session", refused)
        response = await client.post(
            "/register",
            data={**ZHOU_YUTONG, "csrf_token": token},
        )
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/me"
    form = await client.get("/login?next=/me")
    signed_in = await client.post(
        "/login",
        data={
            "csrf_token": csrf_from(form.text),
            "username": ZHOU_YUTONG["phone"],
            "password": ZHOU_YUTONG["password"],
            "next": "/me",
        },
        follow_redirects=True,
    )
    assert signed_in.status_code == 200
    assert "周**" in signed_in.text and "注册成功" in signed_in.text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
async def test_redirects_stay_on_this_site(client: httpx.AsyncClient, target: str) -> None:
    response = await client.get("/lang/en", params={"next": target})
    assert response.headers["location"] == "/"


async def test_elder_mode_is_remembered(client: httpx.AsyncClient) -> None:
    await client.get("/elder", params={"on": 1, "next": "/"})
    assert 'class="elder"' in (await client.get("/")).text
    await client.get("/elder", params={"on": 0, "next": "/"})
    assert 'class="elder"' not in (await client.get("/")).text


async def test_assets_are_served_locally(client: httpx.AsyncClient) -> None:
    html = (await client.get("/")).text
    for path in re.findall(r'(?:href|src)="(/static/[^"]+)"', html):
        assert (await client.get(path)).status_code == 200, path
    assert "http://" not in re.sub(r'href="http://testserver', "", html).split("<body")[0]


async def test_signing_in_ends_the_browsers_old_session_and_renews_the_csrf_token(
    client: httpx.AsyncClient,
) -> None:
    async def sign_in_with_form(username: str, token: str) -> None:
        response = await client.post(
            "/login", data={"username": username, "password": "yiwang-demo", "csrf_token": token}
        )
        assert response.status_code == 303

    await sign_in_with_form("citizen1", csrf_from((await client.get("/login")).text))
    [cookie] = [c for c in client.cookies.jar if c.name == "yiwang_session"]
    planted, domain = cookie.value, cookie.domain
    client.cookies.delete("yiwang_session")
    old_csrf = csrf_from((await client.get("/login")).text)
    # A session cookie left in the browser (or planted in it) is ended by the next sign-in.
    client.cookies.set("yiwang_session", planted, domain=domain)
    await sign_in_with_form("citizen2", old_csrf)
    assert client.cookies["yiwang_csrf"] != old_csrf
    assert "王*" in (await client.get("/me")).text
    client.cookies.set("yiwang_session", planted, domain=domain)
    response = await client.get("/me")
    assert response.status_code == 303
