"""``/api/health``, ``/api/ledger``, and the browsable docs' own assets."""

from __future__ import annotations

from typing import Any

from flask import current_app, send_from_directory
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields
from swagger_ui_bundle import swagger_ui_path

from ledger.persistence import backend
from ledger.schemas.outputs import OutputSchema
from ledger.web.auth import requires

blp = Blueprint(
    "ledger", __name__, url_prefix="/api", description="The server and its ledger."
)

# Swagger UI's files come from the swagger-ui-bundle package: no CDN.
DOCS_ASSETS = "/api/docs/assets/"


class HealthOutput(OutputSchema):
    """The server is up and reaches its database."""

    status = fields.String(required=True)


class LedgerOutput(OutputSchema):
    """The ledger's latest sequence number, and how far the read models are."""

    latest_seq = fields.Integer(required=True)
    projected_seq = fields.Integer(required=True)
    backend = fields.String(required=True)


def _ledger() -> Any:
    return current_app.extensions["ledger"]


@blp.route("/health")
class Health(MethodView):
    """Liveness, for load balancers and monitors (no token needed)."""

    @blp.doc(security=[])
    @blp.response(200, HealthOutput)
    def get(self) -> dict[str, Any]:
        """The server answers and its database does too."""
        _ledger().app.max_sequence()
        return {"status": "ok"}


@blp.route("/ledger")
class LedgerInfo(MethodView):
    """The ledger as a whole."""

    @requires("reader")
    @blp.response(200, LedgerOutput)
    def get(self) -> dict[str, Any]:
        """The latest sequence number, and the one the read models reflect."""
        ledger = _ledger()
        return {
            "latest_seq": ledger.app.max_sequence(),
            "projected_seq": ledger.view.max_tracking_id(ledger.app.name) or 0,
            "backend": backend(ledger.url),
        }


def docs_assets(filename: str) -> Any:
    """A file of Swagger UI, served from the installed package."""
    return send_from_directory(str(swagger_ui_path), filename)
