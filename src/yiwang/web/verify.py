"""The public verification page of an electronic licence: for the bank, the landlord, the
inspector who scanned its QR code. People get a page; machines asking for JSON get JSON."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from yiwang.api.deps import DbDep
from yiwang.applications.service import china_today
from yiwang.catalog import snapshots
from yiwang.certificates import service as certificates
from yiwang.web.pages import WebAccount
from yiwang.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/verify/{certificate_id}")
async def verify_page(
    request: Request, certificate_id: str, db: DbDep, account: WebAccount
) -> Response:
    """核验: valid, revoked, expired or altered — no sign-in needed, the holder masked."""
    _, catalog = await snapshots.current(db)
    result = await certificates.verify(
        db,
        keyring=request.app.state.keyring,
        catalog=catalog,
        certificate_id=certificate_id,
        today=china_today(),
    )
    accept = request.headers.get("accept", "")
    if "application/json" in accept and "text/html" not in accept:
        return JSONResponse(result)
    dates = {
        name: dt.date.fromisoformat(result[name]) if result[name] else None
        for name in ("issued_at", "valid_until")
    }
    return render(request, "certificates/verify.html", {"result": result, **dates}, account=account)
