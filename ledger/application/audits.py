"""The service's integrity operations: checkpoints, proofs, bundles, verify.

Proofs and the latest checkpoint are reads. ``checkpoint`` writes (a signed
checkpoint row); ``audit_bundle`` signs a new checkpoint when none covers the
ledger as it stands; ``verify`` first brings the read models up to date.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select

from ledger.bootstrap import Ledger
from ledger.errors import LocatedError, NotFound
from ledger.integrity import merkle
from ledger.integrity.bundle import make_bundle
from ledger.integrity.service import Integrity, Report
from ledger.projections import tables as t


class Audits:
    """Tamper evidence of one ledger, for auditors and administrators."""

    ledger: Ledger
    key: str | None

    def integrity(self) -> Integrity:
        """The ledger's Merkle tree, checkpoints and signing key."""
        return Integrity(self.ledger, self.key)

    def tree_size(self) -> int:
        """How many events the projected tree holds (no projection first)."""
        return self.ledger.view.merkle_frontier()[0]

    def checkpoints(self) -> list[dict[str, Any]]:
        """Every signed checkpoint, oldest first."""
        return self.integrity().checkpoints()

    def latest_checkpoint(self) -> dict[str, Any]:
        """The latest signed checkpoint (NotFound if none is signed yet)."""
        return self.integrity().latest()

    def checkpoint(self, recorded_by: str) -> dict[str, Any]:
        """Sign and record the ledger's tree size and root (a write)."""
        return self.integrity().checkpoint(recorded_by)

    def prove_statement(self, slug: str) -> dict[str, Any]:
        """Inclusion proofs of a statement's events in the latest checkpoint."""
        return self.integrity().prove_statement(slug)

    def prove_since(
        self, old: dict[str, Any], public: Ed25519PublicKey | None = None
    ) -> dict[str, Any]:
        """A consistency proof from an older checkpoint to the latest one."""
        return self.integrity().prove_since(old, public)

    def inclusion(
        self,
        *,
        seq: int | None = None,
        leaf_hash: str | None = None,
        tree_size: int | None = None,
    ) -> dict[str, Any]:
        """RFC 9162 inclusion proof of one event (by seq or leaf hash) in the
        tree of ``tree_size`` leaves (default: the latest checkpoint's)."""
        e = t.ledger_events.c
        if (seq is None) == (leaf_hash is None):
            raise LocatedError("seq", "give a sequence number or a leaf hash")
        where = e.seq == seq if seq is not None else e.leaf_hash == leaf_hash
        with self.ledger.engine.connect() as conn:
            row = conn.execute(
                select(e.seq, e.leaf_index, e.leaf_hash, e.event_type).where(where)
            ).first()
        if row is None:
            what = f"event {seq}" if seq is not None else f"leaf {leaf_hash}"
            raise NotFound(f"no {what} is recorded")
        size = self._size(tree_size)
        if row.leaf_index >= size:
            raise LocatedError(
                "tree_size", f"event {row.seq} is not in a tree of {size} leaves"
            )
        lookup = self.integrity()._lookup
        return {
            "seq": row.seq,
            "type": row.event_type,
            "leaf_index": row.leaf_index,
            "leaf_hash": row.leaf_hash,
            "tree_size": size,
            "root_hash": merkle.root(lookup, size).hex(),
            "path": [
                p.hex() for p in merkle.inclusion_proof(lookup, row.leaf_index, size)
            ],
        }

    def consistency(self, first: int, second: int | None = None) -> dict[str, Any]:
        """RFC 9162 consistency proof between two tree sizes (default second:
        the latest checkpoint's)."""
        second = self._size(second)
        if not 0 < first <= second:
            raise LocatedError(
                "first", f"give a tree size from 1 to {second} (got {first})"
            )
        lookup = self.integrity()._lookup
        return {
            "first": first,
            "second": second,
            "first_root": merkle.root(lookup, first).hex(),
            "second_root": merkle.root(lookup, second).hex(),
            "proof": [p.hex() for p in merkle.consistency_proof(lookup, first, second)],
        }

    def _size(self, asked: int | None) -> int:
        projected = self.tree_size()
        if asked is None:
            return self.latest_checkpoint()["tree_size"]
        if not 0 < asked <= projected:
            raise LocatedError(
                "tree_size", f"give a tree size from 1 to {projected} (got {asked})"
            )
        return asked

    def audit_bundle(
        self,
        incident: str,
        recorded_by: str,
        as_of: str | None = None,
        known_at: str | None = None,
    ) -> dict[str, Any]:
        """An incident's state with every event behind it, proven to a checkpoint.

        Like every state, it says which sequence number it reflects
        (``known_at_seq``); the bundle's events go no further.
        """
        as_of_date = self.as_of(as_of)  # type: ignore[attr-defined]
        integrity = self.integrity()
        integrity.size()  # brings the tree up to date
        known = self.known(known_at)  # type: ignore[attr-defined]
        return make_bundle(integrity, incident, as_of_date, known, recorded_by)

    def verify(
        self,
        extra: list[dict[str, Any]] | None = None,
        public: Ed25519PublicKey | None = None,
    ) -> Report:
        """Recompute every hash from the stored events; check every checkpoint."""
        return self.integrity().verify(extra or [], public)
