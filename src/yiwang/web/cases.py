"""我的办件: my applications, one application's progress and timeline, 补正 and 撤销."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from yiwang.api.deps import DbDep, request_lang
from yiwang.applications import service as applications
from yiwang.catalog.loader import Catalog
from yiwang.errors import Conflict, Invalid
from yiwang.identity.service import Account
from yiwang.kit.i18n import t
from yiwang.ratings import service as ratings
from yiwang.web import formpage, licences, progress, provenance, rating
from yiwang.web.pages import CsrfField, WebAccount, check_csrf
from yiwang.web.render import FLASH_COOKIE, render
from yiwang.web.ui import (
    calendar_of,
    catalog_of_application,
    current_catalog,
    due,
    pick,
    read_flash,
    set_flash,
    to_login,
)

router = APIRouter(include_in_schema=False)

NOTICES = frozenset({"submitted", "supplemented", "withdrawn", "rated"})


def subject_of(catalog: Catalog, view: dict[str, Any]) -> applications.Subject:
    """The service or bundle an application is for, as it was defined when it was submitted."""
    return applications.subject_of(
        catalog,
        service=view["code"] if view["kind"] == "service" else None,
        bundle=view["code"] if view["kind"] == "bundle" else None,
    )


def subject_name(catalog: Catalog | None, kind: str, code: str) -> Any:
    """A service's or bundle's name, or its code when the catalogue no longer has it."""
    found = None
    if catalog is not None:
        found = (catalog.bundles if kind == "bundle" else catalog.services).get(code)
    return found.name if found else code


@router.get("/applications")
async def my_applications(request: Request, db: DbDep, account: WebAccount) -> Response:
    """我的办件: newest first, with status and deadline."""
    if account is None:
        return to_login("/applications")
    catalog = await current_catalog(db)
    today, calendar = applications.china_today(), calendar_of(request)
    items = [
        {
            **row,
            "name": subject_name(catalog, row["kind"], row["code"]),
            "due": due(row["due_date"], today=today, calendar=calendar),
            "open": row["status"] in progress.OPEN,
        }
        for row in await applications.list_mine(db, actor=account)
    ]
    return render(request, "applications/list.html", {"items": items}, account=account)


async def _page(
    request: Request,
    db: DbDep,
    account: Account,
    application_id: str,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    form_error: str | None = None,
    rating_errors: dict[str, str] | None = None,
    rating_values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    lang = request_lang(request)
    view = await applications.view(db, actor=account, application_id=application_id)
    catalog = await catalog_of_application(db, application_id)
    given = await ratings.of_application(
        db, definitions=rating.definitions_of(request), application_id=view["id"]
    )
    departments = {code: pick(lang, d.name) for code, d in catalog.departments.items()}
    subject = subject_of(catalog, view)
    schema = formpage.schema_for(catalog, subject.services)
    labels = {name: formpage.label(prop, lang) for name, prop in schema["properties"].items()}
    cards = progress.branches(
        view, catalog, lang=lang, today=applications.china_today(), calendar=calendar_of(request)
    )
    returns = progress.open_returns(view, labels, lang=lang) if view["status"] == "returned" else []
    to_correct = {f for r in returns for f in r["fields"]} or set(schema["properties"])
    flash = read_flash(request)
    notice = flash[0] if flash[1:] == [application_id] and flash[0] in NOTICES else None
    origins = provenance.recorded(catalog, view.get("provenance") or {}, lang)
    context = {
        "view": view,
        "name": subject_name(catalog, view["kind"], view["code"]),
        "cards": cards,
        "next_steps": progress.next_steps(cards, lang),
        "timeline": progress.timeline(view, catalog, labels, lang=lang),
        "answers": [
            {**row, "origin": origins.get(row["name"])}
            for row in formpage.rows(schema, view["form"], lang)
        ],
        "open": view["status"] in progress.OPEN,
        "returns": returns,
        "supplement": formpage.groups(
            schema,
            lang=lang,
            values={**view["form"], **(values or {})},
            errors=errors or {},
            only=to_correct,
        )
        if view["status"] == "returned"
        else [],
        "errors": errors or {},
        "form_error": form_error,
        "notice": notice,
        "labels": labels,
        "materials": licences.materials(catalog, view, lang),
        "licences": licences.issued(catalog, view, lang),
        "rating": rating.context(
            request,
            view,
            given,
            departments,
            lang,
            errors=rating_errors,
            values=rating_values,
        ),
    }
    response = render(
        request, "applications/view.html", context, status_code=status_code, account=account
    )
    if notice:
        response.delete_cookie(FLASH_COOKIE)  # shown once
    return response


@router.get("/applications/{application_id}")
async def application_page(
    request: Request, application_id: str, db: DbDep, account: WebAccount
) -> Response:
    """One application: status, each department's steps, the timeline; 补正 when returned."""
    if account is None:
        return to_login(request.url.path)
    return await _page(request, db, account, application_id)


@router.post("/applications/{application_id}/supplement")
async def supplement(
    request: Request, application_id: str, db: DbDep, account: WebAccount
) -> Response:
    """补正: the corrected fields; the departments go on where they stopped."""
    posted = await request.form()
    check_csrf(request, str(posted.get("csrf_token", "")))
    if account is None:
        return to_login(f"/applications/{application_id}")
    view = await applications.view(db, actor=account, application_id=application_id)
    catalog = await catalog_of_application(db, application_id)
    schema = formpage.schema_for(catalog, subject_of(catalog, view).services)
    answers: dict[str, Any] = {}
    for name, prop in schema["properties"].items():
        raw = posted.get(formpage.PREFIX + name)
        if prop.get("type") == "boolean":
            answers[name] = raw in ("on", "true", "1")
        elif isinstance(raw, str):
            answers[name] = raw.strip()  # an emptied field is checked as missing, not kept
    try:
        await applications.supplement(
            db,
            actor=account,
            application_id=application_id,
            form=answers,
            calendar=calendar_of(request),
        )
    except Invalid as exc:
        errors = formpage.field_errors(exc.details, request_lang(request))
        return await _page(
            request, db, account, application_id, values=answers, errors=errors, status_code=422
        )
    except Conflict as exc:
        return await _page(
            request, db, account, application_id, form_error=exc.message_key, status_code=409
        )
    response = RedirectResponse(f"/applications/{application_id}", status_code=303)
    set_flash(request, response, "supplemented", application_id)
    return response


@router.get("/applications/{application_id}/withdraw")
async def withdraw_page(
    request: Request, application_id: str, db: DbDep, account: WebAccount
) -> Response:
    """撤销, step one: are you sure? (Nothing changes until the form is sent.)"""
    if account is None:
        return to_login(request.url.path)
    view = await applications.view(db, actor=account, application_id=application_id)
    if view["status"] not in progress.OPEN:
        return RedirectResponse(f"/applications/{application_id}", status_code=303)
    catalog = await catalog_of_application(db, application_id)
    context = {"view": view, "name": subject_name(catalog, view["kind"], view["code"])}
    return render(request, "applications/withdraw.html", context, account=account)


@router.post("/applications/{application_id}/withdraw")
async def withdraw(
    request: Request,
    application_id: str,
    db: DbDep,
    account: WebAccount,
    csrf: CsrfField,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """撤销, step two: every department stops."""
    check_csrf(request, csrf)
    if account is None:
        return to_login(f"/applications/{application_id}")
    try:
        await applications.withdraw(
            db, actor=account, application_id=application_id, reason=reason.strip()
        )
    except Conflict as exc:
        return await _page(
            request, db, account, application_id, form_error=exc.message_key, status_code=409
        )
    response = RedirectResponse(f"/applications/{application_id}", status_code=303)
    set_flash(request, response, "withdrawn", application_id)
    return response


@router.post("/applications/{application_id}/rating")
async def rate(
    request: Request,
    application_id: str,
    db: DbDep,
    account: WebAccount,
    csrf: CsrfField,
    satisfaction_code: Annotated[str, Form(max_length=4)] = "",
    channel: Annotated[str, Form(max_length=16)] = "",
    comment: Annotated[str, Form(max_length=rating.COMMENT_MAX * 2)] = "",
) -> Response:
    """好差评: rate the finished application (a second time is the one 追评)."""
    check_csrf(request, csrf)
    if account is None:
        return to_login(f"/applications/{application_id}")
    lang = request_lang(request)
    values = {"satisfaction_code": satisfaction_code, "comment": comment}
    errors: dict[str, str] = {}
    if not satisfaction_code.isdigit():
        errors["satisfaction_code"] = t("rating.level_required", lang)
    if len(comment.strip()) > rating.COMMENT_MAX:
        errors["comment"] = t("hotline.text_too_long", lang, max=rating.COMMENT_MAX)
    view = await applications.view(db, actor=account, application_id=application_id)
    if not errors:
        try:
            await ratings.rate(
                db,
                definitions=rating.definitions_of(request),
                calendar=calendar_of(request),
                actor=account,
                subject=rating.subject_of(view, account.id),
                satisfaction_code=int(satisfaction_code),
                channel=channel or rating.channel_of(request),
                comment=comment,
            )
        except Invalid as exc:
            errors = formpage.field_errors(exc.details, lang)
        except Conflict as exc:
            return await _page(
                request, db, account, application_id, form_error=exc.message_key, status_code=409
            )
    if errors:
        return await _page(
            request,
            db,
            account,
            application_id,
            rating_errors=errors,
            rating_values=values,
            status_code=422,
        )
    response = RedirectResponse(f"/applications/{application_id}#rating", status_code=303)
    set_flash(request, response, "rated", application_id)
    return response
