"""Accounts, sign-in sessions and the failed-sign-in ledger."""

from __future__ import annotations

import sqlalchemy as sa

from yiwang.database import BigId, metadata

ACCOUNT_KINDS = ("citizen", "enterprise", "staff", "admin")

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    # 公民身份号码 (GB 11643): always 18 characters here; masked wherever it is shown.
    sa.Column("id_number", sa.String(18), unique=True),
    sa.Column("phone", sa.String(11), unique=True),
    # 统一社会信用代码 (GB 32100) for enterprise accounts; the enterprise's name beside it.
    sa.Column("uscc", sa.String(18), unique=True),
    sa.Column("enterprise_name", sa.String(200)),
    sa.Column("department_code", sa.String(32)),
    sa.Column("roles", sa.JSON, nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("realname_verified_at", sa.DateTime(timezone=True)),
    sa.Column("realname_source", sa.String(64)),
    sa.Column("status", sa.String(16), nullable=False, server_default="active"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('citizen', 'enterprise', 'staff', 'admin')", name="kind_known"),
)

sessions = sa.Table(
    "sessions",
    metadata,
    # SHA-256 of the bearer token or cookie value: a stolen table holds no usable token.
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("account_id", sa.String(36), nullable=False, index=True),
    sa.Column("kind", sa.String(8), nullable=False),  # web | api
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
    sa.Column("client_address", sa.String(64)),
)

login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("scope", sa.String(32), nullable=False),  # account | address | register_id | …
    sa.Column("key", sa.String(128), nullable=False),
    # (failed_at alone: the failures past the window, pruned at every new one)
    sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Index("ix_login_failures_lookup", "scope", "key", "failed_at"),
)
