"""12345 我要反映, the dispatch centre and departments' tickets, 好差评 and 差评整改, and my
licences, as pages: over HTTP without a browser (what each person sees and what their forms do),
then the whole of a street light's repair in a real browser."""

from __future__ import annotations

import html
import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.applications.helpers import answers, approve_branch
from tests.certificates.test_licences import business_licence
from tests.conftest import Another, ServerThread, sign_in
from tests.web.test_browser import (  # noqa: F401 - Playwright fixtures used by name
    browser,
    chromium,
    page,
    path_is,
    phone_page,
    portal,
)
from tests.web.test_browser import sign_in as browser_sign_in
from tests.web.test_pages import csrf_from
from tests.web.test_service_pages import hidden_inputs, web_sign_in
from yiwang.kit.messages import MESSAGES
from yiwang.web import render

STREET_LIGHT = "胜利西路88号门口的路灯坏了，已经三天晚上不亮，老人走路很危险。"
UNCLEAR = "你好，我想问一下上次那个事情现在怎么样了"
URBAN = "安吉县综合行政执法局（城市管理局）"
CIVIL = "安吉县民政局"
TEMPLATES = Path(__file__).parents[2] / "src" / "yiwang" / "web" / "templates"


def visible_text(body: str) -> str:
    """The body without its tags: what a person reads."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def field_error(body: str, field_id: str) -> str:
    """The error shown beside a field (its -error element), as read."""
    match = re.search(
        rf'<small class="field-error" id="{field_id}-error">(.*?)</small>', body, re.S
    )
    assert match, f"no error beside {field_id}"
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()


async def file_on_page(
    client: httpx.AsyncClient, text: str, **extra: str
) -> tuple[httpx.Response, dict[str, str]]:
    """Open 12345 我要反映 and send it (a complaint, unless told otherwise)."""
    form = await client.get("/complaints/new")
    assert form.status_code == 200, form.text
    data = {**hidden_inputs(form.text), "kind": "complaint", "text": text, **extra}
    return await client.post("/complaints/new", data=data), data


async def filed(client: httpx.AsyncClient, text: str = STREET_LIGHT, **extra: str) -> str:
    """File a ticket on the pages; returns its id."""
    sent, _ = await file_on_page(client, text, **extra)
    assert sent.status_code == 303, sent.text
    match = re.fullmatch(r"/complaints/([0-9a-f-]{36})", sent.headers["location"])
    assert match, sent.headers["location"]
    return match.group(1)


async def post_form(
    client: httpx.AsyncClient, page_path: str, action: str, **fields: str
) -> httpx.Response:
    """Send one of a body's forms as a browser would: its CSRF token and these fields."""
    token = csrf_from((await client.get(page_path)).text)
    return await client.post(action, data={"csrf_token": token, **fields})


# --- 12345 我要反映 ------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_the_form_asks_what_where_and_since_when_and_says_what_is_wrong_beside_each_field(
    client: httpx.AsyncClient, another: Another
) -> None:
    signed_out = await client.get("/complaints/new")
    assert signed_out.status_code == 303
    assert signed_out.headers["location"] == "/login?next=/complaints/new"

    await web_sign_in(client, "citizen1")
    body = (await client.get("/complaints/new")).text
    for kind in ("咨询", "求助", "投诉", "举报", "建议"):
        assert re.search(rf'type="radio" id="kind-[a-z]+" name="kind" value="[a-z]+"> {kind}', body)
    assert "<legend>诉求类型</legend>" in body
    assert "请写清楚：什么事、在哪里、从什么时候开始" in body
    assert 'aria-describedby="text-hint"' in body
    assert re.search(r'name="idempotency_key" value="[A-Za-z0-9_-]{16,64}"', body)
    assert "data-locate hidden" in body  # "use my location" appears only with script
    assert '<label for="lat">纬度</label>' in body and '<label for="lon">经度</label>' in body
    english = (await client.get("/complaints/new", params={"lang": "en"})).text
    assert "12345: report a problem" in english and "Say what, where and since when" in english

    # Nothing chosen, too little said: each error beside its field, and in the summary.
    token = hidden_inputs(body)
    empty = await client.post("/complaints/new", data={**token, "text": "路灯"})
    assert empty.status_code == 422
    assert field_error(empty.text, "kind") == "错误：请选择诉求类型。"
    assert "至少5个字" in field_error(empty.text, "text")
    assert 'id="text" name="text" rows="6" required maxlength="2000" aria-invalid="true"' in (
        empty.text
    )
    assert 'href="#kind-consultation"' in empty.text and 'href="#text"' in empty.text
    assert ">路灯</textarea>" in empty.text  # what was typed is kept
    # Half a position, and a position that is not a number.
    half = await client.post(
        "/complaints/new", data={**token, "kind": "complaint", "text": STREET_LIGHT, "lat": "30.6"}
    )
    assert half.status_code == 422
    assert "同时给出纬度和经度" in field_error(half.text, "location")
    assert 'value="complaint" checked' in half.text
    words = await client.post(
        "/complaints/new",
        data={**token, "kind": "complaint", "text": STREET_LIGHT, "lat": "北纬", "lon": "119.68"},
    )
    assert words.status_code == 422
    assert "请填写数字" in field_error(words.text, "lat")
    mine = await client.get("/api/v1/complaints", headers=await sign_in(client, "citizen1"))
    assert mine.json() == []  # none of these filed anything

    # Staff handle tickets on the workbench, not here.
    async with another() as staff:
        await web_sign_in(staff, "staff-urban")
        assert (await staff.get("/complaints/new")).status_code == 403


@pytest.mark.anyio
async def test_filing_shows_the_ticket_and_a_double_click_files_one(
    client: httpx.AsyncClient, another: Another
) -> None:
    await web_sign_in(client, "citizen1")
    first, data = await file_on_page(client, STREET_LIGHT, address="递铺街道胜利西路88号")
    again = await client.post("/complaints/new", data=data)  # the impatient second click
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    mine = (
        await client.get("/api/v1/complaints", headers=await sign_in(client, "citizen1"))
    ).json()
    assert len(mine) == 1
    ticket = mine[0]

    body = (await client.get(first.headers["location"])).text
    text = visible_text(body)
    assert 'id="confirmation"' in body and "您的诉求已受理" in text
    assert ticket["ticket_no"] in text
    assert "路灯故障" in text and URBAN in text
    assert "待签收" in text and "递铺街道胜利西路88号" in text
    assert re.search(r"答复期限 \d{4}年\d{1,2}月\d{1,2}日前（还剩 \d+ 个工作日）", text), text
    assert re.search(r'<li class="done"><span class="mark" aria-hidden="true">✓</span> 受理', body)
    assert re.search(r'<li class="done">.*?派单', body)
    current = '<li class="current" aria-current="step"><span class="mark" aria-hidden="true">●'
    assert current + "</span> 签收" in body
    assert "已派至" + URBAN + "（路灯故障）" in text
    assert "按派单规则" not in text  # how it was routed is the staff's business
    # The panel is shown once; the ticket stays.
    assert 'id="confirmation"' not in (await client.get(first.headers["location"])).text
    listed = visible_text((await client.get("/complaints")).text)
    assert ticket["ticket_no"] in listed and "路灯故障" in listed

    english = visible_text(
        (await client.get(first.headers["location"], params={"lang": "en"})).text
    )
    assert "Street light out" in english and "Anji County Urban Management Bureau" in english
    assert "Sent to the department" in english

    async with another() as other:
        await web_sign_in(other, "citizen2")
        assert (await other.get(first.headers["location"])).status_code == 404
        assert ticket["ticket_no"] not in (await other.get("/complaints")).text


# --- the dispatch centre -------------------------------------------------------------------------


@pytest.mark.anyio
async def test_only_the_dispatcher_sees_the_queue_and_routes_from_it(
    client: httpx.AsyncClient, another: Another
) -> None:
    await web_sign_in(client, "citizen1")
    ticket_id = await filed(client, UNCLEAR, kind="consultation")
    body = visible_text((await client.get(f"/complaints/{ticket_id}")).text)
    assert "正在分派" in body and "等待派单员分派承办部门" in body
    assert (await client.get("/work/hotline/queue")).status_code == 404

    async with another() as staff:
        await web_sign_in(staff, "staff-urban")
        assert (await staff.get("/work/hotline/queue")).status_code == 404
    async with another() as dispatcher:
        await web_sign_in(dispatcher, "staff-hotline")
        home = (await dispatcher.get("/")).text
        assert 'href="/work/hotline/queue" id="nav-hotline"' in home
        assert (await dispatcher.get("/work/hotline")).headers["location"] == "/work/hotline/queue"
        queue = (await dispatcher.get("/work/hotline/queue")).text
        assert f'id="queued-{ticket_id}"' in queue
        assert UNCLEAR in queue
        assert '<optgroup label="城市管理">' in queue
        assert f"路灯故障 — {URBAN}" in queue
        # Sent without a category: the error is beside the select.
        missing = await dispatcher.post(
            f"/work/hotline/queue/{ticket_id}",
            data={"csrf_token": csrf_from(queue), "category": ""},
        )
        assert missing.status_code == 422
        assert field_error(missing.text, f"category-{ticket_id}") == "错误：请选择问题分类。"
        routed = await dispatcher.post(
            f"/work/hotline/queue/{ticket_id}",
            data={"csrf_token": csrf_from(queue), "category": "public.household_registration"},
        )
        assert routed.status_code == 303 and routed.headers["location"] == "/work/hotline/queue"
        after = (await dispatcher.get("/work/hotline/queue")).text
        assert "已派单" in after and f'id="queued-{ticket_id}"' not in after
        assert 'id="queue-empty"' in after
        staff_view = visible_text((await dispatcher.get(f"/work/hotline/{ticket_id}")).text)
        assert "派单员派单" in staff_view  # staff see how it was routed
    body = visible_text((await client.get(f"/complaints/{ticket_id}")).text)
    assert "安吉县公安局" in body and "待签收" in body


# --- a department's tickets ----------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_department_signs_for_and_answers_and_the_reporter_says_it_is_resolved(
    client: httpx.AsyncClient, another: Another
) -> None:
    await web_sign_in(client, "citizen1")
    ticket_id = await filed(client)
    page_path = f"/work/hotline/{ticket_id}"
    async with another() as elsewhere:
        await web_sign_in(elsewhere, "staff-samr")
        assert ticket_id not in (await elsewhere.get("/work/hotline")).text
        assert (await elsewhere.get(page_path)).status_code == 404
    async with another() as staff:
        await web_sign_in(staff, "staff-urban")
        assert 'href="/work/hotline" id="nav-hotline"' in (await staff.get("/work")).text
        inbox = (await staff.get("/work/hotline")).text
        assert f'href="/work/hotline/{ticket_id}"' in inbox
        assert re.search(
            r"签收： ?\S+ \d{2}:\d{2} 前（还剩 (\d+ 小时 )?\d+ 分钟?）", visible_text(inbox)
        ), visible_text(inbox)
        ticket = (await staff.get(page_path)).text
        assert STREET_LIGHT in ticket
        assert 'id="sign-ticket" accesskey="s"' in ticket
        assert "按派单规则" in visible_text(ticket)
        signed = await staff.post(f"{page_path}/sign", data={"csrf_token": csrf_from(ticket)})
        assert signed.status_code == 303 and signed.headers["location"] == page_path
        ticket = (await staff.get(page_path)).text
        assert "已签收工单" in ticket and 'id="sign-ticket"' not in ticket
        assert "办理中" in visible_text(ticket)
        again = await staff.post(f"{page_path}/sign", data={"csrf_token": csrf_from(ticket)})
        assert again.status_code == 409 and "不在待签收状态" in again.text
        short = await staff.post(
            f"{page_path}/reply", data={"csrf_token": csrf_from(ticket), "reply": "已修"}
        )
        assert short.status_code == 422
        assert "至少5个字" in field_error(short.text, "reply")
        answer = "已派维修班组更换灯泡和镇流器，路灯已恢复照明。"
        replied = await staff.post(
            f"{page_path}/reply", data={"csrf_token": csrf_from(ticket), "reply": answer}
        )
        assert replied.status_code == 303 and replied.headers["location"] == "/work/hotline"
        inbox = visible_text((await staff.get("/work/hotline")).text)
        assert "已答复工单" in inbox and "已答复，等待回访" in inbox

    mine = (await client.get(f"/complaints/{ticket_id}")).text
    assert answer in mine and 'id="callback"' in mine
    assert "已答复" in visible_text(mine)
    unanswered = await post_form(
        client, f"/complaints/{ticket_id}", f"/complaints/{ticket_id}/callback", comment="谢谢"
    )
    assert unanswered.status_code == 422
    assert field_error(unanswered.text, "resolved") == "错误：请选择问题是否解决。"
    assert field_error(unanswered.text, "satisfied") == "错误：请选择是否满意。"
    done = await post_form(
        client,
        f"/complaints/{ticket_id}",
        f"/complaints/{ticket_id}/callback",
        resolved="yes",
        satisfied="yes",
        comment="修得很快，谢谢！",
    )
    assert done.status_code == 303
    closed = (await client.get(f"/complaints/{ticket_id}")).text
    text = visible_text(closed)
    assert 'id="callback"' not in closed
    assert "已办结" in text and "已解决 · 满意" in text
    assert "回访：已解决，满意" in text
    assert closed.count('<li class="done">') == 5


@pytest.mark.anyio
async def test_not_resolved_goes_back_and_a_hand_back_the_centre_refuses_stays(
    client: httpx.AsyncClient, another: Another
) -> None:
    await web_sign_in(client, "citizen1")
    ticket_id = await filed(client)
    page_path = f"/work/hotline/{ticket_id}"
    async with another() as staff:
        await web_sign_in(staff, "staff-urban")
        ticket = (await staff.get(page_path)).text
        empty = await staff.post(
            f"{page_path}/transfer", data={"csrf_token": csrf_from(ticket), "reason": " "}
        )
        assert empty.status_code == 422
        assert field_error(empty.text, "reason") == "错误：请写明退回理由。"
        asked = await staff.post(
            f"{page_path}/transfer",
            data={"csrf_token": csrf_from(ticket), "reason": "该路段路灯归交通运输局管养"},
        )
        assert asked.status_code == 303
        ticket = visible_text((await staff.get(page_path)).text)
        assert "已申请退回，等待派单中心处理" in ticket
    async with another() as dispatcher:
        await web_sign_in(dispatcher, "staff-hotline")
        queue = (await dispatcher.get("/work/hotline/queue")).text
        assert "该路段路灯归交通运输局管养" in queue and "申请退回" in queue
        assert re.search(r'<option value="urban.street_light" selected>', queue)
        kept = await dispatcher.post(
            f"/work/hotline/queue/{ticket_id}",
            data={"csrf_token": csrf_from(queue), "category": "", "keep": "1"},
        )
        assert kept.status_code == 303
        assert "不同意退回，仍由原部门办理" in (await dispatcher.get("/work/hotline/queue")).text
    # The reporter never sees the departments' remarks to one another.
    mine = visible_text((await client.get(f"/complaints/{ticket_id}")).text)
    assert "交通运输局管养" not in mine and "申请退回" not in mine
    async with another() as staff:
        await web_sign_in(staff, "staff-urban")
        ticket = (await staff.get(page_path)).text
        assert "派单中心不同意退回" in visible_text(ticket)
        answer = "已联系供电所检修线路，今晚恢复照明。"
        await staff.post(
            f"{page_path}/reply", data={"csrf_token": csrf_from(ticket), "reply": answer}
        )
    not_yet = await post_form(
        client,
        f"/complaints/{ticket_id}",
        f"/complaints/{ticket_id}/callback",
        resolved="no",
        satisfied="no",
    )
    assert not_yet.status_code == 303
    again = visible_text((await client.get(f"/complaints/{ticket_id}")).text)
    assert "办理中" in again and "已退回承办部门重新办理" in again


# --- 好差评 and 差评整改 -------------------------------------------------------------------------


async def finished_application(client: httpx.AsyncClient, *, approved: bool = True) -> str:
    """citizen1's marriage registration, approved by civil affairs unless told otherwise."""
    headers = await sign_in(client, "citizen1")
    schema = (await client.get("/api/v1/services/civil-marriage-registration")).json()
    made = await client.post(
        "/api/v1/applications",
        json={"service": "civil-marriage-registration", "form": answers(schema["form_schema"])},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    if approved:
        await approve_branch(client, "civil", made.json()["id"])
    return str(made.json()["id"])


@pytest.mark.anyio
async def test_a_finished_application_is_rated_and_the_department_puts_a_bad_rating_right(
    client: httpx.AsyncClient, another: Another
) -> None:
    application_id = await finished_application(client, approved=False)
    await web_sign_in(client, "citizen1")
    path = f"/applications/{application_id}"
    assert 'class="rating-form"' not in (await client.get(path)).text  # not finished yet
    await approve_branch(client, "civil", application_id)
    body = (await client.get(path)).text
    assert 'class="rating-form"' in body and "您对这次办事满意吗？" in body
    for level in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        assert re.search(rf'name="satisfaction_code" value="[1-5]"> {level}</label>', body)
    assert '<input type="hidden" name="channel" value="pc">' in body
    phone = await client.get(path, headers={"User-Agent": "Mozilla/5.0 (iPhone) Mobile"})
    assert '<input type="hidden" name="channel" value="mobile">' in phone.text

    none = await client.post(
        f"{path}/rating", data={"csrf_token": csrf_from(body), "channel": "pc", "comment": "慢"}
    )
    assert none.status_code == 422
    assert field_error(none.text, "satisfaction_code") == "错误：请选择满意程度。"
    rated = await client.post(
        f"{path}/rating",
        data={
            "csrf_token": csrf_from(body),
            "channel": "pc",
            "satisfaction_code": "5",
            "comment": "窗口让我跑了两趟",
        },
    )
    assert rated.status_code == 303 and rated.headers["location"] == f"{path}#rating"
    body = (await client.get(path)).text
    text = visible_text(body)
    assert "感谢您的评价" in text
    assert "您的评价： 非常不满意" in text and "窗口让我跑了两趟" in text
    assert f"{CIVIL}整改" in text and "待回访" in text
    assert re.search(r"回访期限 \d{4}年\d{1,2}月\d{1,2}日", text)
    assert "追评：现在您满意吗？" in text  # one follow-up is still allowed

    async with another() as elsewhere:
        await web_sign_in(elsewhere, "staff-samr")
        assert 'id="rectify-empty"' in (await elsewhere.get("/work/rectifications")).text
    async with another() as staff:
        await web_sign_in(staff, "staff-civil")
        assert 'id="nav-rectifications"' in (await staff.get("/work")).text
        cases = (await staff.get("/work/rectifications")).text
        [case_id] = re.findall(r'<li id="case-([0-9a-f-]{36})"', cases)
        assert "窗口让我跑了两趟" in cases and "非常不满意" in cases
        called = await staff.post(
            f"/work/rectifications/{case_id}/callback",
            data={"csrf_token": csrf_from(cases), "note": "已电话致歉，了解到材料清单未一次告知"},
        )
        assert called.status_code == 303
        cases = (await staff.get("/work/rectifications")).text
        assert "已记录回访" in cases and "已回访，整改中" in visible_text(cases)
        short = await staff.post(
            f"/work/rectifications/{case_id}/rectify",
            data={"csrf_token": csrf_from(cases), "outcome": "改了"},
        )
        assert short.status_code == 422
        assert "至少5个字" in field_error(short.text, f"outcome-{case_id}")
        outcome = "已在窗口张贴一次性告知清单，并对窗口人员开展服务培训。"
        done = await staff.post(
            f"/work/rectifications/{case_id}/rectify",
            data={"csrf_token": csrf_from(cases), "outcome": outcome},
        )
        assert done.status_code == 303
        assert 'id="closed-cases"' in (await staff.get("/work/rectifications")).text

    text = visible_text((await client.get(path)).text)
    assert "已整改" in text and outcome in text
    assert "已电话致歉" not in text  # the call-back note is the department's own
    follow_up = await post_form(
        client, path, f"{path}/rating", channel="pc", satisfaction_code="2", comment="整改及时"
    )
    assert follow_up.status_code == 303
    body = (await client.get(path)).text
    assert "您的追评： 满意" in visible_text(body) and 'class="rating-form"' not in body
    assert (await client.get("/work/rectifications")).status_code == 404  # not for citizens


@pytest.mark.anyio
async def test_a_supervisor_appeals_and_an_administrator_sets_the_rating_aside(
    client: httpx.AsyncClient, another: Another
) -> None:
    application_id = await finished_application(client)
    await web_sign_in(client, "citizen1")
    path = f"/applications/{application_id}"
    await post_form(client, path, f"{path}/rating", channel="pc", satisfaction_code="4")
    async with another() as staff:
        await web_sign_in(staff, "staff-civil")
        cases = (await staff.get("/work/rectifications")).text
        [case_id] = re.findall(r'<li id="case-([0-9a-f-]{36})"', cases)
        assert "申诉（恶意差评）" in cases
        appealed = await staff.post(
            f"/work/rectifications/{case_id}/appeal",
            data={
                "csrf_token": csrf_from(cases),
                "reason": "申请人与窗口人员有私人纠纷，评价与办事无关",
            },
        )
        assert appealed.status_code == 303
        assert "申诉待复核" in (await staff.get("/work/rectifications")).text
    async with another() as admin:
        await web_sign_in(admin, "admin")
        assert 'id="nav-rectifications"' in (await admin.get("/")).text
        appeals = (await admin.get("/work/rectifications")).text
        assert f'id="case-{case_id}"' in appeals and "私人纠纷" in appeals
        undecided = await admin.post(
            f"/work/rectifications/{case_id}/decision",
            data={"csrf_token": csrf_from(appeals), "reason": "经核实属实"},
        )
        assert undecided.status_code == 422
        decided = await admin.post(
            f"/work/rectifications/{case_id}/decision",
            data={
                "csrf_token": csrf_from(appeals),
                "decision": "set_aside",
                "reason": "经调取窗口录像核实，评价与办事无关",
            },
        )
        assert decided.status_code == 303
        assert 'id="appeals-empty"' in (await admin.get("/work/rectifications")).text
    text = visible_text((await client.get(path)).text)
    assert "这条评价经申诉复核已被撤销：经调取窗口录像核实" in text and "已撤销" in text


# --- my licences ---------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_my_licences_their_pdfs_for_the_holder_only_and_a_licence_instead_of_paper(
    client: httpx.AsyncClient, another: Another
) -> None:
    headers, licence = await business_licence(client)
    await web_sign_in(client, "citizen1")
    me = (await client.get("/me")).text
    assert 'href="/certificates" id="me-licences"' in me
    body = (await client.get("/certificates")).text
    text = visible_text(body)
    assert "营业执照" in text and licence["identifier"] in text
    assert licence["holder"] in text and "安吉县市场监督管理局" in text
    assert "有效" in text and "长期" in text
    assert f'href="/certificates/{licence["id"]}/pdf"' in body and "下载PDF" in text
    assert f'href="{licence["verify_url"]}"' in body and "核验页面" in text
    pdf = await client.get(f"/certificates/{licence['id']}/pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    english = visible_text((await client.get("/certificates", params={"lang": "en"})).text)
    assert "Business licence" in english and "Download PDF" in english

    # The application that issued it shows it, and the food permit's licence stands in for paper.
    application = (await client.get("/api/v1/applications", headers=headers)).json()[0]
    view = visible_text((await client.get(f"/applications/{application['id']}")).text)
    assert "已签发的电子证照" in view
    assert f"免提交：已自动关联电子营业执照 {licence['identifier']}" in view
    assert "已签发电子营业执照" in view  # in the timeline, in words

    async with another() as other:
        await web_sign_in(other, "citizen2")
        assert (await other.get(f"/certificates/{licence['id']}/pdf")).status_code == 404
        assert licence["identifier"] not in (await other.get("/certificates")).text
        assert 'id="licences-empty"' in (await other.get("/certificates")).text
    assert (await another_signed_out(another, f"/certificates/{licence['id']}/pdf")) == 303


async def another_signed_out(another: Another, path: str) -> int:
    async with another() as anonymous:
        return (await anonymous.get(path)).status_code


# --- the header, the home page, and every message in both languages ------------------------------


@pytest.mark.anyio
async def test_the_header_and_home_page_lead_to_12345_and_my_licences(
    client: httpx.AsyncClient,
) -> None:
    home = (await client.get("/")).text
    assert 'href="/complaints/new" id="nav-hotline">12345 我要反映</a>' in home
    assert 'id="home-hotline"' in home
    await web_sign_in(client, "citizen1")
    home = (await client.get("/")).text
    assert 'id="nav-licences"' in home and 'id="home-tickets"' in home


def test_every_message_these_pages_use_is_there_in_both_languages() -> None:
    used: set[str] = set()
    pattern = re.compile(r"""\bt\(\s*['"]([a-z_][A-Za-z0-9_.]*)['"]\s*[,)]""")
    for template in TEMPLATES.rglob("*.html"):
        used |= set(pattern.findall(template.read_text(encoding="utf-8")))
    web = Path(render.__file__ or "").parent
    for module in web.glob("*.py"):
        used |= set(pattern.findall(module.read_text(encoding="utf-8")))
    missing = sorted(k for k in used if k not in MESSAGES)
    assert missing == []
    for prefix in ("ticket.status.", "ticket.step.", "rectification.status.", "licences.status."):
        for key in (k for k in MESSAGES if k.startswith(prefix)):
            assert MESSAGES[key]["zh"] and MESSAGES[key]["en"], key


# --- in a real browser ---------------------------------------------------------------------------


@pytest.mark.browser
def test_a_broken_street_light_is_reported_answered_and_closed(
    phone_page: Page,  # noqa: F811 - the fixtures imported above
    page: Page,  # noqa: F811
    portal: ServerThread,  # noqa: F811
    tmp_path: Path,
) -> None:
    citizen, staff = phone_page, page

    # 1. citizen1 opens 12345 我要反映 from the header, signs in, and says what is wrong.
    citizen.goto("/")
    citizen.locator("#nav-hotline").click()
    expect(citizen).to_have_url(path_is("/login", "next=/complaints/new"))
    browser_sign_in(citizen, username="citizen1", password="yiwang-demo", submit="登录")
    expect(citizen).to_have_url(path_is("/complaints/new"))
    expect(citizen.get_by_role("heading", level=1)).to_have_text("12345 我要反映")
    expect(citizen.get_by_role("button", name="使用我的位置")).to_be_visible()  # with script
    citizen.get_by_role("button", name="提交").click()  # too quick: nothing filled in
    expect(citizen.locator("#kind-error")).to_contain_text("请选择诉求类型")
    expect(citizen.get_by_label("您要反映的问题")).to_have_attribute("aria-invalid", "true")
    citizen.get_by_label("投诉").check()
    citizen.get_by_label("您要反映的问题").fill(STREET_LIGHT)
    citizen.get_by_label("地点").fill("递铺街道胜利西路88号")
    citizen.screenshot(path=tmp_path / "complaint-360.png", full_page=True)
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 360
    citizen.get_by_role("button", name="提交").click()

    # 2. Received and sent to city management at once, with the ticket number. (The first
    #    ticket a server routes waits for its routing model to be trained: allow for it.)
    expect(citizen).to_have_url(re.compile(r"/complaints/[0-9a-f-]{36}$"), timeout=90_000)
    ticket_url = citizen.url
    expect(citizen.locator("#confirmation")).to_contain_text("您的诉求已受理")
    ticket_no = citizen.locator("#ticket-no").inner_text()
    assert re.fullmatch(r"12345\d{13}", ticket_no), ticket_no
    expect(citizen.locator("#ticket-department")).to_have_text(URBAN)
    expect(citizen.locator("#ticket-status")).to_contain_text("待签收")
    expect(citizen.locator('.ticket-steps li[aria-current="step"]')).to_contain_text("签收")

    # 3. City management opens 12345 工单 from the header, signs for the ticket and answers.
    staff.goto("/")
    staff.locator("#login-link").click()
    browser_sign_in(staff, username="staff-urban", password="yiwang-demo", submit="登录")
    expect(staff.locator("#account-name")).to_have_text("您好，蒋**")
    staff.locator("#nav-hotline").click()
    expect(staff).to_have_url(path_is("/work/hotline"))
    expect(staff.get_by_role("heading", level=1)).to_have_text("12345 工单")
    row = staff.locator(f'#hotline-inbox tr[data-ticket="{ticket_no}"]')
    expect(row).to_contain_text("还剩")
    row.get_by_role("link").click()
    expect(staff.locator(".ticket-text")).to_have_text(STREET_LIGHT)
    staff.get_by_role("button", name="签收").click()
    expect(staff.locator("#hotline-notice")).to_contain_text(f"已签收工单 {ticket_no}")
    expect(staff.locator("#ticket-status")).to_contain_text("办理中")
    staff.get_by_label("答复").fill("已派维修班组更换灯泡，路灯已恢复照明。")
    staff.get_by_role("button", name="提交答复").click()
    expect(staff).to_have_url(path_is("/work/hotline"))
    expect(staff.locator("#hotline-notice")).to_contain_text(f"已答复工单 {ticket_no}")
    staff.screenshot(path=tmp_path / "hotline-inbox.png", full_page=True)

    # 4. citizen1 reads the answer, says it is resolved and that she is satisfied: closed.
    citizen.goto(ticket_url)
    expect(citizen.locator("#ticket-reply")).to_have_text("已派维修班组更换灯泡，路灯已恢复照明。")
    expect(citizen.locator("#resolved-group")).to_be_visible()
    citizen.locator("#resolved-yes").check()
    citizen.locator("#satisfied-yes").check()
    citizen.get_by_label("还想说的").fill("修得很快，谢谢！")
    citizen.get_by_role("button", name="提交回访").click()
    expect(citizen.locator("#ticket-status")).to_have_text("已办结")
    expect(citizen.locator("#callback-answer")).to_have_text("已解决 · 满意")
    expect(citizen.locator(".ticket-steps li.done")).to_have_count(5)
    assert citizen.evaluate("document.documentElement.scrollWidth") <= 360  # nothing sideways
    citizen.screenshot(path=tmp_path / "ticket-closed-360.png", full_page=True)


@pytest.mark.anyio
async def test_photos_filed_with_the_form_are_shown_to_reporter_and_handlers(
    client: httpx.AsyncClient,
) -> None:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 200, 0)).save(out, "JPEG")
    photo = out.getvalue()
    await web_sign_in(client, "citizen1")
    form = await client.get("/complaints/new")
    fields = {
        **hidden_inputs(form.text),
        "kind": "complaint",
        "text": "胜利西路88号门口的路灯坏了好几天，晚上一片漆黑。",
        "address": "胜利西路88号",
    }
    refused = await client.post(
        "/complaints/new",
        data=fields,
        files=[("photos", ("note.jpg", b"not a picture at all", "image/jpeg"))],
    )
    assert refused.status_code == 422
    assert "JPEG" in refused.text
    filed = await client.post(
        "/complaints/new", data=fields, files=[("photos", ("light.jpg", photo, "image/jpeg"))]
    )
    assert filed.status_code == 303
    shown = await client.get(filed.headers["location"])
    src = re.search(r'<img src="(/complaints/[^"]+/photos/1)"', shown.text).group(1)
    assert (await client.get(src)).content == photo
