"""授权, a form filled in from departments' systems, where each answer came from, 谁查看了我的数据
and 数据质量 as pages: over HTTP without a browser, then the whole of it in a real browser.

The demo county's department systems answer over HTTP: citizen1 (李明) applying for 新生儿出生一件事
gets his son's name from the health commission's birth records, his phone and mailing address from
social insurance, and his household address from the population register."""

from __future__ import annotations

import html
import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import DEMO_PASSWORD, Another, ServerThread, free_port, sign_in
from tests.prefill.test_prefill import platform
from tests.web.test_browser import (  # noqa: F401 - Playwright fixtures used by name
    browser,
    chromium,
    field,
    path_is,
    phone_page,
    portal,
)
from tests.web.test_browser import sign_in as browser_sign_in
from tests.web.test_pages import csrf_from
from tests.web.test_service_pages import hidden_inputs, web_sign_in
from yiwang.config import Settings

BUNDLE = "newborn"
APPLY = f"/bundles/{BUNDLE}/apply"
CONSENT = f"{APPLY}/consent"
NEW_ADDRESS = "浙江省湖州市安吉县昌硕街道玉华路9号"
# What the form asks that no department's system holds for citizen1: chosen on the form.
CHOICES = {
    "newborn_settle_with": "father",
    "medinsure_payment_method": "online",
    "card_bank": "anji_rcb",
    "card_delivery": "mail",
}
HEALTH = "来自 安吉县卫生健康委员会 · 出生医学证明信息"


def form_values(page: str) -> dict[str, str]:
    """What a browser would send from a form's inputs and selects (form.<field> → value)."""
    values = {
        name: html.unescape(value)
        for name, value in re.findall(r'name="(form\.[a-z_]+)"[^>]*? value="([^"]*)"', page)
    }
    for name, options in re.findall(
        r'<select id="[^"]+" name="(form\.[a-z_]+)"[^>]*>(.*?)</select>', page, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        values[name] = chosen.group(1) if chosen else ""
    return values


def element_codes(page: str) -> list[str]:
    return re.findall(r'name="elements" value="([^"]+)"', page)


def visible_text(page: str) -> str:
    """The page without its tags and attributes: what a person reads."""
    return re.sub(r"<[^>]+>", " ", page)


def answer_row(page: str, name: str) -> str:
    """One answer of a check-answers list, with where it came from."""
    match = re.search(rf'<div class="row" id="answer-{name}">(.*?)</div>', page, re.S)
    assert match, name
    return match.group(1)


async def agree(client: httpx.AsyncClient, elements: list[str] | None = None) -> httpx.Response:
    """Open the consent page from the form and agree to everything ticked (or only `elements`)."""
    page = (await client.get(CONSENT)).text
    chosen = element_codes(page) if elements is None else elements
    return await client.post(CONSENT, data={"csrf_token": csrf_from(page), "elements": chosen})


async def prefilled_form(client: httpx.AsyncClient) -> str:
    agreed = await agree(client)
    assert agreed.status_code == 303 and agreed.headers["location"] == APPLY
    form = await client.get(APPLY)
    assert form.status_code == 200, form.text
    return form.text


async def apply_with_prefill(client: httpx.AsyncClient) -> tuple[str, str]:
    """Agree, correct the mailing address, choose the rest, check and submit: (check page,
    application URL)."""
    form = await prefilled_form(client)
    answers = form_values(form) | {f"form.{k}": v for k, v in CHOICES.items()}
    answers["form.mailing_address"] = NEW_ADDRESS
    check = await client.post(f"{APPLY}/check", data={**hidden_inputs(form), **answers})
    assert check.status_code == 200, check.text
    sent = await client.post(f"{APPLY}/submit", data=hidden_inputs(check.text))
    assert sent.status_code == 303, sent.text
    return check.text, sent.headers["location"]


# --- over HTTP ----------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_the_consent_page_names_each_item_by_its_department_and_source(
    client: httpx.AsyncClient,
) -> None:
    signed_out = await client.get(APPLY)
    assert signed_out.headers["location"] == f"/login?next={APPLY}"
    await web_sign_in(client, "citizen1")
    opened = await client.get(APPLY)
    assert opened.status_code == 303 and opened.headers["location"] == CONSENT
    page = (await client.get(CONSENT)).text
    text = visible_text(page)
    assert "<h1>授权获取您的信息</h1>" in page
    for department, source, element in (
        ("安吉县卫生健康委员会", "出生医学证明信息", "新生儿姓名"),
        ("安吉县人力资源和社会保障局", "社会保险参保信息", "邮寄地址"),
        ("安吉县公安局", "人口基本信息", "户籍地址"),
    ):
        section = section_of(page, department)
        assert f"数据来源：{source}" in section
        assert re.search(rf"checked> {element}\b", section), element
    codes = element_codes(page)
    assert "newborn.name" in codes and len(codes) == page.count(" checked>")  # all ticked
    assert not any(code in text for code in codes)  # people read names, never codes
    assert "仅用于自动填写本次申请表，不作他用" in text
    assert "30 天" in text and "撤回授权" in text
    assert "（敏感个人信息）" in section_of(page, "安吉县卫生健康委员会")  # spouse's ID number
    assert '<button type="submit" id="consent-agree">同意并自动填写</button>' in page
    assert f'href="{APPLY}?prefill=no"' in page and "不授权，自己填写" in page
    english = (await client.get(CONSENT, params={"lang": "en"})).text
    assert "Newborn&#39;s name" in english and "Anji County Health Commission" in english
    assert "Agree and fill in the form" in english
    # Agreeing needs the page's own CSRF token; and nothing ticked is not a consent.
    forged = await client.post(CONSENT, data={"csrf_token": "forged", "elements": codes})
    assert forged.status_code == 403
    empty = await client.post(CONSENT, data={"csrf_token": csrf_from(page)})
    assert empty.status_code == 422
    assert "请至少选择一项授权获取的信息" in empty.text and 'role="alert"' in empty.text
    assert (await client.get(APPLY)).headers["location"] == CONSENT  # still no consent


def section_of(page: str, department: str) -> str:
    match = re.search(rf"<legend>{department}</legend>(.*?)</fieldset>", page, re.S)
    assert match, department
    return match.group(1)


@pytest.mark.anyio
async def test_declining_gives_the_form_empty_and_fetches_nothing(
    client: httpx.AsyncClient,
) -> None:
    await web_sign_in(client, "citizen1")
    form = await client.get(APPLY, params={"prefill": "no"})
    assert form.status_code == 200
    page = form.text
    assert 'id="form-newborn_name"' in page
    assert not any(form_values(page).values())  # every answer left to the person
    assert "李沐阳" not in page and 'class="origin"' not in page
    assert "prefill_token" not in page
    assert "您选择了自己填写" in page and f'href="{CONSENT}"' in page
    log = (await client.get("/me/data-access")).text
    assert 'id="access-empty"' in log and "还没有人查看过您的数据" in log
    assert 'id="consents-empty"' in log


@pytest.mark.anyio
async def test_agreeing_fills_the_form_and_says_where_each_answer_came_from(
    client: httpx.AsyncClient,
) -> None:
    await web_sign_in(client, "citizen1")
    page = await prefilled_form(client)
    values = form_values(page)
    assert values["form.newborn_name"] == "李沐阳"
    assert values["form.spouse_name"] == "周雨桐"
    assert values["form.guardian_relation"] == "father"
    assert values["form.applicant_phone"] == "13905721001"
    badge = re.search(r'id="form-newborn_name-origin".*?</small>', page, re.S)
    assert badge and HEALTH in badge.group(0) and "✓ 已核验" in badge.group(0)
    phone = re.search(r'id="form-applicant_phone-origin".*?</small>', page, re.S)
    assert phone and "社会保险参保信息" in phone.group(0) and "已核验" not in phone.group(0)
    assert "来自 您的实名认证信息" in page  # the applicant's own ID number
    assert 'aria-describedby="form-newborn_name-origin" data-prefilled="李沐阳"' in page
    assert re.search(r'id="prefill-notice">已按您的授权自动填写 \d+ 项', page)
    assert 'id="prefill-failed"' not in page
    assert hidden_inputs(page)["prefill_token"]
    assert 'id="form-card_bank-origin"' not in page  # nobody holds that: the person chooses
    # Agreed once, the form opens filled in straight away for 30 days.
    again = await client.get(APPLY)
    assert again.status_code == 200 and 'value="李沐阳"' in again.text
    assert (await client.get(CONSENT)).headers["location"] == APPLY


@pytest.mark.anyio
async def test_sharing_less_fills_in_only_what_was_shared(client: httpx.AsyncClient) -> None:
    await web_sign_in(client, "citizen1")
    agreed = await agree(client, ["newborn.name", "newborn.birth_date"])
    assert agreed.status_code == 303
    page = (await client.get(APPLY)).text
    values = form_values(page)
    assert values["form.newborn_name"] == "李沐阳"
    assert values["form.newborn_birth_date"] == "2026-11-20"
    assert values["form.applicant_phone"] == "" and values["form.spouse_name"] == ""
    assert 'id="form-applicant_phone-note"' not in page  # withheld by choice: no warning


@pytest.mark.anyio
async def test_the_check_page_and_the_application_show_prefilled_and_changed_answers(
    client: httpx.AsyncClient, another: Another
) -> None:
    await web_sign_in(client, "citizen1")
    check, location = await apply_with_prefill(client)
    assert HEALTH in answer_row(check, "newborn_name")
    assert "✓ 已核验" in answer_row(check, "newborn_name")
    mailing = answer_row(check, "mailing_address")
    assert NEW_ADDRESS in mailing and "已修改（本人填写）" in mailing
    assert "原信息来自 安吉县人力资源和社会保障局 · 社会保险参保信息" in mailing
    assert "本人填写" not in answer_row(check, "card_bank")  # typed answers need no label here

    # Back to the form from the check page: the correction stays marked as the person's.
    back = await client.post(f"{APPLY}/edit", data=hidden_inputs(check))
    badge = re.search(r'id="form-mailing_address-origin".*?</small>', back.text, re.S)
    assert badge and '<span class="origin-changed">已修改（本人填写）</span>' in badge.group(0)
    assert 'data-prefilled="李沐阳"' in back.text

    # The application page: each answer's origin, the choices the person's own.
    page = (await client.get(location)).text
    assert 'id="confirmation"' in page
    assert HEALTH in answer_row(page, "newborn_name")
    assert "已修改（本人填写）" in answer_row(page, "mailing_address")
    assert "本人填写" in answer_row(page, "card_bank")
    application_id = location.rsplit("/", 1)[1]
    headers = await sign_in(client, "citizen1")
    view = (await client.get(f"/api/v1/applications/{application_id}", headers=headers)).json()
    assert view["provenance"]["newborn_name"]["origin"] == "prefilled"
    assert view["provenance"]["mailing_address"]["origin"] == "changed"
    assert view["provenance"]["card_bank"] == {"origin": "entered"}

    # The health commission's officer sees the same beside each answer, and when it was fetched.
    async with another() as officer:
        await web_sign_in(officer, "staff-health")
        inbox = (await officer.get("/work")).text
        task = re.search(r'href="/work/tasks/([0-9a-f-]{36})"', inbox)
        assert task and view["tracking_no"] in inbox
        case = (await officer.get(f"/work/tasks/{task.group(1)}")).text
        newborn = answer_row(case, "newborn_name")
        assert HEALTH in newborn and "✓ 已核验" in newborn
        assert re.search(r"获取于 \d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", newborn)
        assert "来自 申请人的实名认证信息" in answer_row(case, "applicant_id_number")


@pytest.mark.anyio
async def test_a_token_that_is_not_the_persons_vouches_for_nothing(
    client: httpx.AsyncClient,
) -> None:
    await web_sign_in(client, "citizen1")
    form = await prefilled_form(client)
    answers = form_values(form) | {f"form.{k}": v for k, v in CHOICES.items()}
    fields = hidden_inputs(form) | {"prefill_token": "forged.token"}
    check = await client.post(f"{APPLY}/check", data={**fields, **answers})
    assert check.status_code == 200
    assert "prefill_token" not in check.text and "来自 " not in check.text
    sent = await client.post(f"{APPLY}/submit", data={**fields, **answers})
    assert sent.status_code == 303  # sent, with every answer the person's own
    headers = await sign_in(client, "citizen1")
    [mine] = (await client.get("/api/v1/applications", headers=headers)).json()
    view = (await client.get(f"/api/v1/applications/{mine['id']}", headers=headers)).json()
    assert view["provenance"]["newborn_name"] == {"origin": "entered"}


@pytest.mark.anyio
async def test_a_department_that_cannot_be_reached_is_named_and_its_fields_left_to_fill(
    settings: Settings, engine: AsyncEngine
) -> None:
    closed = f"http://127.0.0.1:{free_port()}/hrss/api/v2/insured"
    async with platform(settings, source_endpoints={"social_insurance": closed}) as client:
        await web_sign_in(client, "citizen1")
        page = await prefilled_form(client)
    failed = re.search(r'id="prefill-failed">(.*?)</p>', page, re.S)
    assert failed and "暂时无法从安吉县人力资源和社会保障局获取信息" in failed.group(1)
    note = re.search(r'id="form-applicant_phone-note">(.*?)</small>', page, re.S)
    assert note and note.group(1).endswith("安吉县人力资源和社会保障局暂时无法获取，请手动填写")
    assert 'aria-describedby="form-applicant_phone-note"' in page
    values = form_values(page)
    assert values["form.applicant_phone"] == "" and values["form.newborn_name"] == "李沐阳"


@pytest.mark.anyio
async def test_who_has_seen_my_data_and_withdrawing_a_consent(
    client: httpx.AsyncClient, another: Another
) -> None:
    assert (await client.get("/me/data-access")).headers["location"].startswith("/login")
    await web_sign_in(client, "citizen1")
    me = (await client.get("/me")).text
    assert 'href="/me/data-access"' in me and 'id="nav-data-access"' in me
    _, location = await apply_with_prefill(client)
    headers = await sign_in(client, "citizen1")
    application = (await client.get(f"/api/v1{location}", headers=headers)).json()
    async with another() as officer:
        await web_sign_in(officer, "staff-health")
        task = re.search(r'href="/work/tasks/([0-9a-f-]{36})"', (await officer.get("/work")).text)
        assert task
        assert (await officer.get(f"/work/tasks/{task.group(1)}")).status_code == 200

    page = (await client.get("/me/data-access")).text
    rows = re.findall(r'<tr data-kind="([a-z]+)">(.*?)</tr>', page, re.S)
    by_who = {re.sub(r"\s+", " ", visible_text(row)).strip(): kind for kind, row in rows}
    assert len(rows) == 4  # three systems asked for the form, one officer opened the case
    staff = next(text for text, kind in by_who.items() if kind == "staff")
    assert "安吉县卫生健康委员会 · 受理审查员" in staff
    assert f"办理申请 {application['tracking_no']}" in staff
    birth = next(text for text in by_who if "出生医学证明信息" in text)
    assert "安吉县卫生健康委员会 · 出生医学证明信息" in birth
    assert "新生儿姓名" in birth and "自动填写申请表（新生儿出生一件事）" in birth
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", birth)
    assert "newborn.name" not in visible_text(page)
    english = (await client.get("/me/data-access", params={"lang": "en"})).text
    assert re.search(r"\b\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}\b", english)
    assert "Filling in your application form (Welcome a newborn)" in english

    # My consent, and withdrawing it (a form with the CSRF token; nobody else's).
    consent = re.search(r'action="/me/consents/([0-9a-f-]{36})/withdraw"', page)
    assert consent and '<span class="badge consent-active">有效</span>' in page
    url = f"/me/consents/{consent.group(1)}/withdraw"
    assert (await client.post(url, data={"csrf_token": "forged"})).status_code == 403
    async with another() as stranger:
        await web_sign_in(stranger, "citizen2")
        theirs = await stranger.get("/me/data-access")
        refused = await stranger.post(url, data={"csrf_token": csrf_from(theirs.text)})
        assert refused.status_code == 404
    withdrawn = await client.post(url, data={"csrf_token": csrf_from(page)})
    assert withdrawn.status_code == 303
    after = (await client.get("/me/data-access")).text
    assert 'id="consent-notice"' in after and "授权已撤回" in after
    assert "已撤回" in after and f'action="{url}"' not in after
    assert (await client.get(APPLY)).headers["location"] == CONSENT  # asked again next time


@pytest.mark.anyio
async def test_data_quality_for_staff_and_not_for_citizens(
    client: httpx.AsyncClient, another: Another
) -> None:
    await web_sign_in(client, "citizen1")
    await prefilled_form(client)  # social insurance writes the phone in full-width digits
    assert (await client.get("/work/data-sources")).status_code == 404
    assert (await client.get("/work/data-sources/social_insurance/quality")).status_code == 404
    async with another() as officer:
        assert (await officer.get("/work/data-sources")).headers["location"].startswith("/login")
        await web_sign_in(officer, "staff-hrss")
        listing = await officer.get("/work/data-sources")
        assert listing.status_code == 200 and 'id="nav-data-sources"' in listing.text
        row = re.search(r'<tr data-source="social_insurance">(.*?)</tr>', listing.text, re.S)
        assert row
        for words in (
            "社会保险参保信息",
            "安吉县人力资源和社会保障局",
            "有条件共享",
            "实时",
            "JSON 接口",
        ):
            assert words in row.group(1), words
        assert 'href="/work/data-sources/social_insurance/quality"' in row.group(1)
        report = (await officer.get("/work/data-sources/social_insurance/quality")).text
        assert "数据质量：社会保险参保信息" in report and "近 30 天" in report
        assert '<dd data-total="reads">1</dd>' in report
        assert '<dd data-total="values_read">2</dd>' in report
        assert '<dd data-total="values_rejected">0</dd>' in report
        cleaned = re.search(r'<tr data-rule="fullwidth"><th scope="row">(.*?)</th>', report)
        assert cleaned and cleaned.group(1) == "全角数字字母转半角"
        assert 'id="rejected-none"' in report and 'id="failed-none"' in report
        english = await officer.get(
            "/work/data-sources/social_insurance/quality", params={"lang": "en"}
        )
        assert "Full-width digits and letters made half-width" in english.text
        missing = await officer.get("/work/data-sources/no_such_source/quality")
        assert missing.status_code == 404


# --- in a real browser --------------------------------------------------------------------------


@pytest.mark.browser
def test_a_newborn_is_applied_for_with_the_form_filled_in_from_the_departments(
    phone_page: Page,  # noqa: F811 - the fixtures imported above
    portal: ServerThread,  # noqa: F811
    tmp_path: Path,
) -> None:
    page = phone_page

    # 1. citizen1 finds 新生儿出生一件事 and starts; he signs in first.
    page.goto("/")
    page.get_by_role("link", name="新生儿出生一件事").first.click()
    expect(page).to_have_url(path_is(f"/bundles/{BUNDLE}"))
    page.locator("#apply").click()
    browser_sign_in(page, username="citizen1", password=DEMO_PASSWORD, submit="登录")

    # 2. The consent screen: what would come from whom, every item ticked.
    expect(page).to_have_url(path_is(CONSENT))
    expect(page.get_by_role("heading", level=1)).to_have_text("授权获取您的信息")
    health = page.locator("#consent-birth_records")
    expect(health.locator("legend")).to_have_text("安吉县卫生健康委员会")
    expect(health).to_contain_text("出生医学证明信息")
    expect(page.get_by_label("新生儿姓名")).to_be_checked()
    expect(page.locator("#consent-purpose")).to_contain_text("不作他用")
    page.screenshot(path=tmp_path / "consent-360.png", full_page=True)
    page.get_by_role("button", name="同意并自动填写").click()

    # 3. The form, filled in, each answer saying where it came from.
    expect(page).to_have_url(path_is(APPLY))
    expect(page.locator("#prefill-notice")).to_contain_text("已按您的授权自动填写")
    expect(field(page, "新生儿姓名")).to_have_value("李沐阳")
    newborn = page.locator("#form-newborn_name-origin")
    expect(newborn).to_contain_text(HEALTH)
    expect(newborn).to_contain_text("✓ 已核验")
    expect(field(page, "另一方（父亲或母亲）姓名")).to_have_value("周雨桐")

    # 4. He corrects the mailing address: its badge says the answer is now his own.
    mailing = page.locator("#form-mailing_address-origin")
    expect(mailing).to_contain_text("社会保险参保信息")
    page.locator("#form-mailing_address").fill(NEW_ADDRESS)
    expect(mailing.locator(".origin-changed")).to_be_visible()
    expect(mailing.locator(".origin-changed")).to_have_text("已修改（本人填写）")
    expect(mailing.locator(".origin-from")).to_be_hidden()
    expect(newborn.locator(".origin-from")).to_be_visible()  # the others are untouched

    # 5. What no department holds, he chooses; then checks his answers.
    field(page, "落户方式").select_option(label="随父落户")
    field(page, "个人缴费方式").select_option(label="线上缴费（浙里办）")
    field(page, "社保卡服务银行").select_option(label="浙江安吉农村商业银行")
    field(page, "领卡方式").select_option(label="免费邮寄到家")
    page.screenshot(path=tmp_path / "prefilled-form-360.png", full_page=True)
    page.get_by_role("button", name="下一步：核对").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("请核对您的申请")
    expect(page.locator("#answer-newborn_name")).to_contain_text(HEALTH)
    expect(page.locator("#answer-mailing_address")).to_contain_text(NEW_ADDRESS)
    expect(page.locator("#answer-mailing_address")).to_contain_text("已修改（本人填写）")

    # 6. Sent: the tracking number, and the answers' origins on the application's page.
    page.locator("#submit-application").click()
    expect(page).to_have_url(re.compile(r"/applications/[0-9a-f-]{36}$"))
    expect(page.locator("#confirmation")).to_contain_text("申请已提交")
    tracking_no = page.locator("#tracking-no").inner_text()
    assert re.fullmatch(r"330523\d{14}[\dX]", tracking_no), tracking_no
    page.get_by_text("我填写的内容").click()
    expect(page.locator("#answer-newborn_name")).to_contain_text("✓ 已核验")
    expect(page.locator("#answer-mailing_address")).to_contain_text("已修改（本人填写）")
    application_id = page.url.rsplit("/", 1)[1]

    # 7. The application, as the API gives it, records the same.
    with httpx.Client(base_url=portal.url) as api:
        token = api.post(
            "/api/v1/auth/token", data={"username": "citizen1", "password": DEMO_PASSWORD}
        ).json()["access_token"]
        view = api.get(
            f"/api/v1/applications/{application_id}",
            headers={"Authorization": f"Bearer {token}"},
        ).json()
    assert view["tracking_no"] == tracking_no
    assert view["provenance"]["newborn_name"]["origin"] == "prefilled"
    assert view["provenance"]["newborn_name"]["verified"] is True
    assert view["provenance"]["mailing_address"]["origin"] == "changed"

    # 8. And he can see who fetched what: 谁查看了我的数据, from the header.
    page.locator("#nav-data-access").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("谁查看了我的数据")
    expect(page.locator("#data-access")).to_contain_text("安吉县卫生健康委员会 · 出生医学证明信息")
    page.screenshot(path=tmp_path / "data-access-360.png", full_page=True)
