"""Tamper evidence: Merkle tree nodes, leaf positions, signed checkpoints.

The read models are emptied so that the next command projects every stored
event again, computing the Merkle tree from the events alone.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_READ_MODELS = (
    "incidents",
    "actors",
    "actor_names",
    "claims",
    "statements",
    "statement_changes",
    "ledger_events",
    "projection_tracking",
)

_TRIGGERS = {
    "checkpoints_refuse_update": """
        CREATE TRIGGER checkpoints_refuse_update BEFORE UPDATE ON checkpoints
        BEGIN SELECT RAISE(ABORT, 'checkpoints are immutable: UPDATE refused'); END""",
    "checkpoints_refuse_delete": """
        CREATE TRIGGER checkpoints_refuse_delete BEFORE DELETE ON checkpoints
        BEGIN SELECT RAISE(ABORT, 'checkpoints are immutable: DELETE refused'); END""",
}


# PostgreSQL: the trigger function of revision 0001 refuses the change.
_PG_TRIGGERS = [
    "CREATE TRIGGER checkpoints_refuse_change BEFORE UPDATE OR DELETE "
    "ON checkpoints FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()",
    "CREATE TRIGGER checkpoints_refuse_truncate BEFORE TRUNCATE "
    "ON checkpoints FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()",
]


def upgrade() -> None:
    """Add the Merkle nodes, the leaf index, and the append-only checkpoints."""
    for table in _READ_MODELS:
        op.execute(f"DELETE FROM {table}")
    with op.batch_alter_table("ledger_events") as batch:
        batch.add_column(sa.Column("leaf_index", sa.BigInteger, nullable=False))
        batch.create_index("ix_ledger_events_leaf_index", ["leaf_index"], unique=True)
    op.create_table(
        "merkle_nodes",
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("idx", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx"),
    )
    op.create_table(
        "checkpoints",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tree_size", sa.BigInteger, nullable=False),
        sa.Column("last_seq", sa.BigInteger, nullable=False),
        sa.Column("root_hash", sa.String(64), nullable=False),
        sa.Column("timestamp", sa.String(40), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("signature", sa.Text, nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        for ddl in _PG_TRIGGERS:
            op.execute(ddl)
        return
    for ddl in _TRIGGERS.values():
        op.execute(ddl)


def downgrade() -> None:
    """Drop the checkpoints and the Merkle nodes; empty the read models again."""
    for name in _TRIGGERS:
        if op.get_bind().dialect.name == "postgresql":
            break
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("checkpoints")
    op.drop_table("merkle_nodes")
    for table in _READ_MODELS:
        op.execute(f"DELETE FROM {table}")
    with op.batch_alter_table("ledger_events") as batch:
        batch.drop_index("ix_ledger_events_leaf_index")
        batch.drop_column("leaf_index")
