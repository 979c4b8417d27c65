"""The ledger's signing keys and their handovers, append-only like the checkpoints.

The first row names the key that signs the ledger's checkpoints; each later row
hands over from the previous key (which signs it) to a new one (which
countersigns it). A ledger upgraded from an earlier revision has no row yet: the
next `ledger init` or `ledger checkpoint` records its key.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TRIGGERS = {
    "signing_keys_refuse_update": """
        CREATE TRIGGER signing_keys_refuse_update BEFORE UPDATE ON signing_keys
        BEGIN SELECT RAISE(ABORT, 'signing keys are immutable: UPDATE refused'); END""",
    "signing_keys_refuse_delete": """
        CREATE TRIGGER signing_keys_refuse_delete BEFORE DELETE ON signing_keys
        BEGIN SELECT RAISE(ABORT, 'signing keys are immutable: DELETE refused'); END""",
}

# PostgreSQL: the trigger function of revision 0001 refuses the change.
_PG_TRIGGERS = [
    "CREATE TRIGGER signing_keys_refuse_change BEFORE UPDATE OR DELETE "
    "ON signing_keys FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()",
    "CREATE TRIGGER signing_keys_refuse_truncate BEFORE TRUNCATE "
    "ON signing_keys FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()",
]


def upgrade() -> None:
    """Add the append-only table of signing keys and handovers."""
    op.create_table(
        "signing_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key_id", sa.String(64), nullable=False, unique=True),
        sa.Column("previous_key_id", sa.String(64), nullable=True, unique=True),
        sa.Column("public_key", sa.Text, nullable=False),
        sa.Column("tree_size", sa.BigInteger, nullable=False),
        sa.Column("timestamp", sa.String(40), nullable=False),
        sa.Column("signature", sa.Text, nullable=True),
        sa.Column("countersignature", sa.Text, nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
    )
    ddl = _PG_TRIGGERS if op.get_bind().dialect.name == "postgresql" else None
    for statement in ddl or _TRIGGERS.values():
        op.execute(statement)


def downgrade() -> None:
    """Drop the table of signing keys (its triggers go with it)."""
    op.drop_table("signing_keys")
