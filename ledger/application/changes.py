"""Planning the changes of a write: corrections, withdrawals and grades.

A change names a recorded (or newly planned) statement, incident, actor or
claim; the record as the change would leave it is validated whole, with its
own input schema, before the change is planned. ``Plan`` (planning.py) mixes
this in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ledger.application.refusals import (
    RecordConflict,
    RecordError,
    RecordRefused,
    VersionMismatch,
)
from ledger.domain.canonical import fingerprint
from ledger.domain.model import Claim, LedgerRuleError, Profiled
from ledger.schemas.inputs import corrected_kind


def _body(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in ("type", "id")}


def _held(record: Profiled) -> dict[str, Any]:
    """A profile as the ledger holds it now, with a claim's incident."""
    if isinstance(record, Claim):
        return {"incident": record.incident, **record.profile}
    return dict(record.profile)


class ChangePlanning:
    """The part of a ``Plan`` that plans changes of records."""

    # Provided by Plan.
    expected: dict[str, int]
    loaded: dict[str, int]
    result: Any
    recorded_by: str
    checks: list
    actor_checks: list
    validate: Any
    _record: Callable[[str, str, int | None], Any]

    def _add_change(self, line: int | None, record: dict[str, Any]) -> None:
        kind = corrected_kind(record) if record["type"] == "correction" else "statement"
        target = self._record(kind, record[kind], line)
        change_id = record["id"]
        print_ = fingerprint(_body(record))
        if change_id in target.changes:
            if target.changes[change_id] not in (
                print_,
                self._normal(kind, target, record),
            ):
                raise RecordConflict(
                    "id",
                    f"change {change_id} is already recorded with different content",
                    line,
                )
            self.result.unchanged[record["type"]] += 1
            return
        self._check_version(f"{kind}:{target.slug}", line)
        try:
            self._apply_change(line, kind, target, record, print_)
        except LedgerRuleError as error:
            raise RecordRefused(record["type"], str(error), line) from None
        self.result.new[record["type"]] += 1

    def _check_version(self, key: str, line: int | None) -> None:
        """A change written against a version the statement has left is refused.

        A change already recorded (the same write repeated) is checked before,
        so repeating it stays a no-op.
        """
        wanted = self.expected.get(key)
        found = self.loaded.get(key)
        if wanted is not None and found is not None and wanted != found:
            raise VersionMismatch(
                "expected_version",
                f"{key.replace(':', ' ', 1)} is at version {found}, not {wanted}: "
                "it changed in the meantime",
                line,
            )

    def _normal(self, kind: str, target: Any, record: dict[str, Any]) -> str | None:
        """A correction's fingerprint with its value as the ledger holds it.

        That is the fingerprint a correction is recorded with (an export writes
        the value so); one recorded by an earlier version kept the value's
        fingerprint as given. Other changes: None.
        """
        if record["type"] != "correction":
            return None
        try:
            value = self._corrected(kind, target, record).get(record["field"])
        except RecordError:
            return None
        return fingerprint({**_body(record), "value": value})

    def _corrected(self, kind: str, target: Any, record: dict[str, Any]):
        """The record as the correction would leave it, validated and normalised."""
        held = target.data if kind == "statement" else _held(target)
        proposed = {**held, record["field"]: record.get("value")}
        proposed = {k: v for k, v in proposed.items() if v is not None}
        if kind == "statement":
            return self.validate(kind, proposed)
        checked = self.validate(kind, {**proposed, "id": target.slug})
        checked.pop("id", None)
        return checked

    def _apply_change(self, line, kind: str, target: Any, record, print_) -> None:
        common = {
            "change_id": record["id"],
            "fingerprint": print_,
            "recorded_by": self.recorded_by,
        }
        statement = target
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
            corrected = self._corrected(kind, target, record)
        except RecordError as error:
            raise RecordError(f"value ({error.field})", error.message, line) from None
        value = corrected.get(name)
        common["fingerprint"] = fingerprint({**_body(record), "value": value})
        target.correct(field=name, value=value, reason=record["reason"], **common)
        if kind == "statement":
            self.checks.append(
                (line, target.slug, {**corrected, "incident": target.incident})
            )
        elif kind == "actor":
            self.actor_checks.append((line, target.slug, corrected))
