"""From the command line's options to the service's arguments, and back.

The service (ledger/application/service.py) builds, resolves and checks the
records; these only parse what the command line's syntax adds: CLAIM=STANCE,
RELATION:AGENT, JSON values, a JSON object on stdin.
"""

from __future__ import annotations

import sys
from typing import Any

from ledger.application.service import WriteResult
from ledger.cli import render
from ledger.cli.common import emit
from ledger.schemas.lines import InputError, loads
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
    data = loads(text, "(stdin)")
    if not isinstance(data, dict):
        raise InputError("(stdin)", "give one JSON object")
    return data


def statement_from_flags(flags: dict[str, Any]) -> dict[str, Any]:
    """The statement the flags give; the service resolves the actors they name."""
    claims = _stances(flags["claims"])
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


# What --value looks like for the fields that take JSON.
_JSON_EXAMPLES = {
    "claims": """'[{"claim": "claim-id", "stance": "denies"}]' (or claim-id=denies)""",
    "attribution": """'{"actors": ["actor-id", "other-id"], "mode": "either"}'""",
    "demand": """'{"addressee": "actor-id", "action": "what is asked"}'""",
    "provenance": """'[{"relation": "told", "agent": "actor-id"}]'""",
    "aliases": """'["GNA", "the unity government"]'""",
}


def profile_value(field: str, text: str) -> Any:
    """``--value`` for a field of an incident, actor or claim: text; JSON for
    an actor's aliases; true or false for ``anonymous``."""
    if field == "anonymous" and text.strip().lower() in ("true", "false"):
        return text.strip().lower() == "true"
    if field != "aliases":
        return text
    return correction_value(field, text)


def correction_value(field: str, text: str) -> Any:
    """``--value`` as the service takes it: text, JSON, or for claims
    ``CLAIM[=STANCE],...``."""
    if field not in _JSON_EXAMPLES or not text.strip():
        return text
    if field == "claims" and text.strip()[0] not in "[{":
        return _stances(text.split(","))
    try:
        value = loads(text, "value")
    except InputError as error:
        key = "" if error.field == "value" else f"{error.field!r}: "
        raise InputError(
            "value",
            f"{field} takes JSON ({key}{error.message}), "
            f"e.g. --value {_JSON_EXAMPLES[field]}",
        ) from None
    if field == "claims" and isinstance(value, list):
        # '["claim-id"]' is read as the claim ids it lists.
        return [_stances([v])[0] if isinstance(v, str) else v for v in value]
    return value


def _stances(items: list[str]) -> list[dict[str, str]]:
    """``CLAIM[=STANCE]`` items as the claims of a statement."""
    stances = []
    for item in items:
        claim, _, stance = item.partition("=")
        stances.append(
            {"claim": claim.strip(), **({"stance": stance.strip()} if stance else {})}
        )
    return stances
