"""Departments' signing keys: kept as files outside the database, rotatable, old ones verify."""

from __future__ import annotations

import stat
from pathlib import Path

from yiwang.certificates.keys import KeyRing


def test_a_signature_verifies_and_an_altered_message_does_not(tmp_path: Path) -> None:
    ring = KeyRing(tmp_path)
    key_id, signature = ring.sign("samr", "营业执照".encode())
    assert key_id.startswith("samr.")
    assert ring.verify(key_id, "营业执照".encode(), signature)
    assert not ring.verify(key_id, "营业执照 ".encode(), signature)
    assert not ring.verify(key_id, "营业执照".encode(), signature[:-4] + "AAA=")
    assert not ring.verify("samr.19700101.000000", "营业执照".encode(), signature)
    assert not ring.verify("../../etc/passwd", b"x", signature)


def test_keys_are_private_files_and_rotation_keeps_the_old_ones(tmp_path: Path) -> None:
    ring = KeyRing(tmp_path)
    old, old_signature = ring.sign("samr", b"issued before")
    pem = tmp_path / "samr" / f"{old}.pem"
    assert stat.S_IMODE(pem.stat().st_mode) == 0o600
    new = ring.rotate("samr")
    assert new != old
    again = KeyRing(tmp_path)  # another process, reading the same directory
    assert again.current_key_id("samr") == new
    assert again.verify(old, b"issued before", old_signature)
    keys = {k["key_id"]: k for k in again.public_keys()}
    assert keys[old]["status"] == "retired"
    assert keys[new]["status"] == "active"
    assert keys[new]["algorithm"] == "Ed25519"
    assert "PRIVATE" not in keys[new]["public_key_pem"]
