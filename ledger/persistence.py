"""Where the ledger lives: one database URL for the events and the read models.

SQLite is the embedded default. Every connection, the event store's and the
read models', runs in WAL mode with ``synchronous=FULL`` and a busy timeout.
PostgreSQL (``postgresql+psycopg://``) is the path for teams and scale.
"""

from __future__ import annotations

import json
import os
import sqlite3
import urllib.parse
from pathlib import Path
from typing import Any

import orjson
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteConnectionPool,
    SQLiteFactory,
)
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from ledger.errors import Unavailable

DEFAULT_URL = "sqlite:///ledger.db"
BUSY_TIMEOUT_MS = 30000  # the default of LEDGER_BUSY_TIMEOUT_MS


class UnsupportedDatabase(Unavailable, ValueError):
    """A database URL the ledger cannot use."""


class BadSetting(Unavailable, ValueError):
    """An environment variable the ledger reads holds a value it cannot use."""


def busy_timeout_ms() -> int:
    """``LEDGER_BUSY_TIMEOUT_MS``: how long a writer waits for a lock (default 30 s)."""
    text = os.environ.get("LEDGER_BUSY_TIMEOUT_MS", "").strip()
    if not text:
        return BUSY_TIMEOUT_MS
    if not (text.isascii() and text.isdigit()) or int(text) > 2**31 - 1:
        raise BadSetting(
            f"LEDGER_BUSY_TIMEOUT_MS must be a whole number of milliseconds "
            f"from 0 to {2**31 - 1}, e.g. 30000 (got {text!r})"
        )
    return int(text)


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


def checked_sqlite_file(url: str) -> str:
    """The file of a ``sqlite:///`` URL, refused if it is not a SQLite database.

    A missing or empty file is fine (SQLite makes it a database); a directory,
    or a file SQLite cannot read as a database, is refused here rather than
    failing later inside a pragma.

    The file is read through SQLite, never opened by Python: closing any other
    descriptor on it would drop the POSIX locks this process's connections
    hold, and another process could then delete the WAL under them.
    """
    path = Path(sqlite_path(url))
    if path.is_dir():
        raise UnsupportedDatabase(
            f"{url} names a directory, not a database file; "
            "give a file, e.g. sqlite:///ledger.db"
        )
    if not path.exists():
        return str(path)
    uri = f"file:{urllib.parse.quote(str(path.absolute()))}?mode=ro"
    try:
        probe = sqlite3.connect(uri, uri=True, timeout=busy_timeout_ms() / 1000)
    except sqlite3.Error as error:
        raise UnsupportedDatabase(f"cannot read {path}: {error}") from None
    try:
        probe.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError as error:
        if "not a database" in str(error):
            raise UnsupportedDatabase(
                f"{path} is not a SQLite database ({url})"
            ) from None
        raise UnsupportedDatabase(f"cannot read {path}: {error}") from None
    finally:
        probe.close()
    return str(path)


def configure_sqlite(connection: sqlite3.Connection) -> None:
    """WAL, synchronous=FULL and a busy timeout: applied to every connection."""
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")


class _ConfiguredPool(SQLiteConnectionPool):
    def _create_connection(self):  # type: ignore[no-untyped-def]
        connection = super()._create_connection()
        configure_sqlite(connection._sqlite_conn)
        return connection


class SequencedSQLiteRecorder(SQLiteApplicationRecorder):
    """The library's SQLite recorder on the ledger's AUTOINCREMENT table (0003).

    The sequence number is ``rowid``, declared ``INTEGER PRIMARY KEY
    AUTOINCREMENT`` so that a number is never given twice, even after the last
    event was deleted by hand. The library inserts all the columns by position;
    with ``rowid`` declared, the insert names its four columns instead. Every
    query the library makes (``SELECT rowid, *``, ``MAX(rowid)``) is unchanged.
    """

    def __init__(self, datastore: Any, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name)
        self.insert_events_statement = (
            f"INSERT INTO {events_table_name} "
            "(originator_id, originator_version, topic, state) VALUES (?,?,?,?)"
        )


class LedgerSQLiteFactory(SQLiteFactory):
    """The library's SQLite recorders, on connections configured like every other."""

    application_recorder_class = SequencedSQLiteRecorder

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
        from ledger.persistence_pg import postgres_env

        return postgres_env(url)
    return {
        "PERSISTENCE_MODULE": f"{__name__}:LedgerSQLiteFactory",
        "SQLITE_DBNAME": checked_sqlite_file(url),
        "SQLITE_LOCK_TIMEOUT": str(busy_timeout_ms() // 1000),
        "CREATE_TABLE": "no",
    }


def json_loads(text: str | bytes) -> Any:
    """Read-model JSON, decoded by orjson (several times faster than the standard
    library on large states); what orjson refuses (integers beyond 64 bits)
    is decoded by the standard library, to the same values."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def make_engine(url: str) -> Engine:
    """A SQLAlchemy engine for the read models, configured like the event store."""
    if backend(url) == "postgresql":
        from ledger.persistence_pg import postgres_conninfo

        postgres_conninfo(url)  # a bad option is refused here, in one line
        return create_engine(
            normalised(url), pool_size=2, max_overflow=4, json_deserializer=json_loads
        )
    path = checked_sqlite_file(url)
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UnsupportedDatabase(
            f"cannot make the directory of {path}: {error.strerror}"
        ) from None
    engine = create_engine(
        url,
        connect_args={"timeout": busy_timeout_ms() / 1000},
        json_deserializer=json_loads,
    )

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
