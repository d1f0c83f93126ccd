"""The deadline job: a warning the working day before, 督办 for supervisors once overdue."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
import pytest
import sqlalchemy as sa

from tests.applications.helpers import open_tasks, staff, submit_bundle
from tests.conftest import sign_in
from yiwang import jobs
from yiwang.applications import deadlines as applications
from yiwang.database import transaction
from yiwang.kit.workdays import WorkdayCalendar
from yiwang.workflow.models import tasks

pytestmark = pytest.mark.anyio
CALENDAR = WorkdayCalendar()


async def run_deadlines(app, today: dt.date) -> dict[str, int]:
    async with transaction(app.state.engine) as db:
        result = await applications.check_deadlines(db, calendar=CALENDAR, today=today)
    await jobs.drain(app.state.engine)
    await jobs.run_pending(app.state.engine)
    return result


async def set_due(engine, task_id: str, due: dt.date) -> None:
    async with engine.begin() as conn:
        await conn.execute(sa.update(tasks).where(tasks.c.id == task_id).values(due_date=due))


async def fire_overdue_and_tax_due_tomorrow(client: httpx.AsyncClient, engine, today: dt.date):
    """An application whose fire task is two days overdue and whose tax task falls due on the
    next working day; the other departments' tasks are a month away."""
    citizen = await sign_in(client, "citizen1")
    application = (await submit_bundle(client, citizen, "open-restaurant")).json()
    fire, tax = await staff(client, "fire"), await staff(client, "tax")
    [fire_task] = await open_tasks(client, fire, application["id"])
    [tax_task] = await open_tasks(client, tax, application["id"])
    await set_due(engine, fire_task["id"], today - dt.timedelta(days=2))
    await set_due(engine, tax_task["id"], CALENDAR.next_workday(today))
    for task in await open_tasks(client, await staff(client, "samr"), application["id"]):
        await set_due(engine, task["id"], today + dt.timedelta(days=30))
    return citizen, application, fire, tax


async def test_overdue_tasks_are_escalated_once_and_due_ones_warned(
    client: httpx.AsyncClient, app, engine
) -> None:
    today = dt.date(2026, 11, 26)
    citizen, application, fire, tax = await fire_overdue_and_tax_due_tomorrow(client, engine, today)
    assert await run_deadlines(app, today) == {"warned": 1, "escalated": 1}
    fire_box = (await client.get("/api/v1/me/notifications", headers=fire)).json()
    assert [m["kind"] for m in fire_box] == ["task_overdue"]
    assert application["tracking_no"] in fire_box[0]["title"]
    tax_box = (await client.get("/api/v1/me/notifications", headers=tax)).json()
    assert [m["kind"] for m in tax_box] == ["task_due_soon"]
    # Nobody is told twice.
    assert await run_deadlines(app, today) == {"warned": 0, "escalated": 0}
    timeline = (
        await client.get(f"/api/v1/applications/{application['id']}", headers=citizen)
    ).json()["timeline"]
    assert {"task_overdue", "task_due_soon"} <= {e["kind"] for e in timeline}
    overdue_flag = [t for t in await open_tasks(client, fire, application["id"])][0]
    assert overdue_flag["overdue"]


async def test_a_suspended_case_is_not_escalated(client: httpx.AsyncClient, app, engine) -> None:
    today = dt.date(2026, 11, 26)
    citizen = await sign_in(client, "citizen1")
    application = (await submit_bundle(client, citizen, "open-restaurant")).json()
    fire = await staff(client, "fire")
    [task] = await open_tasks(client, fire, application["id"])
    await client.post(
        f"/api/v1/tasks/{task['id']}/suspend", json={"reason": "专家评审"}, headers=fire
    )
    await set_due(engine, task["id"], today - dt.timedelta(days=5))
    for department in ("samr", "tax"):
        for other in await open_tasks(client, await staff(client, department), application["id"]):
            await set_due(engine, other["id"], today + dt.timedelta(days=30))
    assert await run_deadlines(app, today) == {"warned": 0, "escalated": 0}


async def test_two_workers_checking_at_once_warn_and_escalate_once(
    client: httpx.AsyncClient, app, engine
) -> None:
    """Two `yiwang worker` processes run their deadline passes at the same moment: each due task
    is warned, and each overdue one escalated, by one of them only."""
    today = dt.date(2026, 11, 26)
    _, _, fire, tax = await fire_overdue_and_tax_due_tomorrow(client, engine, today)

    async def one_worker() -> dict[str, int]:
        async with transaction(engine) as db:
            return await applications.check_deadlines(db, calendar=CALENDAR, today=today)

    first, second = await asyncio.gather(one_worker(), one_worker())
    assert first["warned"] + second["warned"] == 1
    assert first["escalated"] + second["escalated"] == 1
    await jobs.drain(engine)
    await jobs.run_pending(engine)
    tax_box = (await client.get("/api/v1/me/notifications", headers=tax)).json()
    assert [m["kind"] for m in tax_box] == ["task_due_soon"]
    fire_box = (await client.get("/api/v1/me/notifications", headers=fire)).json()
    assert [m["kind"] for m in fire_box] == ["task_overdue"]
