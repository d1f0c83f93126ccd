"""GB/T 36904 licence identifiers and their ISO/IEC 7064 MOD 37,36 check character."""

from __future__ import annotations

from yiwang.certificates.identifiers import ALPHABET, build, is_valid, mod37_36

# The standard's published example.
EXAMPLE = "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U"


def test_the_published_example_is_valid() -> None:
    assert is_valid(EXAMPLE)
    assert mod37_36("11100000000013338W01111430000006122244L20230000403001") == "U"
    assert (
        build(
            type_code="11100000000013338W011",
            issuer_code="11430000006122244L",
            serial="20230000403",
            version="001",
        )
        == EXAMPLE
    )


def test_every_single_character_alteration_is_caught() -> None:
    prefix = "1.2.156.3005.2."
    tail = EXAMPLE[len(prefix) :]
    caught = tried = 0
    for position, original in enumerate(tail):
        if original == ".":
            continue
        for replacement in ALPHABET:
            if replacement == original:
                continue
            altered = prefix + tail[:position] + replacement + tail[position + 1 :]
            tried += 1
            caught += not is_valid(altered)
    assert tried > 1800
    assert caught == tried


def test_malformed_identifiers_are_not_valid() -> None:
    assert not is_valid(EXAMPLE.replace("1.2.156", "1.2.157"))
    assert not is_valid(EXAMPLE[:-2])
    assert not is_valid(EXAMPLE.lower())
    assert not is_valid("")
