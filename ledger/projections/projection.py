"""The projection that fills the read models from the ledger's events.

It only inserts rows: every event carries what its rows need, so projecting
needs no reads, and a rebuild from the events alone equals the incremental result.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from ledger.domain.canonical import leaf_hash
from ledger.domain.model import Actor, Claim, Incident, Statement
from ledger.projections import tables as t
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
        "recorded_by": event.recorded_by,
        "payload": payload,
    }


def display_name(profile: dict[str, Any]) -> str:
    """How an actor is shown: its name, or 'anonymous: description'."""
    if profile.get("name"):
        return profile["name"]
    return f"anonymous: {profile.get('description', '')}"


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
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


class LedgerProjection(Projection[ReadModelView]):
    """Inserts read-model rows for each ledger event."""

    name = "ledger_read_model"

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """Events of no interest only move the tracked position."""
        self.view.insert_tracking(tracking)

    def _audit(self, event: Any, tracking: Tracking, **row: Any) -> None:
        seq = tracking.notification_id
        self.view.add(
            t.ledger_events,
            {
                "seq": seq,
                "stream_id": str(event.originator_id),
                "version": event.originator_version,
                "event_type": type(event).__qualname__,
                "recorded_at": self._when(event),
                "recorded_by": event.recorded_by,
                "leaf_hash": leaf_hash(envelope(event, seq)),
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
            "recorded_by": event.recorded_by,
        }

    @process_event.register
    def _(self, event: Incident.Opened, tracking: Tracking) -> None:
        p = event.profile
        self.view.add(
            t.incidents,
            {"slug": event.slug, "fingerprint": event.fingerprint, "profile": p}
            | self._recorded(event, tracking),
        )
        summary = f"incident {event.slug} opened: {_short(p['title'])}"
        self._audit(
            event,
            tracking,
            incident=event.slug,
            subject=event.slug,
            summary=summary,
            detail={"profile": p},
        )

    @process_event.register
    def _(self, event: Actor.Registered, tracking: Tracking) -> None:
        p = event.profile
        name = display_name(p)
        self.view.add(
            t.actors,
            {
                "slug": event.slug,
                "fingerprint": event.fingerprint,
                "display_name": name,
                "profile": p,
            }
            | self._recorded(event, tracking),
        )
        keys = {n.casefold() for n in [p.get("name"), *p.get("aliases", [])] if n}
        for key in sorted(keys):
            self.view.add(t.actor_names, {"name_key": key, "actor": event.slug})
        summary = f"actor {event.slug} registered: {_short(name)} ({p['kind']})"
        self._audit(
            event,
            tracking,
            incident=None,
            subject=event.slug,
            summary=summary,
            detail={"profile": p},
        )

    @process_event.register
    def _(self, event: Claim.Defined, tracking: Tracking) -> None:
        p = event.profile
        self.view.add(
            t.claims,
            {
                "slug": event.slug,
                "incident": event.incident,
                "fingerprint": event.fingerprint,
                "profile": p,
            }
            | self._recorded(event, tracking),
        )
        summary = f"claim {event.slug} defined: {_short(p['proposition'])}"
        self._audit(
            event,
            tracking,
            incident=event.incident,
            subject=event.slug,
            summary=summary,
            detail={"profile": p},
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
        summary = (
            f"statement {event.slug} recorded: {d['kind']} by {d['speaker']}, "
            f"stated {d['stated_at']}; {_stances(d)}"
        ).rstrip("; ")
        # The statement's data is in the statements table; the audit row links to it.
        self._audit(
            event,
            tracking,
            incident=event.incident,
            subject=event.slug,
            summary=summary,
            detail={},
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
                "recorded_by": event.recorded_by,
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
        summary = (
            f"statement {event.statement} corrected: {event.field} "
            f"{_short(event.previous, 30)} -> {_short(event.value, 30)} "
            f"({_short(event.reason, 50)})"
        )
        self._change(event, tracking, "correction", data, summary)

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
