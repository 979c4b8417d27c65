"""Accounts: who may use the server, with which role and tokens (read models).

The accounts are events in the ledger; these tables are filled by the projection.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _recorded() -> list[sa.Column]:
    return [
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
    ]


def upgrade() -> None:
    """Create the accounts, their role changes and revocations, and token hashes."""
    op.create_table(
        "accounts",
        sa.Column("account", sa.String(200), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        *_recorded(),
    )
    op.create_table(
        "account_changes",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("account", sa.String(200), nullable=False),
        sa.Column("change", sa.String(20), nullable=False),
        sa.Column("role", sa.String(20)),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
    )
    op.create_index("ix_account_changes_account", "account_changes", ["account"])
    op.create_table(
        "account_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("token_id", sa.String(16), nullable=False),
        sa.Column("account", sa.String(200), nullable=False),
        *_recorded(),
    )
    op.create_index("ix_account_tokens_account", "account_tokens", ["account"])


def downgrade() -> None:
    """Drop the account read models (the account events stay in the ledger)."""
    op.drop_table("account_tokens")
    op.drop_table("account_changes")
    op.drop_table("accounts")
