"""Checking that what records name exists, in the ledger or in the same input."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from ledger.application.refusals import RecordError
from ledger.domain.text import a_or_an as a

if TYPE_CHECKING:
    from ledger.application.planning import Plan


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
        for _, _, data in plan.actor_checks:
            for ref_kind, _, slug in self._references("actor", data):
                wanted[ref_kind].add(slug)
        cat = plan.catalogue
        self.known = {
            k: set(cat.fingerprints(k, wanted[k])) for k in ("incident", "actor")
        }
        self.claim_incident = cat.claim_incidents(wanted["claim"])
        self._merged: dict[str, str] | None = None
        for slug, (_, record) in plan.new["claim"].items():
            self.claim_incident[slug] = record["incident"]

    @staticmethod
    def _references(kind: str, record: dict[str, Any]):
        if kind == "actor":
            for name in ("affiliation", "same_as"):
                if record.get(name):
                    yield "actor", name, record[name]
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
    ) -> list[RecordError]:
        """Every reference of a record that names nothing, or the wrong thing."""
        found: list[RecordError] = []
        for ref_kind, field_name, ref in self._references(kind, record):
            try:
                if ref_kind == "claim":
                    self._check_claim(line, field_name, ref, record["incident"])
                elif ref_kind == "statement":
                    self._check_statement(line, field_name, ref, slug, record)
                elif field_name == "same_as" and ref == slug:
                    raise RecordError(
                        field_name, "an actor is already one with itself", line
                    )
                elif not self._exists(ref_kind, ref):
                    raise RecordError(
                        field_name, f"no {ref_kind} {ref} is recorded", line
                    )
            except RecordError as error:
                found.append(error)
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
        if field_name == "retracts" and not self._same_speaker(
            target.data["speaker"], record["speaker"]
        ):
            raise RecordError(
                field_name, "a speaker can only retract its own statement", line
            )

    def _same_speaker(self, one: str, other: str) -> bool:
        """The same actor, or two records merged into one (``same_as``)."""
        if one == other:
            return True
        if self._merged is None:
            merged = getattr(self.plan.catalogue, "merged", None)
            self._merged = merged() if merged else {}
        return self._merged.get(one, one) == self._merged.get(other, other)


def retraction_cycles(plan: Plan) -> list[RecordError]:
    """Retractions that, through the statements they retract, retract themselves.

    The ledger holds no cycle, so one needs a new or corrected ``retracts``:
    follow each from the statements the write adds or corrects. A statement
    retracting itself is left to References ("cannot answer itself").
    """
    starts = [(line, slug) for slug, (line, _) in plan.new["statement"].items()]
    starts += [(line, slug) for line, slug, _ in plan.checks]
    found: set[frozenset[str]] = set()
    problems = []
    for line, start in starts:
        path, node = {start: None}, _retracts(plan, start)
        while node is not None and node not in path:
            path[node] = None
            node = _retracts(plan, node)
        if node != start or len(path) == 1 or frozenset(path) in found:
            continue
        found.add(frozenset(path))
        chain = " -> ".join([*path, start])
        problems.append(
            RecordError(
                "retracts",
                f"retractions in a cycle: {chain}; a statement cannot retract "
                "itself, even through others",
                line,
            )
        )
    return problems


def _retracts(plan: Plan, slug: str) -> str | None:
    try:
        return plan._statement(slug, None).data.get("retracts")
    except RecordError:
        return None


def merge_cycles(plan: Plan) -> list[RecordError]:
    """Actors merged (``same_as``) in a ring: a is b, b is a. Followed from each
    actor a correction of this write merges."""
    problems = []
    for line, start, _ in plan.actor_checks:
        path, node = {start: None}, _same_as(plan, start)
        while node is not None and node not in path:
            path[node] = None
            node = _same_as(plan, node)
        if node != start or len(path) == 1:
            continue
        chain = " -> ".join([*path, start])
        problems.append(
            RecordError(
                "value (same_as)",
                f"actors merged in a ring: {chain}; merge them all into one of them",
                line,
            )
        )
    return problems


def _same_as(plan: Plan, slug: str) -> str | None:
    try:
        return plan._record("actor", slug, None).profile.get("same_as")
    except RecordError:
        return None
