"""The PostgreSQL side of ledger/persistence.py, imported only for a PostgreSQL
URL: the library's recorders on ``stored_events``, and every connection made
from the URL's whole libpq connection string (so that a SQLite ledger never
loads psycopg)."""

from __future__ import annotations

from typing import Any

import psycopg
from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresFactory
from psycopg.conninfo import make_conninfo
from psycopg.rows import dict_row
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from ledger.persistence import UnsupportedDatabase, busy_timeout_ms, normalised

CONNINFO_KEY = "LEDGER_POSTGRES_CONNINFO"  # the event store's libpq conninfo


def postgres_conninfo(url: str) -> str:
    """The libpq connection string of a PostgreSQL URL, for every connection.

    Built the way SQLAlchemy's psycopg dialect reads the URL (user, password,
    host, port, database, then every query parameter: ``host=/socket/dir``,
    ``sslmode``, ``sslrootcert``, ``application_name``, ``options``,
    ``connect_timeout``, ``passfile``...). What the URL leaves out, libpq takes
    from the ``PG*`` environment variables, as it does for SQLAlchemy.
    """
    parsed = make_url(normalised(url))
    _, params = create_engine(parsed).dialect.create_connect_args(parsed)
    params.pop("context", None)  # SQLAlchemy's type adapters, not a libpq option
    repeated = sorted(k for k, v in params.items() if isinstance(v, tuple))
    if repeated:
        raise UnsupportedDatabase(
            f"the database URL gives {repeated[0]!r} more than once"
        )
    try:
        return make_conninfo("", **params)
    except psycopg.ProgrammingError as error:
        reason = str(error).strip().splitlines()[0]
        raise UnsupportedDatabase(f"bad PostgreSQL URL: {reason}") from None


class LedgerPostgresFactory(PostgresFactory):
    """The library's PostgreSQL recorders, on the ``stored_events`` table name.

    The library's datastore takes only dbname, host, port, user and password;
    its pool is given the URL's whole connection string instead, before it
    opens, so that every event-store connection is made like SQLAlchemy's.
    """

    def __init__(self, env: Any):
        super().__init__(env)
        pool = self.datastore.pool
        pool.conninfo = self.env.get(CONNINFO_KEY) or ""
        pool.kwargs = {"row_factory": dict_row}

    def application_recorder(self) -> ApplicationRecorder:
        """The application recorder on ``stored_events``, as on SQLite."""
        return PostgresApplicationRecorder(
            datastore=self.datastore, events_table_name="stored_events"
        )


def postgres_env(url: str) -> dict[str, str]:
    return {
        "PERSISTENCE_MODULE": f"{__name__}:LedgerPostgresFactory",
        CONNINFO_KEY: postgres_conninfo(url),
        # Required by the library's factory; the connection string replaces them.
        "POSTGRES_DBNAME": "",
        "POSTGRES_HOST": "",
        "POSTGRES_USER": "",
        "POSTGRES_PASSWORD": "",
        "POSTGRES_LOCK_TIMEOUT": str(busy_timeout_ms() // 1000),
        "POSTGRES_POOL_SIZE": "2",
        "POSTGRES_MAX_OVERFLOW": "4",
        "CREATE_TABLE": "no",
    }
