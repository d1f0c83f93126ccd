"""The page renderer: Jinja2 templates with the reader's language, elder mode and CSRF token."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from yiwang.api.deps import LANG_COOKIE, request_lang
from yiwang.kit.i18n import Lang, format_date, format_datetime, t
from yiwang.kit.masking import mask_name

TEMPLATES = Path(__file__).parent / "templates"
CSRF_COOKIE = "yiwang_csrf"
ELDER_COOKIE = "yiwang_elder"
FLASH_COOKIE = "yiwang_flash"
SESSION_COOKIE = "yiwang_session"
ONE_YEAR = 365 * 24 * 3600

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters["mask_name"] = mask_name


def csrf_token(request: Request) -> str:
    """The request's CSRF token: the cookie's value, or a new one set on the response."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not token:
        token = secrets.token_urlsafe(24)
        request.state.new_csrf = token
    return token


def safe_next(value: str | None, default: str = "/") -> str:
    """A local path to go back to; anything else (other sites, schemes) becomes the default."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return default


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    account: Any = None,
) -> HTMLResponse:
    """Render a page (or an htmx fragment) for this request."""
    lang: Lang = request_lang(request)
    settings = request.app.state.settings
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    values = {
        "request": request,
        "lang": lang,
        "other_lang": "en" if lang == "zh" else "zh",
        "t": lambda key, **params: t(key, lang, **params),
        "format_date": lambda value: format_date(value, lang),
        "format_datetime": lambda value: format_datetime(value, lang),
        "elder": request.cookies.get(ELDER_COOKIE) == "1",
        "csrf_token": csrf_token(request),
        "account": account,
        "here": here,
        "here_q": quote(here, safe=""),
        "region": request.app.state.region,
        **(context or {}),
    }
    response = HTMLResponse(env.get_template(template).render(values), status_code=status_code)
    new_csrf = getattr(request.state, "new_csrf", None)
    if new_csrf:
        response.set_cookie(
            CSRF_COOKIE, new_csrf, httponly=True, samesite="lax", secure=settings.cookie_secure
        )
    response.headers["Content-Language"] = "zh-CN" if lang == "zh" else "en"
    return response


def remember(response: Any, request: Request, name: str, value: str) -> None:
    """Set a long-lived preference cookie (language, elder mode)."""
    response.set_cookie(
        name,
        value,
        max_age=ONE_YEAR,
        samesite="lax",
        httponly=True,
        secure=request.app.state.settings.cookie_secure,
    )


__all__ = ["LANG_COOKIE", "remember", "render", "safe_next"]
