"""The read endpoints: incidents, actors, claims, statements, state, history,
provenance. Each calls the service's read that the command line calls and
dumps it with the same output schema as its ``--json``; reads never write.
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from ledger.application.service import LedgerService
from ledger.errors import NotFound
from ledger.schemas.answers import (
    ActorsOutput,
    ClaimsOutput,
    IncidentsOutput,
    StatementAnswer,
    StatementsOutput,
)
from ledger.schemas.outputs import HistoryOutput, ProvenanceOutput, StateOutput
from ledger.schemas.resources import SearchOutput
from ledger.web.auth import requires
from ledger.web.params import (
    AxesArgs,
    ClaimsArgs,
    HistoryArgs,
    KnownAtArgs,
    SearchArgs,
    StatementsArgs,
)

blp = Blueprint(
    "reads",
    __name__,
    url_prefix="/api",
    description="What the ledger holds: the answers of `ledger state`, `history`, "
    "`provenance` and `incidents` with --json. Every answer gives known_at_seq.",
)

QUERY = {"location": "query", "unknown": "raise"}


def service() -> LedgerService:
    """The app's service (``ledger.web.service``, imported when the app runs)."""
    from ledger.web import service as shared

    return shared()


def etag(version: int) -> str:
    """The ETag of a statement at ``version``: ``"v3"`` (strong)."""
    return f'"v{version}"'


@blp.route("/incidents")
class Incidents(MethodView):
    @requires("reader")
    @blp.arguments(KnownAtArgs, **QUERY)
    @blp.response(200, IncidentsOutput)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Every incident, with its number of claims and statements."""
        known = service().known(args.get("known_at"))
        return {"incidents": service().incidents(known), "known_at_seq": known.seq}


@blp.route("/actors")
class Actors(MethodView):
    @requires("reader")
    @blp.arguments(KnownAtArgs, **QUERY)
    @blp.response(200, ActorsOutput)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Every actor, in the order registered."""
        known = service().known(args.get("known_at"))
        return {"actors": service().actors(known), "known_at_seq": known.seq}


@blp.route("/claims")
class Claims(MethodView):
    @requires("reader")
    @blp.arguments(ClaimsArgs, **QUERY)
    @blp.response(200, ClaimsOutput)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Every claim, or an incident's."""
        known = service().known(args.get("known_at"))
        found = service().claims(args.get("incident"), known)
        return {"claims": found, "known_at_seq": known.seq}


@blp.route("/statements")
class Statements(MethodView):
    @requires("reader")
    @blp.arguments(StatementsArgs, **QUERY)
    @blp.response(200, StatementsOutput)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Statements (corrections applied), filtered by incident, speaker, kind
        or claim; with as_of, those made by then (undetermined ones marked)."""
        known = service().known(args.pop("known_at", None))
        found = service().statements(**args, known_at=known)
        return {"statements": found, "known_at_seq": known.seq}


@blp.route("/search")
class Search(MethodView):
    @requires("reader")
    @blp.arguments(SearchArgs, **QUERY)
    @blp.response(200, SearchOutput)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Statements, claims, incidents and actors whose text has every word of
        q, in ledger order (as `ledger search --json`)."""
        return service().search(
            args["q"], args.get("known_at"), args.get("limit", 50), "q"
        )


@blp.route("/statements/<statement_id>")
class Statement(MethodView):
    @requires("reader")
    @blp.arguments(KnownAtArgs, **QUERY)
    @blp.response(
        200,
        StatementAnswer,
        headers={
            "ETag": {
                "description": 'The statement\'s version, as "v<version>": give it '
                "in If-Match to change the statement only if it is still that one.",
                "schema": {"type": "string"},
            }
        },
    )
    def get(self, args: dict[str, Any], statement_id: str) -> Any:
        """One statement as the ledger holds it, with its version (also its ETag)."""
        known = service().known(args.get("known_at"))
        found = service().statement(statement_id, known)
        return {**found, "known_at_seq": known.seq}, {"ETag": etag(found["version"])}


@blp.route("/incidents/<incident_id>/state")
class State(MethodView):
    @requires("reader")
    @blp.arguments(AxesArgs, **QUERY)
    @blp.response(200, StateOutput)
    def get(self, args: dict[str, Any], incident_id: str) -> dict[str, Any]:
        """The claims, sides, statuses and demands of an incident (as
        `ledger state --json`)."""
        return service().state(incident_id, args.get("as_of"), args.get("known_at"))


def _history(incident: str | None, args: dict[str, Any]) -> dict[str, Any]:
    return service().history(
        incident,
        args.get("as_of"),
        args.get("known_at"),
        recorded_by=args.get("recorded_by"),
        event_type=args.get("type"),
        after_seq=args.get("after_seq"),
        limit=args.get("limit"),
    )


@blp.route("/history")
class History(MethodView):
    @requires("reader")
    @blp.arguments(HistoryArgs, **QUERY)
    @blp.response(200, HistoryOutput)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Every ledger event in ledger order, filtered, a page at a time (as
        `ledger history --json`)."""
        return _history(None, args)


@blp.route("/incidents/<incident_id>/history")
class IncidentHistory(MethodView):
    @requires("reader")
    @blp.arguments(HistoryArgs, **QUERY)
    @blp.response(200, HistoryOutput)
    def get(self, args: dict[str, Any], incident_id: str) -> dict[str, Any]:
        """An incident's ledger events, filtered, a page at a time (as
        `ledger history INCIDENT --json`)."""
        return _history(incident_id, args)


def _provenance(kind: str, slug: str, args: dict[str, Any]) -> dict[str, Any]:
    found = service().provenance(slug, args.get("known_at"))
    if kind not in found:
        raise NotFound(f"no {kind} {slug} is recorded")
    return found


@blp.route("/statements/<statement_id>/provenance")
class StatementProvenance(MethodView):
    @requires("reader")
    @blp.arguments(KnownAtArgs, **QUERY)
    @blp.response(200, ProvenanceOutput)
    def get(self, args: dict[str, Any], statement_id: str) -> dict[str, Any]:
        """Where a statement came from: its chain, quote, grades, corrections and
        events (as `ledger provenance STATEMENT --json`)."""
        return _provenance("statement", statement_id, args)


@blp.route("/claims/<claim_id>/provenance")
class ClaimProvenance(MethodView):
    @requires("reader")
    @blp.arguments(KnownAtArgs, **QUERY)
    @blp.response(200, ProvenanceOutput)
    def get(self, args: dict[str, Any], claim_id: str) -> dict[str, Any]:
        """A claim and every statement behind it (as `ledger provenance CLAIM
        --json`)."""
        return _provenance("claim", claim_id, args)
