"""Tamper evidence as an auditor relies on it: checkpoints, verify, proofs, bundles.

Everything runs on the made-up tanker seizure of ``tests/data/fictional-seizure.jsonl``,
on SQLite and on PostgreSQL.  The attacker here can write the database: they
disable the immutability triggers first, exactly as anyone with the file (or the
database owner) could, and change the stored bytes with plain SQL.  What must
catch them is the Merkle tree, the leaf hashes the ledger recorded, and above all
the signed checkpoints kept elsewhere.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.bootstrap import Ledger, init
from ledger.cli.main import main
from ledger.domain.canonical import leaf_hash
from ledger.integrity import merkle
from ledger.integrity.bundle import verify_bundle
from ledger.integrity.checkpoints import (
    checkpoint_problems,
    make_checkpoint,
    root_of,
    signed_bytes,
)
from ledger.integrity.keys import (
    create_key,
    key_id,
    load_private,
    load_public,
    public_path,
    sign,
)
from ledger.integrity.service import Integrity
from tests.support import ExampleLedger, records_of

pytestmark = pytest.mark.integrity

INCIDENT = "tanker-seizure"
STATEMENT = "agency-attribution"  # carries a quote
DENIAL = "coastalia-denies"
DENIAL_QUOTE = "Our navy was in port; we hold no one."
FAILED = 3
HEX64 = re.compile(r"^[0-9a-f]{64}$")
LEDGER_BIN = Path(sys.executable).with_name("ledger")


# --- helpers ----------------------------------------------------------------------


def ok(result) -> None:
    """A CliRunner run that succeeded, showing what it printed if not."""
    assert result.exit_code == 0, (result.output, result.exception)
    assert "Traceback" not in result.output


def failed(result, *phrases: str) -> None:
    """A run refused with exit code 3, a FAILED line, each phrase, no traceback."""
    assert result.exit_code == FAILED, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert "FAILED: " in result.stderr
    for phrase in phrases:
        assert phrase in result.output, (phrase, result.output)


def names_event(output: str, seq: int) -> bool:
    """Whether the output names event ``seq`` (and not just a longer number)."""
    return re.search(rf"\bevent {seq}\b", output) is not None


def pub_file(ledger: ExampleLedger) -> Path:
    return public_path(ledger.key)


def new_ledger(tmp_path: Path):
    """An empty ledger with its signing key, both made by `ledger init`."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    ledger = ExampleLedger.new(tmp_path)
    return ledger, ledger.cli("init")


def seized_ledger(tmp_path: Path) -> ExampleLedger:
    ledger, result = new_ledger(tmp_path)
    ok(result)
    return ledger.holding("fictional-seizure")


def copy_ledger(source: ExampleLedger, directory: Path) -> ExampleLedger:
    """A copy of a closed SQLite ledger's files (database and keys, modes kept)."""
    directory.mkdir(parents=True, exist_ok=True)
    for file in source.path.parent.glob(source.path.name + "*"):
        shutil.copy2(file, directory / file.name)
    return replace(
        source,
        url=f"sqlite:///{directory / source.path.name}",
        path=directory / source.path.name,
        key=directory / source.key.name,
        moments={},
    )


@pytest.fixture(scope="module")
def sqlite_seized(tmp_path_factory) -> ExampleLedger:
    """Built once on SQLite, then copied file by file for each test."""
    directory = tmp_path_factory.mktemp("seized")
    path = directory / "ledger.db"
    init(f"sqlite:///{path}")
    ledger = ExampleLedger(f"sqlite:///{path}", path, directory / "ledger.db.key")
    ok(ledger.cli("init"))
    return ledger.holding("fictional-seizure")


@pytest.fixture
def seized(backend, request, tmp_path) -> ExampleLedger:
    """A ledger holding the example (`ledger init`, then the import), to tamper with."""
    if backend == "sqlite":  # copying a file is much faster than building it
        template = request.getfixturevalue("sqlite_seized")
        return copy_ledger(template, tmp_path / "ledger")
    return seized_ledger(tmp_path)


def checkpoint(ledger: ExampleLedger, output: Path | None = None) -> dict[str, Any]:
    args = ["checkpoint"] + (["--output", str(output)] if output else [])
    result = ledger.cli(*args)
    ok(result)
    return json.loads(result.stdout)


def verify_json(ledger: ExampleLedger, *args: str):
    """`ledger verify --json`: the run and the JSON report it printed on stdout."""
    result = ledger.cli("verify", "--json", *args)
    return result, json.loads(result.stdout)


def verify_bundle_cli(bundle: Path, public: Path):
    """`ledger verify-bundle` takes no database: run it without --db."""
    return CliRunner().invoke(
        main, ["verify-bundle", str(bundle), "--public-key", str(public)]
    )


def integrity(opened: Ledger, ledger: ExampleLedger) -> Integrity:
    return Integrity(opened, str(ledger.key))


# Raw SQL on either backend: "?" placeholders, and the stored event's sequence
# number is SQLite's rowid or PostgreSQL's notification_id.
SEQ = {"sqlite": "rowid", "postgresql": "notification_id"}


def _sql(ledger: ExampleLedger, sql: str) -> str:
    sql = sql.replace("{SEQ}", SEQ[ledger.backend])
    return sql.replace("?", "%s") if ledger.backend == "postgresql" else sql


def fetch(ledger: ExampleLedger, sql: str, *params: Any) -> list[tuple]:
    conn = ledger.connect()
    try:
        return [tuple(r) for r in conn.execute(_sql(ledger, sql), params).fetchall()]
    finally:
        conn.close()


def seq_of(ledger: ExampleLedger, subject: str, event_type: str) -> int:
    """The sequence number the ledger recorded for an event."""
    ((seq,),) = fetch(
        ledger,
        "SELECT seq FROM ledger_events WHERE subject = ? AND event_type = ?",
        subject,
        event_type,
    )
    return seq


def stored(ledger: ExampleLedger, seq: int) -> tuple | None:
    """The stored event at sequence number seq."""
    rows = fetch(
        ledger,
        "SELECT originator_id, originator_version, topic, state "
        "FROM stored_events WHERE {SEQ} = ?",
        seq,
    )
    return (*rows[0][:3], bytes(rows[0][3])) if rows else None


def as_attacker(ledger: ExampleLedger, *statements: tuple[str, tuple]) -> None:
    """Disable every immutability trigger, then run the statements on the database,
    as anyone who can write the file (or owns the database) can."""
    conn = ledger.connect()
    try:
        if ledger.backend == "sqlite":
            query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            for (name,) in conn.execute(query).fetchall():
                conn.execute(f"DROP TRIGGER {name}")
        else:
            for table in ("stored_events", "checkpoints", "signing_keys"):
                conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for sql, params in statements:
            conn.execute(_sql(ledger, sql), params)
        conn.commit()
    finally:
        conn.close()


def rewrite_state(ledger: ExampleLedger, seq: int, old: bytes, new: bytes) -> None:
    """Replace bytes of one stored event's state, as an attacker with the file."""
    state = stored(ledger, seq)[3]
    assert state.count(old) == 1, (old, state)
    changed = state.replace(old, new)
    as_attacker(
        ledger, ("UPDATE stored_events SET state = ? WHERE {SEQ} = ?", (changed, seq))
    )
    assert stored(ledger, seq)[3] == changed


def attacker_rebuild(ledger: ExampleLedger) -> None:
    """Rebuild the read models from the stored events as they now are, through the
    library (as `ledger rebuild --force` does): every recorded leaf hash then
    matches the altered events."""
    with Ledger(ledger.url) as opened:
        opened.rebuild()


def flip(text: str, position: int, alphabet: str) -> str:
    """text with the character at position replaced by another of alphabet."""
    old = text[position]
    new = alphabet[(alphabet.index(old) + 1) % len(alphabet)]
    return text[:position] + new + text[position + 1 :]


B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def forged_signature(cp: dict[str, Any]) -> dict[str, Any]:
    return {**cp, "signature": flip(cp["signature"], 10, B64)}


def replace_string(value: Any, old: str, new: str) -> tuple[Any, int]:
    """value with every string equal to old replaced; and how many were."""
    if isinstance(value, str):
        return (new, 1) if value == old else (value, 0)
    if isinstance(value, dict):
        pairs = {k: replace_string(v, old, new) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, sum(n for _, n in pairs.values())
    if isinstance(value, list):
        items = [replace_string(v, old, new) for v in value]
        return [v for v, _ in items], sum(n for _, n in items)
    return value, 0


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def stored_nodes(ledger: ExampleLedger) -> dict[tuple[int, int], bytes]:
    rows = fetch(ledger, "SELECT level, idx, hash FROM merkle_nodes")
    return {(level, idx): bytes.fromhex(digest) for level, idx, digest in rows}


# --- 1. a fresh ledger ------------------------------------------------------------


def test_a_checkpoint_signs_the_size_and_root_and_verify_passes(tmp_path):
    ledger, made = new_ledger(tmp_path)
    ok(made)
    ledger.holding("fictional-seizure")
    result = ledger.cli("checkpoint")
    ok(result)
    cp = json.loads(result.stdout)

    assert cp["tree_size"] == ledger.count_events() == 18
    assert HEX64.match(cp["root_hash"])
    assert datetime.fromisoformat(cp["timestamp"]).tzinfo is not None
    public = load_public(pub_file(ledger))
    assert cp["key_id"] == key_id(public)
    assert len(base64.b64decode(cp["signature"], validate=True)) == 64
    assert checkpoint_problems(cp, public) == []

    verified = ledger.cli("verify")
    ok(verified)
    assert "verified 18 events and 1 checkpoint:" in verified.output
    report_run, report = verify_json(ledger)
    ok(report_run)
    assert report == {"ok": True, "events": 18, "checkpoints": 1, "findings": []}

    # The signing key stays in its file: mode 0600, its PEM body never printed.
    key = ledger.key
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    pem = key.read_text(encoding="ascii")
    body = [line for line in pem.splitlines() if line and not line.startswith("---")]
    assert body
    again = ledger.cli("init")
    ok(again)
    assert "signing key kept" in again.output
    for run in (made, again, result, verified, report_run):
        for line in body:
            assert line not in run.output
        assert "PRIVATE KEY" not in run.output
    assert "PRIVATE KEY" not in pub_file(ledger).read_text(encoding="ascii")


def test_an_empty_ledger_checkpoints_the_empty_tree(tmp_path):
    ledger, made = new_ledger(tmp_path)
    ok(made)
    cp = checkpoint(ledger)
    assert cp["tree_size"] == 0
    assert cp["root_hash"] == merkle.EMPTY_ROOT.hex()
    ok(ledger.cli("verify"))


# --- 2. tampering -----------------------------------------------------------------


def test_one_byte_of_a_quote_changed_in_the_database_is_caught(seized):
    checkpoint(seized)
    seq = seq_of(seized, STATEMENT, "Statement.Recorded")
    rewrite_state(seized, seq, b"too well drilled", b"too well drilleD")
    assert b"drilleD" in stored(seized, seq)[3]  # still valid JSON, still readable

    result = seized.cli("verify")
    failed(result, "altered")
    assert names_event(result.output, seq)
    run, report = verify_json(seized)
    assert run.exit_code == FAILED
    assert report["ok"] is False
    assert report["findings"][0]["seq"] == seq
    # the signed checkpoint disagrees too
    assert any("signed root" in f["message"] for f in report["findings"])


def test_a_change_that_breaks_the_stored_json_is_caught(seized):
    checkpoint(seized)
    seq = seq_of(seized, STATEMENT, "Statement.Recorded")
    rewrite_state(seized, seq, b'"quote":"Either', b'"quote":\'Either')

    result = seized.cli("verify")
    failed(result, "cannot be read")
    assert names_event(result.output, seq)
    _, report = verify_json(seized)
    assert report["findings"][0]["seq"] == seq


def test_verify_fails_with_exit_code_3_as_a_process(seized, tmp_path):
    checkpoint(seized)
    seq = seq_of(seized, DENIAL, "Statement.Recorded")
    rewrite_state(seized, seq, b"in port", b"in Port")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env["LEDGER_KEY_PATH"] = str(seized.key)
    run = subprocess.run(
        [str(LEDGER_BIN), "verify", "--db", seized.url],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == FAILED, run.stderr
    assert run.stdout == ""
    assert run.stderr.startswith(f"FAILED: event {seq}:")
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("cover_up", [False, True], ids=["deleted", "and-rebuilt"])
def test_the_last_event_deleted_is_caught_by_an_auditors_checkpoint(
    seized, tmp_path, cover_up
):
    kept = tmp_path / "cp.json"
    checkpoint(seized, kept)
    last = seized.count_events()
    as_attacker(seized, ("DELETE FROM stored_events WHERE {SEQ} = ?", (last,)))
    assert seized.count_events() == last - 1
    if cover_up:  # the attacker hides their tracks: no recorded leaf, no checkpoint
        as_attacker(seized, ("DELETE FROM checkpoints", ()))
        attacker_rebuild(seized)

    result = seized.cli("verify", "--checkpoint", str(kept))
    failed(result)
    assert names_event(result.output, last) or f"events {last} to {last}" in (
        result.output
    )
    _, report = verify_json(seized, "--checkpoint", str(kept))
    assert report["findings"][0]["seq"] == last


def test_two_events_swapped_are_caught_at_the_lower_seq(seized):
    checkpoint(seized)
    low = seq_of(seized, "owner-reports-seizure", "Statement.Recorded")
    high = seq_of(seized, STATEMENT, "Statement.Recorded")
    assert low < high
    a, b = stored(seized, low), stored(seized, high)
    swap = (
        "UPDATE stored_events SET originator_id = ?, originator_version = ?, "
        "topic = ?, state = ? WHERE {SEQ} = ?"
    )
    park = "UPDATE stored_events SET originator_version = -1 WHERE {SEQ} = ?"
    as_attacker(seized, (park, (high,)), (swap, (*b, low)), (swap, (*a, high)))
    assert stored(seized, low) == b and stored(seized, high) == a

    result = seized.cli("verify")
    failed(result)
    assert names_event(result.output, low)
    _, report = verify_json(seized)
    assert report["findings"][0]["seq"] == low


def test_a_checkpoint_file_with_a_forged_signature_is_refused(seized, tmp_path):
    cp = checkpoint(seized)
    forged = write_json(tmp_path / "forged.json", forged_signature(cp))
    result = seized.cli("verify", "--checkpoint", str(forged))
    failed(result, "does not verify")


def test_a_checkpoint_re_signed_with_another_key_is_refused(seized, tmp_path):
    cp = checkpoint(seized)
    other = Ed25519PrivateKey.generate()
    own = make_checkpoint(other, cp["tree_size"], root_of(cp), cp["last_seq"])
    result = seized.cli(
        "verify", "--checkpoint", str(write_json(tmp_path / "own.json", own))
    )
    failed(result, f"signed by key {own['key_id']}")
    # the same, claiming to be signed by the ledger's key
    body = {**own, "key_id": cp["key_id"]}
    body["signature"] = sign(other, signed_bytes(body))
    result = seized.cli(
        "verify", "--checkpoint", str(write_json(tmp_path / "claimed.json", body))
    )
    failed(result, "does not verify")


def test_a_checkpoint_file_with_another_root_is_refused(seized, tmp_path):
    cp = checkpoint(seized)
    changed = {**cp, "root_hash": flip(cp["root_hash"], 0, "0123456789abcdef")}
    result = seized.cli(
        "verify", "--checkpoint", str(write_json(tmp_path / "root.json", changed))
    )
    failed(result, "checkpoint")
    _, report = verify_json(seized, "--checkpoint", str(tmp_path / "root.json"))
    assert report["checkpoints"] == 2 and len(report["findings"]) == 1


@pytest.mark.parametrize("wipe", [False, True], ids=["db-checkpoint", "file-only"])
def test_an_alteration_covered_by_a_rebuild_is_caught_by_the_signed_root(
    seized, tmp_path, wipe
):
    kept = tmp_path / "cp.json"
    cp = checkpoint(seized, kept)
    seq = seq_of(seized, STATEMENT, "Statement.Recorded")
    rewrite_state(seized, seq, b"too well drilled", b"not at all drilled")
    attacker_rebuild(seized)  # the recorded leaf hashes now match the altered bytes
    ((recorded,),) = fetch(
        seized, "SELECT leaf_hash FROM ledger_events WHERE seq = ?", seq
    )
    with Ledger(seized.url) as opened:
        env = integrity(opened, seized).envelopes([seq])[seq]
    assert "not at all drilled" in json.dumps(env)
    assert recorded == leaf_hash(env)
    args = ["--checkpoint", str(kept)] if wipe else []
    if wipe:
        as_attacker(seized, ("DELETE FROM checkpoints", ()))

    result = seized.cli("verify", *args)
    failed(result, f"signed root {cp['root_hash']}")
    run, report = verify_json(seized, *args)
    assert run.exit_code == FAILED
    assert len(report["findings"]) == 1


def test_a_middle_event_deleted_and_covered_up_is_not_blamed_on_another(
    seized, tmp_path
):
    """The auditor's checkpoint catches it, and no event still stored is named.

    After the rebuild the store holds 17 events numbered 1-13 and 15-18: event 14
    is the one missing, not event 18.  SQLite numbers events without gaps, so
    verify can name event 14 there; PostgreSQL's sequence may skip numbers, so
    there it may name none, but it must not name one that is stored.
    """
    kept = tmp_path / "cp.json"
    checkpoint(seized, kept)
    deleted = seq_of(seized, "owner-reports-seizure", "Statement.Recorded")
    assert deleted < seized.count_events()
    as_attacker(
        seized,
        ("DELETE FROM stored_events WHERE {SEQ} = ?", (deleted,)),
        ("DELETE FROM checkpoints", ()),
    )
    attacker_rebuild(seized)
    still_stored = {seq for (seq,) in fetch(seized, "SELECT {SEQ} FROM stored_events")}

    result = seized.cli("verify", "--checkpoint", str(kept))
    failed(result)
    run, report = verify_json(seized, "--checkpoint", str(kept))
    assert run.exit_code == FAILED
    for finding in report["findings"]:
        assert finding["seq"] not in still_stored, finding
        for seq in still_stored:
            assert f"events {seq} to" not in finding["message"], finding
    if seized.backend == "sqlite":
        assert names_event(result.output, deleted), result.output
        assert report["findings"][0]["seq"] == deleted, report


@pytest.mark.parametrize("how", ["appended", "read-models-emptied"])
def test_an_unreadable_event_is_reported_not_a_crash(seized, how):
    """verify must name an event it cannot read even when it was never projected:
    appended to the store, or damaged while the read models were emptied (as
    revision 0002 does so that the next command projects everything again)."""
    if how == "appended":  # INSERT needs no trigger disabled
        seq = seized.count_events() + 1
        as_attacker(
            seized,
            (
                "INSERT INTO stored_events "
                "(originator_id, originator_version, topic, state) "
                "VALUES ('0123456789abcdef0123456789abcdef', 1, ?, ?)",
                ("ledger.domain.model:Statement.Recorded", b"{"),
            ),
        )
        assert stored(seized, seq)[3] == b"{"
    else:
        seq = seq_of(seized, STATEMENT, "Statement.Recorded")
        rewrite_state(seized, seq, b'"quote":"Either', b'"quote":\'Either')
        with Ledger(seized.url) as opened:  # as an upgrade emptying them does
            opened.view.clear()

    result = seized.cli("verify")
    failed(result, "cannot be read")
    assert names_event(result.output, seq)


def test_a_replaced_signing_key_is_caught_with_the_auditors_public_key(
    seized, tmp_path
):
    """An attacker with the files can make a new key and re-sign a rewritten ledger;
    the auditor checks with the public key obtained when the ledger was set up."""
    genuine = shutil.copy(pub_file(seized), tmp_path / "genuine.pub")
    kept = tmp_path / "cp.json"
    checkpoint(seized, kept)
    seq = seq_of(seized, DENIAL, "Statement.Recorded")
    rewrite_state(seized, seq, b"in port", b"at sea")
    # the attacker also erases the record of the ledger's key, or init refuses
    as_attacker(
        seized, ("DELETE FROM checkpoints", ()), ("DELETE FROM signing_keys", ())
    )
    attacker_rebuild(seized)
    seized.key.unlink()
    pub_file(seized).unlink()
    ok(seized.cli("init"))  # a new key pair
    ok(seized.cli("checkpoint"))

    result = seized.cli("verify", "--public-key", str(genuine))
    failed(result, "signed by key")
    result = seized.cli(
        "verify", "--public-key", str(genuine), "--checkpoint", str(kept)
    )
    failed(result, "signed root")


# --- 3. inclusion proofs ------------------------------------------------------------


def _check_inclusion(ledger: ExampleLedger, proof: dict[str, Any]) -> None:
    cp = proof["checkpoint"]
    assert checkpoint_problems(cp, load_public(pub_file(ledger))) == []
    with Ledger(ledger.url) as opened:
        seqs = [p["seq"] for p in proof["proofs"]]
        envelopes = integrity(opened, ledger).envelopes(seqs)
    for p in proof["proofs"]:
        assert p["tree_size"] == cp["tree_size"]
        assert leaf_hash(envelopes[p["seq"]]) == p["leaf_hash"]
        assert envelopes[p["seq"]]["type"] == p["type"]
        assert merkle.verify_inclusion(
            bytes.fromhex(p["leaf_hash"]),
            p["leaf_index"],
            p["tree_size"],
            [bytes.fromhex(h) for h in p["path"]],
            root_of(cp),
        )
        # and the proof is worth nothing for another leaf
        assert not merkle.verify_inclusion(
            merkle.leaf_hash(b"forged"),
            p["leaf_index"],
            p["tree_size"],
            [bytes.fromhex(h) for h in p["path"]],
            root_of(cp),
        )


def test_prove_gives_inclusion_proofs_of_a_statement_and_its_corrections(seized):
    cp = checkpoint(seized)
    result = seized.cli("prove", STATEMENT)
    ok(result)
    proof = json.loads(result.stdout)
    assert proof["statement"] == STATEMENT
    assert proof["checkpoint"] == cp
    assert [p["type"] for p in proof["proofs"]] == ["Statement.Recorded"]
    assert proof["after_checkpoint"] == []
    _check_inclusion(seized, proof)

    ok(
        seized.cli(
            "correct",
            STATEMENT,
            "--field",
            "quote",
            "--value",
            "Either the navy or the raiders took her.",
            "--reason",
            "checked against the transcript",
        )
    )
    corrected = seq_of(seized, STATEMENT, "Statement.Corrected")
    pending = json.loads(seized.cli("prove", STATEMENT).stdout)
    assert len(pending["proofs"]) == 1 and pending["after_checkpoint"] == [corrected]

    newer = checkpoint(seized)
    assert newer["tree_size"] == cp["tree_size"] + 1
    result = seized.cli("prove", STATEMENT)
    ok(result)
    proof = json.loads(result.stdout)
    assert proof["checkpoint"] == newer
    assert [p["type"] for p in proof["proofs"]] == [
        "Statement.Recorded",
        "Statement.Corrected",
    ]
    assert proof["proofs"][1]["seq"] == corrected
    assert proof["after_checkpoint"] == []
    _check_inclusion(seized, proof)


def refused(result, phrase: str) -> None:
    """Nothing to prove is the user's mistake: exit code 1 and one line, no proof."""
    assert result.exit_code == 1, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and phrase in result.stderr
    assert "Traceback" not in result.output


def test_prove_without_a_checkpoint_fails_clearly(seized, tmp_path):
    refused(seized.cli("prove", STATEMENT), "no checkpoint is recorded yet")
    # a genuine checkpoint of the empty tree, never recorded in the ledger
    unrecorded = make_checkpoint(load_private(seized.key), 0, merkle.EMPTY_ROOT, 0)
    since = write_json(tmp_path / "empty.json", unrecorded)
    refused(seized.cli("prove", "--since", str(since)), "no checkpoint")


def test_prove_an_unknown_statement_fails_clearly(seized):
    checkpoint(seized)
    refused(seized.cli("prove", "no-such-statement"), "no statement no-such-statement")


# --- 4. consistency proofs ---------------------------------------------------------


def _more_records(ledger: ExampleLedger) -> None:
    ok(ledger.cli("grade", DENIAL, "--reliability", "C", "--credibility", "3"))
    ok(ledger.cli("withdraw", "crew-corroborates", "--reason", "entered in error"))
    ok(
        ledger.cli(
            "record",
            "--id",
            "navy-statement",
            "--incident",
            INCIDENT,
            "--speaker",
            "coastal-navy",
            "--kind",
            "denial",
            "--stated-at",
            "2021-07",
            "--claim",
            "seized-by-navy-or-raiders=denies",
            "--quote",
            "No ship of ours left port that week.",
        )
    )


def test_prove_since_gives_a_consistency_proof_that_verifies(seized, tmp_path):
    old_file = tmp_path / "old.json"
    old = checkpoint(seized, old_file)
    _more_records(seized)
    new = checkpoint(seized)
    assert new["tree_size"] == old["tree_size"] + 3

    result = seized.cli("prove", "--since", str(old_file))
    ok(result)
    proof = json.loads(result.stdout)
    assert proof["old"] == old and proof["new"] == new
    public = load_public(pub_file(seized))
    assert checkpoint_problems(proof["new"], public) == []
    path = [bytes.fromhex(h) for h in proof["proof"]]
    assert path
    assert merkle.verify_consistency(
        old["tree_size"], new["tree_size"], root_of(old), root_of(new), path
    )
    # the same proof does not link the new root to any other old root
    assert not merkle.verify_consistency(
        old["tree_size"],
        new["tree_size"],
        merkle.leaf_hash(b"forged"),
        root_of(new),
        path,
    )


def test_prove_since_a_forged_checkpoint_fails(seized, tmp_path):
    old = checkpoint(seized)
    _more_records(seized)
    checkpoint(seized)
    forged = write_json(tmp_path / "forged.json", forged_signature(old))
    result = seized.cli("prove", "--since", str(forged))
    failed(result, "does not verify")
    assert result.stdout == ""


def test_prove_since_a_checkpoint_the_ledger_was_rewritten_after_fails(
    seized, tmp_path
):
    old_file = tmp_path / "old.json"
    checkpoint(seized, old_file)
    seq = seq_of(seized, DENIAL, "Statement.Recorded")
    rewrite_state(seized, seq, b"in port", b"at sea")
    attacker_rebuild(seized)
    _more_records(seized)
    checkpoint(seized)
    failed(seized.cli("prove", "--since", str(old_file)), "rewritten")


# --- 5. audit bundles --------------------------------------------------------------


def _bundle(ledger: ExampleLedger, path: Path, *options: str) -> dict[str, Any]:
    result = ledger.cli("audit-bundle", INCIDENT, "--output", str(path), *options)
    ok(result)
    return json.loads(path.read_text(encoding="utf-8"))


def correct_and_grade(seized: ExampleLedger) -> ExampleLedger:
    """The seizure with a corrected quote and a grade: history that replay can see."""
    ok(
        seized.cli(
            "correct",
            STATEMENT,
            "--field",
            "quote",
            "--value",
            "Either the navy or the raiders took her.",
            "--reason",
            "checked against the transcript",
        )
    )
    ok(seized.cli("grade", DENIAL, "--reliability", "B", "--credibility", "2"))
    return seized


@pytest.fixture(scope="module")
def sqlite_corrected(sqlite_seized, tmp_path_factory) -> ExampleLedger:
    directory = tmp_path_factory.mktemp("corrected")
    return correct_and_grade(copy_ledger(sqlite_seized, directory))


@pytest.fixture
def corrected(backend, request, tmp_path) -> ExampleLedger:
    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_corrected")
        return copy_ledger(template, tmp_path / "ledger")
    return correct_and_grade(seized_ledger(tmp_path))


@pytest.mark.parametrize(
    "options",
    [(), ("--as-of", "2021-05"), ("--known-at", "seq:18")],
    ids=["now", "as-of", "known-at"],
)
def test_an_audit_bundle_verifies_offline(corrected, tmp_path, options):
    path = tmp_path / "b.json"
    bundle = _bundle(corrected, path, *options)
    state = corrected.cli("state", INCIDENT, "--json", *options)
    ok(state)
    assert bundle["state"] == json.loads(state.stdout)
    assert bundle["checkpoint"]["tree_size"] == corrected.count_events()

    # offline: only the file and the public key, in another directory
    offline = tmp_path / "auditor"
    offline.mkdir()
    shutil.copy(path, offline / "b.json")
    shutil.copy(pub_file(corrected), offline / "ledger.pub")
    result = verify_bundle_cli(offline / "b.json", offline / "ledger.pub")
    ok(result)
    assert "verifies" in result.output
    public = load_public(offline / "ledger.pub")
    on_disk = json.loads((offline / "b.json").read_text(encoding="utf-8"))
    assert verify_bundle(on_disk, public) == []


def test_bundle_axes_change_what_the_bundle_shows(corrected, tmp_path):
    now = _bundle(corrected, tmp_path / "now.json")
    before = _bundle(corrected, tmp_path / "before.json", "--known-at", "seq:18")
    early = _bundle(corrected, tmp_path / "early.json", "--as-of", "2021-05")
    assert "too well drilled" not in json.dumps(now["state"])
    assert "too well drilled" in json.dumps(before["state"])
    assert max(e["envelope"]["seq"] for e in before["events"]) <= 18
    assert STATEMENT not in json.dumps(early["state"])
    assert before["known_at_seq"] == 18 and early["as_of"] == "2021-05"


@pytest.fixture(scope="module")
def good_bundle(sqlite_corrected, tmp_path_factory) -> tuple[dict, Path, Path]:
    """A bundle of the corrected seizure: the bundle, its file, the public key.

    The tampering below is all in the file: one bundle serves every backend.
    """
    ledger = copy_ledger(sqlite_corrected, tmp_path_factory.mktemp("bundled"))
    path = ledger.path.parent / "good.json"
    return _bundle(ledger, path), path, pub_file(ledger)


def _recorded(bundle: dict[str, Any], slug: str) -> int:
    """The position in the bundle of the event that recorded statement slug."""
    (i,) = [
        i
        for i, e in enumerate(bundle["events"])
        if e["envelope"]["type"] == "Statement.Recorded"
        and e["envelope"]["payload"]["slug"] == slug
    ]
    return i


def _tampered(kind: str, bundle: dict[str, Any]) -> dict[str, Any]:
    bundle = json.loads(json.dumps(bundle))
    if kind == "state-quote":
        bundle["state"], n = replace_string(bundle["state"], DENIAL_QUOTE, "We hold.")
        assert n >= 1
    elif kind in ("envelope-quote", "envelope-and-leaf"):
        event = bundle["events"][_recorded(bundle, DENIAL)]
        event["envelope"], n = replace_string(
            event["envelope"], DENIAL_QUOTE, "We hold."
        )
        assert n == 1
        if kind == "envelope-and-leaf":
            event["leaf_hash"] = leaf_hash(event["envelope"])
    elif kind == "event-removed":  # a statement never changed: its whole stream
        del bundle["events"][_recorded(bundle, "owner-demands-release")]
    elif kind == "stream-cut":  # the denial, whose grade stays in the bundle
        del bundle["events"][_recorded(bundle, DENIAL)]
    elif kind == "signature":
        bundle["checkpoint"] = forged_signature(bundle["checkpoint"])
    elif kind == "root":
        cp = bundle["checkpoint"]
        cp["root_hash"] = flip(cp["root_hash"], 5, "0123456789abcdef")
    else:
        raise AssertionError(kind)
    return bundle


TAMPERING = {
    "state-quote": "the state does not follow from the bundle's events",
    "envelope-quote": "its envelope hashes to",
    "envelope-and-leaf": "its inclusion proof does not lead to the signed root",
    "event-removed": "the state does not follow from the bundle's events",
    "stream-cut": "have a gap",
    "signature": "does not verify",
    "root": "does not verify",
}


class TestOfflineBundle:
    """The auditor's side: one bundle file and a public key, no database at all.

    These run once, not once per backend: the conftest's per-backend fixture is
    replaced by one that uses no database.
    """

    @pytest.fixture(autouse=True)
    def _on_backend(self):
        yield

    @pytest.mark.parametrize("kind", list(TAMPERING))
    def test_a_tampered_bundle_fails_to_verify(self, good_bundle, tmp_path, kind):
        bundle, _, public = good_bundle
        assert verify_bundle(bundle, load_public(public)) == []
        bad = _tampered(kind, bundle)
        problems = verify_bundle(bad, load_public(public))
        assert problems and TAMPERING[kind] in problems[0], problems
        result = verify_bundle_cli(write_json(tmp_path / "bad.json", bad), public)
        failed(result, TAMPERING[kind])

    def test_a_bundle_checked_with_another_ledgers_key_fails(
        self, good_bundle, tmp_path
    ):
        bundle, path, _ = good_bundle
        other = tmp_path / "other.db.key"  # what `ledger init` makes for another ledger
        assert create_key(other)
        result = verify_bundle_cli(path, public_path(other))
        failed(result, f"signed by key {bundle['checkpoint']['key_id']}")
        assert verify_bundle(bundle, load_public(public_path(other)))

    def test_verify_bundle_refuses_a_file_that_is_not_a_bundle(
        self, good_bundle, tmp_path
    ):
        bundle, _, public = good_bundle
        assert verify_bundle(bundle["state"], load_public(public))
        assert verify_bundle([], load_public(public))
        not_one = write_json(tmp_path / "state.json", bundle["state"])
        failed(verify_bundle_cli(not_one, public), "not an audit bundle")

    def test_a_bundle_with_a_malformed_event_list_is_refused_not_a_crash(
        self, good_bundle, tmp_path
    ):
        bundle, _, public = good_bundle
        for events in (None, 5):
            bad = {**bundle, "events": events}
            problems = verify_bundle(bad, load_public(public))
            assert problems
            failed(verify_bundle_cli(write_json(tmp_path / "bad.json", bad), public))

    def test_a_bundle_relabelled_as_known_earlier_fails_to_verify(self, good_bundle):
        """The bundle says it shows what the ledger held at seq 18, yet it carries
        (and its state follows from) the correction recorded at seq 19."""
        bundle, _, public = good_bundle
        (correction,) = [
            e["envelope"]["seq"]
            for e in bundle["events"]
            if e["envelope"]["type"] == "Statement.Corrected"
        ]
        # a bundle says which sequence number it reflects: at least the correction
        assert bundle["known_at_seq"] >= correction
        relabelled = json.loads(json.dumps(bundle))
        relabelled["known_at_seq"] = relabelled["state"]["known_at_seq"] = (
            correction - 1
        )
        assert verify_bundle(relabelled, load_public(public)), (
            f"known at seq {correction - 1}, holding event {correction}: verified"
        )
        # the same with an instant before anything was recorded
        early = json.loads(json.dumps(bundle))
        early["known_at"] = early["state"]["known_at"] = "2000-01-01T00:00:00Z"
        assert verify_bundle(early, load_public(public))


# --- 6. incremental hashing equals a full recomputation -----------------------------


def test_the_incremental_tree_equals_a_recomputation_and_survives_rebuild(tmp_path):
    ledger, made = new_ledger(tmp_path)
    ok(made)
    records = records_of("fictional-seizure")
    start = 0
    for size in (1, 2, 3, 5, 7):  # tree sizes 1, 3, 6, 11, 18: odd edges, powers of 2
        ledger.write(records[start : start + size])
        start += size
    assert start == len(records)
    ok(ledger.cli("grade", DENIAL, "--reliability", "C", "--credibility", "3"))
    ok(
        ledger.cli(
            "correct", STATEMENT, "--field", "hedging", "--value", "believes",
            "--reason", "re-read",
        )
    )  # fmt: skip
    with Ledger(ledger.url) as opened:
        service = integrity(opened, ledger)
        cp = service.checkpoint("test-recorder")
        leaves = list(service.recomputed_leaves())
    assert [seq for seq, _, _ in leaves] == list(range(1, 21))
    assert all(damage is None for _, _, damage in leaves)
    tree = merkle.MemoryTree([leaf for _, leaf, _ in leaves])
    assert cp["tree_size"] == tree.size == 20
    assert cp["root_hash"] == tree.root().hex()

    # every stored node is the recomputed one, and every size has the right root
    nodes = stored_nodes(ledger)
    expected = {
        (level, idx): tree.lookup(level, idx)
        for level in range(tree.size.bit_length())
        for idx in range(tree.size >> level)
    }
    assert nodes == expected
    for size in range(tree.size + 1):
        assert merkle.root(lambda lv, i: nodes[(lv, i)], size) == tree.root(size)
    recorded = fetch(
        ledger, "SELECT seq, leaf_index, leaf_hash FROM ledger_events ORDER BY seq"
    )
    assert recorded == [(s, s - 1, leaf.hex()) for s, leaf, _ in leaves]

    ok(ledger.cli("rebuild"))
    assert stored_nodes(ledger) == nodes
    ok(ledger.cli("verify"))


# --- 7. recorded checkpoints are immutable -----------------------------------------


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE checkpoints SET root_hash = '00'",
        "UPDATE checkpoints SET tree_size = tree_size - 1",
        "DELETE FROM checkpoints",
    ],
)
def test_the_database_refuses_to_change_a_recorded_checkpoint(seized, sql):
    checkpoint(seized)
    before = fetch(seized, "SELECT * FROM checkpoints")
    refusal = seized.run_sql(sql)
    assert refusal is not None and "checkpoints are immutable" in refusal
    assert fetch(seized, "SELECT * FROM checkpoints") == before
    ok(seized.cli("verify"))
