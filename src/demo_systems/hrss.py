"""社会保险 (HRSS): nested JSON with the national field codes (aac002 身份证号, aae140 险种)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from fastapi import APIRouter, Query

from demo_systems import places
from demo_systems.enterprises import Enterprise
from demo_systems.people import TODAY, Person
from demo_systems.spelling import fullwidth
from demo_systems.world import World

AAE140 = {  # 险种类型
    "110": "企业职工基本养老保险",
    "120": "机关事业单位养老保险",
    "170": "城乡居民基本养老保险",
    "210": "失业保险",
    "310": "职工基本医疗保险",
    "390": "城乡居民基本医疗保险",
    "410": "工伤保险",
}
AAC008 = {"1": "正常参保", "2": "暂停缴费", "3": "终止参保"}  # 参保状态

Record = dict[str, Any]


def _mobile(rng: random.Random) -> str:
    """A mobile number as people gave it: some full-width, some with +86 or spaces."""
    number = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
    draw = rng.random()
    if draw < 0.15:
        return fullwidth(number)
    if draw < 0.2:
        return f"+86 {number}"
    if draw < 0.25:
        return f"{number[:3]} {number[3:7]} {number[7:]}"
    return number


def _day(rng: random.Random, after: dt.date, before: dt.date = TODAY) -> dt.date:
    """A day from ``after`` up to ``before``."""
    return after + dt.timedelta(days=rng.randrange(max((before - after).days, 1)))


def _insurance(code: str, status: str, start: dt.date, employer: Enterprise | None) -> Record:
    """One 参保 entry in the system's shape."""
    return {
        "aae140": code,
        "aae140_name": AAE140[code],
        "aac008": status,
        "aac008_name": AAC008[status],
        "aae030": f"{start:%Y%m%d}",
        "employer": None
        if employer is None
        else {"aab004": employer.name, "aab998": employer.uscc},
    }


def _insurances(rng: random.Random, person: Person, employers: list[Enterprise]) -> list[Record]:
    """What a person of that age is insured for: residents', employees' or a pensioner's."""
    age, born = person.age(), person.birth_date
    adult = dt.date(born.year + 18, born.month, 1)
    if age < 18:
        return [_insurance("390", "1", _day(rng, max(born, dt.date(2012, 1, 1))), None)]
    if age >= (60 if person.male else 55):
        if rng.random() < 0.65:
            start = _day(rng, adult, dt.date(born.year + 40, 1, 1))
            return [
                _insurance("110", "2", start, None),
                _insurance("310", "1", max(start, dt.date(2001, 1, 1)), None),
            ]
        start = _day(rng, dt.date(2012, 1, 1))
        return [_insurance("170", "1", start, None), _insurance("390", "1", start, None)]
    if employers and rng.random() < 0.7:
        employer = rng.choice(employers)
        start = _day(rng, max(adult, employer.established))
        return [_insurance(code, "1", start, employer) for code in ("110", "310", "210", "410")]
    start = _day(rng, max(adult, dt.date(2012, 1, 1)))
    return [_insurance("170", "1", start, None), _insurance("390", "1", start, None)]


def _fixed(entry: dict[str, Any], enterprises: dict[str, Enterprise]) -> Record:
    """A fixture entry with its code names filled in and its employers' credit codes resolved."""
    insurances = []
    for item in entry["insurances"]:
        employer = item.get("employer")
        if isinstance(employer, str):
            found = enterprises[employer.upper()]
            employer = {"aab004": found.name, "aab998": found.uscc}
        insurances.append(
            {
                "aae140": item["aae140"],
                "aae140_name": AAE140[item["aae140"]],
                "aac008": item["aac008"],
                "aac008_name": AAC008[item["aac008"]],
                "aae030": str(item["aae030"]),
                "employer": employer,
            }
        )
    return {"person": entry["person"], "insurances": insurances}


def records(world: World) -> list[Record]:
    """The insured: the fixed ones, then generated residents of every age."""
    rng = random.Random(6101)
    by_code = {e.uscc: e for e in world.enterprises}
    result = [_fixed(entry, by_code) for entry in world.fixtures["hrss"]]
    pool = world.generated_people
    for person in rng.sample(pool, min(len(pool), world.size * 5 // 6)):
        address = places.flat_address(rng)
        result.append(
            {
                "person": {
                    "aac002": person.id_number,
                    "aac003": person.plain_name,
                    "aac004": "1" if person.male else "2",
                    "contact": {
                        "mobile": _mobile(rng),
                        "address": fullwidth(address) if rng.random() < 0.1 else address,
                    },
                },
                "insurances": _insurances(rng, person, world.generated_enterprises),
            }
        )
    return result


def router(world: World) -> APIRouter:
    """The system's routes over the insured."""
    index = {r["person"]["aac002"].upper(): r for r in records(world)}
    api = APIRouter(prefix="/hrss")

    @api.get("/api/v2/insured")
    async def insured(aac002: str = Query("")) -> dict[str, object]:
        found = index.get(aac002.strip().upper())
        if found is None:
            return {"success": True, "errcode": "404", "data": None}
        return {"success": True, "errcode": "0", "data": found}

    return api
