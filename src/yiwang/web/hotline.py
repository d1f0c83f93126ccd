"""12345 on the staff workbench: the dispatch centre's queue (派单, with the model's suggestions
chosen already, emergencies first, and the departments' requests to hand a ticket back), and a
department's tickets — emergencies and the soonest due first — each on one screen with 签收,
答复 and 申请退回."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from yiwang.api.deps import DbDep, reads_for, request_lang, write_for
from yiwang.complaints import service as complaints
from yiwang.database import Db
from yiwang.errors import Conflict, Invalid, NotFound
from yiwang.identity.service import Account
from yiwang.kit.i18n import Lang, t
from yiwang.web import tickets
from yiwang.web.pages import CsrfField, WebAccount, WebAccountBeside, check_csrf
from yiwang.web.render import FLASH_COOKIE, render
from yiwang.web.ui import calendar_of, current_catalog, read_flash, set_flash, to_login

router = APIRouter(include_in_schema=False)

REPLY_MAX = 4000
REASON_MAX = 500
NOTICES = frozenset({"signed", "replied", "transfer_requested", "dispatched", "kept"})


def _require_staff(account: Account) -> None:
    if account.kind != "staff" or not account.department_code:
        raise NotFound()


def is_dispatcher(account: Account | None) -> bool:
    """The dispatch centre's 派单员."""
    return (
        account is not None
        and account.kind == "staff"
        and account.department_code == complaints.CENTRE
        and complaints.DISPATCHER_ROLE in account.roles
    )


def is_handler(account: Account | None) -> bool:
    """A department's 12345 工单承办人."""
    return (
        account is not None and account.kind == "staff" and complaints.HANDLER_ROLE in account.roles
    )


def _notice(request: Request, lang: Lang) -> str | None:
    """The one-time notice the last action left: what was done to which ticket."""
    flash = read_flash(request)
    if len(flash) == 3 and flash[0] == "hotline" and flash[1] in NOTICES:
        return t(f"hotline.notice.{flash[1]}", lang, no=flash[2])
    return None


def _shown(request: Request, template: str, context: dict[str, Any], **options: Any) -> Response:
    response = render(request, template, context, **options)
    if context.get("notice"):
        response.delete_cookie(FLASH_COOKIE)  # shown once
    return response


async def _words(db: Db, request: Request) -> tuple[Lang, complaints.Hotline, dict[str, str]]:
    lang = request_lang(request)
    return (
        lang,
        tickets.hotline_of(request),
        tickets.department_names(await current_catalog(db), lang),
    )


# --- the dispatch centre ---------------------------------------------------------------------


def _suggestions(
    ticket: Mapping[str, Any],
    hotline: complaints.Hotline,
    lang: Lang,
    departments: Mapping[str, str],
) -> list[dict[str, Any]]:
    out = []
    for suggestion in ticket.get("suggestions") or []:
        found = hotline.definitions.categories.get(suggestion["category"])
        if found is None:
            continue
        out.append(
            {
                "category": found.code,
                "name": tickets.category_name(hotline, found.code, lang),
                "department": departments.get(found.department, found.department),
                "percent": round(float(suggestion["confidence"]) * 100),
            }
        )
    return out


async def _queue_page(
    request: Request,
    db: Db,
    account: Account,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    lang, hotline, departments = await _words(db, request)
    rows = await complaints.queue(db, hotline=hotline, actor=account)
    now, calendar = tickets.now(), calendar_of(request)
    items = []
    for row in rows:
        # The queue lists tickets; their full text and the model's suggestions are on each one.
        full = row
        if "suggestions" not in row or "text" not in row:
            full = await complaints.view(db, hotline=hotline, ticket_id=row["id"], actor=account)
        suggestions = _suggestions(full, hotline, lang, departments)
        transfer = row.get("transfer_requested") if row["status"] != "dispatching" else None
        chosen = row.get("category") if transfer else None
        if chosen is None and suggestions:
            chosen = suggestions[0]["category"]
        items.append(
            {
                **tickets.described(
                    full,
                    hotline=hotline,
                    departments=departments,
                    lang=lang,
                    now=now,
                    calendar=calendar,
                ),
                "suggestions": suggestions,
                "transfer": transfer,
                "chosen": chosen,
            }
        )
    context = {
        "items": items,
        "groups": tickets.category_groups(hotline, lang, departments),
        "errors": errors or {},
        "notice": _notice(request, lang),
    }
    return _shown(
        request, "work/hotline_queue.html", context, status_code=status_code, account=account
    )


@router.get("/work/hotline/queue")
async def queue_page(request: Request, db: DbDep, account: WebAccount) -> Response:
    """派单: the tickets the model was not sure of, and the requests to hand one back."""
    if account is None:
        return to_login("/work/hotline/queue")
    _require_staff(account)
    return await _queue_page(request, db, account)


@router.post("/work/hotline/queue/{ticket_id}")
async def dispatch(
    request: Request,
    ticket_id: str,
    account: WebAccountBeside,
    csrf: CsrfField,
    category: Annotated[str, Form(max_length=64)] = "",
    keep: Annotated[str, Form(max_length=4)] = "",
) -> Response:
    """Send a ticket to the category chosen (and so its department); or, asked to hand one
    back, keep it where it is."""
    check_csrf(request, csrf)
    if account is None:
        return to_login("/work/hotline/queue")
    _require_staff(account)
    staff, hotline, lang = account, tickets.hotline_of(request), request_lang(request)

    async def dispatch_in(db: Db) -> tuple[str, bool] | None:
        current = await complaints.view(db, hotline=hotline, ticket_id=ticket_id, actor=staff)
        chosen = current["category"] if keep and current.get("category") else category
        if not chosen:
            return None
        routed = await complaints.dispatch(
            db, hotline=hotline, actor=staff, ticket_id=ticket_id, category=chosen
        )
        kept = current["status"] != "dispatching" and chosen == current.get("category")
        return routed["ticket_no"], kept

    try:
        done = await write_for(request, dispatch_in)
    except (Invalid, Conflict) as exc:
        errors = {ticket_id: exc.message(lang)}
        async with reads_for(request) as db:
            return await _queue_page(request, db, staff, errors=errors, status_code=exc.status)
    if done is None:
        errors = {ticket_id: t("hotline.dispatch.choose", lang)}
        async with reads_for(request) as db:
            return await _queue_page(request, db, staff, errors=errors, status_code=422)
    ticket_no, kept = done
    response = RedirectResponse("/work/hotline/queue", status_code=303)
    set_flash(request, response, "hotline", "kept" if kept else "dispatched", ticket_no)
    return response


# --- a department's tickets ------------------------------------------------------------------


@router.get("/work/hotline")
async def inbox(request: Request, db: DbDep, account: WebAccount) -> Response:
    """12345 工单: my department's tickets, emergencies and the soonest due first."""
    if account is None:
        return to_login("/work/hotline")
    _require_staff(account)
    if not is_handler(account) and is_dispatcher(account):
        return RedirectResponse("/work/hotline/queue", status_code=303)
    lang, hotline, departments = await _words(db, request)
    now, calendar = tickets.now(), calendar_of(request)
    rows = [
        tickets.described(
            row, hotline=hotline, departments=departments, lang=lang, now=now, calendar=calendar
        )
        for row in await complaints.inbox(db, hotline=hotline, actor=account)
    ]
    context = {
        "open": [r for r in rows if r["status"] in tickets.OPEN_FOR_HANDLER],
        "replied": [r for r in rows if r["status"] not in tickets.OPEN_FOR_HANDLER],
        "department": departments.get(account.department_code or ""),
        "notice": _notice(request, lang),
    }
    return _shown(request, "work/hotline_inbox.html", context, account=account)


async def _ticket_page(
    request: Request,
    db: Db,
    account: Account,
    ticket_id: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    form_error: str | None = None,
    status_code: int = 200,
) -> Response:
    lang, hotline, departments = await _words(db, request)
    ticket = await complaints.view(db, hotline=hotline, ticket_id=ticket_id, actor=account)
    ours = is_handler(account) and ticket.get("department") == account.department_code
    status = ticket["status"]
    context = {
        "ticket": tickets.described(
            ticket,
            hotline=hotline,
            departments=departments,
            lang=lang,
            now=tickets.now(),
            calendar=calendar_of(request),
        ),
        "steps": tickets.steps(status),
        "timeline": tickets.timeline(
            ticket, hotline=hotline, departments=departments, lang=lang, staff=True
        ),
        "may_sign": ours and status == "assigned",
        "may_reply": ours and status in tickets.OPEN_FOR_HANDLER,
        "may_transfer": ours
        and status in tickets.OPEN_FOR_HANDLER
        and not ticket.get("transfer_requested"),
        "may_dispatch": is_dispatcher(account)
        and status in ("dispatching", "assigned", "in_progress"),
        "suggestions": _suggestions(ticket, hotline, lang, departments),
        "groups": tickets.category_groups(hotline, lang, departments),
        "errors": errors or {},
        "values": values or {},
        "form_error": form_error,
        "notice": _notice(request, lang),
        "reply_max": REPLY_MAX,
        "reason_max": REASON_MAX,
        "back": "/work/hotline/queue" if is_dispatcher(account) else "/work/hotline",
    }
    return _shown(
        request, "work/hotline_ticket.html", context, status_code=status_code, account=account
    )


async def _ticket_page_again(
    request: Request, account: Account, ticket_id: str, **problem: Any
) -> Response:
    """The ticket page shown again after a desk's action was refused, read as its GET reads
    it (the action wrote in a ``write_unit`` of its own, and wrote nothing)."""
    async with reads_for(request) as db:
        return await _ticket_page(request, db, account, ticket_id, **problem)


@router.get("/work/hotline/{ticket_id}")
async def ticket_page(request: Request, ticket_id: str, db: DbDep, account: WebAccount) -> Response:
    """One ticket on one screen: the text, where, the timeline, and what to do next
    (administrators may read it)."""
    if account is None:
        return to_login(request.url.path)
    if account.kind != "admin":
        _require_staff(account)
    return await _ticket_page(request, db, account, ticket_id)


@router.post("/work/hotline/{ticket_id}/sign")
async def sign(
    request: Request, ticket_id: str, account: WebAccountBeside, csrf: CsrfField
) -> Response:
    """签收: we take it on; the ticket page stays open for the answer."""
    check_csrf(request, csrf)
    if account is None:
        return to_login(f"/work/hotline/{ticket_id}")
    _require_staff(account)
    staff, hotline = account, tickets.hotline_of(request)
    try:
        ticket = await write_for(
            request,
            lambda db: complaints.sign(db, hotline=hotline, actor=staff, ticket_id=ticket_id),
        )
    except Conflict as exc:
        return await _ticket_page_again(
            request, staff, ticket_id, form_error=exc.message_key, status_code=409
        )
    response = RedirectResponse(f"/work/hotline/{ticket_id}", status_code=303)
    set_flash(request, response, "hotline", "signed", ticket["ticket_no"])
    return response


@router.post("/work/hotline/{ticket_id}/reply")
async def reply(
    request: Request,
    ticket_id: str,
    account: WebAccountBeside,
    csrf: CsrfField,
    reply: Annotated[str, Form(max_length=REPLY_MAX * 2)] = "",
) -> Response:
    """答复: what was done; the reporter (and those who reported the same) are told."""
    check_csrf(request, csrf)
    if account is None:
        return to_login(f"/work/hotline/{ticket_id}")
    _require_staff(account)
    staff, hotline, lang = account, tickets.hotline_of(request), request_lang(request)
    values = {"reply": reply}

    if len(reply.strip()) > REPLY_MAX:
        errors = {"reply": t("hotline.text_too_long", lang, max=REPLY_MAX)}
        return await _ticket_page_again(
            request, staff, ticket_id, errors=errors, values=values, status_code=422
        )
    try:
        ticket = await write_for(
            request,
            lambda db: complaints.reply(
                db, hotline=hotline, actor=staff, ticket_id=ticket_id, text=reply
            ),
        )
    except Invalid as exc:
        errors = {"reply": t(exc.message_key, lang)}
        return await _ticket_page_again(
            request, staff, ticket_id, errors=errors, values=values, status_code=422
        )
    except Conflict as exc:
        return await _ticket_page_again(
            request, staff, ticket_id, form_error=exc.message_key, status_code=409
        )
    response = RedirectResponse("/work/hotline", status_code=303)
    set_flash(request, response, "hotline", "replied", ticket["ticket_no"])
    return response


@router.post("/work/hotline/{ticket_id}/transfer")
async def request_transfer(
    request: Request,
    ticket_id: str,
    account: WebAccountBeside,
    csrf: CsrfField,
    reason: Annotated[str, Form(max_length=REASON_MAX * 2)] = "",
) -> Response:
    """申请退回: not ours, and why; it stays ours (首接负责) until the dispatch centre moves it."""
    check_csrf(request, csrf)
    if account is None:
        return to_login(f"/work/hotline/{ticket_id}")
    _require_staff(account)
    staff, hotline, lang = account, tickets.hotline_of(request), request_lang(request)
    values = {"reason": reason}

    if len(reason.strip()) > REASON_MAX:
        errors = {"reason": t("hotline.text_too_long", lang, max=REASON_MAX)}
        return await _ticket_page_again(
            request, staff, ticket_id, errors=errors, values=values, status_code=422
        )
    try:
        ticket = await write_for(
            request,
            lambda db: complaints.request_transfer(
                db, hotline=hotline, actor=staff, ticket_id=ticket_id, reason=reason
            ),
        )
    except Invalid:
        errors = {"reason": t("hotline.transfer.reason_required", lang)}
        return await _ticket_page_again(
            request, staff, ticket_id, errors=errors, values=values, status_code=422
        )
    except Conflict as exc:
        return await _ticket_page_again(
            request, staff, ticket_id, form_error=exc.message_key, status_code=409
        )
    response = RedirectResponse(f"/work/hotline/{ticket_id}", status_code=303)
    set_flash(request, response, "hotline", "transfer_requested", ticket["ticket_no"])
    return response
