from datetime import date

import pytest

from yiwang.kit.validators import (
    USCC_ALPHABET,
    IdNumber,
    InvalidIdNumber,
    InvalidPhone,
    InvalidUscc,
    Uscc,
    id_check_char,
    is_valid_uscc,
    mask_id_number,
    mask_phone,
    normalize_mobile,
    parse_id_number,
    parse_uscc,
    upgrade_id_number,
    uscc_check_char,
)

# The worked example printed in GB 11643-1999 itself (北京市朝阳区, born 1949-12-31, female).
GB_EXAMPLE = "11010519491231002X"
# The standard's second example: valid check character, but born 1880 (汕头市潮阳县, male).
GB_EXAMPLE_1880 = "440524188001010014"
TODAY = date(2025, 6, 1)


# --- 公民身份号码 --------------------------------------------------------------------------------


def test_check_char_of_the_standard_examples() -> None:
    assert id_check_char(GB_EXAMPLE[:17]) == "X"
    assert id_check_char(GB_EXAMPLE_1880[:17]) == "4"


def test_check_char_covers_every_residue() -> None:
    # Vary the last digit to walk through residues; each char must make the full number valid.
    seen = set()
    for prefix in (f"1101051949123100{d}" for d in range(10)):
        char = id_check_char(prefix)
        parse_id_number(prefix + char, today=TODAY)
        seen.add(char)
    assert len(seen) == 10  # 10 prefixes differ by weight 2, which is coprime to 11


@pytest.mark.parametrize("bad", ["1101051949123100", "110105194912310021", "1101051949123100X"])
def test_check_char_rejects_anything_but_17_digits(bad: str) -> None:
    with pytest.raises(InvalidIdNumber) as err:
        id_check_char(bad)
    assert err.value.reason == "format"


def test_parse_the_standard_example() -> None:
    assert parse_id_number(GB_EXAMPLE, today=TODAY) == IdNumber(
        value=GB_EXAMPLE,
        region_code="110105",
        birth_date=date(1949, 12, 31),
        sex="female",
        upgraded_from_15=False,
    )


def test_seventeenth_digit_odd_means_male() -> None:
    first17 = "11010519491231001"
    parsed = parse_id_number(first17 + id_check_char(first17), today=TODAY)
    assert parsed.sex == "male"


@pytest.mark.parametrize(
    "written",
    [
        "11010519491231002x",
        "  11010519491231002X\n",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２ｘ",
    ],
)
def test_parse_normalises_case_width_and_whitespace(written: str) -> None:
    assert parse_id_number(written, today=TODAY).value == GB_EXAMPLE


def test_fifteen_digit_number_is_upgraded() -> None:
    assert upgrade_id_number("110105491231002") == GB_EXAMPLE
    parsed = parse_id_number("110105491231002", today=TODAY)
    assert parsed.value == GB_EXAMPLE
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.upgraded_from_15 is True


@pytest.mark.parametrize("bad", ["11010549123100", "1101054912310021", "11010549123100X"])
def test_upgrade_rejects_anything_but_15_digits(bad: str) -> None:
    with pytest.raises(InvalidIdNumber) as err:
        upgrade_id_number(bad)
    assert err.value.reason == "format"


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "1101051949123100",  # 16 characters
        "11010519491231002XX",  # 19
        "1101051949123100X2",  # X not last
        "11010519491231002Y",
        "110105 19491231002X",  # inner space
        "11010549123100X",  # 15 with X
    ],
)
def test_malformed_numbers_fail_on_format(bad: str) -> None:
    with pytest.raises(InvalidIdNumber) as err:
        parse_id_number(bad, today=TODAY)
    assert err.value.reason == "format"


@pytest.mark.parametrize("bad", ["110105194912310029", "110105194912310020", "21010519491231002X"])
def test_wrong_check_character_fails_on_checksum(bad: str) -> None:
    with pytest.raises(InvalidIdNumber) as err:
        parse_id_number(bad, today=TODAY)
    assert err.value.reason == "checksum"


def _with_check(first17: str) -> str:
    return first17 + id_check_char(first17)


@pytest.mark.parametrize(
    "first17",
    [
        "11010519490231002",  # 1949-02-31
        "11010520230229002",  # 2023 is not a leap year
        "11010519491300002",  # month 13
        "11010519491200002",  # day 0
    ],
)
def test_impossible_dates_fail_on_birth_date(first17: str) -> None:
    with pytest.raises(InvalidIdNumber) as err:
        parse_id_number(_with_check(first17), today=TODAY)
    assert err.value.reason == "birth_date"


def test_leap_day_is_a_real_date() -> None:
    assert parse_id_number(_with_check("11010520000229002"), today=TODAY).birth_date == date(
        2000, 2, 29
    )


def test_fifteen_digit_number_with_impossible_date() -> None:
    with pytest.raises(InvalidIdNumber) as err:
        parse_id_number("110105490231002", today=TODAY)
    assert err.value.reason == "birth_date"


def test_birth_before_1900_is_rejected_even_with_a_valid_check_character() -> None:
    with pytest.raises(InvalidIdNumber) as err:
        parse_id_number(GB_EXAMPLE_1880, today=TODAY)
    assert err.value.reason == "birth_date"
    assert parse_id_number(_with_check("11010519000101002"), today=TODAY).birth_date == date(
        1900, 1, 1
    )


def test_birth_date_may_be_today_but_not_tomorrow() -> None:
    born_today = _with_check("11010520250601002")
    assert parse_id_number(born_today, today=TODAY).birth_date == TODAY
    with pytest.raises(InvalidIdNumber) as err:
        parse_id_number(born_today, today=date(2025, 5, 31))
    assert err.value.reason == "birth_date"


def test_future_birth_date_uses_the_real_today_by_default() -> None:
    with pytest.raises(InvalidIdNumber) as err:
        parse_id_number(_with_check("11010521990101002"))
    assert err.value.reason == "birth_date"


def test_region_check_is_up_to_the_caller() -> None:
    asked: list[str] = []

    def known(code: str) -> bool:
        asked.append(code)
        return code == "110105"

    assert parse_id_number(GB_EXAMPLE, region_exists=known, today=TODAY).region_code == "110105"
    assert asked == ["110105"]
    # 440524 (潮阳县) no longer exists today, yet numbers issued with it remain valid.
    other = _with_check("44052419800101001")
    with pytest.raises(InvalidIdNumber) as err:
        parse_id_number(other, region_exists=known, today=TODAY)
    assert err.value.reason == "region"
    assert parse_id_number(other, today=TODAY).region_code == "440524"


def test_invalid_id_number_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="check character"):
        parse_id_number("110105194912310029", today=TODAY)


def test_mask_id_number() -> None:
    assert mask_id_number("110105194912310029") == "110105********0029"  # shape only, no checksum
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number(" 11010519491231002x ") == "110105********002X"
    assert mask_id_number("110105491231002") == "110105*****1002"
    with pytest.raises(InvalidIdNumber):
        mask_id_number("12345")


# --- 统一社会信用代码 ----------------------------------------------------------------------------

# Real codes from public business registrations, among them 华为技术有限公司 914403001922038216,
# 深圳市腾讯计算机系统有限公司 9144030071526726XG, 小米科技有限责任公司 91110108551385082Q and
# 中国工商银行股份有限公司 91100000100003962T. Each was checked against uscc_check_char.
PUBLISHED_USCC = [
    "91350100M000100Y43",
    "91110000600037341L",
    "914403001922038216",
    "9144030071526726XG",
    "91110108551385082Q",
    "91100000100003962T",
    "911000001000013428",
    "91520000214434146R",
    "91440300192317458F",
]


@pytest.mark.parametrize("code", PUBLISHED_USCC)
def test_published_codes_are_valid(code: str) -> None:
    assert uscc_check_char(code[:17]) == code[17]
    assert is_valid_uscc(code)


def test_parse_uscc_splits_the_parts() -> None:
    assert parse_uscc("91350100M000100Y43") == Uscc(
        value="91350100M000100Y43",
        registering_department="9",
        organisation_type="1",
        region_code="350100",
        organisation_code="M000100Y4",
    )


def test_check_char_weights_are_powers_of_three() -> None:
    # A single 1 at position i contributes 3^i mod 31; the check char makes the sum ≡ 0 (mod 31).
    for i in range(17):
        prefix = "0" * i + "1" + "0" * (16 - i)
        expected = (31 - pow(3, i, 31)) % 31
        assert uscc_check_char(prefix) == USCC_ALPHABET[expected]
    assert uscc_check_char("0" * 17) == "0"


@pytest.mark.parametrize(
    ("department", "kind"),
    [
        ("A", "1"),  # 中央军委改革和编制办公室
        ("N", "1"),  # 农业农村部门
        ("N", "2"),
        ("Y", "1"),  # 其他
        ("1", "1"),  # 机构编制
        ("5", "1"),  # 民政: 社会团体
        ("9", "3"),  # 市场监管: 农民专业合作社
    ],
)
def test_every_registering_department_in_the_alphabet_is_accepted(
    department: str, kind: str
) -> None:
    first17 = f"{department}{kind}110105MA01ABCD5"
    code = first17 + uscc_check_char(first17)
    parsed = parse_uscc(code)
    assert parsed.registering_department == department
    assert parsed.organisation_type == kind
    assert parsed.region_code == "110105"


def test_parse_uscc_normalises_case_width_and_whitespace() -> None:
    assert parse_uscc(" 91350100m000100y43\t").value == "91350100M000100Y43"
    assert parse_uscc("９１３５０１００Ｍ０００１００Ｙ４３").value == "91350100M000100Y43"


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "91350100M000100Y4",  # 17
        "91350100M000100Y431",  # 19
        "91350100I000100Y43",  # I is not in the alphabet
        "91350100O000100Y43",
        "91350100Z000100Y43",
        "91350100S000100Y43",
        "91350100V000100Y43",
        "9135 100M000100Y43",
    ],
)
def test_malformed_codes_fail_on_format(bad: str) -> None:
    with pytest.raises(InvalidUscc) as err:
        parse_uscc(bad)
    assert err.value.reason == "format"
    assert not is_valid_uscc(bad)


def test_every_single_character_typo_is_caught() -> None:
    code = "91350100M000100Y43"
    for i in range(18):
        for replacement in USCC_ALPHABET:
            if replacement == code[i]:
                continue
            typo = code[:i] + replacement + code[i + 1 :]
            with pytest.raises(InvalidUscc) as err:
                parse_uscc(typo)
            assert err.value.reason == "checksum", typo


def test_uscc_check_char_rejects_bad_prefix() -> None:
    with pytest.raises(InvalidUscc):
        uscc_check_char("91350100M000100Y")
    with pytest.raises(InvalidUscc):
        uscc_check_char("91350100I000100Y4")


# --- 手机号码 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "13812345678",
        "138 1234 5678",
        "138-1234-5678",
        "+86 138 1234 5678",
        "+86-13812345678",
        "8613812345678",
        "008613812345678",
        "１３８１２３４５６７８",
        "＋８６　１３８－１２３４－５６７８",
        " 13812345678 ",
    ],
)
def test_normalize_mobile(written: str) -> None:
    assert normalize_mobile(written) == "13812345678"


@pytest.mark.parametrize("prefix", ["13", "14", "15", "16", "17", "18", "19"])
def test_every_mobile_prefix(prefix: str) -> None:
    assert normalize_mobile(prefix + "912345678") == prefix + "912345678"


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "12812345678",  # 12x is not a mobile range
        "23812345678",
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "010-12345678",  # landline
        "+1 138 1234 5678",
        "+8513812345678",
        "86 1381234567",
        "138.1234.5678",
        "138１２３４567a",
    ],
)
def test_normalize_mobile_rejects(bad: str) -> None:
    with pytest.raises(InvalidPhone):
        normalize_mobile(bad)


def test_mask_phone() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138-1234-5678") == "138****5678"
    with pytest.raises(InvalidPhone):
        mask_phone("12345")


def test_digits_from_other_scripts_are_not_digits() -> None:
    # Arabic-Indic digits match \d; an ID or phone number must be ASCII (or full-width) digits.
    with pytest.raises(InvalidPhone):
        normalize_mobile("1390572100\u0661")
    with pytest.raises(InvalidIdNumber):
        parse_id_number("3305231990030723\u06617")
