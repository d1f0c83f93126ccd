"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2): any Open311 client can list the
hotline's services, file a request (form-encoded, as the spec says) and follow it, in JSON or XML.
Errors come in the spec's own shape."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from yiwang.api.deps import DbDep, account_beside, request_lang
from yiwang.catalog import snapshots
from yiwang.complaints import open311
from yiwang.complaints import service as complaints
from yiwang.complaints.models import tickets
from yiwang.errors import YiwangError

router = APIRouter(prefix="/open311/v2", tags=["open311"])
FORMATS = ("json", "xml")
MAX_REQUESTS = 1000


def _reply(fmt: str, body: Any, *, root: str = "", item: str = "", status: int = 200) -> Response:
    if fmt == "xml":
        if root == "service_definition":
            content = open311.definition_xml(body)
        else:
            content = open311.to_xml(root, item, body)
        return Response(content, status_code=status, media_type="text/xml; charset=utf-8")
    return JSONResponse(body, status_code=status)


def _error(fmt: str, status: int, description: str) -> Response:
    if fmt == "xml":
        return Response(
            open311.errors_xml(status, description),
            status_code=status,
            media_type="text/xml; charset=utf-8",
        )
    return JSONResponse([{"code": status, "description": description}], status_code=status)


def _check(fmt: str, request: Request) -> None:
    if fmt not in FORMATS:
        raise open311.Open311Error(404, f"format {fmt} is not supported; use json or xml")
    jurisdiction = request.query_params.get("jurisdiction_id")
    if jurisdiction and jurisdiction != open311.JURISDICTION:
        raise open311.Open311Error(404, f"jurisdiction_id {jurisdiction} not found")


def _hotline(request: Request) -> complaints.Hotline:
    return request.app.state.hotline


@router.get("/services.{fmt}")
async def services(fmt: str, request: Request) -> Response:
    """The service list: one service per 12345 category."""
    try:
        _check(fmt, request)
    except open311.Open311Error as exc:
        return _error("json" if fmt not in FORMATS else fmt, exc.status, exc.description)
    rows = open311.services(_hotline(request).definitions)
    return _reply(fmt, rows, root="services", item="service")


@router.get("/services/{service_code}.{fmt}")
async def service_definition(service_code: str, fmt: str, request: Request) -> Response:
    """A service definition: its attributes (the kind of request)."""
    try:
        _check(fmt, request)
        body = open311.definition(_hotline(request).definitions, service_code)
    except open311.Open311Error as exc:
        return _error("json" if fmt not in FORMATS else fmt, exc.status, exc.description)
    return _reply(fmt, body, root="service_definition")


def _float(value: str | None, name: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except ValueError as exc:
        raise open311.Open311Error(400, f"{name} must be a number") from exc


@router.post("/requests.{fmt}")
async def create_request(fmt: str, request: Request) -> Response:
    """POST a service request, form-encoded: service_code, a location (lat + long or
    address_string), description, attribute[kind], contact details, media_url.
    \f
    ``complaints.submit``, as the API's intake; the optional bearer token is read beside it."""
    try:
        _check(fmt, request)
        form = await request.form()
        jurisdiction = form.get("jurisdiction_id")
        if jurisdiction and jurisdiction != open311.JURISDICTION:
            raise open311.Open311Error(404, f"jurisdiction_id {jurisdiction} not found")
        hotline = _hotline(request)
        code = str(form.get("service_code") or "")
        if not code:
            raise open311.Open311Error(400, "service_code is required")
        if code not in hotline.definitions.categories:
            raise open311.Open311Error(400, f"service_code {code} not found")
        lat = _float(form.get("lat"), "lat")  # type: ignore[arg-type]
        lon = _float(form.get("long"), "long")  # type: ignore[arg-type]
        address = str(form.get("address_string") or form.get("address_id") or "") or None
        if (lat is None or lon is None) and not address:
            raise open311.Open311Error(
                400, "a location is required: lat and long, address_string or address_id"
            )
        description = str(form.get("description") or "")
        if not description.strip():
            raise open311.Open311Error(400, "description is required")
        kind = str(form.get("attribute[kind]") or "complaint")
        name = " ".join(str(form.get(k) or "") for k in ("last_name", "first_name") if form.get(k))
        media = str(form.get("media_url") or "")
        account = None
        authorization = request.headers.get("authorization", "")
        if authorization.lower().startswith("bearer "):
            account = await account_beside(request, authorization[7:].strip())
        ticket, _ = await complaints.submit(
            request.app.state.engine,
            hotline=hotline,
            strict_audit=request.app.state.settings.strict_audit,
            actor=account,
            channel="open311",
            kind=kind,
            text=description,
            address=address,
            lat=lat,
            lon=lon,
            category=code,
            media_urls=[media] if media else [],
            reporter_name=name or None,
            reporter_phone=str(form.get("phone") or "")[:20] or None,
            reporter_email=str(form.get("email") or "")[:200] or None,
        )
    except open311.Open311Error as exc:
        return _error("json" if fmt not in FORMATS else fmt, exc.status, exc.description)
    except YiwangError as exc:
        details = "; ".join(d.get("field", "") + ": " + d.get("code", "") for d in exc.details)
        message = exc.message(request_lang(request))
        return _error(fmt, 400, f"{message} {details}".strip())
    body = [
        {
            "service_request_id": ticket["ticket_no"],
            "service_notice": open311._NOTICE.get(ticket["deadline_class"] or "", None),
            "account_id": None,
        }
    ]
    return _reply(fmt, body, root="service_requests", item="request", status=201)


def _date(value: str | None, name: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise open311.Open311Error(400, f"{name} must be a W3C date-time") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@router.get("/requests.{fmt}")
async def list_requests(fmt: str, request: Request, db: DbDep) -> Response:
    """GET service requests, filtered by service_request_id, service_code, start_date,
    end_date and status; by default the last 90 days, at most 1000."""
    try:
        _check(fmt, request)
        params = request.query_params
        query = sa.select(tickets).order_by(tickets.c.created_at.desc()).limit(MAX_REQUESTS)
        ids = [i.strip() for i in (params.get("service_request_id") or "").split(",") if i.strip()]
        if ids:
            query = query.where(tickets.c.ticket_no.in_(ids))
        else:
            start = _date(params.get("start_date"), "start_date")
            end = _date(params.get("end_date"), "end_date")
            if start and end and start > end:
                raise open311.Open311Error(400, "start_date is after end_date")
            if start is None:
                start = (end or dt.datetime.now(dt.UTC)) - dt.timedelta(days=90)
            query = query.where(tickets.c.created_at >= start)
            if end is not None:
                query = query.where(tickets.c.created_at <= end)
            codes = [c for c in (params.get("service_code") or "").split(",") if c]
            if codes:
                query = query.where(tickets.c.category.in_(codes))
            wanted = {s for s in (params.get("status") or "").split(",") if s}
            if wanted - {"open", "closed"}:
                raise open311.Open311Error(400, "status must be open or closed")
            if wanted == {"open"}:
                query = query.where(tickets.c.status != "closed")
            elif wanted == {"closed"}:
                query = query.where(tickets.c.status == "closed")
        rows = (await db.execute(query)).all()
        _, catalog = await snapshots.current(db)
    except open311.Open311Error as exc:
        return _error("json" if fmt not in FORMATS else fmt, exc.status, exc.description)
    hotline = _hotline(request)
    body = [open311.request(hotline.definitions, catalog, r) for r in rows]
    return _reply(fmt, body, root="service_requests", item="request")


@router.get("/requests/{request_id}.{fmt}")
async def get_request(request_id: str, fmt: str, request: Request, db: DbDep) -> Response:
    """GET one service request by its id (the ticket number)."""
    try:
        _check(fmt, request)
        row = (
            await db.execute(sa.select(tickets).where(tickets.c.ticket_no == request_id))
        ).first()
        if row is None:
            raise open311.Open311Error(404, f"service_request_id {request_id} not found")
        _, catalog = await snapshots.current(db)
    except open311.Open311Error as exc:
        return _error("json" if fmt not in FORMATS else fmt, exc.status, exc.description)
    body = [open311.request(_hotline(request).definitions, catalog, row)]
    return _reply(fmt, body, root="service_requests", item="request")
