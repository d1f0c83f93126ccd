"""Applications (办件), their timeline, and the daily counter behind tracking numbers."""

from __future__ import annotations

import sqlalchemy as sa

from yiwang.database import BigId, metadata

applications = sa.Table(
    "applications",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("tracking_no", sa.String(24), nullable=False, unique=True),
    sa.Column("applicant_id", sa.String(36), nullable=False, index=True),
    sa.Column("kind", sa.String(8), nullable=False),  # service | bundle
    sa.Column("subject_code", sa.String(64), nullable=False),
    # The catalogue snapshot it was submitted under: later definitions never change it.
    sa.Column("snapshot_id", sa.BigInteger, nullable=False),
    sa.Column("form", sa.JSON, nullable=False),
    # Where each answer came from: {field: {origin: prefilled|changed|entered, source, …}}.
    sa.Column("provenance", sa.JSON),
    sa.Column("consent_id", sa.String(36)),  # the consent its prefilled answers were fetched under
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("accepted_on", sa.Date, nullable=False),
    sa.Column("due_date", sa.Date, nullable=False),
    sa.Column("idempotency_key", sa.String(128)),
    sa.Column("request_digest", sa.String(64)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("completed_at", sa.DateTime(timezone=True), index=True),  # the dashboard
    sa.UniqueConstraint("applicant_id", "idempotency_key", name="uq_applications_idempotency"),
)

application_events = sa.Table(
    "application_events",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("application_id", sa.String(36), nullable=False, index=True),
    sa.Column("branch_id", sa.String(36)),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor_id", sa.String(36)),
    sa.Column("actor_kind", sa.String(16)),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
)

# 免证办: a material a valid electronic licence of the applicant stands in for.
application_materials = sa.Table(
    "application_materials",
    metadata,
    sa.Column("application_id", sa.String(36), primary_key=True),
    sa.Column("service_code", sa.String(64), primary_key=True),
    sa.Column("material_code", sa.String(64), primary_key=True),
    sa.Column("certificate_id", sa.String(36), nullable=False),
    sa.Column("attached_at", sa.DateTime(timezone=True), nullable=False),
)

tracking_counters = sa.Table(
    "tracking_counters",
    metadata,
    sa.Column("day", sa.String(8), primary_key=True),
    sa.Column("last", sa.Integer, nullable=False),
)
