"""``ledger demo``: build a throwaway ledger from an example file and walk through it.

What to show comes from the example's sidecar ``NAME.demo.json`` (incident,
as-of dates, claim, and a correction to record after the import); without one,
the first incident and its first attributed claim are shown. Nothing here knows
any particular incident. The walk ends with the integrity checks an auditor
would run, through the same code as ``checkpoint``, ``verify``, ``audit-bundle``
and ``verify-bundle``.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ledger.bootstrap import Ledger, init
from ledger.cli import render
from ledger.cli.reading import read_records
from ledger.domain.dates import PartialDate
from ledger.errors import BadInput
from ledger.integrity.bundle import make_bundle, verify_bundle
from ledger.integrity.keys import load_public, public_path
from ledger.integrity.service import Integrity, ensure_key
from ledger.projections.queries import KnownAt
from ledger.resources import demo_example
from ledger.schemas.inputs import CorrectionInput
from ledger.schemas.lines import load_with

console = render.console
RECORDER = "ledger-demo"
FAILED = 3


class NotEmpty(BadInput):
    """The demo was pointed at a ledger that already holds events."""


def _plan(
    example: Path, records: list[tuple[int | None, dict[str, Any]]]
) -> dict[str, Any]:
    sidecar = example.with_name(example.name.removesuffix(".jsonl") + ".demo.json")
    plan: dict[str, Any] = json.loads(sidecar.read_text()) if sidecar.exists() else {}
    incidents = [r for _, r in records if r["type"] == "incident"]
    plan.setdefault("incident", incidents[0]["id"])
    plan.setdefault("as_of", [])
    return plan


def _attributed_claim(state: dict[str, Any]) -> str | None:
    for claim in state["claims"]:
        if any(a.get("attribution") for a in claim["assessments"]):
            return claim["id"]
    return state["claims"][0]["id"] if state["claims"] else None


def run_demo(db: str | None, example: Path | None = None) -> None:
    """Load ``example`` into a new ledger; show state, replays, history, provenance.

    Without ``db`` the ledger is a throwaway file, deleted at the end (its path
    is never shown); with ``db`` it is the user's, and stays.
    """
    started = time.perf_counter()
    example = example or demo_example()
    with tempfile.TemporaryDirectory(prefix="ledger-demo-") as tmp:
        url = db or f"sqlite:///{tmp}/demo.db"
        # A throwaway ledger gets a throwaway key, whatever LEDGER_KEY_PATH says.
        key = None if db else str(Path(tmp) / "demo.db.key")
        init(url)
        records = read_records(str(example))
        with Ledger(url) as ledger:
            if ledger.app.max_sequence():
                raise NotEmpty(
                    f"the demo needs an empty ledger, and {url} holds events"
                )
            result = ledger.write(records, RECORDER)
            plan = _plan(example, records)
            where = url if db else "a throwaway ledger (deleted when the demo ends)"
            # The rule would cut a long database URL to the terminal's width.
            console.rule("Import")
            console.print(f"Imported {example.name} into {where}", soft_wrap=True)
            render.write_summary(
                {
                    "source": example.name,
                    "recorded": result.recorded,
                    "new": dict(result.new),
                    "unchanged": dict(result.unchanged),
                }
            )
            if plan.get("correction"):
                _correct(ledger, plan["correction"])
            incident = plan["incident"]
            current = ledger.read.state(incident)
            console.rule("1. The current state")
            render.state(current)
            for n, date in enumerate(plan["as_of"], 2):
                console.rule(f"{n}. Replay: what had been stated as of {date}")
                render.state(
                    ledger.read.state(incident, PartialDate.parse(date)), compact=True
                )
            step = len(plan["as_of"]) + 2
            console.rule(f"{step}. The audit history")
            render.history(ledger.read.history(incident))
            claim = plan.get("claim") or _attributed_claim(current)
            if claim:
                step += 1
                console.rule(f"{step}. Provenance of claim {claim}")
                render.provenance(ledger.read.provenance(claim))
            console.rule(
                f"{step + 1}. Integrity: checkpoint, verify, audit bundle, "
                "verify-bundle"
            )
            _integrity_walk(ledger, incident, key, shown=bool(db))
    gone = "" if db else "; the throwaway ledger is deleted"
    console.rule(f"demo finished in {time.perf_counter() - started:.1f}s{gone}")


def _correct(ledger: Ledger, correction: dict[str, Any]) -> None:
    """Record the sidecar's correction, saying what it changes, who and why."""
    record = load_with(CorrectionInput, {"type": "correction", **correction})
    ledger.write([(None, record)], RECORDER)
    seq = ledger.app.max_sequence()
    statement = ledger.read.provenance(record["statement"])["statement"]
    change = statement["corrections"][-1]
    console.rule("A correction, recorded after the import")
    console.print(
        f"{change['recorded_by']} corrects statement {statement['id']} (event {seq}):"
    )
    console.print(f"  field: {change['field']}")
    console.print(f"  was: {_shown(change['before'])}")
    console.print(f"  now: {_shown(change['after'])}")
    console.print(f"  why: {change['reason']}")
    console.print(
        "Nothing recorded is changed: the correction is a new event, shown in the "
        "audit history and the provenance below."
    )


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _integrity_walk(
    ledger: Ledger, incident: str, key: str | None, shown: bool
) -> None:
    """Sign a checkpoint, verify the ledger, make an audit bundle and check it."""
    key_file, created = ensure_key(ledger.url, key)
    if shown:
        state = "created" if created else "kept"
        console.print(f"signing key {state} at {key_file}")
    integrity = Integrity(ledger, key)
    checkpoint = integrity.checkpoint(RECORDER)
    console.print(
        f"checkpoint: tree size {checkpoint['tree_size']}, root "
        f"{checkpoint['root_hash'][:16]}…, signed with key {checkpoint['key_id'][:16]}"
    )
    report = integrity.verify()
    if not report.ok:
        _fail([f.message for f in report.findings])
    console.print(
        f"verify: {report.events} stored events and {report.checkpoints} "
        f"checkpoint{'' if report.checkpoints == 1 else 's'} recomputed: "
        "all as recorded and signed"
    )
    bundle = make_bundle(integrity, incident, None, KnownAt.parse(None), RECORDER)
    console.print(
        f"audit-bundle {incident}: the state, {len(bundle['events'])} events with "
        "inclusion proofs, the checkpoint"
    )
    # What an auditor receives: the bundle as JSON, and the public key alone.
    received = json.loads(json.dumps(bundle, ensure_ascii=False))
    problems = verify_bundle(received, load_public(public_path(integrity.key_file)))
    if problems:
        _fail(problems)
    console.print(
        "verify-bundle: with the public key alone, the signature, every proof and "
        "the state check out"
    )


def _fail(messages: list[str]) -> None:
    for message in messages:
        print(f"FAILED: {message}", file=sys.stderr)
    sys.exit(FAILED)
