"""What the service pages share: text in the reader's language, dates, working-day countdowns,
signing in first, and the catalogue an application was submitted under."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse
from jinja2 import pass_context

from yiwang.applications import service as applications
from yiwang.catalog import snapshots
from yiwang.catalog.loader import Catalog
from yiwang.database import Db
from yiwang.errors import NotFound
from yiwang.kit.i18n import Lang, format_date, format_datetime, t
from yiwang.kit.messages import MESSAGES
from yiwang.kit.workdays import WorkdayCalendar
from yiwang.web.render import FLASH_COOKIE, env


def pick(lang: Lang, value: Any) -> str:
    """A bilingual text in the reader's language: a Text, a {zh, en} dict or a {name, name_en}
    dict as the domain services return them."""
    if value is None:
        return ""
    if isinstance(value, dict):
        if "zh" in value:
            return str(value.get(lang) or value["zh"])
        if "name" in value:
            return str(value.get("name_en") or value["name"]) if lang == "en" else value["name"]
        return ""
    zh = getattr(value, "zh", None)
    if zh is not None:
        return str(getattr(value, lang, None) or zh)
    return str(value)


def as_date(value: Any) -> dt.date | None:
    """A date from a date, a datetime or an ISO string."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def as_datetime(value: Any) -> dt.datetime | None:
    """A datetime from a datetime or an ISO string."""
    if value is None or value == "":
        return None
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


@pass_context
def _pick(context: Any, value: Any) -> str:
    return pick(context["lang"], value)


@pass_context
def _day(context: Any, value: Any) -> str:
    return format_date(as_date(value), context["lang"])


@pass_context
def _when(context: Any, value: Any) -> str:
    return format_datetime(as_datetime(value), context["lang"])


def tp(key: str, lang: Lang, **params: Any) -> str:
    """A message with a count in it (n, days or count): "1 working day", "2 working days"."""
    count = next((params[k] for k in ("n", "days", "count") if k in params), None)
    if count == 1 and f"{key}.one" in MESSAGES:
        key = f"{key}.one"
    return t(key, lang, **params)


@pass_context
def _tp(context: Any, key: str, **params: Any) -> str:
    return tp(key, context["lang"], **params)


env.filters.update(pick=_pick, day=_day, when=_when)
env.globals.update(tp=_tp)


@dataclasses.dataclass(frozen=True)
class Due:
    """A deadline as a person reads it: the date, and working days left (or overdue by)."""

    date: dt.date
    days: int
    state: str  # left | today | overdue

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"


def due(value: Any, *, today: dt.date, calendar: WorkdayCalendar) -> Due | None:
    """Count a deadline in working days from today (today itself does not count)."""
    date = as_date(value)
    if date is None:
        return None
    if date > today:
        return Due(date, calendar.workdays_between(today, date), "left")
    if date == today:
        return Due(date, 0, "today")
    return Due(date, max(calendar.workdays_between(date, today), 1), "overdue")


def calendar_of(request: Request) -> WorkdayCalendar:
    """The working-day calendar the deadlines were counted with."""
    return request.app.state.workdays


def to_login(next_path: str) -> RedirectResponse:
    """Send a signed-out person to sign in, and back here afterwards."""
    return RedirectResponse(f"/login?next={quote(next_path, safe='/')}", status_code=303)


def read_flash(request: Request) -> list[str]:
    """The one-time notice the previous request left for this browser, split into its parts
    (the page that shows it deletes the cookie)."""
    value = request.cookies.get(FLASH_COOKIE, "")
    return value.split(":") if value else []


def set_flash(request: Request, response: Any, *parts: str) -> None:
    """Leave a one-time notice for the next page this browser opens."""
    response.set_cookie(
        FLASH_COOKIE,
        ":".join(parts),
        max_age=300,
        httponly=True,
        samesite="lax",
        secure=request.app.state.settings.cookie_secure,
    )


async def current_catalog(db: Db) -> Catalog | None:
    """The catalogue in force, or None when none has been loaded yet."""
    try:
        _, catalog = await snapshots.current(db)
    except NotFound:
        return None
    return catalog


async def catalog_of_application(db: Db, application_id: str) -> Catalog:
    """The catalogue an application was submitted under."""
    return await applications.catalog_of(db, application_id)


async def tracking_nos(db: Db, application_ids: set[str]) -> dict[str, str]:
    """Tracking numbers of applications, for a staff inbox."""
    return await applications.tracking_nos(db, application_ids)


async def catalogue_overview(db: Db) -> dict[str, Any]:
    """The home page's catalogue: bundles, and services grouped by department."""
    catalog = await current_catalog(db)
    if catalog is None:
        return {"bundles": [], "service_groups": []}
    groups = []
    for department in catalog.departments.values():
        items = sorted(
            (s for s in catalog.services.values() if s.department == department.code),
            key=lambda s: s.code,
        )
        if items:
            groups.append({"department": department, "services": items})
    return {"bundles": list(catalog.bundles.values()), "service_groups": groups}


def on_phone(request: Request) -> bool:
    """Whether the browser says it is a phone's (好差评 and 12345 record the channel)."""
    agent = request.headers.get("user-agent", "")
    return any(mark in agent for mark in ("Mobi", "Android", "iPhone", "HarmonyOS"))
