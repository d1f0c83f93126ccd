"""Row ids stay random version-4 UUIDs in their usual text form (they appear in addresses such
as /applications/{id}, and other systems store them)."""

from __future__ import annotations

import uuid

from yiwang.kit.ids import new_hex, new_id


def test_ids_are_distinct_random_uuids_in_canonical_text() -> None:
    made = [new_id() for _ in range(10_000)]
    assert len(set(made)) == len(made)
    for text in made[:100]:
        parsed = uuid.UUID(text)
        assert str(parsed) == text  # lower case, hyphenated
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
    hexed = new_hex()
    assert len(hexed) == 32 and uuid.UUID(hexed).version == 4
