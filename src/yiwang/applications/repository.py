"""All SQL of the applications domain."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import sqlalchemy as sa

from yiwang.applications.models import application_events, applications
from yiwang.database import Db


@functools.cache
def by_idempotency_key_query() -> sa.Select[Any]:
    """The application an applicant stored under a key (``applicant_id``, ``key``)."""
    return sa.select(applications.c.id, applications.c.request_digest).where(
        applications.c.applicant_id == sa.bindparam("applicant_id", type_=sa.String),
        applications.c.idempotency_key == sa.bindparam("key", type_=sa.String),
    )


# The submission writer's statements, for its raw transaction (``rawdb``) on either database.
_BY_KEYS_POSTGRESQL = (
    "SELECT a.id, a.applicant_id, a.idempotency_key, a.request_digest FROM applications a"
    " JOIN unnest($1::varchar[], $2::varchar[]) AS k(applicant_id, idempotency_key)"
    " ON a.applicant_id = k.applicant_id AND a.idempotency_key = k.idempotency_key"
)
_COUNTER = {
    # The day's counter moves once for a whole group, by the number of new applications.
    "sqlite": 'INSERT INTO tracking_counters (day, "last") VALUES (?, ?)'
    ' ON CONFLICT (day) DO UPDATE SET "last" = tracking_counters."last" + excluded."last"'
    ' RETURNING "last"',
    "postgresql": 'INSERT INTO tracking_counters (day, "last") VALUES ($1, $2)'
    ' ON CONFLICT (day) DO UPDATE SET "last" = tracking_counters."last" + excluded."last"'
    ' RETURNING "last"',
}


async def stored_under_keys(
    tx: Any, keyed: list[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, str]]:
    """Applications stored under these (applicant, key) pairs: pair → (id, request digest)."""
    if tx.db.dialect.name == "sqlite":
        query = tx.db.query("by_key", by_idempotency_key_query)
        found = {}
        for applicant_id, key in keyed:
            for row in await tx.fetch(query, applicant_id=applicant_id, key=key):
                found[(applicant_id, key)] = (row["id"], row["request_digest"])
        return found
    rows = await tx.execute(_BY_KEYS_POSTGRESQL, ([a for a, _ in keyed], [k for _, k in keyed]))
    return {(r["applicant_id"], r["idempotency_key"]): (r["id"], r["request_digest"]) for r in rows}


async def move_counter(tx: Any, day: dt.date, by: int) -> int:
    """Move the day's tracking counter on by ``by``; returns its new last number."""
    rows = await tx.execute(_COUNTER[tx.db.dialect.name], (day.strftime("%Y%m%d"), by))
    return int(rows[0][0])


@functools.cache
def by_id_query() -> sa.Select[Any]:
    """One application by id (bound as ``application_id``)."""
    return sa.select(applications).where(
        applications.c.id == sa.bindparam("application_id", type_=sa.String)
    )


async def get(db: Db, application_id: str) -> sa.Row[Any] | None:
    """One application by id."""
    return (await db.execute(by_id_query(), {"application_id": application_id})).first()


async def mine(db: Db, applicant_id: str) -> list[sa.Row[Any]]:
    """An applicant's applications, newest first."""
    query = (
        sa.select(applications)
        .where(applications.c.applicant_id == applicant_id)
        .order_by(applications.c.created_at.desc())
    )
    return list((await db.execute(query)).all())


async def update(db: Db, application_id: str, values: dict[str, Any]) -> None:
    """Change one application."""
    await db.execute(
        sa.update(applications).where(applications.c.id == application_id).values(**values)
    )


def event_row(
    application_id: str,
    kind: str,
    detail: dict[str, Any],
    *,
    actor: Any = None,
    branch_id: str | None = None,
) -> dict[str, Any]:
    """A timeline entry: by an account (``actor``), or by the platform itself (None)."""
    return {
        "application_id": application_id,
        "branch_id": branch_id,
        "at": dt.datetime.now(dt.UTC),
        "actor_id": actor.id if actor else None,
        "actor_kind": actor.kind if actor else None,
        "kind": kind,
        "detail": detail,
    }


async def add_events(db: Db, rows: list[dict[str, Any]]) -> None:
    """Append to applications' timelines."""
    if rows:
        await db.execute(sa.insert(application_events), rows)


@functools.cache
def events_query() -> sa.Select[Any]:
    """An application's timeline (bound as ``application_id``), oldest first."""
    return (
        sa.select(application_events)
        .where(
            application_events.c.application_id == sa.bindparam("application_id", type_=sa.String)
        )
        .order_by(application_events.c.id)
    )


async def events(db: Db, application_id: str) -> list[sa.Row[Any]]:
    """An application's timeline, oldest first."""
    return list((await db.execute(events_query(), {"application_id": application_id})).all())


async def tracking_nos(db: Db, application_ids: list[str]) -> dict[str, str]:
    """Tracking numbers by application id."""
    if not application_ids:
        return {}
    query = sa.select(applications.c.id, applications.c.tracking_no).where(
        applications.c.id.in_(application_ids)
    )
    return {row.id: row.tracking_no for row in await db.execute(query)}


async def lock(db: Db, application_id: str) -> None:
    """Serialise the verbs on one application (PostgreSQL; SQLite has one writer anyway)."""
    if db.dialect.name == "postgresql":
        await db.execute(
            sa.select(applications.c.id)
            .where(applications.c.id == application_id)
            .with_for_update()
        )


async def finished_between(
    db: Db, *, since: dt.datetime, until: dt.datetime, statuses: tuple[str, ...]
) -> int:
    """How many applications finished (in these statuses) in [since, until)."""
    query = sa.select(sa.func.count()).where(
        applications.c.completed_at >= since,
        applications.c.completed_at < until,
        applications.c.status.in_(statuses),
    )
    return int((await db.execute(query)).scalar_one())
