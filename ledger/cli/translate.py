"""From the command line's options to the service's arguments, and back.

The service (ledger/application/service.py) builds, resolves and checks the
records; these only parse what the command line's syntax adds: CLAIM=STANCE,
RELATION:AGENT, JSON values, a JSON object on stdin.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from ledger.application.service import WriteResult
from ledger.cli import render
from ledger.cli.common import emit
from ledger.schemas.lines import InputError
from ledger.schemas.outputs import ImportOutput


def report(source: str, result: WriteResult, as_json: bool) -> None:
    """What a write recorded, as a summary or JSON."""
    data = {
        "source": source,
        "recorded": result.recorded,
        "new": result.new,
        "unchanged": result.unchanged,
        "ids": result.ids,
        "known_at_seq": result.known_at_seq,
    }
    emit(data, ImportOutput, as_json, render.write_summary)


def stdin_object() -> dict[str, Any]:
    """The one JSON object on stdin (``ledger record`` without flags)."""
    try:
        text = sys.stdin.buffer.read().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError("(stdin)", f"not UTF-8 text ({error.reason})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            "(stdin)", f"not valid JSON: {error.msg} at line {error.lineno}"
        ) from None
    if not isinstance(data, dict):
        raise InputError("(stdin)", "give one JSON object")
    return data


def statement_from_flags(flags: dict[str, Any]) -> dict[str, Any]:
    """The statement the flags give; the service resolves the actors they name."""
    claims = []
    for item in flags["claims"]:
        claim, _, stance = item.partition("=")
        claims.append({"claim": claim, **({"stance": stance} if stance else {})})
    hops = []
    for i, item in enumerate(flags["hops"]):
        relation, sep, agent = item.partition(":")
        if not sep:
            raise InputError(
                f"provenance.{i}", "write a hop as RELATION:AGENT, e.g. told:reuters"
            )
        hops.append({"relation": relation, "agent": agent or None})
    data: dict[str, Any] = {
        "id": flags["slug"],
        "incident": flags["incident"],
        "speaker": flags["speaker"],
        "kind": flags["kind"],
        "stated_at": flags["stated_at"],
        "claims": claims,
        "quote": flags["quote"],
        "paraphrase": flags["paraphrase"],
        "hedging": flags["hedging"],
        "responds_to": flags["responds_to"],
        "retracts": flags["retracts"],
        "provenance": hops,
        "note": flags["note"],
    }
    if flags["attributed"]:
        data["attribution"] = {
            "actors": list(flags["attributed"]),
            "mode": flags["attribution_mode"] or "sole",
        }
    if flags["demand_of"] or flags["demand_action"]:
        data["demand"] = {
            "addressee": flags["demand_of"],
            "action": flags["demand_action"],
        }
    return {k: v for k, v in data.items() if v not in (None, [], "")}


def correction_value(field: str, text: str) -> Any:
    """``--value`` as the service takes it: JSON for lists and objects."""
    if field in ("claims", "attribution", "demand", "provenance"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError("value", f"{field} takes JSON: {error.msg}") from None
    return text
