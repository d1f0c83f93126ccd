"""电子证照标识 (GB/T 36904):
``1.2.156.3005.2.<type code>.<issuer code>.<serial>.<version>.<check>``.

The check character is ISO/IEC 7064 MOD 37,36 (the hybrid system over 0–9 A–Z) computed over the
licence type code, the issuer's credit code, the serial and the version written together.
"""

from __future__ import annotations

import re

PREFIX = "1.2.156.3005.2"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_SHAPE = re.compile(
    r"1\.2\.156\.3005\.2\.(?P<type>[0-9A-Z]{18}[0-9]{3})\.(?P<issuer>[0-9A-Z]{18})"
    r"\.(?P<serial>[0-9]{11})\.(?P<version>[0-9]{3})\.(?P<check>[0-9A-Z])"
)


def mod37_36(text: str) -> str:
    """The ISO/IEC 7064 MOD 37,36 check character of an alphanumeric string."""
    modulus = 36
    product = modulus
    for char in text:
        value = ALPHABET.find(char)
        if value < 0:
            raise ValueError(f"{char!r} is not 0-9 or A-Z")
        total = (product + value) % modulus or modulus
        product = total * 2 % (modulus + 1)
    return ALPHABET[(modulus + 1 - product) % modulus]


def build(*, type_code: str, issuer_code: str, serial: str, version: str = "001") -> str:
    """A licence identifier with its check character."""
    check = mod37_36(type_code + issuer_code + serial + version)
    identifier = f"{PREFIX}.{type_code}.{issuer_code}.{serial}.{version}.{check}"
    if not _SHAPE.fullmatch(identifier):
        raise ValueError(f"not a GB/T 36904 identifier: {identifier}")
    return identifier


def is_valid(identifier: str) -> bool:
    """Whether an identifier is well formed and its check character right."""
    match = _SHAPE.fullmatch(identifier)
    if match is None:
        return False
    body = match["type"] + match["issuer"] + match["serial"] + match["version"]
    return mod37_36(body) == match["check"]
