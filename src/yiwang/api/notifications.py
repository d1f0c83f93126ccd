"""My message box (站内消息)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from yiwang.api.deps import CurrentAccount, DbDep
from yiwang.notifications import service as notifications

router = APIRouter(prefix="/api/v1", tags=["notifications"])


@router.get("/me/notifications")
async def inbox(db: DbDep, account: CurrentAccount) -> list[dict[str, Any]]:
    """My messages, newest first."""
    return await notifications.inbox(db, account_id=account.id)


@router.post("/me/notifications/{notification_id}/read", status_code=status.HTTP_204_NO_CONTENT)
async def read(notification_id: str, db: DbDep, account: CurrentAccount) -> None:
    """Mark a message read."""
    await notifications.mark_read(db, account=account, notification_id=notification_id)
