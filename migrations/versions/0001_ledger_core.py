"""The ledger core: event store, immutability triggers, read models, tracking.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_REFUSE = "stored events are immutable"

# SQLite: UPDATE and DELETE are refused. INSERT OR REPLACE would delete the old
# row without firing DELETE triggers (recursive_triggers is off), so an INSERT
# over an existing (originator_id, originator_version) is refused before it runs.
_SQLITE_TRIGGERS = {
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


# PostgreSQL: the eventsourcing library's own layout (eventsourcing.postgres 9.5),
# and one trigger function that refuses UPDATE, DELETE (row) and TRUNCATE
# (statement), so an upsert over a stored event is refused as well.
_PG_EVENTS = [
    """CREATE TABLE stored_events (
        originator_id uuid NOT NULL,
        originator_version bigint NOT NULL,
        topic text,
        state bytea,
        notification_id bigserial,
        PRIMARY KEY (originator_id, originator_version))""",
    "CREATE UNIQUE INDEX stored_events_notification_id_idx "
    "ON stored_events (notification_id ASC)",
    """CREATE TYPE stored_event_uuid AS (
        originator_id uuid, originator_version bigint, topic text, state bytea)""",
    """CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% are immutable: % refused',
                replace(TG_TABLE_NAME, '_', ' '), TG_OP
                USING ERRCODE = 'integrity_constraint_violation';
        END $$""",
    "CREATE TRIGGER stored_events_refuse_change BEFORE UPDATE OR DELETE "
    "ON stored_events FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()",
    "CREATE TRIGGER stored_events_refuse_truncate BEFORE TRUNCATE "
    "ON stored_events FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()",
]
_PG_DROP = [
    "DROP TABLE stored_events",
    "DROP TYPE stored_event_uuid",
    "DROP FUNCTION ledger_refuse_change()",
]


def _create_event_store() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for ddl in _PG_EVENTS:
            op.execute(ddl)
        return
    op.create_table(
        "stored_events",
        sa.Column("originator_id", sa.Text, nullable=False),
        sa.Column("originator_version", sa.Integer, nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("state", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("originator_id", "originator_version"),
    )
    for ddl in _SQLITE_TRIGGERS.values():
        op.execute(ddl)


def _recorded() -> list[sa.Column]:
    return [
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
    ]


def upgrade() -> None:
    """Create the event store with its triggers, the read models and tracking."""
    _create_event_store()
    op.create_table(
        "projection_tracking",
        sa.Column("application_name", sa.String(100), primary_key=True),
        sa.Column("notification_id", sa.BigInteger, nullable=False),
    )
    _create_read_models()


def _create_read_models() -> None:
    op.create_table(
        "incidents",
        sa.Column("slug", sa.String(200), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("profile", sa.JSON, nullable=False),
        *_recorded(),
    )
    op.create_table(
        "actors",
        sa.Column("slug", sa.String(200), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("display_name", sa.Text, nullable=False),
        sa.Column("profile", sa.JSON, nullable=False),
        *_recorded(),
    )
    op.create_table(
        "actor_names",
        sa.Column("name_key", sa.String(400), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("name_key", "actor"),
    )
    op.create_table(
        "claims",
        sa.Column("slug", sa.String(200), primary_key=True),
        sa.Column("incident", sa.String(200), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("profile", sa.JSON, nullable=False),
        *_recorded(),
    )
    op.create_index("ix_claims_incident", "claims", ["incident"])
    op.create_table(
        "statements",
        sa.Column("slug", sa.String(200), primary_key=True),
        sa.Column("incident", sa.String(200), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        *_recorded(),
    )
    op.create_index("ix_statements_incident_seq", "statements", ["incident", "seq"])
    op.create_table(
        "statement_changes",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("statement", sa.String(200), nullable=False),
        sa.Column("incident", sa.String(200), nullable=False),
        sa.Column("change_id", sa.String(200), nullable=False),
        sa.Column("change", sa.String(20), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
    )
    op.create_index(
        "ix_statement_changes_statement", "statement_changes", ["statement"]
    )
    op.create_index("ix_statement_changes_incident", "statement_changes", ["incident"])
    op.create_table(
        "ledger_events",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("stream_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("event_type", sa.String(100), nullable=False),
        sa.Column("incident", sa.String(200)),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Column("leaf_hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_ledger_events_incident", "ledger_events", ["incident"])
    op.create_index("ix_ledger_events_subject", "ledger_events", ["subject"])


def downgrade() -> None:
    """Drop everything this revision created, the stored events included."""
    for name in (
        "ledger_events",
        "statement_changes",
        "statements",
        "claims",
        "actor_names",
        "actors",
        "incidents",
        "projection_tracking",
    ):
        op.drop_table(name)
    if op.get_bind().dialect.name == "postgresql":
        for ddl in _PG_DROP:
            op.execute(ddl)
        return
    for name in _SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("stored_events")
