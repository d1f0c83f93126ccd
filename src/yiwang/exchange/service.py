"""The exchange's verbs: ask department systems for a person's data elements, concurrently and
within a time budget, clean what comes back, and keep the ledgers (access log, data quality)."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import time
from collections import Counter
from typing import Any

import httpx
import sqlalchemy as sa
from circuitbreaker import CircuitBreaker

from yiwang.catalog.items import DataSource, SourceField
from yiwang.catalog.loader import Catalog
from yiwang.database import Db, tx_state
from yiwang.exchange import cleaning
from yiwang.exchange.connectors import CONNECTORS, RecordConnector, SourceUnavailable
from yiwang.exchange.connectors.client import DepartmentClient
from yiwang.exchange.connectors.csv_export import normalise_key
from yiwang.exchange.models import data_access, source_quality

# How a source's answer went, as prefill and the quality report name it.
STATUSES = ("ok", "not_found", "timeout", "unavailable", "circuit_open")


class Exchange:
    """The platform's side of the exchange: one connector and one circuit breaker per source.

    Built once per app (lifespan); the systems are asked through a ``DepartmentClient``
    (aiohttp). The breakers are per process, so a system that keeps failing is left alone for
    ``recovery_seconds`` instead of being waited on by every form that needs it.
    """

    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        base_url: str,
        endpoints: dict[str, str],
        timeout: float,
        budget: float,
        failure_threshold: int = 5,
        recovery_seconds: int = 30,
    ) -> None:
        self.http = http
        # The app's User-Agent; aiohttp asks for the body codings it can decode itself.
        self.client = DepartmentClient(headers={"User-Agent": http.headers["user-agent"]})
        self.base_url = base_url.rstrip("/")
        self.endpoints = endpoints
        self.timeout = timeout
        self.budget = budget
        self.failure_threshold = failure_threshold
        self.recovery_seconds = recovery_seconds
        self._breakers: dict[str, CircuitBreaker] = {}

    def url_of(self, source: DataSource) -> str:
        """Where the source answers: configuration first, then the definition."""
        endpoint = self.endpoints.get(source.code, source.endpoint)
        if endpoint.startswith(("http://", "https://")):
            return endpoint
        return f"{self.base_url}{endpoint}"

    def connector(self, source: DataSource) -> RecordConnector:
        """The connector of the source's kind."""
        kind = CONNECTORS.get(source.connector)
        if kind is None:
            raise SourceUnavailable(f"{source.code}: no connector of kind {source.connector}")
        return kind(source, client=self.client, url=self.url_of(source), timeout=self.timeout)

    async def aclose(self) -> None:
        """Close the connections kept open to the systems (the app's client is the app's)."""
        await self.client.aclose()

    def breaker(self, source: DataSource) -> CircuitBreaker:
        """The source's circuit breaker."""
        if source.code not in self._breakers:
            self._breakers[source.code] = CircuitBreaker(
                failure_threshold=self.failure_threshold,
                recovery_timeout=self.recovery_seconds,
                expected_exception=(SourceUnavailable, TimeoutError),
                name=f"source:{source.code}",
            )
        return self._breakers[source.code]


@dataclasses.dataclass(frozen=True)
class Ask:
    """One question to one source: this key's records, these elements of them."""

    source: DataSource
    key: str
    elements: frozenset[str]


@dataclasses.dataclass
class Fetched:
    """One source's answer, cleaned, with what cleaning it took."""

    source: DataSource
    status: str
    fetched_at: dt.datetime
    elapsed_ms: int
    values: dict[str, cleaning.Cleaned] = dataclasses.field(default_factory=dict)
    records: int = 0
    cleaned: Counter[str] = dataclasses.field(default_factory=Counter)
    rejected: Counter[str] = dataclasses.field(default_factory=Counter)
    rejected_elements: dict[str, str] = dataclasses.field(default_factory=dict)


async def fetch_all(exchange: Exchange, catalog: Catalog, asks: list[Ask]) -> list[Fetched]:
    """Ask every source at once; each gets the time budget, and none waits for another."""
    return list(await asyncio.gather(*(fetch(exchange, catalog, ask) for ask in asks)))


async def fetch(exchange: Exchange, catalog: Catalog, ask: Ask) -> Fetched:
    """Ask one source within the budget; a slow, failing or shut-off source is a status."""
    started = time.perf_counter()
    fetched_at = dt.datetime.now(dt.UTC)

    def ended(status: str) -> Fetched:
        elapsed = int((time.perf_counter() - started) * 1000)
        return Fetched(ask.source, status, fetched_at, elapsed)

    breaker = exchange.breaker(ask.source)
    if breaker.opened:  # half-open after recovery_seconds: one call may try again
        return ended("circuit_open")
    try:
        connector = exchange.connector(ask.source)
        records = await breaker.call_async(
            _fetch_records, connector, ask, min(exchange.timeout, exchange.budget)
        )
    except TimeoutError:
        return ended("timeout")
    except SourceUnavailable:
        return ended("unavailable")
    result = ended("ok" if records else "not_found")
    result.records = len(records)
    record, role = _pick(connector, ask, records)
    if record is None:
        result.status = "not_found"
        return result
    for field in ask.source.fields:
        if field.element not in ask.elements:
            continue  # only what was asked for is read: the minimum necessary
        raw = _raw(connector, ask.source, field, record, role)
        try:
            value = cleaning.clean(raw, element=catalog.elements[field.element], field=field)
        except cleaning.Rejected as exc:
            result.rejected[exc.rule] += 1
            result.rejected_elements[field.element] = exc.rule
            continue
        if value is None:
            continue
        result.cleaned.update(value.rules)
        result.values[field.element] = value
    return result


async def _fetch_records(connector: RecordConnector, ask: Ask, budget: float) -> list[Any]:
    async with asyncio.timeout(budget):
        records = await connector.fetch(ask.key)
        if not records and ask.source.legacy_key and ask.key[6:8] == "19" and len(ask.key) == 18:
            # The system still files some people born in the 1900s under their 15-digit number.
            records = await connector.fetch(ask.key[:6] + ask.key[8:17])
        return records


def _pick(connector: RecordConnector, ask: Ask, records: list[Any]) -> tuple[Any, str | None]:
    """The record about the key's holder, and the role they play in it (mother, father …)."""
    if not records:
        return None, None
    if not ask.source.roles:
        return records[0], None
    key = normalise_key(ask.key)
    for record in records:
        for role, path in ask.source.roles.items():
            number = connector.value(record, path)
            if number and normalise_key(str(number)) == key:
                return record, role
    return None, None


def _raw(
    connector: RecordConnector,
    source: DataSource,
    field: SourceField,
    record: Any,
    role: str | None,
) -> Any:
    if field.path == "=role":
        return role
    if "{other}" in field.path:
        others = [r for r in source.roles or {} if r != role]
        if role is None or len(others) != 1:
            return None
        return connector.value(record, field.path.replace("{other}", others[0]))
    return connector.value(record, field.path)


async def record_reads(db: Db, fetched: list[Fetched]) -> None:
    """Add these answers to the data quality ledger."""
    rows: list[dict[str, Any]] = []
    for answer in fetched:

        def row(outcome: str, count: int, rule: str = "", answer: Fetched = answer) -> None:
            rows.append(
                {
                    "source": answer.source.code,
                    "read_at": answer.fetched_at,
                    "outcome": outcome,
                    "rule": rule,
                    "count": count,
                }
            )

        if answer.status in ("ok", "not_found"):
            row("read", 1)
            row("records", answer.records)
            row("values", len(answer.values) + sum(answer.rejected.values()))
            row("touched", sum(1 for value in answer.values.values() if value.rules))
            for rule, count in answer.cleaned.items():
                row("cleaned", count, rule)
            for rule, count in answer.rejected.items():
                row("rejected", count, rule)
        else:
            row("failed", 1, answer.status)
    if rows:
        await db.execute(sa.insert(source_quality), rows)
        tx_state(db).exempt = True  # a ledger of reads, not a change to anyone's data


async def log_accesses(db: Db, entries: list[dict[str, Any]]) -> None:
    """Several accesses in one statement (a prefill logs one per source it asked)."""
    if not entries:
        return
    now = dt.datetime.now(dt.UTC)
    await db.execute(
        sa.insert(data_access),
        [
            {
                "subject_id": e["subject_id"],
                "accessed_at": now,
                "accessor_kind": e["accessor_kind"],
                "department_code": e.get("department_code"),
                "accessor_id": e.get("accessor_id"),
                "accessor_role": e.get("accessor_role"),
                "source": e.get("source"),
                "elements": sorted(e["elements"]),
                "purpose": e["purpose"],
                "target_type": e.get("target_type"),
                "target_id": e.get("target_id"),
                "target_label": None if e.get("target_label") is None else e["target_label"][:100],
            }
            for e in entries
        ],
    )
    tx_state(db).exempt = True  # the access log is itself the record


async def log_access(
    db: Db,
    *,
    subject_id: str,
    accessor_kind: str,
    elements: list[str],
    purpose: str,
    department_code: str | None = None,
    accessor_id: str | None = None,
    accessor_role: str | None = None,
    source: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    target_label: str | None = None,
) -> None:
    """谁查看了我的数据: one access to one person's data elements, for the person to read."""
    await log_accesses(
        db,
        [
            {
                "subject_id": subject_id,
                "accessor_kind": accessor_kind,
                "elements": elements,
                "purpose": purpose,
                "department_code": department_code,
                "accessor_id": accessor_id,
                "accessor_role": accessor_role,
                "source": source,
                "target_type": target_type,
                "target_id": target_id,
                "target_label": target_label,
            }
        ],
    )


async def accesses_of(
    db: Db, *, subject_id: str, limit: int = 50, before_id: int | None = None
) -> list[dict[str, Any]]:
    """A person's access log, newest first."""
    query = (
        sa.select(data_access)
        .where(data_access.c.subject_id == subject_id)
        .order_by(data_access.c.id.desc())
        .limit(limit)
    )
    if before_id is not None:
        query = query.where(data_access.c.id < before_id)
    return [dict(row._mapping) for row in await db.execute(query)]


async def quality_of(db: Db, *, source: str, since: dt.datetime | None = None) -> dict[str, Any]:
    """A source's data quality since a moment: reads, records, values, and by rule."""
    query = (
        sa.select(
            source_quality.c.outcome,
            source_quality.c.rule,
            sa.func.sum(source_quality.c.count).label("total"),
        )
        .where(source_quality.c.source == source)
        .group_by(source_quality.c.outcome, source_quality.c.rule)
    )
    if since is not None:
        query = query.where(source_quality.c.read_at >= since)
    totals: dict[str, int] = Counter()
    cleaned: dict[str, int] = {}
    rejected: dict[str, int] = {}
    failed: dict[str, int] = {}
    for outcome, rule, total in await db.execute(query):
        total = int(total or 0)
        if outcome == "cleaned":
            cleaned[rule] = total
        elif outcome == "rejected":
            rejected[rule] = total
        elif outcome == "failed":
            failed[rule] = total
        else:
            totals[outcome] += total
    return {
        "reads": totals["read"],
        "records_read": totals["records"],
        "values_read": totals["values"],
        "values_cleaned": totals["touched"],
        "values_rejected": sum(rejected.values()),
        "failed_reads": sum(failed.values()),
        "cleaned_by_rule": dict(sorted(cleaned.items(), key=lambda kv: -kv[1])),
        "rejected_by_rule": dict(sorted(rejected.items(), key=lambda kv: -kv[1])),
        "failed_by_status": failed,
    }
