"""The ``ledger`` command: record, import, replay and audit incidents."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

import click

from ledger import worker
from ledger.application.problems import Problem, problem_lines
from ledger.bootstrap import init
from ledger.cli import render
from ledger.cli.common import (
    LedgerGroup,
    db_option,
    json_option,
    open_ledger,
    open_service,
    recorder,
    recorder_option,
    url_of,
)
from ledger.cli.demo import run_demo
from ledger.cli.export import export_command
from ledger.cli.integrity import COMMANDS, private_key_option
from ledger.cli.listings import LISTING_COMMANDS
from ledger.cli.queries import QUERY_COMMANDS
from ledger.cli.reading import read_records
from ledger.cli.serve import serve_command
from ledger.cli.translate import (
    correction_value,
    profile_value,
    report,
    statement_from_flags,
    stdin_object,
)
from ledger.cli.users import users
from ledger.domain.text import visible
from ledger.domain.vocabulary import (
    ATTRIBUTION_MODES,
    CORRECTABLE,
    HOP_RELATIONS,
    STANCES,
    STATEMENT_KINDS,
)
from ledger.errors import BadInput
from ledger.integrity.keys import key_id, load_public, public_path
from ledger.integrity.service import Integrity, ensure_key
from ledger.schemas.inputs import CORRECTED_KINDS


@click.group(cls=LedgerGroup)
@click.version_option(package_name="incident-ledger")
@db_option
def main(db: str | None) -> None:
    """An event-sourced ledger of what each party said about an incident."""


@main.command("init")
@db_option
@private_key_option
def init_command(db: str | None, private_key: str | None) -> None:
    """Create the ledger and its signing key, or upgrade it (safe to repeat)."""
    url = url_of(db)
    before, after = init(url)
    if before == after:
        click.echo(visible(f"ledger at {url} is up to date (schema {after})"))
    else:
        click.echo(
            visible(
                f"ledger at {url} upgraded from {before or 'nothing'} to schema {after}"
            )
        )
    path, created = ensure_key(url, private_key, recorder(None))
    public = load_public(public_path(path))
    state = "created" if created else "kept"
    click.echo(f"signing key {state} at {path} (key id {key_id(public)[:16]})")
    click.echo(f"public key for auditors: {public_path(path)}")


@main.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--max-errors",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Show at most this many bad lines (all are counted).",
)
@db_option
@recorder_option
@json_option
def import_command(
    file: str, max_errors: int, db: str | None, recorded_by: str | None, as_json: bool
) -> None:
    """Record every line of a JSON Lines FILE, or nothing if any line is refused.

    FILE ('-' for standard input) holds one JSON object a line, each with a
    "type": incident, actor, claim, statement, correction, withdrawal or grade.
    The format is described in docs/import-format.md (and, as JSON Schema, in
    docs/import-format.schema.json). Every bad line is reported, as
    FILE:LINE: field: message.
    """
    try:
        records = read_records(file)
        with open_service(db) as service, render.progress("projecting") as advance:
            result = service.write(records, recorder(recorded_by), advance)
    except BadInput as error:
        _refused(file, error.problems, max_errors)
    report(file, result, as_json)


def _refused(file: str, problems: list[Problem], max_errors: int) -> None:
    for text in problem_lines(file, problems[:max_errors]):
        click.echo(visible(text), err=True)
    if len(problems) > 1:
        shown = (
            f" (the first {max_errors} shown; see --max-errors)"
            if len(problems) > max_errors
            else ""
        )
        click.echo(f"{len(problems)} errors; nothing was recorded{shown}", err=True)
    sys.exit(1)


@main.command("record")
@click.option("--id", "slug", help="Statement id (default: a new st-… id).")
@click.option("--incident", help="Incident id.")
@click.option("--speaker", help="Actor id, name or alias of who said it.")
@click.option("--kind", help=f"What kind of statement: {', '.join(STATEMENT_KINDS)}.")
@click.option(
    "--stated-at", help="When it was said: 2019, 2019-12, 2019-12-03 or an instant."
)
@click.option(
    "--claim",
    "claims",
    multiple=True,
    metavar="CLAIM[=STANCE]",
    help="A claim it concerns (repeat for several); STANCE is "
    f"{' or '.join(STANCES)} (default: the kind's).",
)
@click.option("--quote", help="The speaker's exact words.")
@click.option("--paraphrase", help="What the speaker said, in the recorder's words.")
@click.option("--hedging", help="The speaker's own hedging, as said ('believes').")
@click.option(
    "--attribute",
    "attributed",
    multiple=True,
    metavar="ACTOR",
    help="Held responsible.",
)
@click.option(
    "--attribution-mode",
    type=click.Choice(ATTRIBUTION_MODES),
    help="How the --attribute actors are held responsible: sole (one actor), "
    "either (one of them, not saying which) or jointly (all of them together). "
    "Default: sole.",
)
@click.option("--demand-of", metavar="ACTOR", help="Addressee of a demand.")
@click.option("--demand-action", metavar="TEXT", help="What the demand asks.")
@click.option(
    "--responds-to",
    metavar="STATEMENT",
    help="The demand a refusal/fulfilment answers.",
)
@click.option(
    "--retracts", metavar="STATEMENT", help="The speaker's statement it retracts."
)
@click.option(
    "--via",
    "hops",
    multiple=True,
    metavar="RELATION:AGENT",
    help="A provenance hop, from the speaker towards the document (repeat, in "
    f"order); RELATION is one of {', '.join(HOP_RELATIONS)}; AGENT an actor.",
)
@click.option("--note", help="A recorder's note.")
@db_option
@recorder_option
@json_option
def record_command(db, recorded_by, as_json, **flags) -> None:  # type: ignore[no-untyped-def]
    """Record one statement, from flags or from one JSON object on stdin."""
    if not any(v for v in flags.values()) and not sys.stdin.isatty():
        data = stdin_object()
    else:
        data = statement_from_flags(flags)
    with open_service(db) as service:
        result = service.record_statement(data, recorder(recorded_by))
    report("record", result, as_json)


@main.command("correct")
@click.argument("record_id", metavar="ID")
@click.option(
    "--of",
    "kind",
    type=click.Choice(CORRECTED_KINDS),
    default="statement",
    show_default=True,
    help="What ID names: a statement, or an incident, actor or claim.",
)
@click.option(
    "--field",
    "field_",
    required=True,
    help="The field to correct. A statement's: "
    f"{', '.join(CORRECTABLE['statement'])}. An incident's: "
    f"{', '.join(CORRECTABLE['incident'])}. An actor's: "
    f"{', '.join(CORRECTABLE['actor'])}. A claim's: "
    f"{', '.join(CORRECTABLE['claim'])}.",
)
@click.option(
    "--value",
    required=True,
    help="The new value: text, or JSON for attribution, demand, provenance and "
    "aliases (as in an import line). For claims, JSON or CLAIM[=STANCE],"
    "CLAIM[=STANCE]. An empty value removes an optional field.",
)
@click.option("--reason", required=True, help="Why the correction is made.")
@click.option("--id", "slug", help="Id of this correction (default: a new cx-… id).")
@db_option
@recorder_option
@json_option
def correct_command(
    record_id, kind, field_, value, reason, slug, db, recorded_by, as_json
) -> None:  # type: ignore[no-untyped-def]
    """Record a correction of one field of a statement (or, with --of, of an
    incident, actor or claim); the old value stays in the history, and state
    as known before the correction shows it."""
    given = (
        correction_value(field_, value)
        if kind == "statement"
        else profile_value(field_, value)
    )
    with open_service(db) as service:
        result = service.correct(
            record_id,
            field_,
            given,
            reason,
            recorder(recorded_by),
            kind=kind,
            change_id=slug,
        )
    report("correct", result, as_json)


@main.command("merge")
@click.argument("actor")
@click.option(
    "--into",
    required=True,
    help="The actor ACTOR was found to be (id, name or alias).",
)
@click.option("--reason", required=True, help="Why they are one person or body.")
@click.option("--id", "slug", help="Id of this merge (default: a new cx-… id).")
@db_option
@recorder_option
@json_option
def merge_command(actor, into, reason, slug, db, recorded_by, as_json) -> None:  # type: ignore[no-untyped-def]
    """Record that ACTOR is the same person or body as another: state and
    provenance show them as one; the history keeps both ids. (A correction of
    ACTOR's same_as; correct same_as to empty to undo it.)"""
    with open_service(db) as service:
        result = service.merge(
            actor, into, reason, recorder(recorded_by), change_id=slug
        )
    report("merge", result, as_json)


@main.command("withdraw")
@click.argument("statement")
@click.option("--reason", required=True, help="Why the statement was entered in error.")
@click.option("--id", "slug", help="Id of this withdrawal (default: a new wd-… id).")
@db_option
@recorder_option
@json_option
def withdraw_command(statement, reason, slug, db, recorded_by, as_json) -> None:  # type: ignore[no-untyped-def]
    """Withdraw a STATEMENT entered in error; it stays visible in the history."""
    with open_service(db) as service:
        result = service.withdraw(
            statement, reason, recorder(recorded_by), change_id=slug
        )
    report("withdraw", result, as_json)


@main.command("grade")
@click.argument("statement")
@click.option(
    "--reliability",
    help="Source reliability, A (reliable) to F (cannot be judged); b reads as B.",
)
@click.option(
    "--credibility",
    type=int,
    help="Credibility, 1 (confirmed) to 6 (cannot be judged).",
)
@click.option("--reason", help="Why this grade.")
@click.option("--id", "slug", help="Id of this grade (default: a new gr-… id).")
@db_option
@recorder_option
@json_option
def grade_command(
    statement, reliability, credibility, reason, slug, db, recorded_by, as_json
) -> None:  # type: ignore[no-untyped-def]
    """Grade a STATEMENT, Admiralty style: source reliability and credibility."""
    if reliability is None and credibility is None:
        raise click.UsageError("give --reliability (A-F), --credibility (1-6) or both")
    with open_service(db) as service:
        result = service.grade(
            statement,
            recorder(recorded_by),
            reliability=reliability,
            credibility=credibility,
            reason=reason,
            change_id=slug,
        )
    report("grade", result, as_json)


@main.command("project")
@click.option(
    "--follow", is_flag=True, help="Keep projecting new events until stopped."
)
@click.option(
    "--interval",
    type=click.FloatRange(min=0.05),
    default=1.0,
    show_default=True,
    help="Seconds between checks (SQLite) or the longest wait for a notification.",
)
@db_option
def project_command(follow: bool, interval: float, db: str | None) -> None:
    """Bring the read models up to date; with --follow, keep them so (a worker)."""
    stop = threading.Event()
    if follow:
        for name in ("SIGTERM", "SIGINT"):
            signal.signal(getattr(signal, name), lambda *_: stop.set())
    with open_ledger(db) as ledger:
        if not follow:
            click.echo(f"projected {ledger.project()} events; read models are current")
            return
        click.echo(f"following {ledger.url}; stop with Ctrl-C or SIGTERM", err=True)

        def report(done: int) -> None:
            position = ledger.view.max_tracking_id(ledger.app.name)
            click.echo(f"projected {done} events, read models at sequence {position}")

        total = worker.follow(ledger, stop, interval, report)
    click.echo(f"stopped after projecting {total} events", err=True)


@main.command("rebuild")
@click.option("--force", is_flag=True, help="Rebuild even if stored events differ.")
@db_option
def rebuild_command(db: str | None, force: bool) -> None:
    """Empty the read models and rebuild them from the stored events alone.

    A rebuild recomputes every leaf hash from the events as they are now, so it
    first checks them against the recorded ones and refuses if they differ.
    """
    with open_ledger(db) as ledger:
        findings = [] if force else Integrity(ledger).compare_leaves()
        if findings:
            click.echo(
                f"refusing to rebuild: {visible(findings[0].message)}\n"
                "a rebuild would erase this evidence; run `ledger verify`, "
                "or --force to rebuild anyway",
                err=True,
            )
            sys.exit(3)
        total = ledger.app.max_sequence()
        with render.progress("rebuilding", total) as advance:
            done = ledger.rebuild(advance)
    click.echo(f"rebuilt the read models from {done} events")


@main.command("demo")
@click.option(
    "--db",
    "db",
    metavar="URL",
    help="Build the demo in this new, empty ledger instead of a throwaway file.",
)
@click.option(
    "--example",
    type=click.Path(exists=True, dir_okay=False),
    help="The import file to build the demo from; FILE.demo.json says what to show "
    "(default: the example the package ships).",
)
def demo_command(db: str | None, example: str | None) -> None:
    """Build a throwaway ledger from an example and walk through it."""
    run_demo(db, Path(example) if example else None)


for _command in (
    *QUERY_COMMANDS,
    *LISTING_COMMANDS,
    *COMMANDS,
    export_command,
    users,
    serve_command,
):
    main.add_command(_command)
