"""Signed checkpoints: a tree size and root hash, a time, the key's id, a signature."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from ledger.domain.canonical import canonical_bytes
from ledger.integrity.keys import key_id, sign, signature_valid

FORMAT = "incident-ledger-checkpoint/1"
_SIGNED = ("format", "tree_size", "last_seq", "root_hash", "timestamp", "key_id")


def signed_bytes(checkpoint: dict[str, Any]) -> bytes:
    """What the signature covers: the RFC 8785 JSON of every field but the signature."""
    return canonical_bytes({k: checkpoint.get(k) for k in _SIGNED})


def make_checkpoint(
    key: Ed25519PrivateKey,
    tree_size: int,
    root: bytes,
    last_seq: int,
    when: datetime | None = None,
) -> dict[str, Any]:
    """A checkpoint of a tree of ``tree_size`` leaves, the last being ``last_seq``."""
    body = {
        "format": FORMAT,
        "tree_size": tree_size,
        "last_seq": last_seq,
        "root_hash": root.hex(),
        "timestamp": (when or datetime.now(UTC)).isoformat(),
        "key_id": key_id(key.public_key()),
    }
    return {**body, "signature": sign(key, signed_bytes(body))}


def checkpoint_problems(checkpoint: Any, public: Ed25519PublicKey) -> list[str]:
    """What is wrong with a checkpoint: its shape, its key or its signature."""
    if not isinstance(checkpoint, dict):
        return ["the checkpoint is not a JSON object"]
    missing = [k for k in (*_SIGNED, "signature") if k not in checkpoint]
    if missing:
        return [f"the checkpoint lacks {', '.join(missing)}"]
    if checkpoint["format"] != FORMAT:
        return [f"unknown checkpoint format {checkpoint['format']!r}"]
    size = checkpoint["tree_size"]
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        return ["tree_size is not a whole number"]
    if checkpoint["key_id"] != key_id(public):
        return [f"signed by key {checkpoint['key_id']}, not by {key_id(public)}"]
    if not signature_valid(public, signed_bytes(checkpoint), checkpoint["signature"]):
        return [f"the signature of the checkpoint at tree size {size} does not verify"]
    return []


def root_of(checkpoint: dict[str, Any]) -> bytes:
    """The checkpoint's root hash as bytes (empty if it is not hex)."""
    try:
        return bytes.fromhex(checkpoint["root_hash"])
    except (ValueError, TypeError):
        return b""
