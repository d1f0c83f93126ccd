"""indexes for the queries that read whole tables

Found by running EXPLAIN QUERY PLAN over every statement the test suite sends: an
application's tasks (the history a staff member opening a task reads; the open ones a
withdrawal or a rejection cancels), its licences (its status page) and its rectification
cases; the deadline check's open tasks; the newest tickets (Open311's list, the dashboard);
the dashboard's windows of finished applications and of ratings; the pruning of old sign-in
failures at every new one. Each of these read its whole table, which grows with every
application, ticket or rating.

On PostgreSQL each index is built CONCURRENTLY, outside a transaction and without the
sessions' statement timeout, so that upgrading a deployment does not hold writes to these
tables while it builds; an upgrade stopped halfway can be run again.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 19:25:09.254980
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
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
    if op.get_context().dialect.name != "postgresql":
        for name, table, columns in INDEXES:
            op.create_index(name, table, columns)
        return
    with op.get_context().autocommit_block():
        # A concurrent build on a large table outlasts the sessions' 30 s statement timeout;
        # one stopped halfway leaves an invalid index, built again here when run again.
        op.execute("SET statement_timeout = 0")
        for name, table, columns in INDEXES:
            if _invalid(name):
                op.drop_index(name, table_name=table, postgresql_concurrently=True)
            op.create_index(name, table, columns, postgresql_concurrently=True, if_not_exists=True)
        op.execute("RESET statement_timeout")


def _invalid(name: str) -> bool:
    """Whether a concurrent build of this index was stopped halfway (never in --sql mode)."""
    if op.get_context().as_sql:
        return False
    query = sa.text(
        "SELECT NOT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        " WHERE c.relname = :name"
    )
    return bool(op.get_bind().execute(query, {"name": name}).scalar())


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        for name, table, _ in reversed(INDEXES):
            op.drop_index(name, table_name=table)
        return
    with op.get_context().autocommit_block():
        for name, table, _ in reversed(INDEXES):
            op.drop_index(name, table_name=table, postgresql_concurrently=True, if_exists=True)
