"""The SQLite store: pragmas per connection, immutable events, migrations, rebuilds."""

from __future__ import annotations

import subprocess
import sys

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text

from ledger.bootstrap import Ledger, alembic_config, init
from ledger.persistence import BUSY_TIMEOUT_MS, make_engine
from ledger.projections.tables import READ_MODEL_TABLES, metadata, tracking
from ledger.schemas.lines import parse_line
from ledger.synthetic import generate
from tests.support import EXAMPLES, ExampleLedger, records_of


def _pragmas(cursor) -> tuple:
    return tuple(
        cursor.execute(f"PRAGMA {name}").fetchone()[0]
        for name in ("journal_mode", "synchronous", "busy_timeout")
    )


EXPECTED = ("wal", 2, BUSY_TIMEOUT_MS)  # synchronous 2 is FULL


@pytest.mark.sqlite_only
def test_every_read_model_connection_is_wal_full_with_a_busy_timeout(tmp_path):
    ledger = ExampleLedger.new(tmp_path)
    engine = make_engine(ledger.url)
    connections = [engine.connect() for _ in range(3)]
    try:
        for conn in connections:
            assert _pragmas(conn.connection.driver_connection.cursor()) == EXPECTED
    finally:
        for conn in connections:
            conn.close()
        engine.dispose()


@pytest.mark.sqlite_only
def test_every_event_store_connection_is_wal_full_with_a_busy_timeout(tmp_path):
    ledger = ExampleLedger.new(tmp_path)
    with Ledger(ledger.url) as opened:
        pool = opened.app.recorder.datastore.pool
        connections = [pool.get_connection(is_writer=False) for _ in range(2)]
        try:
            for conn in connections:
                assert _pragmas(conn._sqlite_conn.cursor()) == EXPECTED
        finally:
            for conn in connections:
                pool.put_connection(conn)


# Standard SQL that both backends understand, then each one's own ways round.
_UPSERT = (
    "INSERT INTO stored_events (originator_id, originator_version, topic, state) "
    "SELECT originator_id, originator_version, 'forged', state FROM stored_events "
    "WHERE true LIMIT 1 ON CONFLICT (originator_id, originator_version) "
    "DO UPDATE SET topic = 'forged'"
)


@pytest.mark.integrity
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE stored_events SET topic = 'forged'",
        "DELETE FROM stored_events",
        _UPSERT,
    ],
)
def test_the_database_refuses_to_change_stored_events(tmp_path, sql):
    ledger = ExampleLedger.new(tmp_path).holding("fictional-seizure")
    before = _stored(ledger)
    refusal = ledger.run_sql(sql)
    assert refusal is not None and "stored events are immutable" in refusal
    assert _stored(ledger) == before


@pytest.mark.integrity
@pytest.mark.postgres_only
def test_postgresql_refuses_truncate_of_stored_events(tmp_path):
    ledger = ExampleLedger.new(tmp_path).holding("fictional-seizure")
    refusal = ledger.run_sql("TRUNCATE stored_events")
    assert refusal is not None and "stored events are immutable: TRUNCATE" in refusal
    assert ledger.count_events() == ledger.events_before


@pytest.mark.integrity
@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE stored_events SET state = x'00'",
        "DELETE FROM stored_events WHERE rowid = 1",
        "INSERT OR REPLACE INTO stored_events "
        "(originator_id, originator_version, topic, state) "
        "SELECT originator_id, originator_version, 'forged', state "
        "FROM stored_events LIMIT 1",
        "REPLACE INTO stored_events "
        "(originator_id, originator_version, topic, state) "
        "SELECT originator_id, originator_version, 'forged', state "
        "FROM stored_events LIMIT 1",
    ],
)
def test_sqlite_refuses_its_own_ways_of_replacing_stored_events(tmp_path, sql):
    ledger = ExampleLedger.new(tmp_path).holding("fictional-seizure")
    before = _stored(ledger)
    refusal = ledger.run_sql(sql)
    assert refusal is not None and "stored events are immutable" in refusal
    assert _stored(ledger) == before


def _stored(ledger: ExampleLedger) -> list:
    conn = ledger.connect()
    try:
        return conn.execute(
            "SELECT originator_id, originator_version, topic, state FROM stored_events "
            "ORDER BY originator_id, originator_version"
        ).fetchall()
    finally:
        conn.close()


def test_init_twice_is_harmless_and_keeps_the_events(tmp_path):
    ledger = ExampleLedger.new(tmp_path).holding("fictional-seizure")
    head = ScriptDirectory.from_config(alembic_config(ledger.url)).get_current_head()
    assert init(ledger.url) == (head, head)
    assert ledger.count_events() == ledger.events_before


def test_migrations_go_down_to_nothing_and_up_again(tmp_path):
    ledger = ExampleLedger.new(tmp_path)
    config = alembic_config(ledger.url)
    command.downgrade(config, "base")
    engine = make_engine(ledger.url)
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    assert not names & {"stored_events", "statements", "ledger_events", "checkpoints"}
    command.upgrade(config, "head")
    ledger.write(records_of("fictional-seizure"))
    assert ledger.count_events() > 0


def test_the_migrations_create_exactly_the_tables_the_code_describes(tmp_path):
    ledger = ExampleLedger.new(tmp_path)
    engine = make_engine(ledger.url)
    # On PostgreSQL the event store is the library's own layout (uuid, bigserial).
    library_layout = engine.dialect.name == "postgresql"

    def ours(obj, name, kind, reflected, compare_to):  # noqa: ANN001
        if library_layout and kind == "table" and name == "stored_events":
            return False
        return not _full_text_index(obj, name, kind, library_layout)

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": ours})
        diff = compare_metadata(context, metadata)
        columns = {c["name"] for c in inspect(conn).get_columns("stored_events")}
        searched = {c["name"] for c in inspect(conn).get_columns("search_entries")}
    engine.dispose()
    assert diff == []
    # The full-text index itself is the database's own (revision 0006).
    described = {c.name for c in metadata.tables["search_entries"].columns}
    assert searched == described | ({"document"} if library_layout else set())
    expected = {"originator_id", "originator_version", "topic", "state"}
    assert columns == expected | {"notification_id" if library_layout else "rowid"}


def _full_text_index(obj, name, kind, postgresql: bool) -> bool:  # noqa: ANN001
    """What the database adds for full-text search: FTS5's shadow tables and the
    untyped columns of its virtual table (SQLite); the generated tsvector column
    and its GIN index (PostgreSQL)."""
    if postgresql:
        return name in ("document", "ix_search_entries_document")
    if kind == "table":
        return name.startswith("search_entries_")
    return kind == "column" and obj.table.name == "search_entries"


def _dump(url: str) -> dict[str, list]:
    engine = make_engine(url)
    with engine.connect() as conn:
        dump = {
            table.name: sorted(
                (tuple(str(v) for v in row) for row in conn.execute(select(table))),
            )
            for table in (*READ_MODEL_TABLES, tracking)
        }
    engine.dispose()
    return dump


def _rebuilt_equals_incremental(ledger: ExampleLedger) -> None:
    incremental = _dump(ledger.url)
    with Ledger(ledger.url) as opened:
        opened.rebuild()
    assert _dump(ledger.url) == incremental
    assert incremental["statements"], "nothing was projected"
    assert incremental["search_entries"], "nothing was made searchable"


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_a_rebuild_equals_the_incremental_read_model_on_the_examples(tmp_path, example):
    if not EXAMPLES[example].exists():
        pytest.fail(f"{EXAMPLES[example]} is missing")
    ledger = ExampleLedger.new(tmp_path)
    ledger.write(records_of(example, types=("incident", "actor", "claim")))
    statements = records_of(example, types=("statement",))
    for number, record in statements:  # one write per record, as recorders do
        ledger.write([(number, record)])
    last = statements[-1][1]["id"]
    corrected = ledger.cli(
        "correct", last, "--field", "note", "--value", "n", "--reason", "r"
    )
    assert corrected.exit_code == 0, corrected.output
    _rebuilt_equals_incremental(ledger)


@pytest.mark.slow
def test_a_rebuild_equals_the_incremental_read_model_on_thousands_of_statements(
    tmp_path,
):
    ledger = ExampleLedger.new(tmp_path)
    lines = list(generate(3000, incidents=3))
    records = [(n, parse_line(line, n)) for n, line in enumerate(lines, 1)]
    for i in range(0, len(records), 700):  # several writes, several projection batches
        ledger.write(records[i : i + 700])
    assert {r["type"] for _, r in records} >= {"correction", "withdrawal", "grade"}
    _rebuilt_equals_incremental(ledger)


def test_projection_resumes_from_its_tracked_position(tmp_path):
    ledger = ExampleLedger.new(tmp_path).holding("fictional-seizure")
    engine = make_engine(ledger.url)
    with engine.begin() as conn:
        position = conn.execute(select(tracking.c.notification_id)).scalar()
        conn.execute(
            text("DELETE FROM ledger_events WHERE seq > :p"), {"p": position - 3}
        )
        conn.execute(text("DELETE FROM statements WHERE seq > :p"), {"p": position - 3})
        conn.execute(
            text("DELETE FROM search_entries WHERE seq > :p"), {"p": position - 3}
        )
        conn.execute(tracking.update().values(notification_id=position - 3))
    engine.dispose()
    with Ledger(ledger.url) as opened:
        assert opened.pending() == 3
        assert opened.project() == 3
        assert opened.pending() == 0


_WRITE_IN_ANOTHER_PROCESS = """
import sys
from ledger.bootstrap import Ledger
from ledger.schemas.lines import parse_line
from ledger.synthetic import generate
lines = generate(20, incidents=1, seed=7)
records = [(n, parse_line(text, n)) for n, text in enumerate(lines, 1)]
with Ledger(sys.argv[1]) as ledger:
    ledger.app.write(records, "another-process")
"""


_READ_POSITION = """
import sqlite3, sys
with sqlite3.connect(sys.argv[1]) as db:
    print(db.execute("SELECT notification_id FROM projection_tracking").fetchone()[0])
"""


@pytest.mark.sqlite_only
def test_a_long_lived_process_keeps_its_commits_while_others_come_and_go(tmp_path):
    """A worker or server keeps its ledger open while commands start and stop.

    Opening the ledger must not drop the locks its own connections hold: if it
    did, a command closing in another process would take itself for the last
    one, delete the WAL, and what this process commits next would go into a
    deleted file and be lost.
    """
    ex = ExampleLedger.new(tmp_path)
    with Ledger(ex.url) as worker:
        assert worker.project() == 0  # its connections are open from here on
        subprocess.run(
            [sys.executable, "-c", _WRITE_IN_ANOTHER_PROCESS, ex.url], check=True
        )
        projected = worker.project()
        assert projected == worker.app.max_sequence() > 0
        # What another process reads while this one is still running.
        seen = subprocess.run(
            [sys.executable, "-c", _READ_POSITION, str(ex.path)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    assert seen == str(projected)
