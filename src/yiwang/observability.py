"""Request ids, JSON logs and Prometheus metrics: what operators see of every request."""

from __future__ import annotations

import contextvars
import logging
import re
import sys
import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from yiwang.kit.ids import new_hex

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
access_log = logging.getLogger("yiwang.access")
_REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def current_request_id() -> str | None:
    """The id of the request being served, if any."""
    return request_id_var.get()


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        return True


def configure_logging(*, level: str = "INFO", json_logs: bool = True) -> None:
    """Send logs to stderr, one JSON object per line, each with the request id."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RequestIdFilter())
    if json_logs:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # yiwang writes its own access log (route templates, request ids). uvicorn's would print raw
    # paths and queries, and httpx's every connector URL; both can carry ID numbers.
    logging.getLogger("uvicorn.access").disabled = True
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


class Metrics:
    """The Prometheus series yiwang exports; one registry per app so tests stay separate."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "yiwang_http_requests_total",
            "HTTP requests by route template, method and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "yiwang_http_request_duration_seconds",
            "HTTP request latency by route template and method.",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
        )
        self.in_flight = Gauge(
            "yiwang_http_in_flight", "Requests being worked on now.", registry=self.registry
        )
        self.admission_bound = Gauge(
            "yiwang_http_admission_bound",
            "Requests admission control lets be in flight now (the pace's, while full).",
            registry=self.registry,
        )
        self.rejected = Counter(
            "yiwang_http_rejected_total",
            "Requests refused by admission control (503 + Retry-After).",
            registry=self.registry,
        )


def _route_template(scope: Scope) -> str:
    """The matched route's template (``/api/v1/departments/{code}``), never the raw path."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return "unmatched" if path is None else str(path)


class RequestContextMiddleware:
    """Give each request an id (or keep a sane incoming X-Request-ID), time it and count it."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID_OK.match(incoming) else new_hex()
        token = request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = _route_template(scope)
            elapsed = time.perf_counter() - started
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            self.metrics.latency.labels(scope["method"], route).observe(elapsed)
            # The access log: the route template, never the raw path or query (they can carry
            # personal data such as an ID number).
            access_log.info(
                "%s %s %s",
                scope["method"],
                route,
                status,
                extra={
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "request_id": request_id,
                },
            )
            request_id_var.reset(token)
