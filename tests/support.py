"""Test helpers: example files and a ledger on a temporary SQLite file."""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from ledger.bootstrap import Ledger, init
from ledger.cli.main import main
from ledger.domain.dates import PartialDate
from ledger.projections.queries import KnownAt
from ledger.schemas.lines import parse_line

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = {
    "libya-drone": ROOT / "examples" / "libya-drone.jsonl",
    "fictional-seizure": ROOT / "tests" / "data" / "fictional-seizure.jsonl",
}
ENTITY_TYPES = ("incident", "actor", "claim")


def split(text: str) -> list[str]:
    """``"a, b, c"`` as ``["a", "b", "c"]``."""
    return [part.strip() for part in text.split(",") if part.strip()]


def example_lines(name: str) -> list[str]:
    """The lines of an example import file."""
    return EXAMPLES[name].read_text(encoding="utf-8").splitlines()


def records_of(name: str, types=None, ids=None) -> list[tuple[int, dict[str, Any]]]:
    """Validated records of an example, optionally only some types or ids."""
    records = [
        (n, parse_line(text, n))
        for n, text in enumerate(example_lines(name), 1)
        if text.strip()
    ]
    return [
        (n, r)
        for n, r in records
        if (types is None or r["type"] in types) and (ids is None or r["id"] in ids)
    ]


def incident_of(name: str) -> str:
    """The first incident of an example."""
    return next(r["id"] for _, r in records_of(name, types=("incident",)))


# The backend the integration tests run on; tests/conftest.py sets it per test.
BACKEND = {"name": "sqlite", "server": None}


def use_backend(name: str, server: str | None) -> None:
    """Make ExampleLedger.new create ledgers on this backend."""
    BACKEND.update(name=name, server=server)


def new_database(server: str) -> str:
    """A new, empty database on the PostgreSQL server; its URL."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = make_url(server)
    with psycopg.connect(
        host=admin.host,
        port=admin.port,
        user=admin.username,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin.set(database=name).render_as_string(hide_password=False)


@dataclass
class ExampleLedger:
    """A ledger on a temporary database, driven through the application and the CLI.

    SQLite: a file in the test's directory. PostgreSQL: a new database on the
    test cluster (``path`` is then None).
    """

    url: str
    path: Path | None
    key: Path
    recorded_by: str = "test-recorder"
    moments: dict[str, str] = field(default_factory=dict)
    events_before: int = 0

    @classmethod
    def new(cls, tmp_path: Path) -> ExampleLedger:
        """Create an empty ledger with `init`."""
        key = tmp_path / "ledger.db.key"
        if BACKEND["name"] == "postgresql":
            url, path = new_database(BACKEND["server"]), None
        else:
            path = tmp_path / "ledger.db"
            url = f"sqlite:///{path}"
        init(url)
        return cls(url, path, key)

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return "sqlite" if self.path is not None else "postgresql"

    def write(self, records: list[tuple[int, dict[str, Any]]]):
        """Record records through the application."""
        with Ledger(self.url) as ledger:
            return ledger.write(records, self.recorded_by)

    def holding(self, name: str) -> ExampleLedger:
        """Import a whole example and remember how many events the ledger then holds."""
        self.write(records_of(name))
        self.events_before = self.count_events()
        return self

    def cli(self, *args: str, input: str | None = None):
        """Run the `ledger` command on this ledger."""
        runner = CliRunner()
        env = {"LEDGER_RECORDER": self.recorded_by, "LEDGER_KEY_PATH": str(self.key)}
        return runner.invoke(main, [*args, "--db", self.url], input=input, env=env)

    def state(
        self, incident: str, as_of: str | None = None, known_at: str | None = None
    ):
        """The state of an incident through the read model."""
        with Ledger(self.url) as ledger:
            ledger.project()
            as_of_date = PartialDate.parse(as_of) if as_of else None
            return ledger.read.state(incident, as_of_date, KnownAt.parse(known_at))

    def claim(self, claim: str, as_of: str | None = None) -> dict[str, Any]:
        """One claim of the current state, wherever its incident."""
        with Ledger(self.url) as ledger:
            incident = ledger.read.claim_incidents([claim])[claim]
        return next(
            c for c in self.state(incident, as_of)["claims"] if c["id"] == claim
        )

    def query(self, method: str, *args: Any) -> Any:
        """Call a read-model query."""
        with Ledger(self.url) as ledger:
            ledger.project()
            return getattr(ledger.read, method)(*args)

    def connect(self) -> Any:
        """A plain DB-API connection to the database, around the application."""
        if self.path is not None:
            return sqlite3.connect(self.path)
        parsed = make_url(self.url)
        return psycopg.connect(
            host=parsed.host,
            port=parsed.port,
            user=parsed.username,
            dbname=parsed.database,
        )

    def count_events(self) -> int:
        """How many events the event store holds, straight from the database."""
        conn = self.connect()
        try:
            return conn.execute("SELECT count(*) FROM stored_events").fetchone()[0]
        finally:
            conn.close()

    def run_sql(self, sql: str) -> str | None:
        """Run SQL directly on the database; the error text if it is refused."""
        conn = self.connect()
        try:
            conn.execute(sql)
            conn.commit()
            return None
        except (sqlite3.DatabaseError, psycopg.DatabaseError) as error:
            return str(error)
        finally:
            conn.close()


def speakers(entries: list[dict[str, Any]]) -> list[str]:
    """The speakers of state entries."""
    return [e["speaker"] for e in entries]


def json_of(result: Any) -> Any:
    """The JSON a CLI run printed."""
    return json.loads(result.output)
