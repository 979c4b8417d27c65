"""Benchmark: `ledger verify` beside plain SHA-256 over the same bytes, checkpoint
creation and `prove STATEMENT`.

    python bench/bench_verify.py [--events 100000] [--repeats 5]

A ledger of at least --events synthetic events is imported into a SQLite file in a
temporary directory (configured as the ledger configures it: WAL,
synchronous=FULL), with its signing key beside it, and checkpointed. Then, in the
same run on the same machine:

- verify: ``Integrity(ledger).verify()``, which reads every stored event, decodes
  it, rebuilds its canonical envelope, hashes it, rebuilds the Merkle tree in
  memory and checks every leaf and every checkpoint, and projects it in memory
  to compare every read-model row with the database;
- decode: reading, decoding and canonicalising the same events without hashing
  (the bytes collected here are the input of the next figure);
- sha256: ``hashlib.sha256(b"\\x00" + data)`` over exactly those canonical bytes,
  the floor of any verification that hashes every event;
- checkpoint: ``Integrity.checkpoint()`` (median of --repeats);
- prove: ``Integrity.prove_statement()`` of a statement recorded mid-ledger
  (median of --repeats).

Figures go to stdout; nothing is asserted.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from ledger.bootstrap import Ledger, init
from ledger.cli.reading import read_records
from ledger.domain.canonical import canonical_bytes
from ledger.integrity import merkle
from ledger.integrity.service import Integrity, ensure_key
from ledger.projections.projection import envelope
from ledger.synthetic import generate

INCIDENTS = 20
CHUNK = 5_000


def synthetic_lines(events: int) -> tuple[list[str], int]:
    """At least ``events`` import lines (one event each), and how many statements."""
    statements = max(1, events * 100 // 105)
    while True:
        lines = list(generate(statements, incidents=INCIDENTS))
        if len(lines) >= events:
            return lines, statements
        statements += max(1, (events - len(lines)) * 100 // 105)


def build_ledger(directory: Path, events: int) -> tuple[str, dict[str, float]]:
    """Import a synthetic ledger with its signing key; its URL and build figures."""
    lines, statements = synthetic_lines(events)
    source = directory / "generated.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    url = f"sqlite:///{directory}/verify.db"
    init(url)
    ensure_key(url)
    started = time.perf_counter()
    with Ledger(url) as ledger:
        ledger.write(read_records(str(source)), "bench")
        stored = ledger.app.max_sequence()
    return url, {
        "events": stored,
        "statements": statements,
        "import_s": time.perf_counter() - started,
    }


def canonical_envelopes(ledger: Ledger) -> tuple[list[bytes], float]:
    """The canonical envelope bytes of every stored event, and the seconds taken."""
    to_event = ledger.app.mapper.to_domain_event
    started = time.perf_counter()
    found = [
        canonical_bytes(envelope(to_event(n), n.id)) for n in ledger.stored(chunk=CHUNK)
    ]
    return found, time.perf_counter() - started


def sha256_seconds(data: list[bytes]) -> float:
    """Seconds to compute the RFC 9162 leaf hash of every item, nothing else."""
    sha256 = hashlib.sha256
    started = time.perf_counter()
    for item in data:
        sha256(b"\x00" + item).digest()
    return time.perf_counter() - started


def median_seconds(action, repeats: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    """Median seconds of ``action()`` over ``repeats`` runs, and its last result."""
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def proofs_verify(proof: dict) -> bool:
    """Whether every inclusion proof of a `prove` answer leads to its signed root."""
    root = bytes.fromhex(proof["checkpoint"]["root_hash"])
    return all(
        merkle.verify_inclusion(
            bytes.fromhex(p["leaf_hash"]),
            p["leaf_index"],
            p["tree_size"],
            [bytes.fromhex(h) for h in p["path"]],
            root,
        )
        for p in proof["proofs"]
    )


def main() -> None:
    """Build the ledger, run every measurement, print the figures and ratios."""
    parser = argparse.ArgumentParser(
        description=" ".join(__doc__.split("\n\n")[0].split())
    )
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ledger-bench-") as tmp:
        url, built = build_ledger(Path(tmp), args.events)
        with Ledger(url) as ledger:
            integrity = Integrity(ledger)
            checkpoint_s, checkpoint = median_seconds(
                lambda: integrity.checkpoint("bench"), args.repeats
            )
            started = time.perf_counter()
            report = integrity.verify()
            verify_s = time.perf_counter() - started
            data, decode_s = canonical_envelopes(ledger)
            hash_s = sha256_seconds(data)
            slug = f"st-{built['statements'] // 2:07d}"
            prove_s, proof = median_seconds(
                lambda: integrity.prove_statement(slug), args.repeats
            )
    n = len(data)
    verify_rate, hash_rate, decode_rate = n / verify_s, n / hash_s, n / decode_s
    figures = {
        "python": sys.version.split()[0],
        "events": built["events"],
        "statements": built["statements"],
        "canonical_bytes_per_event": round(sum(map(len, data)) / n, 1),
        "import_s": round(built["import_s"], 2),
        "verify": {
            "seconds": round(verify_s, 3),
            "events_per_s": round(verify_rate),
            "ok": report.ok,
            "findings": len(report.findings),
            "checkpoints_checked": report.checkpoints,
        },
        "read_decode_canonicalise": {
            "seconds": round(decode_s, 3),
            "events_per_s": round(decode_rate),
        },
        "plain_sha256": {"seconds": round(hash_s, 4), "events_per_s": round(hash_rate)},
        "verify_to_sha256_ratio": round(verify_rate / hash_rate, 4),
        "checkpoint": {
            "median_s": round(checkpoint_s, 4),
            "tree_size": checkpoint["tree_size"],  # type: ignore[index]
            "runs": args.repeats,
        },
        "prove_statement": {
            "statement": slug,
            "median_s": round(prove_s, 4),
            "events_proven": len(proof["proofs"]),  # type: ignore[index]
            "path_length": len(proof["proofs"][0]["path"]) if proof["proofs"] else 0,  # type: ignore[index]
            "proofs_verify": proofs_verify(proof),  # type: ignore[arg-type]
            "runs": args.repeats,
        },
    }
    print(json.dumps(figures, indent=2))
    print(
        f"\nverify: {verify_rate:,.0f} events/s over {n:,} events; plain SHA-256 of "
        f"the same canonical bytes: {hash_rate:,.0f} events/s; ratio "
        f"{verify_rate / hash_rate:.4f} (1 in {hash_rate / verify_rate:,.0f}); "
        f"checkpoint {checkpoint_s * 1000:.1f} ms; prove {slug} "
        f"{prove_s * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
