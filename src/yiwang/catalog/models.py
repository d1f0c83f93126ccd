"""Departments as loaded from definitions/; services and bundles join them later."""

from __future__ import annotations

import sqlalchemy as sa

from yiwang.database import BigId, metadata

departments = sa.Table(
    "departments",
    metadata,
    sa.Column("code", sa.String(32), primary_key=True),
    sa.Column("name_zh", sa.String(100), nullable=False),
    sa.Column("name_en", sa.String(200), nullable=False),
    sa.Column("uscc", sa.String(18), nullable=False, unique=True),
    sa.Column("region_code", sa.String(6), nullable=False),
    sa.Column("phone", sa.String(32)),
    sa.Column("roles", sa.JSON, nullable=False),
    # SHA-256 of the department's definition: unchanged definitions are not reloaded.
    sa.Column("version", sa.String(64), nullable=False),
    sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
)

# Every `catalog load` stores the whole validated catalogue once; an application points to the
# snapshot it was submitted under, so later definition changes never alter it.
catalog_snapshots = sa.Table(
    "catalog_snapshots",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("document", sa.JSON, nullable=False),
    sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
)
