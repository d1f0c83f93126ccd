"""All SQL of the applications domain."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from yiwang.applications.models import application_events, applications
from yiwang.database import Db


async def get(db: Db, application_id: str) -> sa.Row[Any] | None:
    """One application by id."""
    query = sa.select(applications).where(applications.c.id == application_id)
    return (await db.execute(query)).first()


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


async def add_events(db: Db, rows: list[dict[str, Any]]) -> None:
    """Append to applications' timelines."""
    if rows:
        await db.execute(sa.insert(application_events), rows)


async def events(db: Db, application_id: str) -> list[sa.Row[Any]]:
    """An application's timeline, oldest first."""
    query = (
        sa.select(application_events)
        .where(application_events.c.application_id == application_id)
        .order_by(application_events.c.id)
    )
    return list((await db.execute(query)).all())


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
