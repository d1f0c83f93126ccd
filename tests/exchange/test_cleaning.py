"""Dirty values from department systems come out as their data elements expect, or are refused
with a rule the quality report can count."""

from __future__ import annotations

from pathlib import Path

import pytest

from yiwang.catalog.items import SourceField
from yiwang.catalog.loader import load_catalog
from yiwang.exchange.cleaning import Rejected, clean, parse_date

ROOT = Path(__file__).resolve().parents[2]
ELEMENTS = load_catalog(ROOT / "definitions").elements


def cleaned(element: str, raw: object, **mapping: object) -> tuple[object, tuple[str, ...]]:
    result = clean(
        raw, element=ELEMENTS[element], field=SourceField(element=element, path="x", **mapping)
    )
    assert result is not None
    return result.value, result.rules


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("1990/1/2", "1990-01-02"),
        ("19900102", "1990-01-02"),
        ("1990年1月2日", "1990-01-02"),
        ("1990-01-02", "1990-01-02"),
        ("1990.1.2", "1990-01-02"),
        ("2026/11/20 08:31", "2026-11-20"),
        # Born just after midnight in China is still that day, whatever the system's clock says.
        ("2026-11-19T16:31:00+00:00", "2026-11-20"),
        ("2026-11-20T08:31:00+08:00", "2026-11-20"),
    ],
)
def test_dates_in_every_style_become_iso(raw: str, iso: str) -> None:
    assert parse_date(raw) == iso


def test_an_impossible_date_is_rejected() -> None:
    with pytest.raises(Rejected) as caught:
        cleaned("person.birth_date", "1990年2月30日")
    assert caught.value.rule == "invalid_date"


def test_names_lose_traditional_characters_and_pinyin_readings() -> None:
    assert cleaned("person.name", "孫(sūn)建華", clean=["person_name"]) == (
        "孙建华",
        ("pinyin", "traditional"),
    )
    assert cleaned("person.name", "張強", clean=["person_name"]) == ("张强", ("traditional",))
    assert (
        cleaned("person.name", "阿依古丽 • 买买提", clean=["person_name"])[0] == "阿依古丽·买买提"
    )
    assert cleaned("person.name", "李明", clean=["person_name"]) == ("李明", ())


def test_a_legacy_15_digit_id_number_is_upgraded() -> None:
    assert cleaned("person.id_number", "330523580921001") == (
        "330523195809210012",
        ("legacy_id",),
    )


def test_a_lower_case_x_and_full_width_digits_in_an_id_number() -> None:
    assert cleaned("person.id_number", "３３０５２３１９９００３０７１０４ｘ") == (
        "33052319900307104X",
        ("fullwidth", "case"),
    )
    with pytest.raises(Rejected) as caught:
        cleaned("person.id_number", "330523199003072318")
    assert caught.value.rule == "invalid_id_number"


def test_full_width_and_prefixed_mobiles() -> None:
    assert cleaned("person.phone", "１３９０５７２１００１") == ("13905721001", ("fullwidth",))
    assert cleaned("person.phone", "+86 13905721002") == ("13905721002", ("mobile_prefix",))
    assert cleaned("person.phone", "139 0572 1003") == ("13905721003", ("mobile_prefix",))
    with pytest.raises(Rejected) as caught:
        cleaned("person.phone", "0572-5123105")
    assert caught.value.rule == "invalid_phone"


def test_credit_codes_are_upper_cased_and_checked() -> None:
    assert cleaned("enterprise.uscc", "91330523ma28c1k70k") == ("91330523MA28C1K70K", ("case",))
    with pytest.raises(Rejected) as caught:
        cleaned("enterprise.uscc", "91330523MA28C1K70J")
    assert caught.value.rule == "invalid_uscc"


def test_numbers_lose_their_units_and_padding() -> None:
    assert cleaned("property.area", "85.6平方米") == ("85.6", ("unit",))
    assert cleaned("property.area", "１２０．５") == ("120.5", ("fullwidth",))
    assert cleaned("property.area", "120.50") == ("120.5", ("number_format",))
    assert cleaned("enterprise.registered_capital", "100.000000") == ("100", ("number_format",))
    assert cleaned("enterprise.registered_capital", "50万元人民币") == ("50", ("unit",))
    with pytest.raises(Rejected):
        cleaned("property.area", "约八十平方米")


def test_vendor_codes_map_onto_element_options() -> None:
    mapping = {"M": "1", "F": "2"}
    assert cleaned("newborn.gender", "M", values=mapping) == ("1", ("code_map",))
    types = {"有限责任公司(自然人独资)": "llc"}
    # Full-width and half-width brackets are the same type.
    assert cleaned("enterprise.type", "有限责任公司（自然人独资）", values=types)[0] == "llc"
    with pytest.raises(Rejected) as caught:
        cleaned("newborn.gender", "U", values=mapping)
    assert caught.value.rule == "unknown_code"


def test_enterprise_names_get_chinese_brackets_and_addresses_half_width_digits() -> None:
    assert cleaned("enterprise.name", "安吉竹韵(茶业)有限公司", clean=["enterprise_name"]) == (
        "安吉竹韵（茶业）有限公司",
        ("brackets",),
    )
    assert cleaned("enterprise.registered_address", "递铺街道天目路１２号") == (
        "递铺街道天目路12号",
        ("fullwidth",),
    )


def test_an_address_gives_its_division_code() -> None:
    assert cleaned("person.household_region", "浙江省湖州市安吉县递铺街道胜利西路88号") == (
        "330523",
        ("division_code",),
    )
    assert cleaned("person.household_region", "330523") == ("330523", ())
    with pytest.raises(Rejected) as caught:
        cleaned("person.household_region", "火星基地一号")
    assert caught.value.rule == "invalid_region_code"


def test_nothing_there_is_no_value() -> None:
    element = ELEMENTS["person.phone"]
    field = SourceField(element="person.phone", path="x")
    assert clean(None, element=element, field=field) is None
    assert clean("  ", element=element, field=field) is None
