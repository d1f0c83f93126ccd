"""市场主体登记 (SAMR): XML answers in <Response><ResultCode>, the registry's upper-case fields."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from xml.sax.saxutils import escape

from fastapi import APIRouter, Query, Response

from demo_systems.enterprises import (
    COMPANY_CONTROLLED,
    COMPANY_SOLE,
    INDIVIDUAL_BUSINESS,
    SOLE_PROPRIETORSHIP,
    Namer,
    capital,
)
from demo_systems.people import TODAY
from demo_systems.places import street_address
from demo_systems.spelling import fullwidth
from demo_systems.world import World

IN_BUSINESS = "存续（在营、开业、在册）"
_RESERVED_KINDS = (COMPANY_CONTROLLED, COMPANY_SOLE, SOLE_PROPRIETORSHIP, INDIVIDUAL_BUSINESS)

Record = dict[str, str]


def _capital(rng: random.Random, wan: Decimal) -> str:
    """注册资本 in either of the registry's styles: "100.000000" (万元) or "100万元人民币"."""
    if rng.random() < 0.7:
        return f"{wan:.6f}"
    return f"{wan.normalize():f}万元人民币"


def _address(rng: random.Random, address: str) -> str:
    """住所, a tenth of them typed with full-width digits."""
    return fullwidth(address) if rng.random() < 0.1 else address


def _name(rng: random.Random, name: str) -> str:
    """A name; a third of those with brackets typed with half-width ones."""
    if "（" in name and rng.random() < 0.35:
        return name.replace("（", "(").replace("）", ")")
    return name


def enterprise_records(world: World) -> list[Record]:
    """The registry's EntInfo records: the fixed ones verbatim, the generated ones dirtied."""
    rng = random.Random(4301)
    records = [{k: str(v) for k, v in r.items()} for r in world.fixtures["market"]["EntInfo"]]
    for e in world.generated_enterprises:
        records.append(
            {
                "ENTNAME": _name(rng, e.name),
                "UNISCID": e.uscc.lower() if rng.random() < 0.05 else e.uscc,
                "ENTTYPE_CN": e.kind,
                "LEREP": e.legal_rep_name,
                "LEREP_CERNO": e.legal_rep_id,
                "REGCAP": _capital(rng, e.capital_wan),
                "REGCAPCUR_CN": "人民币",
                "DOM": _address(rng, e.address),
                "OPSCOPE": e.scope,
                "ESTDATE": e.established.isoformat(),
                "REGSTATE_CN": IN_BUSINESS,
            }
        )
    return records


def name_reservations(world: World) -> list[Record]:
    """企业名称自主申报 records: the fixed ones verbatim, then generated ones."""
    rng = random.Random(4302)
    fixed = [{k: str(v) for k, v in r.items()} for r in world.fixtures["market"]["NameInfo"]]
    namer = Namer(rng, {e.name for e in world.enterprises} | {r["ENTNAME"] for r in fixed})
    investors = [p for p in world.generated_people if 18 <= p.age() <= 70]
    records = list(fixed)
    for _ in range(world.size // 10 if investors else 0):
        kind = rng.choice(_RESERVED_KINDS)
        name, scope = namer.name(kind)
        investor = rng.choice(investors)
        wan = capital(rng, kind)
        records.append(
            {
                "ENTNAME": _name(rng, name),
                "ENTTYPE_CN": kind,
                "INVESTOR": investor.plain_name,
                "CERNO": investor.id_number,
                "DOM": _address(rng, street_address(rng)),
                "REGCAP": _capital(rng, wan),
                "OPSCOPE": scope,
                "VALIDTO": (TODAY + dt.timedelta(days=rng.randrange(20, 360))).isoformat(),
            }
        )
    return records


def _xml(code: str, message: str, element: str, records: list[Record]) -> Response:
    """The registry's envelope around zero or more records."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?><Response>',
        f"<ResultCode>{code}</ResultCode><ResultMsg>{message}</ResultMsg>",
    ]
    for record in records:
        fields = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in record.items())
        parts.append(f"<{element}>{fields}</{element}>")
    parts.append("</Response>")
    return Response("".join(parts).encode("utf-8"), media_type="application/xml")


def router(world: World) -> APIRouter:
    """The registry's routes over this county's enterprises."""
    enterprises = {r["UNISCID"].upper(): r for r in enterprise_records(world)}
    reservations: dict[str, list[Record]] = defaultdict(list)
    for record in name_reservations(world):
        reservations[record["CERNO"].upper()].append(record)
    api = APIRouter(prefix="/market")

    @api.get("/services/EntInfo")
    async def ent_info(uniscid: str = Query("")) -> Response:
        found = enterprises.get(uniscid.strip().upper())
        if found is None:
            return _xml("01", "无此市场主体", "EntInfo", [])
        return _xml("00", "查询成功", "EntInfo", [found])

    @api.get("/services/NameReservation")
    async def name_reservation(cer_no: str = Query("", alias="cerNo")) -> Response:
        found = reservations.get(cer_no.strip().upper(), [])
        if not found:
            return _xml("01", "无名称自主申报记录", "NameInfo", [])
        return _xml("00", "查询成功", "NameInfo", found)

    return api
