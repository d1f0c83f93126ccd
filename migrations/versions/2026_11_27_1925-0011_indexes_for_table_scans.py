"""indexes for the queries that read whole tables

Found by running EXPLAIN QUERY PLAN over every statement the test suite sends: an
application's tasks (the history a staff member opening a task reads; the open ones a
withdrawal or a rejection cancels), its licences (its status page) and its rectification
cases; the deadline check's open tasks; the newest tickets (Open311's list, the dashboard);
the dashboard's windows of finished applications and of ratings; the pruning of old sign-in
failures at every new one. Each of these read its whole table, which grows with every
application, ticket or rating.

On PostgreSQL each index is built CONCURRENTLY, outside a transaction, so that upgrading a
deployment does not hold writes to these tables while it builds.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 19:25:09.254980
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    ("ix_applications_completed_at", "applications", ["completed_at"]),
    ("ix_certificates_application_id", "certificates", ["application_id"]),
    ("ix_login_failures_failed_at", "login_failures", ["failed_at"]),
    ("ix_ratings_created_at", "ratings", ["created_at"]),
    ("ix_rectifications_application_id", "rectifications", ["application_id"]),
    ("ix_tasks_application_id", "tasks", ["application_id"]),
    ("ix_tasks_due", "tasks", ["status", "due_date"]),
    ("ix_tickets_created_at", "tickets", ["created_at"]),
]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            for name, table, columns in INDEXES:
                op.create_index(name, table, columns, postgresql_concurrently=True)
    else:
        for name, table, columns in INDEXES:
            op.create_index(name, table, columns)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            for name, table, _ in reversed(INDEXES):
                op.drop_index(name, table_name=table, postgresql_concurrently=True)
    else:
        for name, table, _ in reversed(INDEXES):
            op.drop_index(name, table_name=table)
