"""The projection that fills the read models from the ledger's events.

It only inserts rows: every event carries what its rows need, so projecting
needs no reads, and a rebuild from the events alone equals the incremental result.
"""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from ledger.domain.accounts import Account
from ledger.domain.canonical import leaf_hash
from ledger.domain.model import Actor, Claim, Incident, Profiled, Statement
from ledger.domain.profiles import NAME_FIELDS, name_keys
from ledger.domain.profiles import display_name as display_name
from ledger.integrity.merkle import new_perfect_nodes
from ledger.projections import tables as t
from ledger.projections.accounts import account_rows
from ledger.projections.search import entries
from ledger.projections.view import ReadModelView

_ENVELOPE_SKIP = {"originator_id", "originator_version", "timestamp", "recorded_by"}


def envelope(event: Any, seq: int) -> dict[str, Any]:
    """The event as hashed: sequence, stream, version, type, when, who and payload."""
    payload = {k: v for k, v in event.__dict__.items() if k not in _ENVELOPE_SKIP}
    return {
        "seq": seq,
        "stream_id": str(event.originator_id),
        "version": event.originator_version,
        "type": type(event).__qualname__,
        "recorded_at": event.timestamp.astimezone(UTC).isoformat(),
        "recorded_by": getattr(event, "recorded_by", ""),
        "payload": payload,
    }


def _superseding(field: str, value: Any, previous: Any) -> dict[str, Any]:
    """The searchable values a correction gives: a shorter list also blanks the
    items it no longer has (a blank entry supersedes the old one in search)."""
    if isinstance(previous, list):
        items = value if isinstance(value, list) else []
        return {field: items + [""] * (len(previous) - len(items))}
    return {field: value}


def _stances(data: dict[str, Any]) -> str:
    parts = [f"{c['stance']} {c['claim']}" for c in data.get("claims") or []]
    if data.get("demand"):
        parts.append(
            f"demands of {data['demand']['addressee']}: {data['demand']['action']}"
        )
    for name in ("responds_to", "retracts"):
        if data.get(name):
            parts.append(f"{name.replace('_', ' ')} {data[name]}")
    return "; ".join(parts)


def _short(value: Any, width: int = 60) -> str:
    if value is None:
        text = "(none)"
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 1] + "…"


class _Frontier:
    """The right edge of the Merkle tree: what appending the next leaf needs."""

    def __init__(self, size: int, last: dict[int, tuple[int, bytes]]):
        self.size = size
        self.last = last

    def left(self, level: int, index: int) -> bytes:
        """The completed node left of a new one: always the last at its level."""
        found_index, digest = self.last[level]
        assert found_index == index, (level, index, found_index)
        return digest

    def append(self, leaf: bytes) -> tuple[int, list[tuple[int, int, bytes]]]:
        """Append a leaf; its index and the perfect nodes it completes."""
        index = self.size
        nodes = new_perfect_nodes(index, leaf, self.left)
        for level, idx, digest in nodes:
            self.last[level] = (idx, digest)
        self.size += 1
        return index, nodes


class LedgerProjection(Projection[ReadModelView]):
    """Inserts read-model rows, and the Merkle tree's nodes, for each ledger event."""

    name = "ledger_read_model"

    def __init__(self, view: ReadModelView):
        super().__init__(view)
        self._tree: _Frontier | None = None

    def resume(self) -> None:
        """Reload the tree's right edge from the read model (start of every batch)."""
        self._tree = _Frontier(*self.view.merkle_frontier())

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """An event of a type this version does not know is still audited and hashed."""
        name = type(domain_event).__qualname__
        self._audit(
            domain_event,
            tracking,
            incident=None,
            subject=str(domain_event.originator_id),
            summary=f"{name} of stream {domain_event.originator_id}",
            detail={},
        )

    def _audit(self, event: Any, tracking: Tracking, **row: Any) -> None:
        seq = tracking.notification_id
        leaf = leaf_hash(envelope(event, seq))
        assert self._tree is not None, "resume() before projecting"
        index, nodes = self._tree.append(bytes.fromhex(leaf))
        for level, idx, digest in nodes:
            self.view.add(
                t.merkle_nodes, {"level": level, "idx": idx, "hash": digest.hex()}
            )
        self.view.add(
            t.ledger_events,
            {
                "seq": seq,
                "stream_id": str(event.originator_id),
                "version": event.originator_version,
                "event_type": type(event).__qualname__,
                "recorded_at": self._when(event),
                "recorded_by": getattr(event, "recorded_by", ""),
                "leaf_hash": leaf,
                "leaf_index": index,
                **row,
            },
        )
        self.view.insert_tracking(tracking)

    @staticmethod
    def _when(event: Any):
        return event.timestamp.astimezone(UTC).replace(tzinfo=None)

    def _recorded(self, event: Any, tracking: Tracking) -> dict[str, Any]:
        return {
            "seq": tracking.notification_id,
            "recorded_at": self._when(event),
            "recorded_by": getattr(event, "recorded_by", ""),
        }

    def _searchable(
        self,
        kind: str,
        subject: str,
        incident: str | None,
        values: dict[str, Any],
        tracking: Tracking,
        event: Any,
    ) -> None:
        recorded = self._recorded(event, tracking)
        for row in entries(kind, subject, incident, values, recorded):
            self.view.add(t.search_entries, row)

    def _entity(
        self,
        table: Any,
        event: Any,
        tracking: Tracking,
        of_incident: str | None,
        summary: str,
        **columns: Any,
    ) -> None:
        """The row of an incident, actor or claim, its search rows and audit row."""
        row = {"slug": event.slug, "fingerprint": event.fingerprint, **columns}
        self.view.add(table, row | {"profile": event.profile})
        kind = table.name.rstrip("s")
        incident = event.slug if kind == "incident" else columns.get("incident")
        self._searchable(kind, event.slug, incident, event.profile, tracking, event)
        self._audit(
            event,
            tracking,
            incident=of_incident,
            subject=event.slug,
            summary=summary,
            detail={"profile": event.profile},
        )

    @process_event.register
    def _(self, event: Incident.Opened, tracking: Tracking) -> None:
        title = _short(event.profile["title"])
        summary = f"incident {event.slug} opened: {title}"
        self._entity(
            t.incidents,
            event,
            tracking,
            event.slug,
            summary,
            **self._recorded(event, tracking),
        )

    @process_event.register
    def _(self, event: Actor.Registered, tracking: Tracking) -> None:
        p = event.profile
        name = display_name(p)
        summary = f"actor {event.slug} registered: {_short(name)} ({p['kind']})"
        self._entity(
            t.actors,
            event,
            tracking,
            None,
            summary,
            display_name=name,
            **self._recorded(event, tracking),
        )
        self._names(event.slug, p, tracking)

    def _names(self, actor: str, values: dict[str, Any], tracking: Tracking) -> None:
        for key in name_keys(values):
            row = {"seq": tracking.notification_id, "name_key": key, "actor": actor}
            self.view.add(t.actor_names, row)

    @process_event.register
    def _(self, event: Claim.Defined, tracking: Tracking) -> None:
        proposition = _short(event.profile["proposition"])
        summary = f"claim {event.slug} defined: {proposition}"
        self._entity(
            t.claims,
            event,
            tracking,
            event.incident,
            summary,
            incident=event.incident,
            **self._recorded(event, tracking),
        )

    @process_event.register
    def _(self, event: Statement.Recorded, tracking: Tracking) -> None:
        d = event.data
        self.view.add(
            t.statements,
            {
                "slug": event.slug,
                "incident": event.incident,
                "fingerprint": event.fingerprint,
                "data": d,
            }
            | self._recorded(event, tracking),
        )
        self._searchable("statement", event.slug, event.incident, d, tracking, event)
        summary = (
            f"statement {event.slug} recorded: {d['kind']} by {d['speaker']}, "
            f"stated {d['stated_at']}; {_stances(d)}"
        ).rstrip("; ")
        self._audit(
            event,
            tracking,
            incident=event.incident,
            subject=event.slug,
            summary=summary,
            detail={"data": d},
        )

    def _change(
        self,
        event: Any,
        tracking: Tracking,
        change: str,
        data: dict[str, Any],
        summary: str,
    ) -> None:
        self.view.add(
            t.statement_changes,
            {
                "seq": tracking.notification_id,
                "statement": event.statement,
                "incident": event.incident,
                "change_id": event.change_id,
                "change": change,
                "data": data,
                "recorded_at": self._when(event),
                "recorded_by": getattr(event, "recorded_by", ""),
            },
        )
        detail = {"change": change, "change_id": event.change_id, **data}
        self._audit(
            event,
            tracking,
            incident=event.incident,
            subject=event.statement,
            summary=summary,
            detail=detail,
        )

    @process_event.register
    def _(self, event: Statement.Corrected, tracking: Tracking) -> None:
        data = {
            "field": event.field,
            "before": event.previous,
            "after": event.value,
            "reason": event.reason,
        }
        self._searchable(
            "statement",
            event.statement,
            event.incident,
            _superseding(event.field, event.value, event.previous),
            tracking,
            event,
        )
        summary = (
            f"statement {event.statement} corrected: {event.field} "
            f"{_short(event.previous, 30)} -> {_short(event.value, 30)} "
            f"({_short(event.reason, 50)})"
        )
        self._change(event, tracking, "correction", data, summary)

    @process_event.register
    def _(self, event: Profiled.Corrected, tracking: Tracking) -> None:
        kind = type(event).__qualname__.split(".")[0].lower()
        data = {
            "field": event.field,
            "before": event.previous,
            "after": event.value,
            "reason": event.reason,
        }
        self.view.add(
            t.record_changes,
            {
                "kind": kind,
                "subject": event.subject,
                "incident": event.incident,
                "change_id": event.change_id,
                "data": data,
            }
            | self._recorded(event, tracking),
        )
        values = _superseding(event.field, event.value, event.previous)
        self._searchable(kind, event.subject, event.incident, values, tracking, event)
        if kind == "actor" and event.field in NAME_FIELDS:
            self._names(event.subject, {event.field: event.value}, tracking)
        self._audit(
            event,
            tracking,
            incident=event.incident,
            subject=event.subject,
            summary=_correction_summary(kind, event),
            detail={"change": "correction", "change_id": event.change_id, **data},
        )

    @process_event.register
    def _(self, event: Statement.Withdrawn, tracking: Tracking) -> None:
        summary = f"statement {event.statement} withdrawn: {_short(event.reason, 70)}"
        self._change(event, tracking, "withdrawal", {"reason": event.reason}, summary)

    @process_event.register
    def _(self, event: Statement.Graded, tracking: Tracking) -> None:
        grade = f"{event.reliability or '-'}{event.credibility or '-'}"
        data = {
            "reliability": event.reliability,
            "credibility": event.credibility,
            "reason": event.reason,
        }
        summary = f"statement {event.statement} graded {grade}"
        self._change(event, tracking, "grade", data, summary)

    @process_event.register
    def _(self, event: Account.Event, tracking: Tracking) -> None:
        rows, summary, detail = account_rows(
            event, tracking.notification_id, self._when(event)
        )
        for table, row in rows:
            self.view.add(table, row)
        subject = f"account:{event.name}"
        self._audit(
            event,
            tracking,
            incident=None,
            subject=subject,
            summary=summary,
            detail=detail,
        )


def _correction_summary(kind: str, event: Any) -> str:
    reason = _short(event.reason, 50)
    if event.field == "same_as" and event.value:
        return f"{kind} {event.subject} merged into {event.value} ({reason})"
    if event.field == "same_as":
        return f"{kind} {event.subject} no longer one with {event.previous} ({reason})"
    return (
        f"{kind} {event.subject} corrected: {event.field} "
        f"{_short(event.previous, 30)} -> {_short(event.value, 30)} ({reason})"
    )
