"""The workflow verbs: start branches, decide tasks, stop and resume clocks.

A branch is a small state machine per service (waiting → active → approved | rejected | returned
→ active …); its steps come from the service's definition. Time limits are counted in working
days from the day after a branch starts; while a branch waits for the applicant (补正) its clock
stands still and resumes with the working days it had left.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from yiwang.catalog.items import ServiceItem, Step
from yiwang.database import Db
from yiwang.errors import Conflict, Invalid, NotFound, field_error
from yiwang.kit.ids import new_id
from yiwang.kit.workdays import WorkdayCalendar
from yiwang.rawdb import RawDatabase, Row
from yiwang.workflow import machine
from yiwang.workflow import repository as repo

FINAL = frozenset({"approved", "rejected", "stopped", "withdrawn"})


@dataclasses.dataclass(frozen=True)
class BranchPlan:
    """One service of an application, and the services it must wait for."""

    service: ServiceItem
    waits_for: tuple[str, ...] = ()


_now = machine.now
_step = machine.step_of
Decided = machine.Decided

Officers = Callable[[str, str], Awaitable[list[str]]]
"""Who holds a role in a department: (department code, role) → account ids."""


async def no_officers(department: str, role: str) -> list[str]:
    """No one in particular: every step's task goes to the role as a whole."""
    return []


async def assignees_of(service: ServiceItem, step: Step | None, officers: Officers) -> list[str]:
    """Who gets a step's tasks: each officer of the role when the step is 会签, else the role."""
    if step is None or step.sign != "all":
        return []
    return list(await officers(service.department, step.role))


async def _step_tasks(
    branch: Any, service: ServiceItem, step: Step, due: dt.date, officers: Officers
) -> list[dict[str, Any]]:
    """The tasks that open a step: one for the role (或签), or one per officer (会签)."""
    return machine.step_tasks(
        branch, service, step, due, await assignees_of(service, step, officers)
    )


async def start(
    db: Db,
    *,
    application_id: str,
    plans: Sequence[BranchPlan],
    today: dt.date,
    calendar: WorkdayCalendar,
    officers: Officers = no_officers,
) -> None:
    """Fan an application out: one branch per service, all at once but for `after:` waits."""
    branch_rows, task_rows = await plan_start(
        application_id=application_id,
        plans=plans,
        today=today,
        calendar=calendar,
        officers=officers,
    )
    await repo.insert_branches(db, branch_rows)
    await repo.insert_tasks(db, task_rows)


async def plan_start(
    *,
    application_id: str,
    plans: Sequence[BranchPlan],
    today: dt.date,
    calendar: WorkdayCalendar,
    officers: Officers = no_officers,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows that fan an application out (branches, and the open steps' tasks), unwritten."""
    branch_rows, task_rows = [], []
    for plan in plans:
        row: dict[str, Any] = {
            "id": new_id(),
            "application_id": application_id,
            "service_code": plan.service.code,
            "department_code": plan.service.department,
            "status": "waiting",
            "waits_for": list(plan.waits_for),
            "promised_limit_days": plan.service.promised_limit_days,
            "step_code": None,
            "started_on": None,
            "due_date": None,
            "remaining_days": None,
            "step_due_date": None,
            "step_remaining_days": None,
            "updated_at": _now(),
        }
        if not plan.waits_for:
            values, first = machine.activation(plan.service, today, calendar)
            row.update(values)
            task_rows += await _step_tasks(
                row, plan.service, first, values["step_due_date"], officers
            )
        branch_rows.append(row)
    return branch_rows, task_rows


async def release_waiting(
    db: Db,
    *,
    application_id: str,
    services: dict[str, ServiceItem],
    today: dt.date,
    calendar: WorkdayCalendar,
    officers: Officers = no_officers,
) -> list[str]:
    """Start every waiting branch whose predecessors are all approved; returns their services."""
    rows = [b._mapping for b in await repo.branches_of(db, application_id)]
    writes = machine.Writes()
    started = []
    for branch in machine.releasable(rows):
        service = services[branch["service_code"]]
        first = service.workflow.steps[0]
        assignees = await assignees_of(service, first, officers)
        writes.add(machine.release(branch, service, today, calendar, assignees))
        started.append(branch["service_code"])
    await repo.store(db, writes)
    return started


async def decide(
    db: Db,
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
    officers: Officers = no_officers,
) -> Decided:
    """Approve, reject or return one task (`machine.decide`), and store what it changed.

    Another department's task does not exist (404). The task is locked where the database can
    lock rows, and closed only while still open: a concurrent second decision of the same task
    gets 409. Decisions of different tasks of one application must be serialised by the caller
    (the staff route locks the application first, `applications.service.lock_for_task`): two
    会签 approvals counted at once would each see the other still open.
    """
    found = await repo.step_of_task(db, task_id)
    task, branch = found or (None, {})
    task = machine.check_decider(
        task, department_code=department_code, roles=roles, actor_id=actor_id
    )
    service = services[task["service_code"]]
    following = machine.next_step(service, task)
    done, writes = machine.decide(
        task=task,
        branch=branch,
        open_in_step=task["open_in_step"],
        department_code=department_code,
        roles=roles,
        actor_id=actor_id,
        decision=decision,
        comment=comment,
        service=service,
        today=today,
        calendar=calendar,
        assignees=(
            await assignees_of(service, following, officers) if decision == "approve" else []
        ),
    )
    await repo.store(db, writes)
    return done


def _restarted_clock(branch: Any, today: dt.date, calendar: WorkdayCalendar) -> dict[str, Any]:
    """A branch's clock restarted today with the working days it had left."""
    return {
        "status": "active",
        "due_date": shift(today, branch.remaining_days or 0, calendar),
        "step_due_date": shift(today, branch.step_remaining_days or 0, calendar),
        "remaining_days": None,
        "step_remaining_days": None,
        "updated_at": _now(),
    }


async def _branch_of(db: Db, task: Any) -> Any:
    return await repo.branch(db, task.branch_id)


def shift(today: dt.date, days: int, calendar: WorkdayCalendar) -> dt.date:
    """The date ``days`` working days after today, or before it when ``days`` is negative."""
    if days >= 0:
        return calendar.add_workdays(today, days)
    day = today
    for _ in range(-days):
        day -= dt.timedelta(days=1)
        while not calendar.is_workday(day):
            day -= dt.timedelta(days=1)
    return day


async def resume_returned(
    db: Db,
    *,
    application_id: str,
    services: dict[str, ServiceItem],
    today: dt.date,
    calendar: WorkdayCalendar,
    officers: Officers = no_officers,
) -> list[str]:
    """After the applicant's corrections: returned branches go on where they stopped (a 会签
    step starts over: every officer signs the corrected application)."""
    resumed = []
    for branch in await repo.branches_of(db, application_id):
        if branch.status != "returned":
            continue
        service = services[branch.service_code]
        step = _step(service, branch.step_code)
        clock = _restarted_clock(branch, today, calendar)
        step_due = clock["step_due_date"]
        await repo.update_branch(db, branch.id, clock)
        await repo.insert_tasks(
            db, await _step_tasks(dict(branch._mapping), service, step, step_due, officers)
        )
        resumed.append(branch.service_code)
    return resumed


async def stop_all(db: Db, *, application_id: str, status: str) -> list[str]:
    """Stop every unfinished branch (a rejection elsewhere, or a withdrawal)."""
    stopped = []
    await repo.cancel_open_tasks(db, application_id, except_branch=None)
    for branch in await repo.branches_of(db, application_id):
        if branch.status not in FINAL:
            await repo.update_branch(
                db, branch.id, {"status": status, "completed_at": _now(), "updated_at": _now()}
            )
            stopped.append(branch.service_code)
    return stopped


async def branches(db: Db, application_id: str) -> list[Any]:
    """An application's branches."""
    return await repo.branches_of(db, application_id)


async def inbox(
    db: Db, *, department_code: str, roles: Sequence[str], officer_id: str | None = None
) -> list[Any]:
    """A department's open tasks for these roles (and the officer's own), soonest due first."""
    return await repo.inbox(
        db, department_code=department_code, roles=list(roles), officer_id=officer_id
    )


async def inbox_read(
    raw: RawDatabase, *, department_code: str, roles: Sequence[str], officer_id: str | None
) -> list[Row]:
    """`inbox` on the raw driver (the staff inbox's API, read on every refresh of a desk)."""
    query = raw.query(("workflow.inbox", len(roles)), lambda: repo.inbox_query(len(roles)))
    params = repo.inbox_params(
        department_code=department_code, roles=list(roles), officer_id=officer_id
    )
    return await raw.fetch(query, **params)


async def history(db: Db, application_id: str) -> list[Any]:
    """Every task of an application."""
    return await repo.tasks_of(db, application_id)


async def application_of_task(db: Db, task_id: str) -> str | None:
    """The application a task belongs to, if the task exists."""
    return await repo.application_of_task(db, task_id)


async def _own_open_task(
    db: Db, *, task_id: str, department_code: str | None, roles: Sequence[str], actor_id: str
) -> Any:
    task = await repo.task_for_update(db, task_id)
    machine.check_decider(
        task and task._mapping, department_code=department_code, roles=roles, actor_id=actor_id
    )
    return task


async def suspend(
    db: Db,
    *,
    task_id: str,
    department_code: str | None,
    roles: Sequence[str],
    actor_id: str,
    today: dt.date,
    calendar: WorkdayCalendar,
) -> Any:
    """挂起 (行政许可法 Art. 45: hearing, inspection, expert review): the clock stops."""
    task = await _own_open_task(
        db, task_id=task_id, department_code=department_code, roles=roles, actor_id=actor_id
    )
    branch = await _branch_of(db, task)
    if branch.status != "active":
        raise Conflict("task_suspended" if branch.status == "suspended" else "case_not_active")
    await repo.update_branch(
        db,
        branch.id,
        {"status": "suspended", **machine.stopped_clock(branch._mapping, today, calendar)},
    )
    return task


async def unsuspend(
    db: Db,
    *,
    task_id: str,
    department_code: str | None,
    roles: Sequence[str],
    actor_id: str,
    today: dt.date,
    calendar: WorkdayCalendar,
) -> Any:
    """解挂: the clock restarts with the working days it had left."""
    task = await _own_open_task(
        db, task_id=task_id, department_code=department_code, roles=roles, actor_id=actor_id
    )
    branch = await _branch_of(db, task)
    if branch.status != "suspended":
        raise Conflict("task_not_suspended")
    clock = _restarted_clock(branch, today, calendar)
    await repo.update_branch(db, branch.id, clock)
    await repo.set_task_due(db, branch.id, clock["step_due_date"])
    return task


@dataclasses.dataclass(frozen=True)
class Deadlines:
    """Tasks about to fall due (warn their officers) and overdue (escalate to supervisors)."""

    due_soon: list[Any]
    overdue: list[Any]


async def check_deadlines(db: Db, *, today: dt.date, calendar: WorkdayCalendar) -> Deadlines:
    """Find and stamp the tasks to warn about (due the next working day) and to escalate."""
    due_soon = await repo.tasks_to_warn(db, due_on=calendar.next_workday(today))
    overdue = await repo.tasks_overdue(db, today=today)
    now = _now()
    warned = await repo.stamp_tasks(db, [t.id for t in due_soon], "warned_at", now)
    escalated = await repo.stamp_tasks(db, [t.id for t in overdue], "escalated_at", now)
    return Deadlines(
        [t for t in due_soon if t.id in warned], [t for t in overdue if t.id in escalated]
    )


async def _check_new_holder(
    db: Db, task: Any, *, colleague_id: str, officers: Officers, actor_id: str
) -> None:
    """Whoever a task goes to (转办, 委派, 加签) holds its role in the same department and has
    no open task of the same step already: in a 会签 step, nobody signs twice."""
    if colleague_id == actor_id or colleague_id not in await officers(
        task.department_code, task.role
    ):
        raise Invalid("not_a_colleague", details=[field_error("to", "not_a_colleague")])
    siblings = await repo.tasks_of_step(db, task.branch_id, task.step_code)
    if any(t.assignee_id == colleague_id and t.status == "open" for t in siblings):
        raise Conflict("already_signing")


async def transfer(
    db: Db,
    *,
    task_id: str,
    department_code: str | None,
    roles: Sequence[str],
    actor_id: str,
    colleague_id: str,
    officers: Officers,
    delegate: bool,
) -> Any:
    """转办 (hand the task over for good) or 委派 (ask a colleague to handle it and give it
    back): either way the colleague must hold the step's role in the same department."""
    task = await _own_open_task(
        db, task_id=task_id, department_code=department_code, roles=roles, actor_id=actor_id
    )
    if task.delegated_by is not None:
        raise Conflict("task_delegated")
    await _check_new_holder(
        db, task, colleague_id=colleague_id, officers=officers, actor_id=actor_id
    )
    await repo.update_task(
        db,
        task.id,
        {"assignee_id": colleague_id, "delegated_by": actor_id if delegate else None},
    )
    return task


async def give_back(
    db: Db, *, task_id: str, department_code: str | None, roles: Sequence[str], actor_id: str
) -> Any:
    """委派, the way back: the delegate returns the task to whoever delegated it."""
    task = await _own_open_task(
        db, task_id=task_id, department_code=department_code, roles=roles, actor_id=actor_id
    )
    if task.delegated_by is None:
        raise Conflict("task_not_delegated")
    await repo.update_task(db, task.id, {"assignee_id": task.delegated_by, "delegated_by": None})
    return task


async def add_signer(
    db: Db,
    *,
    task_id: str,
    department_code: str | None,
    roles: Sequence[str],
    actor_id: str,
    colleague_id: str,
    officers: Officers,
) -> Any:
    """加签: a colleague must also approve this step before it moves on."""
    task = await _own_open_task(
        db, task_id=task_id, department_code=department_code, roles=roles, actor_id=actor_id
    )
    if task.delegated_by is not None:
        raise Conflict("task_delegated")  # 委派: who signs is the delegator's to decide
    await _check_new_holder(
        db, task, colleague_id=colleague_id, officers=officers, actor_id=actor_id
    )
    if task.assignee_id is None:
        # The role's task becomes the asker's own: else the co-signer, holding the role too,
        # could approve it as well as their own, and the step would pass on one signature.
        await repo.update_task(db, task.id, {"assignee_id": actor_id})
    row = dict(task._mapping)
    row.update(
        id=new_id(),
        assignee_id=colleague_id,
        delegated_by=None,
        status="open",
        decision=None,
        comment=None,
        decided_by=None,
        decided_at=None,
        created_at=_now(),
        warned_at=None,
        escalated_at=None,
        supervised_at=None,
    )
    await repo.insert_tasks(db, [row])
    return task


async def take_back(
    db: Db,
    *,
    task_id: str,
    department_code: str | None,
    actor_id: str,
    services: dict[str, ServiceItem],
    officers: Officers,
) -> Any:
    """撤回: the officer who approved a step takes it back while the next step is untouched."""
    task = await repo.task_for_update(db, task_id)
    if task is None or task.department_code != department_code or task.decided_by != actor_id:
        raise NotFound()
    branch = await _branch_of(db, task)
    step = _step(services[task.service_code], task.step_code)
    if task.decision != "approve" or branch.status != "active" or branch.step_code != step.next:
        raise Conflict("cannot_take_back")
    following = await repo.tasks_of_step(db, branch.id, branch.step_code)
    if any(t.status == "done" for t in following):
        raise Conflict("cannot_take_back")  # the next officer has already acted
    await repo.cancel_branch_tasks(db, branch.id)
    due = task.due_date
    await repo.update_branch(
        db, branch.id, {"step_code": step.code, "step_due_date": due, "updated_at": _now()}
    )
    service = services[task.service_code]
    await repo.insert_tasks(
        db, [machine.task_row(branch._mapping, service, step, due, assignee=actor_id)]
    )
    return task


async def supervise(db: Db, *, task_id: str, department_code: str | None, nudge: bool) -> Any:
    """催办 (a nudge) or 督办 (formal supervision) by the department's supervisor."""
    task = await repo.task_for_update(db, task_id)
    if task is None or task.department_code != department_code:
        raise NotFound()
    if task.status != "open":
        raise Conflict("task_already_decided")
    if not nudge:
        await repo.update_task(db, task.id, {"supervised_at": _now()})
    return task
