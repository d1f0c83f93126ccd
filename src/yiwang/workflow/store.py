"""The engine's steps on the raw driver (`yiwang.rawdb`): one step is one transaction of a few
compiled statements — read what the step concerns in one query, decide it with `machine`, store
its writes.

`workflow.service` stores the same `machine.Writes` through SQLAlchemy inside the staff decision
route's unit of work (with the timeline, audit and notifications around it); here the engine
runs alone, as the submission writer already runs its start (`plan_start`) — today for the
engine benchmark and its tests. Both read and write the same tables and rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from yiwang.catalog.items import ServiceItem
from yiwang.errors import Conflict
from yiwang.kit.workdays import WorkdayCalendar
from yiwang.rawdb import RawDatabase, Row
from yiwang.workflow import machine
from yiwang.workflow import repository as repo
from yiwang.workflow.models import tasks


async def store(raw: RawDatabase, tx: Any, writes: machine.Writes) -> None:
    """Store a step's writes in the open transaction, in `repository.store`'s order."""
    for task_id, values in writes.closed:
        columns = tuple(sorted(values))
        close = raw.query(
            ("workflow.close", columns), lambda columns=columns: repo.close_task_query(columns)
        )
        if not await tx.fetch(close, task_id=task_id, **values):
            raise Conflict("task_already_decided")
    for branch_id in writes.cancel_open_of:
        cancel = raw.query("workflow.cancel", repo.cancel_branch_tasks_query)
        await tx.fetch(cancel, of_branch=branch_id, decided_at=machine.now())
    for branch_id, values in writes.branches:
        columns = tuple(sorted(values))
        update = raw.query(
            ("workflow.branch", columns), lambda columns=columns: repo.update_branch_query(columns)
        )
        await tx.fetch(update, branch_id=branch_id, **values)
    await tx.insert_rows(tasks, writes.tasks)


async def decide(
    raw: RawDatabase,
    tx: Any,
    *,
    task_id: str,
    department_code: str | None,
    roles: Sequence[str],
    actor_id: str,
    decision: str,
    comment: str,
    services: dict[str, ServiceItem],
    today: dt.date,
    calendar: WorkdayCalendar,
    assignees: Sequence[str | None] = (),
) -> tuple[machine.Decided, list[Row]]:
    """One decision in the open transaction ``tx``: `machine.decide`, and the waiting branches it
    releases when its branch is approved. Returns the decision and the tasks it opened.

    ``assignees`` are the officers of the next step when it is 会签; the raw path has no
    directory of officers, so 会签 steps fall to the role as a whole unless they are given.
    As with `workflow.service.decide`, decisions of one application are the caller's to
    serialise; and this is the engine alone: the application's status, timeline, audit and
    licences are the decision route's (`applications.service.decide`).
    """
    pg = raw.dialect.name == "postgresql"
    found = await tx.fetch(
        raw.query(("workflow.step", pg), lambda: repo.step_query(pg)), task_id=task_id
    )
    task, branch = repo.split_step(found[0]) if found else (None, {})
    task = machine.check_decider(
        task, department_code=department_code, roles=roles, actor_id=actor_id
    )
    done, writes = machine.decide(
        task=task,
        branch=branch,
        open_in_step=task["open_in_step"],
        department_code=department_code,
        roles=roles,
        actor_id=actor_id,
        decision=decision,
        comment=comment,
        service=services[task["service_code"]],
        today=today,
        calendar=calendar,
        assignees=assignees,
    )
    if done.branch_status == "approved":
        rows = await tx.fetch(
            raw.query("workflow.branches_of", repo.branches_query),
            application_id=branch["application_id"],
        )
        for waiting in machine.releasable(machine.after(rows, writes)):
            service = services[waiting["service_code"]]
            writes.add(machine.release(waiting, service, today, calendar))
    await store(raw, tx, writes)
    return done, writes.tasks
