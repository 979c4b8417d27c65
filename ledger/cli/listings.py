"""The commands that find things: actors, claims, statements and search.

Each calls the service's read that the HTTP API calls (GET /api/actors,
/api/claims, /api/statements, /api/search) and prints a table, or with
``--json`` the same output schema the API answers with.
"""

from __future__ import annotations

from typing import Any

import click

from ledger.cli.common import (
    as_of_option,
    db_option,
    json_option,
    json_text,
    known_at_option,
    open_service,
)
from ledger.cli.screen import console, shown
from ledger.cli.screen import table as new_table
from ledger.domain.vocabulary import STATEMENT_KINDS
from ledger.schemas.resources import (
    ActorOutput,
    ClaimOutput,
    SearchOutput,
    StatementOutput,
)


def _listed(rows: list[dict[str, Any]], schema: type, as_json: bool, show) -> None:  # type: ignore[no-untyped-def]
    if as_json:
        click.echo(json_text(schema(many=True).dump(rows)))
    elif not rows:
        click.echo("nothing is recorded that matches")
    else:
        show(shown(rows))


def _actors_table(rows: list[dict[str, Any]]) -> None:
    table = new_table("id", "name", "kind", "aliases", "affiliation, role", ids=("id",))
    for r in rows:
        where = ", ".join(x for x in (r.get("affiliation"), r.get("role")) if x)
        aliases = ", ".join(r.get("aliases", []))
        name = r["display_name"]
        if r.get("same_as"):
            name += f" (same as {r['same_as']})"
        table.add_row(r["id"], name, r["kind"], aliases, where or "-")
    console.print(table)


def _claims_table(rows: list[dict[str, Any]]) -> None:
    table = new_table("id", "proposition", ids=("id",))
    for r in rows:
        table.add_row(r["id"], r["proposition"])
    console.print(table)


def _stances(entry: dict[str, Any]) -> str:
    return ", ".join(f"{c['stance']} {c['claim']}" for c in entry.get("claims", []))


def _statements_table(rows: list[dict[str, Any]]) -> None:
    table = new_table(
        "id", "stated", "speaker", "kind", "claims", "quote or paraphrase", ids=("id",)
    )
    for r in rows:
        stated = r["stated_at"] + (" (undetermined)" if r.get("undetermined") else "")
        kind = r["kind"] + (" (withdrawn)" if r.get("withdrawn") else "")
        words = r.get("quote") or r.get("paraphrase") or "-"
        table.add_row(r["id"], stated, r["speaker_name"], kind, _stances(r), words)
    console.print(table)


@click.command("actors")
@known_at_option
@db_option
@json_option
def actors_command(known_at: str | None, db: str | None, as_json: bool) -> None:
    """List the actors in the ledger, in the order registered."""
    with open_service(db) as service:
        service.catch_up()
        rows = service.actors(known_at)
    _listed(rows, ActorOutput, as_json, _actors_table)


@click.command("claims")
@click.argument("incident")
@known_at_option
@db_option
@json_option
def claims_command(incident, known_at, db, as_json) -> None:  # type: ignore[no-untyped-def]
    """List the claims of an INCIDENT, in the order defined."""
    with open_service(db) as service:
        service.catch_up()
        rows = service.claims(incident, known_at)
    _listed(rows, ClaimOutput, as_json, _claims_table)


@click.command("statements")
@click.argument("incident")
@click.option(
    "--speaker", metavar="ACTOR", help="Only this speaker's (id, name or alias)."
)
@click.option(
    "--kind",
    type=click.Choice(STATEMENT_KINDS),
    help="Only statements of this kind.",
)
@click.option("--claim", metavar="CLAIM", help="Only those taking a stance on CLAIM.")
@as_of_option
@known_at_option
@db_option
@json_option
def statements_command(  # type: ignore[no-untyped-def]
    incident, speaker, kind, claim, as_of, known_at, db, as_json
) -> None:
    """List the statements of an INCIDENT (corrections applied), in ledger order.

    With --as-of, statements whose date straddles it are listed as undetermined.
    """
    with open_service(db) as service:
        service.catch_up()
        rows = service.statements(
            incident=incident,
            speaker=speaker,
            kind=kind,
            claim=claim,
            as_of=as_of,
            known_at=known_at,
        )
    _listed(rows, StatementOutput, as_json, _statements_table)


@click.command("search")
@click.argument("text")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    metavar="N",
    default=50,
    show_default=True,
    help="Show at most N hits.",
)
@known_at_option
@db_option
@json_option
def search_command(text, limit, known_at, db, as_json) -> None:  # type: ignore[no-untyped-def]
    """Find statements, claims, incidents and actors by their words.

    Looks through quotes, paraphrases, claims, incident titles and descriptions,
    and actors' names and aliases. TEXT is words, not query syntax: every word
    must begin a word of the text; case and accents do not matter.
    """
    with open_service(db) as service:
        service.catch_up()
        found = service.search(text, known_at, limit)
    if as_json:
        click.echo(json_text(SearchOutput().dump(found)))
        return
    if not found["hits"]:
        click.echo(f"nothing found for: {' '.join(found['words'])}")
        return
    table = new_table("kind", "id", "incident", "field", "text", ids=("id",))
    for h in shown(found["hits"]):
        what = f"{h['kind']} (withdrawn)" if h.get("withdrawn") else h["kind"]
        table.add_row(what, h["id"], h["incident"] or "-", h["field"], h["text"])
    console.print(table)


LISTING_COMMANDS = (actors_command, claims_command, statements_command, search_command)
