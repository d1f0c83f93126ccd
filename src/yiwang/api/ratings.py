"""好差评 in the API: rate an application, follow the rectification it opened, the summary."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field

from yiwang.api.deps import CalendarDep, CurrentAccount, DbDep, Text
from yiwang.applications import repository as applications_repo
from yiwang.applications import service as applications
from yiwang.errors import Forbidden
from yiwang.ratings import service as ratings

router = APIRouter(prefix="/api/v1", tags=["ratings"])


def definitions_of(request: Request) -> ratings.RatingDefinitions:
    """definitions/ratings.yaml, read at start-up."""
    return request.app.state.ratings


RatingsDep = Annotated[ratings.RatingDefinitions, Depends(definitions_of)]


class RatingIn(BaseModel):
    """一事一评: GB/T 39046 satisfaction code (1 非常满意 … 5 非常不满意), channel, comment."""

    model_config = ConfigDict(extra="forbid")
    satisfaction_code: int
    channel: str = Field(default="pc", max_length=16)
    comment: Text = Field(default="", max_length=1000)


class NoteIn(BaseModel):
    """What the department heard on the call-back."""

    model_config = ConfigDict(extra="forbid")
    note: Text = Field(max_length=2000)


class OutcomeIn(BaseModel):
    """What was put right."""

    model_config = ConfigDict(extra="forbid")
    outcome: Text = Field(max_length=2000)


class AppealIn(BaseModel):
    """Why the department holds the rating malicious."""

    model_config = ConfigDict(extra="forbid")
    reason: Text = Field(max_length=2000)


class AppealDecisionIn(BaseModel):
    """An administrator's decision on an appeal."""

    model_config = ConfigDict(extra="forbid")
    set_aside: bool
    reason: Text = Field(max_length=2000)


async def _rated(db: Any, account: Any, application_id: str) -> ratings.Rated:
    view = await applications.view(db, actor=account, application_id=application_id)
    departments = tuple(dict.fromkeys(step["department"]["code"] for step in view["steps"]))
    return ratings.Rated(
        application_id=view["id"],
        applicant_id=account.id,
        status=view["status"],
        tracking_no=view["tracking_no"],
        departments=departments,
    )


@router.post("/applications/{application_id}/rating", status_code=status.HTTP_201_CREATED)
async def rate(
    application_id: str,
    body: RatingIn,
    db: DbDep,
    account: CurrentAccount,
    definitions: RatingsDep,
    calendar: CalendarDep,
) -> dict[str, Any]:
    """Rate my finished application; a second rating is the one follow-up (追评)."""
    return await ratings.rate(
        db,
        definitions=definitions,
        calendar=calendar,
        actor=account,
        subject=await _rated(db, account, application_id),
        satisfaction_code=body.satisfaction_code,
        channel=body.channel,
        comment=body.comment,
    )


@router.get("/applications/{application_id}/rating")
async def my_ratings(
    application_id: str, db: DbDep, account: CurrentAccount, definitions: RatingsDep
) -> list[dict[str, Any]]:
    """My ratings of an application, with what the departments did about a bad one."""
    subject = await _rated(db, account, application_id)
    return await ratings.of_application(
        db, definitions=definitions, application_id=subject.application_id
    )


@router.get("/rectifications")
async def rectification_cases(db: DbDep, account: CurrentAccount) -> list[dict[str, Any]]:
    """My department's rectification cases (supervisors and approvers)."""
    return await ratings.department_cases(db, actor=account)


@router.post("/rectifications/{case_id}/callback")
async def call_back(
    case_id: str, body: NoteIn, db: DbDep, account: CurrentAccount
) -> dict[str, Any]:
    """回访 of a bad rating."""
    return await ratings.call_back(db, actor=account, case_id=case_id, note=body.note)


@router.post("/rectifications/{case_id}/rectify")
async def rectify(
    case_id: str, body: OutcomeIn, db: DbDep, account: CurrentAccount
) -> dict[str, Any]:
    """整改: the outcome, shown to the rater."""
    return await ratings.rectify(db, actor=account, case_id=case_id, outcome=body.outcome)


@router.post("/rectifications/{case_id}/appeal")
async def appeal(
    case_id: str, body: AppealIn, db: DbDep, account: CurrentAccount
) -> dict[str, Any]:
    """申诉 a rating as malicious (department supervisors)."""
    return await ratings.appeal(db, actor=account, case_id=case_id, reason=body.reason)


@router.post("/rectifications/{case_id}/appeal-decision")
async def appeal_decision(
    case_id: str, body: AppealDecisionIn, db: DbDep, account: CurrentAccount
) -> dict[str, Any]:
    """An administrator sets the rating aside, or upholds it; the reason is kept."""
    return await ratings.decide_appeal(
        db, actor=account, case_id=case_id, set_aside=body.set_aside, reason=body.reason
    )


@router.get("/ratings/summary")
async def summary(
    db: DbDep,
    account: CurrentAccount,
    since: Annotated[dt.date | None, Query()] = None,
    until: Annotated[dt.date | None, Query()] = None,
    department: Annotated[str | None, Query(max_length=32)] = None,
) -> dict[str, Any]:
    """主动评价率, 好评率, 差评率, 差评回访率, 整改率 for a period (this month by default)."""
    if account.kind not in ("staff", "admin"):
        raise Forbidden()
    today = dt.datetime.now(ratings.CHINA).date()
    start = dt.datetime.combine(since or today.replace(day=1), dt.time(0), ratings.CHINA)
    end = dt.datetime.combine((until or today) + dt.timedelta(days=1), dt.time(0), ratings.CHINA)
    finished = await applications_repo.finished_between(
        db, since=start, until=end, statuses=ratings.FINISHED
    )
    return await ratings.summary(
        db, since=start, until=end, finished=finished, department=department
    )
