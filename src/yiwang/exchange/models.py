"""The data access log (谁查看了我的数据) and the per-read data quality ledger."""

from __future__ import annotations

import sqlalchemy as sa

from yiwang.database import BigId, metadata

# Who looked: the platform on the person's behalf (prefill), a staff member, a department system.
ACCESSOR_KINDS = ("platform", "staff", "system")

data_access = sa.Table(
    "data_access",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    # The person whose data it is (their account); their own page lists these rows.
    sa.Column("subject_id", sa.String(36), nullable=False),
    sa.Column("accessed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("accessor_kind", sa.String(16), nullable=False),
    # The department that saw the data: the source's provider for a prefill, the staff's own.
    sa.Column("department_code", sa.String(32)),
    sa.Column("accessor_id", sa.String(36)),  # the staff account or system client
    sa.Column("accessor_role", sa.String(32)),
    sa.Column("source", sa.String(48)),  # the data source asked, for a prefill
    sa.Column("elements", sa.JSON, nullable=False),
    sa.Column("purpose", sa.String(32), nullable=False),  # prefill | case_handling | …
    sa.Column("target_type", sa.String(32)),  # consent | application
    sa.Column("target_id", sa.String(36)),
    sa.Column("target_label", sa.String(100)),  # a tracking number or a service name
    sa.Index("ix_data_access_subject", "subject_id", "accessed_at"),
)

# One row per (read, rule, outcome): records read, values cleaned or rejected by each rule.
source_quality = sa.Table(
    "source_quality",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(48), nullable=False),
    sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
    # read: a request answered · records: records returned · values: values read · touched:
    # values that needed cleaning · cleaned / rejected: hits of ``rule`` · failed: no answer
    # (rule: timeout, unavailable, circuit_open)
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("rule", sa.String(32), nullable=False, server_default=""),
    sa.Column("count", sa.Integer, nullable=False),
    sa.Index("ix_source_quality_source", "source", "read_at"),
)
