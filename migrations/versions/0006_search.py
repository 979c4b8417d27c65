"""Full-text search: the searchable texts of every record, in the database's index.

SQLite: ``search_entries`` is an FTS5 virtual table that indexes ``words`` (the
other columns are stored, not indexed). PostgreSQL: a plain table with a
generated tsvector column ``document`` and a GIN index on it. The projection
fills it (ledger/projections/search.py); the rows of the records already
projected are added here from the read models, as the projection would.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_FTS5 = """
    CREATE VIRTUAL TABLE search_entries USING fts5(
        seq UNINDEXED, field UNINDEXED, kind UNINDEXED, subject UNINDEXED,
        incident UNINDEXED, text UNINDEXED, words, recorded_at UNINDEXED,
        tokenize = 'unicode61 remove_diacritics 2'
    )"""

_PG_DOCUMENT = (
    "ALTER TABLE search_entries ADD COLUMN document tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', words)) STORED"
)


def upgrade() -> None:
    """Create the search table and its index, and fill it from the read models."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(_FTS5)
    else:
        op.create_table(
            "search_entries",
            sa.Column("seq", sa.BigInteger, nullable=False),
            sa.Column("field", sa.String(100), nullable=False),
            sa.Column("kind", sa.String(20), nullable=False),
            sa.Column("subject", sa.String(200), nullable=False),
            sa.Column("incident", sa.String(200)),
            sa.Column("text", sa.Text, nullable=False),
            sa.Column("words", sa.Text, nullable=False),
            sa.Column("recorded_at", sa.DateTime, nullable=False),
            sa.PrimaryKeyConstraint("seq", "field"),
        )
        op.execute(_PG_DOCUMENT)
        op.create_index(
            "ix_search_entries_document",
            "search_entries",
            ["document"],
            postgresql_using="gin",
        )
    _fill()


def _fill() -> None:
    """The rows the projection gives for what is already projected."""
    from ledger.projections import tables as t
    from ledger.projections.search import entries

    conn = op.get_bind()
    rows: list[dict] = []
    for kind, table in [
        ("incident", t.incidents),
        ("actor", t.actors),
        ("claim", t.claims),
        ("statement", t.statements),
    ]:
        for r in conn.execute(sa.select(table)).mappings():
            incident = r["slug"] if kind == "incident" else r.get("incident")
            values = r["data"] if kind == "statement" else r["profile"]
            rows += entries(kind, r["slug"], incident, values, dict(r))
    c = t.statement_changes.c
    corrections = sa.select(t.statement_changes).where(c.change == "correction")
    for r in conn.execute(corrections).mappings():
        values = {r["data"]["field"]: r["data"]["after"]}
        rows += entries("statement", r["statement"], r["incident"], values, dict(r))
    if rows:
        conn.execute(sa.insert(t.search_entries), rows)


def downgrade() -> None:
    """Drop the search table (the records it was made from stay)."""
    op.drop_table("search_entries")
