"""The CSV export: one row per statement and stance, for spreadsheets.

The columns are described in docs/export.md. A statement that takes no stance
(a demand, a retraction) has one row with the claim columns blank.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ledger.exports import Dossier

COLUMNS = (
    "incident",
    "statement",
    "version",
    "kind",
    "speaker",
    "speaker_name",
    "stated_at",
    "claim",
    "proposition",
    "stance",
    "claim_status",
    "quote",
    "paraphrase",
    "hedging",
    "attribution_mode",
    "attribution",
    "demand_addressee",
    "demand_action",
    "responds_to",
    "retracts",
    "chain",
    "documents",
    "withdrawn",
    "reliability",
    "credibility",
    "note",
    "other",
    "recorded_at",
    "recorded_by",
)

# Statement fields that have columns of their own; any other goes to "other".
_SHOWN = {
    "id", "incident", "seq", "version", "kind", "speaker", "speaker_name",
    "stated_at", "claims", "quote", "paraphrase", "hedging", "attribution",
    "demand", "responds_to", "retracts", "provenance", "withdrawn", "grades",
    "note",
}  # fmt: skip

# A spreadsheet reads a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    """A value as a cell: text that a spreadsheet would run as a formula gets a
    leading apostrophe (OWASP's advice for CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = value.isoformat() if isinstance(value, datetime) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _chain(data: dict[str, Any]) -> str:
    hops = [data["speaker"]]
    for hop in data.get("provenance") or []:
        hops.append(f"{hop['relation']} {hop['agent']}")
    return " > ".join(hops)


def _documents(data: dict[str, Any]) -> str:
    found = []
    for hop in data.get("provenance") or []:
        document = hop.get("document")
        if document:
            found.append(
                document.get("url")
                or document.get("title")
                or document.get("content_hash")
                or json.dumps(document, ensure_ascii=False, sort_keys=True)
            )
    return " ; ".join(found)


def _base(statement: dict[str, Any], recorded: dict[str, Any]) -> dict[str, Any]:
    attribution = statement.get("attribution") or {}
    demand = statement.get("demand") or {}
    grade = (statement.get("grades") or [{}])[-1]
    other = {k: v for k, v in statement.items() if k not in _SHOWN}
    return {
        "incident": statement["incident"],
        "statement": statement["id"],
        "version": statement.get("version"),
        "kind": statement["kind"],
        "speaker": statement["speaker"],
        "speaker_name": statement.get("speaker_name"),
        "stated_at": statement["stated_at"],
        "quote": statement.get("quote"),
        "paraphrase": statement.get("paraphrase"),
        "hedging": statement.get("hedging"),
        "attribution_mode": attribution.get("mode"),
        "attribution": " ; ".join(attribution.get("actors") or []),
        "demand_addressee": demand.get("addressee"),
        "demand_action": demand.get("action"),
        "responds_to": statement.get("responds_to"),
        "retracts": statement.get("retracts"),
        "chain": _chain(statement),
        "documents": _documents(statement),
        "withdrawn": bool(statement.get("withdrawn")),
        "reliability": grade.get("reliability"),
        "credibility": grade.get("credibility"),
        "note": statement.get("note"),
        "other": json.dumps(other, ensure_ascii=False, sort_keys=True) if other else "",
        "recorded_at": recorded.get("recorded_at"),
        "recorded_by": recorded.get("recorded_by"),
    }


def rows(found: Dossier) -> list[dict[str, Any]]:
    """One row per statement and stance, incident by incident, in ledger order."""
    out = []
    for incident in found.incidents:
        slug = incident["id"]
        claims = {c["id"]: c for c in found.states[slug]["claims"]}
        recorded = {
            e["subject"]: e
            for e in found.events[slug]
            if e["type"] == "Statement.Recorded"
        }
        for statement in found.statements[slug]:
            base = _base(statement, recorded.get(statement["id"], {}))
            stances = statement.get("claims") or [{}]
            for stance in stances:
                claim = claims.get(stance.get("claim"), {})
                out.append(
                    base
                    | {
                        "claim": stance.get("claim"),
                        "proposition": claim.get("proposition"),
                        "stance": stance.get("stance"),
                        "claim_status": claim.get("status"),
                    }
                )
    return out


def csv_text(found: Dossier) -> str:
    """The CSV text: a header row, then the rows (RFC 4180, CRLF line ends)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows(found):
        writer.writerow({name: cell(row.get(name)) for name in COLUMNS})
    return buffer.getvalue()
