"""Everything wrong with an input at once: a plain list of ``(line, field, message)``.

An import reports every bad line in one run, not only the first. The list is
plain data so that it crosses process boundaries (parallel validation) and any
front end (the command line, an HTTP API) can render it.
"""

from __future__ import annotations

Problem = tuple[int | None, str, str]


class RecordError(ValueError):
    """A record the ledger refuses, located by input line (if any) and field."""

    def __init__(self, field: str, message: str, line: int | None = None):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.line = line

    def __reduce__(self):
        return (type(self), (self.field, self.message, self.line))


class Refused(RecordError):
    """Input refused, with every problem found: ``(line or None, field, message)``.

    As a RecordError it reads as the first problem.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        line, field, message = self.problems[0]
        super().__init__(field, message, line)

    def __reduce__(self):
        return (type(self), (self.problems,))


def problem_lines(source: str | None, problems: list[Problem]) -> list[str]:
    """Each problem as ``SOURCE:LINE: field: message`` (the line when known)."""
    lines = []
    for line, field, message in problems:
        where = source if line is None else f"{source}:{line}" if source else ""
        where = where or (f"line {line}" if line is not None else "")
        lines.append(f"{where}: {field}: {message}" if where else f"{field}: {message}")
    return lines
