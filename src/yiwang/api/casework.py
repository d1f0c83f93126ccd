"""Staff operations on tasks beyond deciding: 转办, 委派, 加签, 撤回, 催办, 督办."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from yiwang.api.deps import CurrentAccount, DbDep, Text
from yiwang.applications import casework

router = APIRouter(prefix="/api/v1/tasks", tags=["tasks"])


class ToColleague(BaseModel):
    """A colleague (by username) and a note."""

    model_config = ConfigDict(extra="forbid")
    to: Text = Field(min_length=1, max_length=64)
    comment: Text = Field(default="", max_length=1000)


class Note(BaseModel):
    """A note."""

    model_config = ConfigDict(extra="forbid")
    comment: Text = Field(default="", max_length=1000)


@router.post("/{task_id}/transfer")
async def transfer(task_id: str, body: ToColleague, db: DbDep, account: CurrentAccount) -> Any:
    """转办: hand the task to a colleague for good."""
    return await casework.hand_over(
        db, actor=account, task_id=task_id, to=body.to, comment=body.comment, delegate=False
    )


@router.post("/{task_id}/delegate")
async def delegate(task_id: str, body: ToColleague, db: DbDep, account: CurrentAccount) -> Any:
    """委派: ask a colleague to handle it and give it back."""
    return await casework.hand_over(
        db, actor=account, task_id=task_id, to=body.to, comment=body.comment, delegate=True
    )


@router.post("/{task_id}/give-back")
async def give_back(task_id: str, body: Note, db: DbDep, account: CurrentAccount) -> Any:
    """委派, returned: give a delegated task back."""
    return await casework.give_back(db, actor=account, task_id=task_id, comment=body.comment)


@router.post("/{task_id}/add-signer")
async def add_signer(task_id: str, body: ToColleague, db: DbDep, account: CurrentAccount) -> Any:
    """加签: a colleague must approve this step too."""
    return await casework.add_signer(
        db, actor=account, task_id=task_id, to=body.to, comment=body.comment
    )


@router.post("/{task_id}/take-back")
async def take_back(task_id: str, db: DbDep, account: CurrentAccount) -> dict[str, Any]:
    """撤回: take back my approval before the next officer acts."""
    return await casework.take_back(db, actor=account, task_id=task_id)


@router.post("/{task_id}/nudge")
async def nudge(task_id: str, body: Note, db: DbDep, account: CurrentAccount) -> Any:
    """催办 (supervisors): remind whoever holds the task."""
    return await casework.supervise(
        db, actor=account, task_id=task_id, comment=body.comment, nudge=True
    )


@router.post("/{task_id}/supervise")
async def supervise(task_id: str, body: Note, db: DbDep, account: CurrentAccount) -> Any:
    """督办 (supervisors): put an overdue case under formal supervision."""
    return await casework.supervise(
        db, actor=account, task_id=task_id, comment=body.comment, nudge=False
    )
