"""The chain of the ledger's signing keys: which keys may have signed a checkpoint.

The first link names the ledger's first key, countersigned by that key. Each
later link is a handover: it names a new key and the tree size at which it takes
over, is signed by the previous key and countersigned by the new one. Whoever
trusts any one key of a valid chain can therefore trust every key of it: the
keys after it were handed over by a key they trust, and the keys before it were
vouched for by the key that took over from them. A key handed over signs no tree
larger than the one at its handover.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ledger.domain.canonical import canonical_bytes
from ledger.integrity.checkpoints import checkpoint_problems
from ledger.integrity.keys import key_id, sign, signature_valid

FORMAT = "incident-ledger-key-handover/1"
_SIGNED = (
    "format",
    "previous_key_id",
    "key_id",
    "public_key",
    "tree_size",
    "timestamp",
)
FIELDS = (*_SIGNED, "signature", "countersignature")


def raw_public(key: Ed25519PublicKey) -> str:
    """The 32 bytes of an Ed25519 public key, base64."""
    return base64.b64encode(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def public_from_raw(text: str) -> Ed25519PublicKey:
    """The public key of ``raw_public``; ValueError if it is not one."""
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))


def signed_bytes(link: dict[str, Any]) -> bytes:
    """What both signatures of a link cover: RFC 8785 JSON of its signed fields."""
    return canonical_bytes({k: link.get(k) for k in _SIGNED})


def make_link(
    new: Ed25519PrivateKey,
    previous: Ed25519PrivateKey | None,
    tree_size: int,
    when: datetime | None = None,
) -> dict[str, Any]:
    """The first link (no ``previous``) or a handover from ``previous`` to ``new``."""
    body = {
        "format": FORMAT,
        "previous_key_id": key_id(previous.public_key()) if previous else None,
        "key_id": key_id(new.public_key()),
        "public_key": raw_public(new.public_key()),
        "tree_size": tree_size,
        "timestamp": (when or datetime.now(UTC)).isoformat(),
    }
    message = signed_bytes(body)
    return {
        **body,
        "signature": sign(previous, message) if previous else None,
        "countersignature": sign(new, message),
    }


def chain_problems(links: Any) -> list[str]:
    """What is wrong with a chain of links; empty when every signature holds."""
    if not isinstance(links, list):
        return ["the key chain is not a list"]
    before: dict[str, Any] | None = None
    for number, link in enumerate(links, 1):
        problem = _link_problem(link, before)
        if problem:
            return [f"key chain link {number}: {problem}"]
        before = link
    return []


def _link_problem(link: Any, before: dict[str, Any] | None) -> str | None:
    if not isinstance(link, dict) or any(k not in link for k in FIELDS):
        return "it is not a key handover"
    if link["format"] != FORMAT:
        return f"unknown format {link['format']!r}"
    try:
        public = public_from_raw(link["public_key"])
    except (ValueError, TypeError):
        return "its public key is not an Ed25519 key"
    size = link["tree_size"]
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        return "its tree_size is not a whole number"
    if link["key_id"] != key_id(public):
        return f"key id {link['key_id']} is not the id of its public key"
    message = signed_bytes(link)
    if not _valid(public, message, link["countersignature"]):
        return f"the countersignature of key {link['key_id']} does not verify"
    if before is None:
        if link["previous_key_id"] is not None:
            return "the first key has a predecessor"
        return None
    if link["previous_key_id"] != before["key_id"]:
        return f"it hands over from {link['previous_key_id']}, not {before['key_id']}"
    if size < before["tree_size"]:
        return f"its tree size {size} is smaller than the previous one"
    if not _valid(public_from_raw(before["public_key"]), message, link["signature"]):
        return f"the signature of key {before['key_id']} does not verify"
    return None


def _valid(public: Ed25519PublicKey, message: bytes, signature: Any) -> bool:
    return isinstance(signature, str) and signature_valid(public, message, signature)


@dataclass
class KeyRing:
    """The keys trusted through one anchor key, and when each was handed over."""

    anchor: Ed25519PublicKey
    keys: dict[str, Ed25519PublicKey] = field(default_factory=dict)
    retired_at: dict[str, int] = field(default_factory=dict)

    def problems(self, checkpoint: Any) -> list[str]:
        """What is wrong with a checkpoint, checked with the key that signed it."""
        named = checkpoint.get("key_id") if isinstance(checkpoint, dict) else None
        key = self.keys.get(named) if isinstance(named, str) else None
        problems = checkpoint_problems(checkpoint, key or self.anchor)
        if problems or named not in self.retired_at:
            return problems
        limit, size = self.retired_at[named], checkpoint["tree_size"]
        if size > limit:
            return [
                f"signed by key {named} at tree size {size}, but that key was "
                f"handed over at tree size {limit}"
            ]
        return []


def keyring(links: Any, anchor: Ed25519PublicKey) -> tuple[KeyRing, list[str]]:
    """The keys ``anchor`` vouches for through ``links``; the chain's problems."""
    anchor_id = key_id(anchor)
    ring = KeyRing(anchor, {anchor_id: anchor})
    problems = chain_problems(links)
    if problems or anchor_id not in {link["key_id"] for link in links}:
        return ring, problems
    for before, link in zip([None, *links], links, strict=False):
        ring.keys[link["key_id"]] = public_from_raw(link["public_key"])
        if before is not None:
            ring.retired_at[before["key_id"]] = link["tree_size"]
    return ring, []
