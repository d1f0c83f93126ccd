"""差评整改 on the workbench: my department's cases from bad ratings, the soonest due first — each
with the rating and its comment, 回访 (what the rater said), 整改 (what was put right, which the
rater sees) and, for supervisors, 申诉 (the rating is malicious); administrators decide appeals."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from yiwang.api.deps import DbDep, request_lang
from yiwang.database import Db
from yiwang.errors import Conflict, Invalid, NotFound
from yiwang.identity.service import Account
from yiwang.kit.i18n import Lang, t
from yiwang.ratings import service as ratings
from yiwang.web import rating
from yiwang.web.pages import CsrfField, WebAccount, check_csrf
from yiwang.web.render import FLASH_COOKIE, render
from yiwang.web.ui import current_catalog, pick, read_flash, set_flash, to_login, tracking_nos

router = APIRouter(include_in_schema=False)

TEXT_MAX = 2000
ACTIONS = ("callback", "rectify", "appeal", "decision")
FIELD_OF = {"callback": "note", "rectify": "outcome", "appeal": "reason", "decision": "reason"}
PAGE = "/work/rectifications"


def may_handle(account: Account | None) -> bool:
    """Department supervisors and approvers handle their department's cases."""
    return (
        account is not None
        and account.kind == "staff"
        and bool(set(ratings.HANDLER_ROLES) & set(account.roles))
    )


async def _shown_cases(
    db: Db, request: Request, cases: list[dict[str, Any]], lang: Lang
) -> list[dict[str, Any]]:
    """Each case with its application's tracking number, the rating it came from and the
    department's name."""
    catalog = await current_catalog(db)
    departments = (
        {code: pick(lang, d.name) for code, d in catalog.departments.items()} if catalog else {}
    )
    numbers = await tracking_nos(db, {c["application_id"] for c in cases})
    given: dict[str, dict[str, Any]] = {}
    for application_id in {c["application_id"] for c in cases}:
        rows = await ratings.of_application(
            db, definitions=rating.definitions_of(request), application_id=application_id
        )
        for row in rating.given(rows, departments, lang):
            given[row["id"]] = row
    return [
        {
            **rating.case_shown(case, departments),
            "tracking_no": numbers.get(case["application_id"], ""),
            "rating": given.get(case["rating_id"]),
            "appeal_pending": case["appeal_reason"] is not None and case["appeal_decision"] is None,
        }
        for case in cases
    ]


async def _page(
    request: Request,
    db: Db,
    account: Account,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    values: dict[str, dict[str, str]] | None = None,
    form_error: str | None = None,
    status_code: int = 200,
) -> Response:
    lang = request_lang(request)
    cases: list[dict[str, Any]] = []
    appeals: list[dict[str, Any]] = []
    if account.kind == "admin":
        appeals = await _shown_cases(
            db, request, await ratings.pending_appeals(db, actor=account), lang
        )
    elif may_handle(account):
        cases = await _shown_cases(
            db, request, await ratings.department_cases(db, actor=account), lang
        )
    else:
        raise NotFound()
    flash = read_flash(request)
    notice = None
    if len(flash) == 2 and flash[0] == "rectification" and flash[1] in ACTIONS:
        notice = t(f"rectify.notice.{flash[1]}", lang)
    context = {
        "cases": cases,
        "open_cases": [c for c in cases if c["status"] in ("open", "called_back")],
        "closed_cases": [c for c in cases if c["status"] not in ("open", "called_back")],
        "appeals": appeals,
        "admin": account.kind == "admin",
        "supervisor": "supervisor" in account.roles,
        "errors": errors or {},
        "values": values or {},
        "form_error": form_error,
        "notice": notice,
        "text_max": TEXT_MAX,
    }
    response = render(
        request, "work/rectifications.html", context, status_code=status_code, account=account
    )
    if notice:
        response.delete_cookie(FLASH_COOKIE)  # shown once
    return response


@router.get(PAGE)
async def rectifications_page(request: Request, db: DbDep, account: WebAccount) -> Response:
    """差评整改: my department's cases; for administrators, the appeals to decide."""
    if account is None:
        return to_login(PAGE)
    return await _page(request, db, account)


async def _act(
    request: Request,
    db: Db,
    account: Account,
    case_id: str,
    action: str,
    text: str,
    **extra: Any,
) -> Response:
    lang = request_lang(request)
    field = FIELD_OF[action]
    values = {case_id: {field: text}}
    if len(text.strip()) > TEXT_MAX:
        errors = {case_id: {field: t("hotline.text_too_long", lang, max=TEXT_MAX)}}
        return await _page(request, db, account, errors=errors, values=values, status_code=422)
    try:
        if action == "callback":
            await ratings.call_back(db, actor=account, case_id=case_id, note=text)
        elif action == "rectify":
            await ratings.rectify(db, actor=account, case_id=case_id, outcome=text)
        elif action == "appeal":
            await ratings.appeal(db, actor=account, case_id=case_id, reason=text)
        else:
            await ratings.decide_appeal(
                db, actor=account, case_id=case_id, set_aside=extra["set_aside"], reason=text
            )
    except Invalid as exc:
        errors = {case_id: {field: t(exc.message_key, lang)}}
        return await _page(request, db, account, errors=errors, values=values, status_code=422)
    except Conflict as exc:
        return await _page(request, db, account, form_error=exc.message_key, status_code=exc.status)
    response = RedirectResponse(PAGE, status_code=303)
    set_flash(request, response, "rectification", action)
    return response


@router.post(PAGE + "/{case_id}/callback")
async def call_back(
    request: Request,
    case_id: str,
    db: DbDep,
    account: WebAccount,
    csrf: CsrfField,
    note: Annotated[str, Form(max_length=TEXT_MAX * 2)] = "",
) -> Response:
    """回访: we called the rater; what they said."""
    check_csrf(request, csrf)
    if account is None:
        return to_login(PAGE)
    return await _act(request, db, account, case_id, "callback", note)


@router.post(PAGE + "/{case_id}/rectify")
async def rectify(
    request: Request,
    case_id: str,
    db: DbDep,
    account: WebAccount,
    csrf: CsrfField,
    outcome: Annotated[str, Form(max_length=TEXT_MAX * 2)] = "",
) -> Response:
    """整改: what was put right; the rater sees it on the application's page."""
    check_csrf(request, csrf)
    if account is None:
        return to_login(PAGE)
    return await _act(request, db, account, case_id, "rectify", outcome)


@router.post(PAGE + "/{case_id}/appeal")
async def appeal(
    request: Request,
    case_id: str,
    db: DbDep,
    account: WebAccount,
    csrf: CsrfField,
    reason: Annotated[str, Form(max_length=TEXT_MAX * 2)] = "",
) -> Response:
    """申诉: the rating is malicious, and why (supervisors); an administrator decides."""
    check_csrf(request, csrf)
    if account is None:
        return to_login(PAGE)
    return await _act(request, db, account, case_id, "appeal", reason)


@router.post(PAGE + "/{case_id}/decision")
async def decide(
    request: Request,
    case_id: str,
    db: DbDep,
    account: WebAccount,
    csrf: CsrfField,
    decision: Annotated[str, Form(max_length=16)] = "",
    reason: Annotated[str, Form(max_length=TEXT_MAX * 2)] = "",
) -> Response:
    """An administrator sets the rating aside or upholds it; the reason is kept."""
    check_csrf(request, csrf)
    if account is None:
        return to_login(PAGE)
    if decision not in ("set_aside", "uphold"):
        lang = request_lang(request)
        errors = {case_id: {"reason": t("rectify.decision_required", lang)}}
        values = {case_id: {"reason": reason}}
        return await _page(request, db, account, errors=errors, values=values, status_code=422)
    return await _act(
        request, db, account, case_id, "decision", reason, set_aside=decision == "set_aside"
    )
