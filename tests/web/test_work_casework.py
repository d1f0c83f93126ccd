"""流转 on the workbench's task page: 转办, 委派 and 交还, 加签 and 撤回, as an officer does them
in the browser (over HTTP, without one): who is offered, whose inbox the case lands in, and
what is refused."""

from __future__ import annotations

import html

import httpx
import pytest

from tests.applications.helpers import add_staff, submit_bundle
from tests.conftest import Another, sign_in
from tests.web.test_pages import csrf_from
from tests.web.test_service_pages import inbox, web_sign_in

pytestmark = pytest.mark.anyio

NOT_A_COLLEAGUE = "只能交给本部门持有该岗位角色的其他工作人员。"


@pytest.fixture
async def officers(engine, demo_password_hash: str) -> None:
    """王建军 can take the fire brigade's tasks; 李娜 answers its hotline only; 林晓 is in
    market regulation. (staff-fire, 卫东, holds every role of the fire brigade.)"""
    people = [
        ("fire-2", "王建军", "fire", ["reviewer", "approver"]),
        ("fire-3", "李娜", "fire", ["hotline_handler"]),
        ("samr-2", "林晓", "samr", ["reviewer", "approver"]),
    ]
    for username, name, department, roles in people:
        await add_staff(
            engine,
            demo_password_hash,
            username=username,
            department=department,
            roles=roles,
            name=name,
        )


async def fire_case(client: httpx.AsyncClient) -> str:
    """A citizen's open-restaurant application: its tracking number (the fire brigade's
    commitment is at its first step, 受理)."""
    citizen = await sign_in(client, "citizen1")
    response = await submit_bundle(client, citizen, "open-restaurant")
    assert response.status_code == 201, response.text
    return response.json()["tracking_no"]


async def only_task(officer: httpx.AsyncClient) -> str:
    [(_, task_id)] = inbox((await officer.get("/work")).text)
    return task_id


async def pass_on(
    officer: httpx.AsyncClient, task_id: str, action: str, **fields: str
) -> httpx.Response:
    """Post one of the task page's 流转 forms, with the page's own CSRF token."""
    page = await officer.get(f"/work/tasks/{task_id}")
    data = {"csrf_token": csrf_from(page.text), **fields}
    return await officer.post(f"/work/tasks/{task_id}/{action}", data=data)


async def approve(officer: httpx.AsyncClient, task_id: str) -> httpx.Response:
    page = await officer.get(f"/work/tasks/{task_id}")
    data = {"csrf_token": csrf_from(page.text), "decision": "approve"}
    return await officer.post(f"/work/tasks/{task_id}", data=data)


async def test_the_task_page_offers_the_colleagues_who_can_take_the_step(
    client: httpx.AsyncClient, another: Another, officers: None
) -> None:
    await fire_case(client)
    async with another() as fire:
        await web_sign_in(fire, "staff-fire")
        page = (await fire.get(f"/work/tasks/{await only_task(fire)}")).text
        assert "流转" in page and 'id="transfer"' in page and 'id="delegate"' in page
        assert 'formaction="/work/tasks/' in page and "加签" in page
        assert '<option value="fire-2">王建军（fire-2）</option>' in page
        assert 'value="samr-2"' not in page and "林晓" not in page  # another department
        assert 'value="fire-3"' not in page  # does not hold the step's role
        assert 'value="staff-fire"' not in page  # not oneself
        english = (await fire.get(f"/work/tasks/{await only_task(fire)}?lang=en")).text
        assert "Pass on" in english and "王建军 (fire-2)" in english


async def test_a_transfer_moves_the_case_to_the_colleagues_inbox(
    client: httpx.AsyncClient, another: Another, officers: None
) -> None:
    tracking_no = await fire_case(client)
    async with another() as fire, another() as fire2:
        await web_sign_in(fire, "staff-fire")
        await web_sign_in(fire2, "fire-2")
        task_id = await only_task(fire)
        assert await only_task(fire2) == task_id  # the role's, until someone takes it
        moved = await pass_on(fire, task_id, "hand-over", mode="transfer", to="fire-2")
        assert moved.status_code == 303 and moved.headers["location"] == "/work"
        mine = (await fire.get("/work")).text
        assert f"已转办给 王建军：办件 {tracking_no}。" in mine
        assert inbox(mine) == []
        assert (await fire.get(f"/work/tasks/{task_id}")).status_code == 404
        assert await only_task(fire2) == task_id
        theirs = (await fire2.get(f"/work/tasks/{task_id}")).text
        assert 'id="decision-approve"' in theirs and 'id="give-back"' not in theirs


async def test_a_delegated_task_is_given_back_and_then_decided_by_the_delegator(
    client: httpx.AsyncClient, another: Another, officers: None
) -> None:
    tracking_no = await fire_case(client)
    async with another() as fire, another() as fire2:
        await web_sign_in(fire, "staff-fire")
        await web_sign_in(fire2, "fire-2")
        task_id = await only_task(fire)
        sent = await pass_on(
            fire, task_id, "hand-over", mode="delegate", to="fire-2", comment="请核查现场"
        )
        assert sent.status_code == 303
        assert f"已委派给 王建军：办件 {tracking_no}" in (await fire.get("/work")).text
        page = (await fire2.get(f"/work/tasks/{await only_task(fire2)}")).text
        assert "卫东 将本任务委派给您" in page
        assert 'id="give-back"' in page and 'name="decision"' not in page
        assert 'id="transfer"' not in page  # a delegate gives it back rather than passing it on
        back = await pass_on(fire2, task_id, "give-back", comment="现场已核查，符合要求")
        assert back.status_code == 303
        assert f"已交还给 卫东：办件 {tracking_no}。" in (await fire2.get("/work")).text
        assert inbox((await fire2.get("/work")).text) == []
        assert await only_task(fire) == task_id
        assert (await approve(fire, task_id)).status_code == 303
        assert f"已通过：办件 {tracking_no}" in (await fire.get("/work")).text


async def test_an_added_signer_must_approve_the_step_too(
    client: httpx.AsyncClient, another: Another, officers: None
) -> None:
    tracking_no = await fire_case(client)
    async with another() as fire, another() as fire2:
        await web_sign_in(fire, "staff-fire")
        await web_sign_in(fire2, "fire-2")
        task_id = await only_task(fire)
        added = await pass_on(fire, task_id, "add-signer", to="fire-2")
        assert added.status_code == 303
        assert f"办件 {tracking_no} 还须 王建军 审批" in (await fire.get("/work")).text
        # 王建军 holds the role too, yet sees only his own task: the step's first one is now
        # mine alone, or he could approve both and the step would pass on his signature.
        cosign = await only_task(fire2)
        assert cosign != task_id
        assert (await fire2.get(f"/work/tasks/{task_id}")).status_code == 404
        # Still mine to sign, and 王建军 is no longer offered: he signs already.
        page = (await fire.get(f"/work/tasks/{task_id}")).text
        assert 'id="decision-approve"' in page and 'value="fire-2"' not in page
        assert (await approve(fire, task_id)).status_code == 303
        assert inbox((await fire.get("/work")).text) == []  # 决定 waits for the co-signer
        assert await only_task(fire2) == cosign
        assert "· 受理" in (await fire2.get(f"/work/tasks/{cosign}")).text
        assert (await approve(fire2, cosign)).status_code == 303
        decide = await only_task(fire)
        assert "· 决定" in (await fire.get(f"/work/tasks/{decide}")).text


async def test_a_colleague_who_cannot_take_it_is_refused_beside_the_field(
    client: httpx.AsyncClient, another: Another, officers: None
) -> None:
    await fire_case(client)
    async with another() as fire, another() as fire2:
        await web_sign_in(fire, "staff-fire")
        await web_sign_in(fire2, "fire-2")
        task_id = await only_task(fire)
        for tampered in ("samr-2", "fire-3", "staff-fire", "nobody"):
            refused = await pass_on(
                fire, task_id, "hand-over", mode="transfer", to=tampered, comment="请协助办理"
            )
            assert refused.status_code == 422, tampered
            assert 'id="pass-on-to-error"' in refused.text
            assert NOT_A_COLLEAGUE in html.unescape(refused.text)
            assert ">请协助办理</textarea>" in refused.text  # what was typed is kept
        unchosen = await pass_on(fire, task_id, "add-signer", to="", comment="请协助办理")
        assert unchosen.status_code == 422
        assert '<small class="field-error" id="pass-on-to-error">请选择一位同事' in unchosen.text
        # Nothing changed: still the role's task, in my inbox and 王建军's, and no co-signer.
        assert await only_task(fire) == task_id
        assert await only_task(fire2) == task_id


async def test_another_departments_task_is_not_found(
    client: httpx.AsyncClient, another: Another, officers: None
) -> None:
    await fire_case(client)
    async with another() as fire, another() as samr:
        await web_sign_in(fire, "staff-fire")
        await web_sign_in(samr, "samr-2")
        task_id = await only_task(fire)
        page = await samr.get(f"/work/tasks/{task_id}")
        assert page.status_code == 404
        samr_token = samr.cookies["yiwang_csrf"]
        for action, fields in (
            ("hand-over", {"mode": "transfer", "to": "samr-2"}),
            ("add-signer", {"to": "fire-2"}),
            ("give-back", {}),
            ("take-back", {}),
        ):
            response = await samr.post(
                f"/work/tasks/{task_id}/{action}", data={"csrf_token": samr_token, **fields}
            )
            assert response.status_code == 404, action
        assert await only_task(fire) == task_id


async def test_a_pass_on_without_the_csrf_token_or_signed_out_is_refused(
    client: httpx.AsyncClient, another: Another, officers: None
) -> None:
    await fire_case(client)
    async with another() as fire, another() as stranger:
        await web_sign_in(fire, "staff-fire")
        task_id = await only_task(fire)
        path = f"/work/tasks/{task_id}/hand-over"
        forged = await fire.post(
            path, data={"csrf_token": "forged", "mode": "transfer", "to": "fire-2"}
        )
        assert forged.status_code == 403
        missing = await fire.post(path, data={"mode": "transfer", "to": "fire-2"})
        assert missing.status_code == 422  # the form is incomplete: nothing is done
        await stranger.get("/login")  # a CSRF cookie, but nobody signed in
        signed_out = await stranger.post(
            path,
            data={
                "csrf_token": stranger.cookies["yiwang_csrf"],
                "mode": "transfer",
                "to": "fire-2",
            },
        )
        assert signed_out.status_code == 303
        assert signed_out.headers["location"] == f"/login?next=/work/tasks/{task_id}"
        assert await only_task(fire) == task_id  # still mine: nothing was handed over


async def test_an_approval_is_taken_back_until_the_next_officer_acts(
    client: httpx.AsyncClient, another: Another
) -> None:
    tracking_no = await fire_case(client)
    async with another() as fire:
        await web_sign_in(fire, "staff-fire")
        accept = await only_task(fire)
        assert 'id="take-back"' not in (await fire.get(f"/work/tasks/{accept}")).text
        assert (await approve(fire, accept)).status_code == 303
        decide = await only_task(fire)
        assert 'id="take-back"' in (await fire.get(f"/work/tasks/{accept}")).text
        taken = await pass_on(fire, accept, "take-back")
        assert taken.status_code == 303
        assert f"已撤回审批：办件 {tracking_no} 回到您的办件箱。" in (await fire.get("/work")).text
        reopened = await only_task(fire)
        assert reopened not in (accept, decide)
        assert "· 受理" in (await fire.get(f"/work/tasks/{reopened}")).text
        assert (await approve(fire, reopened)).status_code == 303
        assert (await approve(fire, await only_task(fire))).status_code == 303  # 决定, done
        late = (await fire.get(f"/work/tasks/{reopened}")).text
        assert 'id="take-back"' not in late
        refused = await fire.post(
            f"/work/tasks/{reopened}/take-back", data={"csrf_token": fire.cookies["yiwang_csrf"]}
        )
        assert refused.status_code == 409
        assert "只能在下一环节的人员办理之前撤回自己的审批" in refused.text
