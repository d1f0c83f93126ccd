"""安吉县's towns and roads, for the addresses every department system writes its own way."""

from __future__ import annotations

import random

PROVINCE_CITY_COUNTY = "浙江省湖州市安吉县"
TOWNS = ("递铺街道", "昌硕街道", "灵峰街道", "孝丰镇", "报福镇", "天子湖镇", "杭垓镇", "溪龙乡")
ROADS = {
    "递铺街道": ("胜利西路", "胜利东路", "天目路", "递铺路", "阳光大道", "浦源大道"),
    "昌硕街道": ("昌硕东路", "昌硕西路", "迎宾大道", "玉磬路", "凤凰路"),
    "灵峰街道": ("灵峰大道", "剑山路", "横山路"),
    "孝丰镇": ("城南路", "孝丰路", "环城北路"),
    "报福镇": ("报福路", "石岭路"),
    "天子湖镇": ("天子湖大道", "高禹路"),
    "杭垓镇": ("杭垓路", "文昌路"),
    "溪龙乡": ("溪龙路", "白茶大道"),
}
ESTATES = ("阳光小区", "凤凰家园", "竹海花园", "天目新村", "昌硕名苑", "灵峰公寓", "浦源小区")


def street_address(rng: random.Random) -> str:
    """A street address: 浙江省湖州市安吉县递铺街道胜利西路88号."""
    town = rng.choice(TOWNS)
    return f"{PROVINCE_CITY_COUNTY}{town}{rng.choice(ROADS[town])}{rng.randrange(1, 400)}号"


def flat_address(rng: random.Random) -> str:
    """A flat in an estate: 浙江省湖州市安吉县递铺街道阳光小区3幢201室."""
    floor, door = rng.randrange(1, 19), rng.randrange(1, 5)
    return (
        f"{PROVINCE_CITY_COUNTY}{rng.choice(TOWNS)}{rng.choice(ESTATES)}"
        f"{rng.randrange(1, 40)}幢{floor}{door:02d}室"
    )
