"""JSON REST systems: a GET by key, records found by a JMESPath, fields by JMESPath."""

from __future__ import annotations

import functools
from typing import Any, ClassVar

import jmespath
from jmespath.parser import ParsedResult

from yiwang.exchange.connectors.base import RecordConnector, SourceUnavailable


@functools.lru_cache(maxsize=1024)
def _compiled(path: str) -> ParsedResult:
    return jmespath.compile(path)


class JsonRestConnector(RecordConnector):
    """GET ``endpoint?<query>=<key>``; the answer's ``records`` path holds one record or a list."""

    kind: ClassVar[str] = "json_rest"

    async def fetch(self, key: str) -> list[Any]:
        response = await self._get({self.source.query: key})
        if response is None:
            return []
        try:
            body = response.json()
        except ValueError as exc:
            raise SourceUnavailable(f"{self.source.code}: not JSON") from exc
        found = _compiled(self.source.records).search(body) if self.source.records else body
        if found is None:
            return []
        if isinstance(found, dict):
            return [found]
        if isinstance(found, list) and all(isinstance(r, dict) for r in found):
            return found
        raise SourceUnavailable(f"{self.source.code}: unexpected records")

    def value(self, record: Any, path: str) -> Any:
        return _compiled(path).search(record)
