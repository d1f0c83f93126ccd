"""The population registry's people: the demo accounts' people plus thousands generated."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from pathlib import Path

import yaml

from demo_systems.places import TOWNS
from demo_systems.spelling import traditional, with_pinyin

REGION = "330523"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
# The day the demo county's systems live in: every age and expiry is counted from it.
TODAY = dt.date(2026, 11, 26)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁"
    "潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦"
    "邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉力斌波宇"
    "浩凯鹏飞鑫晨欣怡佳琪婷雪梅海燕丹宁子涵梓轩雨桐诗琪思远嘉豪俊杰晓东志刚春"
    "生秋菊冬梅"
)


@dataclasses.dataclass
class Person:
    """A registry record, before the vendor's formatting."""

    id_number: str
    name: str
    birth_date: dt.date
    male: bool
    address: str
    legacy_id: bool = False
    plain_name: str = ""  # the name in simplified characters, without annotations

    def __post_init__(self) -> None:
        self.plain_name = self.plain_name or self.name

    def age(self, on: dt.date = TODAY) -> int:
        """Full years of age on that day."""
        years = on.year - self.birth_date.year
        return years - ((on.month, on.day) < (self.birth_date.month, self.birth_date.day))


def check_char(first17: str) -> str:
    """GB 11643 check character (ISO 7064 MOD 11-2)."""
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def legacy_number(id18: str) -> str:
    """The 15-digit number a person born in the 1900s carried before 1999."""
    return id18[:6] + id18[8:17]


def fixed_people(accounts_file: Path) -> list[Person]:
    """The people behind the demo accounts and the registry-only demo people."""
    data = yaml.safe_load(accounts_file.read_text(encoding="utf-8"))
    people = []
    for entry in [*data.get("citizens", []), *data.get("registry_only", [])]:
        number = entry["id_number"]
        people.append(
            Person(
                id_number=number,
                name=entry.get("registry_name", entry["name"]),
                birth_date=dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
                male=int(number[16]) % 2 == 1,
                address=f"浙江省湖州市安吉县{TOWNS[int(number[14:16]) % len(TOWNS)]}",
                legacy_id=bool(entry.get("registry_legacy_id")),
                plain_name=entry["name"],
            )
        )
    return people


def generated_people(count: int, *, seed: int = 20261126, taken: set[str]) -> list[Person]:
    """Deterministic synthetic residents with valid ID numbers, some with dirty names."""
    rng = random.Random(seed)
    marks = random.Random(seed + 1)  # its own stream, so that the people stay who they were
    people = []
    while len(people) < count:
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 29_000))
        male = rng.random() < 0.5
        serial = rng.randrange(0, 100)
        first17 = f"{REGION}{birth:%Y%m%d}{serial:02d}{rng.choice('13579' if male else '02468')}"
        number = first17 + check_char(first17)
        if number in taken:
            continue
        taken.add(number)
        surname = rng.choice(SURNAMES)
        plain = surname + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        name = traditional(plain) if rng.random() < 0.05 else plain
        if marks.random() < 0.03:
            name = with_pinyin(name, surname)
        people.append(
            Person(
                id_number=number,
                name=name,
                birth_date=birth,
                male=male,
                address=f"浙江省湖州市安吉县{rng.choice(TOWNS)}{rng.randrange(1, 300)}号",
                legacy_id=birth.year < 1980 and rng.random() < 0.05,
                plain_name=plain,
            )
        )
    return people
