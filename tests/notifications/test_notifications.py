"""Messages to applicants: written with the change, delivered after commit, exactly once each."""

from __future__ import annotations

import json

import httpx
import pytest
import sqlalchemy as sa

from tests.applications.helpers import open_tasks, staff, submit_bundle
from tests.conftest import sign_in
from yiwang import jobs
from yiwang.database import transaction
from yiwang.notifications import service as notifications
from yiwang.notifications.models import notifications as notifications_table

pytestmark = pytest.mark.anyio


async def messages(client: httpx.AsyncClient, app, headers: dict[str, str]) -> list[dict]:
    await jobs.drain(app.state.engine)
    await jobs.run_pending(app.state.engine)
    response = await client.get("/api/v1/me/notifications", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_applicant_hears_of_each_change_in_the_box_and_by_the_outside_channel(
    client: httpx.AsyncClient, app, settings
) -> None:
    citizen = await sign_in(client, "citizen1")
    application = (await submit_bundle(client, citizen, "open-restaurant")).json()
    [received] = await messages(client, app, citizen)
    assert received["kind"] == "submitted"
    assert application["tracking_no"] in received["title"]
    assert received["application_id"] == application["id"] and not received["read"]
    tax = await staff(client, "tax")
    [task] = await open_tasks(client, tax, application["id"])
    await client.post(
        f"/api/v1/tasks/{task['id']}/decision",
        json={"decision": "return", "comment": "请补充财务负责人"},
        headers=tax,
    )
    latest = (await messages(client, app, citizen))[0]
    assert latest["kind"] == "returned" and "补正" in latest["title"]
    assert "Corrections needed" in latest["title_en"]
    lines = [json.loads(line) for line in settings.notification_log.read_text("utf-8").splitlines()]
    assert [line["kind"] for line in lines] == ["submitted", "returned"]
    assert all(line["account_id"] == received_account(lines) for line in lines)
    # Reading: mine is marked; someone else's does not exist.
    assert (
        await client.post(f"/api/v1/me/notifications/{latest['id']}/read", headers=citizen)
    ).status_code == 204
    assert (await messages(client, app, citizen))[0]["read"]
    other = await sign_in(client, "citizen2")
    assert (
        await client.post(f"/api/v1/me/notifications/{latest['id']}/read", headers=other)
    ).status_code == 404
    assert await messages(client, app, other) == []


def received_account(lines: list[dict]) -> str:
    return lines[0]["account_id"]


async def test_a_refused_submission_queues_nothing(client: httpx.AsyncClient, app) -> None:
    citizen = await sign_in(client, "citizen1")
    response = await client.post(
        "/api/v1/applications", json={"bundle": "open-restaurant", "form": {}}, headers=citizen
    )
    assert response.status_code == 422
    async with app.state.engine.connect() as conn:
        queued = (await conn.execute(sa.select(sa.func.count()).select_from(jobs.jobs))).scalar()
    assert queued == 0


async def test_a_job_delivered_twice_leaves_one_message(engine, settings) -> None:
    payload = {
        "account_id": "acct-1",
        "kind": "approved",
        "params": {"tracking_no": "X1"},
        "application_id": None,
    }
    notifications.configure([notifications.LogFileChannel(settings.notification_log)])
    await notifications.deliver(engine, 4242, payload)
    await notifications.deliver(engine, 4242, payload)
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(notifications_table))).all()
    assert len(rows) == 1


async def test_a_failing_job_is_retried_later_and_then_done(engine) -> None:
    calls: list[int] = []

    @jobs.handler("test.flaky")
    async def flaky(_engine, job_id: int, payload: dict) -> None:
        calls.append(job_id)
        if len(calls) == 1:
            raise RuntimeError("gateway timeout")

    try:
        async with transaction(engine, strict_audit=False) as db:
            await jobs.enqueue(db, "test.flaky", {})
        await jobs.drain(engine)
        await jobs.run_pending(engine)
        async with engine.connect() as conn:
            job = (await conn.execute(sa.select(jobs.jobs))).one()
        assert job.status == "pending" and job.attempts == 1
        assert "gateway timeout" in job.last_error
        async with engine.begin() as conn:  # let the backoff pass
            await conn.execute(sa.update(jobs.jobs).values(run_after=sa.func.now()))
        assert await jobs.run_pending(engine) == 1
        async with engine.connect() as conn:
            job = (await conn.execute(sa.select(jobs.jobs))).one()
        assert job.status == "done" and len(calls) == 2
    finally:
        jobs.HANDLERS.pop("test.flaky", None)


async def test_a_bundle_applicant_hears_of_each_department_and_of_the_end(
    client: httpx.AsyncClient, app
) -> None:
    from tests.applications.helpers import approve_branch

    citizen = await sign_in(client, "citizen1")
    application = (await submit_bundle(client, citizen, "open-restaurant")).json()
    await approve_branch(client, "fire", application["id"])
    box = await messages(client, app, citizen)
    assert box[0]["kind"] == "branch_approved" and "消防" in box[0]["title"]
    for department in ("tax", "samr"):
        await approve_branch(client, department, application["id"])
    kinds = [m["kind"] for m in await messages(client, app, citizen)]
    assert kinds[0] == "approved"
    assert kinds.count("branch_approved") == 4
