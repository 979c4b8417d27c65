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
    json_text,
    known_at_option,
    open_ledger,
    open_service,
    recorder,
    recorder_option,
)
from ledger.domain.text import visible
from ledger.files import check_target, write_atomic
from ledger.integrity.bundle import verify_bundle
from ledger.integrity.keys import KeyFileError, load_public
from ledger.integrity.service import Integrity, IntegrityError

FAILED = 3


class _Renamed(click.Option):
    """An option whose first name is shown; its old name still works, unlisted."""

    def get_help_record(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        names = self.opts
        self.opts = names[:1]
        try:
            return super().get_help_record(ctx)
        finally:
            self.opts = names

    def get_error_hint(self, ctx: click.Context) -> str:
        return f"'{self.opts[0]}'"


private_key_option = click.option(
    "--private-key",
    "--key",
    "private_key",
    cls=_Renamed,
    metavar="PATH",
    help="The ledger's private signing key "
    "(default: $LEDGER_KEY_PATH, else DB file + .key).",
)
public_key_option = click.option(
    "--public-key",
    "public_key",
    type=click.Path(exists=True, dir_okay=False),
    help="Check signatures with this public key (default: the ledger's own).",
)
force_option = click.option(
    "--force",
    is_flag=True,
    help="Replace the --output file if it exists (never the ledger's own files).",
)


def _print(data: Any) -> None:
    click.echo(json_text(data))


def _read_json(path: str, what: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise click.BadParameter(f"cannot read the {what} {path}: {error}") from None
    except RecursionError:
        raise click.BadParameter(
            f"cannot read the {what} {path}: JSON nested too deep"
        ) from None


def _fail(messages: list[str]) -> None:
    for message in messages:
        click.echo(visible(f"FAILED: {message}"), err=True)
    sys.exit(FAILED)


@click.command("checkpoint")
@click.option(
    "--output", type=click.Path(dir_okay=False), help="Also write it to FILE."
)
@force_option
@private_key_option
@db_option
@recorder_option
def checkpoint_command(output, force, private_key, db, recorded_by) -> None:  # type: ignore[no-untyped-def]
    """Sign and record the ledger's tree size and root hash; print the checkpoint."""
    with open_ledger(db) as ledger:
        integrity = Integrity(ledger, private_key)
        own = integrity.keys.own_files()
        if output:  # before anything is recorded
            check_target(output, force=force, protected=own)
        checkpoint = integrity.checkpoint(recorder(recorded_by))
    if output:
        text = json.dumps(checkpoint, indent=2) + "\n"
        write_atomic(output, text.encode("utf-8"), force=force, protected=own)
    _print(checkpoint)


@click.command("verify")
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Also check the ledger against a checkpoint kept elsewhere.",
)
@public_key_option
@private_key_option
@db_option
@json_option
def verify_command(checkpoint_file, public_key, private_key, db, as_json) -> None:  # type: ignore[no-untyped-def]
    """Recompute every hash and every read-model row from the stored events, and
    check every checkpoint."""
    extra = [_read_json(checkpoint_file, "checkpoint")] if checkpoint_file else []
    public = load_public(Path(public_key)) if public_key else None
    with open_ledger(db) as ledger:
        report = Integrity(ledger, private_key).verify(extra, public)
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
            "every stored event matches what was recorded and signed, and the "
            "read models are exactly what the events give"
        )
    elif not as_json:
        click.echo(
            f"verified {report.events} events: every stored event matches what was "
            "recorded, and the read models are exactly what the events give; no "
            "checkpoint is signed yet, so nothing binds them: run "
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
@private_key_option
@db_option
def prove_command(statement, since, public_key, private_key, db) -> None:  # type: ignore[no-untyped-def]
    """Inclusion proofs of a STATEMENT's events, or a consistency proof --since."""
    if bool(statement) == bool(since):
        raise click.UsageError("give a STATEMENT or --since CHECKPOINT_FILE (not both)")
    public = load_public(Path(public_key)) if public_key else None
    with open_ledger(db) as ledger:
        integrity = Integrity(ledger, private_key)
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
@force_option
@private_key_option
@db_option
@recorder_option
def audit_bundle_command(
    incident, as_of, known_at, output, force, private_key, db, recorded_by
) -> None:  # type: ignore[no-untyped-def]
    """Write an INCIDENT's state, its events, their proofs and a signed checkpoint."""
    path = Path(output or f"{incident}.bundle.json")
    with open_service(db, private_key) as service:
        own = service.integrity().keys.own_files()
        check_target(path, force=force, protected=own)  # before any checkpoint
        bundle = service.audit_bundle(incident, recorder(recorded_by), as_of, known_at)
    text = json.dumps(bundle, ensure_ascii=False, indent=2) + "\n"
    write_atomic(path, text.encode("utf-8"), force=force, protected=own)
    checkpoint = bundle["checkpoint"]
    click.echo(
        f"wrote {path}: the state of {incident}, {len(bundle['events'])} events with "
        f"inclusion proofs, checkpoint at tree size {checkpoint['tree_size']} "
        f"signed by key {checkpoint['key_id'][:16]}"
    )


@click.command("verify-bundle")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--public-key",
    "--key",
    "public_key",
    cls=_Renamed,
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="The ledger's public key, obtained separately (PEM); any key the ledger "
    "has had, if the bundle carries the handovers since.",
)
def verify_bundle_command(file: str, public_key: str) -> None:
    """Check an audit bundle offline: signature, inclusion proofs, and the state."""
    try:
        bundle = _read_json(file, "bundle")
    except click.BadParameter as error:
        _fail([error.message])
    try:
        problems = verify_bundle(bundle, load_public(Path(public_key)))
    except KeyFileError as error:
        raise click.BadParameter(str(error)) from None
    if problems:
        _fail(problems)
    checkpoint = bundle["checkpoint"]
    click.echo(
        visible(
            f"{file} verifies: {len(bundle['events'])} events are in the ledger "
            f"signed at tree size {checkpoint['tree_size']} "
            f"(root {checkpoint['root_hash'][:16]}…), "
            f"and the state of {bundle['incident']} follows from them"
        )
    )


@click.group("key")
def key_group() -> None:
    """The ledger's signing key: rotate it on purpose."""


@key_group.command("rotate")
@private_key_option
@db_option
@recorder_option
def key_rotate_command(private_key, db, recorded_by) -> None:  # type: ignore[no-untyped-def]
    """Replace the signing key: the old key signs a handover, the new countersigns.

    Checkpoints signed before and after verify, and whoever holds any earlier
    public key can follow the handovers to the new one.
    """
    with open_ledger(db) as ledger:
        integrity = Integrity(ledger, private_key)
        link, archived = integrity.keys.rotate(integrity.size(), recorder(recorded_by))
    click.echo(
        f"signing key rotated at tree size {link['tree_size']}: key "
        f"{link['previous_key_id'][:16]} handed over to key {link['key_id'][:16]}"
    )
    click.echo(
        f"new key at {integrity.key_file}; new public key for auditors: "
        f"{integrity.key_file}.pub"
    )
    click.echo(f"old key moved to {archived} (and {archived}.pub)")


COMMANDS = (
    key_group,
    checkpoint_command,
    verify_command,
    prove_command,
    audit_bundle_command,
    verify_bundle_command,
)
