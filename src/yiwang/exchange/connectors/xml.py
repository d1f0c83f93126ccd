"""XML systems: a GET by key, records as repeated elements, fields as their child tags."""

from __future__ import annotations

from typing import Any, ClassVar
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from yiwang.exchange.connectors.base import RecordConnector, SourceUnavailable


class XmlConnector(RecordConnector):
    """GET ``endpoint?<query>=<key>``; every ``records`` element under the root is a record.

    Parsed with defusedxml: a system's answer is not trusted to be free of entity expansion.
    """

    kind: ClassVar[str] = "xml"

    async def fetch(self, key: str) -> list[Any]:
        response = await self._get({self.source.query: key})
        if response is None:
            return []
        try:
            root = fromstring(response.content)
        except (ParseError, DefusedXmlException) as exc:
            raise SourceUnavailable(f"{self.source.code}: not well-formed XML") from exc
        if self.source.records is None:
            return [root]
        return list(root.iter(self.source.records))

    def value(self, record: Any, path: str) -> Any:
        assert isinstance(record, Element)
        return record.findtext(path)
