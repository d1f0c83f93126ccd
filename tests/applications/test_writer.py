"""The submission writer: submissions arriving together are stored together, each acknowledged
only once stored, numbered without gaps, and a key never makes two applications — not even when
two processes' writers race on it."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import sqlalchemy as sa

from tests.applications.helpers import answers, bundle_form
from tests.conftest import sign_in
from yiwang.applications import service as applications
from yiwang.applications.models import applications as applications_table
from yiwang.applications.tracking import is_valid
from yiwang.applications.writer import SubmissionWriter
from yiwang.audit import service as audit
from yiwang.audit.models import audit_events
from yiwang.database import transaction
from yiwang.errors import Conflict
from yiwang.identity import repository as identity_repo
from yiwang.identity.service import Account
from yiwang.rawdb import RawDatabase

pytestmark = pytest.mark.anyio


async def stored_count(engine) -> int:
    async with transaction(engine, write=False) as db:
        return (
            await db.execute(sa.select(sa.func.count()).select_from(applications_table))
        ).scalar_one()


async def test_a_crowd_of_submissions_is_stored_together_and_numbered_without_gaps(
    client: httpx.AsyncClient, app
) -> None:
    citizen = await sign_in(client, "citizen1")
    schema = await bundle_form(client, "open-restaurant")
    groups_before = app.state.submissions.groups

    async def one(n: int) -> httpx.Response:
        return await client.post(
            "/api/v1/applications",
            json={"bundle": "open-restaurant", "form": answers(schema, enterprise_name=f"竹韵{n}")},
            headers={**citizen, "Idempotency-Key": f"crowd-{n}"},
        )

    results = await asyncio.gather(*[one(n) for n in range(40)])
    assert [r.status_code for r in results] == [201] * 40
    documents = [r.json() for r in results]
    # Each answer is the application as stored, read back the same.
    for document in documents[:3]:
        again = await client.get(f"/api/v1/applications/{document['id']}", headers=citizen)
        assert again.json() == document
    numbers = sorted(d["tracking_no"] for d in documents)
    assert all(is_valid(n) for n in numbers)
    sequences = [int(n[14:20]) for n in numbers]
    assert sequences == list(range(sequences[0], sequences[0] + 40))  # no gaps, no repeats
    assert await stored_count(app.state.engine) == 40
    # Stored in fewer transactions than submissions: they waited for each other's commit.
    assert app.state.submissions.groups - groups_before < 40
    await audit.drain(app.state.engine)
    await audit.seal(app.state.engine)
    assert (await audit.verify(app.state.engine)).ok


async def test_the_same_key_with_a_different_form_sent_at_once_is_a_conflict(
    client: httpx.AsyncClient, app
) -> None:
    citizen = await sign_in(client, "citizen1")
    schema = await bundle_form(client, "open-restaurant")
    headers = {**citizen, "Idempotency-Key": "two-forms-one-key"}
    first, second = await asyncio.gather(
        *[
            client.post(
                "/api/v1/applications",
                json={"bundle": "open-restaurant", "form": answers(schema, enterprise_name=name)},
                headers=headers,
            )
            for name in ("竹韵茶业", "竹韵茶馆")
        ]
    )
    assert sorted([first.status_code, second.status_code]) == [201, 409]
    refused = first if first.status_code == 409 else second
    assert refused.json()["error"]["code"] == "idempotency_conflict"
    assert await stored_count(app.state.engine) == 1


async def test_two_processes_writers_racing_on_one_key_make_one_application(
    client: httpx.AsyncClient, app, settings
) -> None:
    """Two app processes (two writers, each with its own connection) get the same key at the same
    moment: one stores it, the other answers with the stored application."""
    schema = await bundle_form(client, "open-restaurant")
    await sign_in(client, "citizen1")
    async with transaction(app.state.engine, write=False) as db:
        row = await identity_repo.account_by_login(db, "citizen1")
    actor = Account.from_row(row)
    other = SubmissionWriter(RawDatabase.for_url(settings.database_url), app.state.engine)
    try:

        async def via(writer: SubmissionWriter, n: int):
            return await applications.submit(
                writer,
                actor=actor,
                service=None,
                bundle="open-restaurant",
                form=answers(schema),
                idempotency_key=f"two-processes-{n}",
                calendar=app.state.workdays,
            )

        for n in range(5):
            (first, first_new), (second, second_new) = await asyncio.gather(
                via(app.state.submissions, n), via(other, n)
            )
            assert first["id"] == second["id"]
            assert sorted([first_new, second_new]) == [False, True]
        assert await stored_count(app.state.engine) == 5

        with pytest.raises(Conflict):
            await applications.submit(
                other,
                actor=actor,
                service=None,
                bundle="open-restaurant",
                form=answers(schema, enterprise_name="另一家"),
                idempotency_key="two-processes-0",
                calendar=app.state.workdays,
            )
    finally:
        await other.close()
        await other.raw.close()


async def test_an_empty_key_is_no_key_and_the_audit_row_names_the_request(
    client: httpx.AsyncClient, app
) -> None:
    citizen = await sign_in(client, "citizen1")
    schema = await bundle_form(client, "open-restaurant")
    results = await asyncio.gather(
        *[
            client.post(
                "/api/v1/applications",
                json={"bundle": "open-restaurant", "form": answers(schema)},
                headers={**citizen, "Idempotency-Key": "", "X-Request-ID": f"req-empty-key-{n}"},
            )
            for n in range(3)
        ]
    )
    assert [r.status_code for r in results] == [201] * 3
    assert len({r.json()["id"] for r in results}) == 3
    async with transaction(app.state.engine, write=False) as db:
        stored = {
            row.target_id: row.request_id
            for row in await db.execute(
                sa.select(audit_events.c.target_id, audit_events.c.request_id).where(
                    audit_events.c.action == "application.submitted"
                )
            )
        }
    assert {stored[r.json()["id"]] for r in results} == {r.headers["X-Request-ID"] for r in results}
    assert all(r.headers["X-Request-ID"].startswith("req-empty-key-") for r in results)
