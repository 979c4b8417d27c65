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

from ledger.application.problems import Problem, RecordError, Refused
from ledger.domain.canonical import fingerprint
from ledger.domain.model import Actor, Claim, Incident, LedgerRuleError, Statement


def a(word: str) -> str:
    """``a report``, ``an assessment``."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


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
    ):
        self.catalogue = catalogue
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
        self.problems: list[Problem] = []

    def add_all(self, records: list[tuple[int | None, dict[str, Any]]]) -> ImportResult:
        """Plan every record, then check every reference; Refused lists every fault.

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
            raise Refused(sorted(self.problems, key=lambda p: p[0] or 0))
        return self.result

    def _guarded(self, step: Callable[..., None], line, *args: Any) -> None:
        try:
            step(line, *args)
        except RecordError as error:
            self.problems.append((error.line, error.field, error.message))

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
                raise RecordError(
                    "id", f"{kind} {slug} is given twice, differently ({where})", line
                )
            return
        self.seen[(kind, slug)] = (line, print_)
        recorded = known[kind].get(slug)
        if recorded is not None:
            if recorded != print_:
                raise RecordError(
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
        statement = self.statements.get(slug) or self.load_statement(slug)
        if statement is None:
            raise RecordError("statement", f"no statement {slug} is recorded", line)
        self.statements[slug] = statement
        self.aggregates[f"statement:{slug}"] = statement
        return statement

    def _add_change(self, line: int | None, record: dict[str, Any]) -> None:
        statement = self._statement(record["statement"], line)
        change_id = record["id"]
        print_ = fingerprint(_body(record))
        if change_id in statement.changes:
            if statement.changes[change_id] != print_:
                raise RecordError(
                    "id",
                    f"change {change_id} is already recorded with different content",
                    line,
                )
            self.result.unchanged[record["type"]] += 1
            return
        try:
            self._apply_change(line, statement, record, print_)
        except LedgerRuleError as error:
            raise RecordError(record["type"], str(error), line) from None
        self.result.new[record["type"]] += 1

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
        proposed = {**statement.data, name: record.get("value")}
        proposed = {k: v for k, v in proposed.items() if v is not None}
        try:
            corrected = self.validate_statement(proposed)
        except RecordError as error:
            raise RecordError(f"value ({error.field})", error.message, line) from None
        statement.correct(
            field=name, value=corrected.get(name), reason=record["reason"], **common
        )
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


class References:
    """Checks that what records name exists, in the ledger or in the same input."""

    def __init__(self, plan: Plan):
        self.plan = plan
        wanted: dict[str, set[str]] = defaultdict(set)
        for kind in ("actor", "claim", "statement"):
            for _, record in plan.new[kind].values():
                for ref_kind, _, slug in self._references(kind, record):
                    wanted[ref_kind].add(slug)
        for _, _, data in plan.checks:
            for ref_kind, _, slug in self._references("statement", data):
                wanted[ref_kind].add(slug)
        cat = plan.catalogue
        self.known = {
            k: set(cat.fingerprints(k, wanted[k])) for k in ("incident", "actor")
        }
        self.claim_incident = cat.claim_incidents(wanted["claim"])
        for slug, (_, record) in plan.new["claim"].items():
            self.claim_incident[slug] = record["incident"]

    @staticmethod
    def _references(kind: str, record: dict[str, Any]):
        if kind == "actor":
            if record.get("affiliation"):
                yield "actor", "affiliation", record["affiliation"]
            return
        yield "incident", "incident", record["incident"]
        if kind == "claim":
            return
        yield "actor", "speaker", record["speaker"]
        for i, item in enumerate(record.get("claims") or []):
            yield "claim", f"claims.{i}.claim", item["claim"]
        for i, actor in enumerate((record.get("attribution") or {}).get("actors", [])):
            yield "actor", f"attribution.actors.{i}", actor
        if record.get("demand"):
            yield "actor", "demand.addressee", record["demand"]["addressee"]
        for i, hop in enumerate(record.get("provenance") or []):
            yield "actor", f"provenance.{i}.agent", hop["agent"]
            if (hop.get("document") or {}).get("outlet"):
                yield (
                    "actor",
                    f"provenance.{i}.document.outlet",
                    hop["document"]["outlet"],
                )
        for name in ("responds_to", "retracts"):
            if record.get(name):
                yield "statement", name, record[name]

    def _exists(self, kind: str, slug: str) -> bool:
        return slug in self.plan.new[kind] or slug in self.known[kind]

    def problems(
        self, kind: str, line: int | None, slug: str, record: dict[str, Any]
    ) -> list[Problem]:
        """Every reference of a record that names nothing, or the wrong thing."""
        found: list[Problem] = []
        for ref_kind, field_name, ref in self._references(kind, record):
            try:
                if ref_kind == "claim":
                    self._check_claim(line, field_name, ref, record["incident"])
                elif ref_kind == "statement":
                    self._check_statement(line, field_name, ref, slug, record)
                elif not self._exists(ref_kind, ref):
                    raise RecordError(
                        field_name, f"no {ref_kind} {ref} is recorded", line
                    )
            except RecordError as error:
                found.append((error.line, error.field, error.message))
        return found

    def _check_claim(self, line, field_name: str, ref: str, incident: str) -> None:
        owner = self.claim_incident.get(ref)
        if owner is None:
            raise RecordError(field_name, f"no claim {ref} is recorded", line)
        if owner != incident:
            raise RecordError(
                field_name, f"claim {ref} belongs to incident {owner}", line
            )

    def _check_statement(
        self, line, field_name: str, ref: str, slug: str, record
    ) -> None:
        if ref == slug:
            raise RecordError(field_name, "a statement cannot answer itself", line)
        try:
            target = self.plan._statement(ref, line)
        except RecordError as error:
            raise RecordError(field_name, error.message, line) from None
        if target.incident != record["incident"]:
            raise RecordError(
                field_name, f"statement {ref} is about another incident", line
            )
        if field_name == "responds_to" and target.data["kind"] != "demand":
            raise RecordError(
                field_name,
                f"statement {ref} is not a demand but {a(target.data['kind'])}",
                line,
            )
        if field_name == "retracts" and target.data["speaker"] != record["speaker"]:
            raise RecordError(
                field_name, "a speaker can only retract its own statement", line
            )
