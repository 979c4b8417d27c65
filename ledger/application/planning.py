"""Planning a write: turn validated records into new aggregates, or refuse them all.

A plan checks every record before anything is saved: ids seen twice, ids
already recorded with other content, and references to incidents, actors,
claims and statements that exist neither in the ledger nor in the same input.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ledger.application.problems import refusal
from ledger.application.references import References, retraction_cycles
from ledger.application.refusals import (
    RecordConflict,
    RecordError,
    RecordRefused,
    StatementMissing,
    VersionMismatch,
)
from ledger.domain.canonical import fingerprint
from ledger.domain.model import Actor, Claim, Incident, LedgerRuleError, Statement


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


def _body(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in ("type", "id")}


class Plan:
    """The aggregates one write will save, built record by record."""

    def __init__(
        self,
        *,
        catalogue: Catalogue,
        load_statement: Callable[[str], Statement | None],
        validate_statement: Callable[[dict[str, Any]], dict[str, Any]],
        recorded_by: str,
        expected: dict[str, int] | None = None,
    ):
        self.catalogue = catalogue
        # The version each statement must be at (its aggregate's), if given.
        self.expected = expected or {}
        self.loaded: dict[str, int] = {}
        self.load_statement = load_statement
        self.validate_statement = validate_statement
        self.recorded_by = recorded_by
        self.result = ImportResult()
        self.aggregates: dict[str, Any] = {}
        self.new: dict[str, dict[str, tuple[int | None, dict[str, Any]]]] = defaultdict(
            dict
        )
        self.seen: dict[tuple[str, str], tuple[int | None, str]] = {}
        self.statements: dict[str, Statement] = {}
        self.checks: list[tuple[int | None, str, dict[str, Any]]] = []
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
                raise RecordConflict(
                    "id",
                    f"{kind} {slug} is already recorded with different content; "
                    "record a correction instead",
                    line,
                )
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
        statement = Statement(
            slug=slug,
            incident=incident,
            data=body,
            fingerprint=print_,
            recorded_by=self.recorded_by,
        )
        self.statements[slug] = statement
        return statement

    def _statement(self, slug: str, line: int | None) -> Statement:
        statement = self.statements.get(slug)
        if statement is None:
            statement = self.load_statement(slug)
            if statement is None:
                message = f"no statement {slug} is recorded"
                raise StatementMissing("statement", message, line)
            self.loaded[slug] = statement.version
        self.statements[slug] = statement
        self.aggregates[f"statement:{slug}"] = statement
        return statement

    def _add_change(self, line: int | None, record: dict[str, Any]) -> None:
        statement = self._statement(record["statement"], line)
        change_id = record["id"]
        print_ = fingerprint(_body(record))
        if change_id in statement.changes:
            if statement.changes[change_id] not in (
                print_,
                self._normal(statement, record),
            ):
                raise RecordConflict(
                    "id",
                    f"change {change_id} is already recorded with different content",
                    line,
                )
            self.result.unchanged[record["type"]] += 1
            return
        self._check_version(statement.slug, line)
        try:
            self._apply_change(line, statement, record, print_)
        except LedgerRuleError as error:
            raise RecordRefused(record["type"], str(error), line) from None
        self.result.new[record["type"]] += 1

    def _check_version(self, slug: str, line: int | None) -> None:
        """A change written against a version the statement has left is refused.

        A change already recorded (the same write repeated) is checked before,
        so repeating it stays a no-op.
        """
        wanted = self.expected.get(slug)
        found = self.loaded.get(slug)
        if wanted is not None and found is not None and wanted != found:
            raise VersionMismatch(
                "expected_version",
                f"statement {slug} is at version {found}, not {wanted}: "
                "it changed in the meantime",
                line,
            )

    def _normal(self, statement: Statement, record: dict[str, Any]) -> str | None:
        """A correction's fingerprint with its value as the ledger holds it.

        That is the fingerprint a correction is recorded with (an export writes
        the value so); one recorded by an earlier version kept the value's
        fingerprint as given. Other changes: None.
        """
        if record["type"] != "correction":
            return None
        try:
            value = self._corrected(statement, record).get(record["field"])
        except RecordError:
            return None
        return fingerprint({**_body(record), "value": value})

    def _corrected(self, statement: Statement, record: dict[str, Any]):
        proposed = {**statement.data, record["field"]: record.get("value")}
        proposed = {k: v for k, v in proposed.items() if v is not None}
        return self.validate_statement(proposed)

    def _apply_change(self, line, statement: Statement, record, print_) -> None:
        common = {
            "change_id": record["id"],
            "fingerprint": print_,
            "recorded_by": self.recorded_by,
        }
        if record["type"] == "withdrawal":
            statement.withdraw(reason=record["reason"], **common)
            return
        if record["type"] == "grade":
            statement.grade(
                reliability=record.get("reliability"),
                credibility=record.get("credibility"),
                reason=record.get("reason", ""),
                **common,
            )
            return
        name = record["field"]
        try:
            corrected = self._corrected(statement, record)
        except RecordError as error:
            raise RecordError(f"value ({error.field})", error.message, line) from None
        value = corrected.get(name)
        common["fingerprint"] = fingerprint({**_body(record), "value": value})
        statement.correct(field=name, value=value, reason=record["reason"], **common)
        self.checks.append(
            (line, statement.slug, {**corrected, "incident": statement.incident})
        )

    def _check_references(self) -> None:
        refs = References(self)
        for kind in ("actor", "claim", "statement"):
            for slug, (line, record) in self.new[kind].items():
                self.problems += refs.problems(kind, line, slug, record)
        for line, slug, data in self.checks:
            self.problems += refs.problems("statement", line, slug, data)
        self.problems += retraction_cycles(self)
