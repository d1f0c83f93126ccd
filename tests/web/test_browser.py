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
        # A request the browser itself cancelled because the page moved on (ERR_ABORTED, e.g.
        # the favicon of a page left at once) is not a broken resource; anything else is.
        if "ERR_ABORTED" not in (request.failure or ""):
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


# 开餐馆一件事: the answers citizen1 gives on the one merged form, by the label a person reads.
RESTAURANT_TEXT = {
    "市场主体名称": "安吉竹乡小馆",
    "住所（经营场所）": "浙江省湖州市安吉县递铺街道胜利西路1号",
    "经营范围": "餐饮服务；食品销售",
    "法定代表人（负责人、经营者）": "李明",
    "申请人（经办人）姓名": "李明",
    "申请人（经办人）公民身份号码": "330523199003072317",
    "联系电话": "13905721001",
    "经营场所": "浙江省湖州市安吉县递铺街道胜利西路1号",
    "经营项目": "热食类食品制售；冷食类食品制售",
    "就餐座位数": "40",
    "加工制作场所面积（平方米）": "30",
    "食品安全管理人员": "李明",
    "场所建筑面积（平方米）": "120",
    "最大容纳人数": "60",
    "消防安全管理人": "李明",
}
RESTAURANT_CHOICES = {
    "市场主体类型": "有限责任公司",
    "主体业态": "餐饮服务经营者",
    "场所类型": "餐饮场所",
    "增值税纳税人类型": "小规模纳税人",
    "需开具的发票": "数电发票（普通发票）",
}


def staff_signs_in(page: Page, username: str) -> None:
    """Sign in from the header and open the workbench (办件箱) from it."""
    page.locator("#login-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    sign_in(page, username=username, password="yiwang-demo", submit="登录")
    page.locator("#nav-work").click()
    expect(page).to_have_url(path_is("/work"))
    expect(page.get_by_role("heading", level=1)).to_have_text("办件箱")


def approve_everything_in_my_inbox(page: Page, *, until: str | None = None) -> list[str]:
    """Open the first case of the inbox and approve it, again and again; returns the services
    decided, in order. With `until`, stop once that service's task appears in the inbox."""
    decided: list[str] = []
    rows = page.locator("#inbox tbody tr")
    while page.locator("#inbox").count() and rows.count():
        if until and page.locator(f'#inbox tr[data-service="{until}"]').count():
            break
        service = rows.first.get_attribute("data-service") or ""
        rows.first.get_by_role("link").click()
        expect(page).to_have_url(re.compile(r"/work/tasks/[0-9a-f-]{36}$"))
        expect(page.get_by_role("heading", level=2, name="办理意见")).to_be_visible()
        approve = page.get_by_role("button", name="通过", exact=True)
        expect(approve).to_have_attribute("accesskey", "a")  # Alt+A; CDP cannot press it
        if decided:
            approve.click()
        else:  # the first one from the keyboard alone
            approve.focus()
            page.keyboard.press("Enter")
        expect(page).to_have_url(path_is("/work"))
        expect(page.locator("#work-notice")).to_contain_text("已通过")
        decided.append(service)
    return decided


def test_a_restaurant_is_applied_for_once_and_approved_by_every_department(
    phone_page: Page, page: Page, tmp_path: Path
) -> None:
    citizen, staff = phone_page, page

    # 1. citizen1 finds 开餐馆一件事 on the home page and reads what it saves.
    citizen.goto("/")
    citizen.get_by_role("link", name="开餐馆一件事").click()
    expect(citizen).to_have_url(path_is("/bundles/open-restaurant"))
    expect(citizen.get_by_role("heading", level=1)).to_have_text("开餐馆一件事")
    expect(
        citizen.get_by_text("食品经营许可（餐饮服务）在市场主体设立登记（核发营业执照）办结后开始")
    ).to_be_visible()
    expect(citizen.get_by_role("row", name=re.compile("要填的信息"))).to_contain_text("少填 14 项")
    citizen.screenshot(path=tmp_path / "bundle-360.png", full_page=True)

    # 2. Applying asks her to sign in first, then brings her back to the form.
    citizen.locator("#apply").click()
    expect(citizen).to_have_url(path_is("/login", "next=/bundles/open-restaurant/apply"))
    sign_in(citizen, username="citizen1", password="yiwang-demo", submit="登录")
    expect(citizen).to_have_url(path_is("/bundles/open-restaurant/apply/consent"))
    expect(citizen.get_by_role("heading", level=1)).to_have_text("授权获取您的信息")
    citizen.get_by_role("button", name="不授权，自己填写").click()  # she types it all herself
    expect(citizen).to_have_url(path_is("/bundles/open-restaurant/apply", "prefill=no"))
    expect(citizen.get_by_role("heading", level=1)).to_have_text("开餐馆一件事")

    # 3. One form: a mistake is shown beside its field, the rest is kept.
    for label, value in RESTAURANT_TEXT.items():
        field(citizen, label).fill(value)
    for label, option in RESTAURANT_CHOICES.items():
        field(citizen, label).select_option(label=option)
    field(citizen, "就餐座位数").fill("四十")
    citizen.get_by_role("button", name="下一步：核对").click()
    expect(citizen.locator("#form-error")).to_contain_text("就餐座位数：格式不正确：应为整数。")
    expect(field(citizen, "就餐座位数")).to_have_attribute("aria-invalid", "true")
    expect(field(citizen, "市场主体名称")).to_have_value("安吉竹乡小馆")
    field(citizen, "就餐座位数").fill("40")
    citizen.get_by_role("button", name="下一步：核对").click()

    # 4. Check your answers (the ID number masked), then send — twice, as an impatient thumb does.
    expect(citizen.get_by_role("heading", level=1)).to_have_text("请核对您的申请")
    expect(citizen.get_by_text("330523********2317", exact=True)).to_be_visible()
    assert "330523199003072317" not in citizen.locator("main dl").inner_text()
    citizen.locator("#submit-application").dblclick()

    # 5. The confirmation: tracking number, what happens next and where to follow it.
    expect(citizen).to_have_url(re.compile(r"/applications/[0-9a-f-]{36}$"))
    application_url = citizen.url
    expect(citizen.locator("#confirmation")).to_contain_text("申请已提交")
    tracking_no = citizen.locator("#tracking-no").inner_text()
    assert re.fullmatch(r"330523\d{14}[\dX]", tracking_no), tracking_no
    expect(citizen.locator(".next-steps")).to_contain_text(
        "安吉县市场监督管理局将在 1 个工作日内办结市场主体设立登记（核发营业执照）"
    )
    expect(citizen.locator("#branch-samr-food-permit")).to_contain_text("等待前序事项")
    citizen.screenshot(path=tmp_path / "application-360.png", full_page=True)
    citizen.locator("#nav-applications").click()
    expect(citizen.locator(".case-list > li")).to_have_count(1)  # the double tap made one

    # 6. Fire and tax approve in their workbenches, in parallel with market regulation; each
    #    officer signs in at the shared desk and opens 办件箱 from the header.
    staff.goto("/")
    for department, services in (
        ("fire", {"fire-safety-commitment"}),
        ("tax", {"tax-registration"}),
    ):
        staff_signs_in(staff, f"staff-{department}")
        expect(staff.locator("#inbox")).to_contain_text(tracking_no)
        assert set(approve_everything_in_my_inbox(staff)) == services
        expect(staff.locator("#inbox-empty")).to_be_visible()
        staff.locator("#logout").click()
        expect(staff).to_have_url(path_is("/"))

    # 7. Market regulation: the food permit is not in the inbox until the licence is approved.
    staff_signs_in(staff, "staff-samr")
    expect(staff.locator('#inbox tr[data-service="samr-business-licence"]')).to_have_count(1)
    expect(staff.locator('#inbox tr[data-service="samr-food-permit"]')).to_have_count(0)
    licence_steps = approve_everything_in_my_inbox(staff, until="samr-food-permit")
    assert set(licence_steps) == {"samr-business-licence"} and len(licence_steps) == 3
    expect(staff.locator('#inbox tr[data-service="samr-food-permit"]')).to_have_count(1)
    assert set(approve_everything_in_my_inbox(staff)) == {"samr-food-permit"}
    expect(staff.locator("#inbox-empty")).to_be_visible()

    # 8. citizen1 sees the application approved, department by department.
    citizen.reload()
    expect(citizen.locator(".case-list")).to_contain_text("已办结")
    citizen.locator(".case-list").get_by_role("link", name="开餐馆一件事").click()
    expect(citizen).to_have_url(application_url)
    expect(citizen.locator("#application-status")).to_have_text("已办结")
    expect(citizen.locator("li.branch.status-approved")).to_have_count(4)
    expect(citizen.locator(".timeline")).to_contain_text("全部事项已办结")
    expect(citizen.locator(".timeline")).to_contain_text("食品经营许可（餐饮服务）开始办理")
    expect(citizen.locator("#withdraw")).to_have_count(0)
    citizen.screenshot(path=tmp_path / "application-approved-360.png", full_page=True)
