"""Service guides, bundles, applying, my applications and the staff workbench as pages, over HTTP
without a browser: what each person sees, in both languages, and what their forms do."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx
import pytest

from tests.applications.helpers import answers, bundle_form, submit_bundle
from tests.conftest import DEMO_PASSWORD, Another, sign_in
from tests.web.test_pages import csrf_from

pytestmark = pytest.mark.anyio

BUNDLE = "open-restaurant"
OWN = {"prefill": "no"}  # "不授权，自己填写" on the consent page: the form, empty


async def web_sign_in(client: httpx.AsyncClient, username: str) -> None:
    """Sign in with the form, as a person does."""
    token = csrf_from((await client.get("/login")).text)
    response = await client.post(
        "/login",
        data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token, "next": "/"},
    )
    assert response.status_code == 303, response.text


def hidden_inputs(page: str) -> dict[str, str]:
    """Every hidden field of a page, as the browser would send it back."""
    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)
    return {name: html.unescape(value) for name, value in found}


def as_posted(form: dict[str, Any]) -> dict[str, str]:
    """Answers as a browser posts them: form.<field>, all text."""
    return {f"form.{name}": str(value) for name, value in form.items()}


async def valid_answers(client: httpx.AsyncClient, **overrides: Any) -> dict[str, str]:
    return as_posted(answers(await bundle_form(client, BUNDLE), **overrides))


def inbox(page: str) -> list[tuple[str, str]]:
    """The workbench's rows: (service code, task id), in the order shown."""
    return re.findall(
        r'<tr data-service="([a-z0-9-]+)"[^>]*>.*?href="/work/tasks/([0-9a-f-]{36})"', page, re.S
    )


async def apply_on_pages(client: httpx.AsyncClient) -> tuple[str, str]:
    """Fill in, check and submit the bundle's form; returns (check page's fields, location)."""
    form_page = await client.get(f"/bundles/{BUNDLE}/apply", params=OWN)
    assert form_page.status_code == 200
    fields = hidden_inputs(form_page.text)
    check = await client.post(
        f"/bundles/{BUNDLE}/apply/check", data={**fields, **await valid_answers(client)}
    )
    assert check.status_code == 200, check.text
    submitted = await client.post(f"/bundles/{BUNDLE}/apply/submit", data=hidden_inputs(check.text))
    assert submitted.status_code == 303, submitted.text
    return check.text, submitted.headers["location"]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "zh",
            [
                "开餐馆一件事",
                "按部门办事",
                "食品经营许可（餐饮服务）",
                "免提交",
                "承诺件",
                "20 个工作日",
                "0572-5123101",
                "《中华人民共和国食品安全法》第三十五条",
                "食品经营许可（餐饮服务）在市场主体设立登记（核发营业执照）办结后开始",
                "少填 14 项",
                '<svg class="bar"',
            ],
        ),
        (
            "en",
            [
                "Open a restaurant",
                "Services by department",
                "Food business licence (catering services)",
                "Not needed from you",
                "Promised time",
                "20 working days",
                "Food Safety Law of the People&#39;s Republic of China, Article 35",
                "starts once Registration of a new business (issuing the business licence) is",
                "14 fewer answers",
            ],
        ),
    ],
)
async def test_home_guide_and_bundle_pages_in_both_languages(
    client: httpx.AsyncClient, lang: str, expected: list[str]
) -> None:
    pages = ["/", "/services/samr-food-permit", f"/bundles/{BUNDLE}"]
    text = ""
    for path in pages:
        response = await client.get(path, params={"lang": lang})
        assert response.status_code == 200, path
        assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}"' in response.text
        text += response.text
    for phrase in expected:
        assert phrase in text, phrase
    assert 'href="/bundles/open-restaurant/apply"' in text
    assert 'href="/services/samr-food-permit/apply"' in text
    missing = await client.get("/services/no-such-service", params={"lang": lang})
    assert missing.status_code == 404


async def test_applying_needs_signing_in_first(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/bundles/{BUNDLE}/apply")
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=/bundles/{BUNDLE}/apply"
    for path in ("/applications", "/work"):
        assert (await client.get(path)).headers["location"] == f"/login?next={path}"


async def test_the_form_is_generated_from_the_schema(client: httpx.AsyncClient) -> None:
    await web_sign_in(client, "citizen1")
    page = (await client.get(f"/bundles/{BUNDLE}/apply", params=OWN)).text
    # One field per data element: the contact phone three services ask for is asked once.
    assert page.count('name="form.applicant_phone"') == 1
    assert '<select id="form-enterprise_type" name="form.enterprise_type" required' in page
    assert 'name="form.seating" required type="text" inputmode="numeric"' in page
    assert 'type="tel" inputmode="numeric" autocomplete="tel"' in page
    assert "<legend>食品经营许可（餐饮服务）</legend>" in page
    assert "经营范围" in page and "如“餐饮服务；食品销售”" in page
    assert re.search(r'name="idempotency_key" value="[A-Za-z0-9_-]{16,64}"', page)
    english = (await client.get(f"/bundles/{BUNDLE}/apply", params={**OWN, "lang": "en"})).text
    assert "Continue to check" in english and "(optional)" in english


async def test_apply_check_and_submit_makes_one_application_even_if_sent_twice(
    client: httpx.AsyncClient,
) -> None:
    await web_sign_in(client, "citizen1")
    fields = hidden_inputs((await client.get(f"/bundles/{BUNDLE}/apply", params=OWN)).text)
    check = await client.post(
        f"/bundles/{BUNDLE}/apply/check", data={**fields, **await valid_answers(client)}
    )
    assert check.status_code == 200
    assert "请核对您的申请" in check.text
    assert "330523********2317" in check.text  # ID numbers are masked when shown
    assert "食品销售经营者" in check.text  # an option shown by its name, not its value
    carried = hidden_inputs(check.text)
    assert carried["idempotency_key"] == fields["idempotency_key"]
    first = await client.post(f"/bundles/{BUNDLE}/apply/submit", data=carried)
    again = await client.post(f"/bundles/{BUNDLE}/apply/submit", data=carried)  # double click
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    mine = await client.get("/api/v1/applications", headers=await sign_in(client, "citizen1"))
    assert len(mine.json()) == 1
    application = mine.json()[0]
    assert first.headers["location"] == f"/applications/{application['id']}"

    confirmation = await client.get(first.headers["location"])
    text = confirmation.text
    assert 'id="confirmation"' in text and "申请已提交" in text
    assert application["tracking_no"] in text
    assert "安吉县市场监督管理局将在 1 个工作日内办结市场主体设立登记（核发营业执照）（" in text
    assert "食品经营许可（餐饮服务）在市场主体设立登记（核发营业执照）办结后自动开始" in text
    assert re.search(r"全部事项预计不晚于 \d{4}年\d{1,2}月\d{1,2}日 办结", text)
    assert 'href="/applications"' in text
    # Shown once: the page itself stays, the panel does not.
    assert 'id="confirmation"' not in (await client.get(first.headers["location"])).text
    listed = (await client.get("/applications")).text
    assert application["tracking_no"] in listed and "办理中" in listed


async def test_applying_for_a_single_service(client: httpx.AsyncClient) -> None:
    await web_sign_in(client, "citizen1")
    code = "tax-registration"
    form_page = await client.get(f"/services/{code}/apply", params=OWN)
    assert form_page.status_code == 200 and "<legend>" not in form_page.text
    schema = (await client.get(f"/api/v1/services/{code}")).json()["form_schema"]
    check = await client.post(
        f"/services/{code}/apply/check",
        data={**hidden_inputs(form_page.text), **as_posted(answers(schema))},
    )
    assert check.status_code == 200 and "请核对您的申请" in check.text
    done = await client.post(f"/services/{code}/apply/submit", data=hidden_inputs(check.text))
    assert done.status_code == 303
    page = (await client.get(done.headers["location"])).text
    assert "国家税务总局安吉县税务局将在当日办结" in page  # a same-day (即办件) service
    # A service for enterprises only says so instead of offering a form.
    refused = await client.get("/services/ecoenv-pollutant-discharge-permit/apply")
    assert "此事项不面向您的账号类型办理" in refused.text
    assert 'action="/services/ecoenv-pollutant-discharge-permit/apply/check"' not in refused.text


async def test_change_from_the_check_page_keeps_every_answer(client: httpx.AsyncClient) -> None:
    await web_sign_in(client, "citizen1")
    fields = hidden_inputs((await client.get(f"/bundles/{BUNDLE}/apply", params=OWN)).text)
    check = await client.post(
        f"/bundles/{BUNDLE}/apply/check", data={**fields, **await valid_answers(client)}
    )
    back = await client.post(f"/bundles/{BUNDLE}/apply/edit", data=hidden_inputs(check.text))
    assert back.status_code == 200
    assert 'value="安吉竹韵茶业"' in back.text
    assert '<option value="sales" selected>' in back.text
    assert hidden_inputs(back.text)["idempotency_key"] == fields["idempotency_key"]
    reloaded = await client.get(f"/bundles/{BUNDLE}/apply/check")
    assert reloaded.status_code == 303
    assert reloaded.headers["location"] == f"/bundles/{BUNDLE}/apply"


async def test_form_errors_show_beside_their_fields_and_keep_the_values(
    client: httpx.AsyncClient,
) -> None:
    await web_sign_in(client, "citizen1")
    fields = hidden_inputs((await client.get(f"/bundles/{BUNDLE}/apply", params=OWN)).text)
    bad = await valid_answers(
        client,
        applicant_id_number="330523199003072318",
        seating="二十",
        applicant_phone="123",
        enterprise_name="",
        business_scope="餐饮" * 1001,
    )
    response = await client.post(f"/bundles/{BUNDLE}/apply/check", data={**fields, **bad})
    assert response.status_code == 422
    page = response.text
    assert 'class="error-summary" role="alert"' in page
    for name in ("applicant_id_number", "seating", "applicant_phone", "enterprise_name"):
        assert f'id="form-{name}-error"' in page, name
        assert f'href="#form-{name}"' in page, name
    assert 'id="form-business_scope-error"' in page and "内容过长" in page
    assert "校验位" in page and "应为整数" in page and "11 位中国大陆手机号码" in page
    assert "此项必填" in page
    assert 'value="330523199003072318"' in page and 'value="二十"' in page  # kept as typed
    assert 'aria-invalid="true" aria-describedby="form-seating-error"' in page
    assert 'id="form-legal_representative-error"' not in page
    english = await client.post(
        f"/bundles/{BUNDLE}/apply/check", params={"lang": "en"}, data={**fields, **bad}
    )
    assert "Wrong format: expected a whole number." in english.text
    # Nothing was submitted.
    assert "330523" not in (await client.get("/applications")).text


async def test_a_form_without_the_csrf_token_is_refused(client: httpx.AsyncClient) -> None:
    await web_sign_in(client, "citizen1")
    fields = hidden_inputs((await client.get(f"/bundles/{BUNDLE}/apply", params=OWN)).text)
    fields["csrf_token"] = "forged"
    response = await client.post(
        f"/bundles/{BUNDLE}/apply/submit", data={**fields, **await valid_answers(client)}
    )
    assert response.status_code == 403
    assert "您还没有办件" in (await client.get("/applications")).text


async def test_the_workbench_shows_only_its_own_departments_tasks(
    client: httpx.AsyncClient, another: Another
) -> None:
    citizen = await sign_in(client, "citizen1")
    application = (await submit_bundle(client, citizen, BUNDLE)).json()
    async with another() as fire, another() as samr:
        await web_sign_in(fire, "staff-fire")
        await web_sign_in(samr, "staff-samr")
        fire_page = (await fire.get("/work")).text
        samr_page = (await samr.get("/work")).text
        assert [s for s, _ in inbox(fire_page)] == ["fire-safety-commitment"]
        assert "安吉县消防救援大队" in fire_page or "消防" in fire_page
        assert application["tracking_no"] in fire_page
        assert re.search(r"还剩 \d+ 个工作日|今天到期", fire_page)
        # The food permit waits for the business licence: not in market regulation's inbox yet.
        assert [s for s, _ in inbox(samr_page)] == ["samr-business-licence"]
        [(_, samr_task)] = inbox(samr_page)
        assert (await fire.get(f"/work/tasks/{samr_task}")).status_code == 404
        english = await samr.get("/work", params={"lang": "en"})
        assert "Inbox" in english.text
        assert re.search(r"working days left|Due today", english.text)
    await web_sign_in(client, "citizen1")
    assert (await client.get("/work")).status_code == 404
    assert (await client.get(f"/work/tasks/{samr_task}")).status_code == 404


async def test_deciding_on_the_task_page(client: httpx.AsyncClient, another: Another) -> None:
    citizen = await sign_in(client, "citizen1")
    application = (await submit_bundle(client, citizen, BUNDLE)).json()
    async with another() as fire:
        await web_sign_in(fire, "staff-fire")
        [(_, task_id)] = inbox((await fire.get("/work")).text)
        page = await fire.get(f"/work/tasks/{task_id}")
        assert page.status_code == 200
        assert "申请表（本事项）" in page.text and "最大容纳人数" in page.text
        assert "经营项目" not in page.text  # another department's answers are not shown
        assert 'accesskey="a"' in page.text and 'accesskey="b"' in page.text
        assert "Decision" in (await fire.get(f"/work/tasks/{task_id}", params={"lang": "en"})).text
        token = csrf_from(page.text)
        refused = await fire.post(
            f"/work/tasks/{task_id}", data={"csrf_token": token, "decision": "reject"}
        )
        assert refused.status_code == 422
        assert 'id="comment-error"' in refused.text and "请写明理由" in refused.text
        returned = await fire.post(
            f"/work/tasks/{task_id}",
            data={
                "csrf_token": token,
                "decision": "return",
                "comment": "最大容纳人数与场所面积不符，请核实",
                "corrections": ["fire_capacity"],
            },
        )
        assert returned.status_code == 303 and returned.headers["location"] == "/work"
        after = (await fire.get("/work")).text
        assert f"已退回补正：办件 {application['tracking_no']}" in after
        assert inbox(after) == []
        twice = await fire.post(
            f"/work/tasks/{task_id}", data={"csrf_token": token, "decision": "approve"}
        )
        assert twice.status_code == 409 and "该任务已经办理" in twice.text

    await web_sign_in(client, "citizen1")
    view = await client.get(f"/applications/{application['id']}")
    assert "需要您补正" in view.text and "最大容纳人数与场所面积不符" in view.text
    assert 'name="form.fire_capacity"' in view.text
    assert 'name="form.seating"' not in view.text  # only what the officer asked for
    token = csrf_from(view.text)
    wrong = await client.post(
        f"/applications/{application['id']}/supplement",
        data={"csrf_token": token, "form.fire_capacity": "很多"},
    )
    assert wrong.status_code == 422 and 'id="form-fire_capacity-error"' in wrong.text
    fixed = await client.post(
        f"/applications/{application['id']}/supplement",
        data={"csrf_token": token, "form.fire_capacity": "60"},
    )
    assert fixed.status_code == 303
    resumed = (await client.get(f"/applications/{application['id']}")).text
    assert "补正材料已提交" in resumed and "您已补正：最大容纳人数" in resumed
    assert "需要您补正" not in resumed

    async with another() as fire:
        await web_sign_in(fire, "staff-fire")
        [(_, again)] = inbox((await fire.get("/work")).text)  # back where it stopped
        page = await fire.get(f"/work/tasks/{again}")
        assert "60" in page.text
        approved = await fire.post(
            f"/work/tasks/{again}",
            data={"csrf_token": csrf_from(page.text), "decision": "approve", "comment": "符合"},
        )
        assert approved.status_code == 303
        after = (await fire.get("/work")).text
        assert f"已通过：办件 {application['tracking_no']}。" in after
        [(_, decide_task)] = inbox(after)  # the next step, a new task
        assert decide_task not in (task_id, again)


async def test_a_refused_return_shows_the_form_again_as_it_was_filled(
    client: httpx.AsyncClient, another: Another
) -> None:
    citizen = await sign_in(client, "citizen1")
    await submit_bundle(client, citizen, BUNDLE)
    async with another() as fire:
        await web_sign_in(fire, "staff-fire")
        [(_, task_id)] = inbox((await fire.get("/work")).text)
        page = await fire.get(f"/work/tasks/{task_id}")
        refused = await fire.post(
            f"/work/tasks/{task_id}",
            data={
                "csrf_token": csrf_from(page.text),
                "decision": "return",
                "comment": "",  # a return must say what to correct
                "corrections": ["fire_capacity", "no_such_field"],
            },
        )
        assert refused.status_code == 422
        assert 'id="comment-error"' in refused.text
        assert '<details class="corrections" open>' in refused.text
        assert 'value="fire_capacity" checked' in refused.text
        assert "no_such_field" not in refused.text
        unknown_only = await fire.post(
            f"/work/tasks/{task_id}",
            data={
                "csrf_token": csrf_from(page.text),
                "decision": "return",
                "corrections": ["no_such_field"],
            },
        )
        assert unknown_only.status_code == 422
        assert '<details class="corrections">' in unknown_only.text  # nothing to show open
        # Nothing was decided: the task is still in the inbox, still open.
        assert inbox((await fire.get("/work")).text) == [(_, task_id)]


async def test_another_persons_application_is_not_found(
    client: httpx.AsyncClient, another: Another
) -> None:
    await web_sign_in(client, "citizen1")
    _, location = await apply_on_pages(client)
    own = await client.get(location)
    assert own.status_code == 200
    mine = await client.get("/api/v1/applications", headers=await sign_in(client, "citizen1"))
    (tracking_no,) = [a["tracking_no"] for a in mine.json() if location.endswith(a["id"])]
    assert tracking_no in own.text
    async with another() as other:
        await web_sign_in(other, "citizen2")
        page = await other.get(location)
        assert page.status_code == 404
        assert "没有找到" in page.text
        assert "330523" not in page.text
        assert tracking_no not in page.text
        assert (await other.get("/applications/no-such-id")).status_code == 404
        token = csrf_from((await other.get("/applications")).text)
        withdraw = await other.post(f"{location}/withdraw", data={"csrf_token": token})
        assert withdraw.status_code == 404
        assert (await other.get(f"{location}/withdraw")).status_code == 404


async def test_withdrawing_asks_first_then_stops_every_department(
    client: httpx.AsyncClient,
) -> None:
    await web_sign_in(client, "citizen1")
    _, location = await apply_on_pages(client)
    page = (await client.get(location)).text
    assert f'href="{location}/withdraw"' in page
    confirm = await client.get(f"{location}/withdraw")
    assert "确定撤销这份申请吗？" in confirm.text
    assert "办理中" in (await client.get(location)).text  # nothing changed yet
    done = await client.post(
        f"{location}/withdraw", data={"csrf_token": csrf_from(confirm.text), "reason": "不开了"}
    )
    assert done.status_code == 303
    after = (await client.get(location)).text
    assert "申请已撤销，各部门已停止办理。" in after
    assert "已撤销" in after and "您撤销了申请" in after and "不开了" in after
    assert f'href="{location}/withdraw"' not in after


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_the_application_page_shows_each_department_and_the_timeline(
    client: httpx.AsyncClient, lang: str
) -> None:
    await web_sign_in(client, "citizen1")
    _, location = await apply_on_pages(client)
    page = await client.get(location, params={"lang": lang})
    text = page.text
    assert text.count('class="branch status-') == 4
    assert 'id="branch-samr-food-permit"' in text
    assert 'class="branch status-waiting"' in text
    assert 'aria-current="step"' in text
    if lang == "zh":
        assert "等待市场主体设立登记（核发营业执照）办结后开始" in text
        assert "安吉县税务局" in text or "税务" in text
        assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", text)  # the timeline
        assert "提交申请，已受理，办件编号" in text
    else:
        assert "Starts once Registration of a new business" in text
        assert re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}", text)
        assert "Application sent and accepted" in text
    assert "330523199003072317" not in text


async def test_a_suspended_case_shows_its_clock_stopped(
    client: httpx.AsyncClient, another: Another
) -> None:
    citizen = await sign_in(client, "citizen1")
    application = (await submit_bundle(client, citizen, BUNDLE)).json()
    fire = await sign_in(client, "staff-fire")
    [task] = [
        t
        for t in (await client.get("/api/v1/tasks", headers=fire)).json()
        if t["application_id"] == application["id"]
    ]
    suspended = await client.post(
        f"/api/v1/tasks/{task['id']}/suspend", json={"reason": "现场检验检测"}, headers=fire
    )
    assert suspended.status_code == 200, suspended.text
    await web_sign_in(client, "citizen1")
    page = (await client.get(f"/applications/{application['id']}")).text
    assert 'class="branch status-suspended"' in page
    assert "挂起期间（听证、检验检测或专家评审）不计时" in page
    assert "受理挂起，暂停计时" in page
    async with another() as desk:
        await web_sign_in(desk, "staff-fire")
        inbox_page = (await desk.get("/work")).text
        assert "暂停计时" in inbox_page and "已超期" not in inbox_page
