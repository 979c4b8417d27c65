"""Sequence numbers are never given twice, even after events were deleted by hand.

SQLite gave a new event ``max(rowid) + 1``: once the last event had been deleted
(its immutability triggers dropped first), the next one took its number, behind
the position the projection had already passed, and was never shown. The event
store is rebuilt with ``rowid INTEGER PRIMARY KEY AUTOINCREMENT`` (SQLite then
remembers the highest number ever given, in ``sqlite_sequence``), every event
keeping its number, and its triggers are made again. The remembered number
starts at the highest one the ledger has ever seen: stored, projected or signed.

PostgreSQL's ``notification_id`` is a ``bigserial``: a sequence never gives a
number twice, so nothing changes there.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_REFUSE = "stored events are immutable"
_COLUMNS = "originator_id, originator_version, topic, state"

# The triggers of revision 0001, unchanged: SQLite drops them with their table.
_TRIGGERS = {
    "stored_events_refuse_update": f"""
        CREATE TRIGGER stored_events_refuse_update BEFORE UPDATE ON stored_events
        BEGIN SELECT RAISE(ABORT, '{_REFUSE}: UPDATE refused'); END""",
    "stored_events_refuse_delete": f"""
        CREATE TRIGGER stored_events_refuse_delete BEFORE DELETE ON stored_events
        BEGIN SELECT RAISE(ABORT, '{_REFUSE}: DELETE refused'); END""",
    "stored_events_refuse_replace": f"""
        CREATE TRIGGER stored_events_refuse_replace BEFORE INSERT ON stored_events
        WHEN EXISTS (
            SELECT 1 FROM stored_events
            WHERE originator_id = NEW.originator_id
              AND originator_version = NEW.originator_version)
        BEGIN SELECT RAISE(ABORT, '{_REFUSE}: this event is already stored'); END""",
}

_AUTOINCREMENT = """CREATE TABLE stored_events (
    originator_id TEXT NOT NULL,
    originator_version INTEGER NOT NULL,
    topic TEXT NOT NULL,
    state BLOB NOT NULL,
    rowid INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    UNIQUE (originator_id, originator_version))"""

_PLAIN = """CREATE TABLE stored_events (
    originator_id TEXT NOT NULL,
    originator_version INTEGER NOT NULL,
    topic TEXT NOT NULL,
    state BLOB NOT NULL,
    PRIMARY KEY (originator_id, originator_version))"""

# The highest sequence number the ledger has seen, wherever it is still written.
_HIGHEST = """SELECT max(n) FROM (
    SELECT max(rowid) AS n FROM stored_events_0002
    UNION ALL SELECT max(notification_id) FROM projection_tracking
    UNION ALL SELECT max(seq) FROM ledger_events
    UNION ALL SELECT max(last_seq) FROM checkpoints)"""


def _rebuild(create: str) -> None:
    """Make ``stored_events`` again with ``create``; every event keeps its rowid."""
    for name in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("ALTER TABLE stored_events RENAME TO stored_events_0002")
    op.execute(create)
    op.execute(
        f"INSERT INTO stored_events (rowid, {_COLUMNS}) "
        f"SELECT rowid, {_COLUMNS} FROM stored_events_0002 ORDER BY rowid"
    )


def upgrade() -> None:
    """SQLite: the event store on AUTOINCREMENT, starting past every number seen."""
    if op.get_bind().dialect.name != "sqlite":
        return
    _rebuild(_AUTOINCREMENT)
    highest = op.get_bind().exec_driver_sql(_HIGHEST).scalar()
    if highest:
        op.execute("DELETE FROM sqlite_sequence WHERE name = 'stored_events'")
        op.execute(
            "INSERT INTO sqlite_sequence (name, seq) "
            f"VALUES ('stored_events', {int(highest)})"
        )
    op.execute("DROP TABLE stored_events_0002")
    for ddl in _TRIGGERS.values():
        op.execute(ddl)


def downgrade() -> None:
    """SQLite: the event store of revision 0002 again, every event keeping its rowid."""
    if op.get_bind().dialect.name != "sqlite":
        return
    _rebuild(_PLAIN)
    op.execute("DROP TABLE stored_events_0002")
    op.execute("DELETE FROM sqlite_sequence WHERE name = 'stored_events'")
    for ddl in _TRIGGERS.values():
        op.execute(ddl)
