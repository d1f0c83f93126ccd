"""Issued licences, their serial counters and their rendered PDFs."""

from __future__ import annotations

import sqlalchemy as sa

from yiwang.database import metadata

certificates = sa.Table(
    "certificates",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("identifier", sa.String(100), nullable=False, unique=True),  # GB/T 36904
    sa.Column("type", sa.String(48), nullable=False),
    sa.Column("holder_account_id", sa.String(36), nullable=False, index=True),
    sa.Column("holder_name", sa.String(200), nullable=False),
    sa.Column("holder_code", sa.String(18), nullable=False),
    sa.Column("holder_code_type", sa.String(16), nullable=False),  # id_number | uscc
    sa.Column("issuer_department", sa.String(32), nullable=False),
    sa.Column("issuer_code", sa.String(18), nullable=False),
    sa.Column("issued_on", sa.Date, nullable=False),
    sa.Column("valid_until", sa.Date),  # None: long-term (长期)
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("key_id", sa.String(64), nullable=False),
    sa.Column("signature", sa.String(128), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # valid | revoked
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_by", sa.String(36)),
    sa.Column("revoked_reason", sa.Text),
    # The licences an application issued: its status page shows them.
    sa.Column("application_id", sa.String(36), index=True),
    # The approved branch that issued it: issuing twice for one branch is refused here.
    sa.Column("branch_id", sa.String(36), unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

certificate_serials = sa.Table(
    "certificate_serials",
    metadata,
    sa.Column("type_code", sa.String(21), primary_key=True),
    sa.Column("issuer_code", sa.String(18), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("last", sa.Integer, nullable=False),
)

certificate_pdfs = sa.Table(
    "certificate_pdfs",
    metadata,
    sa.Column("certificate_id", sa.String(36), primary_key=True),
    sa.Column("pdf", sa.LargeBinary, nullable=False),
    sa.Column("rendered_at", sa.DateTime(timezone=True), nullable=False),
)
