"""Consents (授权): what a person agreed the platform may fetch, for what and for how long."""

from __future__ import annotations

import sqlalchemy as sa

from yiwang.database import metadata

consents = sa.Table(
    "consents",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("account_id", sa.String(36), nullable=False),
    sa.Column("subject_type", sa.String(8), nullable=False),  # service | bundle
    sa.Column("subject_code", sa.String(64), nullable=False),
    sa.Column("purpose", sa.String(32), nullable=False),
    sa.Column("elements", sa.JSON, nullable=False),
    sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("withdrawn_at", sa.DateTime(timezone=True)),
    sa.Index("ix_consents_account", "account_id", "subject_type", "subject_code"),
)
