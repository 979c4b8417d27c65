"""What must survive an export and an import: a snapshot of a ledger to compare.

Sequence numbers, hashes, recording times and recorders belong to the ledger
that recorded, not to the records: they are left out. History summaries are
compared per record, in ledger order: one import is one write, so events of
different records may interleave differently.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select

from ledger.application.service import LedgerService
from ledger.projections import tables as t

_LEDGER_ONLY = {"seq", "recorded_at", "recorded_by", "hash", "known_at_seq"}
_TABLES = {
    "incident": t.incidents,
    "actor": t.actors,
    "claim": t.claims,
    "statement": t.statements,
}


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in _LEDGER_ONLY}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def snapshot(url: str, incidents: list[str] | None = None) -> dict[str, Any]:
    """States, history summaries, provenance and fingerprints of a ledger (or of
    some of its incidents)."""
    with LedgerService.open(url) as service:
        service.catch_up()
        chosen = incidents or [i["id"] for i in service.incidents()]
        found: dict[str, Any] = {"states": {}, "summaries": defaultdict(list)}
        slugs: list[str] = []
        for incident in chosen:
            found["states"][incident] = _strip(service.state(incident))
            for event in service.history(incident)["events"]:
                found["summaries"][event["subject"]].append(event["summary"])
            slugs += [c["id"] for c in service.claims(incident)]
            slugs += [s["id"] for s in service.statements(incident=incident)]
        found["provenance"] = {s: _strip(service.provenance(s)) for s in slugs}
        found["fingerprints"] = _fingerprints(service, chosen)
        found["changes"] = {
            s: service.ledger.app.find_statement(s).changes
            for s in slugs
            if service.ledger.app.find_statement(s) is not None
        }
        found["records"] = _records(service, chosen)
    found["summaries"] = dict(found["summaries"])
    return found


def _fingerprints(service: LedgerService, incidents: list[str]) -> dict[str, Any]:
    """Every record fingerprint of the incidents, and of the actors they name."""
    found = {}
    with service.ledger.engine.connect() as conn:
        for kind, table in _TABLES.items():
            stmt = select(table.c.slug, table.c.fingerprint)
            if kind == "incident":
                stmt = stmt.where(table.c.slug.in_(incidents))
            elif kind != "actor":
                stmt = stmt.where(table.c.incident.in_(incidents))
            found[kind] = dict(conn.execute(stmt).all())
    return found


def _records(service: LedgerService, incidents: list[str]) -> dict[str, Any]:
    """The incidents, their claims and every actor as they now read, with their
    corrections (profile, change fingerprints, version)."""
    found = {}
    for kind in _TABLES:
        if kind == "statement":
            continue
        aggregates = {
            slug: service.ledger.app.find(kind, slug)
            for slug in _slugs(service, _TABLES[kind], kind, incidents)
        }
        found[kind] = {
            slug: (a.profile, a.changes, a.version) for slug, a in aggregates.items()
        }
    found["actors"] = _strip(service.actors())
    return found


def _slugs(service: LedgerService, table: Any, kind: str, incidents) -> list[str]:
    stmt = select(table.c.slug)
    if kind == "incident":
        stmt = stmt.where(table.c.slug.in_(incidents))
    elif kind == "claim":
        stmt = stmt.where(table.c.incident.in_(incidents))
    with service.ledger.engine.connect() as conn:
        return [r.slug for r in conn.execute(stmt)]
