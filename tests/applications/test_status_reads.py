"""An application's status and the staff inbox, the two reads a surge repeats most, are read on
the raw driver (one read-only snapshot, no unit of work). They must say exactly what the unit of
work's reads say — the pages of the portal and the workbench still read through it."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.applications.helpers import approve_branch, staff, submit_bundle
from tests.conftest import sign_in
from yiwang.applications import service as applications
from yiwang.applications.models import applications as applications_table
from yiwang.database import transaction
from yiwang.identity import service as identity
from yiwang.workflow import service as workflow

pytestmark = pytest.mark.anyio


def as_json(value: Any) -> Any:
    return orjson.loads(orjson.dumps(value))


async def test_status_says_what_the_unit_of_work_reads(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    citizen = await sign_in(client, "citizen1")
    created = (await submit_bundle(client, citizen, "open-restaurant")).json()
    # A branch approved: a licence issued, another branch released, a longer timeline.
    await approve_branch(client, "samr", created["id"])
    response = await client.get(f"/api/v1/applications/{created['id']}", headers=citizen)
    assert response.status_code == 200
    status = response.json()
    assert status["certificates"], "the business licence the approval issued"
    assert any(m["met_by"] == "certificate" for m in status["materials"])
    assert len(status["timeline"]) > len(created["timeline"])
    async with transaction(engine, write=False) as db:
        applicant_id = (
            await db.execute(
                sa.select(applications_table.c.applicant_id).where(
                    applications_table.c.id == created["id"]
                )
            )
        ).scalar_one()
        account = await identity.get_account(db, applicant_id)
        assert account is not None
        through_orm = await applications.view(db, actor=account, application_id=created["id"])
    assert status == as_json(through_orm)


async def test_status_is_the_applicants_alone_and_needs_a_valid_token(
    client: httpx.AsyncClient,
) -> None:
    citizen = await sign_in(client, "citizen1")
    created = (await submit_bundle(client, citizen, "open-restaurant")).json()
    url = f"/api/v1/applications/{created['id']}"
    other = await sign_in(client, "citizen2")
    for headers in (other, await staff(client, "samr")):
        stranger = await client.get(url, headers=headers)
        assert stranger.status_code == 404
        assert stranger.json()["error"]["code"] == "not_found"
    assert (await client.get("/api/v1/applications/no-such-id", headers=citizen)).status_code == 404
    unsigned = await client.get(url)
    assert unsigned.status_code == 401
    assert unsigned.headers["www-authenticate"] == "Bearer"
    forged = await client.get(url, headers={"Authorization": "Bearer not-a-token"})
    assert forged.status_code == 401
    assert forged.json()["error"]["code"] == "invalid_token"
    await client.post("/api/v1/auth/logout", headers=citizen)
    assert (await client.get(url, headers=citizen)).status_code == 401


async def test_the_inbox_says_what_the_unit_of_work_reads(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    citizen = await sign_in(client, "citizen1")
    for _ in range(3):
        assert (await submit_bundle(client, citizen, "open-restaurant")).status_code == 201
    headers = await staff(client, "samr")
    response = await client.get("/api/v1/tasks", headers=headers)
    assert response.status_code == 200
    inbox = response.json()
    assert len(inbox) == 3
    assert [t["due_date"] for t in inbox] == sorted(t["due_date"] for t in inbox)
    me = (await client.get("/api/v1/me", headers=headers)).json()
    async with transaction(engine, write=False) as db:
        through_orm = await workflow.inbox(
            db, department_code="samr", roles=me["roles"], officer_id=me["id"]
        )
    assert [t["id"] for t in inbox] == [t.id for t in through_orm]
    assert {t["role"] for t in inbox} <= set(me["roles"])
    for shown, row in zip(inbox, through_orm, strict=True):
        assert shown["application_id"] == row.application_id
        assert (shown["service"], shown["step"]) == (row.service_code, row.step_code)
        assert shown["due_date"] == row.due_date.isoformat()
        assert shown["created_at"] == row.created_at.isoformat()
        assert shown["assigned_to_me"] == (row.assignee_id == me["id"])
        assert shown["suspended"] == (row.branch_status == "suspended") is False
        assert shown["overdue"] is False and shown["delegated"] is False
        assert shown["supervised"] is False
