"""Validators for Chinese identifiers.

- 公民身份号码, resident ID number (GB 11643-1999), check character by ISO 7064 MOD 11-2;
- 统一社会信用代码, unified social credit code (GB 32100-2015), check character MOD 31;
- mainland mobile numbers (手机号码).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from yiwang.kit.text import to_halfwidth

# --- 公民身份号码 (GB 11643-1999) ---------------------------------------------------------------

IdNumberFailure = Literal["format", "checksum", "birth_date", "region"]

# Weight of position i (1-based from the left) is 2^(18-i) mod 11.
_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_CHECK_CHARS = "10X98765432"  # indexed by (weighted sum mod 11)
_ID_18 = re.compile(r"[0-9]{17}[0-9X]")
_ID_15 = re.compile(r"[0-9]{15}")
_ID_EARLIEST_BIRTH = date(1900, 1, 1)


class InvalidIdNumber(ValueError):
    """A resident ID number that is malformed, fails its check, or names an impossible birth."""

    def __init__(self, reason: IdNumberFailure, message: str) -> None:
        """Keep the machine-readable ``reason`` beside the message."""
        super().__init__(message)
        self.reason: IdNumberFailure = reason


@dataclass(frozen=True)
class IdNumber:
    """A valid 18-character resident ID number (公民身份号码) and what it encodes."""

    value: str
    region_code: str
    birth_date: date
    sex: Literal["male", "female"]
    upgraded_from_15: bool


def _normalise_id(value: str) -> str:
    """Strip whitespace, map full-width digits and X to ASCII, and upper-case x."""
    return to_halfwidth(value.strip()).upper()


def id_check_char(first17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character (0–9 or X) for the first 17 digits."""
    if not re.fullmatch(r"[0-9]{17}", first17):
        raise InvalidIdNumber("format", "expected 17 digits to compute a check character")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def upgrade_id_number(value15: str) -> str:
    """Turn a 15-digit legacy number (born 19yy) into its 18-character form with check character."""
    value15 = _normalise_id(value15)
    if not _ID_15.fullmatch(value15):
        raise InvalidIdNumber("format", "a legacy ID number has exactly 15 digits")
    first17 = value15[:6] + "19" + value15[6:]
    return first17 + id_check_char(first17)


def parse_id_number(
    value: str,
    *,
    region_exists: Callable[[str], bool] | None = None,
    today: date | None = None,
) -> IdNumber:
    """Validate an 18-character or 15-digit legacy ID number and return its 18-character form."""
    normalised = _normalise_id(value)
    upgraded = False
    if _ID_15.fullmatch(normalised):
        normalised = upgrade_id_number(normalised)
        upgraded = True
    elif not _ID_18.fullmatch(normalised):
        raise InvalidIdNumber("format", "an ID number has 18 characters (17 digits, then 0–9 or X)")
    elif id_check_char(normalised[:17]) != normalised[17]:
        raise InvalidIdNumber("checksum", "the ID number's check character does not match")

    digits = normalised[6:14]
    try:
        birth_date = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise InvalidIdNumber("birth_date", f"{digits} is not a calendar date") from None
    if birth_date < _ID_EARLIEST_BIRTH:
        raise InvalidIdNumber("birth_date", "birth dates before 1900-01-01 are not accepted")
    if birth_date > (today or date.today()):
        raise InvalidIdNumber("birth_date", "the birth date is in the future")

    region_code = normalised[:6]
    if region_exists is not None and not region_exists(region_code):
        raise InvalidIdNumber("region", f"unknown administrative division code {region_code}")

    return IdNumber(
        value=normalised,
        region_code=region_code,
        birth_date=birth_date,
        sex="male" if int(normalised[16]) % 2 else "female",
        upgraded_from_15=upgraded,
    )


def mask_id_number(value: str) -> str:
    """Show the first 6 and last 4 characters and star the rest (checks shape, not checksum)."""
    normalised = _normalise_id(value)
    if not (_ID_18.fullmatch(normalised) or _ID_15.fullmatch(normalised)):
        raise InvalidIdNumber("format", "an ID number has 18 characters or 15 digits")
    return normalised[:6] + "*" * (len(normalised) - 10) + normalised[-4:]


# --- 统一社会信用代码 (GB 32100-2015) ----------------------------------------------------------

UsccFailure = Literal["format", "checksum"]

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3^i mod 31
_USCC_FORMAT = re.compile(f"[{USCC_ALPHABET}]{{18}}")


class InvalidUscc(ValueError):
    """A unified social credit code that is malformed or fails its check character."""

    def __init__(self, reason: UsccFailure, message: str) -> None:
        """Keep the machine-readable ``reason`` beside the message."""
        super().__init__(message)
        self.reason: UsccFailure = reason


@dataclass(frozen=True)
class Uscc:
    """A valid unified social credit code (统一社会信用代码) split into its GB 32100 parts."""

    value: str
    registering_department: str  # 登记管理部门码: 1–9, A, N, Y …
    organisation_type: str  # 机构类别码
    region_code: str  # 登记管理机关行政区划码
    organisation_code: str  # 主体标识码 (组织机构代码)


def uscc_check_char(first17: str) -> str:
    """Return the GB 32100 check character for the first 17 characters of a credit code."""
    if not re.fullmatch(f"[{USCC_ALPHABET}]{{17}}", first17):
        raise InvalidUscc("format", f"expected 17 characters from {USCC_ALPHABET}")
    total = sum(_USCC_VALUE[ch] * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def parse_uscc(value: str) -> Uscc:
    """Validate a credit code (any alphabet character in any position) and split it into parts."""
    normalised = to_halfwidth(value.strip()).upper()
    if not _USCC_FORMAT.fullmatch(normalised):
        raise InvalidUscc("format", f"a credit code has 18 characters from {USCC_ALPHABET}")
    if uscc_check_char(normalised[:17]) != normalised[17]:
        raise InvalidUscc("checksum", "the credit code's check character does not match")
    return Uscc(
        value=normalised,
        registering_department=normalised[0],
        organisation_type=normalised[1],
        region_code=normalised[2:8],
        organisation_code=normalised[8:17],
    )


def is_valid_uscc(value: str) -> bool:
    """Tell whether ``value`` parses as a unified social credit code."""
    try:
        parse_uscc(value)
    except InvalidUscc:
        return False
    return True


# --- 手机号码 -----------------------------------------------------------------------------------

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_PHONE_SEPARATORS = re.compile(r"[ \-]")


class InvalidPhone(ValueError):
    """A value that is not a mainland China mobile number."""


def normalize_mobile(value: str) -> str:
    """Return the 11 digits of a mainland mobile, dropping spaces, hyphens and +86/0086/86."""
    compact = _PHONE_SEPARATORS.sub("", to_halfwidth(value, keep_cjk_punctuation=False))
    if compact.startswith("+86"):
        compact = compact[3:]
    elif compact.startswith("0086"):
        compact = compact[4:]
    elif compact.startswith("86") and len(compact) == 13:
        compact = compact[2:]
    if not _MOBILE.fullmatch(compact):
        raise InvalidPhone("not a mainland mobile number (11 digits starting 13–19)")
    return compact


def mask_phone(value: str) -> str:
    """Normalise a mobile number and star its middle four digits: ``138****5678``."""
    digits = normalize_mobile(value)
    return digits[:3] + "****" + digits[7:]
