"""Planning a write: turn validated records into new aggregates, or refuse them all.

A plan checks every record before anything is saved: ids seen twice, ids
already recorded with other content, and references to incidents, actors,
claims and statements that exist neither in the ledger nor in the same input.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ledger.application.changes import ChangePlanning, _body, _held
from ledger.application.problems import refusal
from ledger.application.references import (
    References,
    merge_cycles,
    retraction_cycles,
)
from ledger.application.refusals import (
    RecordConflict,
    RecordError,
    StatementMissing,
)
from ledger.domain.canonical import fingerprint
from ledger.domain.model import (
    Actor,
    Claim,
    Incident,
    Statement,
)


class Catalogue(Protocol):
    """What the ledger already holds, looked up in bulk by slug."""

    def fingerprints(self, kind: str, slugs: Iterable[str]) -> dict[str, str]:
        """Fingerprints of the recorded incidents, actors, claims or statements."""

    def claim_incidents(self, slugs: Iterable[str]) -> dict[str, str]:
        """The incident of each recorded claim."""


ENTITY_KINDS = ("incident", "actor", "claim", "statement")
CHANGE_KINDS = ("correction", "withdrawal", "grade")


@dataclass
class ImportResult:
    """What a write recorded, and what it found already recorded."""

    new: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    @property
    def recorded(self) -> int:
        """How many records became new events."""
        return sum(self.new.values())


class Plan(ChangePlanning):
    """The aggregates one write will save, built record by record."""

    def __init__(
        self,
        *,
        catalogue: Catalogue,
        load: Callable[[str, str], Any],
        validate: Callable[[str, dict[str, Any]], dict[str, Any]],
        recorded_by: str,
        expected: dict[str, int] | None = None,
    ):
        self.catalogue = catalogue
        # The version each record ("kind:slug") must be at, if given.
        self.expected = expected or {}
        self.loaded: dict[str, int] = {}
        self.load = load
        self.validate = validate
        self.recorded_by = recorded_by
        self.result = ImportResult()
        self.aggregates: dict[str, Any] = {}
        self.new: dict[str, dict[str, tuple[int | None, dict[str, Any]]]] = defaultdict(
            dict
        )
        self.seen: dict[tuple[str, str], tuple[int | None, str]] = {}
        # Statements and actors as corrections leave them: their references.
        self.checks: list[tuple[int | None, str, dict[str, Any]]] = []
        self.actor_checks: list[tuple[int | None, str, dict[str, Any]]] = []
        self.problems: list[RecordError] = []

    def add_all(self, records: list[tuple[int | None, dict[str, Any]]]) -> ImportResult:
        """Plan every record, then check every reference; a lone fault is raised as
        itself, several as one Refused listing them all.

        Incidents, actors, claims and statements are planned first, then the
        corrections, withdrawals and grades in their order: a change may come
        before its statement in the same input.
        """
        known = self._prefetch(records)
        for line, record in records:
            if record["type"] in ENTITY_KINDS:
                self._guarded(self._add_entity, line, record, known)
        for line, record in records:
            if record["type"] not in ENTITY_KINDS:
                self._guarded(self._add_change, line, record)
        self._check_references()
        if self.problems:
            raise refusal(self.problems)
        return self.result

    def _guarded(self, step: Callable[..., None], line, *args: Any) -> None:
        try:
            step(line, *args)
        except RecordError as error:
            self.problems.append(error)

    def _prefetch(self, records) -> dict[str, dict[str, str]]:
        ids: dict[str, set[str]] = defaultdict(set)
        for _, record in records:
            if record["type"] in ENTITY_KINDS:
                ids[record["type"]].add(record["id"])
        return {
            kind: self.catalogue.fingerprints(kind, ids[kind]) for kind in ENTITY_KINDS
        }

    def _add_entity(self, line, record, known) -> None:
        kind, slug = record["type"], record["id"]
        print_ = fingerprint(_body(record))
        earlier = self.seen.get((kind, slug))
        if earlier is not None:
            if earlier[1] != print_:
                where = f"line {earlier[0]}" if earlier[0] else "this input"
                raise RecordConflict(
                    "id", f"{kind} {slug} is given twice, differently ({where})", line
                )
            return
        self.seen[(kind, slug)] = (line, print_)
        recorded = known[kind].get(slug)
        if recorded is not None:
            if recorded != print_:
                self._differs(kind, slug, _body(record), line)
            self.result.unchanged[kind] += 1
            return
        self.new[kind][slug] = (line, record)
        self.aggregates[f"{kind}:{slug}"] = self._create(kind, slug, record, print_)
        self.result.new[kind] += 1

    def _create(self, kind: str, slug: str, record: dict[str, Any], print_: str):
        body = _body(record)
        if kind == "incident":
            return Incident(
                slug=slug,
                profile=body,
                fingerprint=print_,
                recorded_by=self.recorded_by,
            )
        if kind == "actor":
            return Actor(
                slug=slug,
                profile=body,
                fingerprint=print_,
                recorded_by=self.recorded_by,
            )
        if kind == "claim":
            incident = body.pop("incident")
            return Claim(
                slug=slug,
                incident=incident,
                profile=body,
                fingerprint=print_,
                recorded_by=self.recorded_by,
            )
        incident = body.pop("incident")
        return Statement(
            slug=slug,
            incident=incident,
            data=body,
            fingerprint=print_,
            recorded_by=self.recorded_by,
        )

    def _differs(self, kind: str, slug: str, body: dict[str, Any], line) -> None:
        """An id recorded with other content: the same as the record now reads
        (its corrections applied) is no change; else the fields that differ, and
        the correction that would change them, are named."""
        now = self._record(kind, slug, line)
        held = (
            {"incident": now.incident, **now.data}
            if kind == "statement"
            else _held(now)
        )
        if kind != "statement" and held == body:
            return
        fields = sorted(
            k for k in held.keys() | body.keys() if held.get(k) != body.get(k)
        )
        example = {
            "type": "correction",
            "id": "…",
            kind: slug,
            "field": fields[0] if fields else "…",
            "value": body.get(fields[0]) if fields else "…",
            "reason": "…",
        }
        raise RecordConflict(
            "id",
            f"{kind} {slug} is already recorded with different content "
            f"({', '.join(fields)}); to change it, record a correction with a "
            "reason, as "
            f"{json.dumps(example, ensure_ascii=False)}",
            line,
        )

    def _record(self, kind: str, slug: str, line: int | None) -> Any:
        """The aggregate of a record, from this write or the ledger."""
        key = f"{kind}:{slug}"
        found = self.aggregates.get(key)
        if found is None:
            found = self.load(kind, slug)
            if found is None:
                message = f"no {kind} {slug} is recorded"
                raise StatementMissing(kind, message, line)
            self.loaded[key] = found.version
            self.aggregates[key] = found
        return found

    def _statement(self, slug: str, line: int | None) -> Statement:
        return self._record("statement", slug, line)

    def _check_references(self) -> None:
        refs = References(self)
        for kind in ("actor", "claim", "statement"):
            for slug, (line, record) in self.new[kind].items():
                self.problems += refs.problems(kind, line, slug, record)
        for line, slug, data in self.checks:
            self.problems += refs.problems("statement", line, slug, data)
        for line, slug, data in self.actor_checks:
            self.problems += refs.problems("actor", line, slug, data)
        self.problems += retraction_cycles(self)
        self.problems += merge_cycles(self)
