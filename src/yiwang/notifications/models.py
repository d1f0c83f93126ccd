"""The in-app message box (站内消息)."""

from __future__ import annotations

import sqlalchemy as sa

from yiwang.database import metadata

notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    # The job that produced it: a job run twice still leaves one message.
    sa.Column("job_id", sa.BigInteger, nullable=False, unique=True),
    sa.Column("account_id", sa.String(36), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("title_zh", sa.String(200), nullable=False),
    sa.Column("title_en", sa.String(300), nullable=False),
    sa.Column("body_zh", sa.Text, nullable=False),
    sa.Column("body_en", sa.Text, nullable=False),
    sa.Column("application_id", sa.String(36)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("read_at", sa.DateTime(timezone=True)),
    sa.Index("ix_notifications_inbox", "account_id", "created_at"),
)
