"""Files the ledger writes, and the keys that sign it.

No command writes over a file the user did not name as disposable: an existing
``--output`` needs ``--force``, the ledger's own database and key files are
refused even then, and a path that cannot be written is refused before anything
is recorded. Checkpoints are signed only with the ledger's current key, which
changes only through ``ledger key rotate``; checkpoints of every key the ledger
had keep verifying, and an auditor holding an older public key follows the
handovers.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.bootstrap import Ledger
from ledger.cli.main import main
from ledger.files import FileRefused, write_atomic
from ledger.integrity.bundle import verify_bundle
from ledger.integrity.checkpoints import make_checkpoint, root_of
from ledger.integrity.keyring import chain_problems
from ledger.integrity.keys import create_key, key_id, load_private, load_public
from ledger.integrity.keystore import KeyMismatch, KeyStore
from tests.integration import test_integrity
from tests.integration.test_integrity import (
    INCIDENT,
    as_attacker,
    checkpoint,
    failed,
    fetch,
    ok,
    pub_file,
    write_json,
)
from tests.support import ExampleLedger

pytestmark = pytest.mark.integrity

# The tampering tests' ledgers: the seizure example, imported once on SQLite.
sqlite_seized = test_integrity.sqlite_seized
seized = test_integrity.seized


def refused(result, *phrases: str) -> None:
    """A run refused as a user mistake: exit code 1, one line, no traceback."""
    assert result.exit_code == 1, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for phrase in phrases:
        assert phrase in result.stderr, (phrase, result.stderr)


def checkpoints_recorded(ledger: ExampleLedger) -> int:
    return fetch(ledger, "SELECT count(*) FROM checkpoints")[0][0]


def snapshot(paths: list[Path]) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in paths if p.exists()}


def key_files(ledger: ExampleLedger) -> list[Path]:
    return [ledger.key, pub_file(ledger)]


def database_files(ledger: ExampleLedger) -> list[Path]:
    return [Path(f"{ledger.path}{s}") for s in ("", "-wal", "-shm", "-journal")]


def no_json_in(paths: list[Path]) -> None:
    """SQLite rewrites its own files as it pleases; none of them holds our JSON."""
    for path in paths:
        if path.exists():
            assert b"incident-ledger-" not in path.read_bytes()[:4096], path


# --- 1. never over the ledger's own files -------------------------------------------


@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
@pytest.mark.parametrize("command", ["checkpoint", "audit-bundle"])
def test_the_ledgers_key_files_are_never_written_over(seized, command, force):
    before = snapshot(key_files(seized))
    count = checkpoints_recorded(seized)
    for target in (seized.key, pub_file(seized)):
        args = ["checkpoint"] if command == "checkpoint" else ["audit-bundle", INCIDENT]
        args += ["--output", str(target)] + (["--force"] if force else [])
        refused(seized.cli(*args), str(target))
    assert snapshot(key_files(seized)) == before
    assert checkpoints_recorded(seized) == count
    ok(seized.cli("verify"))


@pytest.mark.sqlite_only
@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
@pytest.mark.parametrize("command", ["checkpoint", "audit-bundle"])
def test_the_database_and_its_companions_are_refused_even_with_force(
    seized, command, suffix
):
    target = Path(f"{seized.path}{suffix}")
    if not target.exists():
        target.write_bytes(b"")  # SQLite makes them while the ledger is open
    before = snapshot(key_files(seized))
    args = ["checkpoint"] if command == "checkpoint" else ["audit-bundle", INCIDENT]
    result = seized.cli(*args, "--output", str(target), "--force")
    refused(result, "one of the ledger's own files", "even with --force")
    assert snapshot(key_files(seized)) == before
    no_json_in(database_files(seized))
    assert checkpoints_recorded(seized) == 0
    ok(seized.cli("verify"))
    ok(seized.cli("state", INCIDENT))


@pytest.mark.sqlite_only
def test_a_link_to_the_database_is_refused(seized, tmp_path):
    link = tmp_path / "innocent.json"
    link.symlink_to(seized.path)
    refused(seized.cli("checkpoint", "--output", str(link), "--force"), "own files")
    assert link.is_symlink()
    no_json_in(database_files(seized))


def test_init_never_writes_over_a_public_key_without_its_private_key(tmp_path):
    ledger = ExampleLedger.new(tmp_path)
    pub_file(ledger).write_text("kept by the user\n")
    refused(ledger.cli("init"), "refusing to replace", str(pub_file(ledger)))
    assert pub_file(ledger).read_text() == "kept by the user\n"
    assert not ledger.key.exists()


@pytest.mark.sqlite_only
def test_init_refuses_a_key_path_that_is_the_database(tmp_path):
    ledger = ExampleLedger.new(tmp_path)
    journal = Path(f"{ledger.path}-journal")
    refused(ledger.cli("init", "--private-key", str(journal)), "own files")
    assert not journal.exists() and not Path(f"{journal}.pub").exists()
    # an existing one is read as a key, and refused as one: never written
    refused(ledger.cli("init", "--private-key", str(ledger.path)), "cannot read")
    assert not Path(f"{ledger.path}.pub").exists()
    ok(ledger.cli("init"))


# --- 2. an existing file needs --force; a bad path records nothing -------------------


@pytest.mark.parametrize("command", ["checkpoint", "audit-bundle"])
def test_an_existing_output_needs_force(seized, tmp_path, command):
    target = tmp_path / "mine.json"
    target.write_text("the user's own file\n")
    args = ["checkpoint"] if command == "checkpoint" else ["audit-bundle", INCIDENT]
    refused(seized.cli(*args, "--output", str(target)), "--force")
    assert target.read_text() == "the user's own file\n"
    assert checkpoints_recorded(seized) == 0
    ok(seized.cli(*args, "--output", str(target), "--force"))
    written = json.loads(target.read_text())
    assert written["format"].startswith("incident-ledger-")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_the_default_bundle_file_is_not_replaced_either(seized, tmp_path):
    default = Path(f"{INCIDENT}.bundle.json")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        default.write_text("an older bundle\n")
        refused(seized.cli("audit-bundle", INCIDENT), str(default))
        assert default.read_text() == "an older bundle\n"
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize("command", ["checkpoint", "audit-bundle"])
def test_an_output_in_a_missing_directory_records_nothing(seized, tmp_path, command):
    target = tmp_path / "nodir" / "out.json"
    args = ["checkpoint"] if command == "checkpoint" else ["audit-bundle", INCIDENT]
    refused(seized.cli(*args, "--output", str(target)), "does not exist")
    assert checkpoints_recorded(seized) == 0
    assert not target.parent.exists()


def test_an_output_that_is_a_directory_is_a_usage_error(seized, tmp_path):
    result = seized.cli("checkpoint", "--output", str(tmp_path))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert checkpoints_recorded(seized) == 0


class TestAtomicWrites:
    """The writer itself; no database."""

    @pytest.fixture(autouse=True)
    def _on_backend(self):
        yield

    def test_a_write_leaves_the_whole_file_and_no_temporary_file(self, tmp_path):
        target = write_atomic(tmp_path / "a.json", b"{}\n")
        assert target.read_bytes() == b"{}\n"
        with pytest.raises(FileRefused, match="exists"):
            write_atomic(target, b"other")
        assert target.read_bytes() == b"{}\n"
        write_atomic(target, b"new", force=True)
        assert target.read_bytes() == b"new"
        assert [p.name for p in tmp_path.iterdir()] == ["a.json"]

    def test_a_failed_write_leaves_the_old_file(self, tmp_path, monkeypatch):
        target = tmp_path / "a.json"
        target.write_bytes(b"old")

        def broken(*_):
            raise OSError("disk full")

        monkeypatch.setattr(os, "replace", broken)
        with pytest.raises(OSError, match="disk full"):
            write_atomic(target, b"new", force=True)
        assert target.read_bytes() == b"old"
        assert [p.name for p in tmp_path.iterdir()] == ["a.json"]

    def test_a_private_key_is_created_0600(self, tmp_path):
        key = tmp_path / "k.key"
        assert create_key(key)
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        assert not create_key(key)  # never replaced


# --- 3. only the ledger's key signs --------------------------------------------------


def test_a_checkpoint_with_another_key_is_refused_and_verify_still_passes(
    seized, tmp_path
):
    other = tmp_path / "other.key"
    assert create_key(other)
    count = checkpoints_recorded(seized)
    result = seized.cli("checkpoint", "--private-key", str(other))
    refused(result, "not the ledger's key", key_id(load_public(pub_file(seized)))[:16])
    assert checkpoints_recorded(seized) == count
    result = seized.cli("audit-bundle", INCIDENT, "--private-key", str(other))
    refused(result, "not the ledger's key")
    ok(seized.cli("checkpoint"))
    ok(seized.cli("verify"))
    # and init with that key will not adopt it either
    refused(seized.cli("init", "--private-key", str(other)), "not the ledger's key")


def test_the_old_key_option_name_still_works_but_is_not_shown(seized, tmp_path):
    other = tmp_path / "other.key"
    assert create_key(other)
    refused(seized.cli("checkpoint", "--key", str(other)), "not the ledger's key")
    for command in ("checkpoint", "verify", "prove", "audit-bundle", "init"):
        shown = CliRunner().invoke(main, [command, "--help"]).output
        assert "--private-key" in shown and "--key " not in shown, shown
    shown = CliRunner().invoke(main, ["verify-bundle", "--help"]).output
    assert "--public-key" in shown and "--key " not in shown, shown


# --- 4. rotation ---------------------------------------------------------------------


def rotate(ledger: ExampleLedger):
    result = ledger.cli("key", "rotate")
    ok(result)
    return result


def test_rotation_keeps_every_checkpoint_verifiable(seized, tmp_path):
    old_pub = shutil.copy(pub_file(seized), tmp_path / "old.pub")
    old_key = load_private(seized.key)
    first = checkpoint(seized, tmp_path / "cp1.json")
    result = rotate(seized)
    assert f"to key {key_id(load_public(pub_file(seized)))[:16]}" in result.output
    assert key_id(load_public(pub_file(seized))) != first["key_id"]
    archived = seized.key.with_name(f"{seized.key.name}.{first['key_id'][:16]}")
    assert Path(f"{archived}.pub").read_bytes() == Path(old_pub).read_bytes()
    assert key_id(load_private(archived).public_key()) == first["key_id"]
    assert stat.S_IMODE(seized.key.stat().st_mode) == 0o600
    ok(seized.cli("withdraw", "coastalia-denies", "--reason", "retracted"))
    second = checkpoint(seized, tmp_path / "cp2.json")
    assert second["key_id"] != first["key_id"]
    assert "signing key kept" in seized.cli("init").output

    for public in ([], ["--public-key", str(old_pub)]):
        result = seized.cli("verify", *public)
        ok(result)
        assert "2 checkpoints" in result.output
        ok(seized.cli("verify", "--checkpoint", str(tmp_path / "cp1.json"), *public))
        ok(seized.cli("prove", "--since", str(tmp_path / "cp1.json"), *public))

    # the old key is retired: it signs nothing more, here or handed in from outside
    result = seized.cli("checkpoint", "--private-key", str(archived))
    refused(result, "not the ledger's key")
    late = make_checkpoint(old_key, second["tree_size"], root_of(second), 0)
    result = seized.cli("verify", "--checkpoint", str(write_json(tmp_path / "l", late)))
    failed(result, "handed over at tree size")

    # an auditor with the old public key follows the handover in the bundle
    bundle_file = tmp_path / "b.json"
    ok(seized.cli("audit-bundle", INCIDENT, "--output", str(bundle_file)))
    bundle = json.loads(bundle_file.read_text())
    assert bundle["checkpoint"]["key_id"] == second["key_id"]
    assert len(bundle["keys"]) == 2
    for public in (old_pub, pub_file(seized)):
        result = CliRunner().invoke(
            main, ["verify-bundle", str(bundle_file), "--public-key", str(public)]
        )
        ok(result)
    # without the handovers the old key cannot vouch for the new one
    assert verify_bundle({**bundle, "keys": []}, load_public(Path(old_pub)))
    forged = json.loads(json.dumps(bundle))
    forged["keys"][1]["signature"] = forged["keys"][0]["countersignature"]
    problems = verify_bundle(forged, load_public(Path(old_pub)))
    assert problems and "signature of key" in problems[0], problems


def test_a_handover_not_signed_by_the_old_key_fails_verify(seized, tmp_path):
    checkpoint(seized)
    rotate(seized)
    checkpoint(seized)
    with_keys = fetch(seized, "SELECT key_id FROM signing_keys ORDER BY id")
    assert len(with_keys) == 2
    as_attacker(
        seized,
        ("UPDATE signing_keys SET signature = countersignature WHERE id = ?", (2,)),
    )
    old_pub = seized.key.with_name(f"{seized.key.name}.{with_keys[0][0][:16]}.pub")
    failed(seized.cli("verify", "--public-key", str(old_pub)), "signing keys")


class TestKeyChain:
    """The chain on its own; no database."""

    @pytest.fixture(autouse=True)
    def _on_backend(self):
        yield

    def test_malformed_chains_are_problems_not_crashes(self):
        for chain in (None, 5, [5], [{}], [{"format": []}], "x"):
            assert chain_problems(chain)
        key = Ed25519PrivateKey.generate()
        cp = make_checkpoint(key, 0, b"\0" * 32, 0)
        for keys in (5, [None], [{"key_id": []}]):
            bundle = {"format": "incident-ledger-audit-bundle/1", "keys": keys}
            assert verify_bundle({**bundle, "checkpoint": cp}, key.public_key())


def test_two_rotations_from_the_same_key_cannot_both_be_recorded(seized, monkeypatch):
    """Two `key rotate` at once: both read the same current key; one wins."""
    old_id = key_id(load_public(pub_file(seized)))
    rotate(seized)
    archived = seized.key.with_name(f"{seized.key.name}.{old_id[:16]}")
    monkeypatch.setattr(KeyStore, "adopt", lambda *_: None)  # the stale check
    with Ledger(seized.url) as opened:
        late = KeyStore(opened, archived)
        with pytest.raises(KeyMismatch, match="handed over meanwhile"):
            late.rotate(0, "second-operator")
        assert len(late.links()) == 2
    # the loser's new key files are gone; the winner's are in place
    left = {p.name for p in seized.key.parent.glob(f"{seized.key.name}.*")}
    assert left == {archived.name, f"{archived.name}.pub", pub_file(seized).name}
    ok(seized.cli("checkpoint"))
    ok(seized.cli("verify"))


def test_a_ledger_without_a_recorded_key_adopts_the_one_that_signed_it(
    seized, tmp_path
):
    """As a ledger upgraded from before `signing_keys`: checkpoints, no key row."""
    checkpoint(seized)
    as_attacker(seized, ("DELETE FROM signing_keys", ()))
    other = tmp_path / "other.key"
    assert create_key(other)
    result = seized.cli("checkpoint", "--private-key", str(other))
    refused(result, "the ledger's checkpoints are signed with key")
    assert fetch(seized, "SELECT count(*) FROM signing_keys") == [(0,)]
    ok(seized.cli("checkpoint"))
    ((recorded,),) = fetch(seized, "SELECT key_id FROM signing_keys")
    assert recorded == key_id(load_public(pub_file(seized)))
    ok(seized.cli("verify"))
