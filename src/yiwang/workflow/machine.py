"""The engine's transitions as plain functions over rows: no database, no waiting.

A step of a bundle's lifecycle is decided here from the rows it concerns (the task, its branch,
how many of its step's tasks are open) and comes back as `Writes` — what to store. Storing them is
the caller's: `workflow.service` does it in a SQLAlchemy unit of work (the staff decision route),
`workflow.store` on the raw driver. Either way the rule is the same code, and a step writes only
the rows it changes (the task closed, its branch moved on, the next step's tasks), a few hundred
bytes, instead of a whole serialised process.

Rows are mappings (a SQLAlchemy row's ``_mapping`` or the raw driver's dict).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from yiwang.catalog.items import ServiceItem, Step
from yiwang.errors import Conflict, Invalid, NotFound, field_error
from yiwang.kit.ids import new_id
from yiwang.kit.workdays import WorkdayCalendar

Row = Mapping[str, Any]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def step_of(service: ServiceItem, code: str) -> Step:
    return service.workflow.by_code[code]


def task_row(
    branch: Row,
    service: ServiceItem,
    step: Step,
    due: dt.date,
    assignee: str | None = None,
    at: dt.datetime | None = None,
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "assignee_id": assignee,
        "branch_id": branch["id"],
        "application_id": branch["application_id"],
        "department_code": service.department,
        "service_code": service.code,
        "step_code": step.code,
        "role": step.role,
        "status": "open",
        "due_date": due,
        "created_at": at or now(),
    }


def step_tasks(
    branch: Row,
    service: ServiceItem,
    step: Step,
    due: dt.date,
    assignees: Sequence[str | None],
    at: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """The tasks that open a step: one for the role (或签), or one per officer (会签)."""
    at = at or now()
    return [task_row(branch, service, step, due, a, at) for a in (list(assignees) or [None])]


def activation(
    service: ServiceItem, today: dt.date, calendar: WorkdayCalendar
) -> tuple[dict[str, Any], Step]:
    """A branch starting today: its first step and both clocks (service and step)."""
    first = service.workflow.steps[0]
    return {
        "status": "active",
        "step_code": first.code,
        "started_on": today,
        "due_date": calendar.add_workdays(today, service.promised_limit_days),
        "step_due_date": calendar.add_workdays(today, first.limit_days),
        "remaining_days": None,
        "step_remaining_days": None,
        "updated_at": now(),
    }, first


def left(due: dt.date | None, today: dt.date, calendar: WorkdayCalendar) -> int:
    """Working days left until ``due``; negative when it is already past (overdue carries over)."""
    if due is None:
        return 0
    if due >= today:
        return calendar.workdays_between(today, due)
    return -calendar.workdays_between(due, today)


def stopped_clock(branch: Row, today: dt.date, calendar: WorkdayCalendar) -> dict[str, Any]:
    """A branch's clock stopped today: the working days left (negative when overdue)."""
    return {
        "remaining_days": left(branch["due_date"], today, calendar),
        "step_remaining_days": left(branch["step_due_date"], today, calendar),
        "updated_at": now(),
    }


@dataclasses.dataclass(slots=True)
class Writes:
    """What one step stores. ``closed`` tasks are closed only while still open (a second
    decision of the same task finds nothing to close and is refused)."""

    closed: list[tuple[str, dict[str, Any]]] = dataclasses.field(default_factory=list)
    cancel_open_of: list[str] = dataclasses.field(default_factory=list)  # branch ids
    branches: list[tuple[str, dict[str, Any]]] = dataclasses.field(default_factory=list)
    tasks: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    def add(self, other: Writes) -> None:
        self.closed += other.closed
        self.cancel_open_of += other.cancel_open_of
        self.branches += other.branches
        self.tasks += other.tasks


class Decided(NamedTuple):
    """What a decision did to its branch (a named tuple: made on every step, read once)."""

    task: Any
    branch_id: str
    service_code: str
    step_code: str
    decision: str
    branch_status: str
    next_step: str | None


def check_decider(
    task: Row | None, *, department_code: str | None, roles: Sequence[str], actor_id: str
) -> Row:
    """The task, if this officer may decide it; another department's task does not exist."""
    if (
        task is None
        or task["department_code"] != department_code
        or task["role"] not in roles
        or (task["assignee_id"] is not None and task["assignee_id"] != actor_id)
    ):
        raise NotFound()
    if task["status"] != "open":
        raise Conflict("task_already_decided")
    return task


def next_step(service: ServiceItem, task: Row) -> Step | None:
    """The step that follows the task's own once it is approved (None: the branch is done)."""
    step = step_of(service, task["step_code"])
    return step_of(service, step.next) if step.next else None


def decide(
    *,
    task: Row | None,
    branch: Row,
    open_in_step: int,
    department_code: str | None,
    roles: Sequence[str],
    actor_id: str,
    decision: str,
    comment: str,
    service: ServiceItem,
    today: dt.date,
    calendar: WorkdayCalendar,
    assignees: Sequence[str | None] = (),
) -> tuple[Decided, Writes]:
    """Approve, reject or return one task.

    ``open_in_step`` counts the open tasks of the task's step, itself included: in a 会签 step
    (or after 加签) every one of them must approve before the branch moves on, and one rejection
    or return decides the step for all. ``assignees`` are the officers of the following step
    when it is 会签 (empty: the role as a whole).
    """
    task = check_decider(task, department_code=department_code, roles=roles, actor_id=actor_id)
    if task.get("delegated_by") is not None:
        raise Conflict("task_delegated")  # 委派: the delegate gives it back, not decides
    step = step_of(service, task["step_code"])
    if decision not in step.actions:
        raise Invalid(
            "action_not_allowed",
            details=[field_error("decision", "action_not_allowed")],
            params={"action": decision},
        )
    if decision in ("reject", "return") and not comment.strip():
        raise Invalid("reason_required", details=[field_error("comment", "reason_required")])
    if branch["status"] == "suspended":
        raise Conflict("task_suspended")
    if branch["status"] != "active" or branch["step_code"] != task["step_code"]:
        raise Conflict("case_not_active")  # withdrawn, stopped or decided meanwhile
    at = now()
    writes = Writes(
        closed=[
            (
                task["id"],
                {
                    "status": "done",
                    "decision": decision,
                    "comment": comment.strip() or None,
                    "decided_by": actor_id,
                    "decided_at": at,
                },
            )
        ]
    )

    def decided(status: str, following: str | None) -> tuple[Decided, Writes]:
        return (
            Decided(task, branch["id"], service.code, step.code, decision, status, following),
            writes,
        )

    if decision != "approve":
        writes.cancel_open_of.append(branch["id"])  # the step is decided for every signer
    elif open_in_step > 1:
        # 会签, or a signer added with 加签: the step waits for every open task of it.
        return decided("active", None)
    following = step_of(service, step.next) if step.next else None
    if decision == "approve" and following is not None:
        step_due = calendar.add_workdays(today, following.limit_days)
        writes.branches.append(
            (
                branch["id"],
                {"step_code": following.code, "step_due_date": step_due, "updated_at": at},
            )
        )
        writes.tasks += step_tasks(branch, service, following, step_due, assignees, at)
        return decided("active", following.code)
    if decision == "return":  # 补正 — the clock stops with the working days it had left
        writes.branches.append(
            (branch["id"], {"status": "returned", **stopped_clock(branch, today, calendar)})
        )
        return decided("returned", None)
    status = "approved" if decision == "approve" else "rejected"
    writes.branches.append((branch["id"], {"status": status, "completed_at": at, "updated_at": at}))
    return decided(status, None)


def releasable(branches: Sequence[Row]) -> list[Row]:
    """Waiting branches whose predecessors are all approved (bundle `after:` lines)."""
    approved = {b["service_code"] for b in branches if b["status"] == "approved"}
    return [b for b in branches if b["status"] == "waiting" and set(b["waits_for"]) <= approved]


def release(
    branch: Row,
    service: ServiceItem,
    today: dt.date,
    calendar: WorkdayCalendar,
    assignees: Sequence[str | None] = (),
) -> Writes:
    """Start a waiting branch today: its first step's tasks open and its clocks run."""
    values, first = activation(service, today, calendar)
    return Writes(
        branches=[(branch["id"], values)],
        tasks=step_tasks(
            branch, service, first, values["step_due_date"], assignees, values["updated_at"]
        ),
    )


def after(branches: Sequence[Row], writes: Writes) -> list[dict[str, Any]]:
    """The branches as they are once ``writes`` are stored (to decide what a step releases
    without reading them again)."""
    changed: dict[str, dict[str, Any]] = {}
    for branch_id, values in writes.branches:
        changed.setdefault(branch_id, {}).update(values)
    return [{**b, **changed.get(b["id"], {})} for b in branches]
