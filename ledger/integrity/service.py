"""Checkpoints, verification and proofs over a ledger's stored events."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import insert, select
from sqlalchemy.engine import make_url

from ledger.bootstrap import Ledger
from ledger.domain.canonical import canonical_bytes, leaf_hash
from ledger.integrity import merkle
from ledger.integrity.checkpoints import make_checkpoint, root_of
from ledger.integrity.keyring import KeyRing, keyring
from ledger.integrity.keys import load_public, public_path
from ledger.integrity.keystore import KeyStore
from ledger.integrity.readmodels import ReadModelCheck
from ledger.persistence import backend, sqlite_path
from ledger.projections import tables as t
from ledger.projections.projection import envelope
from ledger.projections.queries import NotFound

VERIFY_CHUNK = 5_000


class IntegrityError(RuntimeError):
    """A check that failed: the ledger differs from what was recorded or signed."""


def key_path(url: str, given: str | None = None) -> Path:
    """``--key``, else ``LEDGER_KEY_PATH``, else beside the database file.

    A PostgreSQL ledger has no file: its default key is ``DBNAME.key`` here.
    """
    chosen = given or os.environ.get("LEDGER_KEY_PATH")
    return Path(chosen) if chosen else beside_database(url)


def beside_database(url: str) -> Path:
    """The default key path: the database file + ``.key`` (``DBNAME.key`` here)."""
    if backend(url) == "postgresql":
        return Path(f"{make_url(url).database}.key")
    return Path(sqlite_path(url) + ".key")


def ensure_key(
    url: str, given: str | None = None, recorded_by: str = "ledger-init"
) -> tuple[Path, bool]:
    """Create the ledger's signing key if there is none, and record it as the
    ledger's if none is; its path, and whether it is new."""
    path = key_path(url, given)
    with Ledger(url) as ledger:
        store = KeyStore(ledger, path, beside_database(url))
        return path, store.create_or_adopt(recorded_by)


@dataclass
class Finding:
    """One thing verification found wrong; ``seq`` is the first event concerned."""

    message: str
    seq: int | None = None


@dataclass
class Report:
    """What ``verify`` checked and what it found."""

    events: int = 0
    checkpoints: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing was found wrong."""
        return not self.findings


class Integrity:
    """Tamper evidence for one ledger: its Merkle tree, checkpoints and proofs."""

    def __init__(self, ledger: Ledger, key: str | None = None):
        self.ledger = ledger
        self.key_file = key_path(ledger.url, key)
        self.keys = KeyStore(ledger, self.key_file, beside_database(ledger.url))

    # -- the tree as the read model holds it ----------------------------------------

    def _lookup(self, level: int, index: int) -> bytes:
        nodes = t.merkle_nodes.c
        with self.ledger.engine.connect() as conn:
            found = conn.execute(
                select(nodes.hash).where(nodes.level == level, nodes.idx == index)
            ).scalar()
        if found is None:
            raise IntegrityError(
                f"the Merkle tree has no node at level {level}, {index}"
            )
        return bytes.fromhex(found)

    def size(self) -> int:
        """How many events the projected tree holds."""
        self.ledger.project()
        return self.ledger.view.merkle_frontier()[0]

    def public_key(self) -> Ed25519PublicKey:
        """The ledger's public key (from the file beside the signing key)."""
        return load_public(public_path(self.key_file))

    def keyring(self, public: Ed25519PublicKey | None = None) -> tuple[KeyRing, list]:
        """The keys trusted through ``public`` (else the ledger's public key file)."""
        return keyring(self.keys.links(), public or self.public_key())

    # -- checkpoints ----------------------------------------------------------------

    def checkpoint(self, recorded_by: str) -> dict[str, Any]:
        """Sign and record the current tree size and root."""
        key = self.keys.signing_key(recorded_by)
        size = self.size()
        e = t.ledger_events.c
        with self.ledger.engine.connect() as conn:
            last_seq = conn.execute(
                select(e.seq).where(e.leaf_index == size - 1)
            ).scalar()
        cp = make_checkpoint(key, size, merkle.root(self._lookup, size), last_seq or 0)
        fields = ("tree_size", "last_seq", "root_hash", "timestamp", "key_id")
        row = {k: cp[k] for k in fields}
        with self.ledger.engine.begin() as conn:
            conn.execute(
                insert(t.checkpoints).values(
                    **row, signature=cp["signature"], recorded_by=recorded_by
                )
            )
        return cp

    def checkpoints(self) -> list[dict[str, Any]]:
        """Every recorded checkpoint, oldest first."""
        c = t.checkpoints.c
        with self.ledger.engine.connect() as conn:
            rows = conn.execute(select(t.checkpoints).order_by(c.id)).all()
        return [_checkpoint_of(r) for r in rows]

    def latest(self) -> dict[str, Any]:
        """The latest checkpoint; there must be one."""
        found = self.checkpoints()
        if not found:
            raise NotFound("no checkpoint is recorded yet: run `ledger checkpoint`")
        return found[-1]

    # -- verification ---------------------------------------------------------------

    def recomputed_leaves(self) -> Iterator[tuple[int, bytes, str | None]]:
        """(seq, leaf hash, decoding error) of every stored event, from its bytes."""
        for n, event, damage in self._decoded():
            yield n.id, _leaf_of(n, event), damage

    def _decoded(self) -> Iterator[tuple[Any, Any, str | None]]:
        """(stored event, decoded event or None, decoding error) of every one."""
        to_event = self.ledger.app.mapper.to_domain_event
        for n in self.ledger.stored(chunk=VERIFY_CHUNK):
            try:
                event = to_event(n)
            except Exception as error:  # any damage to the stored bytes
                yield n, None, f"{error}"
                continue
            yield n, event, None

    def _recorded_leaves(self) -> Iterator[tuple[int, int, bytes]]:
        e = t.ledger_events.c
        query = select(e.seq, e.leaf_index, e.leaf_hash).order_by(e.leaf_index)
        with self.ledger.engine.connect() as conn:
            for row in conn.execute(query):
                yield row.seq, row.leaf_index, bytes.fromhex(row.leaf_hash)

    @property
    def gapless(self) -> bool:
        """SQLite numbers events 1, 2, 3...; PostgreSQL's sequence may skip numbers."""
        return backend(self.ledger.url) == "sqlite"

    def _catch_up(self) -> str | None:
        """Project what is pending; why it could not, if a stored event is damaged."""
        try:
            self.ledger.project()
        except Exception as error:  # a damaged stored event stops the projection
            return str(error).splitlines()[0]
        return None

    def compare_leaves(self) -> list[Finding]:
        """Recomputed leaves against recorded ones; the first difference, if any."""
        report = Report()
        recorded = self._recorded_leaves()
        previous = 0
        for index, (seq, leaf, damage) in enumerate(self.recomputed_leaves()):
            if damage:
                message = f"event {seq}: the stored event cannot be read ({damage})"
                return [Finding(message, seq)]
            if self.gapless and seq != previous + 1:
                message = f"event {previous + 1} is missing from the stored events"
                return [Finding(message, previous + 1)]
            previous = seq
            _compare_leaf(report, seq, index, leaf, next(recorded, None))
            if report.findings:
                return report.findings
        for extra_seq, _, _ in recorded:
            return [
                Finding(f"event {extra_seq} was recorded but is not stored", extra_seq)
            ]
        return []

    def _walk(
        self, report: Report, tree: merkle.MemoryTree, read_models: ReadModelCheck
    ) -> int:
        """Every stored event: its leaf, its rows; the last sequence number."""
        recorded = self._recorded_leaves()
        previous = last_stored = 0
        damaged: list[Finding] = []
        gapless = self.gapless
        for n, event, damage in self._decoded():
            seq = n.id
            # The projection hashes the event as it projects it: no second hash.
            leaf = read_models.feed(event, seq) if event is not None else None
            leaf = leaf or _leaf_of(n, event)
            tree.append(leaf)
            report.events += 1
            last_stored = seq
            if damage and not damaged:
                message = f"event {seq}: the stored event cannot be read ({damage})"
                damaged.append(Finding(message, seq))
            if report.findings or damage:
                continue
            if gapless and seq != previous + 1:
                message = f"event {previous + 1} is missing from the stored events"
                report.findings.append(Finding(message, previous + 1))
                continue
            previous = seq
            _compare_leaf(report, seq, tree.size - 1, leaf, next(recorded, None))
        for extra_seq, _, _ in recorded:
            if not report.findings:
                report.findings.append(
                    Finding(
                        f"event {extra_seq} was recorded but is not stored", extra_seq
                    )
                )
        # A damaged event is the cause of what follows it: name it first.
        report.findings[:0] = damaged
        return last_stored

    def verify(
        self,
        extra: list[dict[str, Any]] = (),  # type: ignore[assignment]
        public: Ed25519PublicKey | None = None,
    ) -> Report:
        """Recompute every leaf and root from the stored events and check them all.

        The read models are recomputed too, and compared row by row.
        """
        report = Report()
        stuck = self._catch_up()
        tree = merkle.MemoryTree()
        read_models = ReadModelCheck(self.ledger)
        try:
            last_stored = self._walk(report, tree, read_models)
            differs = read_models.finish(tree)
        finally:
            read_models.close()
        if stuck and not report.findings:
            message = f"the read models cannot take in every event: {stuck}"
            report.findings.append(Finding(message))
        # What readers see must be what the events give (a consequence, if the
        # stored events themselves are already found wrong).
        if differs and not report.findings:
            report.findings.append(Finding(*differs))
        # Where events are numbered without gaps and none is missing in between,
        # events a checkpoint covers beyond the store can only be the last ones.
        tail_known = self.gapless and not any(
            "missing from the stored events" in f.message for f in report.findings
        )
        signed = [*self.checkpoints(), *extra]
        ring, chain = self.keyring(public) if signed else (None, [])
        report.findings += [Finding(f"signing keys: {p}") for p in chain]
        for cp in signed:
            report.checkpoints += 1
            report.findings += _checkpoint_findings(
                cp, ring, tree, tail_known, last_stored
            )
        return report

    # -- proofs ---------------------------------------------------------------------

    def prove_statement(self, slug: str) -> dict[str, Any]:
        """Inclusion proofs of the events that recorded and changed a statement."""
        cp = self.latest()
        size = cp["tree_size"]
        e = t.ledger_events.c
        with self.ledger.engine.connect() as conn:
            rows = conn.execute(
                select(e.seq, e.leaf_index, e.leaf_hash, e.event_type)
                .where(e.subject == slug, e.event_type.like("Statement.%"))
                .order_by(e.seq)
            ).all()
        if not rows:
            raise NotFound(f"no statement {slug} is recorded")
        envelopes = self.envelopes([r.seq for r in rows])
        proofs = [
            {**self._inclusion(r, size), "envelope": envelopes.get(r.seq)}
            for r in rows
            if r.leaf_index < size
        ]
        later = [r.seq for r in rows if r.leaf_index >= size]
        return {
            "statement": slug,
            "checkpoint": cp,
            "proofs": proofs,
            "after_checkpoint": later,
        }

    def _inclusion(self, row: Any, size: int) -> dict[str, Any]:
        path = merkle.inclusion_proof(self._lookup, row.leaf_index, size)
        return {
            "seq": row.seq,
            "type": row.event_type,
            "leaf_index": row.leaf_index,
            "leaf_hash": row.leaf_hash,
            "tree_size": size,
            "path": [p.hex() for p in path],
        }

    def prove_since(
        self, old: dict[str, Any], public: Ed25519PublicKey | None = None
    ) -> dict[str, Any]:
        """A consistency proof from an older checkpoint to the latest one."""
        problems = self.keyring(public)[0].problems(old)
        if problems:
            raise IntegrityError(problems[0])
        new = self.latest()
        old_size, new_size = old["tree_size"], new["tree_size"]
        if old_size > new_size:
            raise IntegrityError(
                f"the given checkpoint covers {old_size} events, "
                f"the latest only {new_size}"
            )
        ours = merkle.root(self._lookup, old_size)
        if ours != root_of(old):
            raise IntegrityError(
                f"the ledger's root at tree size {old_size} is {ours.hex()}, "
                f"not the checkpoint's {old['root_hash']}: "
                "the ledger has been rewritten"
            )
        proof = merkle.consistency_proof(self._lookup, old_size, new_size)
        return {"old": old, "new": new, "proof": [p.hex() for p in proof]}

    def envelopes(self, seqs: list[int]) -> dict[int, dict[str, Any]]:
        """The canonical envelopes of stored events, by sequence number."""
        if not seqs:
            return {}
        wanted = set(seqs)
        to_event = self.ledger.app.mapper.to_domain_event
        return {
            n.id: _plain(envelope(to_event(n), n.id))
            for n in self.ledger.stored(min(wanted) - 1, max(wanted), VERIFY_CHUNK)
            if n.id in wanted
        }


def _leaf_of(stored: Any, event: Any) -> bytes:
    """The leaf hash of a decoded event; of the raw bytes, if it cannot be read."""
    if event is None:
        return hashlib.sha256(stored.state).digest()
    return bytes.fromhex(leaf_hash(envelope(event, stored.id)))


def _plain(value: Any) -> Any:
    import json

    return json.loads(canonical_bytes(value))


def _checkpoint_of(row: Any) -> dict[str, Any]:
    return {
        "format": "incident-ledger-checkpoint/1",
        "tree_size": row.tree_size,
        "last_seq": row.last_seq,
        "root_hash": row.root_hash,
        "timestamp": row.timestamp,
        "key_id": row.key_id,
        "signature": row.signature,
    }


def _compare_leaf(report: Report, seq: int, index: int, leaf: bytes, recorded) -> None:
    if recorded is None:
        report.findings.append(
            Finding(f"event {seq} is stored but the ledger never recorded it", seq)
        )
        return
    rec_seq, rec_index, rec_leaf = recorded
    if rec_seq != seq or rec_index != index:
        first = min(seq, rec_seq)
        report.findings.append(
            Finding(
                f"event {first}: the ledger recorded event {rec_seq} at position "
                f"{rec_index}, the store holds event {seq} there",
                first,
            )
        )
    elif rec_leaf != leaf:
        report.findings.append(
            Finding(
                f"event {seq}: its stored content hashes to {leaf.hex()}, but the "
                f"ledger recorded {rec_leaf.hex()}: the stored event was altered",
                seq,
            )
        )


def _checkpoint_findings(
    cp: Any,
    ring: KeyRing,
    tree: merkle.MemoryTree,
    tail_known: bool,
    last_stored: int,
) -> list[Finding]:
    problems = ring.problems(cp)
    if problems:
        return [Finding(f"checkpoint: {p}") for p in problems]
    size = cp["tree_size"]
    if size > tree.size:
        covered = f"the checkpoint covers {size} events but only {tree.size} are stored"
        if tail_known:
            last = f"events {tree.size + 1} to {size}"
            return [Finding(f"{covered}: {last} are missing", tree.size + 1)]
        missing, signed_last = size - tree.size, cp["last_seq"]
        if signed_last - last_stored == missing:
            # The signed last number says exactly which ones: those after the store's.
            last = f"events {last_stored + 1} to {signed_last}"
            return [Finding(f"{covered}: {last} are missing", last_stored + 1)]
        count = "1 is" if missing == 1 else f"{missing} are"
        return [Finding(f"{covered}: {count} missing")]
    if tree.root(size) != root_of(cp):
        return [
            Finding(
                f"the checkpoint at tree size {size} signed root {cp['root_hash']}, "
                f"the stored events give {tree.root(size).hex()}"
            )
        ]
    return []
