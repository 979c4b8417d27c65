"""The HTTP API: a Flask app on one ledger, shared by every request of a process.

What is shared (the engines, the application, the account lookups) is safe to
share across threads; what belongs to a request lives in ``flask.g``.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, request
from flask_smorest import Api

from ledger.application.accounts import Accounts
from ledger.application.service import LedgerService
from ledger.bootstrap import Ledger
from ledger.web import (
    corrections,
    exports,
    meta,
    pages,
    problems,
    proofs,
    reads,
    users,
    writes,
)
from ledger.web.auth import SCHEME, Refusal

DEFAULT_MAX_BODY = 16 * 1024 * 1024


class LedgerApi(Api):
    """flask-smorest's Api, with problem+json errors documented and answered."""

    ERROR_SCHEMA = problems.ProblemSchema

    def _register_error_handlers(self) -> None:
        problems.install(self._app)

    def _register_responses(self) -> None:
        # The error responses flask-smorest documents are problem+json here.
        self.DEFAULT_RESPONSE_CONTENT_TYPE = problems.PROBLEM_JSON
        try:
            super()._register_responses()
        finally:
            del self.DEFAULT_RESPONSE_CONTENT_TYPE


def max_body(given: int | None = None) -> int:
    """The largest request body in bytes: given, else $LEDGER_MAX_BODY, else 16 MiB."""
    if given is not None:
        return given
    return int(os.environ.get("LEDGER_MAX_BODY") or DEFAULT_MAX_BODY)


def create_app(
    url: str, *, max_body_bytes: int | None = None, key: str | None = None
) -> Flask:
    """The API on the ledger at ``url`` (initialised with ``ledger init``);
    ``key``: the signing key's path for checkpoints (default: as ``ledger
    checkpoint`` finds it, $LEDGER_KEY_PATH or beside the database)."""
    app = Flask(__name__)
    # Answers keep the schemas' key order, as `--json` on the command line does.
    app.json.sort_keys = False
    app.config.update(
        API_TITLE="Incident ledger",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL=meta.DOCS_ASSETS,
        OPENAPI_SWAGGER_UI_CONFIG={"validatorUrl": None},
        MAX_CONTENT_LENGTH=max_body(max_body_bytes),
    )
    service = LedgerService(Ledger(url), key)
    ledger = service.ledger
    app.extensions["ledger"] = ledger
    # The one service every view calls (the CLI calls the same one).
    app.extensions["ledger.service"] = service
    app.extensions["ledger.accounts"] = Accounts(ledger)
    # Writes need no lock here: the ledger projects one batch at a time per
    # process (Ledger._projecting), and concurrent saves are retried or refused.
    app.add_url_rule(meta.DOCS_ASSETS + "<path:filename>", view_func=meta.docs_assets)
    app.register_error_handler(Refusal, lambda refusal: refusal.response)
    app.before_request(_check_length)
    api = LedgerApi(app)
    _document(api)
    api.register_blueprint(meta.blp)
    api.register_blueprint(users.blp)
    api.register_blueprint(reads.blp)
    api.register_blueprint(proofs.blp)
    api.register_blueprint(exports.blp)
    writes.register(api)
    corrections.register(api)
    pages.install(app)
    return app


def _check_length() -> Any:
    """413 before reading a body whose declared length is over the limit."""
    limit = request.max_content_length
    if limit is not None and (request.content_length or 0) > limit:
        return problems.problem(
            413, f"the body is {request.content_length} bytes; the limit is {limit}"
        )
    return None


def _document(api: Api) -> None:
    api.spec.components.security_scheme(
        SCHEME, {"type": "http", "scheme": "bearer", "description": "a ledger token"}
    )


def service() -> LedgerService:
    """The ledger's service, shared by every request of this process."""
    from flask import current_app

    return current_app.extensions["ledger.service"]
