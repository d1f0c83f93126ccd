"""接诉即办 in the API: reporters file and follow their tickets; the dispatch centre routes;
departments sign for and answer; the three rates the hotline is judged by."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Header, Query, Request, Response, UploadFile, status
from pydantic import BaseModel, ConfigDict, Field

from yiwang.api.deps import CurrentAccount, DbDep, Text, TokenAccount
from yiwang.complaints import service as complaints
from yiwang.errors import Forbidden

router = APIRouter(prefix="/api/v1", tags=["complaints"])


def hotline_of(request: Request) -> complaints.Hotline:
    """The hotline's definitions and calendar."""
    return request.app.state.hotline


HotlineDep = Annotated[complaints.Hotline, Depends(hotline_of)]


class Location(BaseModel):
    """Where: an address, coordinates (WGS-84), or both."""

    model_config = ConfigDict(extra="forbid")
    address: Text | None = Field(default=None, max_length=200)
    lat: float | None = None
    lon: float | None = None


class ComplaintIn(BaseModel):
    """A ticket: what happened, where, and what kind of request it is."""

    model_config = ConfigDict(extra="forbid")
    text: Text = Field(max_length=2000)
    kind: str = Field(default="complaint", max_length=16)
    location: Location | None = None
    channel: str = Field(default="api", pattern=r"^(api|web|mobile|phone)$")
    media_urls: list[str] = Field(default=[], max_length=5)


class CallbackIn(BaseModel):
    """回访: resolved? satisfied?"""

    model_config = ConfigDict(extra="forbid")
    resolved: bool
    satisfied: bool
    comment: Text = Field(default="", max_length=1000)


class DispatchIn(BaseModel):
    """派单: the category (and so the department) a dispatcher chose."""

    model_config = ConfigDict(extra="forbid")
    category: str = Field(max_length=48)


class ReplyIn(BaseModel):
    """答复."""

    model_config = ConfigDict(extra="forbid")
    reply: Text = Field(max_length=4000)


class TransferIn(BaseModel):
    """申请退回: why this is not ours."""

    model_config = ConfigDict(extra="forbid")
    reason: Text = Field(max_length=500)


@router.get("/complaints/categories")
async def categories(hotline: HotlineDep) -> dict[str, Any]:
    """The kinds of request and the category tree, with departments and deadline classes."""
    definitions = hotline.definitions
    return {
        "kinds": [
            {"code": k.code, "name": k.name.zh, "name_en": k.name.en} for k in definitions.kinds
        ],
        "groups": [
            {
                "code": g.code,
                "name": g.name.zh,
                "name_en": g.name.en,
                "categories": [
                    {
                        "code": c.code,
                        "name": c.name.zh,
                        "name_en": c.name.en,
                        "department": c.department,
                        "deadline": c.deadline,
                    }
                    for c in g.categories
                ],
            }
            for g in definitions.groups
        ],
        "deadlines": {k: v.model_dump(exclude_none=True) for k, v in definitions.deadlines.items()},
    }


@router.post("/complaints", status_code=status.HTTP_201_CREATED)
async def file_complaint(
    request: Request,
    body: ComplaintIn,
    account: TokenAccount,
    hotline: HotlineDep,
    response: Response,
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> dict[str, Any]:
    """File a 12345 ticket; routed at once, or queued for a dispatcher when the model is unsure.
    \f
    ``complaints.submit``: checked and routed before its transaction, then stored in one
    ``write_unit`` (on SQLite on the writer thread, instead of waiting for the write lock)."""
    location = body.location or Location()
    ticket, created = await complaints.submit(
        request.app.state.engine,
        hotline=hotline,
        strict_audit=request.app.state.settings.strict_audit,
        actor=account,
        channel=body.channel,
        kind=body.kind,
        text=body.text,
        address=location.address,
        lat=location.lat,
        lon=location.lon,
        media_urls=body.media_urls,
        idempotency_key=idempotency_key,
    )
    if not created:
        response.status_code = status.HTTP_200_OK
        response.headers["Idempotent-Replayed"] = "true"
    return ticket


@router.get("/complaints")
async def my_complaints(
    db: DbDep, account: CurrentAccount, hotline: HotlineDep
) -> list[dict[str, Any]]:
    """My tickets, newest first."""
    return await complaints.mine(db, hotline=hotline, actor=account)


@router.get("/complaints/{ticket_id}")
async def complaint(
    ticket_id: str, db: DbDep, account: CurrentAccount, hotline: HotlineDep
) -> dict[str, Any]:
    """One ticket with its timeline; someone else's is a 404."""
    return await complaints.view(db, hotline=hotline, ticket_id=ticket_id, actor=account)


@router.post("/complaints/{ticket_id}/photos")
async def add_photos(
    ticket_id: str,
    db: DbDep,
    account: CurrentAccount,
    hotline: HotlineDep,
    photo: Annotated[list[UploadFile], File(description="JPEG, PNG or WebP, up to 3")],
) -> dict[str, Any]:
    """Attach photos to my ticket (multipart, field ``photo``, up to three, 1 MB each)."""
    data = [await upload.read(complaints.MAX_PHOTO_BYTES + 1) for upload in photo]
    return await complaints.add_photos(
        db, hotline=hotline, actor=account, ticket_id=ticket_id, photos=data
    )


@router.get("/complaints/{ticket_id}/photos/{position}")
async def get_photo(ticket_id: str, position: int, db: DbDep, account: CurrentAccount) -> Response:
    """A photo of a ticket I reported or handle."""
    content_type, data = await complaints.photo(
        db, actor=account, ticket_id=ticket_id, position=position
    )
    return Response(
        data, media_type=content_type, headers={"Cache-Control": "private, max-age=3600"}
    )


@router.post("/complaints/{ticket_id}/callback")
async def call_back(
    ticket_id: str, body: CallbackIn, db: DbDep, account: CurrentAccount, hotline: HotlineDep
) -> dict[str, Any]:
    """回访: resolved and satisfied? Not resolved sends it back to be handled again."""
    return await complaints.callback(
        db,
        hotline=hotline,
        actor=account,
        ticket_id=ticket_id,
        resolved=body.resolved,
        satisfied=body.satisfied,
        comment=body.comment,
    )


@router.get("/hotline/queue")
async def dispatch_queue(
    db: DbDep, account: CurrentAccount, hotline: HotlineDep
) -> list[dict[str, Any]]:
    """The dispatch centre's queue: tickets to route and transfer requests."""
    return await complaints.queue(db, hotline=hotline, actor=account)


@router.post("/hotline/tickets/{ticket_id}/dispatch")
async def dispatch(
    ticket_id: str, body: DispatchIn, db: DbDep, account: CurrentAccount, hotline: HotlineDep
) -> dict[str, Any]:
    """派单 or formal transfer by the dispatch centre."""
    return await complaints.dispatch(
        db, hotline=hotline, actor=account, ticket_id=ticket_id, category=body.category
    )


@router.get("/hotline/inbox")
async def department_inbox(
    db: DbDep, account: CurrentAccount, hotline: HotlineDep
) -> list[dict[str, Any]]:
    """My department's tickets, emergencies and the soonest due first."""
    return await complaints.inbox(db, hotline=hotline, actor=account)


@router.post("/hotline/tickets/{ticket_id}/sign")
async def sign(
    ticket_id: str, db: DbDep, account: CurrentAccount, hotline: HotlineDep
) -> dict[str, Any]:
    """签收."""
    return await complaints.sign(db, hotline=hotline, actor=account, ticket_id=ticket_id)


@router.post("/hotline/tickets/{ticket_id}/reply")
async def reply(
    ticket_id: str, body: ReplyIn, db: DbDep, account: CurrentAccount, hotline: HotlineDep
) -> dict[str, Any]:
    """答复: the reporter (and those of linked duplicates) are told."""
    return await complaints.reply(
        db, hotline=hotline, actor=account, ticket_id=ticket_id, text=body.reply
    )


@router.post("/hotline/tickets/{ticket_id}/transfer-request")
async def transfer_request(
    ticket_id: str, body: TransferIn, db: DbDep, account: CurrentAccount, hotline: HotlineDep
) -> dict[str, Any]:
    """申请退回: it stays ours (首接负责) until the dispatch centre moves it."""
    return await complaints.request_transfer(
        db, hotline=hotline, actor=account, ticket_id=ticket_id, reason=body.reason
    )


@router.get("/hotline/stats")
async def hotline_stats(
    db: DbDep,
    account: CurrentAccount,
    hotline: HotlineDep,
    since: Annotated[dt.date | None, Query()] = None,
    until: Annotated[dt.date | None, Query()] = None,
    department: Annotated[str | None, Query(max_length=32)] = None,
) -> dict[str, Any]:
    """响应率, 解决率, 满意率 per department, for tickets received from ``since`` to ``until``."""
    if account.kind not in ("staff", "admin"):
        raise Forbidden()
    today = dt.datetime.now(complaints.CHINA).date()
    start = since or today.replace(day=1)
    end = until or today
    return await complaints.stats(
        db,
        hotline=hotline,
        since=dt.datetime.combine(start, dt.time(0), complaints.CHINA),
        until=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), complaints.CHINA),
        department=department,
    )
