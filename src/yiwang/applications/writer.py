"""The write path of 一次申请: prepared submissions written in groups, one transaction per group.

A submission is checked and turned into rows before it reaches the database (``service.submit``);
here a process's submissions wait for the group being written, then go in together: one
transaction holds the idempotency check of each, one tracking-number step for all of them, and
one batched insert (``executemany``) per table. Each submission is acknowledged only after that
commit, so a 201 always means stored; a group costs one lock hand-over and one commit however
many it carries. This is how SQLite's single writer becomes throughput, and how PostgreSQL stops
serialising every submitter on the day's tracking counter
(``../shared/docs/performance-baselines.md``).

The reads a submission needs before it can be written (who holds the token, the staff of a
会签 step, the certificates the applicant holds, an earlier submission under the same key) go
through the same raw driver.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from yiwang import jobs
from yiwang.applications import repository as repo
from yiwang.applications.tracking import tracking_no
from yiwang.audit import service as audit
from yiwang.certificates.service import valid_of_type_query
from yiwang.database import UnauditedChange, metadata
from yiwang.identity import repository as identity_repo
from yiwang.rawdb import IntegrityViolation, RawDatabase, Row

log = logging.getLogger("yiwang.writer")
MAX_GROUP = 64
"""Submissions written in one transaction at most. What waits is bounded by admission control
(YIWANG_MAX_IN_FLIGHT), plus the few whose clients gave up while their write was pending."""

TableRows = list[tuple[sa.Table, list[Row]]]


@dataclasses.dataclass
class Prepared:
    """A checked submission, ready to write once it has its tracking number."""

    application_id: str
    applicant_id: str
    idempotency_key: str | None
    request_digest: str
    region_code: str
    day: dt.date
    rows: Callable[[str], TableRows]
    """The rows to insert, given the tracking number."""


@dataclasses.dataclass
class Outcome:
    """What writing a submission did: stored it now, or found it already stored under its key."""

    tracking_no: str | None = None
    rows: TableRows | None = None
    earlier_id: str | None = None
    earlier_digest: str | None = None

    @property
    def created(self) -> bool:
        """Whether this submission was stored now (False: an earlier one had its key)."""
        return self.tracking_no is not None


@dataclasses.dataclass
class _Waiting:
    item: Prepared
    future: asyncio.Future[Outcome]


def _order(rows: TableRows) -> TableRows:
    """Rows grouped per table, tables in the metadata's dependency order."""
    by_table: dict[str, tuple[sa.Table, list[Row]]] = {}
    for table, batch in rows:
        if batch:
            by_table.setdefault(table.name, (table, []))[1].extend(batch)
    rank = {t.name: i for i, t in enumerate(metadata.sorted_tables)}
    return sorted(by_table.values(), key=lambda pair: rank[pair[0].name])


class SubmissionWriter:
    """One process's submission writer, over its own raw connection(s)."""

    def __init__(self, raw: RawDatabase, engine: AsyncEngine, *, max_group: int = MAX_GROUP):
        self.raw, self.engine, self.max_group = raw, engine, max_group
        self._waiting: list[_Waiting] = []
        self._writing: asyncio.Task[None] | None = None
        self.groups = 0  # groups written (tests read it)

    # ---- reads -------------------------------------------------------------------------------

    async def session(self, token_hash: str) -> Row | None:
        """A session and its account, by the token's hash."""
        query = self.raw.query("session", identity_repo.session_with_account_query)
        found = await self.raw.fetch(query, token_hash=token_hash)
        return found[0] if found else None

    async def officers(self, department: str, role: str) -> list[str]:
        """Who holds a role in a department (for a 会签 step's tasks)."""
        query = self.raw.query("staff", identity_repo.staff_query)
        return identity_repo.holding(await self.raw.fetch(query, department_code=department), role)

    async def held_certificates(
        self, account_id: str, kinds: set[str], today: dt.date
    ) -> dict[str, Row | None]:
        """The applicant's newest valid certificate of each type (免证办)."""
        query = self.raw.query("certificate", valid_of_type_query)
        held: dict[str, Row | None] = {}
        for kind in sorted(kinds):
            found = await self.raw.fetch(query, account_id=account_id, kind=kind, today=today)
            held[kind] = found[0] if found else None
        return held

    async def stored_under(self, applicant_id: str, key: str) -> tuple[str, str] | None:
        """The application (id, request digest) an applicant already stored under a key."""
        pair = (applicant_id, key)
        return (await self.raw.read(lambda tx: repo.stored_under_keys(tx, [pair]))).get(pair)

    # ---- writes ------------------------------------------------------------------------------

    async def submit(self, item: Prepared) -> Outcome:
        """Write one submission with whatever else is waiting; returns once it is committed."""
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        # A client that gave up leaves nobody to read a failure: mark it read, it is logged.
        future.add_done_callback(_retrieve)
        self._waiting.append(_Waiting(item, future))
        if self._writing is None or self._writing.done():
            self._writing = asyncio.create_task(self._write_waiting())
        # A client that gives up does not stop the write: its retry with the same key finds it.
        return await asyncio.shield(future)

    async def _write_waiting(self) -> None:
        while self._waiting:
            group = self._waiting[: self.max_group]
            del self._waiting[: self.max_group]
            try:
                outcomes = await self.raw.run(lambda tx, g=group: _write(tx, [w.item for w in g]))
            except IntegrityViolation:
                # Another process stored one of these keys a moment ago: one by one, each
                # finding what it must.
                await self._one_by_one(group)
                continue
            except Exception as exc:
                log.exception("a group of %d submissions could not be written", len(group))
                for waiting in group:
                    if not waiting.future.done():
                        waiting.future.set_exception(exc)
                continue
            self._committed(group, outcomes)

    async def _one_by_one(self, group: list[_Waiting]) -> None:
        for waiting in group:
            for attempt in range(2):
                try:
                    outcome = await self.raw.run(lambda tx, w=waiting: _write(tx, [w.item]))
                except IntegrityViolation as exc:
                    if attempt == 1:
                        waiting.future.set_exception(exc)
                    continue
                except Exception as exc:
                    waiting.future.set_exception(exc)
                    break
                self._committed([waiting], outcome)
                break

    def _committed(self, group: list[_Waiting], outcomes: list[Outcome]) -> None:
        self.groups += 1
        if any(o.created for o in outcomes):
            # The audit rows are chained and the notifications sent after the commit, in batches.
            audit.request_seal(self.engine)
            jobs.request_run(self.engine)
        for waiting, outcome in zip(group, outcomes, strict=True):
            if not waiting.future.done():
                waiting.future.set_result(outcome)

    async def close(self) -> None:
        """Finish what waits (at shutdown). The raw database is its owner's to close: the
        application's is ``rawdb.beside`` its engine, closed with it."""
        if self._writing is not None:
            await asyncio.wait({self._writing})


async def _stored_keys(tx: Any, items: list[Prepared]) -> dict[tuple[str, str], tuple[str, str]]:
    """The applications already stored under these submissions' keys: key → (id, digest)."""
    keyed = [(i.applicant_id, i.idempotency_key) for i in items if i.idempotency_key]
    return await repo.stored_under_keys(tx, keyed) if keyed else {}


async def _write(tx: Any, items: list[Prepared]) -> list[Outcome]:
    """One group in one transaction (runs on either driver; see ``RawDatabase.run``)."""
    stored = await _stored_keys(tx, items)
    outcomes: list[Outcome] = []
    first_in_group: dict[tuple[str, str], Prepared] = {}
    new: list[tuple[int, Prepared]] = []
    for index, item in enumerate(items):
        key = (item.applicant_id, item.idempotency_key) if item.idempotency_key else None
        if key is not None and key in stored:
            earlier_id, digest = stored[key]
            outcomes.append(Outcome(earlier_id=earlier_id, earlier_digest=digest))
        elif key is not None and key in first_in_group:
            # The same key twice in one group: the second is a replay of the first.
            first = first_in_group[key]
            outcomes.append(
                Outcome(earlier_id=first.application_id, earlier_digest=first.request_digest)
            )
        else:
            if key is not None:
                first_in_group[key] = item
            outcomes.append(Outcome())
            new.append((index, item))
    everything: TableRows = []
    by_day: dict[dt.date, list[tuple[int, Prepared]]] = {}
    for index, item in new:
        by_day.setdefault(item.day, []).append((index, item))
    for day, todays in sorted(by_day.items()):
        last = await repo.move_counter(tx, day, len(todays))
        for offset, (index, item) in enumerate(todays):
            number = tracking_no(item.region_code, day, last - len(todays) + 1 + offset)
            rows = item.rows(number)
            if not any(table.name == "audit_events" and batch for table, batch in rows):
                raise UnauditedChange(f"submission {item.application_id} has no audit row")
            outcomes[index] = Outcome(tracking_no=number, rows=rows)
            everything.extend(rows)
    for table, rows in _order(everything):
        await tx.insert_rows(table, rows)
    return outcomes


def _retrieve(future: asyncio.Future[Outcome]) -> None:
    if not future.cancelled():
        future.exception()
