"""What every route needs, as typed dependencies: the unit of work, the language, the caller."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from pydantic import AfterValidator

from yiwang.applications.writer import SubmissionWriter
from yiwang.catalog import snapshots
from yiwang.catalog.loader import Catalog
from yiwang.config import Settings
from yiwang.database import Db, transaction, write_unit
from yiwang.errors import Unauthorized
from yiwang.exchange.connectors import PopulationRegistry
from yiwang.identity import service as identity
from yiwang.kit.i18n import Lang, negotiate
from yiwang.kit.workdays import WorkdayCalendar

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LANG_COOKIE = "yiwang_lang"


async def unit_of_work(request: Request) -> AsyncIterator[Db]:
    """One transaction per request: committed before the response is sent, rolled back on error."""
    settings: Settings = request.app.state.settings
    async with transaction(
        request.app.state.engine,
        write=request.method not in SAFE_METHODS,
        strict_audit=settings.strict_audit,
    ) as db:
        yield db


T = TypeVar("T")


async def write_for(request: Request, work: Callable[[Db], Awaitable[T]]) -> T:
    """``await work(db)`` in one ``database.write_unit`` of the app's engine, with its audit
    setting: for a route that writes without a unit of work (on SQLite the write takes its
    turn on the writer thread instead of waiting for the write lock)."""
    settings: Settings = request.app.state.settings
    return await write_unit(request.app.state.engine, work, strict_audit=settings.strict_audit)


def reads_for(request: Request) -> AbstractAsyncContextManager[Db]:
    """A read transaction of the app's engine, as a GET's unit of work is: for the page shown
    again after a route without one refused what was asked."""
    settings: Settings = request.app.state.settings
    return transaction(request.app.state.engine, write=False, strict_audit=settings.strict_audit)


def request_lang(request: Request) -> Lang:
    """The reader's language: ?lang=, then the language cookie, then Accept-Language."""
    explicit = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return negotiate(explicit=explicit, accept_language=request.headers.get("accept-language"))


async def get_settings(request: Request) -> Settings:
    """The app's settings."""
    return request.app.state.settings


async def sign_in_policy(request: Request) -> identity.SignInPolicy:
    """The throttling policy for sign-in, from settings."""
    settings: Settings = request.app.state.settings
    return identity.SignInPolicy(
        window=dt.timedelta(minutes=settings.login_window_minutes),
        max_per_account=settings.login_max_failures_per_account,
        max_per_address=settings.login_max_failures_per_address,
    )


async def client_of(request: Request) -> identity.Client:
    """The caller's address, for throttling and session records."""
    address = request.client.host if request.client else "unknown"
    return identity.Client(address=address[:64])


async def population_registry(request: Request) -> PopulationRegistry:
    """The connector to the population registry (公安人口库)."""
    settings: Settings = request.app.state.settings
    return PopulationRegistry(
        request.app.state.http,
        base_url=settings.population_registry,
        timeout=settings.connector_timeout_seconds,
        breaker=request.app.state.registry_breaker,
    )


# Declares the OAuth2 password flow in the OpenAPI document; the token is checked below.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


async def bearer_token(token: Annotated[str | None, Depends(oauth2_scheme)]) -> str:
    """The bearer token of the Authorization header, or 401."""
    if not token or not token.strip():
        raise Unauthorized(headers={"WWW-Authenticate": "Bearer"})
    return token.strip()


DbDep = Annotated[Db, Depends(unit_of_work, scope="function")]


async def _lang(request: Request) -> Lang:
    # A coroutine: FastAPI runs a plain function dependency on a worker thread, a thread hop
    # per request for nothing.
    return request_lang(request)


LangDep = Annotated[Lang, Depends(_lang)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ClientDep = Annotated[identity.Client, Depends(client_of)]
PolicyDep = Annotated[identity.SignInPolicy, Depends(sign_in_policy)]
RegistryDep = Annotated[PopulationRegistry, Depends(population_registry)]
TokenDep = Annotated[str, Depends(bearer_token)]


async def current_account(db: DbDep, token: TokenDep) -> identity.Account:
    """The account signed in with the request's bearer token."""
    return await identity.account_for_token(db, token, kind="api")


CurrentAccount = Annotated[identity.Account, Depends(current_account)]


async def token_account(request: Request, token: TokenDep) -> identity.Account:
    """``current_account`` for a route without a unit of work (one that writes through
    ``database.write_unit``): the session is read as ``submitting_account`` reads it, and the
    route still declares the bearer token in the OpenAPI document."""
    return await account_beside(request, token)


TokenAccount = Annotated[identity.Account, Depends(token_account)]


async def submitting_account(request: Request) -> identity.Account:
    """The account of the request's bearer token, read through the submission writer's own
    connections: for the routes a surge calls most (submitting, an application's status, the
    staff inbox), which have no unit of work."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(headers={"WWW-Authenticate": "Bearer"})
    return await account_beside(request, token.strip())


async def account_beside(request: Request, token: str, *, kind: str = "api") -> identity.Account:
    """The account of a bearer token (or, ``kind="web"``, a session cookie), read through the
    submission writer's connections."""
    writer: SubmissionWriter = request.app.state.submissions
    return identity.account_of_session(await writer.session(identity.token_hash(token)), kind=kind)


async def catalog_now(request: Request) -> tuple[int, Catalog]:
    """The catalogue in force and its snapshot id, from the process's copy (a database read only
    when that copy is more than a few seconds old)."""
    return await snapshots.current_of(request.app.state.engine)


CatalogNow = Annotated[tuple[int, Catalog], Depends(catalog_now)]


async def workday_calendar(request: Request) -> WorkdayCalendar:
    """The working-day calendar (official holidays, make-up days, definitions/ overrides)."""
    return request.app.state.workdays


CalendarDep = Annotated[WorkdayCalendar, Depends(workday_calendar)]


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _no_control_characters(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("control characters are not allowed")
    return value


Text = Annotated[str, AfterValidator(_no_control_characters)]
"""Free text from a person: any characters but control characters (newlines and tabs are fine)."""
