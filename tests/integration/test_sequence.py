"""Sequence numbers are never given twice (revision 0003), on both backends.

The scenario of the report: the last event, never checkpointed, is deleted by
hand (its triggers dropped first); the next `record` must get a new, higher
number, so that the projection, already past the deleted one, shows it.
"""

from __future__ import annotations

import json

import pytest
from alembic import command

from ledger.bootstrap import alembic_config
from tests.support import ExampleLedger, json_of

INCIDENT = "tanker-seizure"


def _statement(slug: str) -> dict:
    return {
        "id": slug,
        "incident": INCIDENT,
        "speaker": "pirate-group",
        "kind": "comment",
        "stated_at": "2021-06-21",
        "paraphrase": f"The raiders said {slug}.",
    }


def _record(ledger: ExampleLedger, slug: str) -> None:
    result = ledger.cli("record", "--json", input=json.dumps(_statement(slug)))
    assert result.exit_code == 0, (result.output, result.exception)
    assert json_of(result)["ids"] == [slug]


def _fetch(ledger: ExampleLedger, sql: str) -> list[tuple]:
    conn = ledger.connect()
    try:
        return [tuple(row) for row in conn.execute(sql).fetchall()]
    finally:
        conn.close()


def _seq_column(ledger: ExampleLedger) -> str:
    return "rowid" if ledger.backend == "sqlite" else "notification_id"


def _last_seq(ledger: ExampleLedger) -> int:
    return _fetch(ledger, f"SELECT max({_seq_column(ledger)}) FROM stored_events")[0][0]


def _delete_by_hand(ledger: ExampleLedger, seq: int) -> None:
    """Drop the immutability triggers and delete one stored event, as the file's
    owner (or the database's) can."""
    conn = ledger.connect()
    try:
        if ledger.backend == "sqlite":
            query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            for (name,) in conn.execute(query).fetchall():
                conn.execute(f"DROP TRIGGER {name}")
        else:
            conn.execute("ALTER TABLE stored_events DISABLE TRIGGER USER")
        conn.execute(
            f"DELETE FROM stored_events WHERE {_seq_column(ledger)} = {int(seq)}"
        )
        conn.commit()
    finally:
        conn.close()


def _shown(ledger: ExampleLedger, slug: str) -> int | None:
    """The sequence number `provenance` shows for a statement; None if not shown."""
    result = ledger.cli("provenance", slug, "--json")
    if result.exit_code != 0:
        return None
    events = json_of(result)["statement"]["events"]
    return next(e["seq"] for e in events if e["type"] == "Statement.Recorded")


def test_a_new_event_after_the_last_one_was_deleted_gets_a_new_number(tmp_path):
    ledger = ExampleLedger.new(tmp_path).holding("fictional-seizure")
    _record(ledger, "raiders-said-one")
    deleted = _last_seq(ledger)
    assert _shown(ledger, "raiders-said-one") == deleted
    _delete_by_hand(ledger, deleted)
    assert _last_seq(ledger) == deleted - 1

    _record(ledger, "raiders-said-two")
    seq = _last_seq(ledger)
    assert seq > deleted
    assert _shown(ledger, "raiders-said-two") == seq
    state = json_of(ledger.cli("state", INCIDENT, "--json"))
    assert "raiders-said-two" in {s["statement"] for s in state["statements"]}
    # And the gap the deleted event left is not hidden: verify fails on it.
    verified = ledger.cli("verify")
    assert verified.exit_code == 3, verified.output


def _to_0002_and_back(ledger: ExampleLedger, between=None) -> None:
    config = alembic_config(ledger.url)
    command.downgrade(config, "0002")
    if between:
        between()
    command.upgrade(config, "head")


def test_0003_keeps_every_event_and_its_number_and_verify_passes(tmp_path):
    ledger = ExampleLedger.new(tmp_path).holding("fictional-seizure")
    column = _seq_column(ledger)
    rows = f"SELECT {column}, originator_id, originator_version, topic, state "
    rows += f"FROM stored_events ORDER BY {column}"
    before = _fetch(ledger, rows)
    assert ledger.cli("init").exit_code == 0  # the signing key
    kept = tmp_path / "kept.json"
    checkpoint = ledger.cli("checkpoint", "--output", str(kept))
    assert checkpoint.exit_code == 0, checkpoint.output
    at_0002 = []
    _to_0002_and_back(ledger, lambda: at_0002.extend(_fetch(ledger, rows)))
    assert at_0002 == before
    assert _fetch(ledger, rows) == before
    verified = ledger.cli("verify", "--checkpoint", str(kept))
    assert verified.exit_code == 0, verified.output
    _record(ledger, "raiders-said-after-the-upgrade")
    assert _shown(ledger, "raiders-said-after-the-upgrade") == before[-1][0] + 1


@pytest.mark.sqlite_only
def test_0003_starts_past_an_event_deleted_before_the_upgrade(tmp_path):
    ledger = ExampleLedger.new(tmp_path).holding("fictional-seizure")
    _record(ledger, "raiders-said-one")
    deleted = _last_seq(ledger)
    # At 0002 (plain rowid), the last event is deleted by hand; then the upgrade.
    _to_0002_and_back(ledger, lambda: _delete_by_hand(ledger, deleted))
    _record(ledger, "raiders-said-two")
    assert _last_seq(ledger) == deleted + 1
    assert _shown(ledger, "raiders-said-two") == deleted + 1


@pytest.mark.sqlite_only
def test_the_triggers_still_refuse_changes_after_0003(tmp_path):
    ledger = ExampleLedger.new(tmp_path).holding("fictional-seizure")
    _to_0002_and_back(ledger)
    for sql in (
        "UPDATE stored_events SET topic = 'forged'",
        "DELETE FROM stored_events",
        "INSERT OR REPLACE INTO stored_events "
        "(originator_id, originator_version, topic, state) "
        "SELECT originator_id, originator_version, 'forged', state "
        "FROM stored_events LIMIT 1",
    ):
        refusal = ledger.run_sql(sql)
        assert refusal is not None and "stored events are immutable" in refusal
    assert ledger.count_events() == ledger.events_before
