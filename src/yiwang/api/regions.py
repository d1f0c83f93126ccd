"""GB/T 2260 division look-up."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Query

from yiwang.errors import Invalid
from yiwang.kit import regions

router = APIRouter(prefix="/api/v1", tags=["regions"])


@router.get("/regions/resolve")
async def resolve(q: Annotated[str, Query(max_length=60)] = "") -> list[dict[str, Any]]:
    """Every division a name (full, short, or former) or code may mean, with province and city."""
    if not q.strip():
        raise Invalid("region_query_required")
    return [dataclasses.asdict(region) for region in regions.resolve(q)]
