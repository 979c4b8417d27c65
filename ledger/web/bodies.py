"""Request bodies and headers of the write endpoints, parsed as strictly as an
import line: a JSON object, import lines (JSON Lines or a JSON array of them),
the fields a schema allows, and the version ``If-Match`` expects."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import request
from marshmallow import Schema

from ledger.errors import BadInput, PreconditionFailed, Problem
from ledger.schemas.lines import InputError, loads, split_lines

NDJSON = "application/x-ndjson"
# The ETag of a statement (GET /api/statements/{id}): its version, as "v3".
_ETAG = re.compile(r'^"v([1-9][0-9]{0,9})"$')


def json_object() -> dict[str, Any]:
    """The request's JSON object, parsed as strictly as an import line."""
    data = loads(text(), "(body)")
    if not isinstance(data, dict):
        raise InputError("(body)", "give one JSON object")
    return data


def text() -> str:
    """The body as text (UTF-8, a byte order mark allowed)."""
    try:
        return request.get_data(cache=False).decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError("(body)", f"not UTF-8 text ({error.reason})") from None


def import_lines() -> list[str]:
    """The body's import lines: JSON Lines, or the items of a JSON array."""
    if request.mimetype == NDJSON:
        return split_lines(text())
    items = loads(text(), "(body)")
    if not isinstance(items, list):
        raise InputError("(body)", "give a JSON array of import lines")
    return [dumps(item) for item in items]


def dumps(item: Any) -> str:
    """One array item as the JSON line it stands for."""
    return json.dumps(item, ensure_ascii=False)


def only(data: dict[str, Any], schema: type[Schema], *, path: tuple[str, ...]) -> None:
    """Refuse fields the schema does not have, or that the path gives."""
    known = set(schema._declared_fields) - {"type", *path}
    unknown = [name for name in data if name not in known]
    if unknown:
        problems = [
            Problem(None, name, f"unknown field; give {', '.join(sorted(known))}")
            for name in unknown
        ]
        raise BadInput(f"{unknown[0]}: {problems[0].message}", problems)


def expected_version() -> int | None:
    """The version ``If-Match`` expects (None without one, or with ``*``)."""
    header = request.headers.get("If-Match")
    if header is None or header.strip() == "*":
        return None
    found = _ETAG.match(header.strip())
    if found is None:
        raise PreconditionFailed(
            f"If-Match {header!r} is not a statement's ETag; "
            'send the ETag that GET /api/statements/{id} returned, like "v3"'
        )
    return int(found.group(1))
