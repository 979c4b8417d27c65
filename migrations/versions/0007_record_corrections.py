"""Corrections of incidents, actors and claims, and actor names as known then.

``record_changes`` holds each correction of an incident, actor or claim (an
actor's ``same_as`` among them), in ledger order, as ``statement_changes`` does
for statements. ``actor_names`` gains the sequence number of the event that
gave each name, so that a name is looked up as the ledger knew it at a moment:
its rows so far are copied with the sequence number of their actor's
registration (the only event that gave names before this revision).

On PostgreSQL, the roles of docs/postgres-roles.sql and
docs/postgres-team-roles.sql keep working across the upgrade: the rebuilt
``actor_names`` is given the privileges the old table had, and
``record_changes`` those of its sibling ``statement_changes``.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _grants(table: str) -> list[tuple[str, str]]:
    """Who (other than the owner) holds which privilege on ``table``."""
    if op.get_bind().dialect.name != "postgresql":
        return []
    rows = op.get_bind().execute(
        sa.text(
            "SELECT grantee, privilege_type FROM information_schema.role_table_grants "
            "WHERE table_schema = current_schema() AND table_name = :table "
            "AND grantee <> current_user"
        ),
        {"table": table},
    )
    return [(r.grantee, r.privilege_type) for r in rows]


def _grant(table: str, grants: list[tuple[str, str]]) -> None:
    for grantee, privilege in grants:
        op.execute(f'GRANT {privilege} ON {table} TO "{grantee}"')


def upgrade() -> None:
    """Create ``record_changes``; give ``actor_names`` its sequence numbers."""
    names_grants = _grants("actor_names")
    op.create_table(
        "record_changes",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("incident", sa.String(200)),
        sa.Column("change_id", sa.String(200), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("recorded_at", sa.DateTime, nullable=False),
        sa.Column("recorded_by", sa.String(200), nullable=False),
    )
    op.create_index("ix_record_changes_subject", "record_changes", ["subject"])
    op.create_index("ix_record_changes_incident", "record_changes", ["incident"])
    _grant("record_changes", _grants("statement_changes"))
    op.create_table(
        "actor_names_by_seq",
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("name_key", sa.String(400), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("seq", "name_key"),
    )
    op.execute(
        "INSERT INTO actor_names_by_seq (seq, name_key, actor) "
        "SELECT actors.seq, actor_names.name_key, actor_names.actor "
        "FROM actor_names JOIN actors ON actors.slug = actor_names.actor"
    )
    op.drop_table("actor_names")
    op.rename_table("actor_names_by_seq", "actor_names")
    op.create_index("ix_actor_names_name_key", "actor_names", ["name_key"])
    _grant("actor_names", names_grants)


def downgrade() -> None:
    """Back to one row per name (the names of registration); drop the changes."""
    names_grants = _grants("actor_names")
    op.drop_index("ix_actor_names_name_key", "actor_names")
    op.rename_table("actor_names", "actor_names_by_seq")
    op.create_table(
        "actor_names",
        sa.Column("name_key", sa.String(400), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("name_key", "actor"),
    )
    op.execute(
        "INSERT INTO actor_names (name_key, actor) "
        "SELECT DISTINCT n.name_key, n.actor FROM actor_names_by_seq n "
        "JOIN actors ON actors.slug = n.actor AND actors.seq = n.seq"
    )
    op.drop_table("actor_names_by_seq")
    op.drop_table("record_changes")
    _grant("actor_names", names_grants)
