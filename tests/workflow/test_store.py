"""The engine's rules are one piece of code (`workflow.machine`), stored either through
SQLAlchemy (the staff decision route) or on the raw driver (`workflow.store`): the same bundle
decided both ways ends in the same state, and the raw way refuses what the route refuses."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest

from yiwang.catalog.loader import load_catalog
from yiwang.database import transaction
from yiwang.errors import Conflict, Invalid, NotFound
from yiwang.kit.workdays import WorkdayCalendar
from yiwang.rawdb import RawDatabase
from yiwang.workflow import service as workflow
from yiwang.workflow import store

pytestmark = pytest.mark.anyio
CALENDAR = WorkdayCalendar()
TODAY = dt.date(2026, 11, 26)
OFFICER = str(uuid.uuid4())
CATALOG = load_catalog(Path(__file__).resolve().parents[2] / "definitions")


def plans() -> list[workflow.BranchPlan]:
    bundle = CATALOG.bundles["open-restaurant"]
    return [
        workflow.BranchPlan(CATALOG.services[code], tuple(bundle.after.get(code, ())))
        for code in bundle.services
    ]


async def started(engine) -> str:
    application_id = str(uuid.uuid4())
    async with transaction(engine, strict_audit=False) as db:
        await workflow.start(
            db, application_id=application_id, plans=plans(), today=TODAY, calendar=CALENDAR
        )
    return application_id


async def open_tasks(engine, application_id: str) -> list:
    async with transaction(engine, write=False) as db:
        return [t for t in await workflow.history(db, application_id) if t.status == "open"]


async def approve_all(engine, application_id: str, decide) -> list[tuple[str, str]]:
    """Approve the first open task until none is left; the (service, step) order decided."""
    order = []
    while tasks := await open_tasks(engine, application_id):
        await decide(tasks[0])
        order.append((tasks[0].service_code, tasks[0].step_code))
    return order


async def final_state(engine, application_id: str) -> list[tuple]:
    async with transaction(engine, write=False) as db:
        branches = await workflow.branches(db, application_id)
        history = await workflow.history(db, application_id)
    return sorted(
        [("branch", b.service_code, b.status, b.step_code, b.started_on) for b in branches]
        + [("task", t.service_code, t.step_code, t.status, t.decision) for t in history]
    )


def raw_decide(raw: RawDatabase, task, **overrides):
    arguments = {
        "task_id": task.id,
        "department_code": task.department_code,
        "roles": [task.role],
        "actor_id": OFFICER,
        "decision": "approve",
        "comment": "符合条件",
        "services": CATALOG.services,
        "today": TODAY,
        "calendar": CALENDAR,
    } | overrides

    async def work(tx):
        return await store.decide(raw, tx, **arguments)

    return raw.run(work)


async def test_a_bundle_decided_on_the_raw_driver_ends_as_through_the_route(
    engine, settings
) -> None:
    raw = RawDatabase.for_url(settings.database_url)
    try:
        through_route, on_raw = await started(engine), await started(engine)

        async def route(task) -> None:
            async with transaction(engine, strict_audit=False) as db:
                await workflow.decide(
                    db,
                    task_id=task.id,
                    department_code=task.department_code,
                    roles=[task.role],
                    actor_id=OFFICER,
                    decision="approve",
                    comment="符合条件",
                    services=CATALOG.services,
                    today=TODAY,
                    calendar=CALENDAR,
                )
                await workflow.release_waiting(
                    db,
                    application_id=task.application_id,
                    services=CATALOG.services,
                    today=TODAY,
                    calendar=CALENDAR,
                )

        async def raw_way(task) -> None:
            await raw_decide(raw, task)

        order = await approve_all(engine, through_route, route)
        assert await approve_all(engine, on_raw, raw_way) == order
        # The food permit waits for the business licence: none of its steps comes before
        # the licence's last one.
        services = [service for service, _ in order]
        assert services.index("samr-food-permit") > max(
            i for i, s in enumerate(services) if s == "samr-business-licence"
        )
        state = await final_state(engine, on_raw)
        assert state == await final_state(engine, through_route)
        assert {s[2] for s in state if s[0] == "branch"} == {"approved"}
    finally:
        await raw.close()


async def test_the_raw_driver_refuses_what_the_route_refuses(engine, settings) -> None:
    raw = RawDatabase.for_url(settings.database_url)
    try:
        application_id = await started(engine)
        task = (await open_tasks(engine, application_id))[0]
        with pytest.raises(NotFound):  # another department's task does not exist
            await raw_decide(raw, task, department_code="fire-not-this-one")
        with pytest.raises(Invalid):  # a rejection needs its reason
            await raw_decide(raw, task, decision="reject", comment=" ")
        await raw_decide(raw, task)
        with pytest.raises(Conflict):  # decided once only
            await raw_decide(raw, task)
        # The refused attempts wrote nothing: one task closed, its next step opened.
        closed = [
            t
            for t in await open_tasks(engine, application_id)
            if t.branch_id == task.branch_id and t.step_code == task.step_code
        ]
        assert closed == []
        assert len(await open_tasks(engine, application_id)) == 3
    finally:
        await raw.close()
