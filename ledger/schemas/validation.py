"""Validation the application is given: the statement schema, raising its errors."""

from __future__ import annotations

from typing import Any

from ledger.application.planning import RecordError
from ledger.schemas.inputs import StatementBody
from ledger.schemas.lines import InputError, load_with


def validate_statement_body(data: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise what a statement says (used to check corrections)."""
    try:
        return load_with(StatementBody, data)
    except InputError as error:
        raise RecordError(error.field, error.message) from None
