"""Corrections of incidents, actors and claims, and merges of actors (recorders).

The same service calls as ``ledger correct --of KIND`` and ``ledger merge``;
the statement's own corrections are in ledger/web/writes.py. Who records is
the token's account.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from ledger.schemas.inputs import (
    PartSchema,
    Slug,
    Text,
)
from ledger.schemas.lines import load_with
from ledger.schemas.outputs import ImportOutput
from ledger.web.auth import consumes, recorded_by, requires
from ledger.web.bodies import json_object, only
from ledger.web.writes import (
    IF_MATCH,
    JSON,
    REQUESTS,
    _answer,
    _body,
    correction,
    service,
)

blp = Blueprint(
    "corrections",
    __name__,
    url_prefix="/api",
    description="Correct an incident's, actor's or claim's profile one field at a "
    "time, with a reason; merge two records of one actor. State as known before "
    "shows the earlier values.",
)


class MergeRequest(PartSchema):
    """The actor this one was found to be, why, and an optional id."""

    into = fields.String(
        required=True, metadata={"description": "The actor, by id, name or alias."}
    )
    reason = Text(required=True)
    id = Slug()


# The statement corrections' body: the same fields (the path names the record).
PROFILE_CORRECTION = REQUESTS["CorrectionRequest"]
_WHAT = {
    "incident": "title, description, occurred_at, place or time_zone",
    "actor": "name, kind, aliases, affiliation, role, description, anonymous or "
    "same_as",
    "claim": "proposition (its wording; the id and the statements naming it stay)",
}


def register(api: Any) -> None:
    """Name the request bodies in the OpenAPI document, then serve the endpoints."""
    api.spec.components.schema("MergeRequest", schema=MergeRequest)
    api.register_blueprint(blp)


def _endpoint(kind: str) -> None:
    @blp.route(f"/{kind}s/<slug>/corrections", endpoint=f"{kind}_corrections")
    class ProfileCorrections(MethodView):
        @requires("recorder")
        @consumes(JSON)
        @blp.doc(
            summary=f"Correct one field of an {kind}"
            if kind[0] in "aeiou"
            else f"Correct one field of a {kind}",
            description=f"field ({_WHAT[kind]}), value (JSON; null clears an "
            "optional field), reason, and an optional id (default: a new cx-… "
            "one). The old value stays in the history.",
            parameters=[IF_MATCH],
            **_body(PROFILE_CORRECTION, "The correction."),
        )
        @blp.response(200, ImportOutput)
        @blp.alt_response(412, description=f"The {kind} changed since If-Match.")
        def post(self, slug: str) -> Any:
            return _answer("request", correction(kind, slug))


for _kind in ("incident", "actor", "claim"):
    _endpoint(_kind)


@blp.route("/actors/<slug>/merges")
class Merges(MethodView):
    """Merge two records of one person or body."""

    @requires("recorder")
    @consumes(JSON)
    @blp.doc(**_body(MergeRequest, "into, reason, and an optional id."))
    @blp.response(200, ImportOutput)
    def post(self, slug: str) -> Any:
        """Record that this actor is the actor ``into``: state and provenance
        show them as one; the history keeps both ids."""
        data = json_object()
        only(data, MergeRequest, path=())
        body = load_with(MergeRequest, data)
        result = service().merge(
            slug, body["into"], body["reason"], recorded_by(), change_id=body.get("id")
        )
        return _answer("request", result)
