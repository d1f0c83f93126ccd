"""A 12345 ticket as the pages show it: its kind, category and department in words, where it is
in 受理 → 派单 → 签收 → 答复 → 回访, its deadlines as countdowns, and its timeline as sentences —
shared by the reporter's pages (web/complaints.py) and the staff's (web/hotline.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from fastapi import Request

from yiwang.catalog.loader import Catalog
from yiwang.complaints import service as complaints
from yiwang.kit.i18n import Lang, t
from yiwang.kit.messages import MESSAGES
from yiwang.kit.workdays import WorkdayCalendar
from yiwang.web.ui import Due, as_datetime, due, pick

CHINA = dt.timezone(dt.timedelta(hours=8))
STEPS = ("received", "dispatched", "signed", "replied", "called_back")
# Where each status stands on the step diagram: the index of the step being worked on.
CURRENT_STEP = {
    "dispatching": 1,
    "assigned": 2,
    "linked": 2,
    "in_progress": 3,
    "replied": 4,
    "closed": len(STEPS),
}
HOUR_CLASSES = frozenset({"emergency", "utilities"})  # answered within hours, not working days
# Remarks between the departments and the dispatch centre; the reporter sees what happened.
INTERNAL_EVENTS = frozenset({"transfer_requested", "transfer_refused", "escalated"})
OPEN_FOR_HANDLER = frozenset({"assigned", "in_progress"})


def hotline_of(request: Request) -> complaints.Hotline:
    """The hotline's definitions and calendar, loaded at start-up."""
    return request.app.state.hotline


def kinds(hotline: complaints.Hotline, lang: Lang) -> list[tuple[str, str]]:
    """诉求类型 as (code, name): 咨询, 求助, 投诉, 举报, 建议."""
    return [(k.code, pick(lang, k.name)) for k in hotline.definitions.kinds]


def kind_name(hotline: complaints.Hotline, code: str, lang: Lang) -> str:
    return dict(kinds(hotline, lang)).get(code, code)


def department_names(catalog: Catalog | None, lang: Lang) -> dict[str, str]:
    """Every department's name in the reader's language, by code."""
    if catalog is None:
        return {}
    return {code: pick(lang, d.name) for code, d in catalog.departments.items()}


def category_name(hotline: complaints.Hotline, code: str | None, lang: Lang) -> str | None:
    found = hotline.definitions.categories.get(code or "")
    return pick(lang, found.name) if found else None


def category_groups(
    hotline: complaints.Hotline, lang: Lang, departments: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The category tree for a grouped select: each category with the department it goes to."""
    return [
        {
            "name": pick(lang, group.name),
            "options": [
                (c.code, pick(lang, c.name), departments.get(c.department, c.department))
                for c in group.categories
            ],
        }
        for group in hotline.definitions.groups
    ]


def steps(status: str) -> list[dict[str, str]]:
    """受理 → 派单 → 签收 → 答复 → 回访, each done, current or still to come."""
    here = CURRENT_STEP.get(status, 0)
    out = []
    for index, code in enumerate(STEPS):
        state = "done" if index < here else "current" if index == here else "todo"
        out.append({"code": code, "state": state})
    return out


@dataclasses.dataclass(frozen=True)
class Clock:
    """A ticket's deadline as a person reads it: in hours and minutes for the hour-counted
    classes (and signing for), in working days with the date otherwise."""

    at: dt.datetime
    state: str  # left | today | overdue
    hours: int = 0
    minutes: int = 0
    days: Due | None = None

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"


def clock(
    value: Any, *, by_hours: bool, now: dt.datetime, calendar: WorkdayCalendar
) -> Clock | None:
    """Count down to a deadline from now."""
    at = as_datetime(value)
    if at is None:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    if not by_hours:
        local = at.astimezone(CHINA)
        days = due(local.date(), today=now.astimezone(CHINA).date(), calendar=calendar)
        return Clock(at=at, state=days.state if days else "left", days=days)
    seconds = (at - now).total_seconds()
    minutes = int(abs(seconds) // 60)
    state = "left" if seconds >= 0 else "overdue"
    return Clock(at=at, state=state, hours=minutes // 60, minutes=minutes % 60)


def clocks(
    ticket: Mapping[str, Any], *, now: dt.datetime, calendar: WorkdayCalendar
) -> dict[str, Clock | None]:
    """The sign-for deadline (while it waits to be signed for) and the answer deadline (while
    it is open)."""
    status = ticket["status"]
    by_hours = ticket.get("deadline_class") in HOUR_CLASSES
    return {
        "sign": clock(ticket.get("sign_due_at"), by_hours=True, now=now, calendar=calendar)
        if status == "assigned"
        else None,
        "answer": clock(ticket.get("due_at"), by_hours=by_hours, now=now, calendar=calendar)
        if status in ("assigned", "in_progress", "linked")
        else None,
    }


def timeline(
    ticket: Mapping[str, Any],
    *,
    hotline: complaints.Hotline,
    departments: Mapping[str, str],
    lang: Lang,
    staff: bool = False,
) -> list[dict[str, Any]]:
    """The ticket's events, oldest first, as sentences; the staff's remarks to one another only
    for staff."""
    entries = []
    for event in ticket["timeline"]:
        kind, detail = event["kind"], event.get("detail") or {}
        if kind in INTERNAL_EVENTS and not staff:
            continue
        department = departments.get(detail.get("department") or "", detail.get("department"))
        params: dict[str, Any] = {}
        key = f"ticket.event.{kind}"
        comment = None
        if kind == "received":
            params = {"channel": phrase("ticket.channel", detail.get("channel", ""), lang)}
        elif kind == "dispatched":
            params = {
                "department": department,
                "category": category_name(hotline, detail.get("category"), lang) or "",
            }
            if staff:
                key = "ticket.event.dispatched_by"
                params["by"] = phrase("ticket.routed_by", detail.get("by", ""), lang)
        elif kind in ("linked", "duplicate_linked"):
            params = {"no": detail.get("ticket_no", "")}
        elif kind in ("signed", "transfer_refused"):
            params = {"department": department or ""}
        elif kind == "replied":
            if detail.get("with"):
                key, params = "ticket.event.replied_with", {"no": detail["with"]}
            else:
                params = {"department": department or ""}
        elif kind == "transfer_requested":
            comment = detail.get("reason")
        elif kind == "called_back":
            if detail.get("reopened"):
                key = "ticket.event.reopened"
            params = {
                "resolved": yes_no("ticket.resolved", detail.get("resolved"), lang),
                "satisfied": yes_no("ticket.satisfied", detail.get("satisfied"), lang),
            }
        elif kind == "escalated":
            params = {"late": phrase("ticket.late", detail.get("late", ""), lang)}
        entries.append(
            {
                "at": as_datetime(event["at"]),
                "kind": kind,
                "text": t(key if key in MESSAGES else "ticket.event.other", lang, **params),
                "comment": comment,
                "internal": kind in INTERNAL_EVENTS,
            }
        )
    return entries


def yes_no(prefix: str, value: Any, lang: Lang) -> str:
    """已解决 / 未解决, 满意 / 不满意."""
    return t(f"{prefix}_{'yes' if value else 'no'}", lang)


def phrase(prefix: str, code: str, lang: Lang) -> str:
    """A code's plain words; the code itself when it has none."""
    key = f"{prefix}.{code}"
    return t(key, lang) if key in MESSAGES else code


def described(
    ticket: Mapping[str, Any],
    *,
    hotline: complaints.Hotline,
    departments: Mapping[str, str],
    lang: Lang,
    now: dt.datetime,
    calendar: WorkdayCalendar,
) -> dict[str, Any]:
    """A ticket (a list line or a whole one) with its words and countdowns beside it."""
    return {
        **ticket,
        "kind_name": kind_name(hotline, ticket["kind"], lang),
        "category_words": category_name(hotline, ticket.get("category"), lang),
        "department_name": departments.get(ticket.get("department") or ""),
        "clocks": clocks(ticket, now=now, calendar=calendar),
        "created": as_datetime(ticket.get("created_at")),
        "replied": as_datetime(ticket.get("replied_at")),
    }


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
