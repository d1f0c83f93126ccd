"""The deadline job: warn officers the working day before a task falls due, and escalate
overdue tasks to the department's supervisors (督办), writing both into the timelines."""

from __future__ import annotations

import datetime as dt

from yiwang.applications import repository as repo
from yiwang.applications.service import china_today
from yiwang.audit import service as audit
from yiwang.catalog import snapshots
from yiwang.database import Db
from yiwang.identity import repository as identity_repo
from yiwang.kit.workdays import WorkdayCalendar
from yiwang.notifications import service as notifications
from yiwang.workflow import service as workflow


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


SUPERVISOR_ROLE = "supervisor"


async def check_deadlines(
    db: Db, *, calendar: WorkdayCalendar, today: dt.date | None = None
) -> dict[str, int]:
    """The deadline job: warn officers a day ahead, escalate overdue tasks to the supervisor
    role (督办), and write both into the applications' timelines."""
    today = today or china_today()
    found = await workflow.check_deadlines(db, today=today, calendar=calendar)
    for task, kind, role in [
        *((t, "task_due_soon", t.role) for t in found.due_soon),
        *((t, "task_overdue", SUPERVISOR_ROLE) for t in found.overdue),
    ]:
        people = (
            [task.assignee_id]
            if task.assignee_id and kind == "task_due_soon"
            else (await identity_repo.officers(db, department_code=task.department_code, role=role))
        )
        application = await repo.get(db, task.application_id)
        assert application is not None
        catalog = await snapshots.by_id(db, application.snapshot_id)
        service_name = catalog.services[task.service_code].name.zh
        for account_id in people:
            await notifications.notify(
                db,
                account_id=account_id,
                kind=kind,
                application_id=task.application_id,
                params={
                    "service": f"{service_name}（{application.tracking_no}）",
                    "due": task.due_date.isoformat(),
                },
            )
        await repo.add_events(
            db,
            [
                {
                    "application_id": task.application_id,
                    "branch_id": task.branch_id,
                    "at": _now(),
                    "actor_id": None,
                    "actor_kind": "system",
                    "kind": kind,
                    "detail": {
                        "service": task.service_code,
                        "step": task.step_code,
                        "due_date": task.due_date.isoformat(),
                        "notified": len(people),
                    },
                }
            ],
        )
    if found.due_soon or found.overdue:
        await audit.record(
            db,
            actor=audit.SystemActor("system:deadlines"),
            action="tasks.deadlines_checked",
            after={
                "warned": len(found.due_soon),
                "escalated": len(found.overdue),
                "today": today.isoformat(),
            },
        )
    return {"warned": len(found.due_soon), "escalated": len(found.overdue)}
