"""Record state changes in the same transaction; seal and verify the hash chain afterwards."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import functools
import hashlib
import hmac
import json
import logging
import weakref
from collections.abc import Mapping
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from yiwang import rawdb
from yiwang.audit.masking import mask
from yiwang.audit.models import audit_events as t
from yiwang.background import Coalescer
from yiwang.database import Db, transaction, tx_state
from yiwang.observability import current_request_id

log = logging.getLogger("yiwang.audit")
GENESIS = "0" * 64
SEAL_BATCH = 200  # rows per sealing transaction
SEAL_CHUNK = 50  # rows hashed between two turns of the event loop
_ADVISORY_LOCK = 0x79697761  # "yiwa": one sealer at a time across instances
_FIELDS = (
    "id",
    "occurred_at",
    "actor_id",
    "actor",
    "action",
    "target_type",
    "target_id",
    "request_id",
    "summary",
)


class Actor(Protocol):
    """Whoever caused a change: an account, or a named system process."""

    @property
    def id(self) -> str | None: ...

    @property
    def label(self) -> str: ...


@dataclasses.dataclass(frozen=True)
class SystemActor:
    """A change made by yiwang itself or an operator's command, not a signed-in person."""

    label: str = "system"
    id: str | None = None


async def record(
    db: Db,
    *,
    actor: Actor | None,
    action: str,
    target_type: str | None = None,
    target_id: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Write the audit row of a state change inside that change's transaction."""
    await record_many(
        db,
        [
            row(
                actor=actor,
                action=action,
                target_type=target_type,
                target_id=target_id,
                before=before,
                after=after,
                request_id=current_request_id(),
            )
        ],
    )


_INSERT = sa.insert(t)  # built once: a statement's cache key is computed once


async def record_many(db: Db, rows: list[dict[str, Any]]) -> None:
    """Write several audit rows (made by ``row``) in one statement, inside their transaction."""
    if not rows:
        return
    await db.execute(_INSERT, rows)
    state = tx_state(db)
    if not state.audited:
        state.audited = True
        engine = db.engine
        state.after_commit.append(lambda: request_seal(engine))


def row(
    *,
    actor: Actor | None,
    action: str,
    request_id: str | None,
    target_type: str | None = None,
    target_id: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The audit row of a state change, for a writer that inserts rows itself (the submission
    path), with the request's id read where the request's context is (``rows()`` of a submission
    may run on the writer's thread)."""
    who = actor or SystemActor()
    return {
        "occurred_at": dt.datetime.now(dt.UTC),
        "actor_id": who.id,
        "actor": who.label[:100],
        "action": action,
        "target_type": target_type,
        "target_id": None if target_id is None else str(target_id),
        "request_id": request_id,
        "summary": {"before": mask(before), "after": mask(after)},
    }


def _canonical_time(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds")


_keys: weakref.WeakKeyDictionary[AsyncEngine, bytes] = weakref.WeakKeyDictionary()


def bind_key(engine: AsyncEngine, key: bytes) -> None:
    """Give the sealer of this engine's audit log its HMAC key (kept outside the database)."""
    _keys[engine] = key


def _key_for(engine: AsyncEngine, key: bytes | None) -> bytes:
    found = key or _keys.get(engine)
    if not found:
        raise RuntimeError("no audit key bound to this engine: call audit.bind_key first")
    return found


def row_hash(row: Mapping[str, Any], *, seq: int, prev_hash: str, key: bytes) -> str:
    """HMAC-SHA-256 over the row's content, its place in the chain and its predecessor's hash.

    Keyed, so that someone who can write to the database but does not hold the key cannot
    rewrite the rows after an edit and make the chain whole again.
    """
    content = {name: row[name] for name in _FIELDS}
    content["occurred_at"] = _canonical_time(content["occurred_at"])
    content["seq"] = seq
    content["prev_hash"] = prev_hash
    blob = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key, blob.encode(), hashlib.sha256).hexdigest()


def _head_query() -> sa.Select[Any]:
    return (
        sa.select(t.c.seq, t.c.hash).where(t.c.seq.is_not(None)).order_by(t.c.seq.desc()).limit(1)
    )


def _unsealed_query(batch: int) -> sa.Select[Any]:
    return (
        sa.select(*[t.c[name] for name in _FIELDS])
        .where(t.c.seq.is_(None))
        .order_by(t.c.id)
        .limit(batch)
    )


def _lock_query() -> sa.Select[Any]:
    return sa.select(sa.func.pg_advisory_xact_lock(_ADVISORY_LOCK))


def _seal_query() -> sa.Update:
    return (
        sa.update(t)
        .where(t.c.id == sa.bindparam("_id"))
        .values(
            seq=sa.bindparam("_seq"), prev_hash=sa.bindparam("_prev"), hash=sa.bindparam("_hash")
        )
    )


async def _last_sealed(tx: Any, raw: rawdb.RawDatabase) -> tuple[int, str] | None:
    """The last sealed row's seq and hash, if any row is sealed (``tx``: a raw transaction)."""
    found = await tx.fetch(raw.query("audit.head", _head_query))
    return (found[0]["seq"], found[0]["hash"]) if found else None


async def _store_seals(
    tx: Any, *, raw: rawdb.RawDatabase, base: tuple[int, str] | None, updates: list[dict[str, Any]]
) -> bool:
    """Store a pass's seals if the chain's head is still ``base``; False if it moved."""
    if raw.dialect.name == "postgresql":  # one sealer at a time across instances
        await tx.fetch(raw.query("audit.lock", _lock_query))
    if await _last_sealed(tx, raw) != base:
        return False
    await tx.run_many(raw.query("audit.seal", _seal_query), updates)
    return True


async def seal(engine: AsyncEngine, *, key: bytes | None = None, batch: int = SEAL_BATCH) -> int:
    """Chain every committed, unsealed row, in commit order; returns how many were sealed.

    A pass reads the chain's head and the next rows in a read-only snapshot, hashes them
    between turns of the event loop, and only then writes, on the process's writer (see
    ``rawdb.beside``): it checks that the head is still the one it hashed from (another
    instance's sealer may have moved it; then the pass starts again from the new one) and
    stores the seals. Holding the write lock while hashing held every other writer up: on
    SQLite the lock is the whole database's, and under a surge a pass kept the submissions'
    writer waiting for up to 230 ms.
    """
    key = _key_for(engine, key)
    raw = rawdb.beside(engine)
    unsealed = raw.query(("audit.unsealed", batch), lambda: _unsealed_query(batch))

    async def snapshot(tx: Any) -> tuple[tuple[int, str] | None, list[dict[str, Any]]]:
        return await _last_sealed(tx, raw), await tx.fetch(unsealed)

    total = 0
    while True:
        base, rows = await raw.read(snapshot)  # the head this pass hashes from, and what follows
        if not rows:
            return total
        seq, prev = base or (0, GENESIS)
        updates = []
        for start in range(0, len(rows), SEAL_CHUNK):
            if start:
                await asyncio.sleep(0)  # the event loop serves requests between two chunks
            for row in rows[start : start + SEAL_CHUNK]:
                seq += 1
                digest = row_hash(row, seq=seq, prev_hash=prev, key=key)
                updates.append({"_id": row["id"], "_seq": seq, "_prev": prev, "_hash": digest})
                prev = digest

        stored = functools.partial(_store_seals, raw=raw, base=base, updates=updates)
        if not await raw.run(stored, background=True):
            continue
        total += len(rows)
        # The head goes to the log too: shipped off this machine, it is the anchor that shows
        # whether rows were later cut from the end of the chain.
        log.info("audit sealed", extra={"audit_head_seq": seq, "audit_head_hash": prev})
        if len(rows) < batch:
            return total


_sealer = Coalescer("sealing the audit chain", seal, spacing=0.5)
request_seal = _sealer.request
drain = _sealer.drain
"""Seal soon, in the background; wait for that (at shutdown and in tests)."""


def _aware(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


@dataclasses.dataclass
class Verification:
    """The outcome of checking the chain: where it first breaks, if it does."""

    ok: bool
    checked: int
    unsealed: int
    first_bad_seq: int | None = None
    first_bad_id: int | None = None
    problem: str | None = None


async def head(engine: AsyncEngine) -> tuple[int, str] | None:
    """The last sealed row's place and hash: record it elsewhere to detect a cut tail later."""
    raw = rawdb.beside(engine)
    return await raw.read(lambda tx: _last_sealed(tx, raw))


async def verify(
    engine: AsyncEngine,
    *,
    key: bytes | None = None,
    expect_head: tuple[int, str] | None = None,
    grace: dt.timedelta = dt.timedelta(minutes=5),
) -> Verification:
    """Recompute the chain and report the first row edited, inserted or deleted out of order."""
    key = _key_for(engine, key)
    checked = 0
    expected_seq, prev = 1, GENESIS
    head_hash: str | None = None
    async with transaction(engine, write=False, strict_audit=False) as db:
        result = await db.stream(
            sa.select(*[t.c[n] for n in _FIELDS], t.c.seq, t.c.prev_hash, t.c.hash)
            .where(t.c.seq.is_not(None))
            .order_by(t.c.seq)
        )
        max_sealed_id = 0
        prev_time: dt.datetime | None = None
        async for row in result:
            checked += 1
            max_sealed_id = max(max_sealed_id, row.id)
            if row.seq != expected_seq:
                return Verification(
                    False,
                    checked,
                    0,
                    row.seq,
                    row.id,
                    f"sequence jumps from {expected_seq - 1} to {row.seq}: "
                    "rows were deleted or inserted",
                )
            if row.prev_hash != prev:
                return Verification(
                    False,
                    checked,
                    0,
                    row.seq,
                    row.id,
                    "link to the previous row is broken: a row before it was deleted or replaced",
                )
            if expect_head is not None and row.seq == expect_head[0]:
                head_hash = row.hash
            if row_hash(row._mapping, seq=row.seq, prev_hash=prev, key=key) != row.hash:
                return Verification(
                    False, checked, 0, row.seq, row.id, "row content was edited after sealing"
                )
            occurred = _aware(row.occurred_at)
            if prev_time is not None and occurred < prev_time - grace:
                return Verification(
                    False,
                    checked,
                    0,
                    row.seq,
                    row.id,
                    "row is dated long before the row sealed ahead of it: inserted out of order",
                )
            prev_time = max(prev_time or occurred, occurred)
            prev = row.hash
            expected_seq += 1
        cutoff = dt.datetime.now(dt.UTC) - grace
        unsealed = (
            await db.execute(
                sa.select(t.c.id, t.c.occurred_at).where(t.c.seq.is_(None)).order_by(t.c.id)
            )
        ).all()
    if expect_head is not None:
        seq, digest = expect_head
        if checked < seq:
            return Verification(
                False,
                checked,
                len(unsealed),
                checked + 1,
                None,
                f"the chain ends at seq {checked}, before the recorded head {seq}: "
                "rows were deleted from its end",
            )
        if head_hash != digest:
            return Verification(
                False,
                checked,
                len(unsealed),
                seq,
                None,
                "the row at the recorded head differs from the recorded hash",
            )
    for row in unsealed:
        occurred = _aware(row.occurred_at)
        if row.id < max_sealed_id and occurred < cutoff:
            return Verification(
                False,
                checked,
                len(unsealed),
                None,
                row.id,
                "an unsealed row sits among sealed ones: inserted out of order",
            )
    return Verification(True, checked, len(unsealed))
