"""Hotline tickets (工单), their timelines, the routing corrections and the trained models."""

from __future__ import annotations

import sqlalchemy as sa

from yiwang.database import BigId, metadata

# dispatching: waiting in the dispatch centre's queue for a person to route it
# assigned: dispatched to a department, not yet signed for (待签收)
# in_progress: signed for, being handled (办理中)
# replied: answered, waiting for the reporter's call-back (待回访)
# closed: the reporter confirmed (or the call-back window passed)
# linked: a duplicate of an open ticket, handled with it
STATUSES = ("dispatching", "assigned", "in_progress", "replied", "closed", "linked")

tickets = sa.Table(
    "tickets",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("ticket_no", sa.String(24), nullable=False, unique=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("address", sa.String(200)),
    sa.Column("lat", sa.Float),
    sa.Column("lon", sa.Float),
    sa.Column("channel", sa.String(16), nullable=False),  # web | api | open311 | phone
    sa.Column("reporter_id", sa.String(36), index=True),
    sa.Column("reporter_name", sa.String(100)),
    sa.Column("reporter_phone", sa.String(20)),
    sa.Column("reporter_email", sa.String(200)),
    sa.Column("media_urls", sa.JSON, nullable=False),
    sa.Column("category", sa.String(48)),
    sa.Column("department_code", sa.String(32), index=True),
    # 首接负责: the first department it was dispatched to answers for it until it is formally
    # transferred by the dispatch centre.
    sa.Column("first_department", sa.String(32)),
    sa.Column("routed_by", sa.String(16)),  # rule | model | dispatcher | reporter
    sa.Column("confidence", sa.Float),
    sa.Column("suggestions", sa.JSON, nullable=False),
    sa.Column("deadline_class", sa.String(16)),
    sa.Column("emergency", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("transfer_requested", sa.Text),  # a department's reason for asking to hand it on
    sa.Column("dispatched_at", sa.DateTime(timezone=True)),
    sa.Column("sign_due_at", sa.DateTime(timezone=True)),
    sa.Column("signed_at", sa.DateTime(timezone=True)),
    sa.Column("due_at", sa.DateTime(timezone=True)),
    sa.Column("reply", sa.Text),
    sa.Column("replied_at", sa.DateTime(timezone=True)),
    sa.Column("resolved", sa.Boolean),
    sa.Column("satisfied", sa.Boolean),
    sa.Column("callback_comment", sa.Text),
    sa.Column("callback_at", sa.DateTime(timezone=True)),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
    sa.Column("escalated_at", sa.DateTime(timezone=True)),
    sa.Column("duplicate_of", sa.String(36), index=True),
    sa.Column("idempotency_key", sa.String(128)),
    # The newest first (Open311's list, the dashboard), and a place's recent ones (duplicates).
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_tickets_status", "status", "category"),
    sa.UniqueConstraint("reporter_id", "idempotency_key", name="uq_tickets_idempotency"),
)

ticket_events = sa.Table(
    "ticket_events",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("ticket_id", sa.String(36), nullable=False, index=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor_id", sa.String(36)),
    sa.Column("actor_kind", sa.String(16)),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
)

# Photos the reporter attached (JPEG, PNG or WebP, checked by their bytes, not their name).
ticket_photos = sa.Table(
    "ticket_photos",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("ticket_id", sa.String(36), nullable=False),
    sa.Column("position", sa.SmallInteger, nullable=False),
    sa.Column("content_type", sa.String(16), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("ticket_id", "position", name="uq_ticket_photos_position"),
)

ticket_counters = sa.Table(
    "ticket_counters",
    metadata,
    sa.Column("day", sa.String(8), primary_key=True),
    sa.Column("last", sa.Integer, nullable=False),
)

# Re-routings by the dispatch centre: they join the shipped dispatch history when retraining.
routing_corrections = sa.Table(
    "routing_corrections",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("ticket_id", sa.String(36)),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("category", sa.String(48), nullable=False),
    sa.Column("was", sa.String(48)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

routing_models = sa.Table(
    "routing_models",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("trained_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("examples", sa.Integer, nullable=False),
    sa.Column("corrections", sa.Integer, nullable=False),
    sa.Column("heldout_accuracy", sa.Float),
    sa.Column("model", sa.Text, nullable=False),
)
