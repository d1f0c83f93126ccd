"""The workflow's statements take the columns they set from their values: a value that names no
column must be refused, not dropped."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from yiwang.database import transaction
from yiwang.workflow import repository as repo

pytestmark = pytest.mark.anyio


async def test_a_misspelt_column_is_refused(engine: AsyncEngine) -> None:
    async with transaction(engine, strict_audit=False) as db:
        with pytest.raises(ValueError, match=r"branches has no columns \['stauts'\]"):
            await repo.update_branch(db, "no-such-branch", {"stauts": "approved"})
        with pytest.raises(ValueError, match=r"tasks has no columns \['decison'\]"):
            await repo.close_task(db, "no-such-task", {"status": "approved", "decison": "x"})
