"""The read-model tables. Alembic migrations create them; this module describes them.

Read models are disposable: ``ledger rebuild`` empties them and projects every
stored event again. Only ``stored_events`` is the record, and the migrations make
the database refuse changes to it.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# The eventsourcing library's SQLite layout, with its rowid (the ledger sequence)
# declared AUTOINCREMENT so that no number is ever given twice (revision 0003).
stored_events = Table(
    "stored_events",
    metadata,
    Column("originator_id", Text, nullable=False),
    Column("originator_version", Integer, nullable=False),
    Column("topic", Text, nullable=False),
    Column("state", LargeBinary, nullable=False),
    Column("rowid", Integer, primary_key=True, autoincrement=True),
    UniqueConstraint("originator_id", "originator_version"),
    sqlite_autoincrement=True,
)

tracking = Table(
    "projection_tracking",
    metadata,
    Column("application_name", String(100), primary_key=True),
    Column("notification_id", BigInteger, nullable=False),
)


def _recorded() -> list[Column]:
    return [
        Column("seq", BigInteger, nullable=False),
        Column("recorded_at", DateTime, nullable=False),
        Column("recorded_by", String(200), nullable=False),
    ]


incidents = Table(
    "incidents",
    metadata,
    Column("slug", String(200), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("profile", JSON, nullable=False),
    *_recorded(),
)

actors = Table(
    "actors",
    metadata,
    Column("slug", String(200), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("display_name", Text, nullable=False),
    Column("profile", JSON, nullable=False),
    *_recorded(),
)

# Every name and alias an actor has, from the event that gave it (its
# registration, or a correction of its name or aliases): a name is looked up
# among the rows known by then, and checked against the profile as then.
actor_names = Table(
    "actor_names",
    metadata,
    Column("seq", BigInteger, nullable=False),
    Column("name_key", String(400), nullable=False, index=True),
    Column("actor", String(200), nullable=False),
    PrimaryKeyConstraint("seq", "name_key"),
)

claims = Table(
    "claims",
    metadata,
    Column("slug", String(200), primary_key=True),
    Column("incident", String(200), nullable=False, index=True),
    Column("fingerprint", String(64), nullable=False),
    Column("profile", JSON, nullable=False),
    *_recorded(),
)

statements = Table(
    "statements",
    metadata,
    Column("slug", String(200), primary_key=True),
    Column("incident", String(200), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("data", JSON, nullable=False),
    *_recorded(),
    Index("ix_statements_incident_seq", "incident", "seq"),
)

# Corrections, withdrawals and grades, in ledger order.
statement_changes = Table(
    "statement_changes",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("statement", String(200), nullable=False, index=True),
    Column("incident", String(200), nullable=False, index=True),
    Column("change_id", String(200), nullable=False),
    Column("change", String(20), nullable=False),
    Column("data", JSON, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    Column("recorded_by", String(200), nullable=False),
)

# Corrections of incidents, actors and claims (an actor's same_as among them),
# in ledger order; ``data`` holds field, before, after and reason.
record_changes = Table(
    "record_changes",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(20), nullable=False),
    Column("subject", String(200), nullable=False, index=True),
    Column("incident", String(200), index=True),
    Column("change_id", String(200), nullable=False),
    Column("data", JSON, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    Column("recorded_by", String(200), nullable=False),
)

# One row per stored event: the audit history.
ledger_events = Table(
    "ledger_events",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("stream_id", String(36), nullable=False),
    Column("version", Integer, nullable=False),
    Column("event_type", String(100), nullable=False),
    Column("incident", String(200), index=True),
    Column("subject", String(200), nullable=False, index=True),
    Column("recorded_at", DateTime, nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("summary", Text, nullable=False),
    Column("detail", JSON, nullable=False),
    Column("leaf_hash", String(64), nullable=False),
    Column("leaf_index", BigInteger, nullable=False),
    Index("ix_ledger_events_leaf_index", "leaf_index", unique=True),
)

# Every perfect subtree of the Merkle tree over the events (level 0: leaves).
merkle_nodes = Table(
    "merkle_nodes",
    metadata,
    Column("level", Integer, nullable=False),
    Column("idx", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    PrimaryKeyConstraint("level", "idx"),
)

# Signed checkpoints: append-only, like the events; not a read model.
checkpoints = Table(
    "checkpoints",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("tree_size", BigInteger, nullable=False),
    Column("last_seq", BigInteger, nullable=False),
    Column("root_hash", String(64), nullable=False),
    Column("timestamp", String(40), nullable=False),
    Column("key_id", String(64), nullable=False),
    Column("signature", Text, nullable=False),
    Column("recorded_by", String(200), nullable=False),
)

# The ledger's signing keys, oldest first: append-only, not a read model. Each row
# after the first is a handover the previous key signs and the new key
# countersigns (ledger.integrity.keyring).
signing_keys = Table(
    "signing_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("key_id", String(64), nullable=False, unique=True),
    Column("previous_key_id", String(64), nullable=True, unique=True),
    Column("public_key", Text, nullable=False),
    Column("tree_size", BigInteger, nullable=False),
    Column("timestamp", String(40), nullable=False),
    Column("signature", Text, nullable=True),
    Column("countersignature", Text, nullable=False),
    Column("recorded_by", String(200), nullable=False),
)

# What ``ledger search`` looks through: one row per searchable text of a record
# (a statement's quote or paraphrase, a claim's proposition, an incident's title
# and description, an actor's name, aliases and description), and a new row when
# a correction changes one. ``words`` is the text folded (case, accents) for the
# database's full-text index: on SQLite this table is an FTS5 virtual table
# indexing ``words`` only; on PostgreSQL a generated ``document`` tsvector column,
# not described here, is indexed with GIN (revision 0006).
search_entries = Table(
    "search_entries",
    metadata,
    Column("seq", BigInteger, nullable=False),
    Column("field", String(100), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("incident", String(200)),
    Column("text", Text, nullable=False),
    Column("words", Text, nullable=False),
    Column("recorded_at", DateTime, nullable=False),
    PrimaryKeyConstraint("seq", "field"),
)

READ_MODEL_TABLES = (
    incidents,
    actors,
    actor_names,
    claims,
    statements,
    statement_changes,
    record_changes,
    ledger_events,
    merkle_nodes,
    search_entries,
)

# Accounts (ledger/domain/accounts.py), rebuilt from their events like the rest.
accounts = Table(
    "accounts",
    metadata,
    Column("account", String(200), primary_key=True),  # the case-folded name
    Column("name", String(200), nullable=False),
    *_recorded(),
)

# Roles given (the account's first, then each change) and revocations, in order:
# an account's role is its latest "role" row; a "revoke" row ends earlier tokens.
account_changes = Table(
    "account_changes",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("account", String(200), nullable=False, index=True),
    Column("change", String(20), nullable=False),
    Column("role", String(20)),
    Column("recorded_at", DateTime, nullable=False),
    Column("recorded_by", String(200), nullable=False),
)

# Tokens by the SHA-256 of the token; the token itself is nowhere.
account_tokens = Table(
    "account_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("token_id", String(16), nullable=False),
    Column("account", String(200), nullable=False, index=True),
    *_recorded(),
)

READ_MODEL_TABLES += (accounts, account_changes, account_tokens)
