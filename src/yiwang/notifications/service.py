"""Telling people what happened: an in-app message box, and outside channels (SMS, e-mail) behind
one interface. Messages are jobs: enqueued with the change, delivered after commit."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from yiwang import jobs, rawdb
from yiwang.audit import service as audit
from yiwang.audit.models import audit_events
from yiwang.database import Db
from yiwang.errors import NotFound
from yiwang.kit.i18n import t
from yiwang.kit.ids import new_id
from yiwang.notifications.models import notifications
from yiwang.observability import current_request_id

JOB_KIND = "notifications.send"


@dataclasses.dataclass(frozen=True)
class Message:
    """One rendered message, in both languages."""

    account_id: str
    kind: str
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    application_id: str | None


class Channel(Protocol):
    """An outside channel (SMS gateway, e-mail): send must be safe to call twice."""

    name: str

    async def send(self, message: Message, *, job_id: int) -> None: ...


@dataclasses.dataclass
class LogFileChannel:
    """The demo's SMS/e-mail channel: one JSON line per message in a log file."""

    path: Path
    name: str = "logfile"

    async def send(self, message: Message, *, job_id: int) -> None:
        """Append the message (the job id lets a reader drop a repeated delivery)."""
        line = json.dumps(
            {
                "job_id": job_id,
                **dataclasses.asdict(message),
                "sent_at": dt.datetime.now(dt.UTC).isoformat(),
            },
            ensure_ascii=False,
        )

        def write() -> None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")

        await asyncio.to_thread(write)

    async def send_many(self, messages: list[tuple[int, Message]]) -> None:
        """Append many messages in one write."""
        sent_at = dt.datetime.now(dt.UTC).isoformat()
        text = "".join(
            json.dumps(
                {"job_id": job_id, **dataclasses.asdict(message), "sent_at": sent_at},
                ensure_ascii=False,
            )
            + "\n"
            for job_id, message in messages
        )

        def write() -> None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(text)

        await asyncio.to_thread(write)


CHANNELS: list[Channel] = []


def configure(channels: list[Channel]) -> None:
    """Choose the outside channels (the log file in the demo; a gateway in production)."""
    CHANNELS[:] = channels


async def notify(
    db: Db,
    *,
    account_id: str,
    kind: str,
    params: dict[str, Any],
    application_id: str | None = None,
) -> None:
    """Queue a message for an account, in the caller's transaction."""
    await jobs.enqueue(db, JOB_KIND, payload(account_id, kind, params, application_id))


def payload(
    account_id: str, kind: str, params: dict[str, Any], application_id: str | None = None
) -> dict[str, Any]:
    """What a notification job carries (rendered into both languages when it runs)."""
    return {
        "account_id": account_id,
        "kind": kind,
        "params": params,
        "application_id": application_id,
    }


def render(payload: dict[str, Any]) -> Message:
    """The message of a job, in both languages."""
    kind, params = payload["kind"], payload.get("params", {})
    return Message(
        account_id=payload["account_id"],
        kind=kind,
        title_zh=t(f"notice.{kind}.title", "zh", **params),
        title_en=t(f"notice.{kind}.title", "en", **params),
        body_zh=t(f"notice.{kind}.body", "zh", **params),
        body_en=t(f"notice.{kind}.body", "en", **params),
        application_id=payload.get("application_id"),
    )


@jobs.handler(JOB_KIND)
async def deliver(engine: AsyncEngine, job_id: int, payload: dict[str, Any]) -> None:
    """Put the message in the box (once per job), then hand it to the outside channels."""
    await deliver_many(engine, [(job_id, payload)])


_LOOKUP = 100
_DELIVERED = sa.select(notifications.c.job_id).where(
    notifications.c.job_id.in_([sa.bindparam(f"j{n}", type_=sa.BigInteger) for n in range(_LOOKUP)])
)
"""Which of up to ``_LOOKUP`` jobs already left a message: one statement, compiled once, for
any number of them (the list is padded by repeating its last id)."""


@jobs.batch_handler(JOB_KIND)
async def deliver_many(engine: AsyncEngine, batch: list[tuple[int, dict[str, Any]]]) -> None:
    """Many messages at once: the boxes in one transaction on the writer (once per job: a job
    run again finds its message there), then the channels."""
    messages = [(job_id, render(payload)) for job_id, payload in batch]
    raw = rawdb.beside(engine)
    delivered = raw.query("notifications.delivered", lambda: _DELIVERED)
    # Each job's message and audit row are made here, on the event loop; the writer thread
    # only looks up which jobs already left theirs and stores the rest.
    now = dt.datetime.now(dt.UTC)
    request_id = current_request_id()
    rows = {
        job_id: (
            {"id": new_id(), "job_id": job_id, "created_at": now, "read_at": None}
            | dataclasses.asdict(message),
            audit.row(
                actor=None,
                request_id=request_id,
                action="notification.sent",
                target_type="account",
                target_id=message.account_id,
                after={"kind": message.kind, "application_id": message.application_id},
            ),
        )
        for job_id, message in messages
    }

    async def work(tx: Any) -> bool:
        ids = list(rows)
        done: set[int] = set()
        for start in range(0, len(ids), _LOOKUP):
            some = ids[start : start + _LOOKUP]
            some += [some[-1]] * (_LOOKUP - len(some))
            found = await tx.fetch(delivered, **{f"j{n}": job_id for n, job_id in enumerate(some)})
            done.update(row["job_id"] for row in found)
        new = [pair for job_id, pair in rows.items() if job_id not in done]
        await tx.insert_rows(notifications, [message for message, _ in new])
        await tx.insert_rows(audit_events, [audit_row for _, audit_row in new])
        return bool(new)

    if await raw.run(work, background=True):
        audit.request_seal(engine)
    for channel in CHANNELS:
        send_many = getattr(channel, "send_many", None)
        if send_many is not None:
            await send_many(messages)
        else:
            for job_id, message in messages:
                await channel.send(message, job_id=job_id)


async def inbox(db: Db, *, account_id: str, limit: int = 100) -> list[dict[str, Any]]:
    """An account's messages, newest first."""
    query = (
        sa.select(notifications)
        .where(notifications.c.account_id == account_id)
        .order_by(notifications.c.created_at.desc())
        .limit(limit)
    )
    return [
        {
            "id": r.id,
            "kind": r.kind,
            "title": r.title_zh,
            "title_en": r.title_en,
            "body": r.body_zh,
            "body_en": r.body_en,
            "application_id": r.application_id,
            "created_at": r.created_at.isoformat(),
            "read": r.read_at is not None,
        }
        for r in await db.execute(query)
    ]


async def mark_read(db: Db, *, account: audit.Actor, notification_id: str) -> None:
    """Mark one of my messages read; someone else's message does not exist."""
    result = await db.execute(
        sa.update(notifications)
        .where(notifications.c.id == notification_id, notifications.c.account_id == account.id)
        .values(read_at=sa.func.coalesce(notifications.c.read_at, dt.datetime.now(dt.UTC)))
    )
    if not result.rowcount:
        raise NotFound()
    await audit.record(
        db,
        actor=account,
        action="notification.read",
        target_type="notification",
        target_id=notification_id,
    )
