"""Applying once for a bundle, and the departments working on it in parallel."""

from __future__ import annotations

import httpx
import pytest

from tests.applications.helpers import (
    answers,
    approve_branch,
    bundle_form,
    open_tasks,
    staff,
    submit_bundle,
)
from tests.conftest import sign_in
from yiwang.applications.tracking import is_valid

pytestmark = pytest.mark.anyio


async def test_a_bundle_fans_out_to_every_department_at_once_but_for_after(
    client: httpx.AsyncClient,
) -> None:
    citizen = await sign_in(client, "citizen1")
    response = await submit_bundle(client, citizen, "open-restaurant")
    assert response.status_code == 201, response.text
    application = response.json()
    assert is_valid(application["tracking_no"])
    assert application["tracking_no"].startswith("330523")
    assert application["status"] == "in_progress"
    by_service = {s["service"]["code"]: s for s in application["steps"]}
    assert set(by_service) == {
        "samr-business-licence",
        "samr-food-permit",
        "fire-safety-commitment",
        "tax-registration",
    }
    assert by_service["samr-food-permit"]["status"] == "waiting"
    assert by_service["samr-food-permit"]["waits_for"] == ["samr-business-licence"]
    for code in ("samr-business-licence", "fire-safety-commitment", "tax-registration"):
        assert by_service[code]["status"] == "active"
        assert by_service[code]["due_date"]
    assert [e["kind"] for e in application["timeline"]] == ["submitted"]


async def test_the_whole_bundle_is_approved_department_by_department(
    client: httpx.AsyncClient,
) -> None:
    citizen = await sign_in(client, "citizen1")
    application = (await submit_bundle(client, citizen, "open-restaurant")).json()
    app_id = application["id"]
    # Fire and tax work in parallel with market regulation.
    await approve_branch(client, "fire", app_id)
    await approve_branch(client, "tax", app_id)
    samr = await staff(client, "samr")
    tasks = await open_tasks(client, samr, app_id)
    assert [t["service"] for t in tasks] == ["samr-business-licence"]  # food permit still waits
    await approve_branch(client, "samr", app_id)  # licence, then the food permit it releases
    final = (await client.get(f"/api/v1/applications/{app_id}", headers=citizen)).json()
    assert final["status"] == "approved"
    assert {s["status"] for s in final["steps"]} == {"approved"}
    kinds = [e["kind"] for e in final["timeline"]]
    assert "branch_started" in kinds and kinds[-1] == "application_approved"


async def test_idempotency_key_replays_and_conflicts(client: httpx.AsyncClient) -> None:
    citizen = await sign_in(client, "citizen1")
    schema = await bundle_form(client, "open-restaurant")
    body = {"bundle": "open-restaurant", "form": answers(schema)}
    headers = {**citizen, "Idempotency-Key": "order-2026-11-26-001"}
    first = await client.post("/api/v1/applications", json=body, headers=headers)
    again = await client.post("/api/v1/applications", json=body, headers=headers)
    assert first.status_code == 201 and again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    listed = (await client.get("/api/v1/applications", headers=citizen)).json()
    assert len(listed) == 1
    changed = {**body, "form": {**body["form"], next(iter(body["form"])): "另一个值"}}
    conflict = await client.post("/api/v1/applications", json=changed, headers=headers)
    assert conflict.status_code == 409
    assert conflict.json()["error"]["code"] == "idempotency_conflict"
    # The same key from another person is theirs alone.
    other = await client.post(
        "/api/v1/applications",
        json=body,
        headers={**await sign_in(client, "citizen2"), "Idempotency-Key": "order-2026-11-26-001"},
    )
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]


async def test_bad_forms_get_a_code_per_field(client: httpx.AsyncClient) -> None:
    citizen = await sign_in(client, "citizen1")
    schema = await bundle_form(client, "open-restaurant")
    good = answers(schema)
    by_kind: dict[str, str] = {}
    for name, prop in schema["properties"].items():
        by_kind.setdefault(prop.get("x-standard", prop.get("type", "")), name)
    cases = []
    required = schema["required"][0]
    cases.append(({k: v for k, v in good.items() if k != required}, required, "field_required"))
    text_field = next(n for n, p in schema["properties"].items() if "maxLength" in p)
    too_long = "长" * (schema["properties"][text_field]["maxLength"] + 1)
    cases.append(({**good, text_field: too_long}, text_field, "too_long"))
    cases.append(({**good, text_field: 12345}, text_field, "wrong_type"))
    if "GB 32100-2015" in by_kind:
        field = by_kind["GB 32100-2015"]
        cases.append(({**good, field: "91330523MA28C1K70X"}, field, "invalid_uscc"))
    if "GB 11643-1999" in by_kind:
        field = by_kind["GB 11643-1999"]
        cases.append(({**good, field: "330523199003072318"}, field, "invalid_id_number"))
    mobile = next(
        (
            n
            for n, p in schema["properties"].items()
            if p.get("pattern", "").startswith("^(\\+?86)?1")
        ),
        None,
    )
    if mobile:
        cases.append(({**good, mobile: "12345"}, mobile, "invalid_phone"))
    cases.append(({**good, "surprise": "x"}, "surprise", "unknown_field"))
    for form, field, code in cases:
        response = await client.post(
            "/api/v1/applications",
            json={"bundle": "open-restaurant", "form": form},
            headers=citizen,
        )
        assert response.status_code == 422, (field, response.text)
        details = response.json()["error"]["details"]
        assert {"field": f"form.{field}", "code": code} == {
            k: details[0][k] for k in ("field", "code")
        }, details
        assert details[0]["message"]
    assert (await client.get("/api/v1/applications", headers=citizen)).json() == []


async def test_unknown_subject_and_both_subjects_are_422(client: httpx.AsyncClient) -> None:
    citizen = await sign_in(client, "citizen1")
    for body, code in (
        ({"bundle": "no-such-bundle", "form": {}}, "unknown_bundle"),
        ({"service": "no-such-service", "form": {}}, "unknown_service"),
        (
            {"service": "tax-registration", "bundle": "open-restaurant", "form": {}},
            "service_or_bundle",
        ),
        ({"form": {}}, "service_or_bundle"),
    ):
        response = await client.post("/api/v1/applications", json=body, headers=citizen)
        assert response.status_code == 422
        assert response.json()["error"]["code"] == code


async def test_another_persons_application_is_404(client: httpx.AsyncClient) -> None:
    citizen = await sign_in(client, "citizen1")
    application = (await submit_bundle(client, citizen, "open-restaurant")).json()
    other = await sign_in(client, "citizen2")
    response = await client.get(f"/api/v1/applications/{application['id']}", headers=other)
    assert response.status_code == 404
    assert (await client.get("/api/v1/applications", headers=other)).json() == []


async def test_staff_act_only_on_their_own_departments_tasks_and_only_once(
    client: httpx.AsyncClient,
) -> None:
    citizen = await sign_in(client, "citizen1")
    application = (await submit_bundle(client, citizen, "open-restaurant")).json()
    fire = await staff(client, "fire")
    [task] = await open_tasks(client, fire, application["id"])
    tax = await staff(client, "tax")
    assert all(
        t["service"] == "tax-registration" for t in await open_tasks(client, tax, application["id"])
    )
    stranger = await client.post(
        f"/api/v1/tasks/{task['id']}/decision", json={"decision": "approve"}, headers=tax
    )
    assert stranger.status_code == 404
    ok = await client.post(
        f"/api/v1/tasks/{task['id']}/decision", json={"decision": "approve"}, headers=fire
    )
    assert ok.status_code == 200
    twice = await client.post(
        f"/api/v1/tasks/{task['id']}/decision", json={"decision": "approve"}, headers=fire
    )
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "task_already_decided"
    # Citizens have no inbox.
    assert (await client.get("/api/v1/tasks", headers=citizen)).status_code == 404


async def test_a_rejection_stops_the_other_departments_and_says_why(
    client: httpx.AsyncClient,
) -> None:
    citizen = await sign_in(client, "citizen1")
    application = (await submit_bundle(client, citizen, "open-restaurant")).json()
    fire = await staff(client, "fire")
    [task] = await open_tasks(client, fire, application["id"])
    no_reason = await client.post(
        f"/api/v1/tasks/{task['id']}/decision", json={"decision": "reject"}, headers=fire
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["error"]["code"] == "reason_required"
    response = await client.post(
        f"/api/v1/tasks/{task['id']}/decision",
        json={"decision": "reject", "comment": "疏散通道不符合要求"},
        headers=fire,
    )
    assert response.json()["application_status"] == "rejected"
    final = (await client.get(f"/api/v1/applications/{application['id']}", headers=citizen)).json()
    statuses = {s["service"]["code"]: s["status"] for s in final["steps"]}
    assert statuses["fire-safety-commitment"] == "rejected"
    assert {statuses[c] for c in statuses if c != "fire-safety-commitment"} == {"stopped"}
    stopped = next(e for e in final["timeline"] if e["kind"] == "branches_stopped")
    assert stopped["detail"]["because"] == "fire-safety-commitment"
    assert await open_tasks(client, await staff(client, "samr"), application["id"]) == []


async def test_a_return_waits_for_the_applicant_then_resumes(client: httpx.AsyncClient) -> None:
    citizen = await sign_in(client, "citizen1")
    application = (await submit_bundle(client, citizen, "open-restaurant")).json()
    tax = await staff(client, "tax")
    [task] = await open_tasks(client, tax, application["id"])
    returned = await client.post(
        f"/api/v1/tasks/{task['id']}/decision",
        json={
            "decision": "return",
            "comment": "请写明财务负责人",
            "corrections": ["tax_financial_officer"],
        },
        headers=tax,
    )
    assert returned.status_code == 200, returned.text
    assert returned.json()["application_status"] == "returned"
    assert await open_tasks(client, tax, application["id"]) == []
    view = (await client.get(f"/api/v1/applications/{application['id']}", headers=citizen)).json()
    tax_step = next(s for s in view["steps"] if s["service"]["code"] == "tax-registration")
    assert tax_step["status"] == "returned"
    # Only what the department asked about may change; the rest was reviewed already.
    other = await client.post(
        f"/api/v1/applications/{application['id']}/supplement",
        json={"form": {"enterprise_name": "另一家公司", "tax_financial_officer": "王会计"}},
        headers=citizen,
    )
    assert other.status_code == 422
    assert [d["field"] for d in other.json()["error"]["details"]] == ["form.enterprise_name"]
    fixed = await client.post(
        f"/api/v1/applications/{application['id']}/supplement",
        json={"form": {"tax_financial_officer": "王会计"}},
        headers=citizen,
    )
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["status"] == "in_progress"
    assert len(await open_tasks(client, tax, application["id"])) == 1
    kinds = [e["kind"] for e in fixed.json()["timeline"]]
    assert kinds[-2:] == ["supplemented", "application_in_progress"] or "supplemented" in kinds


async def test_withdrawing_while_a_branch_waits_on_after(client: httpx.AsyncClient) -> None:
    citizen = await sign_in(client, "citizen1")
    application = (await submit_bundle(client, citizen, "open-restaurant")).json()
    response = await client.post(
        f"/api/v1/applications/{application['id']}/withdraw",
        json={"reason": "店面另有安排"},
        headers=citizen,
    )
    assert response.status_code == 200, response.text
    view = response.json()
    assert view["status"] == "withdrawn"
    assert {s["status"] for s in view["steps"]} == {"withdrawn"}
    for department in ("samr", "fire", "tax"):
        assert await open_tasks(client, await staff(client, department), application["id"]) == []
    again = await client.post(
        f"/api/v1/applications/{application['id']}/withdraw", json={}, headers=citizen
    )
    assert again.status_code == 409
