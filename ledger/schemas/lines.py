"""Reading import lines: JSON, then the schema named by the line's ``type``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from functools import cache
from typing import Any

from marshmallow import ValidationError

from ledger.errors import LocatedError, Problem
from ledger.schemas.inputs import LINE_SCHEMAS, InputSchema
from ledger.schemas.messages import MISSING, UNKNOWN, closest, explain, meant

# The deepest a record goes is a few levels (provenance.0.document.outlet).
MAX_DEPTH = 32


def split_lines(text: str) -> list[str]:
    """The lines of JSON Lines text: only a newline ends a line (U+2028 and friends
    are legal inside JSON strings); the newline ending the last line starts none."""
    return [line.removesuffix("\r") for line in text.removesuffix("\n").split("\n")]


class InputError(LocatedError):
    """Bad input, located by line (if any) and field."""

    def at(self, source: str) -> str:
        """The error as ``SOURCE:LINE: field: message``."""
        where = f"{source}:{self.line}" if self.line is not None else source
        return f"{where}: {self.field}: {self.message}"


class _RepeatedKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise _RepeatedKey(key)
        data[key] = value
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _too_deep(data: Any) -> bool:
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                return True
            items = value.values() if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items)
    return False


def loads(text: str, field: str, line: int | None = None) -> Any:
    """Parse JSON that a user gave; refuse what JSON parsers disagree on.

    A key given twice in one object (parsers keep either), nesting deeper than
    any record needs, ``NaN``/``Infinity`` and integers too long to convert are
    each an InputError on ``field``, never a crash.
    """
    try:
        data = json.loads(
            text, object_pairs_hook=_no_repeats, parse_constant=_no_constant
        )
    except _RepeatedKey as error:
        raise InputError(
            error.key, "is given twice in one object; keep one", line
        ) from None
    except json.JSONDecodeError as error:
        at = f"line {error.lineno}, " if error.lineno > 1 else ""
        raise InputError(
            field, f"not valid JSON: {error.msg} at {at}column {error.colno}", line
        ) from None
    except RecursionError:
        raise InputError(field, _deep_message(), line) from None
    except ValueError as error:
        reason = str(error)
        if "integer string conversion" in reason:
            limit = sys.get_int_max_str_digits()
            reason = f"a number has more than {limit} digits"
        raise InputError(field, f"not valid JSON: {reason}", line) from None
    if _too_deep(data):
        raise InputError(field, _deep_message(), line)
    return data


def _deep_message() -> str:
    return f"nested deeper than {MAX_DEPTH} levels; no record needs that"


def flatten_messages(messages: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Turn marshmallow's nested messages into ``(dotted.field, message)`` pairs."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = "(record)" if key == "_schema" else str(key)
            path = (
                f"{prefix}.{name}"
                if prefix and name != "(record)"
                else (prefix or name)
            )
            yield from flatten_messages(value, path)
    elif isinstance(messages, list):
        for message in messages:
            yield from flatten_messages(message, prefix)
    else:
        yield prefix or "(record)", str(messages)


@cache
def _instance(schema: type[InputSchema]) -> InputSchema:
    # Building a schema (and its nested schemas) costs more than a load: reuse them.
    return schema()


def validate(
    schema: type[InputSchema], data: Any, line: int | None = None
) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Validate ``data``: the normalised record, or every problem found in it."""
    try:
        return _instance(schema).load(data), []
    except ValidationError as error:
        found = list(flatten_messages(error.messages))
    # "unknown field 'stated-at'; did you mean 'stated_at'?" says it all: the
    # missing stated_at is the same mistake, not a second one.
    typos = {meant(schema, field) for field, message in found if message == UNKNOWN}
    return None, [
        (line, field, explain(schema, field, message))
        for field, message in found
        if not (message == MISSING and field in typos)
    ]


def load_with(
    schema: type[InputSchema], data: Any, line: int | None = None
) -> dict[str, Any]:
    """Validate ``data`` with ``schema``; the first problem becomes an InputError."""
    record, problems = validate(schema, data, line)
    if problems:
        _, field, message = problems[0]
        raise InputError(field, message, line)
    assert record is not None
    return record


def check_line(text: str, line: int) -> tuple[dict[str, Any] | None, list[Problem]]:
    """One JSON line: its validated, normalised record, or every problem in it."""
    try:
        data = loads(text, "(line)", line)
    except InputError as error:
        return None, [error.problem]
    if not isinstance(data, dict):
        return None, [(line, "(line)", "each line must be one JSON object")]
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in LINE_SCHEMAS:
        names = ", ".join(LINE_SCHEMAS)
        if kind is None:
            message = f"missing: give the line's type, one of: {names}"
        elif isinstance(kind, str):
            message = f"unknown type {kind!r}{closest(kind, list(LINE_SCHEMAS))}"
            message += "" if "did you mean" in message else f"; use one of: {names}"
        else:
            message = f"must be one of: {names} (as a string)"
        return None, [(line, "type", message)]
    return validate(LINE_SCHEMAS[kind], data, line)


def parse_line(text: str, line: int) -> dict[str, Any]:
    """Parse one JSON line into a validated, normalised record with a ``type``."""
    record, problems = check_line(text, line)
    if problems:
        _, field, message = problems[0]
        raise InputError(field, message, line)
    assert record is not None
    return record
