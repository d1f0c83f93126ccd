"""States that must refuse, and requests that arrive at the same moment (on PostgreSQL too)."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
import pytest
import sqlalchemy as sa

from tests.applications.helpers import (
    add_staff,
    answers,
    bundle_form,
    open_tasks,
    staff,
    submit_bundle,
)
from tests.applications.test_staff_operations import food_permit_at_review, second_samr_reviewer
from tests.conftest import sign_in
from yiwang.workflow.models import branches, tasks

pytestmark = pytest.mark.anyio


async def test_concurrent_cosignatures_move_the_step_on_exactly_once(
    client: httpx.AsyncClient, engine, demo_password_hash: str
) -> None:
    await second_samr_reviewer(engine, demo_password_hash)
    await add_staff(
        engine,
        demo_password_hash,
        username="samr-reviewer-3",
        department="samr",
        roles=["reviewer"],
        name="陆明",
    )
    application, citizen = await food_permit_at_review(client)
    signers = [
        await staff(client, "samr"),
        await sign_in(client, "samr-reviewer-2"),
        await sign_in(client, "samr-reviewer-3"),
    ]
    mine = [(await open_tasks(client, h, application["id"]))[0] for h in signers]
    results = await asyncio.gather(
        *[
            client.post(
                f"/api/v1/tasks/{t['id']}/decision", json={"decision": "approve"}, headers=h
            )
            for t, h in zip(mine, signers, strict=True)
        ]
    )
    assert [r.status_code for r in results] == [200, 200, 200]
    assert sorted(str(r.json()["next_step"]) for r in results) == ["None", "None", "decide"]
    view = (await client.get(f"/api/v1/applications/{application['id']}", headers=citizen)).json()
    food = next(s for s in view["steps"] if s["service"]["code"] == "samr-food-permit")
    assert food["step"]["code"] == "decide"


async def test_the_same_key_sent_at_once_makes_one_application(client: httpx.AsyncClient) -> None:
    citizen = await sign_in(client, "citizen1")
    body = {
        "bundle": "open-restaurant",
        "form": answers(await bundle_form(client, "open-restaurant")),
    }
    headers = {**citizen, "Idempotency-Key": "double-click-1"}
    results = await asyncio.gather(
        *[client.post("/api/v1/applications", json=body, headers=headers) for _ in range(4)]
    )
    assert [r.status_code for r in results] == [201] * 4
    assert len({r.json()["id"] for r in results}) == 1
    assert len((await client.get("/api/v1/applications", headers=citizen)).json()) == 1


async def test_a_task_left_on_a_branch_that_stopped_cannot_be_decided(
    client: httpx.AsyncClient, engine
) -> None:
    citizen = await sign_in(client, "citizen1")
    application = (await submit_bundle(client, citizen, "open-restaurant")).json()
    fire = await staff(client, "fire")
    [task] = await open_tasks(client, fire, application["id"])
    async with engine.begin() as conn:  # as a lost race would have left it
        await conn.execute(
            sa.update(branches)
            .where(branches.c.application_id == application["id"])
            .values(status="withdrawn")
        )
    response = await client.post(
        f"/api/v1/tasks/{task['id']}/decision", json={"decision": "approve"}, headers=fire
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "case_not_active"
    async with engine.connect() as conn:
        status = (
            await conn.execute(sa.select(tasks.c.status).where(tasks.c.id == task["id"]))
        ).scalar()
    assert status == "open"  # nothing was written


async def test_no_withdrawal_once_a_department_has_decided(client: httpx.AsyncClient) -> None:
    citizen = await sign_in(client, "citizen1")
    application = (await submit_bundle(client, citizen, "open-restaurant")).json()
    tax = await staff(client, "tax")
    [task] = await open_tasks(client, tax, application["id"])
    await client.post(
        f"/api/v1/tasks/{task['id']}/decision", json={"decision": "approve"}, headers=tax
    )
    response = await client.post(
        f"/api/v1/applications/{application['id']}/withdraw", json={}, headers=citizen
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_withdrawable"


async def test_a_cosigner_cannot_be_handed_a_second_signature(
    client: httpx.AsyncClient, engine, demo_password_hash: str
) -> None:
    await second_samr_reviewer(engine, demo_password_hash)
    application, _ = await food_permit_at_review(client)
    first = await staff(client, "samr")
    [mine] = await open_tasks(client, first, application["id"])
    response = await client.post(
        f"/api/v1/tasks/{mine['id']}/transfer", json={"to": "samr-reviewer-2"}, headers=first
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_signing"


async def test_an_overdue_case_stays_overdue_through_a_suspension(
    client: httpx.AsyncClient, engine
) -> None:
    citizen = await sign_in(client, "citizen1")
    application = (await submit_bundle(client, citizen, "open-restaurant")).json()
    fire = await staff(client, "fire")
    [task] = await open_tasks(client, fire, application["id"])
    past = dt.date(2026, 11, 2)
    async with engine.begin() as conn:
        await conn.execute(sa.update(tasks).where(tasks.c.id == task["id"]).values(due_date=past))
        await conn.execute(
            sa.update(branches)
            .where(branches.c.application_id == application["id"])
            .where(branches.c.service_code == "fire-safety-commitment")
            .values(due_date=past, step_due_date=past)
        )
    await client.post(f"/api/v1/tasks/{task['id']}/suspend", json={}, headers=fire)
    await client.post(f"/api/v1/tasks/{task['id']}/resume", json={}, headers=fire)
    [after] = await open_tasks(client, fire, application["id"])
    assert after["overdue"]  # suspending did not wipe out the days already overdue


@pytest.mark.parametrize(
    "path_and_body",
    [
        ("decision", {"decision": "reject", "comment": "原因\u0000x"}),
        ("transfer", {"to": "a\u0000"}),
        ("suspend", {"reason": "检测\u0007"}),
    ],
)
async def test_control_characters_in_staff_text_are_refused_on_every_database(
    client: httpx.AsyncClient, path_and_body
) -> None:
    path, body = path_and_body
    citizen = await sign_in(client, "citizen1")
    application = (await submit_bundle(client, citizen, "open-restaurant")).json()
    fire = await staff(client, "fire")
    [task] = await open_tasks(client, fire, application["id"])
    response = await client.post(f"/api/v1/tasks/{task['id']}/{path}", json=body, headers=fire)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["code"] == "invalid_characters"
