"""Builders for application tests: answers that fit a form's JSON Schema, staff at work."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import sign_in
from yiwang.audit.service import SystemActor
from yiwang.database import transaction
from yiwang.identity import service as identity

SAMPLE = {
    "text": "安吉竹韵茶业",
    "address": "浙江省湖州市安吉县递铺街道胜利西路1号",
    "id_number": "330523199003072317",
    "uscc": "91330523MA28C1K70K",
    "mobile": "13905721001",
    "region_code": "330523",
    "date": "2026-11-01",
    "integer": 20,
    "money": "100000",
    "boolean": True,
}


def kind_of(prop: dict[str, Any]) -> str:
    if "enum" in prop:
        return "enum"
    standard = prop.get("x-standard", "")
    if standard.startswith("GB 11643"):
        return "id_number"
    if standard.startswith("GB 32100"):
        return "uscc"
    if standard.startswith("GB/T 2260"):
        return "region_code"
    if prop.get("pattern", "").startswith("^(\\+?86)?1"):
        return "mobile"
    if prop.get("format") == "date":
        return "date"
    if prop.get("type") == "integer":
        return "integer"
    if prop.get("type") == "number":
        return "money"
    if prop.get("type") == "boolean":
        return "boolean"
    return "address" if "address" in prop.get("x-element", "") else "text"


def answers(schema: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """A valid answer for every field of a form schema."""
    out = {}
    for name, prop in schema["properties"].items():
        kind = kind_of(prop)
        value = prop["enum"][0] if kind == "enum" else SAMPLE[kind]
        if isinstance(value, str) and "maxLength" in prop:
            value = value[: prop["maxLength"]]
        out[name] = value
    out.update(overrides)
    return out


async def bundle_form(client: httpx.AsyncClient, code: str) -> dict[str, Any]:
    response = await client.get(f"/api/v1/bundles/{code}")
    assert response.status_code == 200, response.text
    return response.json()["form_schema"]


async def submit_bundle(
    client: httpx.AsyncClient, headers: dict[str, str], code: str, **overrides: Any
) -> httpx.Response:
    schema = await bundle_form(client, code)
    return await client.post(
        "/api/v1/applications",
        json={"bundle": code, "form": answers(schema, **overrides)},
        headers=headers,
    )


async def staff(client: httpx.AsyncClient, department: str) -> dict[str, str]:
    return await sign_in(client, f"staff-{department}")


async def open_tasks(
    client: httpx.AsyncClient, headers: dict[str, str], application_id: str
) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/tasks", headers=headers)
    assert response.status_code == 200, response.text
    return [t for t in response.json() if t["application_id"] == application_id]


async def approve_branch(client: httpx.AsyncClient, department: str, application_id: str) -> int:
    """Approve every step of one department's branch; returns how many steps it took."""
    headers = await staff(client, department)
    steps = 0
    while tasks := await open_tasks(client, headers, application_id):
        for task in tasks:
            response = await client.post(
                f"/api/v1/tasks/{task['id']}/decision",
                json={"decision": "approve", "comment": "符合条件"},
                headers=headers,
            )
            assert response.status_code == 200, response.text
            steps += 1
    return steps


async def add_staff(
    engine: Any,
    password_hash: str,
    *,
    username: str,
    department: str,
    roles: list[str],
    name: str = "同事",
) -> None:
    """Another officer of a department (the demo has one per department)."""
    async with transaction(engine) as db:
        await identity.create_account(
            db,
            actor=SystemActor("test"),
            kind="staff",
            username=username,
            name=name,
            password_hash=password_hash,
            department_code=department,
            roles=roles,
        )
