"""The portal in a real browser: Debian's Chromium, driven by Playwright, against the platform
served for real by uvicorn and verifying people against the demo population registry over HTTP.

Each test is what a person would do, and asserts what that person would see."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Locator,
    Page,
    Request,
    Response,
    expect,
    sync_playwright,
)

from tests.conftest import ServerThread
from yiwang.config import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE_VIEWPORT = {"width": 360, "height": 740}

# One of the registry_only people of definitions/demo/accounts.yaml: known to the population
# registry, no account yet.
NAME = "周雨桐"
MASKED_NAME = "周**"
ID_NUMBER = "330523199301014529"
MASKED_ID_NUMBER = "330523********4529"
PHONE = "13612345678"
MASKED_PHONE = "136****5678"
PASSWORD = "Bamboo-tea-2024"

pytestmark = pytest.mark.browser


@pytest.fixture
def portal(seeded_database: Settings) -> Iterator[ServerThread]:
    """The platform, served for real on a loopback port over a clean, seeded database."""
    from yiwang.main import create_app

    with ServerThread(create_app(seeded_database, configure_logs=False)) as server:
        yield server


@pytest.fixture
def chromium() -> Path:
    """Debian's Chromium (Playwright's own browser downloads are not used)."""
    if not CHROMIUM.exists():
        reason = f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture
def browser(chromium: Path, portal: ServerThread) -> Iterator[Browser]:
    """The browser, started after the database is seeded (and stopped first): Playwright's sync
    API keeps an event loop running in this thread, and asyncio.run() refuses to run beside it."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


SUBRESOURCES = {"stylesheet", "script", "image", "font"}


def open_page(browser: Browser, portal: ServerThread, **options: Any) -> Iterator[Page]:
    """A fresh browser profile (no cookies) on the portal, set up like a browser in China; the
    test fails on any script error or stylesheet, script, image or font that does not load."""
    context = browser.new_context(base_url=portal.url, locale="zh-CN", **options)
    page = context.new_page()
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        # Chromium and htmx log every 4xx, but a refused form is normal (the test asserts what
        # the person sees instead) and a broken subresource is caught by on_response.
        expected = ("Failed to load resource", "Response Status Error Code 4")
        if message.type == "error" and not message.text.startswith(expected):
            problems.append(f"console error: {message.text}")

    def on_response(response: Response) -> None:
        if response.status >= 400 and response.request.resource_type in SUBRESOURCES:
            problems.append(f"{response.status} for {response.url}")

    def on_request_failed(request: Request) -> None:
        problems.append(f"request failed: {request.method} {request.url}: {request.failure}")

    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", on_console)
    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    try:
        yield page
        assert not problems, problems
    finally:
        context.close()


@pytest.fixture
def page(browser: Browser, portal: ServerThread) -> Iterator[Page]:
    """A desktop-sized browser window."""
    yield from open_page(browser, portal)


@pytest.fixture
def phone_page(browser: Browser, portal: ServerThread) -> Iterator[Page]:
    """A phone-sized browser window, 360 × 740."""
    yield from open_page(browser, portal, viewport=PHONE_VIEWPORT, is_mobile=True)


def path_is(path: str, query: str | None = None) -> re.Pattern[str]:
    """A URL on the portal with exactly this path (and this query, if given)."""
    tail = re.escape(f"?{query}") if query is not None else r"(\?.*)?"
    return re.compile(rf"^http://127\.0\.0\.1:\d+{re.escape(path)}{tail}$")


def field(page: Page, label: str) -> Locator:
    """A form field by its label, exactly as a person (or a screen reader) reads it."""
    return page.get_by_label(label, exact=True)


def register(page: Page, *, name: str, id_number: str, phone: str, password: str) -> None:
    """Open 实名注册 from the header and fill in the form as a person would."""
    page.get_by_role("navigation").get_by_role("link", name="实名注册").click()
    expect(page).to_have_url(path_is("/register"))
    expect(page.get_by_role("heading", level=1)).to_have_text("实名注册")
    field(page, "姓名").fill(name)
    field(page, "公民身份号码").fill(id_number)
    field(page, "手机号码").fill(phone)
    field(page, "设置密码").fill(password)
    page.get_by_role("button", name="核验并注册").click()


def sign_in(page: Page, *, username: str, password: str, submit: str) -> None:
    """Fill in the sign-in form and press its button (labelled in the page's language)."""
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.get_by_role("button", name=submit, exact=True).click()


def test_register_switch_language_sign_out_and_in_again(phone_page: Page, tmp_path: Path) -> None:
    page = phone_page

    # 1. The portal, in Chinese.
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", level=1)).to_have_text("一网通办，一次办好")
    expect(page.locator("#login-link")).to_have_text("登录")

    # 2. 实名注册 as a person the population registry knows.
    register(page, name=NAME, id_number=ID_NUMBER, phone=PHONE, password=PASSWORD)

    # 3. Signed in on my account page, seeing only masked numbers.
    expect(page).to_have_url(path_is("/me"))
    expect(page.get_by_role("heading", level=1)).to_have_text("我的账号")
    expect(page.get_by_role("status")).to_have_text("注册成功，已通过实名核验。")
    expect(page.locator("#account-name")).to_have_text(f"您好，{MASKED_NAME}")
    expect(page.locator("#me-name")).to_have_text(MASKED_NAME)
    expect(page.locator("#me-id-number")).to_have_text(MASKED_ID_NUMBER)
    expect(page.get_by_text(MASKED_PHONE, exact=True)).to_be_visible()
    expect(page.locator("#logout")).to_have_text("退出")
    expect(page.locator("#login-link")).to_have_count(0)
    html = page.content()
    assert ID_NUMBER not in html
    assert NAME not in html
    assert PHONE not in html
    screenshot = tmp_path / "me.png"
    page.screenshot(path=screenshot, full_page=True)
    assert screenshot.stat().st_size > 0

    # 4. English, and it sticks.
    page.locator("#lang-switch").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My account")
    expect(page.locator("#logout")).to_have_text("Sign out")
    expect(page.locator("#account-name")).to_have_text(f"Hello, {MASKED_NAME}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="One-Network Services").click()
    expect(page).to_have_url(path_is("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Every service, one place, done once")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Every service, one place, done once")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # 5. Sign out: signed out here and on the server.
    page.locator("#logout").click()
    expect(page).to_have_url(path_is("/"))
    expect(page.locator("#login-link")).to_have_text("Sign in")
    expect(page.locator("#account-name")).to_have_count(0)
    page.goto("/me")
    expect(page).to_have_url(path_is("/login", "next=/me"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    # 6. Sign in again with the mobile number.
    sign_in(page, username=PHONE, password=PASSWORD, submit="Sign in")
    expect(page).to_have_url(path_is("/me"))
    expect(page.locator("#account-name")).to_have_text(f"Hello, {MASKED_NAME}")
    expect(page.locator("#me-id-number")).to_have_text(MASKED_ID_NUMBER)
    assert ID_NUMBER not in page.content()


def test_registration_with_a_name_the_registry_does_not_know_is_refused(page: Page) -> None:
    page.goto("/")
    register(page, name="周雨", id_number=ID_NUMBER, phone=PHONE, password=PASSWORD)

    alert = page.locator("#form-error")
    expect(alert).to_have_attribute("role", "alert")
    expect(alert).to_contain_text("姓名与公民身份号码不一致，请按身份证填写。")
    expect(field(page, "姓名")).to_have_attribute("aria-invalid", "true")
    expect(field(page, "姓名")).to_have_value("周雨")
    expect(field(page, "设置密码")).to_have_value("")
    expect(page.locator("#account-name")).to_have_count(0)

    # No account was made: those details do not sign anyone in.
    page.get_by_role("navigation").get_by_role("link", name="登录").click()
    expect(page).to_have_url(path_is("/login"))
    sign_in(page, username=PHONE, password=PASSWORD, submit="登录")
    expect(page.get_by_role("alert")).to_have_text("账号或密码不正确。")
    expect(page).to_have_url(path_is("/login"))
    expect(page.locator("#account-name")).to_have_count(0)


def test_elder_mode_is_switched_on_and_remembered(page: Page) -> None:
    page.goto("/")
    expect(page.locator("html")).not_to_have_class(re.compile(r"\belder\b"))
    expect(page.locator("#elder-switch")).to_have_text("长辈版")

    page.locator("#elder-switch").click()
    expect(page.locator("html")).to_have_class(re.compile(r"\belder\b"))
    expect(page.locator("#elder-switch")).to_have_text("标准版")

    page.get_by_role("navigation").get_by_role("link", name="实名注册").click()
    expect(page).to_have_url(path_is("/register"))
    expect(page.locator("html")).to_have_class(re.compile(r"\belder\b"))
    page.goto("/login")
    expect(page.locator("html")).to_have_class(re.compile(r"\belder\b"))
    expect(page.locator("#elder-switch")).to_have_text("标准版")
