"""Connectors to department systems, by kind: a new system of a known kind needs only YAML."""

from __future__ import annotations

from yiwang.exchange.connectors.base import (
    Connector,
    RecordConnector,
    SourceUnavailable,
)
from yiwang.exchange.connectors.csv_export import CsvConnector
from yiwang.exchange.connectors.json_rest import JsonRestConnector
from yiwang.exchange.connectors.population import PopulationRegistry
from yiwang.exchange.connectors.xml import XmlConnector

CONNECTORS: dict[str, type[RecordConnector]] = {
    JsonRestConnector.kind: JsonRestConnector,
    XmlConnector.kind: XmlConnector,
    CsvConnector.kind: CsvConnector,
}

__all__ = [
    "CONNECTORS",
    "Connector",
    "PopulationRegistry",
    "RecordConnector",
    "SourceUnavailable",
]
