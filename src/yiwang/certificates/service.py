"""The verbs of electronic licences: issue (signed), list, verify (anyone), revoke, render.

What is signed is the licence's canonical JSON: identifier, type, holder, issuer, dates and data
items, with the key id — so changing any of them, or the signature, makes it verify as invalid.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import json
import secrets
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from yiwang import jobs
from yiwang.audit import service as audit
from yiwang.catalog import snapshots
from yiwang.catalog.items import CertificateType
from yiwang.catalog.loader import Catalog
from yiwang.certificates import identifiers, pdf
from yiwang.certificates.keys import KeyRing
from yiwang.certificates.models import certificate_pdfs, certificate_serials, certificates
from yiwang.database import Db, transaction
from yiwang.errors import Invalid, NotFound, field_error
from yiwang.kit.ids import new_id
from yiwang.kit.masking import mask_name
from yiwang.kit.validators import mask_id_number, uscc_check_char

RENDER_JOB = "certificates.render_pdf"
_ORG_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


class Settings:
    """What rendering and verification links need, set once by the app (``configure``)."""

    base_url = "http://127.0.0.1:8000"
    font_path: str | None = None
    keyring: KeyRing | None = None


def configure(*, base_url: str, keyring: KeyRing, font_path: str | None = None) -> None:
    """Tell the job handler where licences are verified, which keys sign and which font draws."""
    Settings.base_url = base_url.rstrip("/")
    Settings.keyring = keyring
    Settings.font_path = font_path


def verify_url(certificate_id: str) -> str:
    """Where anyone checks a licence: a page for people, JSON for machines."""
    return f"{Settings.base_url}/verify/{certificate_id}"


def new_credit_code(region_code: str) -> str:
    """A new enterprise's unified social credit code (GB 32100: 9 工商, 1 企业, the region, an
    organisation code with its GB 11714 check character, then the GB 32100 check character)."""
    body = "".join(secrets.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    total = sum(_ORG_CHARS.index(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    remainder = 11 - total % 11
    org_check = "X" if remainder == 10 else "0" if remainder == 11 else str(remainder)
    first17 = f"91{region_code}{body}{org_check}"
    return first17 + uscc_check_char(first17)


def _canonical(row: dict[str, Any]) -> bytes:
    """The signed bytes of a licence."""
    payload = {
        "identifier": row["identifier"],
        "type": row["type"],
        "holder_name": row["holder_name"],
        "holder_code": row["holder_code"],
        "holder_code_type": row["holder_code_type"],
        "issuer_department": row["issuer_department"],
        "issuer_code": row["issuer_code"],
        "issued_on": _iso(row["issued_on"]),
        "valid_until": _iso(row["valid_until"]),
        "data": row["data"],
        "key_id": row["key_id"],
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _iso(value: dt.date | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


async def _next_serial(db: Db, *, type_code: str, issuer_code: str, year: int) -> str:
    insert = postgresql.insert if db.dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(certificate_serials)
        .values(type_code=type_code, issuer_code=issuer_code, year=year, last=1)
        .on_conflict_do_update(
            index_elements=[
                certificate_serials.c.type_code,
                certificate_serials.c.issuer_code,
                certificate_serials.c.year,
            ],
            set_={"last": certificate_serials.c.last + 1},
        )
        .returning(certificate_serials.c.last)
    )
    sequence = int((await db.execute(statement)).scalar_one())
    return f"{year}{sequence:07d}"


async def issue(
    db: Db,
    *,
    catalog: Catalog,
    keyring: KeyRing,
    kind: CertificateType,
    holder_account_id: str,
    values: dict[str, Any],
    today: dt.date,
    application_id: str | None = None,
    branch_id: str | None = None,
) -> dict[str, Any]:
    """签发: a licence of this type from these element values, signed by the issuer's key.

    ``values`` are the approved form's answers by data element; an element the type assigns
    (a new business's credit code) is created here when the form has none. Returns the licence,
    whose ``data`` holds the assigned values too.
    """
    values = dict(values)
    if kind.assigns and not values.get(kind.assigns):
        values[kind.assigns] = new_credit_code(catalog.region.code)
    code_element = next((e for e in kind.holder.code if values.get(e)), None)
    holder_name = values.get(kind.holder.name)
    if code_element is None or not holder_name:
        raise Invalid("certificate_holder_missing", params={"type": kind.name.zh})
    issuer = catalog.departments[kind.issuer]
    serial = await _next_serial(
        db, type_code=kind.type_code, issuer_code=issuer.uscc, year=today.year
    )
    valid_until = None
    if kind.validity_years:
        try:
            end = today.replace(year=today.year + kind.validity_years)
        except ValueError:  # 29 February
            end = today.replace(year=today.year + kind.validity_years, day=28)
        valid_until = end - dt.timedelta(days=1)
    row: dict[str, Any] = {
        "id": new_id(),
        "identifier": identifiers.build(
            type_code=kind.type_code, issuer_code=issuer.uscc, serial=serial
        ),
        "type": kind.code,
        "holder_account_id": holder_account_id,
        "holder_name": str(holder_name)[:200],
        "holder_code": str(values[code_element]),
        "holder_code_type": catalog.elements[code_element].type,
        "issuer_department": issuer.code,
        "issuer_code": issuer.uscc,
        "issued_on": today,
        "valid_until": valid_until,
        "data": {
            item.element: values[item.element]
            for item in kind.items
            if values.get(item.element) not in (None, "")
        },
        "status": "valid",
        "application_id": application_id,
        "branch_id": branch_id,
        "created_at": dt.datetime.now(dt.UTC),
    }
    row["key_id"] = keyring.current_key_id(issuer.code)
    signed_by, row["signature"] = keyring.sign(issuer.code, _canonical(row))
    assert signed_by == row["key_id"]
    await db.execute(sa.insert(certificates).values(**row))
    await audit.record(
        db,
        actor=None,
        action="certificate.issued",
        target_type="certificate",
        target_id=row["id"],
        after={"identifier": row["identifier"], "type": kind.code, "key_id": row["key_id"]},
    )
    await jobs.enqueue(db, RENDER_JOB, {"certificate_id": row["id"]})
    return row


async def mine(db: Db, *, account_id: str, catalog: Catalog) -> list[dict[str, Any]]:
    """My licences, newest first."""
    rows = await db.execute(
        sa.select(certificates)
        .where(certificates.c.holder_account_id == account_id)
        .order_by(certificates.c.created_at.desc())
    )
    return [view(catalog, dict(r._mapping)) for r in rows]


async def get_mine(db: Db, *, account_id: str, certificate_id: str) -> dict[str, Any]:
    """One of my licences; anyone else's is a 404."""
    row = await _row(db, certificate_id)
    if row is None or row["holder_account_id"] != account_id:
        raise NotFound()
    return row


async def valid_of_type(
    db: Db, *, account_id: str, kind: str, today: dt.date
) -> dict[str, Any] | None:
    """The holder's newest valid licence of a type (for reuse in a later application)."""
    rows = await db.execute(
        valid_of_type_query(), {"account_id": account_id, "kind": kind, "today": today}
    )
    found = rows.first()
    return None if found is None else dict(found._mapping)


@functools.cache
def valid_of_type_query() -> sa.Select[Any]:
    """The holder's newest valid licence of a type (``account_id``, ``kind``, ``today``)."""
    return (
        sa.select(certificates)
        .where(
            certificates.c.holder_account_id == sa.bindparam("account_id", type_=sa.String),
            certificates.c.type == sa.bindparam("kind", type_=sa.String),
            certificates.c.status == "valid",
            sa.or_(
                certificates.c.valid_until.is_(None),
                certificates.c.valid_until >= sa.bindparam("today", type_=sa.Date),
            ),
        )
        .order_by(certificates.c.created_at.desc())
        .limit(1)
    )


async def get_any(db: Db, certificate_id: str) -> dict[str, Any]:
    """A licence by id, whoever holds it (for the platform's own use)."""
    row = await _row(db, certificate_id)
    if row is None:
        raise NotFound()
    return row


@functools.cache
def issued_for_query() -> sa.Select[Any]:
    """The licences an application's approvals issued (bound as ``application_id``), oldest
    first."""
    return (
        sa.select(certificates)
        .where(certificates.c.application_id == sa.bindparam("application_id", type_=sa.String))
        .order_by(certificates.c.created_at)
    )


@functools.cache
def by_id_query() -> sa.Select[Any]:
    """One licence by id (bound as ``certificate_id``)."""
    return sa.select(certificates).where(
        certificates.c.id == sa.bindparam("certificate_id", type_=sa.String)
    )


async def issued_for(db: Db, *, application_id: str) -> list[dict[str, Any]]:
    """The licences an application's approvals issued."""
    rows = await db.execute(issued_for_query(), {"application_id": application_id})
    return [dict(r._mapping) for r in rows]


async def by_ids(db: Db, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Several licences by id."""
    if not ids:
        return {}
    rows = await db.execute(sa.select(certificates).where(certificates.c.id.in_(ids)))
    return {r.id: dict(r._mapping) for r in rows}


async def _row(db: Db, certificate_id: str) -> dict[str, Any] | None:
    found = (await db.execute(by_id_query(), {"certificate_id": certificate_id})).first()
    return None if found is None else dict(found._mapping)


def view(catalog: Catalog, row: dict[str, Any]) -> dict[str, Any]:
    """A licence as its holder sees it."""
    kind = catalog.certificate_types.get(row["type"])
    issuer = catalog.departments.get(row["issuer_department"])
    return {
        "id": row["id"],
        "identifier": row["identifier"],
        "type": row["type"],
        "type_name": kind.name.zh if kind else row["type"],
        "type_name_en": kind.name.en if kind else row["type"],
        "holder": row["holder_name"],
        "holder_code": row["holder_code"],
        "holder_code_type": row["holder_code_type"],
        "issuer": row["issuer_department"],
        "issuer_name": issuer.name.zh if issuer else row["issuer_department"],
        "issuer_name_en": issuer.name.en if issuer else row["issuer_department"],
        "issued_on": _iso(row["issued_on"]),
        "valid_until": _iso(row["valid_until"]),
        "status": row["status"],
        "items": [
            {
                "element": item.element,
                "name": item.name.zh,
                "name_en": item.name.en,
                "value": row["data"][item.element],
            }
            for item in (kind.items if kind else [])
            if item.element in row["data"]
        ],
        "application_id": row["application_id"],
        "verify_url": verify_url(row["id"]),
        "pdf_url": f"/api/v1/certificates/{row['id']}/pdf",
    }


async def verify(
    db: Db, *, keyring: KeyRing, catalog: Catalog, certificate_id: str, today: dt.date
) -> dict[str, Any]:
    """核验, for anyone: valid, revoked, expired or invalid (altered), the holder masked."""
    row = await _row(db, certificate_id)
    if row is None:
        raise NotFound("unknown_certificate")
    intact = identifiers.is_valid(row["identifier"]) and keyring.verify(
        row["key_id"], _canonical(row), row["signature"]
    )
    until = row["valid_until"]
    if not intact:
        status = "invalid"
    elif row["status"] == "revoked":
        status = "revoked"
    elif until is not None and until < today:
        status = "expired"
    else:
        status = "valid"
    kind = catalog.certificate_types.get(row["type"])
    issuer = catalog.departments.get(row["issuer_department"])
    person = row["holder_code_type"] == "id_number"
    revoked_at = row["revoked_at"]
    return {
        "valid": status == "valid",
        "status": status,
        "identifier": row["identifier"],
        "type": row["type"],
        "type_name": kind.name.zh if kind else None,
        "type_name_en": kind.name.en if kind else None,
        "holder": mask_name(row["holder_name"]) if person else row["holder_name"],
        "holder_code": mask_id_number(row["holder_code"]) if person else row["holder_code"],
        "issuer_name": issuer.name.zh if issuer else None,
        "issuer_name_en": issuer.name.en if issuer else None,
        "issued_at": _iso(row["issued_on"]),
        "valid_until": _iso(until),
        "key_id": row["key_id"],
        "revoked_at": None
        if revoked_at is None
        else (revoked_at if revoked_at.tzinfo else revoked_at.replace(tzinfo=dt.UTC)).isoformat(),
        "revoked_reason": row["revoked_reason"] if status == "revoked" else None,
    }


async def revoke(
    db: Db, *, actor: Any, certificate_id: str, reason: str, catalog: Catalog
) -> dict[str, Any]:
    """注销 / 撤销 by the issuing department, with a reason; verification shows it at once."""
    row = await _row(db, certificate_id)
    if (
        row is None
        or getattr(actor, "kind", None) != "staff"
        or actor.department_code != row["issuer_department"]
        or "approver" not in actor.roles
    ):
        raise NotFound()
    reason = reason.strip()
    if not reason:
        raise Invalid("revoke_reason_required", details=[field_error("reason", "field_required")])
    if row["status"] != "revoked":
        now = dt.datetime.now(dt.UTC)
        await db.execute(
            sa.update(certificates)
            .where(certificates.c.id == certificate_id)
            .values(status="revoked", revoked_at=now, revoked_by=actor.id, revoked_reason=reason)
        )
        await audit.record(
            db,
            actor=actor,
            action="certificate.revoked",
            target_type="certificate",
            target_id=certificate_id,
            before={"status": row["status"]},
            after={"status": "revoked", "reason": reason},
        )
        row.update(status="revoked", revoked_at=now, revoked_reason=reason)
    return view(catalog, row)


async def pdf_of(db: Db, *, row: dict[str, Any]) -> bytes:
    """The licence's PDF: the rendered one, or drawn now while its job has not run yet."""
    found = (
        await db.execute(
            sa.select(certificate_pdfs.c.pdf).where(certificate_pdfs.c.certificate_id == row["id"])
        )
    ).scalar()
    if found is not None:
        return bytes(found)
    _, catalog = await snapshots.current(db)
    return _draw(catalog, row)


def _draw(catalog: Catalog, row: dict[str, Any]) -> bytes:
    kind = catalog.certificate_types[row["type"]]
    issuer = catalog.departments[row["issuer_department"]]
    return pdf.render(
        title=kind.name.zh,
        title_en=kind.name.en,
        identifier=row["identifier"],
        holder=row["holder_name"],
        holder_code=row["holder_code"],
        issuer=issuer.name.zh,
        issued_on=_iso(row["issued_on"]) or "",
        valid_until=_iso(row["valid_until"]),
        items=[
            (i.name.zh, str(row["data"][i.element])) for i in kind.items if i.element in row["data"]
        ],
        verify_url=verify_url(row["id"]),
        font_path=Settings.font_path,
    )


@jobs.handler(RENDER_JOB)
async def render_pdf(engine: AsyncEngine, job_id: int, payload: dict[str, Any]) -> None:
    """Draw a licence's PDF and keep it; run again, it finds the PDF there and stops.

    The drawing happens between two short transactions, so no lock is held while it runs.
    """
    async with transaction(engine, write=False) as db:
        row = await _row(db, payload["certificate_id"])
        if row is None or await _rendered(db, row["id"]):
            return
        _, catalog = await snapshots.current(db)
    drawn = await asyncio.to_thread(_draw, catalog, row)  # never stalls the server's event loop
    async with transaction(engine) as db:
        if await _rendered(db, row["id"]):
            return
        await db.execute(
            sa.insert(certificate_pdfs).values(
                certificate_id=row["id"], pdf=drawn, rendered_at=dt.datetime.now(dt.UTC)
            )
        )
        await audit.record(
            db,
            actor=None,
            action="certificate.rendered",
            target_type="certificate",
            target_id=row["id"],
        )


async def _rendered(db: Db, certificate_id: str) -> bool:
    query = sa.select(certificate_pdfs.c.certificate_id).where(
        certificate_pdfs.c.certificate_id == certificate_id
    )
    return (await db.execute(query)).first() is not None
