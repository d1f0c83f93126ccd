"""The audit log table: one row per state change, sealed into a hash chain after commit."""

from __future__ import annotations

import sqlalchemy as sa

from yiwang.database import BigId, metadata

audit_events = sa.Table(
    "audit_events",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor_id", sa.String(36)),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("target_type", sa.String(32)),
    sa.Column("target_id", sa.String(64)),
    sa.Column("request_id", sa.String(64)),
    sa.Column("summary", sa.JSON, nullable=False),
    # Filled by the sealer, in commit order: position in the chain and the chained hashes.
    sa.Column("seq", sa.BigInteger, unique=True),
    sa.Column("prev_hash", sa.String(64)),
    sa.Column("hash", sa.String(64)),
    sa.Index("ix_audit_events_target", "target_type", "target_id"),
)
