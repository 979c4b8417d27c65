"""Canonical bytes and fingerprints of plain JSON data (RFC 8785)."""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Any

import rfc8785


def nfc(value: Any) -> Any:
    """Return ``value`` with every string NFC-normalised, so equal text is equal."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {nfc(k): nfc(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [nfc(v) for v in value]
    return value


def canonical_bytes(value: Any) -> bytes:
    """RFC 8785 canonical JSON of ``value``."""
    return rfc8785.dumps(value)


def fingerprint(value: Any) -> str:
    """SHA-256 hex digest of the canonical JSON of ``value``."""
    return hashlib.sha256(canonical_bytes(value)).hexdigest()


def leaf_hash(value: Any) -> str:
    """RFC 6962 leaf hash: SHA-256(0x00 || canonical JSON), as hex."""
    return hashlib.sha256(b"\x00" + canonical_bytes(value)).hexdigest()
