"""The demo county's enterprises, with valid GB 32100 统一社会信用代码 (credit codes)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from decimal import Decimal

from demo_systems import places
from demo_systems.people import TODAY, Person

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

COMPANY_CONTROLLED = "有限责任公司(自然人投资或控股)"
COMPANY_SOLE = "有限责任公司（自然人独资）"
JOINT_STOCK = "股份有限公司(非上市)"
SOLE_PROPRIETORSHIP = "个人独资企业"
PARTNERSHIP = "普通合伙企业"
COOPERATIVE = "农民专业合作社"
INDIVIDUAL_BUSINESS = "个体工商户"
# ENTTYPE_CN as the market registry writes it (its brackets really are mixed), with weights.
KINDS = {
    COMPANY_CONTROLLED: 35,
    COMPANY_SOLE: 20,
    JOINT_STOCK: 3,
    SOLE_PROPRIETORSHIP: 7,
    PARTNERSHIP: 3,
    COOPERATIVE: 7,
    INDIVIDUAL_BUSINESS: 25,
}
_CODE_PREFIX = {INDIVIDUAL_BUSINESS: "92330523", COOPERATIVE: "93330523"}
_BRAND_CHARS = (  # 字号 are two of these
    "竹绿源天荒白茶凤凰碧水青山金灵峰昌硕梅溪孝丰龙云鸿博远"
    "恒达瑞鼎盛宏华翔永康川翠春晖嘉禾和美聚锦程泽林"
)
_TRADES = (  # 行业 in a firm's name, and its 经营范围
    ("茶业", "茶叶种植；茶叶销售；食用农产品零售"),
    ("竹木制品", "竹制品制造；竹制品销售；木制品销售"),
    ("餐饮管理", "餐饮服务；食品销售；餐饮管理"),
    ("农业开发", "农作物种植；水果种植；休闲观光活动"),
    ("旅游开发", "旅游开发项目策划咨询；住宿服务；游览景区管理"),
    ("建材", "建筑材料销售；五金产品零售"),
    ("家具", "家具制造；家具销售；家具安装和维修服务"),
    ("电子商务", "互联网销售（除销售需要许可的商品）；日用百货销售"),
    ("物流", "道路货物运输（不含危险货物）；普通货物仓储服务"),
    ("科技", "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广；软件开发"),
    ("机械", "通用设备制造（不含特种设备制造）；机械零件、零部件销售"),
)
_FARMS = (
    ("白茶", "茶叶种植；茶叶初加工；组织收购、销售成员种植的产品"),
    ("毛竹", "竹林培育；竹笋采集；组织收购、销售成员种植的产品"),
    ("果蔬", "蔬菜种植；水果种植；组织收购、销售成员种植的产品"),
)
_SHOPS = (
    ("小吃店", "餐饮服务；食品销售"),
    ("便利店", "食品销售；日用百货销售；烟草制品零售"),
    ("茶叶店", "茶叶销售；食用农产品零售"),
    ("五金店", "五金产品零售；建筑材料销售"),
    ("理发店", "理发服务"),
    ("农家乐", "餐饮服务；住宿服务"),
)
_CAPITALS = (3, 5, 10, 20, 30, 50, 100, 200, 300, 500, 1000, 2000, 5000)


@dataclasses.dataclass
class Enterprise:
    """A market entity as it really is, before any system spells it its own way."""

    uscc: str
    name: str
    kind: str
    legal_rep_name: str
    legal_rep_id: str
    capital_wan: Decimal  # 注册资本, in 万元 人民币
    address: str
    scope: str
    established: dt.date


def uscc_check_char(first17: str) -> str:
    """GB 32100 check character (MOD 31) of the first 17 characters of a credit code."""
    total = sum(
        USCC_ALPHABET.index(c) * w for c, w in zip(first17.upper(), _USCC_WEIGHTS, strict=True)
    )
    return USCC_ALPHABET[(31 - total % 31) % 31]


def valid_uscc(code: str) -> bool:
    """Whether an 18-character credit code is well formed and its check character right."""
    code = code.upper()
    return (
        len(code) == 18
        and all(c in USCC_ALPHABET for c in code)
        and uscc_check_char(code[:17]) == code[17]
    )


class Namer:
    """Picks enterprise names no other enterprise of the county has."""

    def __init__(self, rng: random.Random, taken: set[str] | None = None) -> None:
        self.rng = rng
        self.taken = taken if taken is not None else set()

    def name(self, kind: str) -> tuple[str, str]:
        """A fresh name for an enterprise of that kind, with its 经营范围."""
        while True:
            name, scope = self._candidate(kind)
            if name not in self.taken:
                self.taken.add(name)
                return name, scope

    def _candidate(self, kind: str) -> tuple[str, str]:
        rng = self.rng
        brand = "".join(rng.sample(_BRAND_CHARS, 2))
        if kind == COOPERATIVE:
            trade, scope = rng.choice(_FARMS)
            return f"安吉县{brand}{trade}专业合作社", scope
        if kind == INDIVIDUAL_BUSINESS:
            trade, scope = rng.choice(_SHOPS)
            town = rng.choice(places.TOWNS)[:2]
            return f"安吉县{town}{brand}{trade}", scope
        trade, scope = rng.choice(_TRADES)
        if kind == JOINT_STOCK:
            return f"浙江{brand}{trade}股份有限公司", scope
        if kind == SOLE_PROPRIETORSHIP:
            return f"安吉县{brand}{trade}经营部", scope
        if kind == PARTNERSHIP:
            return f"安吉{brand}{trade}服务中心（普通合伙）", scope
        if rng.random() < 0.2:
            return f"{brand}（安吉）{trade}有限公司", scope
        return f"安吉{brand}{trade}有限公司", scope


def capital(rng: random.Random, kind: str) -> Decimal:
    """A registered capital in 万元 fitting that kind of enterprise."""
    if kind == INDIVIDUAL_BUSINESS:
        return Decimal(rng.choice((1, 2, 3, 5, 8, 10)))
    if rng.random() < 0.1:
        return Decimal(rng.randrange(10, 2000)) / 10
    return Decimal(rng.choice(_CAPITALS))


def new_uscc(rng: random.Random, kind: str, established: dt.date, taken: set[str]) -> str:
    """A fresh valid credit code: registry prefix, 组织机构代码, check character."""
    while True:
        if established.year >= 2015:
            organisation = "MA" + "".join(rng.choices(USCC_ALPHABET, k=7))
        else:
            organisation = f"{rng.randrange(10**8):08d}{rng.choice('0123456789X')}"
        first17 = _CODE_PREFIX.get(kind, "91330523") + organisation
        code = first17 + uscc_check_char(first17)
        if code not in taken:
            taken.add(code)
            return code


def generated_enterprises(
    count: int, people: list[Person], *, taken: set[str], names: set[str], seed: int = 32100
) -> list[Enterprise]:
    """Deterministic synthetic enterprises, their legal representatives from these people."""
    rng = random.Random(seed)
    namer = Namer(rng, names)
    representatives = [p for p in people if 22 <= p.age() <= 70]
    kinds, weights = list(KINDS), list(KINDS.values())
    enterprises = []
    for _ in range(count if representatives else 0):
        kind = rng.choices(kinds, weights)[0]
        established = dt.date(2000, 1, 1) + dt.timedelta(
            days=rng.randrange((TODAY - dt.date(2000, 1, 1)).days - 30)
        )
        name, scope = namer.name(kind)
        representative = rng.choice(representatives)
        enterprises.append(
            Enterprise(
                uscc=new_uscc(rng, kind, established, taken),
                name=name,
                kind=kind,
                legal_rep_name=representative.plain_name,
                legal_rep_id=representative.id_number,
                capital_wan=capital(rng, kind),
                address=places.street_address(rng),
                scope=scope,
                established=established,
            )
        )
    return enterprises
