"""Exports of the ledger: import lines (lossless), CSV for spreadsheets, W3C PROV.

Every format reads through the service's queries (``LedgerService``) at one
moment, and returns the bytes to write; the command line and the HTTP API write
them where they are asked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ledger.domain.text import json_safe
from ledger.errors import LocatedError

if TYPE_CHECKING:
    from ledger.application.service import LedgerService

FORMATS = ("jsonl", "csv", "prov-json", "prov-n", "prov-o")

MEDIA_TYPES = {
    "jsonl": "application/x-ndjson",
    "csv": "text/csv",
    "prov-json": "application/json",
    "prov-n": "text/provenance-notation",
    "prov-o": "text/turtle",
}

SUFFIXES = {
    "jsonl": "jsonl",
    "csv": "csv",
    "prov-json": "prov.json",
    "prov-n": "provn",
    "prov-o": "ttl",
}


@dataclass
class Dossier:
    """What the CSV and PROV exports show of each incident: its state, its
    statements (corrections applied), its ledger events, and every actor."""

    incidents: list[dict[str, Any]] = field(default_factory=list)
    states: dict[str, dict[str, Any]] = field(default_factory=dict)
    statements: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    actors: dict[str, dict[str, Any]] = field(default_factory=dict)


def dossier(
    service: LedgerService, incident: str | None, known_at: str | None
) -> Dossier:
    """The incident's (or every incident's) dossier, as the ledger held it then."""
    known = service.known(known_at)
    found = Dossier(actors={a["id"]: a for a in service.actors(known)})
    if incident is not None:
        slugs = [incident]
    else:
        slugs = [i["id"] for i in service.incidents(known)]
    for slug in slugs:
        state = service.state(slug, None, known)  # type: ignore[arg-type]
        found.incidents.append(state["incident"])
        found.states[slug] = state
        found.statements[slug] = service.statements(incident=slug, known_at=known)
        found.events[slug] = service.history(slug, None, known)["events"]  # type: ignore[arg-type]
    return found


def export_bytes(
    service: LedgerService,
    fmt: str,
    incident: str | None = None,
    known_at: str | None = None,
) -> bytes:
    """The export of the ledger (or one incident) in ``fmt``, as bytes."""
    if fmt not in FORMATS:
        raise LocatedError(
            "format", f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}"
        )
    if fmt == "jsonl":
        lines = service.export_lines(incident, known_at)
        text = "".join(
            json_safe(json.dumps(line, ensure_ascii=False)) + "\n" for line in lines
        )
        return text.encode("utf-8")
    found = dossier(service, incident, known_at)
    # Imported when asked: prov and rdflib take a while to load, and every
    # command imports this module.
    if fmt == "csv":
        from ledger.exports.table import csv_text

        return csv_text(found).encode("utf-8")
    from ledger.exports.prov import prov_text

    return prov_text(found, fmt).encode("utf-8")
