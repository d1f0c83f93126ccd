"""The ASGI application: routers, error handling, middleware, and the lifespan owning resources."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from circuitbreaker import CircuitBreaker
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from yiwang import __version__, background, jobs, rawdb
from yiwang.api import applications as applications_api
from yiwang.api import casework as casework_api
from yiwang.api import catalog as catalog_api
from yiwang.api import certificates as certificates_api
from yiwang.api import complaints as complaints_api
from yiwang.api import errors as api_errors
from yiwang.api import exchange as exchange_api
from yiwang.api import identity as identity_api
from yiwang.api import notifications as notifications_api
from yiwang.api import open311 as open311_api
from yiwang.api import ops as ops_api
from yiwang.api import ratings as ratings_api
from yiwang.api import regions as regions_api
from yiwang.api.admission import AdmissionControlMiddleware
from yiwang.api.middleware import RequestGuardMiddleware
from yiwang.applications.writer import SubmissionWriter
from yiwang.audit import service as audit
from yiwang.catalog.definitions import load_region
from yiwang.certificates import service as certificates
from yiwang.certificates.keys import KeyRing
from yiwang.complaints import definitions as hotline_definitions
from yiwang.complaints import service as complaints
from yiwang.config import Settings, get_settings
from yiwang.database import create_engine
from yiwang.exchange.connectors import SourceUnavailable
from yiwang.exchange.service import Exchange
from yiwang.identity import passwords
from yiwang.kit.workdays import WorkdayCalendar
from yiwang.notifications import service as notifications
from yiwang.observability import Metrics, RequestContextMiddleware, configure_logging
from yiwang.ratings import service as ratings
from yiwang.web import (
    apply,
    cases,
    consent,
    data_access,
    data_sources,
    licences,
    pages,
    rectifications,
    services,
    verify,
    work,
)
from yiwang.web import complaints as complaint_pages
from yiwang.web import hotline as hotline_pages

STATIC = Path(__file__).parent / "web" / "static"


_M_ARENA_MAX = -8  # glibc's mallopt() parameter number


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Let glibc keep at most a few malloc arenas, as MALLOC_ARENA_MAX=2 would.

    Every thread that allocates (the database drivers' threads, the submission writer, the PDF
    renderer) otherwise gets an arena of its own, and a surge leaves their freed memory behind:
    resident memory then stays about 5% higher after a spike than before it. Returns whether it
    applied (glibc only; elsewhere nothing changes)."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(_M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        return False


def create_app(
    settings: Settings | None = None,
    *,
    configure_logs: bool = True,
    own_process: bool | None = None,
) -> FastAPI:
    """Build the application for these settings (the environment's by default).

    ``own_process``: the app has its process to itself (a server, not a test run that builds
    many apps), so what start-up builds is frozen out of the garbage collector's way; by default
    the same as ``configure_logs``.
    """
    own_process = configure_logs if own_process is None else own_process
    settings = settings or get_settings()
    settings.check_for_production()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        limit_malloc_arenas()  # before the first database connection starts its thread
        if configure_logs:
            configure_logging(level=settings.log_level, json_logs=settings.log_json)
        app.state.region = load_region(settings.definitions_dir)
        app.state.workdays = WorkdayCalendar.from_directory(settings.definitions_dir / "calendar")
        app.state.engine = engine = create_engine(settings.database_url)
        # The submissions and the background passes share one raw database (on SQLite one
        # writer thread): the process's writers take turns instead of competing for the lock.
        app.state.submissions = SubmissionWriter(rawdb.beside(engine), engine)
        audit.bind_key(engine, settings.audit_hmac_key)
        notifications.configure([notifications.LogFileChannel(settings.notification_log)])
        jobs.configure(lease_seconds=settings.job_lease_seconds)
        app.state.http = httpx.AsyncClient(
            timeout=settings.connector_timeout_seconds,
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
            headers={"User-Agent": f"yiwang/{__version__}"},
        )
        app.state.hotline = complaints.Hotline(
            definitions=hotline_definitions.load(settings.definitions_dir),
            calendar=app.state.workdays,
            directory=settings.definitions_dir,
        )
        app.state.ratings = ratings.load(settings.definitions_dir)
        # Load (or, with none stored, train) the 12345 routing model before the first ticket.
        warming = asyncio.create_task(complaints.warm_up(engine, app.state.hotline))
        if own_process:
            # What start-up built (catalogue, routing model, templates) lives as long as the
            # process: out of the collector's way, so that its full passes under load stay short.
            warming.add_done_callback(lambda _: gc.freeze())
        # Jobs a previous process committed but never ran (it crashed, it was killed) run now,
        # not only after this process's first commit.
        jobs.request_run(engine)
        app.state.keyring = KeyRing(settings.keys_dir)
        certificates.configure(
            base_url=settings.public_url,
            keyring=app.state.keyring,
            font_path=settings.pdf_font or None,
        )
        app.state.exchange = Exchange(
            http=app.state.http,
            base_url=settings.exchange_base,
            endpoints=settings.source_endpoints,
            timeout=settings.connector_timeout_seconds,
            budget=settings.prefill_budget_seconds,
            failure_threshold=settings.source_failure_threshold,
            recovery_seconds=settings.source_recovery_seconds,
        )
        try:
            yield
        finally:
            # Let the warm-up finish its database read (a connection cancelled half-way is
            # noise); a model still training in its thread is simply left behind.
            await asyncio.wait({warming}, timeout=0.5)
            warming.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await warming
            await app.state.submissions.close()
            await background.drain(engine)
            await app.state.exchange.aclose()
            await app.state.http.aclose()
            await engine.dispose()  # and the raw database beside it

    app = FastAPI(
        title="yiwang 一网",
        version=__version__,
        summary="One-network government services platform (一网通办)",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = Metrics()
    # Registration's population registry, left alone for a while once it keeps failing (the
    # exchange keeps one such breaker per department system for prefill).
    app.state.registry_breaker = CircuitBreaker(
        failure_threshold=settings.source_failure_threshold,
        recovery_timeout=settings.source_recovery_seconds,
        expected_exception=SourceUnavailable,
        name="registration:population_registry",
    )
    passwords.configure(
        hashers=settings.password_hashers,
        waiting=settings.sign_ins_waiting,
        retry_after=settings.retry_after_seconds,
    )
    api_errors.install(app, render_html=pages.render_error)
    for router in (
        applications_api.router,  # first: the submission path is matched before anything else
        ops_api.router,
        identity_api.router,
        catalog_api.router,
        exchange_api.router,
        certificates_api.router,
        complaints_api.router,
        open311_api.router,
        ratings_api.router,
        notifications_api.router,
        casework_api.router,
        regions_api.router,
        pages.router,
        services.router,
        consent.router,  # before apply's /apply/{step}, which would catch /apply/consent
        apply.router,
        cases.router,
        data_access.router,
        licences.router,
        complaint_pages.router,
        hotline_pages.router,
        rectifications.router,
        work.router,
        data_sources.router,
        verify.router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(RequestGuardMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware, metrics=app.state.metrics)
    # Outermost: a refused request costs no routing, no logging beyond a counter, no database.
    app.add_middleware(
        AdmissionControlMiddleware,
        max_in_flight=settings.max_in_flight,
        wait=settings.admission_wait_seconds,
        max_lag=settings.max_loop_lag_seconds,
        retry_after=settings.retry_after_seconds,
        metrics=app.state.metrics,
    )
    return app
