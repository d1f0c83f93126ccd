"""卫生健康 (health): snake_case JSON, {"status": "OK", "records": [...]}, newest first."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from typing import Any

from fastapi import APIRouter, Query

from demo_systems.people import GIVEN, TODAY, Person
from demo_systems.spelling import has_traditional, traditional
from demo_systems.world import World

BIRTH_ORGS = ("安吉县妇幼保健院", "安吉县人民医院", "安吉县中医医院", "湖州市妇幼保健院")
CATEGORIES = {"食品从业人员": 70, "公共场所从业人员": 25, "药品从业人员": 5}

Record = dict[str, Any]


def _name(rng: random.Random, name: str) -> str:
    """A name as the clerk typed it: now and then in traditional characters."""
    return traditional(name) if has_traditional(name) and rng.random() < 0.1 else name


def _birth_time(rng: random.Random, moment: dt.datetime) -> str:
    """出生时间 with its offset, or a tenth of them as "2026/11/20 08:31" with none."""
    if rng.random() < 0.1:
        return f"{moment:%Y/%m/%d %H:%M}"
    return f"{moment:%Y-%m-%dT%H:%M:00}+08:00"


def parse_birth_time(text: str) -> dt.datetime:
    """A birth time in either style, as a naive 北京时间."""
    if "/" in text:
        return dt.datetime.strptime(text, "%Y/%m/%d %H:%M")
    return dt.datetime.fromisoformat(text).replace(tzinfo=None)


def _parent(rng: random.Random, person: Person) -> Record:
    """A parent as the birth record names them."""
    return {"name": _name(rng, person.plain_name), "id_no": person.id_number}


def births(world: World) -> list[Record]:
    """出生医学证明 records: the fixed ones, then generated births of 2025 and 2026."""
    rng = random.Random(7101)
    result = list(world.fixtures["health"]["births"])
    taken = {r["cert_no"] for r in result}
    people = world.generated_people
    mothers = [p for p in people if not p.male and 20 <= p.age() <= 42]
    fathers = [p for p in people if p.male and 22 <= p.age() <= 50]
    start = dt.datetime(2025, 1, 1)
    span = int((dt.datetime(2026, 11, 20) - start).total_seconds() // 60)
    for mother in rng.sample(mothers, min(len(mothers), world.size // 10) if fathers else 0):
        father = rng.choice(fathers)
        male = rng.random() < 0.52
        baby = father.plain_name[0] + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        while (cert_no := f"Q33{rng.randrange(10**7):07d}") in taken:
            pass
        taken.add(cert_no)
        moment = start + dt.timedelta(minutes=rng.randrange(span))
        result.append(
            {
                "cert_no": cert_no,
                "baby": {
                    "name": _name(rng, baby),
                    "sex": "M" if male else "F",
                    "birth_time": _birth_time(rng, moment),
                    "birth_org": rng.choice(BIRTH_ORGS),
                },
                "mother": _parent(rng, mother),
                "father": _parent(rng, father),
            }
        )
    return result


def health_certificates(world: World) -> list[Record]:
    """健康证明 records: the fixed ones, then generated ones, some of them expired."""
    rng = random.Random(7102)
    result = [
        {k: str(v) for k, v in r.items()} for r in world.fixtures["health"]["health_certificates"]
    ]
    taken = {r["cert_no"] for r in result}
    workers = [p for p in world.generated_people if 18 <= p.age() <= 60]
    categories, weights = list(CATEGORIES), list(CATEGORIES.values())
    for person in rng.sample(workers, min(len(workers), world.size // 5)):
        issued = dt.date(2024, 12, 1) + dt.timedelta(
            days=rng.randrange((TODAY - dt.date(2024, 12, 1)).days)
        )
        while (cert_no := f"JK330523{issued.year}{rng.randrange(10**7):07d}") in taken:
            pass
        taken.add(cert_no)
        result.append(
            {
                "cert_no": cert_no,
                "name": _name(rng, person.plain_name),
                "id_no": person.id_number,
                "category": rng.choices(categories, weights)[0],
                "issue_date": issued.isoformat(),
                "valid_until": (
                    issued.replace(year=issued.year + 1) - dt.timedelta(days=1)
                ).isoformat(),
            }
        )
    return result


def router(world: World) -> APIRouter:
    """The system's routes over births and health certificates."""
    by_parent: dict[str, list[Record]] = defaultdict(list)
    for record in sorted(
        births(world), key=lambda r: parse_birth_time(r["baby"]["birth_time"]), reverse=True
    ):
        for parent in (record["mother"], record["father"]):
            if parent:
                by_parent[parent["id_no"].upper()].append(record)
    by_holder: dict[str, list[Record]] = defaultdict(list)
    for record in sorted(health_certificates(world), key=lambda r: r["issue_date"], reverse=True):
        by_holder[record["id_no"].upper()].append(record)
    api = APIRouter(prefix="/health")

    @api.get("/birth-records")
    async def birth_records(parent_id_no: str = Query("")) -> dict[str, object]:
        return {"status": "OK", "records": by_parent.get(parent_id_no.strip().upper(), [])}

    @api.get("/health-certificates")
    async def certificates(id_no: str = Query("")) -> dict[str, object]:
        return {"status": "OK", "records": by_holder.get(id_no.strip().upper(), [])}

    return api
