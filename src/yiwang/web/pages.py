"""The portal's pages: home, register, sign in, my account, sign out, language, elder mode."""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import SQLAlchemyError

from yiwang.api.deps import (
    LANG_COOKIE,
    ClientDep,
    DbDep,
    PolicyDep,
    RegistryDep,
    SettingsDep,
    account_beside,
)
from yiwang.catalog import service as catalog
from yiwang.config import Settings
from yiwang.database import Db, transaction
from yiwang.errors import Invalid, TooManyRequests, Unauthorized, Unavailable, YiwangError
from yiwang.identity import service as identity
from yiwang.kit.i18n import LANGS
from yiwang.kit.validators import mask_id_number, mask_phone
from yiwang.web import ui
from yiwang.web.render import (
    CSRF_COOKIE,
    ELDER_COOKIE,
    FLASH_COOKIE,
    SESSION_COOKIE,
    remember,
    render,
    safe_next,
)

log = logging.getLogger("yiwang.web")

router = APIRouter(include_in_schema=False)


async def web_account(request: Request, db: DbDep) -> identity.Account | None:
    """The account signed in with the session cookie, if any."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        return await identity.account_for_token(db, token, kind="web")
    except Unauthorized:
        return None


WebAccount = Annotated[identity.Account | None, Depends(web_account)]


async def web_account_beside(request: Request) -> identity.Account | None:
    """``web_account`` for a form that writes through ``database.write_unit``: the session is
    read beside, not in a unit of work (on SQLite a POST's unit of work takes the write lock at
    its first statement, and would hold it while the form's uploads are read)."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        return await account_beside(request, token, kind="web")
    except Unauthorized:
        return None


WebAccountBeside = Annotated[identity.Account | None, Depends(web_account_beside)]
CsrfField = Annotated[str, Form(alias="csrf_token")]


def check_csrf(request: Request, submitted: str) -> None:
    """A form must carry the token of the browser's own CSRF cookie."""
    expected = request.cookies.get(CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), submitted.encode()):
        raise YiwangError("csrf_failed", status=403)


@router.get("/")
async def home(request: Request, db: DbDep, account: WebAccount) -> Response:
    """The portal's home page."""
    departments = await catalog.list_departments(db)
    context = {"departments": departments, **await ui.catalogue_overview(db)}
    return render(request, "portal/home.html", context, account=account)


@router.get("/login")
async def login_page(request: Request, account: WebAccount, next: str = "/me") -> Response:
    """The sign-in form."""
    if account is not None:
        return RedirectResponse(safe_next(next, "/me"), status_code=303)
    return render(request, "account/login.html", {"next": safe_next(next, "/me")})


@router.post("/login")
async def login(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    client: ClientDep,
    policy: PolicyDep,
    csrf: CsrfField,
    username: Annotated[str, Form(max_length=128)] = "",
    password: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=512)] = "/me",
) -> Response:
    """Sign in with a session cookie."""
    check_csrf(request, csrf)
    context: dict[str, Any] = {"next": safe_next(next, "/me"), "username": username}
    if not username.strip() or not password:
        context["error"] = "invalid_credentials"
        return render(request, "account/login.html", context, status_code=422)
    try:
        account = await identity.authenticate(
            db, identifier=username, password=password, client=client, policy=policy
        )
    except identity.LoginFailed:
        context["error"] = "invalid_credentials"
        return render(request, "account/login.html", context, status_code=401)
    except TooManyRequests as exc:
        context["error"] = "too_many_attempts"
        context["error_params"] = exc.params
        return render(request, "account/login.html", context, status_code=429)
    except Unavailable as exc:  # a crowd signing in: the form again, with when to retry
        context["error"] = exc.message_key
        context["error_params"] = exc.params
        page = render(request, "account/login.html", context, status_code=exc.status)
        page.headers.update(exc.headers)
        return page
    response = RedirectResponse(safe_next(next, "/me"), status_code=303)
    await start_web_session(
        db, request, response, account=account, settings=settings, client=client
    )
    return response


async def start_web_session(
    db: Db,
    request: Request,
    response: Response,
    *,
    account: identity.Account,
    settings: Settings,
    client: identity.Client,
) -> None:
    """Sign the browser in: a new session (never a reused one) in an HttpOnly cookie, the
    browser's previous session ended, and a fresh CSRF token."""
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:
        await identity.revoke_token(db, previous)
    ttl = dt.timedelta(hours=settings.session_hours)
    token, _ = await identity.start_session(db, account=account, kind="web", client=client, ttl=ttl)
    response.set_cookie(
        CSRF_COOKIE,
        secrets.token_urlsafe(24),
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(ttl.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
    )


@router.get("/register")
async def register_page(request: Request, account: WebAccount) -> Response:
    """The real-name registration form."""
    if account is not None:
        return RedirectResponse("/me", status_code=303)
    context = {"values": {}, "errors": {}, "invalid": set()}
    return render(request, "account/register.html", context)


@router.post("/register")
async def register(
    request: Request,
    settings: SettingsDep,
    client: ClientDep,
    policy: PolicyDep,
    registry: RegistryDep,
    csrf: CsrfField,
    name: Annotated[str, Form(max_length=60)] = "",
    id_number: Annotated[str, Form(max_length=32)] = "",
    phone: Annotated[str, Form(max_length=32)] = "",
    password: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Register with real-name verification, then sign in. No unit of work: nothing of the
    database is held while the registry answers."""
    check_csrf(request, csrf)
    values = {"name": name, "id_number": id_number, "phone": phone}
    engine = request.app.state.engine
    try:
        account = await identity.register_citizen(
            engine,
            registry=registry,
            name=name,
            id_number=id_number,
            phone=phone,
            password=password,
            client=client,
            policy=policy,
            strict_audit=settings.strict_audit,
        )
    except (Invalid, Unavailable, TooManyRequests) as exc:
        errors: dict[str, str] = {}
        invalid = {detail["field"] for detail in exc.details}
        if exc.code != "realname_mismatch":  # one message for the pair, not one per field
            for detail in exc.details:
                errors.setdefault(detail["field"], detail.get("message_key", detail["code"]))
        context = {
            "values": values,
            "errors": errors,
            "invalid": invalid,
            "error": exc.message_key,
            "error_params": exc.params,
        }
        page = render(request, "account/register.html", context, status_code=exc.status)
        page.headers.update(exc.headers)  # Retry-After, when the answer is "not now"
        return page
    response = RedirectResponse("/me", status_code=303)
    try:
        async with transaction(engine, strict_audit=settings.strict_audit) as db:
            await start_web_session(
                db, request, response, account=account, settings=settings, client=client
            )
    except SQLAlchemyError:
        # The account is stored; only the sign-in after it failed. Signing in starts the
        # session, and the welcome is shown after it (a retry would say "already registered").
        log.exception("registered account %s, but its web session could not be started", account.id)
        response = RedirectResponse("/login?next=/me", status_code=303)
    response.set_cookie(FLASH_COOKIE, "registered", max_age=300, httponly=True, samesite="lax")
    return response


@router.get("/me")
async def me_page(request: Request, db: DbDep, account: WebAccount) -> Response:
    """My account: who I am, as the platform knows me (numbers masked)."""
    if account is None:
        return RedirectResponse("/login?next=/me", status_code=303)
    department = None
    if account.department_code:
        department = await catalog.get_department(db, account.department_code)
    context = {
        "masked_id": mask_id_number(account.id_number) if account.id_number else None,
        "masked_phone": mask_phone(account.phone) if account.phone else None,
        "department": department,
        "welcome": request.cookies.get(FLASH_COOKIE) == "registered",
    }
    response = render(request, "account/me.html", context, account=account)
    if context["welcome"]:
        response.delete_cookie(FLASH_COOKIE)  # shown once
    return response


@router.post("/logout")
async def logout(request: Request, db: DbDep, account: WebAccount, csrf: CsrfField) -> Response:
    """Sign out: the session ends on the server, not only in this browser."""
    check_csrf(request, csrf)
    token = request.cookies.get(SESSION_COOKIE)
    if account is not None and token:
        await identity.end_session(db, account=account, token=token)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/lang/{code}")
async def switch_language(request: Request, code: str, next: str = "/") -> Response:
    """Switch the page language and remember it."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LANGS:
        remember(response, request, LANG_COOKIE, code)
    return response


@router.get("/elder")
async def switch_elder_mode(request: Request, on: int = 1, next: str = "/") -> Response:
    """长辈版: larger type and higher contrast, remembered."""
    response = RedirectResponse(safe_next(next), status_code=303)
    remember(response, request, ELDER_COOKIE, "1" if on else "0")
    return response


def render_error(request: Request, error: YiwangError) -> Response:
    """An error as a page in the reader's language."""
    response = render(
        request, "error.html", {"error": error, "status": error.status}, status_code=error.status
    )
    for name, value in error.headers.items():
        response.headers[name] = value
    return response
