"""Validation messages that say how to fix the input.

marshmallow's own messages name the problem ("Unknown field.", "Invalid input
type."); these say what was expected: the nearest known field name, or an
example of the object or list a field takes.
"""

from __future__ import annotations

import difflib
import json
from typing import Any

from marshmallow import Schema, fields

from ledger.schemas.inputs import (
    AttributionInput,
    DemandInput,
    DocumentInput,
    HopInput,
    StanceInput,
)

EXAMPLES: dict[type[Schema], dict[str, Any]] = {
    StanceInput: {"claim": "claim-id", "stance": "supports"},
    AttributionInput: {"actors": ["actor-id"], "mode": "sole"},
    DemandInput: {"addressee": "actor-id", "action": "what is asked"},
    HopInput: {"agent": "actor-id", "relation": "reported"},
    DocumentInput: {"outlet": "actor-id", "published_at": "2019-12"},
}


def _schema_class(schema: Any) -> type[Schema] | None:
    if isinstance(schema, Schema):
        return type(schema)
    if isinstance(schema, type) and issubclass(schema, Schema):
        return schema
    return None


def _field_at(schema: type[Schema], path: list[str]) -> tuple[Any, Any]:
    """The field at a dotted path, and the schema class holding it (or None)."""
    holder: Any = schema
    field: Any = None
    for part in path:
        if isinstance(field, fields.List) and part.isdigit():
            field = field.inner
            holder = None
            continue
        if isinstance(field, fields.Nested):
            holder = _schema_class(field.nested)
        elif field is not None:
            holder = None
        if holder is None:
            return None, None
        field = holder._declared_fields.get(part)
    return field, holder


def _example(field: Any) -> str | None:
    if isinstance(field, fields.Nested):
        example = EXAMPLES.get(_schema_class(field.nested))
        return json.dumps(example) if example else None
    if isinstance(field, fields.List):
        inner = _example(field.inner)
        return f"[{inner}]" if inner else '["…"]'
    return None


UNKNOWN = "Unknown field."
MISSING = "Missing data for required field."


def meant(schema: type[Schema], path: str) -> str | None:
    """For an unknown field, the path of the known field it is closest to."""
    parent, _, key = path.rpartition(".")
    _, holder = _field_at(schema, path.split("."))
    known = list(holder._declared_fields) if holder else []
    match = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f"{parent}.{match[0]}".lstrip(".") if match else None


def explain(schema: type[Schema], path: str, message: str) -> str:
    """A clearer message for ``path``, or ``message`` as it was."""
    parts = path.split(".")
    if message == UNKNOWN:
        _, holder = _field_at(schema, parts)
        return unknown_field(parts[-1], list(holder._declared_fields) if holder else [])
    if message == "Invalid input type." or message == "Not a valid list.":
        field, _ = _field_at(schema, parts)
        example = _example(field)
        if example:
            shape = "a list" if isinstance(field, fields.List) else "an object"
            return f"must be {shape}, for example {example}"
    return message


def unknown_field(key: str, known: list[str]) -> str:
    """``unknown field 'stated-at'; did you mean 'stated_at'?``"""
    match = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if match:
        return f"unknown field {key!r}; did you mean {match[0]!r}?"
    if known:
        return f"unknown field {key!r}; the fields are: {', '.join(known)}"
    return f"unknown field {key!r}"


def closest(value: str, choices: list[str]) -> str:
    """`` (did you mean 'statement'?)`` for a near miss, else nothing."""
    match = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return f"; did you mean {match[0]!r}?" if match else ""
