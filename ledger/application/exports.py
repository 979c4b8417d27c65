"""The service's exports: the audit history written back as import lines, and what
the other export formats (CSV, W3C PROV) are made of.

Every export reads through the service's own queries (history, state,
statements), at one moment (``known_at``), so an export says what ``ledger
history`` and ``ledger state`` say.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ledger.application.references import References
from ledger.errors import BadInput
from ledger.projections.queries import KnownAt

PAGE = 5000

# Ledger events that are not about incidents, actors, claims or statements.
_NOT_EXPORTED = ("Account.",)


class CannotExport(BadInput):
    """The ledger holds an event that the export cannot yet write as a line."""


def _incident(event: dict[str, Any]) -> dict[str, Any]:
    return {"type": "incident", "id": event["subject"], **event["detail"]["profile"]}


def _actor(event: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actor", "id": event["subject"], **event["detail"]["profile"]}


def _claim(event: dict[str, Any]) -> dict[str, Any]:
    profile = event["detail"]["profile"]
    return {"type": "claim", "id": event["subject"], "incident": event["incident"]} | (
        profile
    )


def _statement(event: dict[str, Any]) -> dict[str, Any]:
    data = event["detail"]["data"]
    head = {"type": "statement", "id": event["subject"], "incident": event["incident"]}
    return head | data


def _change(event: dict[str, Any]) -> dict[str, Any]:
    detail = event["detail"]
    line = {
        "type": detail["change"],
        "id": detail["change_id"],
        "statement": event["subject"],
    }
    if detail["change"] == "correction":
        # The value as the ledger holds it; null removes the field.
        line |= {"field": detail["field"], "value": detail["after"]}
    for name in ("reliability", "credibility", "reason"):
        if detail.get(name) not in (None, ""):
            line[name] = detail[name]
    return line


def _profile_change(event: dict[str, Any]) -> dict[str, Any]:
    detail = event["detail"]
    return {
        "type": "correction",
        "id": detail["change_id"],
        event["type"].split(".")[0].lower(): event["subject"],
        "field": detail["field"],
        "value": detail["after"],
        "reason": detail["reason"],
    }


# Each event type the history holds, and the import line that records it again.
LINE_OF = {
    "Incident.Opened": _incident,
    "Actor.Registered": _actor,
    "Claim.Defined": _claim,
    "Statement.Recorded": _statement,
    "Statement.Corrected": _change,
    "Statement.Withdrawn": _change,
    "Statement.Graded": _change,
    "Incident.Corrected": _profile_change,
    "Actor.Corrected": _profile_change,
    "Claim.Corrected": _profile_change,
}


def line_of(event: dict[str, Any]) -> dict[str, Any] | None:
    """The import line that records a history event again (None: not exported)."""
    kind = event["type"]
    if kind.startswith(_NOT_EXPORTED):
        return None
    make = LINE_OF.get(kind)
    if make is None:
        raise CannotExport(
            f"the ledger holds {kind} events (seq {event['seq']}), which this "
            "version cannot export as import lines"
        )
    return make(event)


def actors_named(line: dict[str, Any]) -> set[str]:
    """The actors an import line names (its affiliation, speaker, agents...)."""
    if line["type"] == "correction":
        kind = "actor" if line.get("actor") else "statement"
        data = {"incident": "", "speaker": "", line["field"]: line.get("value")}
        found = References._references(kind, data)
        if kind == "actor":
            return {line["actor"]} | {slug for _, _, slug in found if slug}
        return {slug for kind, _, slug in found if kind == "actor" and slug}
    if line["type"] not in ("actor", "statement"):
        return set()
    found = References._references(line["type"], line)
    return {slug for kind, _, slug in found if kind == "actor"}


class Exports:
    """Exports of one ledger: its history as import lines, and what other formats
    are made of."""

    def _events(self, incident: str | None, known: KnownAt, event_type=None):
        after = None
        while True:
            page = self.history(  # type: ignore[attr-defined]
                incident,
                None,
                known,
                event_type=event_type,
                after_seq=after,
                limit=PAGE,
            )
            yield from page["events"]
            after = page["next_after_seq"]
            if after is None:
                return

    def export_lines(
        self, incident: str | None = None, known_at: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Import lines that record the ledger (or one incident) again, in ledger
        order: importing them into an empty ledger gives the same records.

        An incident's export carries the actors its statements name (and the
        actors those belong to), so that it imports on its own.
        """
        known = self.known(known_at)  # type: ignore[attr-defined]
        if incident is None:
            for event in self._events(None, known):
                line = line_of(event)
                if line is not None:
                    yield line
            return
        self.read.incident(incident, known)  # type: ignore[attr-defined]
        lines = [line_of(e) for e in self._events(incident, known)]
        wanted: set[str] = set()
        for line in lines:
            if line is not None:
                wanted |= actors_named(line)
        yield from self._actors(wanted, known)
        yield from (line for line in lines if line is not None)

    def _actors(self, wanted: set[str], known: KnownAt) -> list[dict[str, Any]]:
        """The actors wanted and those they belong to or were merged into, with
        their corrections, in ledger order."""
        events = [
            *self._events(None, known, "Actor.Registered"),
            *self._events(None, known, "Actor.Corrected"),
        ]
        events.sort(key=lambda e: e["seq"])
        lines = [line_of(e) for e in events]
        named: dict[str, set[str]] = {}
        for line in lines:
            assert line is not None
            slug = line.get("actor") or line["id"]
            named.setdefault(slug, set()).update(actors_named(line) - {slug})
        todo = list(wanted)
        while todo:
            for other in named.get(todo.pop(), ()):
                if other not in wanted:
                    wanted.add(other)
                    todo.append(other)
        return [
            line
            for line in lines
            if line is not None and (line.get("actor") or line["id"]) in wanted
        ]
