"""Everything wrong with an input at once: a plain list of ``(line, field, message)``.

An import reports every bad line in one run, not only the first. The list is
plain data so that it crosses process boundaries (parallel validation) and any
door (the command line, the HTTP API) can render it. The errors themselves are
those of the one hierarchy in ledger/errors.py.
"""

from __future__ import annotations

from ledger.application.refusals import RecordError
from ledger.errors import LocatedError, Problem

__all__ = ["Problem", "RecordError", "Refused", "problem_lines", "refusal"]


class Refused(RecordError):
    """Input refused, with every problem found: ``(line or None, field, message)``.

    Bad input (ledger.errors.BadInput) located by its first problem; ``problems``
    lists them all.
    """

    def __init__(self, problems: list[Problem] | list[tuple]):
        listed = [Problem(*p) for p in problems]
        line, field, message = listed[0]
        super().__init__(field, message, line)
        self.problems = listed

    def __reduce__(self):
        return (type(self), (self.problems,))


def refusal(errors: list[LocatedError]) -> LocatedError:
    """One error for what was found: a lone error keeps its kind (conflict, not
    found, ...), several become one ``Refused`` listing every problem."""
    if len(errors) == 1:
        return errors[0]
    ordered = sorted(errors, key=lambda e: e.line or 0)
    return Refused([e.problem for e in ordered])


def problem_lines(source: str | None, problems: list[Problem]) -> list[str]:
    """Each problem as ``SOURCE:LINE: field: message`` (the line when known)."""
    lines = []
    for line, field, message in problems:
        where = source if line is None else f"{source}:{line}" if source else ""
        where = where or (f"line {line}" if line is not None else "")
        lines.append(f"{where}: {field}: {message}" if where else f"{field}: {message}")
    return lines
