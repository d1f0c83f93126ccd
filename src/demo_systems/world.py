"""The demo county that every system describes: its people, its enterprises, its fixed records."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from demo_systems.enterprises import Enterprise, generated_enterprises
from demo_systems.people import Person, fixed_people, generated_people
from demo_systems.spelling import halfwidth

DEFAULT_ACCOUNTS = Path(__file__).resolve().parents[2] / "definitions" / "demo" / "accounts.yaml"
DEFAULT_FIXTURES = Path(__file__).resolve().with_name("fixtures.yaml")


@dataclasses.dataclass
class World:
    """Everyone and everything the demo systems hold records about."""

    fixed_people: list[Person]
    generated_people: list[Person]
    fixed_enterprises: list[Enterprise]
    generated_enterprises: list[Enterprise]
    fixtures: dict[str, Any]
    size: int  # how many synthetic residents were asked for; the systems scale with it

    @property
    def people(self) -> list[Person]:
        """The demo accounts' people first, then the synthetic residents."""
        return self.fixed_people + self.generated_people

    @property
    def enterprises(self) -> list[Enterprise]:
        """The demo enterprises first, then the synthetic ones."""
        return self.fixed_enterprises + self.generated_enterprises


def capital_wan(text: str) -> Decimal:
    """A registered capital written "100.000000" or "100万元人民币", in 万元."""
    return Decimal(halfwidth(text).removesuffix("万元人民币").removesuffix("万元"))


def _fixed_enterprise(record: dict[str, str]) -> Enterprise:
    return Enterprise(
        uscc=record["UNISCID"].upper(),
        name=record["ENTNAME"].replace("(", "（").replace(")", "）"),
        kind=record["ENTTYPE_CN"],
        legal_rep_name=record["LEREP"],
        legal_rep_id=record["LEREP_CERNO"],
        capital_wan=capital_wan(record["REGCAP"]),
        address=halfwidth(record["DOM"]),
        scope=record["OPSCOPE"],
        established=dt.date.fromisoformat(record["ESTDATE"]),
    )


def build(
    accounts_file: Path | None = None, fixtures_file: Path | None = None, generated: int = 3000
) -> World:
    """The demo county, deterministic for the same files and size."""
    people = fixed_people(accounts_file or DEFAULT_ACCOUNTS)
    synthetic = generated_people(generated, taken={p.id_number for p in people})
    fixtures = yaml.safe_load((fixtures_file or DEFAULT_FIXTURES).read_text(encoding="utf-8"))
    fixed = [_fixed_enterprise(r) for r in fixtures["market"]["EntInfo"]]
    enterprises = generated_enterprises(
        generated // 2,
        synthetic,
        taken={e.uscc for e in fixed},
        names={e.name for e in fixed} | {r["ENTNAME"] for r in fixtures["market"]["NameInfo"]},
    )
    return World(people, synthetic, fixed, enterprises, fixtures, generated)
