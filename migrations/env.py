"""Alembic environment: the ledger's engine, with its pragmas, or a given connection."""

from __future__ import annotations

from alembic import context

from ledger.persistence import database_url, make_engine
from ledger.projections.tables import metadata

config = context.config


def run_migrations() -> None:
    """Run migrations on the connection `ledger init` passes, or on the ledger's URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(database_url(config.get_main_option("sqlalchemy.url") or None))
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("the ledger's migrations run online only: use `ledger init`")
run_migrations()
