"""Benchmark: `ledger import` beside the bare eventsourcing append rate, and
`state --as-of`.

    python bench/bench_import.py [--statements 100000] [--state-statements 10000]

Everything is measured in the same run on the same machine, on SQLite files in a
temporary directory configured as the ledger configures them (WAL,
synchronous=FULL). Figures go to stdout; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from uuid import uuid4

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from ledger.bootstrap import Ledger, init
from ledger.cli.reading import read_records
from ledger.domain.dates import PartialDate
from ledger.persistence import event_store_env
from ledger.synthetic import generate


class Note(Aggregate):
    """A bare aggregate whose one event carries about as many bytes as a statement."""

    @event("Written")
    def __init__(self, text: str):
        self.text = text


def fresh_database(server: str | None, directory: Path, name: str) -> str:
    """A new empty database: a SQLite file, or a new database on the server."""
    if server is None:
        return f"sqlite:///{directory}/{name}.db"
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(server)
    database = f"bench_{name.replace('-', '_')}_{uuid4().hex[:8]}"
    with psycopg.connect(
        host=admin.host,
        port=admin.port,
        user=admin.username,
        password=admin.password,
        dbname=admin.database or "postgres",
        autocommit=True,
    ) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    return admin.set(database=database).render_as_string(hide_password=False)


def bare_append_rate(url: str, count: int, payload: str, per_save: int) -> float:
    """Events/s of the library alone: create aggregates, save `per_save` to a save."""
    init(url)  # the same tables and triggers as the ledger's
    app = Application(event_store_env(url))
    started = time.perf_counter()
    for i in range(0, count, per_save):
        app.save(*[Note(text=payload) for _ in range(min(per_save, count - i))])
    elapsed = time.perf_counter() - started
    app.close()
    return count / elapsed


def sqlalchemy_extension_rate(
    directory: Path, count: int, payload: str
) -> float | None:
    """Events/s of the eventsourcing-sqlalchemy extension if installed (bench extra)."""
    try:
        import eventsourcing_sqlalchemy  # noqa: F401
    except ImportError:
        return None
    env = {
        "PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
        "SQLALCHEMY_URL": f"sqlite:///{directory}/extension.db",
    }
    app = Application(env)
    started = time.perf_counter()
    app.save(*[Note(text=payload) for _ in range(count)])
    elapsed = time.perf_counter() - started
    app.close()
    return count / elapsed


def import_rate(directory: Path, url: str, count: int) -> dict[str, float]:
    """Statements/s of a whole import: read and validate, plan and save, project."""
    source = directory / "generated.jsonl"
    if not source.exists():
        text = "\n".join(generate(count, incidents=20)) + "\n"
        source.write_text(text, encoding="utf-8")
    init(url)
    started = time.perf_counter()
    records = read_records(str(source))
    validated = time.perf_counter()
    with Ledger(url) as ledger:
        _result, recordings = ledger.app.write(records, "bench")
        written = time.perf_counter()
        ledger.project_recordings(recordings, None)
        ledger.project()
        events = ledger.app.max_sequence()
    done = time.perf_counter()
    statements = sum(1 for _, r in records if r["type"] == "statement")
    return {
        "statements": statements,
        "events": events,
        "bytes_per_line": source.stat().st_size / len(records),
        "seconds": done - started,
        "rate": statements / (done - started),
        "validate_s": validated - started,
        "write_s": written - validated,
        "project_s": done - written,
    }


def state_latency(directory: Path, count: int, repeats: int = 15) -> dict[str, float]:
    """Median seconds of `state --as-of` on one incident with `count` statements."""
    source = directory / "one-incident.jsonl"
    source.write_text("\n".join(generate(count, incidents=1)) + "\n", encoding="utf-8")
    url = f"sqlite:///{directory}/state.db"
    init(url)
    with Ledger(url) as ledger:
        ledger.write(read_records(str(source)), "bench")
        times = []
        for date in ["2019-12", "2020-06-15", "2021", "2020-02-29T12:00:00Z"] * repeats:
            started = time.perf_counter()
            ledger.read.state("incident-0000", PartialDate.parse(date))
            times.append(time.perf_counter() - started)
    return {
        "median_s": statistics.median(times),
        "max_s": max(times),
        "runs": len(times),
    }


def main() -> None:
    """Run every measurement and print the figures with their ratios."""
    parser = argparse.ArgumentParser(
        description=" ".join(__doc__.split("\n\n")[0].split())
    )
    parser.add_argument("--statements", type=int, default=100_000)
    parser.add_argument("--state-statements", type=int, default=10_000)
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="Also measure on this PostgreSQL server (fresh databases are made on it).",
    )
    args = parser.parse_args()
    payload = "x" * 300  # with the envelope, about the size of a statement event
    with tempfile.TemporaryDirectory(prefix="ledger-bench-") as tmp:
        directory = Path(tmp)
        n = args.statements

        def db(name: str, server: str | None = None) -> str:
            return fresh_database(server, directory, name)

        bare_bulk = bare_append_rate(db("bare-bulk"), n, payload, per_save=n)
        few = min(n, 5_000)
        bare_single = bare_append_rate(db("bare-single"), few, payload, per_save=1)
        extension = sqlalchemy_extension_rate(directory, n, payload)
        imported = import_rate(directory, db("import"), n)
        state = state_latency(directory, args.state_statements)
        postgres = None
        if args.postgres:
            # 5,000 a save, as the ledger saves on PostgreSQL (docs/decisions.md 11).
            pg_bare = bare_append_rate(
                db("bare", args.postgres), n, payload, per_save=5_000
            )
            pg_import = import_rate(directory, db("import", args.postgres), n)
            postgres = {
                "bare_append_events_per_s_5000_per_save": round(pg_bare),
                "import": {k: round(v, 3) for k, v in pg_import.items()},
                "import_to_bare_ratio": round(pg_import["rate"] / pg_bare, 3),
            }
    figures = {
        "python": sys.version.split()[0],
        "bare_append_events_per_s_one_save": round(bare_bulk),
        "bare_append_events_per_s_one_event_per_save": round(bare_single),
        "sqlalchemy_extension_events_per_s_one_save": round(extension)
        if extension
        else None,
        "import": {
            k: round(v, 3) if isinstance(v, float) else v for k, v in imported.items()
        },
        "import_to_bare_ratio": round(imported["rate"] / bare_bulk, 3),
        "state_as_of": {
            k: round(v, 4) if isinstance(v, float) else v for k, v in state.items()
        },
        "state_statements": args.state_statements,
        "postgresql": postgres,
    }
    print(json.dumps(figures, indent=2))
    print(
        f"\nimport: {imported['rate']:,.0f} statements/s; bare eventsourcing append "
        f"(one save): {bare_bulk:,.0f} events/s; "
        f"ratio {imported['rate'] / bare_bulk:.2f}"
        f"\nstate --as-of on {args.state_statements:,} statements: median "
        f"{state['median_s'] * 1000:.1f} ms"
    )
    if postgres:
        print(
            f"postgresql import: {postgres['import']['rate']:,.0f} statements/s; "
            f"bare append: {postgres['bare_append_events_per_s_5000_per_save']:,} "
            "events/s; "
            f"ratio {postgres['import_to_bare_ratio']:.2f}"
        )


if __name__ == "__main__":
    main()
