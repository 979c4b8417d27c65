"""``ledger demo``: build a throwaway ledger from an example file and walk through it.

What to show comes from the example's sidecar ``NAME.demo.json`` (incident,
as-of dates, claim, and a correction to record after the import); without one,
the first incident and its first attributed claim are shown. Nothing here knows
any particular incident.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

from ledger.bootstrap import Ledger, init
from ledger.cli import render
from ledger.cli.reading import read_records
from ledger.domain.dates import PartialDate
from ledger.errors import BadInput
from ledger.schemas.inputs import CorrectionInput
from ledger.schemas.lines import load_with

console = render.console


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


def run_demo(db: str | None, example: Path) -> None:
    """Load ``example`` into a new ledger; show state, replays, history, provenance."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ledger-demo-") as tmp:
        url = db or f"sqlite:///{tmp}/demo.db"
        init(url)
        records = read_records(str(example))
        with Ledger(url) as ledger:
            if ledger.app.max_sequence():
                raise NotEmpty(
                    f"the demo needs an empty ledger, and {url} holds events"
                )
            result = ledger.write(records, "ledger-demo")
            plan = _plan(example, records)
            if plan.get("correction"):
                correction = {"type": "correction", **plan["correction"]}
                ledger.write(
                    [(None, load_with(CorrectionInput, correction))], "ledger-demo"
                )
            incident = plan["incident"]
            console.rule(f"Imported {example.name} into {url}")
            render.write_summary(
                {
                    "source": example.name,
                    "recorded": result.recorded,
                    "new": dict(result.new),
                    "unchanged": dict(result.unchanged),
                }
            )
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
                console.rule(f"{step + 1}. Provenance of claim {claim}")
                render.provenance(ledger.read.provenance(claim))
    console.rule(f"demo finished in {time.perf_counter() - started:.1f}s")
