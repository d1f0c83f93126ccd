"""Workflow state: one branch per service of an application, and the tasks of its steps."""

from __future__ import annotations

import sqlalchemy as sa

from yiwang.database import metadata

BRANCH_STATUSES = (
    "waiting",
    "active",
    "returned",
    "suspended",
    "approved",
    "rejected",
    "stopped",
    "withdrawn",
)

branches = sa.Table(
    "branches",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("application_id", sa.String(36), nullable=False, index=True),
    sa.Column("service_code", sa.String(64), nullable=False),
    sa.Column("department_code", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("step_code", sa.String(48)),
    # Services whose approval this branch waits for (bundle `after:` lines).
    sa.Column("waits_for", sa.JSON, nullable=False),
    sa.Column("promised_limit_days", sa.Integer, nullable=False),
    # The branch's clock, in working days: started, due, and what was left when it stopped.
    sa.Column("started_on", sa.Date),
    sa.Column("due_date", sa.Date),
    sa.Column("remaining_days", sa.Integer),
    sa.Column("step_due_date", sa.Date),
    sa.Column("step_remaining_days", sa.Integer),
    sa.Column("completed_at", sa.DateTime(timezone=True)),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

tasks = sa.Table(
    "tasks",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("branch_id", sa.String(36), nullable=False, index=True),
    # An application's tasks: the history a staff member opening a task reads, and the open
    # ones a withdrawal or a rejection cancels.
    sa.Column("application_id", sa.String(36), nullable=False, index=True),
    sa.Column("department_code", sa.String(32), nullable=False),
    sa.Column("service_code", sa.String(64), nullable=False),
    sa.Column("step_code", sa.String(48), nullable=False),
    sa.Column("role", sa.String(48), nullable=False),
    # 会签 steps give each officer a task of their own; other steps leave it to the role (或签).
    sa.Column("assignee_id", sa.String(36)),
    # 委派: who asked the assignee to handle it and will get it back.
    sa.Column("delegated_by", sa.String(36)),
    # 督办: when a supervisor put it under supervision.
    sa.Column("supervised_at", sa.DateTime(timezone=True)),
    sa.Column("status", sa.String(16), nullable=False),  # open | done | cancelled
    sa.Column("due_date", sa.Date, nullable=False),
    sa.Column("decision", sa.String(16)),
    sa.Column("comment", sa.Text),
    sa.Column("decided_by", sa.String(36)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("decided_at", sa.DateTime(timezone=True)),
    # When its officers were warned it falls due, and when it was escalated as overdue.
    sa.Column("warned_at", sa.DateTime(timezone=True)),
    sa.Column("escalated_at", sa.DateTime(timezone=True)),
    sa.Index("ix_tasks_inbox", "department_code", "status", "due_date"),
    # The deadline check's open tasks due by a day, every department's.
    sa.Index("ix_tasks_due", "status", "due_date"),
)
