"""The ledger's commands and queries, one definition for every door (CLI, HTTP).

Writes take ``recorded_by`` explicitly: the command line passes its
``--recorded-by``, the server the authenticated account. Each write is all or
nothing, projected before it returns, and says what was new and what was
already recorded (the same record twice is a no-op, not an error).

Reads never write. They answer from the read models, at the position the
read models stood at when the query began, and say so in ``known_at_seq``.
If the read models are behind the event store (a writer stopped before it
projected), reads answer from what is projected; the worker (``ledger project
--follow``) or the next write catches up. The command line, which the operator
runs on the database directly, catches up first (``catch_up``); the server
does not.

One service is shared by the threads of a process: it holds the engines and
the application; every call keeps its own state, and projection batches are
serialised by the ledger (``Ledger._projecting``).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ledger.application.audits import Audits
from ledger.application.exports import Exports
from ledger.application.reads import Reads
from ledger.bootstrap import Ledger
from ledger.errors import BadInput, LocatedError, Problem
from ledger.schemas.inputs import (
    CorrectionInput,
    GradeInput,
    StatementInput,
    WithdrawalInput,
    corrected_kind,
)
from ledger.schemas.lines import InputError, load_with, parse_line, validate

Records = list[tuple[int | None, dict[str, Any]]]

# Corrected fields that name an actor, which may be given by name or alias.
_ACTOR_FIELDS = {
    ("statement", "speaker"),
    ("actor", "affiliation"),
    ("actor", "same_as"),
}


def new_id(prefix: str) -> str:
    """A new record id: ``st-``, ``cx-``, ``wd-`` or ``gr-`` and 12 hex digits."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@dataclass
class WriteResult:
    """What a write recorded, what it found already recorded, and where it left
    the ledger (the read models' position after projecting it)."""

    new: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    ids: list[str] = field(default_factory=list)
    known_at_seq: int = 0

    @property
    def recorded(self) -> int:
        """How many records became new events (0: everything was already there)."""
        return sum(self.new.values())


class LedgerService(Reads, Audits, Exports):
    """Record, correct, withdraw, grade and import; query state, history, lists;
    export."""

    def __init__(self, ledger: Ledger, key: str | None = None):
        self.ledger = ledger
        self.read = ledger.read
        self.key = key

    @classmethod
    def open(cls, url: str, key: str | None = None) -> LedgerService:
        """The service of the ledger at ``url`` (``key``: its signing key's path)."""
        return cls(Ledger(url), key)

    def close(self) -> None:
        """Release the database connections."""
        self.ledger.close()

    def __enter__(self) -> LedgerService:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- writes -------------------------------------------------------------------

    def write(
        self,
        records: Records,
        recorded_by: str,
        progress: Callable[[int], None] | None = None,
        expected: dict[str, int] | None = None,
    ) -> WriteResult:
        """Record validated records (an import) all at once, or none of them."""
        result = self.ledger.write(records, recorded_by, progress, expected)
        return WriteResult(
            new=dict(result.new),
            unchanged=dict(result.unchanged),
            known_at_seq=self.position(),
        )

    def import_lines(
        self, lines: Iterable[str | dict[str, Any]], recorded_by: str
    ) -> WriteResult:
        """Record import lines (JSON texts, or objects already parsed), numbered
        from 1, all or nothing; blank lines are skipped, as ``ledger import`` does.

        Every bad line is reported (``BadInput.problems``); the message is the
        first one's, as ``ledger import`` prints it.
        """
        records: Records = []
        problems: list[Problem] = []
        for number, item in enumerate(lines, 1):
            text = item if isinstance(item, str) else json.dumps(item)
            if not text.strip():
                continue
            try:
                records.append((number, parse_line(text, number)))
            except LocatedError as error:
                problems += error.problems
        if problems:
            first = problems[0]
            raise BadInput(
                f"line {first.line}: {first.field}: {first.message}", problems
            )
        if not records:
            raise InputError("(body)", "no records: the input is empty")
        return self.write(records, recorded_by)

    def _write_one(
        self, record: dict[str, Any], recorded_by: str, expected: int | None = None
    ) -> WriteResult:
        versions = None
        if expected is not None:
            kind = corrected_kind(record) if record["type"] == "correction" else None
            kind = kind or "statement"
            versions = {f"{kind}:{record[kind]}": expected}
        result = self.write([(None, record)], recorded_by, expected=versions)
        result.ids = [record["id"]]
        return result

    def record_statement(self, data: dict[str, Any], recorded_by: str) -> WriteResult:
        """Record one statement from the fields of ``StatementInput``.

        Without an ``id`` it gets a new ``st-…`` one; the speaker and every
        actor it names may be given by id, name or alias.
        """
        data = {**data, "type": "statement"}
        data.setdefault("id", new_id("st"))
        record = load_with(StatementInput, self._resolve_actors(data))
        return self._write_one(record, recorded_by)

    def correct(
        self,
        subject: str,
        field_name: str,
        value: Any,
        reason: str,
        recorded_by: str,
        *,
        kind: str = "statement",
        change_id: str | None = None,
        expected_version: int | None = None,
    ) -> WriteResult:
        """Correct one field of a statement (or of an incident, actor or claim:
        ``kind``); a new speaker, affiliation or ``same_as`` by id, name or alias."""
        if isinstance(value, str) and value and (kind, field_name) in _ACTOR_FIELDS:
            value = self.resolve_actor(value, field_name)
        data = {
            "type": "correction",
            "id": change_id or new_id("cx"),
            kind: subject,
            "field": field_name,
            "value": value,
            "reason": reason,
        }
        record, problems = validate(CorrectionInput, data)
        if problems:  # every one, as an import line's would be
            found = [Problem(*p) for p in problems]
            raise BadInput(f"{found[0].field}: {found[0].message}", found)
        assert record is not None
        return self._write_one(record, recorded_by, expected_version)

    def merge(
        self,
        actor: str,
        into: str,
        reason: str,
        recorded_by: str,
        *,
        change_id: str | None = None,
    ) -> WriteResult:
        """Record that ``actor`` is the same person or body as ``into`` (each by
        id, name or alias): state and provenance show them as one from then on;
        the history keeps both ids."""
        return self.correct(
            self.resolve_actor(actor, "actor"),
            "same_as",
            into,
            reason,
            recorded_by,
            kind="actor",
            change_id=change_id,
        )

    def withdraw(
        self,
        statement: str,
        reason: str,
        recorded_by: str,
        *,
        change_id: str | None = None,
        expected_version: int | None = None,
    ) -> WriteResult:
        """Withdraw a statement entered in error."""
        data = {
            "type": "withdrawal",
            "id": change_id or new_id("wd"),
            "statement": statement,
            "reason": reason,
        }
        record = load_with(WithdrawalInput, data)
        return self._write_one(record, recorded_by, expected_version)

    def grade(
        self,
        statement: str,
        recorded_by: str,
        *,
        reliability: str | None = None,
        credibility: int | None = None,
        reason: str | None = None,
        change_id: str | None = None,
        expected_version: int | None = None,
    ) -> WriteResult:
        """Grade a statement: source reliability (A-F), credibility (1-6)."""
        data = {
            "type": "grade",
            "id": change_id or new_id("gr"),
            "statement": statement,
            "reliability": reliability,
            "credibility": credibility,
            "reason": reason,
        }
        record = load_with(GradeInput, data)
        return self._write_one(record, recorded_by, expected_version)

    def _actor(self, ref: Any, field_name: str) -> Any:
        if not isinstance(ref, str) or not ref:
            return ref
        return self.resolve_actor(ref, field_name)

    def _resolve_actors(self, data: dict[str, Any]) -> dict[str, Any]:
        """The statement with every actor it names given by id."""
        data = dict(data)
        data["speaker"] = self._actor(data.get("speaker"), "speaker")
        if data["speaker"] is None:
            del data["speaker"]
        attribution = data.get("attribution")
        if isinstance(attribution, dict) and isinstance(
            attribution.get("actors"), list
        ):
            actors = [
                self._actor(a, "attribution.actors") for a in attribution["actors"]
            ]
            data["attribution"] = {**attribution, "actors": actors}
        demand = data.get("demand")
        if isinstance(demand, dict) and "addressee" in demand:
            addressee = self._actor(demand["addressee"], "demand.addressee")
            data["demand"] = {**demand, "addressee": addressee}
        hops = data.get("provenance")
        if isinstance(hops, list):
            data["provenance"] = [
                {**hop, "agent": self._actor(hop.get("agent"), f"provenance.{i}.agent")}
                if isinstance(hop, dict) and "agent" in hop
                else hop
                for i, hop in enumerate(hops)
            ]
        return data
