"""Applications (办件) and the staff inbox."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Request, status
from pydantic import BaseModel, ConfigDict, Field

from yiwang.api.deps import (
    CalendarDep,
    CurrentAccount,
    DbDep,
    Text,
    TokenAccount,
    submitting_account,
    write_for,
)
from yiwang.applications import service as applications
from yiwang.errors import NotFound
from yiwang.kit.jsontext import FastJSONResponse
from yiwang.workflow import service as workflow

router = APIRouter(prefix="/api/v1", tags=["applications"])


class ApplicationIn(BaseModel):
    """一次申请: a service or a bundle, and the answers to its form."""

    model_config = ConfigDict(extra="forbid")
    service: str | None = Field(default=None, max_length=64)
    bundle: str | None = Field(default=None, max_length=64)
    form: dict[str, Any]
    consent_id: str | None = Field(default=None, max_length=64)
    # From GET /api/v1/prefill: which answers were prefilled, so the application records which
    # values are verified and which the person typed or changed.
    prefill_token: str | None = Field(default=None, max_length=16384)


class SupplementIn(BaseModel):
    """补正: the corrected fields."""

    model_config = ConfigDict(extra="forbid")
    form: dict[str, Any]


class WithdrawIn(BaseModel):
    """撤销: why, in the applicant's words (optional)."""

    model_config = ConfigDict(extra="forbid")
    reason: Text = Field(default="", max_length=500)


class DecisionIn(BaseModel):
    """A staff decision: approve, reject (with a reason) or return for corrections."""

    model_config = ConfigDict(extra="forbid")
    decision: Literal["approve", "reject", "return"]
    comment: Text = Field(default="", max_length=2000)
    corrections: list[str] | None = Field(default=None, max_length=50)


@router.post(
    "/applications",
    status_code=status.HTTP_201_CREATED,
    response_model=None,
    # The bearer token is read in the route itself (see submitting_account); declared here so
    # that the OpenAPI document still says how to authenticate.
    openapi_extra={"security": [{"OAuth2PasswordBearer": []}]},
)
async def submit(
    request: Request,
    body: ApplicationIn,
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> FastJSONResponse:
    """Apply once; with Idempotency-Key, a replay returns the same application.

    The hot path of a surge: no unit of work (the submission writer has its own connection),
    no dependency tree to solve per request, and the answer serialised once.
    """
    writer = request.app.state.submissions
    account = await submitting_account(request)
    application, created = await applications.submit(
        writer,
        consent_id=body.consent_id,
        prefill_token=body.prefill_token,
        secret=request.app.state.settings.secret_key.encode(),
        actor=account,
        service=body.service,
        bundle=body.bundle,
        form=body.form,
        idempotency_key=idempotency_key,
        calendar=request.app.state.workdays,
    )
    response = FastJSONResponse(application, status_code=status.HTTP_201_CREATED)
    if not created:  # the same answer as the first time: 201, marked as a replay
        response.headers["Idempotent-Replayed"] = "true"
    return response


@router.get("/applications")
async def mine(db: DbDep, account: CurrentAccount) -> list[dict[str, Any]]:
    """My applications, newest first."""
    return await applications.list_mine(db, actor=account)


@router.get(
    "/applications/{application_id}",
    # The document's shape, as before; the answer itself is serialised once, here.
    response_model=dict[str, Any],
    openapi_extra={"security": [{"OAuth2PasswordBearer": []}]},
)
async def one(application_id: str, request: Request) -> FastJSONResponse:
    """One of my applications, with per-department steps and the timeline.
    \f
    What a surge of applicants refreshes: read on the raw driver in one snapshot, without a
    unit of work (see `submit`)."""
    account = await submitting_account(request)
    view = await applications.view_read(
        request.app.state.submissions.raw,
        request.app.state.engine,
        actor=account,
        application_id=application_id,
    )
    return FastJSONResponse(view)


@router.post("/applications/{application_id}/supplement")
async def supplement(
    application_id: str,
    body: SupplementIn,
    db: DbDep,
    account: CurrentAccount,
    calendar: CalendarDep,
) -> dict[str, Any]:
    """补正: correct a returned application; its departments go on where they stopped."""
    return await applications.supplement(
        db, actor=account, application_id=application_id, form=body.form, calendar=calendar
    )


@router.post("/applications/{application_id}/withdraw")
async def withdraw(
    application_id: str, body: WithdrawIn, db: DbDep, account: CurrentAccount
) -> dict[str, Any]:
    """撤销: withdraw before a decision."""
    return await applications.withdraw(
        db, actor=account, application_id=application_id, reason=body.reason
    )


@router.get(
    "/tasks",
    response_model=list[dict[str, Any]],
    openapi_extra={"security": [{"OAuth2PasswordBearer": []}]},
)
async def tasks(request: Request) -> FastJSONResponse:
    """The staff inbox: open tasks of my department for my roles, soonest due first.
    \f
    Read on the raw driver without a unit of work, like an application's status."""
    account = await submitting_account(request)
    if account.kind != "staff" or not account.department_code:
        raise NotFound()
    today = applications.china_today()
    found = await workflow.inbox_read(
        request.app.state.submissions.raw,
        department_code=account.department_code,
        roles=account.roles,
        officer_id=account.id,
    )
    return FastJSONResponse(
        [
            {
                "id": t["id"],
                "application_id": t["application_id"],
                "service": t["service_code"],
                "step": t["step_code"],
                "role": t["role"],
                "due_date": t["due_date"].isoformat(),
                "overdue": t["due_date"] < today and t["branch_status"] != "suspended",
                "suspended": t["branch_status"] == "suspended",
                "assigned_to_me": t["assignee_id"] == account.id,
                "delegated": t["delegated_by"] is not None,
                "supervised": t["supervised_at"] is not None,
                "created_at": t["created_at"].isoformat(),
            }
            for t in found
        ]
    )


@router.get("/tasks/{task_id}")
async def task(task_id: str, db: DbDep, account: CurrentAccount) -> dict[str, Any]:
    """One task of my department with its application: the form, each answer's provenance and
    the timeline. The look is logged where the applicant can read it."""
    case = await applications.view_for_staff(db, actor=account, task_id=task_id, channel="api")
    found = case["task"]
    return {
        "task": {
            "id": found.id,
            "service": found.service_code,
            "step": found.step_code,
            "role": found.role,
            "status": found.status,
            "due_date": found.due_date.isoformat() if found.due_date else None,
        },
        "application": case["view"],
    }


@router.post("/tasks/{task_id}/decision")
async def decision(
    request: Request, task_id: str, body: DecisionIn, account: TokenAccount, calendar: CalendarDep
) -> dict[str, Any]:
    """Decide a task of my department: approve, reject or return.
    \f
    One write transaction, ``write_unit``: on SQLite the decision runs on the writer thread
    that stores submissions, with no hop between its statements."""
    return await write_for(
        request,
        lambda db: applications.decide(
            db,
            actor=account,
            task_id=task_id,
            decision=body.decision,
            comment=body.comment,
            corrections=body.corrections,
            calendar=calendar,
        ),
    )


class ReasonIn(BaseModel):
    """Why a task is suspended or resumed."""

    model_config = ConfigDict(extra="forbid")
    reason: Text = Field(default="", max_length=500)


@router.post("/tasks/{task_id}/suspend")
async def suspend(
    task_id: str, body: ReasonIn, db: DbDep, account: CurrentAccount, calendar: CalendarDep
) -> dict[str, Any]:
    """挂起: stop the branch's clock for a hearing, inspection or expert review."""
    return await applications.suspend_or_resume(
        db, actor=account, task_id=task_id, suspend=True, reason=body.reason, calendar=calendar
    )


@router.post("/tasks/{task_id}/resume")
async def resume(
    task_id: str, body: ReasonIn, db: DbDep, account: CurrentAccount, calendar: CalendarDep
) -> dict[str, Any]:
    """解挂: restart the clock with the working days it had left."""
    return await applications.suspend_or_resume(
        db, actor=account, task_id=task_id, suspend=False, reason=body.reason, calendar=calendar
    )
