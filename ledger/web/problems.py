"""Every error as ``application/problem+json`` (RFC 9457); never HTML, never a trace.

`problem_of` is the one place where the ledger's errors become HTTP statuses.
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

from ledger.application.planning import RecordError
from ledger.domain.model import LedgerRuleError
from ledger.errors import LocatedError
from ledger.projections.queries import NotFound
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


def _line(error: LocatedError | RecordError) -> dict[str, Any]:
    return {"line": error.line, "field": error.field, "message": error.message}


def problem_of(error: Exception) -> Response | None:
    """The ledger's own errors as problems; None for an error it does not know."""
    if isinstance(error, NotFound):
        return problem(404, str(error))
    if isinstance(error, (LocatedError, RecordError)):
        return problem(422, str(error), errors=[_line(error)])
    if isinstance(error, LedgerRuleError):
        return problem(409, str(error))
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
LEDGER_ERRORS = (NotFound, LocatedError, RecordError, LedgerRuleError, *UNREACHABLE)


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
