"""An application's progress as pictures and sentences: one card per department with its steps,
deadlines in working days beside calendar dates, and the timeline in the reader's words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from yiwang.catalog.items import ServiceItem, Step
from yiwang.catalog.loader import Catalog
from yiwang.kit.i18n import Lang, format_date, t
from yiwang.kit.workdays import WorkdayCalendar
from yiwang.web.ui import as_datetime, due, pick, tp

OPEN = frozenset({"in_progress", "returned"})
SEPARATOR = {"zh": "、", "en": ", "}


def path_of(service: ServiceItem | None) -> list[Step]:
    """A workflow's steps in the order a case goes through them (following `next`)."""
    if service is None:
        return []
    by_code = {s.code: s for s in service.workflow.steps}
    path = [service.workflow.steps[0]]
    while path[-1].next and path[-1].next in by_code and len(path) <= len(by_code):
        path.append(by_code[path[-1].next])
    return path


def _states(status: str, path: list[Step], current: str | None) -> list[str]:
    if status == "approved":
        return ["done"] * len(path)
    codes = [s.code for s in path]
    if status == "waiting" or current not in codes:
        return ["todo"] * len(path)
    here = codes.index(current)
    marker = {"active": "current"}.get(status, status)
    return ["done"] * here + [marker] + ["todo"] * (len(path) - here - 1)


def branches(
    view: Mapping[str, Any],
    catalog: Catalog,
    *,
    lang: Lang,
    today: dt.date,
    calendar: WorkdayCalendar,
) -> list[dict[str, Any]]:
    """One card per department's branch: where it is, what it waits for, when it is due."""
    names = {s["service"]["code"]: pick(lang, s["service"]) for s in view["steps"]}
    bundle = catalog.bundles.get(view["code"]) if view["kind"] == "bundle" else None
    order = {code: i for i, code in enumerate(bundle.services if bundle else [])}
    cards = []
    for branch in sorted(view["steps"], key=lambda s: order.get(s["service"]["code"], len(order))):
        code = branch["service"]["code"]
        service = catalog.services.get(code)
        path = path_of(service)
        current = branch["step"]["code"] if branch["step"] else None
        states = _states(branch["status"], path, current)
        cards.append(
            {
                "id": branch["id"],
                "department": pick(lang, branch["department"]),
                "service": names[code],
                "service_code": code,
                "status": branch["status"],
                "step": pick(lang, branch["step"]) if branch["step"] else None,
                "steps": [
                    {"name": pick(lang, step.name), "state": state}
                    for step, state in zip(path, states, strict=True)
                ],
                "waits_for": [names.get(c, c) for c in branch["waits_for"]],
                "due": due(branch["due_date"], today=today, calendar=calendar)
                if branch["status"] == "active"
                else None,
                "remaining_days": branch.get("remaining_days"),
                "promised_days": service.promised_limit_days if service else None,
            }
        )
    return cards


def next_steps(cards: list[dict[str, Any]], lang: Lang) -> list[str]:
    """What happens next, department by department, in sentences."""
    lines = []
    for card in cards:
        if card["status"] == "waiting":
            lines.append(
                tp(
                    "next.waiting",
                    lang,
                    service=card["service"],
                    waits=SEPARATOR[lang].join(card["waits_for"]),
                    days=card["promised_days"],
                )
            )
        elif card["status"] == "active" and card["due"] is not None:
            key = "next.today" if card["promised_days"] == 0 else "next.active"
            lines.append(
                tp(
                    key,
                    lang,
                    department=card["department"],
                    service=card["service"],
                    days=card["promised_days"],
                    date=format_date(card["due"].date, lang),
                )
            )
    return lines


def timeline(
    view: Mapping[str, Any], catalog: Catalog, labels: Mapping[str, str], *, lang: Lang
) -> list[dict[str, Any]]:
    """The application's events, oldest first, as sentences with any comment beside them."""
    names = {s["service"]["code"]: pick(lang, s["service"]) for s in view["steps"]}

    def service(code: Any) -> str:
        return names.get(str(code), str(code))

    def step(code: Any, step_code: Any) -> str:
        found = catalog.services.get(str(code))
        for s in found.workflow.steps if found else []:
            if s.code == step_code:
                return pick(lang, s.name)
        return str(step_code)

    entries = []
    for event in view["timeline"]:
        kind, detail = event["kind"], event.get("detail") or {}
        params: dict[str, Any] = {}
        if kind == "submitted":
            params = {"no": detail.get("tracking_no", view["tracking_no"])}
        elif kind in STEP_EVENTS:
            params = {
                "service": service(detail.get("service")),
                "step": step(detail.get("service"), detail.get("step")),
            }
        elif kind == "branch_started":
            params = {"service": service(detail.get("service"))}
        elif kind == "branches_stopped":
            params = {
                "services": SEPARATOR[lang].join(service(c) for c in detail.get("services", [])),
                "because": service(detail.get("because")),
            }
        elif kind in LICENCE_EVENTS:
            params = {
                "service": service(detail.get("service")),
                "type": _licence_type(catalog, detail.get("type"), lang),
                "material": _material(catalog, detail.get("service"), detail.get("material"), lang),
                "identifier": detail.get("identifier", ""),
            }
        elif kind == "supplemented":
            fields = [labels.get(f, f) for f in detail.get("fields", [])]
            params = {"fields": SEPARATOR[lang].join(fields) or t("answer.blank", lang)}
        key = f"timeline.{kind}"
        entries.append(
            {
                "at": as_datetime(event["at"]),
                "kind": kind,
                "text": t(key, lang, **params) if key in _KNOWN else t("timeline.other", lang),
                "comment": detail.get("comment") or detail.get("reason"),
                "internal": kind in INTERNAL_EVENTS,  # 转办, 委派, 催办 …: staff's own remarks
                "corrections": [labels.get(f, f) for f in detail.get("corrections") or []],
                "by_staff": event.get("actor_kind") == "staff",
            }
        )
    return entries


def _licence_type(catalog: Catalog, code: Any, lang: Lang) -> str:
    found = catalog.certificate_types.get(str(code))
    return pick(lang, found.name) if found else t("timeline.licence", lang)


def _material(catalog: Catalog, service_code: Any, code: Any, lang: Lang) -> str:
    found = catalog.services.get(str(service_code))
    for material in found.materials if found else []:
        if material.code == code:
            return pick(lang, material.name)
    return str(code or "")


LICENCE_EVENTS = frozenset({"certificate_issued", "licence_attached"})
INTERNAL_EVENTS = frozenset(
    {
        "transferred",
        "delegated",
        "given_back",
        "taken_back",
        "signer_added",
        "nudged",
        "supervised",
        "task_due_soon",
        "task_overdue",
    }
)
STEP_EVENTS = frozenset(
    {"task_approved", "task_rejected", "task_returned", "branch_suspended", "branch_resumed"}
    | INTERNAL_EVENTS
)
_KNOWN = frozenset(
    f"timeline.{k}"
    for k in (
        "submitted",
        "branch_started",
        "branches_stopped",
        "application_approved",
        "application_rejected",
        "application_returned",
        "application_in_progress",
        "application_withdrawn",
        "supplemented",
        "withdrawn",
        *LICENCE_EVENTS,
        *STEP_EVENTS,
    )
)


def open_returns(view: Mapping[str, Any], labels: Mapping[str, str], *, lang: Lang) -> list[Any]:
    """The officers' requests for correction since the applicant last supplemented: each with
    its service, comment and the fields to correct (merged form names)."""
    names = {s["service"]["code"]: pick(lang, s["service"]) for s in view["steps"]}
    found: list[dict[str, Any]] = []
    for event in view["timeline"]:
        if event["kind"] == "supplemented":
            found = []
        elif event["kind"] == "task_returned":
            detail = event.get("detail") or {}
            fields = [f for f in detail.get("corrections") or [] if f in labels]
            found.append(
                {
                    "service": names.get(detail.get("service"), detail.get("service")),
                    "comment": detail.get("comment"),
                    "fields": fields,
                    "labels": [labels[f] for f in fields],
                }
            )
    return found
