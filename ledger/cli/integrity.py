"""Tamper evidence on the command line: checkpoint, verify, prove, audit bundles.

Failed checks exit with code 3 (user mistakes exit with 1, usage errors with 2).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ledger.cli.common import (
    as_of_option,
    db_option,
    json_option,
    known_at_option,
    open_ledger,
    open_service,
    recorder,
    recorder_option,
)
from ledger.integrity.bundle import verify_bundle
from ledger.integrity.keys import KeyFileError, load_public
from ledger.integrity.service import Integrity, IntegrityError

FAILED = 3

key_option = click.option(
    "--key",
    metavar="PATH",
    help="The ledger's signing key (default: $LEDGER_KEY_PATH, else DB file + .key).",
)
public_key_option = click.option(
    "--public-key",
    "public_key",
    type=click.Path(exists=True, dir_okay=False),
    help="Check signatures with this public key (default: the ledger's own).",
)


def _print(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _read_json(path: str, what: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise click.BadParameter(f"cannot read the {what} {path}: {error}") from None


def _fail(messages: list[str]) -> None:
    for message in messages:
        click.echo(f"FAILED: {message}", err=True)
    sys.exit(FAILED)


@click.command("checkpoint")
@click.option(
    "--output", type=click.Path(dir_okay=False), help="Also write it to FILE."
)
@key_option
@db_option
@recorder_option
def checkpoint_command(output, key, db, recorded_by) -> None:  # type: ignore[no-untyped-def]
    """Sign and record the ledger's tree size and root hash; print the checkpoint."""
    with open_ledger(db) as ledger:
        checkpoint = Integrity(ledger, key).checkpoint(recorder(recorded_by))
    if output:
        Path(output).write_text(
            json.dumps(checkpoint, indent=2) + "\n", encoding="utf-8"
        )
    _print(checkpoint)


@click.command("verify")
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Also check the ledger against a checkpoint kept elsewhere.",
)
@public_key_option
@key_option
@db_option
@json_option
def verify_command(checkpoint_file, public_key, key, db, as_json) -> None:  # type: ignore[no-untyped-def]
    """Recompute every hash from the stored events and check every checkpoint."""
    extra = [_read_json(checkpoint_file, "checkpoint")] if checkpoint_file else []
    public = load_public(Path(public_key)) if public_key else None
    with open_ledger(db) as ledger:
        report = Integrity(ledger, key).verify(extra, public)
    findings = [{"seq": f.seq, "message": f.message} for f in report.findings]
    summary = {
        "ok": report.ok,
        "events": report.events,
        "checkpoints": report.checkpoints,
    }
    if as_json:
        _print({**summary, "findings": findings})
    if not report.ok:
        _fail([f.message for f in report.findings])
    if not as_json and report.checkpoints:
        click.echo(
            f"verified {report.events} events and {report.checkpoints} "
            f"checkpoint{'' if report.checkpoints == 1 else 's'}: "
            "every stored event matches what was recorded and signed"
        )
    elif not as_json:
        click.echo(
            f"verified {report.events} events: every stored event matches what was "
            "recorded; no checkpoint is signed yet, so nothing binds them: run "
            "`ledger checkpoint` and keep a copy elsewhere"
        )


@click.command("prove")
@click.argument("statement", required=False)
@click.option(
    "--since",
    "since",
    type=click.Path(exists=True, dir_okay=False),
    help="A consistency proof from this older checkpoint to the latest one.",
)
@public_key_option
@key_option
@db_option
def prove_command(statement, since, public_key, key, db) -> None:  # type: ignore[no-untyped-def]
    """Inclusion proofs of a STATEMENT's events, or a consistency proof --since."""
    if bool(statement) == bool(since):
        raise click.UsageError("give a STATEMENT or --since CHECKPOINT_FILE (not both)")
    public = load_public(Path(public_key)) if public_key else None
    with open_ledger(db) as ledger:
        integrity = Integrity(ledger, key)
        try:
            if since:
                proof = integrity.prove_since(_read_json(since, "checkpoint"), public)
            else:
                proof = integrity.prove_statement(statement)
        except IntegrityError as error:
            _fail([str(error)])
    _print(proof)


@click.command("audit-bundle")
@click.argument("incident")
@as_of_option
@known_at_option
@click.option(
    "--output",
    type=click.Path(dir_okay=False),
    help="Where to write the bundle (default: INCIDENT.bundle.json).",
)
@key_option
@db_option
@recorder_option
def audit_bundle_command(
    incident, as_of, known_at, output, key, db, recorded_by
) -> None:  # type: ignore[no-untyped-def]
    """Write an INCIDENT's state, its events, their proofs and a signed checkpoint."""
    with open_service(db, key) as service:
        bundle = service.audit_bundle(incident, recorder(recorded_by), as_of, known_at)
    path = Path(output or f"{incident}.bundle.json")
    path.write_text(json.dumps(bundle, ensure_ascii=False, indent=2) + "\n", "utf-8")
    checkpoint = bundle["checkpoint"]
    click.echo(
        f"wrote {path}: the state of {incident}, {len(bundle['events'])} events with "
        f"inclusion proofs, checkpoint at tree size {checkpoint['tree_size']} "
        f"signed by key {checkpoint['key_id'][:16]}"
    )


@click.command("verify-bundle")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--key",
    "public_key",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="The ledger's public key, obtained separately (PEM).",
)
def verify_bundle_command(file: str, public_key: str) -> None:
    """Check an audit bundle offline: signature, inclusion proofs, and the state."""
    bundle = _read_json(file, "bundle")
    try:
        problems = verify_bundle(bundle, load_public(Path(public_key)))
    except KeyFileError as error:
        raise click.BadParameter(str(error)) from None
    if problems:
        _fail(problems)
    checkpoint = bundle["checkpoint"]
    click.echo(
        f"{file} verifies: {len(bundle['events'])} events are in the ledger signed at "
        f"tree size {checkpoint['tree_size']} (root {checkpoint['root_hash'][:16]}…), "
        f"and the state of {bundle['incident']} follows from them"
    )


COMMANDS = (
    checkpoint_command,
    verify_command,
    prove_command,
    audit_bundle_command,
    verify_bundle_command,
)
