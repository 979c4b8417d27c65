"""Tamper evidence for auditors: the latest checkpoint, RFC 9162 inclusion and
consistency proofs, and an incident's audit bundle.

Proofs and checkpoints are reads. A bundle is proven to a checkpoint of the
ledger as it stands: if none is signed yet, making the bundle signs one (a
write, recorded by the reader who asked, under the app's write lock).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from ledger.schemas.answers import (
    BundleOutput,
    CheckpointAnswer,
    ConsistencyAnswer,
    InclusionAnswer,
)
from ledger.web.auth import recorded_by, requires
from ledger.web.params import AxesArgs, ConsistencyArgs, InclusionArgs, QuerySchema
from ledger.web.reads import QUERY, service

blp = Blueprint(
    "proofs",
    __name__,
    url_prefix="/api",
    description="Checkpoints, proofs and audit bundles (RFC 9162 Merkle tree), "
    "checked with `ledger verify` and `ledger verify-bundle`.",
)


@blp.route("/checkpoints/latest")
class LatestCheckpoint(MethodView):
    @requires("reader")
    @blp.arguments(QuerySchema, **QUERY)
    @blp.response(200, CheckpointAnswer)
    def get(self, _args: dict[str, Any]) -> dict[str, Any]:
        """The latest signed checkpoint: tree size, root hash, signature (404 if
        none is signed yet)."""
        position = service().position()
        return {**service().latest_checkpoint(), "known_at_seq": position}


@blp.route("/proofs/inclusion")
class Inclusion(MethodView):
    @requires("reader")
    @blp.arguments(InclusionArgs, **QUERY)
    @blp.response(200, InclusionAnswer)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """An event's audit path to the root of a tree (by seq or leaf hash; the
        tree of the latest checkpoint unless tree_size is given)."""
        position = service().position()
        return {**service().inclusion(**args), "known_at_seq": position}


@blp.route("/proofs/consistency")
class Consistency(MethodView):
    @requires("reader")
    @blp.arguments(ConsistencyArgs, **QUERY)
    @blp.response(200, ConsistencyAnswer)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """That the tree of ``second`` leaves extends the tree of ``first`` (the
        latest checkpoint's unless second is given)."""
        position = service().position()
        found = service().consistency(args["first"], args.get("second"))
        return {**found, "known_at_seq": position}


@blp.route("/incidents/<incident_id>/bundle")
class Bundle(MethodView):
    @requires("reader")
    @blp.arguments(AxesArgs, **QUERY)
    @blp.response(200, BundleOutput)
    def get(self, args: dict[str, Any], incident_id: str) -> Response:
        """An incident's state with every event behind it, their inclusion proofs
        and a signed checkpoint (as `ledger audit-bundle`). Signs a checkpoint,
        recorded by the caller, if none covers the ledger as it stands."""
        # Projection is serialised by the ledger itself (Ledger._projecting).
        bundle = service().audit_bundle(
            incident_id, recorded_by(), args.get("as_of"), args.get("known_at")
        )
        # Sent as made, not re-serialised through a schema: verify-bundle checks it.
        text = json.dumps(bundle, ensure_ascii=False)
        return Response(text, mimetype="application/json")
