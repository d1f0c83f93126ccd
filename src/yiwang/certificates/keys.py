"""Departments' signing keys: Ed25519, one PEM file per key, kept outside the database.

``<keys_dir>/<department>/<key id>.pem`` holds a private key (mode 0600) and
``<keys_dir>/<department>/current`` names the key that signs now. Rotating adds a key and
points ``current`` at it; the old keys stay, so licences they signed still verify.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import secrets
import threading
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM = "Ed25519"


class KeyRing:
    """The signing keys of every department, read from (and created in) one directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._private: dict[str, Ed25519PrivateKey] = {}
        self._lock = threading.Lock()

    def current_key_id(self, department: str) -> str:
        """The id of the key that signs for this department now; the first is made on demand."""
        pointer = self.directory / department / "current"
        with self._lock:
            if not pointer.exists():
                return self._create(department)
            return pointer.read_text(encoding="utf-8").strip()

    def rotate(self, department: str) -> str:
        """A new key for the department; it signs from now on, the old ones still verify."""
        with self._lock:
            return self._create(department)

    def sign(self, department: str, message: bytes) -> tuple[str, str]:
        """Sign with the department's current key: (key id, base64 signature)."""
        key_id = self.current_key_id(department)
        signature = self._private_key(key_id).sign(message)
        return key_id, base64.b64encode(signature).decode()

    def verify(self, key_id: str, message: bytes, signature: str) -> bool:
        """Whether the signature is the key's over this message."""
        public = self.public_key(key_id)
        if public is None:
            return False
        try:
            public.verify(base64.b64decode(signature, validate=True), message)
        except (InvalidSignature, ValueError):
            return False
        return True

    def public_key(self, key_id: str) -> Ed25519PublicKey | None:
        """The public half of a key, or None for a key this ring does not hold."""
        try:
            return self._private_key(key_id).public_key()
        except (FileNotFoundError, ValueError):
            return None

    def public_keys(self) -> list[dict[str, Any]]:
        """Every key's public half, for anyone who wants to check a signature themselves."""
        out = []
        if not self.directory.exists():
            return out
        for folder in sorted(p for p in self.directory.iterdir() if p.is_dir()):
            current = (
                (folder / "current").read_text().strip() if (folder / "current").exists() else None
            )
            for path in sorted(folder.glob("*.pem")):
                key_id = path.stem
                public = self.public_key(key_id)
                if public is None:
                    continue
                raw = public.public_bytes(
                    serialization.Encoding.Raw, serialization.PublicFormat.Raw
                )
                out.append(
                    {
                        "key_id": key_id,
                        "department": folder.name,
                        "algorithm": ALGORITHM,
                        "public_key": base64.b64encode(raw).decode(),
                        "public_key_pem": public.public_bytes(
                            serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo,
                        ).decode(),
                        "status": "active" if key_id == current else "retired",
                        "created_at": dt.datetime.fromtimestamp(
                            path.stat().st_mtime, dt.UTC
                        ).isoformat(),
                    }
                )
        return out

    def _private_key(self, key_id: str) -> Ed25519PrivateKey:
        if key_id not in self._private:
            department = key_id.split(".", 1)[0]
            if not department.isidentifier() or "/" in key_id or ".." in key_id:
                raise ValueError("not a key id")
            pem = (self.directory / department / f"{key_id}.pem").read_bytes()
            key = serialization.load_pem_private_key(pem, password=None)
            if not isinstance(key, Ed25519PrivateKey):
                raise ValueError("not an Ed25519 key")
            self._private[key_id] = key
        return self._private[key_id]

    def _create(self, department: str) -> str:
        folder = self.directory / department
        folder.mkdir(parents=True, exist_ok=True)
        key_id = f"{department}.{dt.datetime.now(dt.UTC):%Y%m%d}.{secrets.token_hex(3)}"
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        path = folder / f"{key_id}.pem"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(pem)
        pointer = folder / f"current.{secrets.token_hex(4)}.tmp"
        pointer.write_text(key_id + "\n", encoding="utf-8")
        os.replace(pointer, folder / "current")  # atomic: readers see the old id or the new
        self._private[key_id] = key
        return key_id
