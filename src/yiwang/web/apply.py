"""Applying on the pages: the one (merged) form → check your answers → submit once.

The Idempotency-Key is made when the form is first shown and travels in a hidden field through
the check page, so a double click (or a resent POST) finds the application already made."""

from __future__ import annotations

import re
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from yiwang.api.deps import DbDep, request_lang
from yiwang.applications import service as applications
from yiwang.catalog import forms, snapshots
from yiwang.catalog.loader import Catalog
from yiwang.errors import Conflict, Invalid, NotFound, YiwangError
from yiwang.identity.service import Account
from yiwang.web import formpage
from yiwang.web.pages import WebAccount, check_csrf
from yiwang.web.render import render
from yiwang.web.ui import calendar_of, set_flash, to_login

router = APIRouter(include_in_schema=False)

KEY_FIELD = "idempotency_key"
_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _subject(request: Request, catalog: Catalog, code: str) -> applications.Subject:
    """The service or bundle this URL applies for; 404 if there is none."""
    kind = "bundle" if request.url.path.startswith("/bundles/") else "service"
    known = catalog.bundles if kind == "bundle" else catalog.services
    if code not in known:
        raise NotFound(f"unknown_{kind}", params={"code": code})
    return applications.subject_of(
        catalog,
        service=code if kind == "service" else None,
        bundle=code if kind == "bundle" else None,
    )


def _name(catalog: Catalog, subject: applications.Subject) -> Any:
    item = catalog.bundles[subject.code] if subject.kind == "bundle" else subject.services[0]
    return item.name


def _base(subject: applications.Subject) -> str:
    return f"/{subject.kind}s/{subject.code}"


def _form_page(
    request: Request,
    catalog: Catalog,
    subject: applications.Subject,
    account: Account,
    *,
    values: dict[str, Any],
    errors: dict[str, str],
    key: str,
    status_code: int = 200,
) -> Response:
    lang = request_lang(request)
    schema = formpage.schema_for(catalog, subject.services)
    context = {
        "subject": subject,
        "subject_name": _name(catalog, subject),
        "base": _base(subject),
        "groups": formpage.groups(
            schema,
            lang=lang,
            values=values,
            errors=errors,
            legends=formpage.legends(catalog, subject.services, lang),
        ),
        "errors": errors,
        "key": key,
        "allowed": account.kind in {a for s in subject.services for a in s.audience},
    }
    return render(request, "apply/form.html", context, status_code=status_code, account=account)


async def _posted(request: Request) -> tuple[dict[str, Any], str | None]:
    """The posted answers (CSRF checked) and the Idempotency-Key, if well formed."""
    posted = await request.form()
    check_csrf(request, str(posted.get("csrf_token", "")))
    key = str(posted.get(KEY_FIELD, ""))
    return dict(posted), key if _KEY.fullmatch(key) else None


async def _answers(
    request: Request, db: DbDep, code: str, posted: dict[str, Any]
) -> tuple[Catalog, applications.Subject, dict[str, Any]]:
    """The catalogue, what is applied for, and the posted answers read against its form."""
    _, catalog = await snapshots.current(db)
    subject = _subject(request, catalog, code)
    schema = formpage.schema_for(catalog, subject.services)
    return catalog, subject, formpage.answers_from(posted, schema)


@router.get("/services/{code}/apply")
@router.get("/bundles/{code}/apply")
async def apply_form(request: Request, code: str, db: DbDep, account: WebAccount) -> Response:
    """The form, empty, with a fresh Idempotency-Key."""
    if account is None:
        return to_login(request.url.path)
    _, catalog = await snapshots.current(db)
    subject = _subject(request, catalog, code)
    return _form_page(
        request, catalog, subject, account, values={}, errors={}, key=secrets.token_urlsafe(24)
    )


@router.get("/services/{code}/apply/{step}")
@router.get("/bundles/{code}/apply/{step}")
async def apply_step_reloaded(request: Request, code: str, step: str) -> Response:
    """A check or submit page reloaded (or bookmarked): back to the form."""
    return RedirectResponse(request.url.path.rsplit("/", 1)[0], status_code=303)


@router.post("/services/{code}/apply/check")
@router.post("/bundles/{code}/apply/check")
async def check_answers(request: Request, code: str, db: DbDep, account: WebAccount) -> Response:
    """Check your answers: the form checked on the server; errors go back beside their fields."""
    posted, key = await _posted(request)
    if account is None:
        return to_login(request.url.path.removesuffix("/check"))
    catalog, subject, answers = await _answers(request, db, code, posted)
    schema = formpage.schema_for(catalog, subject.services)
    clean, problems = forms.validate(answers, subject.fields, catalog.elements)
    key = key or secrets.token_urlsafe(24)
    lang = request_lang(request)
    if problems:
        errors = formpage.field_errors(problems, lang)
        return _form_page(
            request,
            catalog,
            subject,
            account,
            values=answers,
            errors=errors,
            key=key,
            status_code=422,
        )
    context = {
        "subject": subject,
        "subject_name": _name(catalog, subject),
        "base": _base(subject),
        "rows": formpage.rows(schema, clean, lang),
        "hidden": {
            formpage.PREFIX + name: formpage.hidden_value(value) for name, value in clean.items()
        },
        "key": key,
    }
    return render(request, "apply/check.html", context, account=account)


@router.post("/services/{code}/apply/edit")
@router.post("/bundles/{code}/apply/edit")
async def change_answers(request: Request, code: str, db: DbDep, account: WebAccount) -> Response:
    """Back from the check page to the form, with every answer kept."""
    posted, key = await _posted(request)
    if account is None:
        return to_login(request.url.path.removesuffix("/edit"))
    catalog, subject, values = await _answers(request, db, code, posted)
    return _form_page(
        request,
        catalog,
        subject,
        account,
        values=values,
        errors={},
        key=key or secrets.token_urlsafe(24),
    )


@router.post("/services/{code}/apply/submit")
@router.post("/bundles/{code}/apply/submit")
async def submit(request: Request, code: str, db: DbDep, account: WebAccount) -> Response:
    """Submit once; the same key again (a double click) leads to the same application."""
    posted, key = await _posted(request)
    if account is None:
        return to_login(request.url.path.removesuffix("/submit"))
    if key is None:
        raise YiwangError("bad_request", status=400)
    catalog, subject, answers = await _answers(request, db, code, posted)
    lang = request_lang(request)
    try:  # applications.submit checks the answers itself; its errors go beside the fields
        application, _ = await applications.submit(
            db,
            actor=account,
            service=code if subject.kind == "service" else None,
            bundle=code if subject.kind == "bundle" else None,
            form=answers,
            idempotency_key=key,
            calendar=calendar_of(request),
        )
    except Invalid as exc:
        errors = formpage.field_errors(exc.details, lang)
        return _form_page(
            request,
            catalog,
            subject,
            account,
            values=answers,
            errors=errors,
            key=key,
            status_code=422,
        )
    except Conflict as exc:
        if exc.code == "idempotency_conflict":
            raise Conflict("apply_already_sent") from exc
        raise
    response = RedirectResponse(f"/applications/{application['id']}", status_code=303)
    set_flash(request, response, "submitted", application["id"])
    return response
