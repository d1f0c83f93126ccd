"""The staff workbench: my department's inbox, soonest due first, and one case on one screen
(its answers, the service's materials, the history) with the decision form."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from yiwang.api.deps import DbDep, request_lang
from yiwang.applications import service as applications
from yiwang.catalog import forms
from yiwang.catalog.loader import Catalog
from yiwang.errors import Conflict, Invalid, NotFound
from yiwang.identity.service import Account
from yiwang.kit.i18n import t
from yiwang.web import formpage, progress, provenance
from yiwang.web.cases import subject_name, subject_of
from yiwang.web.pages import CsrfField, WebAccount, check_csrf
from yiwang.web.render import FLASH_COOKIE, render
from yiwang.web.ui import (
    calendar_of,
    current_catalog,
    due,
    read_flash,
    set_flash,
    to_login,
    tracking_nos,
)
from yiwang.workflow import service as workflow

router = APIRouter(include_in_schema=False)

DECISIONS = ("approve", "return", "reject")
ACCESS_KEYS = {"approve": "a", "return": "b", "reject": "r"}


def _require_staff(account: Account) -> str:
    """The staff member's department; anyone else finds nothing here."""
    if account.kind != "staff" or not account.department_code:
        raise NotFound()
    return account.department_code


def _step_name(catalog: Catalog | None, service_code: str, step_code: str) -> Any:
    service = catalog.services.get(service_code) if catalog else None
    for step in service.workflow.steps if service else []:
        if step.code == step_code:
            return step.name
    return step_code


@router.get("/work")
async def inbox(request: Request, db: DbDep, account: WebAccount) -> Response:
    """办件箱: my department's open tasks for my roles, soonest due first, with countdowns."""
    if account is None:
        return to_login("/work")
    department_code = _require_staff(account)
    tasks = await workflow.inbox(
        db, department_code=department_code, roles=account.roles, officer_id=account.id
    )
    catalog = await current_catalog(db)
    numbers = await tracking_nos(db, {task.application_id for task in tasks})
    today, calendar = applications.china_today(), calendar_of(request)
    rows = [
        {
            "id": task.id,
            "tracking_no": numbers.get(task.application_id, ""),
            "service": subject_name(catalog, "service", task.service_code),
            "service_code": task.service_code,
            "step": _step_name(catalog, task.service_code, task.step_code),
            "due": due(task.due_date, today=today, calendar=calendar),
            "suspended": getattr(task, "branch_status", None) == "suspended",
            "received": task.created_at,
        }
        for task in tasks
    ]
    flash = read_flash(request)
    notice = None
    if len(flash) == 3 and flash[0] == "decided" and flash[1] in DECISIONS:
        notice = t(f"work.decided.{flash[1]}", request_lang(request), no=flash[2])
    department = catalog.departments.get(department_code) if catalog else None
    context = {"rows": rows, "notice": notice, "department": department}
    response = render(request, "work/inbox.html", context, account=account)
    if notice:
        response.delete_cookie(FLASH_COOKIE)  # shown once
    return response


async def _task_page(
    request: Request,
    db: DbDep,
    account: Account,
    task_id: str,
    *,
    errors: dict[str, str] | None = None,
    form_error: str | None = None,
    comment: str = "",
    corrections: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    lang = request_lang(request)
    case = await applications.view_for_staff(db, actor=account, task_id=task_id)
    task, view, catalog = case["task"], case["view"], case["catalog"]
    subject = subject_of(catalog, view)
    service = catalog.services[task.service_code]
    # Only what this department's own form asks for (a bundle's other answers are not theirs).
    own_schema = forms.json_schema(service.form.fields, catalog.elements)
    merged_names = {
        f.name: subject.merged.sources[(service.code, f.name)] for f in service.form.fields
    }
    answers = {f: view["form"].get(m) for f, m in merged_names.items()}
    labels = {
        name: formpage.label(prop, lang)
        for name, prop in formpage.schema_for(catalog, subject.services)["properties"].items()
    }
    step = next(s for s in service.workflow.steps if s.code == task.step_code)
    origins = provenance.recorded(catalog, view.get("provenance") or {}, lang, staff=True)
    today, calendar = applications.china_today(), calendar_of(request)
    context = {
        "task": task,
        "view": view,
        "name": subject_name(catalog, view["kind"], view["code"]),
        "service": service,
        "met": {m["code"]: m for m in view.get("materials", []) if m["service"] == service.code},
        "department": catalog.departments[service.department],
        "step": step,
        "due": due(task.due_date, today=today, calendar=calendar)
        if task.status == "open"
        else None,
        "answers": [
            {**row, "origin": origins.get(merged_names[row["name"]])}
            for row in formpage.rows(own_schema, answers, lang)
        ],
        "correctable": [
            (merged_names[f.name], formpage.label(own_schema["properties"][f.name], lang))
            for f in service.form.fields
        ],
        "history": [
            {
                "service": subject_name(catalog, "service", h.service_code),
                "step": _step_name(catalog, h.service_code, h.step_code),
                "status": h.status,
                "decision": h.decision,
                "comment": h.comment,
                "at": h.decided_at or h.created_at,
                "mine": h.department_code == account.department_code,
            }
            for h in case["history"]
        ],
        "cards": progress.branches(view, catalog, lang=lang, today=today, calendar=calendar),
        "timeline": progress.timeline(view, catalog, labels, lang=lang),
        "actions": [d for d in DECISIONS if d in step.actions],
        "access_keys": ACCESS_KEYS,
        "errors": errors or {},
        "form_error": form_error,
        "comment": comment,
        "chosen": set(corrections or []),
    }
    return render(request, "work/task.html", context, status_code=status_code, account=account)


@router.get("/work/tasks/{task_id}")
async def task_page(request: Request, task_id: str, db: DbDep, account: WebAccount) -> Response:
    """One case on one screen, with the decision form."""
    if account is None:
        return to_login(request.url.path)
    return await _task_page(request, db, account, task_id)


@router.post("/work/tasks/{task_id}")
async def decide(
    request: Request,
    task_id: str,
    db: DbDep,
    account: WebAccount,
    csrf: CsrfField,
    decision: Annotated[str, Form(max_length=16)] = "",
    comment: Annotated[str, Form(max_length=2000)] = "",
    corrections: Annotated[list[str] | None, Form(max_length=50)] = None,
) -> Response:
    """Approve, reject (with a reason) or return (with a comment and the fields to correct)."""
    check_csrf(request, csrf)
    if account is None:
        return to_login(f"/work/tasks/{task_id}")
    case = await applications.view_for_staff(db, actor=account, task_id=task_id)
    view = case["view"]
    known = set(view["form"]) | {f.name for f in subject_of(case["catalog"], view).merged.fields}
    chosen = [c for c in corrections or [] if c in known]
    again = {"comment": comment, "corrections": chosen}
    if decision not in DECISIONS:
        return await _task_page(
            request, db, account, task_id, form_error="choose_decision", status_code=422, **again
        )
    try:
        await applications.decide(
            db,
            actor=account,
            task_id=task_id,
            decision=decision,
            comment=comment,
            corrections=chosen if decision == "return" else None,
            calendar=calendar_of(request),
        )
    except Invalid as exc:
        errors = formpage.field_errors(exc.details, request_lang(request))
        return await _task_page(
            request, db, account, task_id, errors=errors, status_code=422, **again
        )
    except Conflict as exc:
        return await _task_page(
            request, db, account, task_id, form_error=exc.message_key, status_code=409
        )
    response = RedirectResponse("/work", status_code=303)
    set_flash(request, response, "decided", decision, view["tracking_no"])
    return response
