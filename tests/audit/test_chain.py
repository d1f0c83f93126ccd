"""The audit log: a row per change in the same transaction, masked, hash-chained, verifiable."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx
import pytest
import sqlalchemy as sa

from yiwang.audit import service as audit
from yiwang.audit.models import audit_events
from yiwang.database import UnauditedChange, transaction
from yiwang.identity.models import accounts

pytestmark = pytest.mark.anyio


async def rows(engine, action: str) -> list[sa.Row]:
    async with engine.connect() as conn:
        result = await conn.execute(sa.select(audit_events).where(audit_events.c.action == action))
        return list(result.all())


async def test_registration_writes_a_masked_audit_row_with_the_request_id(
    client: httpx.AsyncClient, engine
) -> None:
    response = await client.post(
        "/api/v1/auth/register",
        json={
            "name": "赵敏",
            "id_number": "330523199512120022",
            "phone": "13812345678",
            "password": "bamboo-2026",
        },
        headers={"X-Request-ID": "req-audit-1"},
    )
    assert response.status_code == 201
    assert response.headers["x-request-id"] == "req-audit-1"
    [row] = await rows(engine, "account.registered")
    assert row.request_id == "req-audit-1"
    assert row.actor_id == response.json()["id"]
    after = row.summary["after"]
    assert after["id_number"] == "330523********0022"
    assert after["phone"] == "138****5678"
    assert after["name"] == "赵*"
    assert "password" not in after and "password_hash" not in after
    text = str(row.summary)
    assert "330523199512120022" not in text and "13812345678" not in text


async def test_a_change_that_fails_after_its_insert_leaves_no_account_and_no_audit_row(
    client: httpx.AsyncClient, engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The account row is written, then the audit write fails: the whole registration must go.
    from yiwang.identity import service as identity

    real_record = audit.record

    async def failing_record(db, **kwargs):
        if kwargs.get("action") == "account.registered":
            raise RuntimeError("audit store unavailable")
        await real_record(db, **kwargs)

    monkeypatch.setattr(identity.audit, "record", failing_record)
    async with engine.connect() as conn:
        before = (await conn.execute(sa.select(sa.func.count()).select_from(accounts))).scalar()
    transport = httpx.ASGITransport(app=client._transport.app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        response = await c.post(
            "/api/v1/auth/register",
            json={
                "name": "赵敏",
                "id_number": "330523199512120022",
                "phone": "13812345678",
                "password": "bamboo-2026",
            },
        )
    assert response.status_code == 500
    async with engine.connect() as conn:
        after = (await conn.execute(sa.select(sa.func.count()).select_from(accounts))).scalar()
    assert after == before
    assert await rows(engine, "account.registered") == []


async def test_a_realname_mismatch_is_counted_but_creates_nothing(
    client: httpx.AsyncClient, engine
) -> None:
    response = await client.post(
        "/api/v1/auth/register",
        json={
            "name": "赵明",
            "id_number": "330523199512120022",
            "phone": "13812345678",
            "password": "bamboo-2026",
        },
    )
    assert response.status_code == 422
    assert await rows(engine, "account.registered") == []
    [failed] = await rows(engine, "account.realname_failed")
    assert failed.summary["after"]["client_address"] == "203.0.113.7"


async def test_refused_sign_in_is_recorded_even_though_the_request_fails(
    client: httpx.AsyncClient, engine
) -> None:
    await client.post(
        "/api/v1/auth/token", data={"username": "citizen1", "password": "wrong-pass-9"}
    )
    [row] = await rows(engine, "auth.sign_in_failed")
    assert row.summary["after"]["client_address"] == "203.0.113.7"


async def test_a_write_without_an_audit_row_is_refused(engine) -> None:
    with pytest.raises(UnauditedChange):
        async with transaction(engine) as db:
            await db.execute(sa.update(accounts).values(name="悄悄改名"))
    async with engine.connect() as conn:
        names = (await conn.execute(sa.select(accounts.c.name))).scalars().all()
    assert "悄悄改名" not in names


async def test_chain_verifies_after_real_traffic(client: httpx.AsyncClient, engine) -> None:
    for _ in range(3):
        await client.post(
            "/api/v1/auth/token", data={"username": "citizen1", "password": "yiwang-demo"}
        )
    await audit.drain(engine)
    await audit.seal(engine)
    result = await audit.verify(engine)
    assert result.ok, result
    assert result.checked > 30 and result.unsealed == 0


async def _tamper(engine, statement: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(sa.text(statement))


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ("UPDATE audit_events SET actor = 'someone-else' WHERE seq = 7", "edited"),
        ("DELETE FROM audit_events WHERE seq = 7", "deleted"),
        ("UPDATE audit_events SET seq = seq + 1000 WHERE seq >= 7", "deleted or inserted"),
    ],
)
async def test_tampering_is_found_at_the_first_bad_row(
    engine, statement: str, problem: str
) -> None:
    assert (await audit.verify(engine)).ok
    await _tamper(engine, statement)
    result = await audit.verify(engine)
    assert not result.ok
    assert result.first_bad_seq in (7, 8, 1007)
    assert problem in result.problem


async def test_a_row_slipped_in_later_with_an_old_date_is_found(engine) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            sa.insert(audit_events).values(
                occurred_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
                actor="forger",
                action="account.created",
                summary={"before": None, "after": None},
            )
        )
    await audit.seal(engine)
    result = await audit.verify(engine)
    assert not result.ok
    assert "inserted out of order" in result.problem


async def test_rewriting_the_chain_without_the_key_is_found(engine) -> None:
    # Someone edits a row and recomputes every later hash, but with a key of their own.
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(audit_events).order_by(audit_events.c.seq))).all()
    forged_key = b"not-the-real-key"
    prev = audit.GENESIS
    async with engine.begin() as conn:
        for row in rows:
            values = row._asdict()
            if row.seq == 5:
                values["actor"] = "someone-else"
            forged = audit.row_hash(values, seq=row.seq, prev_hash=prev, key=forged_key)
            await conn.execute(
                sa.update(audit_events)
                .where(audit_events.c.id == row.id)
                .values(actor=values["actor"], prev_hash=prev, hash=forged)
            )
            prev = forged
    result = await audit.verify(engine)
    assert not result.ok
    assert result.first_bad_seq == 1


async def sealed_head(engine) -> int:
    """Seal what is waiting; the chain's last seq."""
    await audit.drain(engine)
    await audit.seal(engine)
    head = await audit.head(engine)
    return head[0] if head else 0


async def record_backlog(engine, action: str, count: int) -> None:
    """``count`` audit rows of ``action`` in one transaction, target ids 0, 1, …"""
    async with transaction(engine) as db:
        await audit.record_many(
            db,
            [
                audit.row(actor=None, action=action, target_id=str(n), request_id=None)
                for n in range(count)
            ],
        )


async def assert_one_chain_in_commit_order(engine, action: str, *, after: int, count: int) -> None:
    """The chain verifies with nothing waiting, and the ``count`` rows of ``action`` follow seq
    ``after`` one by one, in the order they were recorded."""
    result = await audit.verify(engine)
    assert result.ok, result
    assert result.unsealed == 0
    async with engine.connect() as conn:
        sealed = (
            await conn.execute(
                sa.select(audit_events.c.seq, audit_events.c.target_id)
                .where(audit_events.c.action == action)
                .order_by(audit_events.c.seq)
            )
        ).all()
    assert [r.seq for r in sealed] == list(range(after + 1, after + 1 + count))
    assert [r.target_id for r in sealed] == [str(n) for n in range(count)]  # commit order


async def test_a_long_backlog_is_sealed_in_chunks_into_one_unbroken_chain(engine) -> None:
    head = await sealed_head(engine)
    # More than a sealing batch, not a multiple of its chunks: several transactions, a short
    # last chunk.
    backlog = audit.SEAL_BATCH + 2 * audit.SEAL_CHUNK + 7
    await record_backlog(engine, "test.backlog", backlog)
    await audit.drain(engine)  # the commit asked for a pass in the background
    await audit.seal(engine)
    await assert_one_chain_in_commit_order(engine, "test.backlog", after=head, count=backlog)


async def test_sealers_passing_at_once_make_one_chain_with_every_row_sealed_once(engine) -> None:
    # Instances' sealers can pass at the same moment. Each hashes outside the write lock, from
    # the head it read; one that comes to store after another finds the head moved and starts
    # again from it. Here three race: the commit's own background pass and two more.
    head = await sealed_head(engine)
    backlog = 2 * audit.SEAL_BATCH + audit.SEAL_CHUNK + 3
    await record_backlog(engine, "test.race", backlog)
    counts = await asyncio.gather(audit.seal(engine), audit.seal(engine))
    await audit.drain(engine)
    assert sum(counts) <= backlog
    await assert_one_chain_in_commit_order(engine, "test.race", after=head, count=backlog)
