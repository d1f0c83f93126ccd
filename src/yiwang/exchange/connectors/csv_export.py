"""CSV exports: a whole file, downloaded when it changes and indexed by its key column."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import time
from typing import Any, ClassVar

from yiwang.exchange.connectors.base import RecordConnector, SourceUnavailable
from yiwang.kit.text import to_halfwidth
from yiwang.kit.validators import InvalidIdNumber, upgrade_id_number

# How long an export is used before asking whether it changed (an ETag makes asking cheap).
REFRESH_SECONDS = {"realtime": 0.0, "daily": 300.0, "weekly": 3600.0, "monthly": 3600.0}


def normalise_key(value: str) -> str:
    """An ID number or credit code as an index key: half-width, upper case, 18 characters."""
    key = to_halfwidth(value.strip(), keep_cjk_punctuation=False).upper()
    if len(key) == 15 and key.isdigit():
        try:
            return upgrade_id_number(key)
        except InvalidIdNumber:
            return key
    return key


@dataclasses.dataclass
class Export:
    """One downloaded export, indexed."""

    etag: str | None
    checked_at: float
    rows: int
    index: dict[str, list[dict[str, str]]]


class CsvConnector(RecordConnector):
    """GET the export (``If-None-Match`` when it has one) and look keys up in its index."""

    kind: ClassVar[str] = "csv"
    # Downloaded exports, shared by every request of the process, per URL.
    exports: ClassVar[dict[str, Export]] = {}
    _locks: ClassVar[dict[tuple[str, int], asyncio.Lock]] = {}

    async def fetch(self, key: str) -> list[Any]:
        export = await self._export()
        return list(export.index.get(normalise_key(key), []))

    def value(self, record: Any, path: str) -> Any:
        return record.get(path)

    async def _export(self) -> Export:
        current = self.exports.get(self.url)
        ttl = REFRESH_SECONDS[self.source.update_cycle]
        if current is not None and time.monotonic() - current.checked_at < ttl:
            return current
        lock = self._locks.setdefault((self.url, id(asyncio.get_running_loop())), asyncio.Lock())
        async with lock:
            current = self.exports.get(self.url)
            if current is not None and time.monotonic() - current.checked_at < ttl:
                return current
            return await self._download(current)

    async def _download(self, current: Export | None) -> Export:
        headers = {"If-None-Match": current.etag} if current and current.etag else None
        try:
            response = await self.client.get(self.url, timeout=self.timeout, headers=headers)
        except Exception as exc:
            if current is not None:  # a stale export beats none; the next request asks again
                return current
            raise SourceUnavailable(f"{self.source.code}: {exc.__class__.__name__}") from exc
        if response.status_code == 304 and current is not None:
            current.checked_at = time.monotonic()
            return current
        if response.status_code != 200:
            if current is not None:
                return current
            raise SourceUnavailable(f"{self.source.code}: HTTP {response.status_code}")
        try:
            text = response.content.decode(self.source.encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise SourceUnavailable(f"{self.source.code}: not {self.source.encoding}") from exc
        reader = csv.DictReader(io.StringIO(text))
        if reader.fieldnames is None or self.source.query not in reader.fieldnames:
            raise SourceUnavailable(f"{self.source.code}: no {self.source.query} column")
        index: dict[str, list[dict[str, str]]] = {}
        rows = 0
        for row in reader:
            rows += 1
            index.setdefault(normalise_key(row.get(self.source.query) or ""), []).append(row)
        export = Export(
            etag=response.headers.get("etag"), checked_at=time.monotonic(), rows=rows, index=index
        )
        self.exports[self.url] = export
        return export
