"""不动产登记 (housing): the 权利人 export as one GBK-encoded CSV file, with a strong ETag."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import random
from collections.abc import Callable
from decimal import Decimal

from fastapi import APIRouter, Header, Response

from demo_systems import places
from demo_systems.people import TODAY, legacy_number
from demo_systems.spelling import fullwidth, has_traditional, traditional
from demo_systems.world import World

COLUMNS = (
    "不动产单元号",
    "不动产权证号",
    "权利人",
    "证件种类",
    "证件号码",
    "坐落",
    "建筑面积",
    "规划用途",
    "登记时间",
)
ID_CARD = "身份证"
CREDIT_CODE = "统一社会信用代码"
_AREAS = {"住宅": (60, 180), "商业": (20, 300), "商服": (30, 500), "工业": (500, 10000)}

Row = dict[str, str]


def _area(rng: random.Random, area: Decimal) -> str:
    """建筑面积: "120.50", a third with a unit ("120.5平方米", "120.5㎡"), some full-width."""
    short = f"{area:.2f}".rstrip("0").rstrip(".")
    draw = rng.random()
    if draw < 0.1:
        return fullwidth(short)
    if draw < 0.4:
        return short + rng.choice(("平方米", "㎡"))
    return f"{area:.2f}"


def _date(rng: random.Random, day: dt.date) -> str:
    """登记时间 in whichever style the clerk's screen used: 2019/3/5, 2019-03-05 or 20190305."""
    style = rng.randrange(3)
    if style == 0:
        return f"{day.year}/{day.month}/{day.day}"
    return day.isoformat() if style == 1 else f"{day:%Y%m%d}"


def _address(rng: random.Random, use: str) -> str:
    """坐落: a flat for homes, a street number for the rest."""
    if use == "住宅":
        return places.flat_address(rng)
    if use == "工业":
        return places.street_address(rng).replace("号", "号厂房", 1)
    return places.street_address(rng)


def rows(world: World) -> list[Row]:
    """The export's rows: the fixed ones verbatim and the generated ones, by certificate."""
    rng = random.Random(5101)
    result = [{k: str(v) for k, v in r.items()} for r in world.fixtures["realestate"]]
    certificates = {r["不动产权证号"] for r in result}
    units = {r["不动产单元号"] for r in result}
    owners = [p for p in world.generated_people if p.age() >= 20]
    enterprises = world.generated_enterprises
    for _ in range(world.size * 2 // 3 if owners else 0):
        if enterprises and rng.random() < 0.15:
            e = rng.choice(enterprises)
            name, kind, number = e.name, CREDIT_CODE, e.uscc
            use = rng.choice(("商业", "商服", "工业"))
        else:
            p = rng.choice(owners)
            name, kind, number = p.plain_name, ID_CARD, p.id_number
            if p.birth_date.year < 2000 and rng.random() < 0.05:
                number = legacy_number(number)
            if has_traditional(name) and rng.random() < 0.06:
                name = traditional(name)
            use = rng.choices(("住宅", "商业", "商服"), (85, 10, 5))[0]
        registered = dt.date(2016, 1, 1) + dt.timedelta(
            days=rng.randrange((TODAY - dt.date(2016, 1, 1)).days)
        )
        certificate = _fresh(certificates, _certificate, rng, registered.year)
        unit = _fresh(units, _unit, rng)
        low, high = _AREAS[use]
        result.append(
            {
                "不动产单元号": unit,
                "不动产权证号": certificate,
                "权利人": name,
                "证件种类": kind,
                "证件号码": number,
                "坐落": _address(rng, use),
                "建筑面积": _area(rng, Decimal(rng.randrange(low * 100, high * 100)) / 100),
                "规划用途": use,
                "登记时间": _date(rng, registered),
            }
        )
    return sorted(result, key=lambda r: r["不动产权证号"])


def _fresh(taken: set[str], make: Callable[..., str], *args: object) -> str:
    """A value ``make`` returns that is not taken yet, and now is."""
    while (value := make(*args)) in taken:
        pass
    taken.add(value)
    return value


def _certificate(rng: random.Random, year: int) -> str:
    """A 不动产权证号: 浙(2019)安吉县不动产权第0012345号."""
    return f"浙({year})安吉县不动产权第{rng.randrange(1, 10**7):07d}号"


def _unit(rng: random.Random) -> str:
    """A 28-character 不动产单元号: county, 地籍区 and 子区, 宗地, 定着物."""
    land = rng.choice(("GB", "GB", "GB", "JC"))
    return (
        f"330523{rng.randrange(1, 9):03d}{rng.randrange(1, 30):03d}{land}"
        f"{rng.randrange(1, 10**5):05d}F{rng.randrange(1, 40):04d}{rng.randrange(1, 2000):04d}"
    )


def export(world: World) -> bytes:
    """The whole export as the registry serves it: CSV, CRLF line ends, GBK."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(rows(world))
    return buffer.getvalue().encode("gbk")


def router(world: World) -> APIRouter:
    """The registry's one route: the nightly 权利人 export."""
    body = export(world)
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    api = APIRouter(prefix="/realestate")

    @api.get("/export/qlr.csv")
    async def owners(if_none_match: str | None = Header(None)) -> Response:
        headers = {"ETag": etag, "Cache-Control": "no-cache"}
        if if_none_match is not None:
            offered = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            if etag in offered or "*" in offered:
                return Response(status_code=304, headers=headers)
        headers["Content-Disposition"] = 'attachment; filename="qlr.csv"'
        return Response(body, media_type="text/csv; charset=GBK", headers=headers)

    return api
