"""The ``ledger`` command: record, import, replay and audit incidents."""

from __future__ import annotations

import json
import signal
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

import click

from ledger import worker
from ledger.application.planning import RecordError
from ledger.bootstrap import ROOT, Ledger, init
from ledger.cli import render
from ledger.cli.common import (
    LedgerGroup,
    as_of_date,
    as_of_option,
    db_option,
    emit,
    json_option,
    known_at_option,
    open_ledger,
    recorder,
    recorder_option,
    url_of,
)
from ledger.cli.demo import run_demo
from ledger.cli.integrity import COMMANDS, key_option
from ledger.cli.reading import read_records
from ledger.cli.serve import serve_command
from ledger.cli.users import users
from ledger.integrity.keys import KeyFileError, key_id, load_public, public_path
from ledger.integrity.service import Integrity, ensure_key, key_path
from ledger.projections.queries import KnownAt
from ledger.schemas.inputs import (
    CorrectionInput,
    GradeInput,
    StatementInput,
    WithdrawalInput,
)
from ledger.schemas.lines import InputError, load_with
from ledger.schemas.outputs import (
    HistoryOutput,
    ImportOutput,
    IncidentOutput,
    ProvenanceOutput,
    StateOutput,
)


@click.group(cls=LedgerGroup)
@click.version_option(package_name="incident-ledger")
@db_option
def main(db: str | None) -> None:
    """An event-sourced ledger of what each party said about an incident."""


@main.command("init")
@db_option
@key_option
def init_command(db: str | None, key: str | None) -> None:
    """Create the ledger and its signing key, or upgrade it (safe to repeat)."""
    url = url_of(db)
    before, after = init(url)
    if before == after:
        click.echo(f"ledger at {url} is up to date (schema {after})")
    else:
        click.echo(
            f"ledger at {url} upgraded from {before or 'nothing'} to schema {after}"
        )
    path = key_path(url, key)
    if not path.exists():
        with Ledger(url) as ledger:
            signed = Integrity(ledger, key).checkpoints()
        if signed:
            raise KeyFileError(
                f"the signing key {path} is missing, and {len(signed)} "
                f"{'checkpoint was' if len(signed) == 1 else 'checkpoints were'} "
                f"signed with key {signed[-1]['key_id'][:16]}: restore it "
                "(or give --key); a new key would make them unverifiable"
            )
    path, created = ensure_key(url, key)
    public = load_public(public_path(path))
    state = "created" if created else "kept"
    click.echo(f"signing key {state} at {path} (key id {key_id(public)[:16]})")
    click.echo(f"public key for auditors: {public_path(path)}")


@main.command("import")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@db_option
@recorder_option
@json_option
def import_command(
    file: str, db: str | None, recorded_by: str | None, as_json: bool
) -> None:
    """Record every line of a JSON Lines FILE, or nothing if any line is refused."""
    try:
        records = read_records(file)
        with open_ledger(db) as ledger, render.progress("projecting") as advance:
            result = ledger.write(records, recorder(recorded_by), advance)
    except (InputError, RecordError) as error:
        where = f"{file}:{error.line}" if error.line is not None else file
        click.echo(f"{where}: {error.field}: {error.message}", err=True)
        sys.exit(1)
    _report(file, result, as_json, [])


def _report(source: str, result: Any, as_json: bool, ids: list[str]) -> None:
    data = {
        "source": source,
        "recorded": result.recorded,
        "new": dict(result.new),
        "unchanged": dict(result.unchanged),
        "ids": ids,
    }
    emit(data, ImportOutput, as_json, render.write_summary)


def _write_one(
    db, recorded_by, record: dict[str, Any], as_json: bool, source: str
) -> None:
    with open_ledger(db) as ledger:
        result = ledger.write([(None, record)], recorder(recorded_by))
    _report(source, result, as_json, [record["id"]])


@main.command("record")
@click.option("--id", "slug", help="Statement id (default: a new st-… id).")
@click.option("--incident", help="Incident id.")
@click.option("--speaker", help="Actor id, name or alias of who said it.")
@click.option("--kind", help="report, assessment, demand, denial, … (see docs/cli.md).")
@click.option(
    "--stated-at", help="When it was said: 2019, 2019-12, 2019-12-03 or an instant."
)
@click.option(
    "--claim",
    "claims",
    multiple=True,
    metavar="CLAIM[=STANCE]",
    help="Claim it concerns.",
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
@click.option("--attribution-mode", type=click.Choice(["sole", "either", "jointly"]))
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
    "--via", "hops", multiple=True, metavar="RELATION:AGENT", help="A provenance hop."
)
@click.option("--note", help="A recorder's note.")
@db_option
@recorder_option
@json_option
def record_command(db, recorded_by, as_json, **flags) -> None:  # type: ignore[no-untyped-def]
    """Record one statement, from flags or from one JSON object on stdin."""
    if not any(v for v in flags.values()) and not sys.stdin.isatty():
        data = _stdin_object()
        data.setdefault("type", "statement")
        data.setdefault("id", _new_id("st"))
    else:
        with open_ledger(db) as ledger:
            data = _statement_from_flags(flags, ledger)
    record = load_with(StatementInput, data)
    _write_one(db, recorded_by, record, as_json, "record")


def _stdin_object() -> dict[str, Any]:
    try:
        text = sys.stdin.buffer.read().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError("(stdin)", f"not UTF-8 text ({error.reason})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            "(stdin)", f"not valid JSON: {error.msg} at line {error.lineno}"
        ) from None
    if not isinstance(data, dict):
        raise InputError("(stdin)", "give one JSON object")
    return data


def _new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def _actor(ledger: Ledger, ref: str | None, field: str) -> str | None:
    if not ref:
        return None
    found = ledger.read.resolve_actor(ref)
    if len(found) == 1:
        return found[0]
    if not found:
        raise InputError(field, f"no actor {ref!r} is recorded (by id, name or alias)")
    raise InputError(
        field, f"{ref!r} names several actors: {', '.join(found)}; use an id"
    )


def _statement_from_flags(flags: dict[str, Any], ledger: Ledger) -> dict[str, Any]:
    claims = []
    for item in flags["claims"]:
        claim, _, stance = item.partition("=")
        claims.append({"claim": claim, **({"stance": stance} if stance else {})})
    hops = []
    for i, item in enumerate(flags["hops"]):
        relation, sep, agent = item.partition(":")
        if not sep:
            raise InputError(
                f"provenance.{i}", "write a hop as RELATION:AGENT, e.g. told:reuters"
            )
        hops.append(
            {
                "relation": relation,
                "agent": _actor(ledger, agent, f"provenance.{i}.agent"),
            }
        )
    data: dict[str, Any] = {
        "type": "statement",
        "id": flags["slug"] or _new_id("st"),
        "incident": flags["incident"],
        "speaker": _actor(ledger, flags["speaker"], "speaker"),
        "kind": flags["kind"],
        "stated_at": flags["stated_at"],
        "claims": claims,
        "quote": flags["quote"],
        "paraphrase": flags["paraphrase"],
        "hedging": flags["hedging"],
        "responds_to": flags["responds_to"],
        "retracts": flags["retracts"],
        "provenance": hops,
        "note": flags["note"],
    }
    if flags["attributed"]:
        actors = [_actor(ledger, a, "attribution.actors") for a in flags["attributed"]]
        data["attribution"] = {
            "actors": actors,
            "mode": flags["attribution_mode"] or "sole",
        }
    if flags["demand_of"] or flags["demand_action"]:
        addressee = _actor(ledger, flags["demand_of"], "demand.addressee")
        data["demand"] = {"addressee": addressee, "action": flags["demand_action"]}
    return {k: v for k, v in data.items() if v not in (None, [], "")}


@main.command("correct")
@click.argument("statement")
@click.option("--field", "field_", required=True, help="The field to correct.")
@click.option(
    "--value", required=True, help="The new value (JSON for lists and objects)."
)
@click.option("--reason", required=True, help="Why the correction is made.")
@click.option("--id", "slug", help="Id of this correction (default: a new cx-… id).")
@db_option
@recorder_option
@json_option
def correct_command(
    statement, field_, value, reason, slug, db, recorded_by, as_json
) -> None:  # type: ignore[no-untyped-def]
    """Record a correction of one field of a STATEMENT; the old value stays in the
    history."""
    if field_ == "speaker":
        with open_ledger(db) as ledger:
            value = _actor(ledger, value, "speaker")
    data = {
        "type": "correction",
        "id": slug or _new_id("cx"),
        "statement": statement,
        "field": field_,
        "value": _value(field_, value),
        "reason": reason,
    }
    _write_one(db, recorded_by, load_with(CorrectionInput, data), as_json, "correct")


def _value(field: str, text: str) -> Any:
    if field in ("claims", "attribution", "demand", "provenance"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError("value", f"{field} takes JSON: {error.msg}") from None
    return text


@main.command("withdraw")
@click.argument("statement")
@click.option("--reason", required=True, help="Why the statement was entered in error.")
@click.option("--id", "slug", help="Id of this withdrawal (default: a new wd-… id).")
@db_option
@recorder_option
@json_option
def withdraw_command(statement, reason, slug, db, recorded_by, as_json) -> None:  # type: ignore[no-untyped-def]
    """Withdraw a STATEMENT entered in error; it stays visible in the history."""
    data = {
        "type": "withdrawal",
        "id": slug or _new_id("wd"),
        "statement": statement,
        "reason": reason,
    }
    _write_one(db, recorded_by, load_with(WithdrawalInput, data), as_json, "withdraw")


@main.command("grade")
@click.argument("statement")
@click.option(
    "--reliability", help="Source reliability, A (reliable) to F (cannot be judged)."
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
    data = {
        "type": "grade",
        "id": slug or _new_id("gr"),
        "statement": statement,
        "reliability": reliability,
        "credibility": credibility,
        "reason": reason,
    }
    _write_one(db, recorded_by, load_with(GradeInput, data), as_json, "grade")


@main.command("incidents")
@db_option
@json_option
def incidents_command(db: str | None, as_json: bool) -> None:
    """List the incidents in the ledger."""
    with open_ledger(db) as ledger:
        ledger.project()
        data = ledger.read.incidents()
    if as_json:
        click.echo(
            json.dumps(
                IncidentOutput(many=True).dump(data), ensure_ascii=False, indent=2
            )
        )
    else:
        render.incidents(data)


@main.command("state")
@click.argument("incident")
@as_of_option
@known_at_option
@db_option
@json_option
def state_command(incident, as_of, known_at, db, as_json) -> None:  # type: ignore[no-untyped-def]
    """The claims, sides, statuses and demands of an INCIDENT."""
    with open_ledger(db) as ledger:
        ledger.project()
        data = ledger.read.state(incident, as_of_date(as_of), KnownAt.parse(known_at))
    emit(data, StateOutput, as_json, render.state)


@main.command("history")
@click.argument("incident", required=False)
@as_of_option
@known_at_option
@db_option
@json_option
def history_command(incident, as_of, known_at, db, as_json) -> None:  # type: ignore[no-untyped-def]
    """Every ledger event of an INCIDENT (or of the whole ledger), in ledger order."""
    with open_ledger(db) as ledger:
        ledger.project()
        data = ledger.read.history(incident, as_of_date(as_of), KnownAt.parse(known_at))
    emit(data, HistoryOutput, as_json, render.history)


@main.command("provenance")
@click.argument("statement_or_claim")
@known_at_option
@db_option
@json_option
def provenance_command(statement_or_claim, known_at, db, as_json) -> None:  # type: ignore[no-untyped-def]
    """Where a statement came from, or every statement behind a claim."""
    with open_ledger(db) as ledger:
        ledger.project()
        data = ledger.read.provenance(statement_or_claim, KnownAt.parse(known_at))
    emit(data, ProvenanceOutput, as_json, render.provenance)


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
                f"refusing to rebuild: {findings[0].message}\n"
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
    default=str(ROOT / "examples" / "libya-drone.jsonl"),
    show_default=True,
    help="The import file to build the demo from; FILE.demo.json says what to show.",
)
def demo_command(db: str | None, example: str) -> None:
    """Build a throwaway ledger from an example and walk through it."""
    run_demo(db, Path(example))


for _command in (*COMMANDS, users, serve_command):
    main.add_command(_command)
