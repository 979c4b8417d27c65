"""``ledger export``: the ledger, or one incident, as import lines, CSV or W3C PROV."""

from __future__ import annotations

import click

from ledger.cli.common import db_option, known_at_option, open_service
from ledger.cli.integrity import force_option
from ledger.exports import FORMATS, export_bytes
from ledger.files import check_target, write_atomic


@click.command("export")
@click.argument("incident", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="jsonl",
    show_default=True,
    help="jsonl: import lines that rebuild the same ledger; csv: one row per "
    "statement and stance; prov-json, prov-n, prov-o: W3C PROV.",
)
@known_at_option
@click.option(
    "--output",
    type=click.Path(dir_okay=False),
    help="Write to FILE (default: standard output).",
)
@force_option
@db_option
def export_command(incident, fmt, known_at, output, force, db) -> None:  # type: ignore[no-untyped-def]
    """Export the ledger, or one INCIDENT (with the actors it names)."""
    with open_service(db) as service:
        service.catch_up()
        own = service.integrity().keys.own_files()
        if output:  # before the work of exporting
            check_target(output, force=force, protected=own)
        data = export_bytes(service, fmt, incident, known_at)
    if output:
        write_atomic(output, data, force=force, protected=own)
        click.echo(f"wrote {output} ({fmt}, {len(data)} bytes)", err=True)
    else:
        click.echo(data, nl=False)
