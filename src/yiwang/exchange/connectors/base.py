"""What every connector to a department system shares."""

from __future__ import annotations

from typing import Any, ClassVar

import aiohttp
import httpx

from yiwang.catalog.items import DataSource
from yiwang.exchange.connectors.client import Answer, DepartmentClient


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

    async def _get(self, path: str, **params: Any) -> Answer | httpx.Response | None:
        """GET a path of the source; None for 404, SourceUnavailable for anything broken."""
        return await get(self.client, f"{self.base_url}{path}", params, self.timeout, self.source)


async def get(
    client: httpx.AsyncClient | DepartmentClient,
    url: str,
    params: dict[str, Any],
    timeout: float,  # noqa: ASYNC109 - the client's own timeout, per request
    name: str,
    headers: dict[str, str] | None = None,
) -> Answer | httpx.Response | None:
    """GET from a department system; None for 404, SourceUnavailable for anything broken."""
    try:
        response = await client.get(url, params=params, timeout=timeout, headers=headers)
    except (httpx.HTTPError, aiohttp.ClientError, TimeoutError) as exc:
        raise SourceUnavailable(f"{name}: {exc.__class__.__name__}") from exc
    if response.status_code == 404:
        return None
    if response.status_code not in (200, 304):
        raise SourceUnavailable(f"{name}: HTTP {response.status_code}")
    return response


class RecordConnector:
    """A data source of the resource catalogue, read through its YAML field mapping.

    ``fetch`` returns the system's records for one key as the vendor wrote them; ``value`` reads
    one field of a record by the mapping's path. Cleaning happens above, in the exchange.
    The system is asked through the exchange's ``DepartmentClient``.
    """

    kind: ClassVar[str]

    def __init__(
        self, source: DataSource, *, client: DepartmentClient, url: str, timeout: float
    ) -> None:
        self.source = source
        self.client = client
        self.url = url
        self.timeout = timeout

    async def fetch(self, key: str) -> list[Any]:
        """The records the system holds for ``key`` (an ID number or credit code)."""
        raise NotImplementedError

    def value(self, record: Any, path: str) -> Any:
        """One field of a record."""
        raise NotImplementedError

    async def _get(self, params: dict[str, Any]) -> Answer | None:
        return await get(self.client, self.url, params, self.timeout, self.source.code)
