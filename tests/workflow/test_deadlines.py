"""Deadlines in working days (行政许可法 Art. 82): holidays, make-up days, stopped clocks."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

import pytest

from yiwang.catalog.definitions import Text
from yiwang.catalog.items import ServiceItem
from yiwang.database import transaction
from yiwang.kit.workdays import WorkdayCalendar
from yiwang.workflow import service as workflow

pytestmark = pytest.mark.anyio
CALENDAR = WorkdayCalendar()


def service(promised: int, steps: list[tuple[str, int]]) -> ServiceItem:
    t = Text(zh="测试", en="Test")
    return ServiceItem.model_validate(
        {
            "code": "test-service",
            "version": 1,
            "name": t,
            "department": "samr",
            "item_type_code": "01",
            "item_kind": "promised",
            "legal_limit_days": 20,
            "promised_limit_days": promised,
            "online": True,
            "visits": 0,
            "audience": ["citizen"],
            "fee": {"amount": 0, "basis": t},
            "conditions": t,
            "process": [t],
            "legal_basis": [t],
            "result": {"name": t},
            "phones": {"consultation": "0572-5123101"},
            "form": {"fields": [{"name": "applicant_name", "element": "person.name"}]},
            "workflow": {
                "steps": [
                    {
                        "code": code,
                        "name": t,
                        "role": "reviewer",
                        "limit_days": days,
                        "actions": ["approve", "reject", "return"],
                        "next": steps[i + 1][0] if i + 1 < len(steps) else None,
                    }
                    for i, (code, days) in enumerate(steps)
                ]
            },
        }
    )


async def start(engine, item: ServiceItem, today: dt.date) -> str:
    application_id = str(uuid.uuid4())
    async with transaction(engine, strict_audit=False) as db:
        await workflow.start(
            db,
            application_id=application_id,
            plans=[workflow.BranchPlan(item)],
            today=today,
            calendar=CALENDAR,
        )
    return application_id


async def branch(engine, application_id: str):
    async with transaction(engine, write=False) as db:
        [row] = await workflow.branches(db, application_id)
    return row


@pytest.mark.parametrize(
    ("accepted", "days", "due"),
    [
        # Spring Festival 2026: 2/15–2/23 off, Saturday 2/14 and 2/28 are make-up working days.
        (dt.date(2026, 2, 13), 1, dt.date(2026, 2, 14)),
        (dt.date(2026, 2, 13), 2, dt.date(2026, 2, 24)),
        # National Day 2025: 10/1–10/8 off; Sunday 9/28 and Saturday 10/11 are worked.
        (dt.date(2025, 9, 30), 1, dt.date(2025, 10, 9)),
        (dt.date(2025, 9, 26), 1, dt.date(2025, 9, 28)),
        # An ordinary week: counted from the day after acceptance.
        (dt.date(2026, 11, 26), 3, dt.date(2026, 12, 1)),
    ],
)
async def test_due_dates_follow_the_official_calendar(
    engine, accepted: dt.date, days: int, due: dt.date
) -> None:
    application_id = await start(engine, service(days, [("accept", days)]), accepted)
    row = await branch(engine, application_id)
    assert row.due_date == due
    assert row.step_due_date == due


async def test_a_returned_branchs_clock_stands_still_across_a_holiday(engine) -> None:
    item = service(5, [("accept", 5)])
    application_id = await start(engine, item, dt.date(2025, 9, 25))  # due 10/9 (5 workdays)
    row = await branch(engine, application_id)
    assert row.due_date == dt.date(2025, 10, 9)
    async with transaction(engine, write=False) as db:
        [task] = await workflow.inbox(db, department_code="samr", roles=["reviewer"])
    async with transaction(engine, strict_audit=False) as db:
        await workflow.decide(
            db,
            task_id=task.id,
            department_code="samr",
            roles=["reviewer"],
            actor_id="x",
            decision="return",
            comment="补充材料",
            services={item.code: item},
            today=dt.date(2025, 9, 29),
            calendar=CALENDAR,
        )
    row = await branch(engine, application_id)
    assert row.status == "returned"
    # 9/29 → 10/9: working days left are 9/30 and 10/9 (the holiday does not count).
    assert row.remaining_days == 2
    async with transaction(engine, strict_audit=False) as db:
        await workflow.resume_returned(
            db,
            application_id=application_id,
            services={item.code: item},
            today=dt.date(2025, 10, 10),
            calendar=CALENDAR,
        )
    row = await branch(engine, application_id)
    assert row.status == "active"
    # Resumed on Friday 10/10 with 2 days left: Saturday 10/11 (make-up day) and Monday 10/13.
    assert row.due_date == dt.date(2025, 10, 13)


async def test_a_deadline_in_2027_falls_back_to_weekdays_and_warns(
    engine, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="yiwang.kit.workdays"):
        application_id = await start(engine, service(5, [("accept", 5)]), dt.date(2027, 1, 29))
    row = await branch(engine, application_id)
    assert row.due_date == dt.date(2027, 2, 5)  # Mon–Fri only: no 2027 calendar yet
    assert any("2027" in r.getMessage() for r in caplog.records)


async def test_a_suspension_across_national_day_restarts_where_it_stopped(engine) -> None:
    item = service(5, [("accept", 5)])
    application_id = await start(engine, item, dt.date(2025, 9, 25))  # due 10/9
    async with transaction(engine, write=False) as db:
        [task] = await workflow.inbox(db, department_code="samr", roles=["reviewer"])
    async with transaction(engine, strict_audit=False) as db:
        await workflow.suspend(
            db,
            task_id=task.id,
            department_code="samr",
            roles=["reviewer"],
            actor_id="x",
            today=dt.date(2025, 9, 26),
            calendar=CALENDAR,
        )
    row = await branch(engine, application_id)
    # Left at 9/26: 9/28 (make-up Sunday), 9/29, 9/30 and 10/9.
    assert row.status == "suspended" and row.remaining_days == 4
    async with transaction(engine, strict_audit=False) as db:
        await workflow.unsuspend(
            db,
            task_id=task.id,
            department_code="samr",
            roles=["reviewer"],
            actor_id="x",
            today=dt.date(2025, 10, 9),
            calendar=CALENDAR,
        )
    row = await branch(engine, application_id)
    # Four working days after Thursday 10/9: 10/10, 10/11 (make-up Saturday), 10/13, 10/14.
    assert row.status == "active" and row.due_date == dt.date(2025, 10, 14)
    async with transaction(engine, write=False) as db:
        [moved] = await workflow.inbox(db, department_code="samr", roles=["reviewer"])
    assert moved.due_date == dt.date(2025, 10, 14)
