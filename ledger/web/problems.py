"""Every error as ``application/problem+json`` (RFC 9457); never HTML, never a trace.

`problem_of` is the one place where the ledger's errors become HTTP statuses,
by their category (ledger.errors.category):

- ``not_found`` 404; ``precondition_failed`` 412 (``If-Match`` names a version
  the statement has left); ``conflict`` 409 (an id recorded with other content);
- ``refused`` 409: the request is well formed, but the ledger as it stands
  refuses it (grading a withdrawn statement, an account that exists);
- ``bad_input`` 422, with ``errors: [{line, field, message}]`` (the first
  ``MAX_ERRORS``, as ``ledger import --max-errors`` shows by default);
- ``unavailable`` 503 (the ledger cannot be used as configured; its key).

Any error that is bad input also lists its problems (a 409 names the line and
field of the conflict).
"""

from __future__ import annotations

import logging
from typing import Any

import eventsourcing.persistence
import sqlalchemy.exc
from flask import Flask, Response, json
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from ledger.errors import BadInput, LedgerError, category
from ledger.schemas.lines import flatten_messages

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("ledger.web")


class ProblemLine(Schema):
    """One problem with the input: where (line, field) and what."""

    line = fields.Integer(allow_none=True)
    field = fields.String()
    message = fields.String()


class ProblemSchema(Schema):
    """An RFC 9457 problem; ``errors`` lists the problems of bad input."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.List(fields.Nested(ProblemLine))


def problem(
    status: int,
    detail: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    title: str | None = None,
) -> Response:
    """A problem+json response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or _title(status),
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    response = Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_JSON
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _title(status: int) -> str:
    return HTTP_STATUS_CODES.get(status, "Error")


STATUS = {
    "not_found": 404,
    "precondition_failed": 412,
    "conflict": 409,
    "refused": 409,
    "bad_input": 422,
    "unavailable": 503,
}
# As many problems as `ledger import` shows by default (--max-errors).
MAX_ERRORS = 100


def problem_of(error: Exception) -> Response | None:
    """The ledger's own errors as problems; None for an error it does not know."""
    if isinstance(error, LedgerError):
        status = STATUS.get(category(error))
        if status is None:
            return _unexpected(error)
        if status == 503:
            log.error("ledger unavailable: %s", error)
        if not isinstance(error, BadInput) or not error.problems:
            return problem(status, str(error))
        found = error.problems
        errors = [
            {"line": p.line, "field": p.field, "message": p.message}
            for p in found[:MAX_ERRORS]
        ]
        detail = str(error)
        if len(found) > 1:
            shown = (
                f" (the first {MAX_ERRORS} listed)" if len(found) > MAX_ERRORS else ""
            )
            detail += f"; {len(found)} errors, nothing was recorded{shown}"
        return problem(status, detail, errors=errors)
    if isinstance(error, UNREACHABLE):
        log.error("database error: %s", error)
        return problem(
            503,
            "the database cannot be reached, or is busy; try again",
            headers={"Retry-After": "5"},
        )
    return None


# The database is down, refuses the login, or stayed locked past the busy timeout.
UNREACHABLE = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    eventsourcing.persistence.OperationalError,
    eventsourcing.persistence.InterfaceError,
)
LEDGER_ERRORS = (LedgerError, *UNREACHABLE)


def _http(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    headers = {
        k: v for k, v in error.get_headers() if k.lower() != "content-type"
    } | dict(data.get("headers") or {})
    if "messages" in data:  # webargs: the request did not fit its schema
        errors = [
            {"line": None, "field": field, "message": message}
            for field, message in flatten_messages(_unwrap(data["messages"]))
        ]
        first = errors[0] if errors else {"field": "(body)", "message": "invalid"}
        detail = f"{first['field']}: {first['message']}"
        return problem(status, detail, errors=errors, headers=headers)
    detail = data.get("message") or error.description or _title(status)
    return problem(status, str(detail), headers=headers)


def _unwrap(messages: Any) -> Any:
    """webargs nests messages under the location (json, query); drop that level."""
    if isinstance(messages, dict) and len(messages) == 1:
        ((location, inner),) = messages.items()
        if location in ("json", "query", "form", "headers", "view_args"):
            return inner
    return messages


def _unexpected(error: Exception) -> Response:
    log.exception("unexpected error", exc_info=error)
    return problem(
        500, "the server could not answer this request; the error is in its log"
    )


def install(app: Flask) -> None:
    """Register the handlers: HTTP errors, the ledger's errors, anything else."""
    app.register_error_handler(HTTPException, _http)
    for kind in LEDGER_ERRORS:
        app.register_error_handler(kind, problem_of)
    app.register_error_handler(Exception, _unexpected)
