"""转办, 委派, 加签, 撤回, 催办, 督办 through the API, each visible in the timeline."""

from __future__ import annotations

import httpx
import pytest

from tests.applications.helpers import add_staff, open_tasks, staff, submit_bundle
from tests.conftest import sign_in

pytestmark = pytest.mark.anyio


async def post(client, path: str, headers, **body) -> httpx.Response:
    return await client.post(f"/api/v1/tasks/{path}", json=body, headers=headers)


async def started(client) -> tuple[dict, dict[str, str]]:
    citizen = await sign_in(client, "citizen1")
    return (await submit_bundle(client, citizen, "open-restaurant")).json(), citizen


async def test_transfer_hands_the_task_over_for_good(
    client: httpx.AsyncClient, engine, demo_password_hash: str
) -> None:
    await add_staff(
        engine,
        demo_password_hash,
        username="fire-2",
        department="fire",
        roles=["reviewer", "approver"],
    )
    application, citizen = await started(client)
    fire, fire2 = await staff(client, "fire"), await sign_in(client, "fire-2")
    [task] = await open_tasks(client, fire, application["id"])
    moved = await post(client, f"{task['id']}/transfer", fire, to="fire-2", comment="请王科长办理")
    assert moved.status_code == 200, moved.text
    assert await open_tasks(client, fire, application["id"]) == []
    [mine] = await open_tasks(client, fire2, application["id"])
    assert mine["assigned_to_me"]
    assert (
        await post(client, f"{task['id']}/decision", fire2, decision="approve")
    ).status_code == 200
    other_department = await post(client, f"{mine['id']}/transfer", fire2, to="staff-tax")
    assert other_department.status_code in (404, 409)
    timeline = (
        await client.get(f"/api/v1/applications/{application['id']}", headers=citizen)
    ).json()["timeline"]
    assert "transferred" in [e["kind"] for e in timeline]


async def test_a_transfer_outside_the_department_is_refused(
    client: httpx.AsyncClient,
) -> None:
    application, _ = await started(client)
    fire = await staff(client, "fire")
    [task] = await open_tasks(client, fire, application["id"])
    response = await post(client, f"{task['id']}/transfer", fire, to="staff-tax")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "not_a_colleague"


async def test_a_delegate_gives_the_task_back_instead_of_deciding(
    client: httpx.AsyncClient, engine, demo_password_hash: str
) -> None:
    await add_staff(
        engine, demo_password_hash, username="fire-2", department="fire", roles=["reviewer"]
    )
    await add_staff(
        engine, demo_password_hash, username="fire-3", department="fire", roles=["reviewer"]
    )
    application, _ = await started(client)
    fire, fire2 = await staff(client, "fire"), await sign_in(client, "fire-2")
    [task] = await open_tasks(client, fire, application["id"])
    assert (await post(client, f"{task['id']}/delegate", fire, to="fire-2")).status_code == 200
    [delegated] = await open_tasks(client, fire2, application["id"])
    assert delegated["delegated"]
    refused = await post(client, f"{task['id']}/decision", fire2, decision="approve")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "task_delegated"
    # Nor does the delegate choose who signs: no 加签 on a delegated task (not even the
    # delegator, who would then hold two tasks of one step once it is given back).
    for to in ("staff-fire", "fire-3"):
        added = await post(client, f"{task['id']}/add-signer", fire2, to=to)
        assert added.status_code == 409 and added.json()["error"]["code"] == "task_delegated"
    assert [t["id"] for t in await open_tasks(client, fire2, application["id"])] == [task["id"]]
    back = await post(client, f"{task['id']}/give-back", fire2, comment="现场已核查，符合要求")
    assert back.status_code == 200
    assert (
        await post(client, f"{task['id']}/decision", fire, decision="approve")
    ).status_code == 200


async def test_an_added_signer_must_approve_too(
    client: httpx.AsyncClient, engine, demo_password_hash: str
) -> None:
    await add_staff(
        engine,
        demo_password_hash,
        username="tax-2",
        department="tax",
        roles=["reviewer", "approver"],
    )
    application, citizen = await started(client)
    tax, tax2 = await staff(client, "tax"), await sign_in(client, "tax-2")
    [task] = await open_tasks(client, tax, application["id"])
    assert (await post(client, f"{task['id']}/add-signer", tax, to="tax-2")).status_code == 200
    again = await post(client, f"{task['id']}/add-signer", tax, to="tax-2")
    assert again.status_code == 409
    first = await post(client, f"{task['id']}/decision", tax, decision="approve")
    assert first.json()["branch_status"] == "active"
    # The answer names the application it moved, as the applicant knows it.
    assert first.json()["application_id"] == application["id"]
    assert first.json()["tracking_no"] == application["tracking_no"]
    [added] = await open_tasks(client, tax2, application["id"])
    second = await post(client, f"{added['id']}/decision", tax2, decision="approve")
    # tax-registration is one step (即办件): with both signatures the branch is done.
    assert second.json()["branch_status"] == "approved"
    view = (await client.get(f"/api/v1/applications/{application['id']}", headers=citizen)).json()
    tax_step = next(s for s in view["steps"] if s["service"]["code"] == "tax-registration")
    assert tax_step["status"] == "approved"


async def test_an_approval_can_be_taken_back_until_the_next_officer_acts(
    client: httpx.AsyncClient,
) -> None:
    application, _ = await started(client)
    samr = await staff(client, "samr")
    [accept] = await open_tasks(client, samr, application["id"])
    await post(client, f"{accept['id']}/decision", samr, decision="approve")
    [review] = await open_tasks(client, samr, application["id"])
    assert review["step"] != accept["step"]
    taken = await post(client, f"{accept['id']}/take-back", samr)
    assert taken.status_code == 200, taken.text
    [reopened] = await open_tasks(client, samr, application["id"])
    assert reopened["step"] == accept["step"]
    await post(client, f"{reopened['id']}/decision", samr, decision="approve")
    [review] = await open_tasks(client, samr, application["id"])
    await post(client, f"{review['id']}/decision", samr, decision="approve")
    late = await post(client, f"{reopened['id']}/take-back", samr)
    assert late.status_code == 409 and late.json()["error"]["code"] == "cannot_take_back"


async def test_only_supervisors_nudge_and_supervise(
    client: httpx.AsyncClient, app, engine, demo_password_hash: str
) -> None:
    await add_staff(
        engine, demo_password_hash, username="fire-2", department="fire", roles=["reviewer"]
    )
    application, citizen = await started(client)
    fire, fire2 = await staff(client, "fire"), await sign_in(client, "fire-2")
    [task] = await open_tasks(client, fire, application["id"])
    assert (await post(client, f"{task['id']}/nudge", fire2, comment="快")).status_code == 403
    assert (
        await post(client, f"{task['id']}/nudge", fire, comment="请今天办结")
    ).status_code == 200
    assert (
        await post(client, f"{task['id']}/supervise", fire, comment="已超期")
    ).status_code == 200
    [listed] = await open_tasks(client, fire, application["id"])
    assert listed["supervised"]
    kinds = [
        e["kind"]
        for e in (
            await client.get(f"/api/v1/applications/{application['id']}", headers=citizen)
        ).json()["timeline"]
    ]
    assert kinds.index("nudged") < kinds.index("supervised")
