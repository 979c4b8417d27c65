"""Validation the application is given: the input schemas, raising their errors.

A correction is checked by validating the whole record as it would read once
corrected, so a correction can never make a record the import would refuse.
"""

from __future__ import annotations

import re
from typing import Any

from ledger.application.planning import RecordError
from ledger.schemas.inputs import (
    SLUG_PATTERN,
    ActorInput,
    ClaimInput,
    IncidentInput,
    StatementBody,
)
from ledger.schemas.lines import InputError, load_with
from ledger.schemas.messages import MISSING

_PROFILES = {"incident": IncidentInput, "actor": ActorInput, "claim": ClaimInput}


def validate_body(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """Validate and normalise a statement's body or a profile (with its ``id``,
    and a claim's ``incident``), as a correction would leave it."""
    try:
        if kind == "statement":
            return load_with(StatementBody, data)
        return _profile(kind, data)
    except InputError as error:
        message = error.message
        if message == MISSING:
            message = "is required: correct it to a new value, it cannot be removed"
        raise RecordError(error.field, message) from None


def _profile(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    same_as = data.get("same_as") if kind == "actor" else None
    if kind == "actor":
        data = {k: v for k, v in data.items() if k != "same_as"}
        if same_as is not None and not (isinstance(same_as, str) and _slug(same_as)):
            raise InputError("same_as", "give the id of the actor this one is")
    record = load_with(_PROFILES[kind], {**data, "type": kind})
    record.pop("type", None)
    if same_as:
        record["same_as"] = same_as
    return record


def _slug(text: str) -> bool:
    return re.match(SLUG_PATTERN, text) is not None
