"""`ledger users`: accounts as events, tokens shown once and stored as hashes."""

from __future__ import annotations

import json

from click.testing import CliRunner

from ledger.application.accounts import Accounts, token_hash
from ledger.bootstrap import Ledger
from ledger.cli.main import main
from tests.support import ExampleLedger


def added(ledger: ExampleLedger, name: str, role: str) -> dict:
    result = ledger.cli("users", "add", name, "--role", role, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def who(ledger: ExampleLedger, token: str):
    with Ledger(ledger.url) as opened:
        return Accounts(opened).authenticate(token)


def test_add_prints_a_token_that_authenticates(tmp_path):
    ledger = ExampleLedger.new(tmp_path)
    issued = added(ledger, "Ana", "recorder")
    assert issued["name"] == "Ana" and issued["role"] == "recorder"
    assert len(issued["token"]) >= 40  # 256 random bits, url-safe
    principal = who(ledger, issued["token"])
    assert (principal.name, principal.role) == ("Ana", "recorder")
    assert who(ledger, issued["token"] + "x") is None

    plain = ledger.cli("users", "add", "ben", "--role", "reader")
    assert plain.exit_code == 0
    token = plain.output.strip().splitlines()[-1]
    assert who(ledger, token).name == "ben"


def test_the_token_is_stored_only_as_its_hash(tmp_path):
    ledger = ExampleLedger.new(tmp_path)
    token = added(ledger, "ana", "admin")["token"]
    conn = ledger.connect()
    try:
        states = [bytes(r[0]) for r in conn.execute("SELECT state FROM stored_events")]
    finally:
        conn.close()
    assert not any(token.encode() in state for state in states)
    assert any(token_hash(token).encode() in state for state in states)


def test_token_revoke_and_role(tmp_path):
    ledger = ExampleLedger.new(tmp_path)
    first = added(ledger, "ana", "reader")["token"]
    second = json.loads(ledger.cli("users", "token", "ANA", "--json").output)
    assert who(ledger, first) and who(ledger, second["token"])

    changed = ledger.cli("users", "role", "ana", "admin")
    assert changed.exit_code == 0 and "reader -> admin" in changed.output
    assert who(ledger, first).role == "admin"

    revoked = ledger.cli("users", "revoke", "ana")
    assert revoked.exit_code == 0 and "revoked 2 tokens of ana" in revoked.output
    assert who(ledger, first) is None and who(ledger, second["token"]) is None
    again = ledger.cli("users", "revoke", "ana")
    assert again.exit_code == 0 and "nothing recorded" in again.output

    third = json.loads(ledger.cli("users", "token", "ana", "--json").output)
    assert who(ledger, third["token"]).role == "admin"

    listed = json.loads(ledger.cli("users", "--json").output)
    assert [(a["name"], a["role"], a["tokens"]) for a in listed] == [
        ("ana", "admin", [third["token_id"]])
    ]
    table = ledger.cli("users")
    assert "ana" in table.output and third["token_id"] in table.output


def test_account_events_are_in_the_history_with_the_operator(tmp_path):
    ledger = ExampleLedger.new(tmp_path)
    added(ledger, "ana", "recorder")
    ledger.cli("users", "role", "ana", "admin")
    ledger.cli("users", "revoke", "ana")
    history = json.loads(ledger.cli("history", "--json").output)["events"]
    assert [(e["type"], e["recorded_by"]) for e in history] == [
        ("Account.Added", "test-recorder"),
        ("Account.TokenIssued", "test-recorder"),
        ("Account.RoleChanged", "test-recorder"),
        ("Account.TokensRevoked", "test-recorder"),
    ]
    assert "token_hash" not in json.dumps(history)
    assert ledger.cli("verify").exit_code == 0


def test_rebuild_gives_the_same_accounts(tmp_path):
    ledger = ExampleLedger.new(tmp_path)
    token = added(ledger, "ana", "recorder")["token"]
    added(ledger, "ben", "reader")
    ledger.cli("users", "revoke", "ben")
    before = ledger.cli("users", "--json").output
    assert ledger.cli("rebuild").exit_code == 0
    assert ledger.cli("users", "--json").output == before
    assert who(ledger, token).name == "ana"


def test_mistakes_are_one_line_and_write_nothing(tmp_path):
    ledger = ExampleLedger.new(tmp_path)
    added(ledger, "ana", "reader")
    events = ledger.count_events()
    cases = [
        (["users", "add", "ANA", "--role", "admin"], "already exists"),
        (["users", "add", "a\x1b[31mb", "--role", "admin"], "name:"),
        (["users", "add", "", "--role", "admin"], "name:"),
        (["users", "add", "ana\n", "--role", "admin"], "name:"),
        (["users", "add", "\u0430dmin", "--role", "admin"], "name:"),  # Cyrillic a
        (["users", "token", "nobody"], "no account 'nobody'"),
        (["users", "revoke", "nobody"], "no account 'nobody'"),
        (["users", "role", "ana", "reader"], "already has role reader"),
    ]
    for args, message in cases:
        result = ledger.cli(*args)
        assert result.exit_code == 1, (args, result.output)
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1
    bad_role = ledger.cli("users", "add", "cy", "--role", "boss")
    assert bad_role.exit_code == 2
    assert ledger.count_events() == events


def test_db_given_to_the_group_reaches_the_subcommand(tmp_path):
    ledger = ExampleLedger.new(tmp_path)
    runner = CliRunner()
    env = {
        "LEDGER_RECORDER": "ops",
        "LEDGER_DATABASE_URL": "sqlite:////nonexistent/x.db",
    }
    result = runner.invoke(
        main, ["users", "--db", ledger.url, "add", "ana", "--role", "reader"], env=env
    )
    assert result.exit_code == 0, result.output
    listed = runner.invoke(main, ["users", "--db", ledger.url, "--json"], env=env)
    assert [a["name"] for a in json.loads(listed.output)] == ["ana"]
