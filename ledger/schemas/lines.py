"""Reading import lines: JSON, then the schema named by the line's ``type``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import Any

from marshmallow import ValidationError

from ledger.errors import LocatedError
from ledger.schemas.inputs import LINE_SCHEMAS, InputSchema


class InputError(LocatedError):
    """Bad input, located by line (if any) and field."""

    def at(self, source: str) -> str:
        """The error as ``SOURCE:LINE: field: message``."""
        where = f"{source}:{self.line}" if self.line is not None else source
        return f"{where}: {self.field}: {self.message}"


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


def load_with(
    schema: type[InputSchema], data: Any, line: int | None = None
) -> dict[str, Any]:
    """Validate ``data`` with ``schema``; the first problem becomes an InputError."""
    try:
        return _instance(schema).load(data)
    except ValidationError as error:
        field, message = next(flatten_messages(error.messages))
        raise InputError(field, message, line) from None


def parse_line(text: str, line: int) -> dict[str, Any]:
    """Parse one JSON line into a validated, normalised record with a ``type``."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            "(line)", f"not valid JSON: {error.msg} at column {error.colno}", line
        ) from None
    if not isinstance(data, dict):
        raise InputError("(line)", "each line must be one JSON object", line)
    kind = data.get("type")
    if kind not in LINE_SCHEMAS:
        names = ", ".join(LINE_SCHEMAS)
        raise InputError("type", f"must be one of: {names} (got {kind!r})", line)
    return load_with(LINE_SCHEMAS[kind], data, line)
