"""Connectors to department systems, by kind; the exchange issue grows this registry."""

from __future__ import annotations

from yiwang.exchange.connectors.base import Connector, SourceUnavailable
from yiwang.exchange.connectors.population import PopulationRegistry

CONNECTORS: dict[str, type[Connector]] = {
    PopulationRegistry.source: PopulationRegistry,
}

__all__ = ["CONNECTORS", "Connector", "PopulationRegistry", "SourceUnavailable"]
