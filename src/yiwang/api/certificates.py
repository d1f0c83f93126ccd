"""Electronic licences in the API: mine, their PDFs, the public keys, revocation, verification."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from yiwang.api.deps import CurrentAccount, DbDep, Text
from yiwang.applications.service import china_today
from yiwang.catalog import snapshots
from yiwang.certificates import service as certificates

router = APIRouter(prefix="/api/v1", tags=["certificates"])


@router.get("/certificates")
async def my_certificates(db: DbDep, account: CurrentAccount) -> list[dict[str, Any]]:
    """My electronic licences, each with its GB/T 36904 identifier and verify_url."""
    _, current = await snapshots.current(db)
    return await certificates.mine(db, account_id=account.id, catalog=current)


@router.get("/certificates/keys")
async def signing_keys(request: Request) -> dict[str, Any]:
    """The departments' public keys (Ed25519), active and retired, to check signatures with."""
    return {"keys": request.app.state.keyring.public_keys()}


@router.get("/certificates/{certificate_id}")
async def my_certificate(certificate_id: str, db: DbDep, account: CurrentAccount) -> dict[str, Any]:
    """One of my licences; another person's is a 404."""
    _, current = await snapshots.current(db)
    row = await certificates.get_mine(db, account_id=account.id, certificate_id=certificate_id)
    return certificates.view(current, row)


@router.get("/certificates/{certificate_id}/pdf")
async def my_certificate_pdf(certificate_id: str, db: DbDep, account: CurrentAccount) -> Response:
    """The licence as a PDF, with the use statement and a QR code of its verify_url."""
    row = await certificates.get_mine(db, account_id=account.id, certificate_id=certificate_id)
    body = await certificates.pdf_of(db, row=row)
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{row["identifier"]}.pdf"'},
    )


class RevokeIn(BaseModel):
    """注销: why, in the issuing department's words."""

    model_config = ConfigDict(extra="forbid")
    reason: Text = Field(min_length=1, max_length=500)


@router.post("/certificates/{certificate_id}/revoke")
async def revoke(
    certificate_id: str, body: RevokeIn, db: DbDep, account: CurrentAccount
) -> dict[str, Any]:
    """Revoke a licence (the issuing department's approvers only); verification shows it at once."""
    _, current = await snapshots.current(db)
    return await certificates.revoke(
        db, actor=account, certificate_id=certificate_id, reason=body.reason, catalog=current
    )


@router.get("/certificates/{certificate_id}/verify")
async def verify(certificate_id: str, request: Request, db: DbDep) -> dict[str, Any]:
    """Public verification, as JSON: valid, revoked, expired or invalid, the holder masked."""
    _, current = await snapshots.current(db)
    return await certificates.verify(
        db,
        keyring=request.app.state.keyring,
        catalog=current,
        certificate_id=certificate_id,
        today=china_today(),
    )
