"""How approval offices pass work around: 转办, 委派 and its giving back, 加签, 撤回, and the
supervisor's 催办 and 督办. Each is audited and shows in the application's timeline."""

from __future__ import annotations

from typing import Any

from yiwang.applications import repository as repo
from yiwang.applications.service import add_event, lock_for_task, officers_of
from yiwang.audit import service as audit
from yiwang.catalog import snapshots
from yiwang.database import Db
from yiwang.errors import Forbidden, Invalid, NotFound, field_error
from yiwang.identity import repository as identity_repo
from yiwang.identity.service import Account
from yiwang.notifications import service as notifications
from yiwang.workflow import service as workflow

SUPERVISOR_ROLE = "supervisor"


def _staff(actor: Account) -> str:
    if actor.kind != "staff" or not actor.department_code:
        raise NotFound()
    return actor.department_code


async def _colleague(db: Db, username: str) -> Account:
    row = await identity_repo.account_by_login(db, username)
    if row is None or row.kind != "staff":
        raise Invalid("not_a_colleague", details=[field_error("to", "not_a_colleague")])
    return Account.from_row(row)


async def _record(
    db: Db, actor: Account, task: Any, kind: str, detail: dict[str, Any]
) -> dict[str, Any]:
    await add_event(
        db,
        task.application_id,
        actor,
        kind,
        {"service": task.service_code, "step": task.step_code, **detail},
        branch_id=task.branch_id,
    )
    await audit.record(
        db,
        actor=actor,
        action=f"task.{kind}",
        target_type="task",
        target_id=task.id,
        after={"application": task.application_id, **detail},
    )
    return {"task_id": task.id, "operation": kind}


async def hand_over(
    db: Db, *, actor: Account, task_id: str, to: str, comment: str, delegate: bool
) -> dict[str, Any]:
    """转办 (for good) or 委派 (to be given back) to a colleague of the same department."""
    department = _staff(actor)
    colleague = await _colleague(db, to)
    await lock_for_task(db, task_id)
    task = await workflow.transfer(
        db,
        task_id=task_id,
        department_code=department,
        roles=actor.roles,
        actor_id=actor.id,
        colleague_id=colleague.id,
        officers=officers_of(db),
        delegate=delegate,
    )
    await notifications.notify(
        db,
        account_id=colleague.id,
        kind="task_delegated" if delegate else "task_transferred",
        application_id=task.application_id,
        params={"from": actor.name, "step": task.step_code},
    )
    kind = "delegated" if delegate else "transferred"
    return await _record(db, actor, task, kind, {"to": colleague.username, "comment": comment})


async def give_back(db: Db, *, actor: Account, task_id: str, comment: str) -> dict[str, Any]:
    """委派, returned: the delegate hands the task back with their findings."""
    department = _staff(actor)
    await lock_for_task(db, task_id)
    task = await workflow.give_back(
        db, task_id=task_id, department_code=department, roles=actor.roles, actor_id=actor.id
    )
    return await _record(db, actor, task, "given_back", {"comment": comment})


async def add_signer(
    db: Db, *, actor: Account, task_id: str, to: str, comment: str
) -> dict[str, Any]:
    """加签: a colleague must approve this step too."""
    department = _staff(actor)
    colleague = await _colleague(db, to)
    await lock_for_task(db, task_id)
    task = await workflow.add_signer(
        db,
        task_id=task_id,
        department_code=department,
        roles=actor.roles,
        actor_id=actor.id,
        colleague_id=colleague.id,
        officers=officers_of(db),
    )
    await notifications.notify(
        db,
        account_id=colleague.id,
        kind="task_cosign",
        application_id=task.application_id,
        params={"from": actor.name, "step": task.step_code},
    )
    return await _record(
        db, actor, task, "signer_added", {"to": colleague.username, "comment": comment}
    )


async def take_back(db: Db, *, actor: Account, task_id: str) -> dict[str, Any]:
    """撤回: take back an approval before the next officer acts on it."""
    department = _staff(actor)
    application_id = await lock_for_task(db, task_id)
    application = await repo.get(db, application_id)
    assert application is not None
    catalog = await snapshots.by_id(db, application.snapshot_id)
    task = await workflow.take_back(
        db,
        task_id=task_id,
        department_code=department,
        actor_id=actor.id,
        services=catalog.services,
        officers=officers_of(db),
    )
    return await _record(db, actor, task, "taken_back", {})


async def supervise(
    db: Db, *, actor: Account, task_id: str, comment: str, nudge: bool
) -> dict[str, Any]:
    """催办 (nudge) or 督办 (supervise) a case: only the department's supervisors may."""
    department = _staff(actor)
    if SUPERVISOR_ROLE not in actor.roles:
        raise Forbidden()
    await lock_for_task(db, task_id)
    task = await workflow.supervise(db, task_id=task_id, department_code=department, nudge=nudge)
    people = (
        [task.assignee_id]
        if task.assignee_id
        else await identity_repo.officers(db, department_code=department, role=task.role)
    )
    for account_id in people:
        await notifications.notify(
            db,
            account_id=account_id,
            kind="task_nudged" if nudge else "task_supervised",
            application_id=task.application_id,
            params={"from": actor.name, "comment": comment or "—"},
        )
    return await _record(db, actor, task, "nudged" if nudge else "supervised", {"comment": comment})
