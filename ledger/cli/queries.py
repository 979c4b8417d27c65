"""The query commands: incidents, state, history, provenance.

The service's reads never write. The command line is the operator's, on the
database directly: if the read models are behind the stored events (a writer
stopped before projecting), it catches them up first.
"""

from __future__ import annotations

import click

from ledger.cli import render
from ledger.cli.common import (
    as_of_option,
    db_option,
    emit,
    json_option,
    json_text,
    known_at_option,
    open_service,
)
from ledger.schemas.outputs import (
    HistoryOutput,
    IncidentOutput,
    ProvenanceOutput,
    StateOutput,
)


@click.command("incidents")
@db_option
@json_option
def incidents_command(db: str | None, as_json: bool) -> None:
    """List the incidents in the ledger."""
    with open_service(db) as service:
        service.catch_up()
        data = service.incidents()
    if as_json:
        click.echo(json_text(IncidentOutput(many=True).dump(data)))
    else:
        render.incidents(data)


@click.command("state")
@click.argument("incident")
@as_of_option
@known_at_option
@db_option
@json_option
def state_command(incident, as_of, known_at, db, as_json) -> None:  # type: ignore[no-untyped-def]
    """The claims, sides, statuses and demands of an INCIDENT."""
    with open_service(db) as service:
        service.catch_up()
        data = service.state(incident, as_of, known_at)
    emit(data, StateOutput, as_json, render.state)


@click.command("history")
@click.argument("incident", required=False)
@as_of_option
@known_at_option
@click.option("--by", "by", metavar="NAME", help="Only events recorded by NAME.")
@click.option(
    "--type",
    "event_type",
    metavar="TYPE",
    help="Only events of TYPE (Statement.Corrected) or of an aggregate (Statement).",
)
@click.option(
    "--after-seq",
    type=click.IntRange(min=0),
    help="Only events after this sequence number (the next page).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    help="At most N events; --json gives next_after_seq for the next page.",
)
@db_option
@json_option
def history_command(  # type: ignore[no-untyped-def]
    incident, as_of, known_at, by, event_type, after_seq, limit, db, as_json
) -> None:
    """Every ledger event of an INCIDENT (or of the whole ledger), in ledger order."""
    with open_service(db) as service:
        service.catch_up()
        data = service.history(
            incident,
            as_of,
            known_at,
            recorded_by=by,
            event_type=event_type,
            after_seq=after_seq,
            limit=limit,
        )
    emit(data, HistoryOutput, as_json, render.history)


@click.command("provenance")
@click.argument("statement_or_claim")
@known_at_option
@db_option
@json_option
def provenance_command(statement_or_claim, known_at, db, as_json) -> None:  # type: ignore[no-untyped-def]
    """Where a statement came from, or every statement behind a claim."""
    with open_service(db) as service:
        service.catch_up()
        data = service.provenance(statement_or_claim, known_at)
    emit(data, ProvenanceOutput, as_json, render.provenance)


QUERY_COMMANDS = (incidents_command, state_command, history_command, provenance_command)
