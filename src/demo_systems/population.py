"""公安人口库: JSON REST, camelCase keys, {code, msg, data} envelopes, mixed date styles."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query

from demo_systems.people import Person, legacy_number


def _date_style(person: Person) -> str:
    d = person.birth_date
    style = int(person.id_number[14:16]) % 3
    if style == 0:
        return f"{d.year}/{d.month}/{d.day}"
    if style == 1:
        return f"{d:%Y%m%d}"
    return f"{d.year}年{d.month}月{d.day}日"


def _record(person: Person) -> dict[str, object]:
    number = legacy_number(person.id_number) if person.legacy_id else person.id_number
    return {
        "idCardNo": number,
        "fullName": person.name,
        "genderName": "男" if person.male else "女",
        "birthDate": _date_style(person),
        "nationName": "汉族",
        "domicileAddr": person.address,
        "updateTime": dt.datetime(2026, 11, 1, 8, 0).isoformat(),
    }


def router(people: list[Person]) -> APIRouter:
    """The registry's routes over these people."""
    index: dict[str, Person] = {}
    for person in people:
        index[legacy_number(person.id_number) if person.legacy_id else person.id_number] = person
    api = APIRouter(prefix="/population")

    @api.get("/v1/persons")
    async def person(id_card_no: str = Query(alias="idCardNo", max_length=18)) -> dict[str, object]:
        found = index.get(id_card_no.upper())
        if found is None:
            return {"code": "1004", "msg": "查无此人", "data": None}
        return {"code": "0000", "msg": "成功", "data": _record(found)}

    @api.get("/v1/stats")
    async def stats() -> dict[str, object]:
        return {"code": "0000", "msg": "成功", "data": {"personCount": len(index)}}

    return api
