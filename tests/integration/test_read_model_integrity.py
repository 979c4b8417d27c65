"""`verify` covers what readers see: a read-model row that the events do not give
is named, and verify exits 3, even with an auditor's checkpoint that still matches.

The forger here writes only the read models (as the application role could, before
docs/postgres-roles.sql took that right from it); the stored events are untouched,
so every leaf hash and every signed root still match.
"""

from __future__ import annotations

import json

import pytest

from tests.support import ExampleLedger

FAILED = 3

# (id, SQLite, PostgreSQL where it differs, phrases verify must print)
FORGERIES = [
    (
        "actor-display-name",
        "UPDATE actors SET display_name = 'FORGED NAME' WHERE slug = 'coastal-navy'",
        None,
        ["read model actors", "slug=coastal-navy", "display_name", "FORGED NAME"],
    ),
    (
        "statement-kind",
        "UPDATE statements SET data = json_set(data, '$.kind', 'admission') "
        "WHERE slug = 'coastalia-denies'",
        "UPDATE statements SET data = "
        "jsonb_set(data::jsonb, '{kind}', '\"admission\"')::json "
        "WHERE slug = 'coastalia-denies'",
        ["read model statements", "slug=coastalia-denies", "data.kind", "admission"],
    ),
    (
        "audit-recorded-by",
        "UPDATE ledger_events SET recorded_by = 'FORGED' WHERE seq = {SEQ}",
        None,
        ["read model ledger_events", "seq={SEQ}", "recorded_by", "FORGED"],
    ),
    (
        "statement-deleted",
        "DELETE FROM statements WHERE slug = 'crew-corroborates'",
        None,
        ["read model statements", "slug=crew-corroborates", "is missing"],
    ),
    (
        "audit-row-deleted",
        "DELETE FROM ledger_events WHERE seq = {SEQ}",
        None,
        # the recorded leaves are read models too: the leaf check names it first
        ["event {SEQ}: the ledger recorded event"],
    ),
    (
        "statement-inserted",
        "INSERT INTO statements (slug, incident, fingerprint, data, seq, "
        "recorded_at, recorded_by) SELECT 'forged-statement', incident, fingerprint, "
        "data, seq, recorded_at, recorded_by FROM statements "
        "WHERE slug = 'coastalia-denies'",
        None,
        ["read model statements", "slug=forged-statement", "is extra"],
    ),
    (
        "actor-inserted-after-the-last-event",
        "INSERT INTO actors (slug, fingerprint, display_name, profile, seq, "
        "recorded_at, recorded_by) SELECT 'forged-actor', fingerprint, display_name, "
        "profile, 1000000, recorded_at, recorded_by FROM actors "
        "WHERE slug = 'coastal-navy'",
        None,
        ["read model actors", "slug=forged-actor", "is extra"],
    ),
    (
        "alias-inserted",
        "INSERT INTO actor_names (seq, name_key, actor) "
        "VALUES (1, 'the navy', 'coastal-navy')",
        None,
        ["read model actor_names", "name_key=the navy", "is extra"],
    ),
    (
        "merkle-node",
        "UPDATE merkle_nodes SET hash = '{ZERO}' WHERE level = 1 AND idx = 2",
        None,
        ["read model merkle_nodes", "level=1, idx=2", "0" * 64],
    ),
    (
        "account-role-raised",
        "UPDATE account_changes SET role = 'admin' WHERE account = 'auditor-amy'",
        None,
        ["read model account_changes", "role", "admin"],
    ),
    (
        "search-text",
        "UPDATE search_entries SET text = 'FORGED QUOTE', words = 'forged quote' "
        "WHERE subject = 'coastalia-denies' AND field = 'quote'",
        None,
        ["read model search_entries", "field=quote", "column text", "FORGED QUOTE"],
    ),
    (
        "search-alias-deleted",
        "DELETE FROM search_entries WHERE subject = 'coastal-state' "
        "AND field = 'aliases.0'",
        None,
        ["read model search_entries", "field=aliases.0", "is missing"],
    ),
    (
        "tracking-ahead",
        "UPDATE projection_tracking SET notification_id = 1000000",
        None,
        ["read model projection_tracking", "1000000"],
    ),
]


@pytest.fixture(scope="module")
def kept_sqlite(tmp_path_factory) -> tuple[ExampleLedger, dict]:
    """One SQLite ledger and its checkpoint, copied for each forgery."""
    return _seized_and_kept(tmp_path_factory.mktemp("kept"))


def _seized_and_kept(directory) -> tuple[ExampleLedger, dict]:
    ledger = ExampleLedger.new(directory)
    assert ledger.cli("init").exit_code == 0
    ledger.holding("fictional-seizure")
    added = ledger.cli("users", "add", "auditor-amy", "--role", "reader")
    assert added.exit_code == 0, added.output
    result = ledger.cli("checkpoint")
    assert result.exit_code == 0, result.output
    return ledger, json.loads(result.stdout)


@pytest.fixture
def kept(backend, request, tmp_path) -> tuple[ExampleLedger, dict]:
    """A ledger holding the example, checkpointed, and the checkpoint kept apart."""
    if backend == "postgresql":
        return _seized_and_kept(tmp_path / "pg")
    import shutil
    from dataclasses import replace

    source, cp = request.getfixturevalue("kept_sqlite")
    for file in source.path.parent.glob(source.path.name + "*"):
        shutil.copy2(file, tmp_path / file.name)
    path = tmp_path / source.path.name
    copy = replace(
        source, url=f"sqlite:///{path}", path=path, key=tmp_path / source.key.name
    )
    return copy, cp


def _seq(ledger: ExampleLedger, subject: str) -> int:
    conn = ledger.connect()
    try:
        query = f"SELECT seq FROM ledger_events WHERE subject = '{subject}'"
        return conn.execute(query).fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("sqlite_sql", "postgres_sql", "phrases"),
    [f[1:] for f in FORGERIES],
    ids=[f[0] for f in FORGERIES],
)
def test_a_forged_read_model_fails_verify_naming_the_row(
    kept, tmp_path, sqlite_sql, postgres_sql, phrases
):
    ledger, cp = kept
    kept_file = tmp_path / "kept.json"
    kept_file.write_text(json.dumps(cp), encoding="utf-8")
    before = ledger.cli("verify", "--checkpoint", str(kept_file))
    assert before.exit_code == 0, before.output

    seq = str(_seq(ledger, "owner-reports-seizure"))
    sql = (
        postgres_sql if ledger.backend == "postgresql" and postgres_sql else sqlite_sql
    )
    sql = sql.replace("{SEQ}", seq).replace("{ZERO}", "0" * 64)
    assert ledger.run_sql(sql) is None

    result = ledger.cli("verify", "--checkpoint", str(kept_file))
    assert result.exit_code == FAILED, result.output
    assert "Traceback" not in result.output
    assert "FAILED: " in result.stderr
    for phrase in phrases:
        assert phrase.replace("{SEQ}", seq) in result.stderr, (phrase, result.output)
    # One finding: the first differing row, not a cascade.
    assert result.stderr.count("FAILED:") == 1, result.stderr


def test_verify_json_names_the_event_of_the_forged_row(kept):
    ledger, _ = kept
    seq = _seq(ledger, "crew-corroborates")
    assert (
        ledger.run_sql("DELETE FROM statements WHERE slug = 'crew-corroborates'")
        is None
    )
    result = ledger.cli("verify", "--json")
    assert result.exit_code == FAILED
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert [f["seq"] for f in report["findings"]] == [seq]


def test_a_rebuild_repairs_what_verify_found(kept):
    ledger, _ = kept
    forged = "UPDATE actors SET display_name = 'FORGED NAME' WHERE slug = 'shipowner'"
    assert ledger.run_sql(forged) is None
    assert ledger.cli("verify").exit_code == FAILED
    assert ledger.cli("rebuild").exit_code == 0
    result = ledger.cli("verify")
    assert result.exit_code == 0, result.output


def test_every_read_model_table_is_compared():
    """A read-model table added later must be added to verify's comparison too."""
    from ledger.integrity.readmodels import SEQ_TABLES
    from ledger.projections import tables as t

    compared = {*SEQ_TABLES, t.actor_names, t.merkle_nodes}
    assert set(t.READ_MODEL_TABLES) == compared
