"""A submitted application records which answers departments' systems gave, which the person
changed and which they typed; staff looking at it are logged for the applicant to see."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.applications.helpers import answers
from tests.conftest import sign_in
from tests.prefill.test_prefill import consent
from yiwang.prefill import service as prefill_service

pytestmark = pytest.mark.anyio


async def prefilled_newborn(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    await consent(client, headers)
    response = await client.get("/api/v1/prefill?bundle=newborn", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def submit(
    client: httpx.AsyncClient, headers: dict[str, str], form: dict[str, Any], **extra: Any
) -> httpx.Response:
    return await client.post(
        "/api/v1/applications", json={"bundle": "newborn", "form": form, **extra}, headers=headers
    )


async def test_the_application_records_prefilled_changed_and_typed_answers(
    client: httpx.AsyncClient,
) -> None:
    headers = await sign_in(client, "citizen1")
    prefill = await prefilled_newborn(client, headers)
    schema = (await client.get("/api/v1/bundles/newborn")).json()["form_schema"]
    form = answers(schema) | {name: f["value"] for name, f in prefill["fields"].items()}
    form["mailing_address"] = "浙江省湖州市安吉县昌硕街道玉华路9号"  # corrected by the person
    response = await submit(client, headers, form, prefill_token=prefill["prefill_token"])
    assert response.status_code == 201, response.text
    application = (
        await client.get(f"/api/v1/applications/{response.json()['id']}", headers=headers)
    ).json()
    origins = application["provenance"]
    assert origins["newborn_name"] == {
        "origin": "prefilled",
        "element": "newborn.name",
        "source": "birth_records",
        "fetched_at": prefill["fields"]["newborn_name"]["fetched_at"],
        "verified": True,
    }
    assert origins["mailing_address"]["origin"] == "changed"
    assert origins["mailing_address"]["verified"] is False
    assert origins["card_bank"] == {"origin": "entered"}
    assert application["consent_id"] == prefill["consent_id"]


async def test_without_a_token_every_answer_is_the_persons_own(client: httpx.AsyncClient) -> None:
    headers = await sign_in(client, "citizen1")
    schema = (await client.get("/api/v1/bundles/newborn")).json()["form_schema"]
    response = await submit(client, headers, answers(schema))
    assert response.status_code == 201
    origins = response.json()["provenance"]
    assert {o["origin"] for o in origins.values()} == {"entered"}


async def test_a_forged_or_borrowed_token_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient,
) -> None:
    headers = await sign_in(client, "citizen1")
    prefill = await prefilled_newborn(client, headers)
    schema = (await client.get("/api/v1/bundles/newborn")).json()["form_schema"]
    form = answers(schema)
    body, _, signature = prefill["prefill_token"].partition(".")
    forged = await submit(client, headers, form, prefill_token=f"{body}x.{signature}")
    assert forged.status_code == 422
    assert forged.json()["error"]["code"] == "invalid_prefill_token"
    other = await sign_in(client, "citizen2")
    borrowed = await submit(client, other, form, prefill_token=prefill["prefill_token"])
    assert borrowed.status_code == 422
    assert (await client.get("/api/v1/applications", headers=headers)).json() == []
    assert (await client.get("/api/v1/applications", headers=other)).json() == []


async def test_a_retry_after_the_prefill_token_expired_gets_the_stored_application(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first answer was lost on the way; by the time the client sends the same request
    again under its key, the token it carries is too old. The application was stored: the retry
    gets it, not a 422 for a token nobody needs any more."""
    headers = await sign_in(client, "citizen1")
    prefill = await prefilled_newborn(client, headers)
    schema = (await client.get("/api/v1/bundles/newborn")).json()["form_schema"]
    form = answers(schema) | {name: f["value"] for name, f in prefill["fields"].items()}
    keyed = {**headers, "Idempotency-Key": "newborn-retry-1"}
    body = {"bundle": "newborn", "form": form, "prefill_token": prefill["prefill_token"]}
    first = await client.post("/api/v1/applications", json=body, headers=keyed)
    assert first.status_code == 201, first.text
    monkeypatch.setattr(prefill_service, "TOKEN_HOURS", -1)  # every token is now too old
    fresh = await client.post(
        "/api/v1/applications", json=body, headers={**headers, "Idempotency-Key": "newborn-2"}
    )
    assert fresh.status_code == 422
    assert fresh.json()["error"]["code"] == "invalid_prefill_token"
    retry = await client.post("/api/v1/applications", json=body, headers=keyed)
    assert retry.status_code == 201, retry.text
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json()["id"] == first.json()["id"]
    listed = (await client.get("/api/v1/applications", headers=headers)).json()
    assert [a["id"] for a in listed] == [first.json()["id"]]
    # Under the same key, a different request is still a conflict, not a replay.
    changed = {**body, "form": {**form, "mailing_address": "浙江省湖州市安吉县递铺街道1号"}}
    conflict = await client.post("/api/v1/applications", json=changed, headers=keyed)
    assert conflict.status_code == 409
    assert conflict.json()["error"]["code"] == "idempotency_conflict"


async def test_a_department_reading_the_application_shows_in_the_applicants_log(
    client: httpx.AsyncClient,
) -> None:
    headers = await sign_in(client, "citizen1")
    schema = (await client.get("/api/v1/bundles/newborn")).json()["form_schema"]
    created = (await submit(client, headers, answers(schema))).json()
    staff = await sign_in(client, "staff-health")
    inbox = (await client.get("/api/v1/tasks", headers=staff)).json()
    task = next(t for t in inbox if t["application_id"] == created["id"])
    opened = await client.get(f"/api/v1/tasks/{task['id']}", headers=staff)
    assert opened.status_code == 200
    assert opened.json()["application"]["tracking_no"] == created["tracking_no"]
    log = (await client.get("/api/v1/me/data-access", headers=headers)).json()["items"]
    assert len(log) == 1
    entry = log[0]
    assert entry["accessor_kind"] == "system"
    assert entry["department_name"] == "安吉县卫生健康委员会"
    assert entry["role"] == task["role"]
    assert entry["purpose"] == "case_handling"
    assert entry["target_label"] == created["tracking_no"]
    assert "newborn.name" in {e["code"] for e in entry["elements"]}
    # Another department cannot open it, and a refused look is not a look.
    police = await sign_in(client, "staff-police")
    assert (await client.get(f"/api/v1/tasks/{task['id']}", headers=police)).status_code == 404
    log = (await client.get("/api/v1/me/data-access", headers=headers)).json()["items"]
    assert len(log) == 1
