"""12345 我要反映 for people and businesses: the form (what, where, since when), my tickets, and
one ticket — where it is, the department's answer, and the call-back (解决了吗？满意吗？).

The form carries an Idempotency-Key made when it is shown, so a double click files one ticket."""

from __future__ import annotations

import re
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from yiwang.api.deps import DbDep, request_lang
from yiwang.complaints import service as complaints
from yiwang.errors import Conflict, Invalid, NotFound, YiwangError
from yiwang.identity.service import Account
from yiwang.kit.i18n import t
from yiwang.web import tickets
from yiwang.web.pages import CsrfField, WebAccount, WebAccountBeside, check_csrf
from yiwang.web.render import FLASH_COOKIE, render
from yiwang.web.ui import calendar_of, current_catalog, on_phone, read_flash, set_flash, to_login

router = APIRouter(include_in_schema=False)

PUBLIC = ("citizen", "enterprise")
TEXT_MAX = 2000
ADDRESS_MAX = 200
COMMENT_MAX = 1000
_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
# The service names a field as the API takes it; the form names it as the person sees it.
FIELDS = {
    "kind": "kind",
    "text": "text",
    "location.address": "address",
    "location": "location",
    "location.lat": "lat",
    "location.lon": "lon",
    "photos": "photos",
}
FILED = "ticket_filed"


def _require_public(account: Account) -> None:
    if account.kind not in PUBLIC:
        raise YiwangError("hotline.public_only", status=403)


def _form_page(
    request: Request,
    account: Account,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    key: str,
    status_code: int = 200,
) -> Response:
    hotline = tickets.hotline_of(request)
    order = list(dict.fromkeys(FIELDS.values()))
    context = {
        "kinds": tickets.kinds(hotline, request_lang(request)),
        "values": values,
        "errors": dict(sorted(errors.items(), key=lambda e: order.index(e[0]))),
        "key": key,
        "text_max": TEXT_MAX,
    }
    return render(request, "complaints/new.html", context, status_code=status_code, account=account)


@router.get("/complaints")
async def my_tickets(request: Request, db: DbDep, account: WebAccount) -> Response:
    """我的诉求: my tickets, newest first, with where each one is."""
    if account is None:
        return to_login("/complaints")
    _require_public(account)
    lang = request_lang(request)
    hotline = tickets.hotline_of(request)
    departments = tickets.department_names(await current_catalog(db), lang)
    now, calendar = tickets.now(), calendar_of(request)
    items = [
        tickets.described(
            row,
            hotline=hotline,
            departments=departments,
            lang=lang,
            now=now,
            calendar=calendar,
        )
        for row in await complaints.mine(db, hotline=hotline, actor=account)
    ]
    return render(request, "complaints/list.html", {"items": items}, account=account)


@router.get("/complaints/new")
async def new_ticket(request: Request, account: WebAccount) -> Response:
    """The form, with a fresh Idempotency-Key."""
    if account is None:
        return to_login("/complaints/new")
    _require_public(account)
    return _form_page(request, account, values={}, errors={}, key=secrets.token_urlsafe(24))


def _coordinate(raw: str, name: str, errors: dict[str, str], lang: Any) -> float | None:
    raw = raw.strip().replace("，", ",")
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        errors[name] = t("hotline.coordinate_not_number", lang)
        return None


@router.post("/complaints/new")
async def file_ticket(
    request: Request,
    account: WebAccountBeside,
    csrf: CsrfField,
    idempotency_key: Annotated[str, Form(max_length=128)] = "",
    kind: Annotated[str, Form(max_length=32)] = "",
    text: Annotated[str, Form(max_length=TEXT_MAX * 2)] = "",
    address: Annotated[str, Form(max_length=ADDRESS_MAX * 2)] = "",
    lat: Annotated[str, Form(max_length=32)] = "",
    lon: Annotated[str, Form(max_length=32)] = "",
    photos: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    """受理: file the ticket once (the same key again finds it), then show it. Checked and routed
    before its transaction; the session read beside it, as the API's intake does."""
    check_csrf(request, csrf)
    if account is None:
        return to_login("/complaints/new")
    _require_public(account)
    lang = request_lang(request)
    key = idempotency_key if _KEY.fullmatch(idempotency_key) else secrets.token_urlsafe(24)
    values = {"kind": kind, "text": text, "address": address, "lat": lat, "lon": lon}
    errors: dict[str, str] = {}
    if len(text.strip()) > TEXT_MAX:
        errors["text"] = t("hotline.text_too_long", lang, max=TEXT_MAX)
    latitude = _coordinate(lat, "lat", errors, lang)
    longitude = _coordinate(lon, "lon", errors, lang)
    pictures = [
        data
        for upload in photos or []
        if upload.filename and (data := await upload.read(complaints.MAX_PHOTO_BYTES + 1))
    ]
    problem = _photo_problem(pictures)
    if problem:  # checked before anything is filed: a refused photo files no ticket
        errors["photos"] = t(problem, lang)
    if not errors:
        try:
            ticket, _ = await complaints.submit(
                request.app.state.engine,
                hotline=tickets.hotline_of(request),
                strict_audit=request.app.state.settings.strict_audit,
                actor=account,
                channel="mobile" if on_phone(request) else "web",
                kind=kind,
                text=text,
                address=address.strip() or None,
                lat=latitude,
                lon=longitude,
                idempotency_key=key,
                photos=pictures,
            )
        except Invalid as exc:
            if not exc.details:
                errors["text"] = exc.message(lang)
            for detail in exc.details:
                field = str(detail.get("field", ""))  # photos.0: the first photo
                name = FIELDS.get(field) or FIELDS.get(field.partition(".")[0], "location")
                errors.setdefault(name, t(detail.get("message_key") or detail["code"], lang))
    if errors:
        if not kind:  # nothing chosen rather than something unknown
            errors["kind"] = t("hotline.kind_required", lang)
        return _form_page(request, account, values=values, errors=errors, key=key, status_code=422)
    response = RedirectResponse(f"/complaints/{ticket['id']}", status_code=303)
    set_flash(request, response, FILED, ticket["id"])
    return response


def _photo_problem(pictures: list[bytes]) -> str | None:
    if len(pictures) > complaints.MAX_PHOTOS:
        return "too_many_photos"
    if any(len(p) > complaints.MAX_PHOTO_BYTES for p in pictures):
        return "photo_too_large"
    if any(complaints.photo_type(p) is None for p in pictures):
        return "photo_not_an_image"
    return None


@router.get("/complaints/{ticket_id}/photos/{position}")
async def ticket_photo(ticket_id: str, position: int, db: DbDep, account: WebAccount) -> Response:
    """A ticket's photo, for its reporter and its handlers."""
    if account is None:
        raise NotFound()
    content_type, data = await complaints.photo(
        db, actor=account, ticket_id=ticket_id, position=position
    )
    return Response(
        data, media_type=content_type, headers={"Cache-Control": "private, max-age=3600"}
    )


async def _ticket_page(
    request: Request,
    db: DbDep,
    account: Account,
    ticket_id: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    form_error: str | None = None,
    status_code: int = 200,
) -> Response:
    lang = request_lang(request)
    hotline = tickets.hotline_of(request)
    ticket = await complaints.view(db, hotline=hotline, ticket_id=ticket_id, actor=account)
    departments = tickets.department_names(await current_catalog(db), lang)
    flash = read_flash(request)
    filed = flash == [FILED, ticket_id]
    context = {
        "ticket": tickets.described(
            ticket,
            hotline=hotline,
            departments=departments,
            lang=lang,
            now=tickets.now(),
            calendar=calendar_of(request),
        ),
        "steps": tickets.steps(ticket["status"]),
        "timeline": tickets.timeline(ticket, hotline=hotline, departments=departments, lang=lang),
        "filed": filed,
        "errors": errors or {},
        "values": values or {},
        "form_error": form_error,
        "comment_max": COMMENT_MAX,
    }
    response = render(
        request, "complaints/view.html", context, status_code=status_code, account=account
    )
    if filed:
        response.delete_cookie(FLASH_COOKIE)  # shown once
    return response


@router.get("/complaints/{ticket_id}")
async def ticket_page(request: Request, ticket_id: str, db: DbDep, account: WebAccount) -> Response:
    """One of my tickets: where it is, the answer, the timeline; the call-back once answered."""
    if account is None:
        return to_login(request.url.path)
    if account.kind not in PUBLIC:  # staff follow tickets on the workbench
        return RedirectResponse(f"/work/hotline/{ticket_id}", status_code=303)
    return await _ticket_page(request, db, account, ticket_id)


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


@router.post("/complaints/{ticket_id}/callback")
async def call_back(
    request: Request,
    ticket_id: str,
    db: DbDep,
    account: WebAccount,
    csrf: CsrfField,
    resolved: Annotated[str, Form(max_length=8)] = "",
    satisfied: Annotated[str, Form(max_length=8)] = "",
    comment: Annotated[str, Form(max_length=COMMENT_MAX * 2)] = "",
) -> Response:
    """回访: resolved? satisfied? Not resolved sends it back to the department (重办)."""
    check_csrf(request, csrf)
    if account is None:
        return to_login(f"/complaints/{ticket_id}")
    _require_public(account)
    lang = request_lang(request)
    values = {"resolved": resolved, "satisfied": satisfied, "comment": comment}
    answers = {"resolved": _yes_no(resolved), "satisfied": _yes_no(satisfied)}
    errors = {
        name: t(f"hotline.callback.{name}_required", lang)
        for name, answer in answers.items()
        if answer is None
    }
    if len(comment.strip()) > COMMENT_MAX:
        errors["comment"] = t("hotline.text_too_long", lang, max=COMMENT_MAX)
    if errors:
        return await _ticket_page(
            request, db, account, ticket_id, errors=errors, values=values, status_code=422
        )
    try:
        await complaints.callback(
            db,
            hotline=tickets.hotline_of(request),
            actor=account,
            ticket_id=ticket_id,
            resolved=bool(answers["resolved"]),
            satisfied=bool(answers["satisfied"]),
            comment=comment,
        )
    except Conflict as exc:
        return await _ticket_page(
            request, db, account, ticket_id, form_error=exc.message_key, status_code=409
        )
    return RedirectResponse(f"/complaints/{ticket_id}#callback-done", status_code=303)
