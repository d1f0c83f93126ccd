"""接诉即办 through the API: routing by rules, model and dispatcher; deadlines in hours and in
working days; duplicates; signing for, answering, call-backs and the three rates; 首接负责."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.conftest import sign_in
from yiwang import jobs
from yiwang.complaints import definitions as hotline_definitions
from yiwang.complaints import service as complaints
from yiwang.complaints.models import routing_corrections, tickets
from yiwang.config import Settings
from yiwang.database import transaction
from yiwang.kit.workdays import WorkdayCalendar

pytestmark = pytest.mark.anyio
CHINA = dt.timezone(dt.timedelta(hours=8))
STREET_LIGHT = "递铺街道胜利西路88号门口的路灯坏了好几天，晚上一片漆黑，老人走路很危险。"
NEAR = {"address": "胜利西路88号", "lat": 30.6388, "lon": 119.6802}


async def file(
    client: httpx.AsyncClient, headers: dict[str, str], text: str, **extra: Any
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/complaints", json={"text": text, **extra}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


def when(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


async def test_a_rule_routes_a_broken_street_light_to_city_management(
    client: httpx.AsyncClient,
) -> None:
    headers = await sign_in(client, "citizen1")
    ticket = await file(client, headers, STREET_LIGHT, location=NEAR)
    assert ticket["ticket_no"].startswith("12345")
    assert ticket["category"] == "urban.street_light"
    assert ticket["department"] == "urban"
    assert ticket["routed_by"] == "rule"
    assert ticket["status"] == "assigned"
    assert ticket["deadline_class"] == "general"
    assert ticket["first_department"] == "urban"
    assert when(ticket["due_at"]) > when(ticket["created_at"]) + dt.timedelta(days=7)
    mine = (await client.get("/api/v1/complaints", headers=headers)).json()
    assert [t["ticket_no"] for t in mine] == [ticket["ticket_no"]]
    other = await sign_in(client, "citizen2")
    assert (
        await client.get(f"/api/v1/complaints/{ticket['id']}", headers=other)
    ).status_code == 404


async def test_the_model_routes_what_no_rule_covers(client: httpx.AsyncClient) -> None:
    headers = await sign_in(client, "citizen1")
    ticket = await file(
        client,
        headers,
        "昨天在天目路一家快餐店吃饭，饭菜里吃出了虫子，后厨卫生条件很差，希望有关部门查一查。",
    )
    assert ticket["routed_by"] == "model"
    assert ticket["category"] == "market.food_safety"
    assert ticket["department"] == "samr"
    assert ticket["confidence"] >= 0.55


async def test_an_unclear_ticket_waits_for_a_dispatcher_whose_choice_is_learned(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    headers = await sign_in(client, "citizen1")
    ticket = await file(client, headers, "你好，我想问一下上次那个事情现在怎么样了")
    assert ticket["status"] == "dispatching"
    assert ticket["department"] is None
    assert (await client.get("/api/v1/hotline/queue", headers=headers)).status_code == 404
    dispatcher = await sign_in(client, "staff-hotline")
    queue = (await client.get("/api/v1/hotline/queue", headers=dispatcher)).json()
    assert ticket["id"] in [t["id"] for t in queue]
    routed = await client.post(
        f"/api/v1/hotline/tickets/{ticket['id']}/dispatch",
        json={"category": "public.household_registration"},
        headers=dispatcher,
    )
    assert routed.status_code == 200, routed.text
    assert routed.json()["department"] == "police"
    assert routed.json()["routed_by"] == "dispatcher"
    async with transaction(engine, write=False) as db:
        learned = (await db.execute(sa.select(routing_corrections))).all()
    assert [(r.text, r.category) for r in learned] == [
        ("你好，我想问一下上次那个事情现在怎么样了", "public.household_registration")
    ]


async def test_an_emergency_is_answered_within_two_hours(client: httpx.AsyncClient) -> None:
    headers = await sign_in(client, "citizen2")
    ticket = await file(client, headers, "凤凰小区3幢楼道里闻到很浓的燃气泄漏的味道，快来人看看！")
    assert ticket["emergency"] is True
    assert ticket["category"] == "utilities.gas"
    assert ticket["deadline_class"] == "emergency"
    created = when(ticket["created_at"])
    assert when(ticket["due_at"]) - created <= dt.timedelta(hours=2, seconds=5)
    assert when(ticket["sign_due_at"]) - created <= dt.timedelta(minutes=30, seconds=5)


def test_working_day_deadlines_skip_the_national_day_holiday(settings: Settings) -> None:
    hotline = complaints.Hotline(
        definitions=hotline_definitions.load(settings.definitions_dir),
        calendar=WorkdayCalendar.from_directory(settings.definitions_dir / "calendar"),
        directory=settings.definitions_dir,
    )
    start = dt.datetime(2026, 9, 30, 10, 0, tzinfo=CHINA)
    sign_due, due = complaints.deadlines(hotline, deadline_class="general", start=start)
    # Oct 1–7 are holidays and Saturday Oct 10 is a make-up working day: the 7th working day
    # after Sep 30 is Thursday Oct 15.
    assert due.astimezone(CHINA) == dt.datetime(2026, 10, 15, 23, 59, 59, tzinfo=CHINA)
    assert sign_due.astimezone(CHINA) == start + dt.timedelta(hours=8)
    _, complex_due = complaints.deadlines(hotline, deadline_class="complex", start=start)
    assert complex_due.astimezone(CHINA).date() == dt.date(2026, 10, 27)
    _, water = complaints.deadlines(hotline, deadline_class="utilities", start=start)
    assert water - start == dt.timedelta(hours=24)  # on the clock, holiday or not


async def test_a_second_report_of_the_same_problem_nearby_is_linked(
    client: httpx.AsyncClient, app: Any
) -> None:
    first = await file(client, await sign_in(client, "citizen1"), STREET_LIGHT, location=NEAR)
    neighbour = await sign_in(client, "citizen2")
    again = await file(
        client,
        neighbour,
        "胜利西路那边路灯不亮，晚上看不见路",
        location={"lat": 30.6391, "lon": 119.6805},  # about 40 m away
    )
    assert again["status"] == "linked"
    assert again["department"] == "urban"
    detail = (await client.get(f"/api/v1/complaints/{again['id']}", headers=neighbour)).json()
    assert detail["duplicate_of"] == first["ticket_no"]
    await jobs.drain(app.state.engine)  # the message goes out after the commit
    box = (await client.get("/api/v1/me/notifications", headers=neighbour)).json()
    assert any(first["ticket_no"] in n["body"] for n in box)
    far = await file(
        client, neighbour, "孝丰镇老街的路灯也坏了", location={"lat": 30.5900, "lon": 119.5500}
    )
    assert far["status"] == "assigned"


async def test_a_place_reported_after_hundreds_of_others_is_still_linked(
    client: httpx.AsyncClient,
) -> None:
    """A storm night: 210 street lights out across the county, then two calls about one more."""
    citizen = await sign_in(client, "citizen1")
    for batch in range(7):  # 30 at a time: within what admission control lets in at once
        elsewhere = [
            client.post(
                "/api/v1/complaints",
                json={"text": STREET_LIGHT, "location": {"lat": 30.40 + n * 0.002, "lon": 119.4}},
                headers=citizen,
            )
            for n in range(30 * batch, 30 * batch + 30)  # 220 m apart: none near another
        ]
        assert {a.status_code for a in await asyncio.gather(*elsewhere)} == {201}
    here = {"lat": 30.70, "lon": 119.70}
    first = await file(client, citizen, "天荒坪镇大溪村口路灯不亮了", location=here)
    again = await file(
        client, await sign_in(client, "citizen2"), "大溪村口的路灯坏了", location=here
    )
    assert first["status"] == "assigned"
    assert again["status"] == "linked"
    neighbour = await sign_in(client, "citizen2")
    detail = (await client.get(f"/api/v1/complaints/{again['id']}", headers=neighbour)).json()
    assert detail["duplicate_of"] == first["ticket_no"]


async def test_sign_reply_call_back_and_the_three_rates(client: httpx.AsyncClient) -> None:
    citizen = await sign_in(client, "citizen1")
    fixed = await file(client, citizen, STREET_LIGHT, location=NEAR)
    still_dark = await file(client, citizen, "孝丰镇老街的路灯坏了，晚上很黑")
    urban = await sign_in(client, "staff-urban")
    inbox = [t["id"] for t in (await client.get("/api/v1/hotline/inbox", headers=urban)).json()]
    assert {fixed["id"], still_dark["id"]} <= set(inbox)
    for ticket in (fixed, still_dark):
        signed = await client.post(f"/api/v1/hotline/tickets/{ticket['id']}/sign", headers=urban)
        assert signed.json()["status"] == "in_progress"
        replied = await client.post(
            f"/api/v1/hotline/tickets/{ticket['id']}/reply",
            json={"reply": "已安排路灯所更换灯具，当晚恢复照明。"},
            headers=urban,
        )
        assert replied.json()["status"] == "replied"
    police = await sign_in(client, "staff-police")
    refused = await client.post(f"/api/v1/hotline/tickets/{fixed['id']}/sign", headers=police)
    assert refused.status_code == 404
    done = await client.post(
        f"/api/v1/complaints/{fixed['id']}/callback",
        json={"resolved": True, "satisfied": True},
        headers=citizen,
    )
    assert done.json()["status"] == "closed"
    again = await client.post(
        f"/api/v1/complaints/{still_dark['id']}/callback",
        json={"resolved": False, "satisfied": False, "comment": "还是不亮"},
        headers=citizen,
    )
    assert again.json()["status"] == "in_progress"  # back to the department: 重办
    assert (await client.get("/api/v1/hotline/stats", headers=citizen)).status_code == 403
    stats = (await client.get("/api/v1/hotline/stats?department=urban", headers=urban)).json()
    line = stats["departments"][0]
    assert line["department"] == "urban"
    assert line["response_rate"] == 1.0
    assert line["resolution_rate"] == 0.5
    assert line["satisfaction_rate"] == 0.5


async def test_the_first_department_keeps_a_ticket_until_it_is_formally_transferred(
    client: httpx.AsyncClient,
) -> None:
    citizen = await sign_in(client, "citizen1")
    ticket = await file(client, citizen, STREET_LIGHT, location=NEAR)
    urban = await sign_in(client, "staff-urban")
    asked = await client.post(
        f"/api/v1/hotline/tickets/{ticket['id']}/transfer-request",
        json={"reason": "该路段路灯由交通部门管养"},
        headers=urban,
    )
    assert asked.json()["department"] == "urban"  # still ours until moved
    assert ticket["id"] in [
        t["id"] for t in (await client.get("/api/v1/hotline/inbox", headers=urban)).json()
    ]
    dispatcher = await sign_in(client, "staff-hotline")
    queue = (await client.get("/api/v1/hotline/queue", headers=dispatcher)).json()
    assert [t["transfer_requested"] for t in queue if t["id"] == ticket["id"]] == [
        "该路段路灯由交通部门管养"
    ]
    moved = await client.post(
        f"/api/v1/hotline/tickets/{ticket['id']}/dispatch",
        json={"category": "transport.road_damage"},
        headers=dispatcher,
    )
    assert moved.json()["department"] == "transport"
    assert moved.json()["first_department"] == "urban"
    assert moved.json()["due_at"] == ticket["due_at"]  # the clock did not restart


async def test_overdue_tickets_are_escalated_once_to_the_supervisors(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    ticket = await file(client, await sign_in(client, "citizen1"), STREET_LIGHT)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
    async with transaction(engine) as db:
        assert await complaints.check_deadlines(db, now=later) == 1
    async with transaction(engine) as db:
        assert await complaints.check_deadlines(db, now=later) == 0
    urban = await sign_in(client, "staff-urban")
    detail = (await client.get(f"/api/v1/complaints/{ticket['id']}", headers=urban)).json()
    assert detail["escalated"] is True
    assert "escalated" in [e["kind"] for e in detail["timeline"]]


async def test_bad_input_is_refused_field_by_field(client: httpx.AsyncClient) -> None:
    headers = await sign_in(client, "citizen1")
    short = await client.post("/api/v1/complaints", json={"text": "灯"}, headers=headers)
    assert short.status_code == 422
    assert short.json()["error"]["code"] == "complaint_text_too_short"
    several = await client.post(
        "/api/v1/complaints",
        json={"text": STREET_LIGHT, "kind": "rant", "location": {"lat": 30.6}},
        headers=headers,
    )
    assert several.status_code == 422
    codes = {d["code"] for d in several.json()["error"]["details"]}
    assert codes == {"unknown_kind", "location_incomplete"}
    assert (await client.get("/api/v1/complaints", headers=headers)).json() == []


async def test_a_retry_with_the_same_key_files_one_ticket(client: httpx.AsyncClient) -> None:
    headers = await sign_in(client, "citizen1") | {"Idempotency-Key": "tel-20261126-001"}
    first = await client.post("/api/v1/complaints", json={"text": STREET_LIGHT}, headers=headers)
    again = await client.post("/api/v1/complaints", json={"text": STREET_LIGHT}, headers=headers)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]


async def test_a_crowd_filing_at_once_gets_a_number_each_and_none_twice(
    client: httpx.AsyncClient,
) -> None:
    """A water main bursts: three reporters, twelve tickets in the same moment."""
    reporters = [await sign_in(client, name) for name in ("citizen1", "citizen2", "citizen3")]
    answers = await asyncio.gather(
        *(
            client.post(
                "/api/v1/complaints",
                json={"text": f"{STREET_LIGHT}（第{n}次反映）", "location": NEAR},
                headers=reporters[n % 3],
            )
            for n in range(12)
        )
    )
    assert [a.status_code for a in answers] == [201] * 12
    numbers = [a.json()["ticket_no"] for a in answers]
    today = dt.datetime.now(CHINA).strftime("%Y%m%d")
    assert len(set(numbers)) == 12
    assert all(n.startswith(f"12345{today}") and len(n) == 18 for n in numbers)
    # One is dispatched; the rest, the same light at the same place, are linked to it.
    statuses = sorted(a.json()["status"] for a in answers)
    assert statuses == ["assigned"] + ["linked"] * 11
    mine = (await client.get("/api/v1/complaints", headers=reporters[1])).json()
    assert len(mine) == 4


async def test_the_same_key_sent_five_times_at_once_files_one_ticket(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    """A phone app that retries on a slow network: the five land together, one is filed."""
    headers = await sign_in(client, "citizen1") | {"Idempotency-Key": "app-20261126-007"}
    answers = await asyncio.gather(
        *(
            client.post("/api/v1/complaints", json={"text": STREET_LIGHT}, headers=headers)
            for _ in range(5)
        )
    )
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 200, 201]
    assert len({a.json()["ticket_no"] for a in answers}) == 1
    async with transaction(engine, write=False) as db:
        stored = await db.execute(
            sa.select(sa.func.count()).where(tickets.c.idempotency_key == "app-20261126-007")
        )
        assert stored.scalar_one() == 1


async def test_retraining_learns_the_dispatchers_choices_and_servers_switch(
    client: httpx.AsyncClient, engine: AsyncEngine, app: Any
) -> None:
    dispatcher = await sign_in(client, "staff-hotline")
    citizen = await sign_in(client, "citizen1")
    asked = "小区门口的共享单车乱停乱放，把盲道都堵住了"
    for _ in range(25):  # the same new kind of ticket, routed by hand each time
        ticket = await file(client, citizen, asked)
        if ticket["category"] != "urban.street_vending":
            await client.post(
                f"/api/v1/hotline/tickets/{ticket['id']}/dispatch",
                json={"category": "urban.street_vending"},
                headers=dispatcher,
            )
    async with transaction(engine) as db:
        trained = await complaints.retrain(db, hotline=app.state.hotline)
    assert trained["corrections"] >= 1
    assert trained["heldout_accuracy"] >= 0.9
    complaints.forget_model(app.state.engine)
    again = await file(client, citizen, "楼下共享单车乱停乱放，盲道被堵住了")
    assert again["category"] == "urban.street_vending"
    assert again["routed_by"] in ("model", "rule")


def picture(kind: str = "PNG") -> bytes:
    """A real little image, made the way a phone would save one."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 30, 30)).save(out, kind)
    return out.getvalue()


async def test_photos_are_checked_kept_and_shown_only_to_those_who_may_see(
    client: httpx.AsyncClient,
) -> None:
    citizen = await sign_in(client, "citizen1")
    ticket = await file(client, citizen, STREET_LIGHT, location=NEAR)
    url = f"/api/v1/complaints/{ticket['id']}/photos"
    added = await client.post(
        url,
        files=[
            ("photo", ("light.png", picture("PNG"), "image/png")),
            ("photo", ("pole.jpg", picture("JPEG"), "image/jpeg")),
        ],
        headers=citizen,
    )
    assert added.status_code == 200, added.text
    assert [(p["position"], p["content_type"]) for p in added.json()["photos"]] == [
        (1, "image/png"),
        (2, "image/jpeg"),
    ]
    first = await client.get(f"{url}/1", headers=citizen)
    assert first.headers["content-type"] == "image/png"
    assert first.content == picture("PNG")
    urban = await sign_in(client, "staff-urban")
    assert (await client.get(f"{url}/2", headers=urban)).status_code == 200
    other = await sign_in(client, "citizen2")
    assert (await client.get(f"{url}/1", headers=other)).status_code == 404
    disguised = await client.post(
        url,
        files=[("photo", ("virus.jpg", b"MZ\x90\x00 not a picture", "image/jpeg"))],
        headers=citizen,
    )
    assert disguised.status_code == 422
    assert disguised.json()["error"]["code"] == "photo_not_an_image"
    too_many = await client.post(
        url,
        files=[("photo", (f"{n}.png", picture("PNG"), "image/png")) for n in range(2)],
        headers=citizen,
    )
    assert too_many.status_code == 422
    assert too_many.json()["error"]["code"] == "too_many_photos"
    huge = picture("PNG") + b"\0" * 1_000_001
    too_big = await client.post(
        url, files=[("photo", ("big.png", huge, "image/png"))], headers=citizen
    )
    assert too_big.json()["error"]["code"] == "photo_too_large"
    detail = (await client.get(f"/api/v1/complaints/{ticket['id']}", headers=citizen)).json()
    assert len(detail["photos"]) == 2  # nothing half-added by the refused uploads
