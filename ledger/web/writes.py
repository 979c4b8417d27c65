"""The write endpoints: import lines, record, correct, withdraw, grade (recorders);
checkpoint and verify (admins).

Bodies go to the service as the client sent them: the service validates them
with the same schemas as ``ledger import`` and ``ledger record`` (an actor may
be named by id, name or alias, as on the command line), and its errors become
problems in one place (ledger/web/problems.py). Who records is always the
token's account; a body naming ``recorded_by`` is refused (422).
"""

from __future__ import annotations

import contextlib
from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema

from ledger.application.service import LedgerService, WriteResult
from ledger.errors import NotFound
from ledger.schemas.inputs import (
    CORRECTED_KINDS,
    LINE_SCHEMAS,
    CorrectionInput,
    GradeInput,
    StatementInput,
    WithdrawalInput,
)
from ledger.schemas.lines import InputError
from ledger.schemas.outputs import ImportOutput
from ledger.schemas.resources import CheckpointOutput, VerifyOutput
from ledger.web.auth import consumes, recorded_by, requires
from ledger.web.bodies import (
    NDJSON,
    expected_version,
    import_lines,
    json_object,
    only,
)

JSON = "application/json"

blp = Blueprint(
    "writes",
    __name__,
    url_prefix="/api",
    description="Record what was said, and change it only by new events: "
    "import lines, statements, corrections, withdrawals, grades; checkpoints "
    "and verification. Every write is recorded as the token's account.",
)


# The bodies of one record whose id (and statement) the path or the server gives:
# the import line's schemas, named for the OpenAPI document.
REQUESTS: dict[str, Schema] = {
    "StatementRequest": StatementInput(partial=("id",)),
    "CorrectionRequest": CorrectionInput(
        exclude=(*CORRECTED_KINDS, "type"), partial=("id",)
    ),
    "WithdrawalRequest": WithdrawalInput(
        exclude=("statement", "type"), partial=("id",)
    ),
    "GradeRequest": GradeInput(exclude=("statement", "type"), partial=("id",)),
}
# One import line: any of the line schemas (docs/import-format.md).
IMPORT_LINE = {"oneOf": list(LINE_SCHEMAS.values())}


def register(api: Any) -> None:
    """Name the request bodies in the OpenAPI document, then serve the endpoints."""
    for name, schema in REQUESTS.items():
        api.spec.components.schema(name, schema=schema)
    api.register_blueprint(blp)


def _body(schema: Any, description: str) -> dict[str, Any]:
    """A JSON request body of ``schema`` (the body itself goes to the service)."""
    content = {JSON: {"schema": schema}}
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": content,
        }
    }


IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "schema": {"type": "string", "example": '"v3"'},
    "description": "The statement's ETag from GET /api/statements/{id}; if the "
    "statement has changed since, the answer is 412 and nothing is written.",
}


def _answer(source: str, result: WriteResult) -> dict[str, Any]:
    """What a write recorded (``recorded`` 0: all of it was already there)."""
    return {
        "source": source,
        "recorded": result.recorded,
        "new": result.new,
        "unchanged": result.unchanged,
        "ids": result.ids,
        "known_at_seq": result.known_at_seq,
    }


def service() -> LedgerService:
    """The app's one service (ledger.web.service, without importing the package)."""
    return current_app.extensions["ledger.service"]


def _changed(slug: str, result: WriteResult, source: str) -> tuple[Any, int, Any]:
    """The write's answer, with the statement's new ETag and where it is."""
    headers = {"Location": f"/api/statements/{slug}"}
    # With a separate projector the read models may be behind: no ETag then.
    with contextlib.suppress(NotFound):
        headers["ETag"] = f'"v{service().statement(slug)["version"]}"'
    return _answer(source, result), 200, headers


def correction(kind: str, slug: str) -> WriteResult:
    """The correction the body asks of a statement, incident, actor or claim."""
    data = json_object()
    only(data, CorrectionInput, path=CORRECTED_KINDS)
    if "value" not in data:
        raise InputError("value", "missing: give the new value (null clears it)")
    return service().correct(
        slug,
        data.get("field"),  # type: ignore[arg-type]
        data["value"],
        data.get("reason"),  # type: ignore[arg-type]
        recorded_by(),
        kind=kind,
        change_id=data.get("id"),
        expected_version=expected_version(),
    )


@blp.route("/records")
class Records(MethodView):
    """Import lines, as ``ledger import`` takes them."""

    @requires("recorder")
    @consumes(NDJSON, JSON)
    @blp.doc(
        requestBody={
            "required": True,
            "description": "Import lines (docs/import-format.md): JSON Lines, or "
            "a JSON array of them (``line`` in errors is then the item's number "
            "from 1).",
            "content": {
                NDJSON: {"schema": IMPORT_LINE},
                JSON: {"schema": {"type": "array", "items": IMPORT_LINE}},
            },
        }
    )
    @blp.response(200, ImportOutput)
    @blp.alt_response(409, description="An id already recorded with other content.")
    @blp.alt_response(422, description="Every bad line, as {line, field, message}.")
    def post(self) -> dict[str, Any]:
        """Record every line, or nothing if any is refused; again: a no-op."""
        result = service().import_lines(import_lines(), recorded_by())
        return _answer("request", result)


@blp.route("/statements")
class Statements(MethodView):
    """Record one statement."""

    @requires("recorder")
    @consumes(JSON)
    @blp.doc(
        **_body(
            REQUESTS["StatementRequest"],
            "A statement, as an import line holds it (``type`` optional); without "
            "an ``id`` it gets a new st-… one. Actors by id, name or alias.",
        )
    )
    @blp.response(200, ImportOutput, headers={"ETag": {"schema": {"type": "string"}}})
    def post(self) -> Any:
        """Record a statement; the same one again is a no-op."""
        data = json_object()
        if data.get("type", "statement") != "statement":
            raise InputError("type", "must be statement here (or left out)")
        data.pop("type", None)
        result = service().record_statement(data, recorded_by())
        return _changed(result.ids[0], result, "request")


@blp.route("/statements/<slug>/corrections")
class Corrections(MethodView):
    """Correct a field of a statement."""

    @requires("recorder")
    @consumes(JSON)
    @blp.doc(
        parameters=[IF_MATCH],
        **_body(
            REQUESTS["CorrectionRequest"],
            "field, value (JSON; null clears an optional field), reason, and an "
            "optional id (default: a new cx-… one).",
        ),
    )
    @blp.response(200, ImportOutput)
    @blp.alt_response(412, description="The statement changed since If-Match.")
    def post(self, slug: str) -> Any:
        """Record a correction; the old value stays in the history."""
        return _changed(slug, correction("statement", slug), "request")


@blp.route("/statements/<slug>/withdrawals")
class Withdrawals(MethodView):
    """Withdraw a statement entered in error."""

    @requires("recorder")
    @consumes(JSON)
    @blp.doc(
        parameters=[IF_MATCH],
        **_body(
            REQUESTS["WithdrawalRequest"],
            "reason, and an optional id (default: a new wd-… one).",
        ),
    )
    @blp.response(200, ImportOutput)
    @blp.alt_response(412, description="The statement changed since If-Match.")
    def post(self, slug: str) -> Any:
        """Withdraw the statement; it stays visible in the history."""
        data = json_object()
        only(data, WithdrawalInput, path=("statement",))
        result = service().withdraw(
            slug,
            data.get("reason"),  # type: ignore[arg-type]
            recorded_by(),
            change_id=data.get("id"),
            expected_version=expected_version(),
        )
        return _changed(slug, result, "request")


@blp.route("/statements/<slug>/grades")
class Grades(MethodView):
    """Grade a statement, Admiralty style."""

    @requires("recorder")
    @consumes(JSON)
    @blp.doc(
        parameters=[IF_MATCH],
        **_body(
            REQUESTS["GradeRequest"],
            "reliability (A-F), credibility (1-6) or both, a reason, and an "
            "optional id (default: a new gr-… one).",
        ),
    )
    @blp.response(200, ImportOutput)
    @blp.alt_response(412, description="The statement changed since If-Match.")
    def post(self, slug: str) -> Any:
        """Record a grade of the statement."""
        data = json_object()
        only(data, GradeInput, path=("statement",))
        result = service().grade(
            slug,
            recorded_by(),
            reliability=data.get("reliability"),
            credibility=data.get("credibility"),
            reason=data.get("reason"),
            change_id=data.get("id"),
            expected_version=expected_version(),
        )
        return _changed(slug, result, "request")


@blp.route("/checkpoints")
class Checkpoints(MethodView):
    """Signed checkpoints of the ledger's Merkle tree."""

    @requires("admin")
    @blp.response(200, CheckpointOutput)
    def post(self) -> dict[str, Any]:
        """Sign and record the tree's size and root with the server's key."""
        return service().checkpoint(recorded_by())


@blp.route("/verify")
class Verify(MethodView):
    """Verification of the whole ledger."""

    @requires("admin")
    @blp.response(200, VerifyOutput)
    def post(self) -> dict[str, Any]:
        """Recompute every hash and read-model row; check every checkpoint.

        The answer is 200 even when something is wrong: the check ran, and
        ``ok`` is false with the ``findings`` (``ledger verify`` exits 3).
        """
        report = service().verify()
        return {
            "ok": report.ok,
            "events": report.events,
            "checkpoints": report.checkpoints,
            "findings": [{"seq": f.seq, "message": f.message} for f in report.findings],
        }
