"""The staff workbench: my department's inbox, soonest due first, and one case on one screen
(its answers, the service's materials, the history) with the decision form and the 流转 forms
(转办, 委派 and its giving back, 加签, 撤回)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from yiwang.api.deps import DbDep, reads_for, request_lang, write_for
from yiwang.applications import casework
from yiwang.applications import service as applications
from yiwang.catalog import forms
from yiwang.catalog.loader import Catalog
from yiwang.errors import Conflict, Invalid, NotFound
from yiwang.identity import repository as identity_repo
from yiwang.identity import service as identity
from yiwang.identity.service import Account
from yiwang.kit.i18n import Lang, t
from yiwang.web import formpage, progress, provenance
from yiwang.web.cases import subject_name, subject_of
from yiwang.web.pages import CsrfField, WebAccount, WebAccountBeside, check_csrf
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
PASSED = ("transferred", "delegated", "signer_added", "given_back", "taken_back")


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
    notice = await _notice(db, read_flash(request), request_lang(request), department_code)
    department = catalog.departments.get(department_code) if catalog else None
    context = {"rows": rows, "notice": notice, "department": department}
    response = render(request, "work/inbox.html", context, account=account)
    if notice:
        response.delete_cookie(FLASH_COOKIE)  # shown once
    return response


async def _notice(db: DbDep, flash: list[str], lang: Lang, department_code: str) -> str | None:
    """The one-time notice a decision or a 流转 left for the inbox (a colleague named by id)."""
    if len(flash) == 3 and flash[0] == "decided" and flash[1] in DECISIONS:
        return t(f"work.decided.{flash[1]}", lang, no=flash[2])
    if len(flash) == 4 and flash[0] == "passed" and flash[1] in PASSED:
        whom = await identity.get_account(db, flash[3]) if flash[3] else None
        name = whom.name if whom and whom.department_code == department_code else ""
        return t(f"work.pass_on.done.{flash[1]}", lang, no=flash[2], name=name)
    return None


async def _colleagues(db: DbDep, account: Account, task: Any, history: list[Any]) -> list[Any]:
    """Who a task can go to (转办, 委派, 加签): the department's other active officers holding
    its role, less those already signing its step."""
    signing = {
        h.assignee_id
        for h in history
        if h.branch_id == task.branch_id and h.step_code == task.step_code and h.status == "open"
    }
    found = await identity_repo.colleagues(db, department_code=task.department_code, role=task.role)
    return [c for c in found if c.id != account.id and c.id not in signing]


def _can_take_back(account: Account, task: Any, step: Any, history: list[Any]) -> bool:
    """撤回 is offered on my approval while the next step's officers have not acted yet."""
    if task.decided_by != account.id or task.decision != "approve" or not step.next:
        return False
    following = [
        h.status for h in history if h.branch_id == task.branch_id and h.step_code == step.next
    ]
    return "open" in following and "done" not in following


async def _pass_on_context(
    db: DbDep, account: Account, case: dict[str, Any], step: Any, typed: dict[str, Any] | None
) -> dict[str, Any]:
    """What the 流转 section offers: 交还 on a task delegated to me, else colleagues to 转办,
    委派 or 加签 to; 撤回 on my approval; and what the officer typed, with any errors."""
    task, history = case["task"], case["history"]
    is_open = task.status == "open"
    delegated = is_open and task.delegated_by is not None and task.assignee_id == account.id
    delegator = await identity.get_account(db, task.delegated_by) if delegated else None
    return {
        "to": "",
        "comment": "",
        "errors": {},
        "error": None,
        **(typed or {}),
        "delegated": delegated,
        "delegator": delegator.name if delegator else "",
        "colleagues": await _colleagues(db, account, task, history)
        if is_open and not delegated
        else [],
        "can_take_back": _can_take_back(account, task, step, history),
    }


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
    pass_on: dict[str, Any] | None = None,
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
    step = service.workflow.by_code[task.step_code]
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
        # Ticked again after a refusal: only fields this form can ask to correct.
        "chosen": set(corrections or []) & set(merged_names.values()),
        "pass_on": await _pass_on_context(db, account, case, step, pass_on),
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
    account: WebAccountBeside,
    csrf: CsrfField,
    decision: Annotated[str, Form(max_length=16)] = "",
    comment: Annotated[str, Form(max_length=2000)] = "",
    corrections: Annotated[list[str] | None, Form(max_length=50)] = None,
) -> Response:
    """Approve, reject (with a reason) or return (with a comment and the fields to correct).

    The decision is one ``write_unit``, as the API's decision route has it: on SQLite it takes
    its turn on the writer thread that stores submissions, instead of waiting for the write
    lock while a surge's groups hold it, and what fails is rolled back whole. It reads the
    application only to check a return's fields (the officer's look was logged when the page
    was shown). The page shown again after a refusal is read in a transaction of its own."""
    check_csrf(request, csrf)
    if account is None:
        return to_login(f"/work/tasks/{task_id}")
    officer = account

    async def page(status_code: int, **problem: Any) -> Response:
        # Read as the page's GET reads it: no write lock held while it is read and drawn.
        async with reads_for(request) as db:
            return await _task_page(
                request, db, officer, task_id, status_code=status_code, **problem
            )

    again = {"comment": comment, "corrections": corrections or []}
    if decision not in DECISIONS:
        return await page(422, form_error="choose_decision", **again)

    async def decide_in(db: Any) -> str:
        chosen = None
        if decision == "return":  # the fields to correct must be fields of this application
            case = await applications.view_for_staff(db, actor=officer, task_id=task_id)
            view = case["view"]
            merged = subject_of(case["catalog"], view).merged
            known = set(view["form"]) | {f.name for f in merged.fields}
            chosen = [c for c in corrections or [] if c in known]
        done = await applications.decide(
            db,
            actor=officer,
            task_id=task_id,
            decision=decision,
            comment=comment,
            corrections=chosen,
            calendar=calendar_of(request),
        )
        return str(done["tracking_no"])

    try:
        tracking_no = await write_for(request, decide_in)
    except Invalid as exc:
        errors = formpage.field_errors(exc.details, request_lang(request))
        return await page(422, errors=errors, **again)
    except Conflict as exc:
        return await page(409, form_error=exc.message_key)
    response = RedirectResponse("/work", status_code=303)
    set_flash(request, response, "decided", decision, tracking_no)
    return response


async def _pass_on(
    request: Request,
    csrf: str,
    account: Account | None,
    task_id: str,
    operation: Callable[[Any, Account], Awaitable[dict[str, Any]]],
    *,
    to: str | None = None,
    comment: str = "",
) -> Response:
    """Run one 流转 operation on a task of mine (``to``: the colleague it needs, if any) in one
    ``write_unit``, as a decision is made; the inbox then says what was done, or the task page
    (read in a transaction of its own) says why not, keeping what was typed."""
    check_csrf(request, csrf)
    if account is None:
        return to_login(f"/work/tasks/{task_id}")
    actor, lang = account, request_lang(request)

    async def again(status_code: int, **problem: Any) -> Response:
        typed = {"to": to or "", "comment": comment, **problem}
        async with reads_for(request) as db:
            return await _task_page(
                request, db, actor, task_id, pass_on=typed, status_code=status_code
            )

    if to == "":
        return await again(422, errors={"to": t("work.pass_on.choose", lang)})

    async def pass_on(db: Any) -> tuple[str, str, str]:
        case = await applications.view_for_staff(db, actor=actor, task_id=task_id)
        done = await operation(db, actor)
        # Whom the inbox's notice names: the colleague chosen, or the delegator given back to.
        colleague = await identity_repo.account_by_login(db, to) if to else None
        whom = colleague.id if colleague else case["task"].delegated_by or ""
        return done["operation"], case["view"]["tracking_no"], whom

    try:
        passed, tracking_no, whom = await write_for(request, pass_on)
    except Invalid as exc:
        return await again(422, errors=formpage.field_errors(exc.details, lang))
    except Conflict as exc:
        return await again(409, error=exc.message_key)
    response = RedirectResponse("/work", status_code=303)
    set_flash(request, response, "passed", passed, tracking_no, whom)
    return response


@router.post("/work/tasks/{task_id}/hand-over")
async def hand_over(
    request: Request,
    task_id: str,
    account: WebAccountBeside,
    csrf: CsrfField,
    mode: Annotated[Literal["transfer", "delegate"], Form()],
    to: Annotated[str, Form(max_length=64)] = "",
    comment: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """转办 (for good) or 委派 (to be given back) to a colleague of my department."""
    return await _pass_on(
        request,
        csrf,
        account,
        task_id,
        lambda db, actor: casework.hand_over(
            db, actor=actor, task_id=task_id, to=to, comment=comment, delegate=mode == "delegate"
        ),
        to=to,
        comment=comment,
    )


@router.post("/work/tasks/{task_id}/add-signer")
async def add_signer(
    request: Request,
    task_id: str,
    account: WebAccountBeside,
    csrf: CsrfField,
    to: Annotated[str, Form(max_length=64)] = "",
    comment: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """加签: a colleague must approve this step too."""
    return await _pass_on(
        request,
        csrf,
        account,
        task_id,
        lambda db, actor: casework.add_signer(
            db, actor=actor, task_id=task_id, to=to, comment=comment
        ),
        to=to,
        comment=comment,
    )


@router.post("/work/tasks/{task_id}/give-back")
async def give_back(
    request: Request,
    task_id: str,
    account: WebAccountBeside,
    csrf: CsrfField,
    comment: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """委派, returned: give a task delegated to me back, with what I found."""
    return await _pass_on(
        request,
        csrf,
        account,
        task_id,
        lambda db, actor: casework.give_back(db, actor=actor, task_id=task_id, comment=comment),
        comment=comment,
    )


@router.post("/work/tasks/{task_id}/take-back")
async def take_back(
    request: Request, task_id: str, account: WebAccountBeside, csrf: CsrfField
) -> Response:
    """撤回: take back my approval before the next officer acts on it."""
    return await _pass_on(
        request,
        csrf,
        account,
        task_id,
        lambda db, actor: casework.take_back(db, actor=actor, task_id=task_id),
    )
