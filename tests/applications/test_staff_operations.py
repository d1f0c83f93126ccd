"""How approval offices really work: 会签 (every officer signs), 挂起 / 解挂 (clock stopped)."""

from __future__ import annotations

import httpx
import pytest

from tests.applications.helpers import add_staff, approve_branch, open_tasks, staff, submit_bundle
from tests.conftest import sign_in

pytestmark = pytest.mark.anyio


async def second_samr_reviewer(engine, demo_password_hash: str) -> None:
    await add_staff(
        engine,
        demo_password_hash,
        username="samr-reviewer-2",
        department="samr",
        roles=["reviewer"],
        name="林晓",
    )


async def food_permit_at_review(client: httpx.AsyncClient) -> tuple[dict, dict[str, str]]:
    """An open-restaurant application whose food permit has reached its 会签 review step."""
    citizen = await sign_in(client, "citizen1")
    application = (await submit_bundle(client, citizen, "open-restaurant")).json()
    samr = await staff(client, "samr")
    for _ in range(3):  # licence accept/review/decide, releasing the food permit
        [task] = await open_tasks(client, samr, application["id"])
        await client.post(
            f"/api/v1/tasks/{task['id']}/decision", json={"decision": "approve"}, headers=samr
        )
    [accept] = await open_tasks(client, samr, application["id"])
    assert accept["service"] == "samr-food-permit" and accept["step"] == "accept"
    await client.post(
        f"/api/v1/tasks/{accept['id']}/decision", json={"decision": "approve"}, headers=samr
    )
    return application, citizen


async def test_a_cosigned_step_waits_for_every_officer(
    client: httpx.AsyncClient, engine, demo_password_hash: str
) -> None:
    await second_samr_reviewer(engine, demo_password_hash)
    application, citizen = await food_permit_at_review(client)
    first, second = await staff(client, "samr"), await sign_in(client, "samr-reviewer-2")
    [mine] = await open_tasks(client, first, application["id"])
    [theirs] = await open_tasks(client, second, application["id"])
    assert mine["step"] == theirs["step"] == "review" and mine["id"] != theirs["id"]
    assert mine["assigned_to_me"] and theirs["assigned_to_me"]
    # One officer cannot sign for the other.
    stolen = await client.post(
        f"/api/v1/tasks/{theirs['id']}/decision", json={"decision": "approve"}, headers=first
    )
    assert stolen.status_code == 404
    signed = await client.post(
        f"/api/v1/tasks/{mine['id']}/decision", json={"decision": "approve"}, headers=first
    )
    assert signed.json()["next_step"] is None and signed.json()["branch_status"] == "active"
    view = (await client.get(f"/api/v1/applications/{application['id']}", headers=citizen)).json()
    food = next(s for s in view["steps"] if s["service"]["code"] == "samr-food-permit")
    assert food["step"]["code"] == "review"
    done = await client.post(
        f"/api/v1/tasks/{theirs['id']}/decision", json={"decision": "approve"}, headers=second
    )
    assert done.json()["next_step"] == "decide"


async def test_a_return_inside_a_cosigned_step_restarts_it_for_everyone(
    client: httpx.AsyncClient, engine, demo_password_hash: str
) -> None:
    await second_samr_reviewer(engine, demo_password_hash)
    application, citizen = await food_permit_at_review(client)
    first, second = await staff(client, "samr"), await sign_in(client, "samr-reviewer-2")
    [mine] = await open_tasks(client, first, application["id"])
    [theirs] = await open_tasks(client, second, application["id"])
    await client.post(
        f"/api/v1/tasks/{mine['id']}/decision", json={"decision": "approve"}, headers=first
    )
    returned = await client.post(
        f"/api/v1/tasks/{theirs['id']}/decision",
        json={"decision": "return", "comment": "后厨布局图不清晰，请重新上传"},
        headers=second,
    )
    assert returned.json()["application_status"] == "returned"
    assert await open_tasks(client, first, application["id"]) == []
    field = next(
        iter(
            (await client.get(f"/api/v1/applications/{application['id']}", headers=citizen)).json()[
                "form"
            ]
        )
    )
    await client.post(
        f"/api/v1/applications/{application['id']}/supplement",
        json={"form": {field: "安吉竹韵茶业（补正后）"}},
        headers=citizen,
    )
    # Both officers sign the corrected application again.
    assert [t["step"] for t in await open_tasks(client, first, application["id"])] == ["review"]
    assert [t["step"] for t in await open_tasks(client, second, application["id"])] == ["review"]


async def test_a_suspended_case_cannot_be_decided_and_its_clock_stops(
    client: httpx.AsyncClient,
) -> None:
    citizen = await sign_in(client, "citizen1")
    application = (await submit_bundle(client, citizen, "open-restaurant")).json()
    fire = await staff(client, "fire")
    [task] = await open_tasks(client, fire, application["id"])
    suspended = await client.post(
        f"/api/v1/tasks/{task['id']}/suspend",
        json={"reason": "现场检查，等待检测报告"},
        headers=fire,
    )
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["branch_status"] == "suspended"
    [listed] = await open_tasks(client, fire, application["id"])
    assert listed["suspended"] and not listed["overdue"]
    blocked = await client.post(
        f"/api/v1/tasks/{task['id']}/decision", json={"decision": "approve"}, headers=fire
    )
    assert blocked.status_code == 409
    assert blocked.json()["error"]["code"] == "task_suspended"
    resumed = await client.post(f"/api/v1/tasks/{task['id']}/resume", json={}, headers=fire)
    assert resumed.json()["branch_status"] == "active"
    await approve_branch(client, "fire", application["id"])
    view = (await client.get(f"/api/v1/applications/{application['id']}", headers=citizen)).json()
    kinds = [e["kind"] for e in view["timeline"]]
    assert kinds.index("branch_suspended") < kinds.index("branch_resumed")
    assert (
        await client.post(f"/api/v1/tasks/{task['id']}/resume", json={}, headers=fire)
    ).status_code == 409


async def test_other_departments_cannot_suspend(client: httpx.AsyncClient) -> None:
    citizen = await sign_in(client, "citizen1")
    application = (await submit_bundle(client, citizen, "open-restaurant")).json()
    [task] = await open_tasks(client, await staff(client, "fire"), application["id"])
    response = await client.post(
        f"/api/v1/tasks/{task['id']}/suspend", json={}, headers=await staff(client, "tax")
    )
    assert response.status_code == 404
