"""Where the ledger lives: one database URL for the events and the read models.

SQLite is the embedded default. Every connection, the event store's and the
read models', runs in WAL mode with ``synchronous=FULL`` and a busy timeout.
PostgreSQL (``postgresql+psycopg://``) is the path for teams and scale.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from eventsourcing.sqlite import SQLiteConnectionPool, SQLiteFactory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from ledger.errors import Unavailable

DEFAULT_URL = "sqlite:///ledger.db"
BUSY_TIMEOUT_MS = int(os.environ.get("LEDGER_BUSY_TIMEOUT_MS", "30000"))


class UnsupportedDatabase(Unavailable, ValueError):
    """A database URL the ledger cannot use."""


def database_url(given: str | None) -> str:
    """The URL from ``--db``, else ``LEDGER_DATABASE_URL``, else ``sqlite:///ledger.db``."""
    return given or os.environ.get("LEDGER_DATABASE_URL") or DEFAULT_URL


def backend(url: str) -> str:
    """``sqlite`` or ``postgresql``; anything else is refused with the reason."""
    try:
        name = make_url(url).get_backend_name()
    except Exception:  # SQLAlchemy's parse errors have several types
        raise UnsupportedDatabase(f"{url!r} is not a database URL") from None
    if name not in ("sqlite", "postgresql"):
        raise UnsupportedDatabase(
            f"{name} is not supported: use sqlite:///FILE or postgresql+psycopg://"
        )
    return name


def normalised(url: str) -> str:
    """The URL with the driver the ledger uses (psycopg 3 for PostgreSQL)."""
    parsed = make_url(url)
    if backend(url) == "postgresql" and parsed.drivername != "postgresql+psycopg":
        return parsed.set(drivername="postgresql+psycopg").render_as_string(
            hide_password=False
        )
    return url


def sqlite_path(url: str) -> str:
    """The file of a ``sqlite:///`` URL."""
    parsed = make_url(url)
    if backend(url) != "sqlite":
        raise UnsupportedDatabase(f"{url} is not a sqlite:/// URL")
    if not parsed.database or parsed.database == ":memory:":
        raise UnsupportedDatabase(
            "the ledger needs a database file, e.g. sqlite:///ledger.db"
        )
    return parsed.database


def configure_sqlite(connection: sqlite3.Connection) -> None:
    """WAL, synchronous=FULL and a busy timeout: applied to every connection."""
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


class _ConfiguredPool(SQLiteConnectionPool):
    def _create_connection(self):  # type: ignore[no-untyped-def]
        connection = super()._create_connection()
        configure_sqlite(connection._sqlite_conn)
        return connection


class LedgerSQLiteFactory(SQLiteFactory):
    """The library's SQLite recorders, on connections configured like every other."""

    def __init__(self, env: Any):
        super().__init__(env)
        old = self.datastore.pool
        self.datastore.pool = _ConfiguredPool(
            db_name=old.db_name, lock_timeout=old.lock_timeout
        )
        old.close()


def event_store_env(url: str) -> dict[str, str]:
    """The eventsourcing environment for this database: tables come from Alembic."""
    if backend(url) == "postgresql":
        return _postgres_env(url)
    return {
        "PERSISTENCE_MODULE": f"{__name__}:LedgerSQLiteFactory",
        "SQLITE_DBNAME": sqlite_path(url),
        "SQLITE_LOCK_TIMEOUT": str(BUSY_TIMEOUT_MS // 1000),
        "CREATE_TABLE": "no",
    }


class LedgerPostgresFactory(PostgresFactory):
    """The library's PostgreSQL recorders, on the same ``stored_events`` table name."""

    def application_recorder(self) -> ApplicationRecorder:
        """The application recorder on ``stored_events``, as on SQLite."""
        return PostgresApplicationRecorder(
            datastore=self.datastore, events_table_name="stored_events"
        )


def _postgres_env(url: str) -> dict[str, str]:
    parsed = make_url(normalised(url))
    return {
        "PERSISTENCE_MODULE": f"{__name__}:LedgerPostgresFactory",
        "POSTGRES_DBNAME": parsed.database or "",
        "POSTGRES_HOST": parsed.host or "127.0.0.1",
        "POSTGRES_PORT": str(parsed.port or 5432),
        "POSTGRES_USER": parsed.username or "",
        "POSTGRES_PASSWORD": parsed.password or "",
        "POSTGRES_LOCK_TIMEOUT": str(BUSY_TIMEOUT_MS // 1000),
        "POSTGRES_POOL_SIZE": "2",
        "POSTGRES_MAX_OVERFLOW": "4",
        "CREATE_TABLE": "no",
    }


def make_engine(url: str) -> Engine:
    """A SQLAlchemy engine for the read models, configured like the event store."""
    if backend(url) == "postgresql":
        return create_engine(normalised(url), pool_size=2, max_overflow=4)
    path = sqlite_path(url)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _: Any) -> None:
        dbapi_connection.isolation_level = None
        configure_sqlite(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # pysqlite defers BEGIN and autocommits DDL; an explicit BEGIN makes
        # migrations and projection batches atomic.
        conn.exec_driver_sql("BEGIN")

    return engine
