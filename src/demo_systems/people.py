"""The population registry's people: the demo accounts' people plus thousands generated."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from pathlib import Path

import yaml

REGION = "330523"
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁"
    "潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦"
    "邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉力斌波宇"
    "浩凯鹏飞鑫晨欣怡佳琪婷雪梅海燕丹宁子涵梓轩雨桐诗琪思远嘉豪俊杰晓东志刚春"
    "生秋菊冬梅"
)
_TOWNS = ("递铺街道", "昌硕街道", "灵峰街道", "孝丰镇", "报福镇", "天子湖镇", "杭垓镇", "溪龙乡")
_TRADITIONAL = str.maketrans(
    "张刘陈杨黄赵吴孙马郑谢韩冯邓萧叶苏卢钟谭陆顾龚钱严伟丽军艳杰娟涛华兰萍红"
    "建国辉斌波浩凯鹏飞鑫婷雪梅海燕宁涵轩桐诗琪远嘉豪俊晓东志刚春秋",
    "張劉陳楊黃趙吳孫馬鄭謝韓馮鄧蕭葉蘇盧鍾譚陸顧龔錢嚴偉麗軍艷傑娟濤華蘭萍紅"
    "建國輝斌波浩凱鵬飛鑫婷雪梅海燕寧涵軒桐詩琪遠嘉豪俊曉東志剛春秋",
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
                address=f"浙江省湖州市安吉县{_TOWNS[int(number[14:16]) % len(_TOWNS)]}",
                legacy_id=bool(entry.get("registry_legacy_id")),
            )
        )
    return people


def generated_people(count: int, *, seed: int = 20261126, taken: set[str]) -> list[Person]:
    """Deterministic synthetic residents with valid ID numbers, some with dirty names."""
    rng = random.Random(seed)
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
        name = rng.choice(_SURNAMES) + "".join(
            rng.choice(_GIVEN) for _ in range(rng.choice((1, 2)))
        )
        if rng.random() < 0.05:
            name = name.translate(_TRADITIONAL)
        people.append(
            Person(
                id_number=number,
                name=name,
                birth_date=birth,
                male=male,
                address=f"浙江省湖州市安吉县{rng.choice(_TOWNS)}{rng.randrange(1, 300)}号",
                legacy_id=birth.year < 1980 and rng.random() < 0.05,
            )
        )
    return people
