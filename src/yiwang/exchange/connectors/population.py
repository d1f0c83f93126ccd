"""公安人口库 (population registry): the demo region's JSON REST system with camelCase keys."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import httpx
from circuitbreaker import CircuitBreaker, CircuitBreakerError

from yiwang.exchange.connectors.base import Connector, SourceUnavailable
from yiwang.kit.text import clean_person_name


@dataclasses.dataclass(frozen=True)
class PersonRecord:
    """A person as the registry knows them, cleaned into standard data elements."""

    id_number: str
    name: str


class PopulationRegistry(Connector):
    """Looks people up by resident ID number in the population registry.

    With a ``breaker`` (the process's, kept across requests), a registry that has failed
    ``failure_threshold`` times running is left alone for its recovery time: registration
    then says at once that the registry cannot be reached, instead of each person waiting out
    a timeout, and the registry is not asked again until it has had time to come back.
    """

    kind: ClassVar[str] = "json_rest"
    source: ClassVar[str] = "population_registry"

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_url: str,
        timeout: float,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        super().__init__(client, base_url=base_url, timeout=timeout)
        self.breaker = breaker

    def down_for(self) -> int | None:
        """Seconds until the registry is asked again, while its breaker is open; None when it
        may be asked now."""
        if self.breaker is None or not self.breaker.opened:
            return None
        return max(1, int(self.breaker.open_remaining))

    async def find_person(self, id_number: str) -> PersonRecord | None:
        """The registry's record for an 18-digit ID number, or None if it has none.

        The registry still files some people born in the 1900s under their 15-digit number,
        so a miss on the 18-digit form is retried with the legacy form.
        """
        record = await self._lookup(id_number)
        if record is None and id_number[6:8] == "19":
            record = await self._lookup(id_number[:6] + id_number[8:17])
        if record is None:
            return None
        return PersonRecord(id_number=id_number, name=clean_person_name(str(record["fullName"])))

    async def _lookup(self, number: str) -> dict[str, object] | None:
        response = await self._get("/v1/persons", idCardNo=number)
        if response is None:
            return None
        try:
            body = response.json()
            record = body["data"]
        except (ValueError, KeyError, TypeError) as exc:
            raise SourceUnavailable(f"{self.source}: unexpected response") from exc
        if not record:
            return None
        if not isinstance(record, dict) or "fullName" not in record:
            raise SourceUnavailable(f"{self.source}: unexpected record")
        return record

    async def names_match(self, *, name: str, id_number: str) -> bool:
        """实名核验: whether the registry holds this ID number under this name (through the
        breaker, when there is one: a failure counts, an answer of either kind does not)."""
        if self.breaker is None:
            return await self._names_match(name, id_number)
        try:
            return bool(await self.breaker.call_async(self._names_match, name, id_number))
        except CircuitBreakerError as exc:
            raise SourceUnavailable(f"{self.source}: left alone after failing") from exc

    async def _names_match(self, name: str, id_number: str) -> bool:
        person = await self.find_person(id_number)
        return person is not None and person.name == clean_person_name(name)
