"""All SQL of the workflow domain."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from yiwang.database import Db, changed_nothing
from yiwang.errors import Conflict
from yiwang.workflow.machine import Writes
from yiwang.workflow.models import branches, tasks


async def insert_branches(db: Db, rows: list[dict[str, Any]]) -> None:
    """Store new branches in one statement."""
    if rows:
        await db.execute(sa.insert(branches), rows)


async def insert_tasks(db: Db, rows: list[dict[str, Any]]) -> None:
    """Store new tasks in one statement."""
    if rows:
        await db.execute(sa.insert(tasks), rows)


@functools.cache
def branches_query() -> sa.Select[Any]:
    """An application's branches (bound as ``application_id``), in the order they were
    created."""
    return (
        sa.select(branches)
        .where(branches.c.application_id == sa.bindparam("application_id", type_=sa.String))
        .order_by(branches.c.id)
    )


async def branches_of(db: Db, application_id: str) -> list[sa.Row[Any]]:
    """An application's branches, in the order they were created."""
    return list((await db.execute(branches_query(), {"application_id": application_id})).all())


async def branch(db: Db, branch_id: str) -> sa.Row[Any]:
    """One branch."""
    return (await db.execute(sa.select(branches).where(branches.c.id == branch_id))).one()


async def store(db: Db, writes: Writes) -> None:
    """Store what one step of the engine changed (`machine.Writes`), in its order: the decided
    task closed (409 if someone closed it first), its step's other tasks cancelled, branches
    moved on, the next tasks opened."""
    for task_id, values in writes.closed:
        if not await close_task(db, task_id, values):
            raise Conflict("task_already_decided")
    for branch_id in writes.cancel_open_of:
        await cancel_branch_tasks(db, branch_id)
    for branch_id, values in writes.branches:
        await update_branch(db, branch_id, values)
    await insert_tasks(db, writes.tasks)


def _setting(table: sa.Table, columns: tuple[str, ...]) -> dict[str, Any]:
    """An update's SET clause, each column bound by its own name; a name that is no column of
    the table is refused."""
    unknown = set(columns) - set(table.c.keys())
    if unknown:
        raise ValueError(f"{table.name} has no columns {sorted(unknown)}")
    return {c: sa.bindparam(c) for c in columns}


# The workflow's writes, shared by both drivers (`store` here, `workflow.store` on the raw one):
# one statement per set of columns, built once.


@functools.cache
def update_branch_query(columns: tuple[str, ...]) -> sa.Update:
    """Set ``columns`` of one branch (bound as ``branch_id``)."""
    return (
        sa.update(branches)
        .where(branches.c.id == sa.bindparam("branch_id", type_=sa.String))
        .values(_setting(branches, columns))
    )


@functools.cache
def close_task_query(columns: tuple[str, ...]) -> sa.Update:
    """Close a task (bound as ``task_id``) while it is still open, setting ``columns``; returns
    its id, or nothing when someone closed it first."""
    return (
        sa.update(tasks)
        .where(tasks.c.id == sa.bindparam("task_id", type_=sa.String), tasks.c.status == "open")
        .values(_setting(tasks, columns))
        .returning(tasks.c.id)
    )


@functools.cache
def cancel_branch_tasks_query() -> sa.Update:
    """Cancel a branch's open tasks (bound as ``of_branch``: tasks have a ``branch_id`` column,
    a name SQLAlchemy keeps for setting it) at ``decided_at``."""
    return (
        sa.update(tasks)
        .where(tasks.c.branch_id == sa.bindparam("of_branch", type_=sa.String))
        .where(tasks.c.status == "open")
        .values(status="cancelled", decided_at=sa.bindparam("decided_at"))
    )


async def update_branch(db: Db, branch_id: str, values: dict[str, Any]) -> None:
    """Change one branch."""
    query = update_branch_query(tuple(sorted(values)))
    await db.execute(query, {"branch_id": branch_id, **values})


@functools.cache
def step_query(pg: bool) -> sa.Select[Any]:
    """A task (bound as ``task_id``), its branch (columns prefixed ``b_``) and how many of its
    step's tasks are open — all one decision needs, in one statement; locked on PostgreSQL."""
    other = tasks.alias("other")
    open_in_step = (
        sa.select(sa.func.count())
        .where(
            other.c.branch_id == tasks.c.branch_id,
            other.c.step_code == tasks.c.step_code,
            other.c.status == "open",
        )
        .scalar_subquery()
    )
    query = (
        sa.select(
            tasks,
            *(c.label(f"b_{c.name}") for c in branches.c),
            open_in_step.label("open_in_step"),
        )
        .join(branches, branches.c.id == tasks.c.branch_id)
        .where(tasks.c.id == sa.bindparam("task_id"))
    )
    return query.with_for_update(of=tasks) if pg else query


def split_step(row: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A `step_query` row as (task with ``open_in_step``, branch)."""
    task = {k: v for k, v in row.items() if not k.startswith("b_")}
    return task, {k[2:]: v for k, v in row.items() if k.startswith("b_")}


async def step_of_task(db: Db, task_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """`step_query` through SQLAlchemy: (task, branch), or None for no such task."""
    query = step_query(db.dialect.name == "postgresql")
    row = (await db.execute(query, {"task_id": task_id})).first()
    return split_step(row._mapping) if row is not None else None


@functools.cache
def _task_for_update(pg: bool) -> sa.Select[Any]:
    query = sa.select(tasks).where(tasks.c.id == sa.bindparam("task_id", type_=sa.String))
    return query.with_for_update() if pg else query


async def task_for_update(db: Db, task_id: str) -> sa.Row[Any] | None:
    """One task, locked against a concurrent decision where the database can lock rows."""
    query = _task_for_update(db.dialect.name == "postgresql")
    return (await db.execute(query, {"task_id": task_id})).first()


async def close_task(db: Db, task_id: str, values: dict[str, Any]) -> int:
    """Close an open task; returns 0 if someone closed it first."""
    query = close_task_query(tuple(sorted(values)))
    return len((await db.execute(query, {"task_id": task_id, **values})).all())


async def cancel_open_tasks(db: Db, application_id: str, *, except_branch: str | None) -> None:
    """Cancel every open task of an application (but one branch's, if named)."""
    query = sa.update(tasks).where(
        tasks.c.application_id == application_id, tasks.c.status == "open"
    )
    if except_branch is not None:
        query = query.where(tasks.c.branch_id != except_branch)
    await db.execute(query.values(status="cancelled", decided_at=dt.datetime.now(dt.UTC)))


@functools.cache
def inbox_query(roles: int) -> sa.Select[Any]:
    """Open tasks of a department (bound as ``department_code``) for ``roles`` roles (``role_0``
    …) and an officer's own (``officer_id``, which may be None), soonest due first; the branch's
    status as ``branch_status``. `inbox_params` binds them."""
    return (
        sa.select(tasks, branches.c.status.label("branch_status"))
        .join(branches, branches.c.id == tasks.c.branch_id)
        .where(
            tasks.c.department_code == sa.bindparam("department_code", type_=sa.String),
            tasks.c.status == "open",
            tasks.c.role.in_([sa.bindparam(f"role_{i}", type_=sa.String) for i in range(roles)])
            if roles
            else sa.false(),
            sa.or_(
                tasks.c.assignee_id.is_(None),
                tasks.c.assignee_id == sa.bindparam("officer_id", type_=sa.String),
            ),
        )
        .order_by(tasks.c.due_date, tasks.c.created_at)
    )


def inbox_params(
    *, department_code: str, roles: list[str], officer_id: str | None
) -> dict[str, Any]:
    """The values `inbox_query(len(roles))` is bound with."""
    return {
        "department_code": department_code,
        "officer_id": officer_id,
        **{f"role_{i}": role for i, role in enumerate(roles)},
    }


async def inbox(
    db: Db, *, department_code: str, roles: list[str], officer_id: str | None
) -> list[sa.Row[Any]]:
    """Open tasks of a department for these roles (and this officer's own), soonest due first."""
    params = inbox_params(department_code=department_code, roles=roles, officer_id=officer_id)
    return list((await db.execute(inbox_query(len(roles)), params)).all())


async def cancel_branch_tasks(db: Db, branch_id: str) -> None:
    """Cancel a branch's open tasks (the other signers of a 会签 step that was decided)."""
    await db.execute(
        cancel_branch_tasks_query(), {"of_branch": branch_id, "decided_at": dt.datetime.now(dt.UTC)}
    )


@functools.cache
def tasks_query() -> sa.Select[Any]:
    """Every task of an application (bound as ``application_id``), oldest first."""
    return (
        sa.select(tasks)
        .where(tasks.c.application_id == sa.bindparam("application_id", type_=sa.String))
        .order_by(tasks.c.created_at)
    )


async def tasks_of(db: Db, application_id: str) -> list[sa.Row[Any]]:
    """Every task of an application, oldest first (for its history)."""
    return list((await db.execute(tasks_query(), {"application_id": application_id})).all())


@functools.cache
def _application_of_task() -> sa.Select[Any]:
    return sa.select(tasks.c.application_id).where(
        tasks.c.id == sa.bindparam("task_id", type_=sa.String)
    )


async def application_of_task(db: Db, task_id: str) -> str | None:
    """The application a task belongs to."""
    return (await db.execute(_application_of_task(), {"task_id": task_id})).scalar()


async def set_task_due(db: Db, branch_id: str, due: dt.date) -> None:
    """Move the due date of a branch's open tasks (after a suspension ends)."""
    await db.execute(
        sa.update(tasks)
        .where(tasks.c.branch_id == branch_id, tasks.c.status == "open")
        .values(due_date=due, warned_at=None, escalated_at=None)
    )


async def tasks_to_warn(db: Db, *, due_on: dt.date) -> list[sa.Row[Any]]:
    """Open tasks of running branches falling due on a day, not yet warned."""
    query = (
        sa.select(tasks)
        .join(branches, branches.c.id == tasks.c.branch_id)
        .where(
            tasks.c.status == "open",
            branches.c.status == "active",
            tasks.c.due_date == due_on,
            tasks.c.warned_at.is_(None),
        )
    )
    return list((await db.execute(query)).all())


async def tasks_overdue(db: Db, *, today: dt.date) -> list[sa.Row[Any]]:
    """Open tasks of running branches past their due date, not yet escalated."""
    query = (
        sa.select(tasks)
        .join(branches, branches.c.id == tasks.c.branch_id)
        .where(
            tasks.c.status == "open",
            branches.c.status == "active",
            tasks.c.due_date < today,
            tasks.c.escalated_at.is_(None),
        )
    )
    return list((await db.execute(query)).all())


async def stamp_tasks(db: Db, task_ids: list[str], column: str, at: dt.datetime) -> set[str]:
    """Stamp tasks not stamped yet (warned_at, escalated_at); returns those stamped now.

    Two deadline passes at once (two workers) both find the same tasks: only the one whose
    update finds the column still empty warns about them, the other's waits and finds none.
    """
    if not task_ids:
        return set()
    result = await db.execute(
        sa.update(tasks)
        .where(tasks.c.id.in_(task_ids), tasks.c[column].is_(None))
        .values({column: at})
        .returning(tasks.c.id)
    )
    stamped = {row.id for row in result}
    if not stamped:
        changed_nothing(db)
    return stamped


async def update_task(db: Db, task_id: str, values: dict[str, Any]) -> None:
    """Change one task."""
    await db.execute(sa.update(tasks).where(tasks.c.id == task_id).values(**values))


async def tasks_of_step(db: Db, branch_id: str, step_code: str) -> list[sa.Row[Any]]:
    """Every task a branch's step has had."""
    query = sa.select(tasks).where(tasks.c.branch_id == branch_id, tasks.c.step_code == step_code)
    return list((await db.execute(query.order_by(tasks.c.created_at))).all())
