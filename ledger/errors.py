"""The ledger's one error hierarchy, shared by every door (CLI, HTTP).

Each door translates these in one place: the command line to one line on
stderr and an exit code (ledger/cli/common.py), the HTTP API to a status.

- ``NotFound``: no incident, actor, claim, statement or checkpoint of that id.
- ``Refused``: the ledger's rules refuse the command (e.g. grading a withdrawn
  statement).
- ``Conflict``: an id already recorded with other content.
  ``PreconditionFailed``: the statement is no longer at the expected version.
- ``BadInput``: input that does not validate; ``problems`` lists
  ``(line, field, message)``, ``line`` being None outside an import.
- ``Unavailable``: the ledger cannot be used as configured (no ledger at the
  URL, an unsupported URL, an unreadable key).
"""

from __future__ import annotations

from typing import NamedTuple


class Problem(NamedTuple):
    """One thing wrong with an input: where (line, field) and what."""

    line: int | None
    field: str
    message: str


class LedgerError(Exception):
    """Base of every error the ledger reports to its user."""


class NotFound(LedgerError, LookupError):
    """No incident, actor, statement, claim or checkpoint with that id (then)."""


class Refused(LedgerError):
    """A command the ledger's rules refuse."""


class Conflict(LedgerError):
    """The same id is already recorded with other content."""


class PreconditionFailed(Conflict):
    """The statement changed since the version the caller expected."""


class Unavailable(LedgerError):
    """The ledger cannot be used as configured (database, URL or key)."""


class BadInput(LedgerError, ValueError):
    """Input that does not validate, with every problem found."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems: list[Problem] = list(problems or [])


class LocatedError(BadInput):
    """Bad input located by line (if any) and field; the one problem it names."""

    # The file or stream it came from, when a door knows it (``ledger import``).
    source: str | None = None

    def __init__(self, field: str, message: str, line: int | None = None):
        super().__init__(f"{field}: {message}", [Problem(line, field, message)])
        self.field = field
        self.message = message
        self.line = line

    def __reduce__(self):
        # Crosses process boundaries (parallel validation) with its fields.
        return (type(self), (self.field, self.message, self.line))

    @property
    def problem(self) -> Problem:
        """The error as plain data: ``(line, field, message)``."""
        return Problem(self.line, self.field, self.message)


# Most specific first: a refused record is also bad input, located by line.
CATEGORIES: tuple[tuple[type[LedgerError], str], ...] = (
    (PreconditionFailed, "precondition_failed"),
    (Conflict, "conflict"),
    (NotFound, "not_found"),
    (Refused, "refused"),
    (BadInput, "bad_input"),
    (Unavailable, "unavailable"),
)


def category(error: LedgerError) -> str:
    """What kind of error this is, for a door to translate (HTTP status, exit code)."""
    return next((name for kind, name in CATEGORIES if isinstance(error, kind)), "error")
