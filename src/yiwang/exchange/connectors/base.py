"""What every connector to a department system shares, and the registry of connector kinds."""

from __future__ import annotations

from typing import Any, ClassVar

import httpx


class SourceUnavailable(RuntimeError):
    """A department system did not answer in time or answered with something unusable."""


class Connector:
    """A department system reached over HTTP; subclasses speak its vendor's format."""

    kind: ClassVar[str]
    source: ClassVar[str]

    def __init__(self, client: httpx.AsyncClient, *, base_url: str, timeout: float) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    async def _get(self, path: str, **params: Any) -> httpx.Response | None:
        """GET a path of the source; None for 404, SourceUnavailable for anything broken."""
        try:
            response = await self.client.get(
                f"{self.base_url}{path}", params=params, timeout=self.timeout
            )
        except httpx.HTTPError as exc:
            raise SourceUnavailable(f"{self.source}: {exc.__class__.__name__}") from exc
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise SourceUnavailable(f"{self.source}: HTTP {response.status_code}")
        return response
