"""好差评: one rating and one follow-up per finished application; a bad one opens a
rectification with working-day deadlines, whose outcome the rater sees; appeals; the summary."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.applications.helpers import answers, approve_branch
from tests.conftest import sign_in
from yiwang.database import transaction
from yiwang.kit.workdays import WorkdayCalendar
from yiwang.ratings import service as ratings
from yiwang.ratings.models import rectifications

pytestmark = pytest.mark.anyio
CHINA = dt.timezone(dt.timedelta(hours=8))


async def finished_application(client: httpx.AsyncClient) -> tuple[dict[str, str], dict[str, Any]]:
    headers = await sign_in(client, "citizen1")
    schema = (await client.get("/api/v1/services/civil-marriage-registration")).json()
    response = await client.post(
        "/api/v1/applications",
        json={"service": "civil-marriage-registration", "form": answers(schema["form_schema"])},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    application = response.json()
    return headers, application


async def rate(
    client: httpx.AsyncClient, headers: dict[str, str], application_id: str, code: int, **extra: Any
) -> httpx.Response:
    return await client.post(
        f"/api/v1/applications/{application_id}/rating",
        json={"satisfaction_code": code, "channel": "mobile", **extra},
        headers=headers,
    )


async def test_one_rating_and_one_follow_up_once_finished(client: httpx.AsyncClient) -> None:
    headers, application = await finished_application(client)
    early = await rate(client, headers, application["id"], 1)
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "rating_not_yet"
    await approve_branch(client, "civil", application["id"])
    first = await rate(client, headers, application["id"], 2, comment="办得很快")
    assert first.status_code == 201, first.text
    assert first.json()["satisfaction_name"] == "满意"
    assert first.json()["rectifications"] == []
    other = await sign_in(client, "citizen2")
    assert (await rate(client, other, application["id"], 5)).status_code == 404
    bad = await rate(client, headers, application["id"], 9)
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_satisfaction_code"
    follow_up = await rate(client, headers, application["id"], 4, comment="证书邮寄太慢")
    assert follow_up.status_code == 201
    assert follow_up.json()["follow_up"] is True
    third = await rate(client, headers, application["id"], 1)
    assert third.status_code == 409
    assert third.json()["error"]["code"] == "rating_limit"


async def test_a_bad_rating_opens_a_rectification_with_working_day_deadlines(
    client: httpx.AsyncClient, engine: AsyncEngine, app: Any
) -> None:
    headers, application = await finished_application(client)
    await approve_branch(client, "civil", application["id"])
    rated = (await rate(client, headers, application["id"], 5, comment="窗口态度差")).json()
    [case] = rated["rectifications"]
    calendar: WorkdayCalendar = app.state.workdays
    today = dt.datetime.now(CHINA).date()
    assert case["department"] == "civil"
    assert case["callback_due"] == calendar.add_workdays(today, 1).isoformat()
    assert case["rectify_due"] == calendar.add_workdays(today, 15).isoformat()
    civil = await sign_in(client, "staff-civil")
    cases = (await client.get("/api/v1/rectifications", headers=civil)).json()
    assert [c["id"] for c in cases] == [case["id"]]
    police = await sign_in(client, "staff-police")
    assert (await client.get("/api/v1/rectifications", headers=police)).json() == []
    called = await client.post(
        f"/api/v1/rectifications/{case['id']}/callback",
        json={"note": "已致电申请人致歉，了解到窗口等候时间过长"},
        headers=civil,
    )
    assert called.json()["status"] == "called_back"
    fixed = await client.post(
        f"/api/v1/rectifications/{case['id']}/rectify",
        json={"outcome": "增设一个婚姻登记窗口，高峰期预约分时段办理"},
        headers=civil,
    )
    assert fixed.json()["status"] == "rectified"
    seen = (
        await client.get(f"/api/v1/applications/{application['id']}/rating", headers=headers)
    ).json()
    assert seen[0]["rectifications"][0]["outcome"] == "增设一个婚姻登记窗口，高峰期预约分时段办理"
    summary = (await client.get("/api/v1/ratings/summary", headers=civil)).json()
    assert summary["ratings"] == 1
    assert summary["bad_rate"] == 1.0
    assert summary["bad_callback_rate"] == 1.0
    assert summary["rectification_rate"] == 1.0
    assert summary["active_rating_rate"] == 1.0


async def test_a_malicious_rating_set_aside_on_appeal_keeps_its_reason(
    client: httpx.AsyncClient,
) -> None:
    headers, application = await finished_application(client)
    await approve_branch(client, "civil", application["id"])
    [case] = (await rate(client, headers, application["id"], 5, comment="……")).json()[
        "rectifications"
    ]
    civil = await sign_in(client, "staff-civil")
    appealed = await client.post(
        f"/api/v1/rectifications/{case['id']}/appeal",
        json={"reason": "评价内容与办件无关，系辱骂性语言"},
        headers=civil,
    )
    assert appealed.status_code == 200
    not_admin = await client.post(
        f"/api/v1/rectifications/{case['id']}/appeal-decision",
        json={"set_aside": True, "reason": "经复核属恶意评价"},
        headers=civil,
    )
    assert not_admin.status_code == 404
    admin = await sign_in(client, "admin")
    decided = await client.post(
        f"/api/v1/rectifications/{case['id']}/appeal-decision",
        json={"set_aside": True, "reason": "经复核属恶意评价"},
        headers=admin,
    )
    assert decided.json()["status"] == "set_aside"
    seen = (
        await client.get(f"/api/v1/applications/{application['id']}/rating", headers=headers)
    ).json()
    assert seen[0]["set_aside"] is True
    assert seen[0]["set_aside_reason"] == "经复核属恶意评价"
    summary = (await client.get("/api/v1/ratings/summary", headers=admin)).json()
    assert summary["ratings"] == 0


async def test_overdue_rectifications_are_escalated(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    headers, application = await finished_application(client)
    await approve_branch(client, "civil", application["id"])
    await rate(client, headers, application["id"], 4)
    async with transaction(engine) as db:
        await db.execute(
            sa.update(rectifications).values(
                callback_due=dt.date(2026, 1, 5), rectify_due=dt.date(2026, 1, 23)
            )
        )
        db.info["yiwang_tx"].exempt = True  # moving the clock back, not a change of the platform's
    async with transaction(engine) as db:
        assert await ratings.check_deadlines(db) == 1
    async with transaction(engine) as db:
        assert await ratings.check_deadlines(db) == 0
    civil = await sign_in(client, "staff-civil")
    [case] = (await client.get("/api/v1/rectifications", headers=civil)).json()
    assert case["overdue"] is True
