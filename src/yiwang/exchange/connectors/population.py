"""公安人口库 (population registry): the demo region's JSON REST system with camelCase keys."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from yiwang.exchange.connectors.base import Connector, SourceUnavailable
from yiwang.kit.text import clean_person_name


@dataclasses.dataclass(frozen=True)
class PersonRecord:
    """A person as the registry knows them, cleaned into standard data elements."""

    id_number: str
    name: str


class PopulationRegistry(Connector):
    """Looks people up by resident ID number in the population registry."""

    kind: ClassVar[str] = "json_rest"
    source: ClassVar[str] = "population_registry"

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
        """实名核验: whether the registry holds this ID number under this name."""
        person = await self.find_person(id_number)
        return person is not None and person.name == clean_person_name(name)
