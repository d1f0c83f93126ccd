"""Applying on the pages: 授权 (web/consent.py) → the one (merged) form, filled in from the
departments under that consent → check your answers → submit once.

The Idempotency-Key is made when the form is first shown and travels in a hidden field through
the check page, so a double click (or a resent POST) finds the application already made. The
prefill token travels the same way: it names where each prefilled answer came from, and the
check page and the application tell from it which answers the person changed."""

from __future__ import annotations

import re
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from yiwang.api.deps import DbDep, catalog_now, request_lang
from yiwang.applications import service as applications
from yiwang.catalog import forms, snapshots
from yiwang.catalog.loader import Catalog
from yiwang.database import commit_before_waiting
from yiwang.errors import Conflict, Invalid, YiwangError
from yiwang.identity.service import Account
from yiwang.prefill import service as prefill
from yiwang.web import consent, formpage, provenance
from yiwang.web.pages import WebAccount, WebAccountBeside, check_csrf
from yiwang.web.render import render
from yiwang.web.subjects import base_of, may_apply, subject_at, title_of
from yiwang.web.ui import calendar_of, set_flash, to_login

router = APIRouter(include_in_schema=False)

KEY_FIELD = "idempotency_key"
TOKEN_FIELD = "prefill_token"  # noqa: S105 - a field name, not a secret
_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_TOKEN_MAX = 16384


def _form_page(
    request: Request,
    catalog: Catalog,
    subject: applications.Subject,
    account: Account,
    *,
    values: dict[str, Any],
    errors: dict[str, str],
    key: str,
    token: str | None = None,
    origins: dict[str, provenance.Origin] | None = None,
    notes: dict[str, str] | None = None,
    filled: int = 0,
    failed: list[str] | None = None,
    declined: bool = False,
    status_code: int = 200,
) -> Response:
    lang = request_lang(request)
    schema = formpage.schema_for(catalog, subject.services)
    context = {
        "subject": subject,
        "subject_name": title_of(catalog, subject),
        "base": base_of(subject),
        "groups": formpage.groups(
            schema,
            lang=lang,
            values=values,
            errors=errors,
            legends=formpage.legends(catalog, subject.services, lang),
        ),
        "errors": errors,
        "key": key,
        "allowed": may_apply(account, subject),
        "prefill_token": token,
        "origins": {n: o for n, o in (origins or {}).items() if o.state != "entered"},
        "notes": notes or {},
        "filled": filled,
        "failed_departments": failed or [],
        "declined": declined and consent.may_prefill(account, subject),
    }
    return render(request, "apply/form.html", context, status_code=status_code, account=account)


async def _posted(request: Request) -> tuple[dict[str, Any], str | None, str | None]:
    """The posted answers (CSRF checked), the Idempotency-Key if well formed, and the prefill
    token if there is one."""
    posted = await request.form()
    check_csrf(request, str(posted.get("csrf_token", "")))
    key = str(posted.get(KEY_FIELD, ""))
    token = str(posted.get(TOKEN_FIELD, ""))
    return (
        dict(posted),
        key if _KEY.fullmatch(key) else None,
        token if 0 < len(token) <= _TOKEN_MAX else None,
    )


async def _answers(
    request: Request, db: DbDep, code: str, posted: dict[str, Any]
) -> tuple[Catalog, applications.Subject, dict[str, Any]]:
    """The catalogue, what is applied for, and the posted answers read against its form."""
    _, catalog = await snapshots.current(db)
    subject = subject_at(request, catalog, code)
    schema = formpage.schema_for(catalog, subject.services)
    return catalog, subject, formpage.answers_from(posted, schema)


def _origins(
    request: Request,
    catalog: Catalog,
    subject: applications.Subject,
    account: Account,
    token: str | None,
    answers: dict[str, Any],
) -> tuple[dict[str, provenance.Origin], str | None]:
    """Where each answer came from, told by the prefill token; a token that no longer holds
    (too old, or not this person's) is dropped, and the answers count as typed."""
    if token is None:
        return {}, None
    clean, _ = forms.validate(answers, subject.fields, catalog.elements)
    values = {**answers, **clean}
    try:
        found, _ = prefill.provenance(
            consent.secret_of(request),
            token=token,
            account_id=account.id,
            subject=subject,
            answers=values,
        )
    except Invalid:
        return {}, None
    lang = request_lang(request)
    return provenance.recorded(catalog, found, lang, values=values), token


@router.get("/services/{code}/apply")
@router.get("/bundles/{code}/apply")
async def apply_form(
    request: Request,
    code: str,
    account: WebAccountBeside,
    choice: Annotated[str | None, Query(alias="prefill", max_length=8)] = None,
) -> Response:
    """The form with a fresh Idempotency-Key: filled in under the person's consent, asked for
    first if there is none; empty when they chose to fill it in themselves. No unit of work:
    nothing of the database is held while departments answer."""
    if account is None:
        return to_login(request.url.path)
    _, catalog = await catalog_now(request)
    subject = subject_at(request, catalog, code)
    key = secrets.token_urlsafe(24)
    declined = choice == consent.DECLINED
    if declined or not consent.may_prefill(account, subject):
        return _form_page(
            request, catalog, subject, account, values={}, errors={}, key=key, declined=declined
        )
    result = await consent.fill(request, catalog=catalog, subject=subject, account=account)
    if result is None:
        return RedirectResponse(f"{request.url.path}/consent", status_code=303)
    lang = request_lang(request)
    return _form_page(
        request,
        catalog,
        subject,
        account,
        values={name: entry["value"] for name, entry in result["fields"].items()},
        errors={},
        key=key,
        token=result["prefill_token"],
        origins=provenance.prefilled(catalog, result, lang),
        notes=provenance.missing_notes(result, lang),
        filled=len(result["fields"]),
        failed=provenance.failed_departments(catalog, result, lang),
    )


@router.get("/services/{code}/apply/{step}")
@router.get("/bundles/{code}/apply/{step}")
async def apply_step_reloaded(request: Request, code: str, step: str) -> Response:
    """A check or submit page reloaded (or bookmarked): back to the form."""
    return RedirectResponse(request.url.path.rsplit("/", 1)[0], status_code=303)


@router.post("/services/{code}/apply/check")
@router.post("/bundles/{code}/apply/check")
async def check_answers(request: Request, code: str, db: DbDep, account: WebAccount) -> Response:
    """Check your answers: the form checked on the server; errors go back beside their fields;
    each prefilled answer shows where it came from, and whether it was changed."""
    posted, key, token = await _posted(request)
    if account is None:
        return to_login(request.url.path.removesuffix("/check"))
    catalog, subject, answers = await _answers(request, db, code, posted)
    schema = formpage.schema_for(catalog, subject.services)
    clean, problems = forms.validate(answers, subject.fields, catalog.elements)
    key = key or secrets.token_urlsafe(24)
    lang = request_lang(request)
    origins, token = _origins(request, catalog, subject, account, token, answers)
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
            token=token,
            origins=origins,
            status_code=422,
        )
    context = {
        "subject": subject,
        "subject_name": title_of(catalog, subject),
        "base": base_of(subject),
        "rows": [
            {**row, "origin": origins.get(row["name"])}
            for row in formpage.rows(schema, clean, lang)
        ],
        "hidden": {
            formpage.PREFIX + name: formpage.hidden_value(value) for name, value in clean.items()
        },
        "key": key,
        "prefill_token": token,
    }
    return render(request, "apply/check.html", context, account=account)


@router.post("/services/{code}/apply/edit")
@router.post("/bundles/{code}/apply/edit")
async def change_answers(request: Request, code: str, db: DbDep, account: WebAccount) -> Response:
    """Back from the check page to the form, with every answer (and where it came from) kept."""
    posted, key, token = await _posted(request)
    if account is None:
        return to_login(request.url.path.removesuffix("/edit"))
    catalog, subject, values = await _answers(request, db, code, posted)
    origins, token = _origins(request, catalog, subject, account, token, values)
    return _form_page(
        request,
        catalog,
        subject,
        account,
        values=values,
        errors={},
        key=key or secrets.token_urlsafe(24),
        token=token,
        origins=origins,
    )


@router.post("/services/{code}/apply/submit")
@router.post("/bundles/{code}/apply/submit")
async def submit(request: Request, code: str, db: DbDep, account: WebAccount) -> Response:
    """Submit once; the same key again (a double click) leads to the same application."""
    posted, key, token = await _posted(request)
    if account is None:
        return to_login(request.url.path.removesuffix("/submit"))
    if key is None:
        raise YiwangError("bad_request", status=400)
    catalog, subject, answers = await _answers(request, db, code, posted)
    lang = request_lang(request)

    await commit_before_waiting(db)

    async def send(token: str | None) -> dict[str, Any]:
        application, _ = await applications.submit(
            request.app.state.submissions,
            actor=account,
            service=code if subject.kind == "service" else None,
            bundle=code if subject.kind == "bundle" else None,
            form=answers,
            idempotency_key=key,
            calendar=calendar_of(request),
            prefill_token=token,
            secret=consent.secret_of(request),
        )
        return application

    try:  # applications.submit checks the answers itself; its errors go beside the fields
        try:
            application = await send(token)
        except Invalid as exc:
            if token is None or not any(d.get("field") == TOKEN_FIELD for d in exc.details):
                raise
            # A prefill token past its time (or not this person's) vouches for nothing: the
            # answers are sent as the person's own.
            application = await send(None)
    except Invalid as exc:
        errors = formpage.field_errors(exc.details, lang)
        origins, token = _origins(request, catalog, subject, account, token, answers)
        return _form_page(
            request,
            catalog,
            subject,
            account,
            values=answers,
            errors=errors,
            key=key,
            token=token,
            origins=origins,
            status_code=422,
        )
    except Conflict as exc:
        if exc.code == "idempotency_conflict":
            raise Conflict("apply_already_sent") from exc
        raise
    response = RedirectResponse(f"/applications/{application['id']}", status_code=303)
    set_flash(request, response, "submitted", application["id"])
    return response
