"""Why a write is refused: located errors of the one hierarchy (ledger.errors)."""

from __future__ import annotations

from ledger.errors import (
    Conflict,
    LocatedError,
    NotFound,
    PreconditionFailed,
    Refused,
)


class RecordError(LocatedError):
    """A record the ledger refuses, located by input line (if any) and field."""


class RecordConflict(Conflict, RecordError):
    """A record whose id is already recorded (or given) with other content."""


class RecordRefused(Refused, RecordError):
    """A change the ledger's rules refuse."""


class StatementMissing(NotFound, RecordError):
    """A change of a statement that is not recorded."""


class VersionMismatch(PreconditionFailed, RecordError):
    """A change of a statement that is no longer at the expected version."""
