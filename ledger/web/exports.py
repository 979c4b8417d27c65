"""Exports over HTTP: an incident as import lines, CSV or W3C PROV (as ``ledger
export``), for readers."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from ledger.exports import FORMATS, MEDIA_TYPES, SUFFIXES, export_bytes
from ledger.web.auth import requires
from ledger.web.params import KnownAtArgs
from ledger.web.reads import QUERY, service

blp = Blueprint(
    "exports",
    __name__,
    url_prefix="/api",
    description="Exports of an incident: import lines that rebuild it, CSV, W3C PROV.",
)


class ExportArgs(KnownAtArgs):
    """``format`` and ``known_at`` of an export."""

    format = fields.String(
        load_default="jsonl",
        validate=validate.OneOf(FORMATS),
        metadata={"description": "jsonl, csv, prov-json, prov-n or prov-o (Turtle)."},
    )


_CONTENT = {
    MEDIA_TYPES[fmt]: {"schema": {"type": "string"}}
    for fmt in FORMATS
    if MEDIA_TYPES[fmt] != "application/json"
} | {"application/json": {"schema": {"type": "object"}}}


@blp.route("/incidents/<incident_id>/export")
class Export(MethodView):
    @requires("reader")
    @blp.arguments(ExportArgs, **QUERY)
    @blp.doc(responses={"200": {"description": "The export.", "content": _CONTENT}})
    def get(self, args: dict[str, Any], incident_id: str) -> Response:
        """An incident in an export format, as `ledger export INCIDENT` writes it
        (see docs/export.md)."""
        fmt = args["format"]
        data = export_bytes(service(), fmt, incident_id, args.get("known_at"))
        name = f"{incident_id}.{SUFFIXES[fmt]}"
        return Response(
            data,
            mimetype=MEDIA_TYPES[fmt],
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
