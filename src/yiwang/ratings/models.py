"""Ratings (一事一评, one follow-up) and the rectification cases bad ones open."""

from __future__ import annotations

import sqlalchemy as sa

from yiwang.database import metadata

ratings = sa.Table(
    "ratings",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("application_id", sa.String(36), nullable=False),
    sa.Column("account_id", sa.String(36), nullable=False, index=True),
    sa.Column("satisfaction_code", sa.SmallInteger, nullable=False),  # GB/T 39046: 1 … 5
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("comment", sa.Text),
    sa.Column("follow_up", sa.Boolean, nullable=False),  # 追评
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),  # dashboard
    # Set aside after an appeal found it malicious; kept, with the reason, but not counted.
    sa.Column("set_aside_at", sa.DateTime(timezone=True)),
    sa.Column("set_aside_reason", sa.Text),
    sa.UniqueConstraint("application_id", "follow_up", name="uq_ratings_one_each"),
)

# open -> called_back -> rectified; an appeal may set the rating aside (set_aside).
rectifications = sa.Table(
    "rectifications",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("rating_id", sa.String(36), nullable=False, index=True),
    sa.Column("application_id", sa.String(36), nullable=False, index=True),
    sa.Column("department_code", sa.String(32), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("callback_due", sa.Date, nullable=False),
    sa.Column("rectify_due", sa.Date, nullable=False),
    sa.Column("called_back_at", sa.DateTime(timezone=True)),
    sa.Column("callback_note", sa.Text),
    sa.Column("rectified_at", sa.DateTime(timezone=True)),
    sa.Column("outcome", sa.Text),
    sa.Column("appeal_reason", sa.Text),
    sa.Column("appealed_at", sa.DateTime(timezone=True)),
    sa.Column("appeal_decision", sa.String(16)),  # set_aside | upheld
    sa.Column("appeal_decision_reason", sa.Text),
    sa.Column("appeal_decided_at", sa.DateTime(timezone=True)),
    sa.Column("escalated_at", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
