"""好差评 on an application's page: the form (five GB/T 39046 levels, the channel told by the
browser, a comment) while a finished application may still be rated, and each rating given with
what the departments did about a bad one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request

from yiwang.kit.i18n import Lang
from yiwang.ratings import service as ratings
from yiwang.web.ui import as_date, as_datetime, on_phone, pick

RATINGS_PER_APPLICATION = 2  # 一事一评, and one 追评
COMMENT_MAX = 1000


def definitions_of(request: Request) -> ratings.RatingDefinitions:
    """definitions/ratings.yaml, read at start-up."""
    return request.app.state.ratings


def channel_of(request: Request) -> str:
    """PC端 or 移动服务端, as the browser says."""
    return "mobile" if on_phone(request) else "pc"


def subject_of(view: Mapping[str, Any], applicant_id: str) -> ratings.Rated:
    """What a rating is about, from the application as its applicant sees it."""
    return ratings.Rated(
        application_id=view["id"],
        applicant_id=applicant_id,
        status=view["status"],
        tracking_no=view["tracking_no"],
        departments=tuple(dict.fromkeys(step["department"]["code"] for step in view["steps"])),
    )


def levels(definitions: ratings.RatingDefinitions, lang: Lang) -> list[tuple[str, str]]:
    """The five levels as (code, name): 非常满意 … 非常不满意."""
    return [(str(s.code), pick(lang, s.name)) for s in definitions.satisfaction]


def case_shown(case: Mapping[str, Any], departments: Mapping[str, str]) -> dict[str, Any]:
    """A rectification case with its department named and its dates as dates."""
    return {
        **case,
        "department_name": departments.get(case["department"], case["department"]),
        "callback_due_on": as_date(case["callback_due"]),
        "rectify_due_on": as_date(case["rectify_due"]),
        "called_back": as_datetime(case["called_back_at"]),
        "rectified": as_datetime(case["rectified_at"]),
    }


def given(
    rows: list[dict[str, Any]], departments: Mapping[str, str], lang: Lang
) -> list[dict[str, Any]]:
    """The ratings given, oldest first, each with its rectification cases."""
    return [
        {
            **row,
            "level": row["satisfaction_name_en"] if lang == "en" else row["satisfaction_name"],
            "at": as_datetime(row["created_at"]),
            "cases": [case_shown(c, departments) for c in row["rectifications"]],
        }
        for row in rows
    ]


def context(
    request: Request,
    view: Mapping[str, Any],
    rows: list[dict[str, Any]],
    departments: Mapping[str, str],
    lang: Lang,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What the application page needs for 好差评."""
    definitions = definitions_of(request)
    return {
        "ratings": given(rows, departments, lang),
        "may_rate": view["status"] in ratings.FINISHED and len(rows) < RATINGS_PER_APPLICATION,
        "follow_up": len(rows) == 1,
        "levels": levels(definitions, lang),
        "channel": channel_of(request),
        "errors": errors or {},
        "values": values or {},
        "comment_max": COMMENT_MAX,
    }
