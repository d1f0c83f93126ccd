"""The exchange in the API: data elements, the source catalogue and its data quality, consents,
prefill, and the person's own access log."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from yiwang.api.deps import CatalogNow, CurrentAccount, DbDep, TokenAccount
from yiwang.catalog import snapshots
from yiwang.catalog.subjects import subject_of
from yiwang.errors import Forbidden
from yiwang.exchange import catalogue
from yiwang.exchange import service as exchange
from yiwang.prefill import service as prefill

router = APIRouter(prefix="/api/v1", tags=["exchange"])


@router.get("/data-elements")
async def data_elements(db: DbDep) -> list[dict[str, Any]]:
    """数据元: every standard data element, with its type, sensitivity and authority."""
    _, current = await snapshots.current(db)
    return [catalogue.element_view(current, e) for e in current.elements.values()]


@router.get("/data-sources")
async def data_sources(db: DbDep) -> list[dict[str, Any]]:
    """政务数据资源目录: each source's provider, elements, sharing type, cycle and mapping."""
    _, current = await snapshots.current(db)
    return [catalogue.source_view(current, s) for s in current.sources.values()]


@router.get("/data-sources/{code}")
async def data_source(code: str, db: DbDep) -> dict[str, Any]:
    """One data source."""
    _, current = await snapshots.current(db)
    return catalogue.source_view(current, catalogue.source_of(current, code))


@router.get("/data-sources/{code}/quality")
async def data_source_quality(
    code: str,
    db: DbDep,
    account: CurrentAccount,
    days: Annotated[int, Query(ge=1, le=366)] = 30,
) -> dict[str, Any]:
    """数据质量: records read, values cleaned and rejected by rule, failed reads (staff only)."""
    if account.kind not in ("staff", "admin"):
        raise Forbidden()
    _, current = await snapshots.current(db)
    source = catalogue.source_of(current, code)
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    report = await exchange.quality_of(db, source=source.code, since=since)
    return {"source": source.code, "days": days, "since": since.isoformat(), **report}


class ConsentIn(BaseModel):
    """授权: which elements, for which service or bundle, for what."""

    model_config = ConfigDict(extra="forbid")

    purpose: str = Field(max_length=32)
    service: str | None = Field(default=None, max_length=64)
    bundle: str | None = Field(default=None, max_length=64)
    elements: list[str] = Field(max_length=100)


@router.post("/consents", status_code=201)
async def give_consent(body: ConsentIn, db: DbDep, account: CurrentAccount) -> dict[str, Any]:
    """Consent to fetch exactly these elements; only elements the form needs may be named."""
    _, current = await snapshots.current(db)
    subject = subject_of(current, service=body.service, bundle=body.bundle)
    return await prefill.give_consent(
        db,
        actor=account,
        catalog=current,
        subject=subject,
        purpose=body.purpose,
        elements=body.elements,
    )


@router.get("/consents")
async def my_consents(db: DbDep, account: CurrentAccount) -> list[dict[str, Any]]:
    """My consents, newest first."""
    return await prefill.consents_of(db, actor=account)


@router.post("/consents/{consent_id}/withdraw")
async def withdraw_consent(consent_id: str, db: DbDep, account: CurrentAccount) -> dict[str, Any]:
    """撤回授权: nothing more is fetched under it."""
    return await prefill.withdraw_consent(db, actor=account, consent_id=consent_id)


@router.get("/consents/needed")
async def consent_needed(
    db: DbDep,
    account: CurrentAccount,
    service: Annotated[str | None, Query(max_length=64)] = None,
    bundle: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    """What a consent for this form would name: each element, its source and department."""
    _, current = await snapshots.current(db)
    subject = subject_of(current, service=service, bundle=bundle)
    the_plan = prefill.plan(current, subject=subject, account=account)
    return {
        subject.kind: subject.code,
        "purpose": "prefill",
        "elements": prefill.elements_view(current, the_plan),
    }


@router.get("/prefill")
async def prefill_form(
    request: Request,
    account: TokenAccount,
    now: CatalogNow,
    service: Annotated[str | None, Query(max_length=64)] = None,
    bundle: Annotated[str | None, Query(max_length=64)] = None,
    consent_id: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    """The form filled from departments' systems: each value with element, source, fetched_at
    and verified; a source that is slow or down leaves its fields in ``missing``.
    \f
    No unit of work: nothing of the database is held while departments answer."""
    _, current = now
    subject = subject_of(current, service=service, bundle=bundle)
    settings = request.app.state.settings
    return await prefill.prefill(
        request.app.state.engine,
        actor=account,
        catalog=current,
        subject=subject,
        hub=request.app.state.exchange,
        secret=settings.secret_key.encode(),
        consent_id=consent_id,
        strict_audit=settings.strict_audit,
    )


@router.get("/me/data-access")
async def my_data_access(
    db: DbDep,
    account: CurrentAccount,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[int | None, Query(ge=1)] = None,
) -> dict[str, Any]:
    """谁查看了我的数据: when, which department or system, which elements, for what."""
    _, current = await snapshots.current(db)
    rows = await exchange.accesses_of(db, subject_id=account.id, limit=limit, before_id=before)
    items = [catalogue.access_view(current, row) for row in rows]
    return {"items": items, "next_before": rows[-1]["id"] if len(rows) == limit else None}
