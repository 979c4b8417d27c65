"""Crashes: imports and the projection worker killed with SIGKILL at random moments.

Everything runs in real subprocesses (the ``ledger`` command of this virtualenv),
killed with ``os.kill(pid, SIGKILL)`` after a delay drawn from a seeded
``random.Random``. After every kill the ledger must open cleanly and hold only
whole imports (an import is one transaction: none or all of a file's events),
its read models must stand exactly at their tracked position (behind the events
is allowed until a projector runs), ``Ledger.project()`` must then catch up
exactly, ``Integrity.verify()`` must find nothing wrong, and running the same
import again must end with the counts of an uninterrupted run.

LEDGER_TEST_KILLS (default 10) sets how many imports are killed per backend,
LEDGER_TEST_WORKER_KILLS (default 3) how many times the worker is killed while
catching up a backlog, LEDGER_TEST_IMPORT_STATEMENTS (default 3000) the size of
each killed import. Run with ``-s`` to see the figures per backend.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from ledger.bootstrap import Ledger
from ledger.integrity.service import Integrity, ensure_key
from ledger.schemas.lines import parse_line
from ledger.synthetic import generate
from tests import support
from tests.support import ExampleLedger

pytestmark = pytest.mark.slow

LEDGER = str(Path(sys.executable).parent / "ledger")
KILLS = int(os.environ.get("LEDGER_TEST_KILLS", "10"))
WORKER_KILLS = int(os.environ.get("LEDGER_TEST_WORKER_KILLS", "3"))
IMPORT_STATEMENTS = int(os.environ.get("LEDGER_TEST_IMPORT_STATEMENTS", "3000"))
BACKLOG_STATEMENTS = 5_000
SPREAD = 1.2  # kills are spread over 1.2 times the measured import duration
APP = "Ledger"  # LedgerApplication.name: the tracking row of the read models
RECORDER = "crash-test"
CHANGES = ("Statement.Corrected", "Statement.Graded", "Statement.Withdrawn")
ENTITIES = {
    "incidents": "Incident.Opened",
    "actors": "Actor.Registered",
    "claims": "Claim.Defined",
    "statements": "Statement.Recorded",
}
COUNTED = (
    "stored_events",
    "incidents",
    "actors",
    "actor_names",
    "claims",
    "statements",
    "statement_changes",
    "ledger_events",
    "merkle_nodes",
    "checkpoints",
)


# -- the database, seen from outside the application ------------------------------


class Probe:
    """A plain connection of the test's own to a ledger's database.

    Autocommit, so that every query sees the latest committed state. It reads
    the store and the read models, tells whether some other connection holds an
    open write transaction, and waits for a killed process's sessions to end.
    """

    def __init__(self, ex: ExampleLedger):
        self.ex = ex
        self.sqlite = ex.path is not None
        if self.sqlite:
            self.conn: Any = sqlite3.connect(ex.path, timeout=30, isolation_level=None)
        else:
            self.conn = ex.connect()
            self.conn.autocommit = True

    def close(self) -> None:
        self.conn.close()

    def scalar(self, sql: str) -> Any:
        return self.conn.execute(sql).fetchone()[0]

    def rows(self, sql: str) -> list[tuple]:
        return [tuple(r) for r in self.conn.execute(sql).fetchall()]

    def events(self) -> int:
        return self.scalar("SELECT count(*) FROM stored_events")

    def position(self) -> int:
        found = self.rows(
            "SELECT notification_id FROM projection_tracking "
            f"WHERE application_name = '{APP}'"
        )
        return found[0][0] if found else 0

    def last(self) -> int:
        """The last stored sequence number (0 when empty)."""
        seq = "rowid" if self.sqlite else "notification_id"
        return self.scalar(f"SELECT max({seq}) FROM stored_events") or 0

    def stored(self) -> list[tuple[int, str]]:
        """(sequence, topic) of every stored event, in order."""
        seq = "rowid" if self.sqlite else "notification_id"
        return self.rows(f"SELECT {seq}, topic FROM stored_events ORDER BY {seq}")

    def writing(self) -> bool:
        """Whether another connection has a write transaction open right now."""
        if self.sqlite:
            self.conn.execute("PRAGMA busy_timeout=0")
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                if "locked" in str(error) or "busy" in str(error):
                    return True
                raise
            finally:
                self.conn.execute("PRAGMA busy_timeout=30000")
            self.conn.execute("ROLLBACK")
            return False
        # A transaction that has written anything has a transaction id.
        return bool(
            self.scalar(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND backend_xid IS NOT NULL"
            )
        )

    def sessions(self) -> set[int]:
        """Server processes of other connections to this database (PostgreSQL)."""
        if self.sqlite:
            return set()
        return {
            r[0]
            for r in self.rows(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        }

    def settle(self, before: set[int], timeout: float = 30.0) -> None:
        """Wait until a killed client's sessions are gone (rolled back or committed).

        A SIGKILLed client cannot finish anything, but on PostgreSQL the server
        finishes the statement it was running (a COMMIT already sent commits)
        and only then notices the closed socket. SQLite's locks die with the
        process.
        """
        deadline = time.monotonic() + timeout
        while self.sessions() - before:
            assert time.monotonic() < deadline, (
                f"sessions of a killed process still open: {self.sessions() - before}"
            )
            time.sleep(0.02)

    def integrity_check(self) -> str:
        return "; ".join(r[0] for r in self.rows("PRAGMA integrity_check"))

    def counts(self) -> dict[str, int]:
        found = {t: self.scalar(f"SELECT count(*) FROM {t}") for t in COUNTED}
        found["merkle_leaves"] = self.scalar(
            "SELECT count(*) FROM merkle_nodes WHERE level = 0"
        )
        return found

    def statement_slugs(self) -> set[str]:
        return {r[0] for r in self.rows("SELECT slug FROM statements")}

    def read_model_problems(self) -> tuple[int, list[str]]:
        """The read models' position, and how they differ from the events up to it.

        Whatever the moment of a crash, the read models must hold exactly the
        stored events up to their tracked position: one ledger_events row per
        event, in store order, leaves 0..N-1, one statement row per
        Statement.Recorded, one change row per correction, grade or withdrawal,
        and every perfect Merkle subtree over those N leaves.
        """
        problems: list[str] = []
        trackers = self.rows(
            "SELECT application_name, notification_id FROM projection_tracking"
        )
        if len(trackers) > 1:
            problems.append(f"more than one tracking row: {trackers}")
        position = self.position()
        stored = self.stored()
        ids = [seq for seq, _ in stored]
        if position and position not in ids:
            problems.append(f"tracked position {position} is no stored event")
        projected = [(seq, topic) for seq, topic in stored if seq <= position]
        recorded = self.rows(
            "SELECT seq, leaf_index FROM ledger_events ORDER BY leaf_index"
        )
        seqs = [seq for seq, _ in recorded]
        if seqs != [seq for seq, _ in projected]:
            missing = sorted({s for s, _ in projected} - set(seqs))
            extra = sorted(set(seqs) - {s for s, _ in projected})
            twice = sorted(s for s, n in Counter(seqs).items() if n > 1)
            problems.append(
                f"ledger_events differ from the stored events up to {position}: "
                f"{len(seqs)} rows for {len(projected)} events; missing {missing[:5]}, "
                f"beyond the position {extra[:5]}, twice {twice[:5]}"
            )
        if [i for _, i in recorded] != list(range(len(recorded))):
            problems.append("leaf_index is not 0..N-1 in store order")
        kinds = Counter(topic.rsplit(":", 1)[-1] for _, topic in projected)
        for table, kind in ENTITIES.items():
            rows = self.scalar(f"SELECT count(*) FROM {table}")
            if rows != kinds[kind]:
                problems.append(f"{table}: {rows} rows for {kinds[kind]} {kind} events")
        changes = self.scalar("SELECT count(*) FROM statement_changes")
        if changes != sum(kinds[k] for k in CHANGES):
            problems.append(
                f"statement_changes: {changes} rows for "
                f"{sum(kinds[k] for k in CHANGES)} change events"
            )
        n = len(projected)
        levels = dict(
            self.rows("SELECT level, count(*) FROM merkle_nodes GROUP BY level")
        )
        expected, level = {}, 0
        while n >> level:
            expected[level] = n >> level
            level += 1
        if levels != expected:
            problems.append(f"merkle_nodes per level {levels}, expected {expected}")
        return position, problems


def new_ledger(tmp_path: Path, name: str) -> ExampleLedger:
    """An empty ledger of its own (a file, or a database on the test cluster)."""
    directory = tmp_path / name
    directory.mkdir()
    return ExampleLedger.new(directory)


def drop(ex: ExampleLedger) -> None:
    """Drop a PostgreSQL ledger's database once done with it (files stay in tmp)."""
    if ex.path is not None:
        return
    admin = make_url(support.BACKEND["server"])
    with psycopg.connect(
        host=admin.host,
        port=admin.port,
        user=admin.username,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        name = make_url(ex.url).database
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def environment(key: Path) -> dict[str, str]:
    env = dict(os.environ, LEDGER_RECORDER=RECORDER, LEDGER_KEY_PATH=str(key))
    env.pop("LEDGER_DATABASE_URL", None)
    return env


def verify(ex: ExampleLedger, key: Path) -> Any:
    with Ledger(ex.url) as ledger:
        return Integrity(ledger, str(key)).verify()


def check_caught_up(ex: ExampleLedger, key: Path, probe: Probe) -> int:
    """``Ledger.project()``, then the read models stand exactly at the last event."""
    with Ledger(ex.url) as ledger:
        ledger.project()
        last = ledger.app.max_sequence()
        assert ledger.pending() == 0
    position, problems = probe.read_model_problems()
    assert problems == [], problems
    assert position == last, f"read models at {position}, last stored event {last}"
    report = verify(ex, key)
    assert report.ok, [f.message for f in report.findings]
    assert report.events == probe.events()
    return position


# -- imports killed at random moments ----------------------------------------------


def import_file(tmp_path: Path) -> Path:
    path = tmp_path / "statements.jsonl"
    lines = generate(IMPORT_STATEMENTS, incidents=3, seed=20240917)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def start_import(file: Path, ex: ExampleLedger, key: Path, *extra: str):
    return subprocess.Popen(
        [LEDGER, "import", str(file), "--db", ex.url, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment(key),
    )


def run_import(file: Path, ex: ExampleLedger, key: Path) -> dict[str, Any]:
    """The import, uninterrupted; what it reported (``--json``)."""
    proc = start_import(file, ex, key, "--json")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    return json.loads(out)


class Trial:
    """One import run on a ledger, killed at some moment; what the kill left."""

    def __init__(self, file: Path, ex: ExampleLedger, key: Path):
        self.file, self.ex, self.key = file, ex, key
        self.phase = "not killed"
        self.in_transaction = False
        self.events_after_kill = 0
        self.elapsed = 0.0  # of a run that finished before its kill

    def run(self, delay: float | None = None, until: str | None = None) -> None:
        """Kill after ``delay`` seconds, or as soon as the import reaches ``until``.

        ``until="transaction"``: a write transaction is open and nothing is
        committed yet; ``until="projection"``: the events are committed and the
        read models are behind them.
        """
        probe = Probe(self.ex)
        try:
            before = probe.sessions()
            start = time.monotonic()
            proc = start_import(self.file, self.ex, self.key)
            if delay is not None:
                time.sleep(max(0.0, start + delay - time.monotonic()))
                # Just before the kill: is its write transaction open?
                writing = probe.writing()
            else:
                writing = self._wait_for(until, probe, proc)
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            _, err = proc.communicate(timeout=300)
            if proc.returncode != -signal.SIGKILL:
                assert proc.returncode == 0, err.decode()
                self.elapsed = time.monotonic() - start
                return  # it finished before the kill
            probe.settle(before)
            self._examine(probe, writing)
        finally:
            probe.close()

    @staticmethod
    def _wait_for(until: str | None, probe: Probe, proc: subprocess.Popen) -> bool:
        while proc.poll() is None:
            if until == "transaction" and probe.writing() and not probe.events():
                return True
            if (
                until == "projection"
                and probe.events()
                and (probe.position() < probe.last())
            ):
                return False
            time.sleep(0.002)
        return False

    def _examine(self, probe: Probe, writing: bool) -> None:
        """What a kill must leave: a sound database and whole imports only."""
        if probe.sqlite:
            assert probe.integrity_check() == "ok"
        with Ledger(self.ex.url) as ledger:  # opens cleanly
            behind = ledger.pending()
        events = probe.events()
        position, problems = probe.read_model_problems()
        assert problems == [], problems  # the read models stand at their position
        if events == 0:
            self.phase = "write"
            self.in_transaction = writing
            assert position == 0 and behind == 0
            assert set(probe.counts().values()) == {0}, probe.counts()
        else:
            self.phase = "projection" if behind else "after"
        self.events_after_kill = events


def test_imports_killed_at_random_moments_leave_whole_imports(tmp_path: Path):
    """Kill the same import again and again; each ledger then ends complete.

    Kills land on one ledger until one leaves the import committed; that ledger
    is then checked, imported again to the end, and a new ledger takes the next
    kills. So every kill before the commit is followed by the same import run
    again on the ledger it left.
    """
    began = time.monotonic()
    backend = support.BACKEND["name"]
    rng = random.Random(f"crashes:import:{backend}:20240917")
    key = tmp_path / "crash.key"
    file = import_file(tmp_path)
    records = [parse_line(t, n) for n, t in enumerate(file.read_text().splitlines(), 1)]
    wanted = {r["id"] for r in records if r["type"] == "statement"}
    assert len(wanted) == IMPORT_STATEMENTS

    # One uninterrupted run on a ledger of its own: the time to spread the kills
    # over, and the counts every interrupted ledger must end with.
    baseline = new_ledger(tmp_path, "baseline")
    ensure_key(baseline.url, str(key))
    started = time.monotonic()
    reported = run_import(file, baseline, key)
    duration = time.monotonic() - started
    assert reported["recorded"] == len(records), reported
    probe = Probe(baseline)
    expected = probe.counts()
    assert expected["stored_events"] == len(records)
    assert probe.statement_slugs() == wanted
    check_caught_up(baseline, key, probe)
    probe.close()
    drop(baseline)

    # The machine may be busier later: every later clean run of the whole
    # import updates the duration the kills are spread over.
    durations = [duration]
    tally: Counter[str] = Counter()
    lost = 0
    aimed: list[str] = []
    ledgers: list[ExampleLedger] = []

    def finish(ex: ExampleLedger, again: bool) -> None:
        """The same import run again to its end; the ledger as after one clean run."""
        nonlocal lost
        probe = Probe(ex)
        try:
            if again:
                held = probe.events()
                started = time.monotonic()
                reported = run_import(file, ex, key)
                if held:
                    assert reported["recorded"] == 0 and not reported["new"], reported
                else:
                    assert reported["recorded"] == len(records), reported
                    durations.append(time.monotonic() - started)
            assert probe.counts() == expected
            lost += len(wanted - probe.statement_slugs())
            position, problems = probe.read_model_problems()
            assert problems == [], problems
            assert position == probe.last()
            tally["gap"] += probe.stored()[0][0] > 1  # after a rolled-back write
        finally:
            probe.close()
            drop(ex)

    def trial(**when: Any) -> Trial:
        if not ledgers:
            ledgers.append(new_ledger(tmp_path, f"ledger-{tally['ledgers']:03d}"))
            tally["ledgers"] += 1
        ex = ledgers[-1]
        t = Trial(file, ex, key)
        t.run(**when)
        if t.phase == "not killed":
            durations.append(t.elapsed)
            finish(ledgers.pop(), again=False)
            return t
        assert t.events_after_kill in (0, len(records)), (
            f"a kill ({when}) left {t.events_after_kill} of {len(records)} events: "
            "half an import"
        )
        probe = Probe(ex)
        try:
            check_caught_up(ex, key, probe)  # Ledger.project() catches up exactly
        finally:
            probe.close()
        if t.events_after_kill:
            finish(ledgers.pop(), again=True)
        return t

    tried = 0
    while tally["killed"] < KILLS and tried < 2 * KILLS:
        # Spread over the measured duration (and a little beyond, in case this
        # run is slower): the i-th kill falls in the i-th slice.
        slot = tried if tried < KILLS else rng.randrange(KILLS)
        t = trial(delay=SPREAD * durations[-1] * (slot + rng.random()) / KILLS)
        tried += 1
        if t.phase == "not killed":
            tally["finished first"] += 1
            continue
        tally["killed"] += 1
        tally[t.phase] += 1
        tally["in transaction"] += t.in_transaction
    assert tally["killed"] == KILLS, f"only {tally['killed']} of {tried} runs killed"

    # The kill points must include the write transaction and the projection phase;
    # if the random moments missed one, aim at it (reported separately).
    for _ in range(5):
        if not tally["in transaction"] + tally["aimed transaction"]:
            t = trial(until="transaction")
            aimed.append(f"transaction -> {t.phase}")
            tally["aimed transaction"] += t.phase == "write" and t.in_transaction
        elif not tally["projection"] + tally["aimed projection"]:
            t = trial(until="projection")
            aimed.append(f"projection -> {t.phase}")
            tally["aimed projection"] += t.phase == "projection"
    if ledgers:
        finish(ledgers.pop(), again=True)
    assert tally["in transaction"] + tally["aimed transaction"] >= 1, aimed
    assert tally["projection"] + tally["aimed projection"] >= 1, aimed
    assert lost == 0

    print(
        f"\n[crashes: import, {backend}] {len(records)} records "
        f"({IMPORT_STATEMENTS} statements), uninterrupted import {duration:.2f}s "
        f"(later clean runs: {', '.join(f'{d:.2f}' for d in durations[1:]) or '-'})\n"
        f"  kills tried: {tried}, killed: {tally['killed']}, "
        f"finished before the kill: {tally['finished first']}\n"
        f"  during the write phase: {tally['write']} "
        f"(inside the write transaction: {tally['in transaction']}), "
        f"during the projection phase: {tally['projection']}, "
        f"after projecting (exiting): {tally['after']}\n"
        f"  aimed kills (only if the random ones missed a phase): {aimed or 'none'}\n"
        f"  ledgers: {tally['ledgers']}, each imported again to the end with the "
        f"counts of the clean run (store starting after a sequence gap: "
        f"{tally['gap']})\n"
        f"  statements lost: {lost}; time {time.monotonic() - began:.1f}s"
    )


# -- the projection worker killed while catching up --------------------------------


def statement_batches() -> tuple[list, Iterator[list]]:
    """The synthetic ledger: its actors, incidents and claims, then statements.

    Statements come with the corrections, grades and withdrawals that follow
    them, in file order, so that any prefix is a valid import.
    """
    lines = generate(10**7, incidents=3, seed=20240918)
    header: list = []
    numbered = ((n, parse_line(text, n)) for n, text in enumerate(lines, 1))
    pending_statement: list = []

    def statements() -> Iterator[list]:
        nonlocal pending_statement
        for item in numbered:
            if item[1]["type"] == "statement":
                if pending_statement:
                    yield pending_statement
                pending_statement = [item]
            elif pending_statement:
                pending_statement.append(item)
            else:
                header.append(item)

    stream = statements()
    first = next(stream)  # fills the header
    return header, _chained(first, stream)


def _chained(first: list, rest: Iterator[list]) -> Iterator[list]:
    yield first
    yield from rest


def take(stream: Iterator[list], n: int) -> list:
    return [record for _ in range(n) for record in next(stream)]


def write_unprojected(ex: ExampleLedger, records: list) -> None:
    """Save records the way ``Ledger.app.write`` does: no projection at all."""
    with Ledger(ex.url) as ledger:
        ledger.app.write(records, RECORDER)


class Worker:
    """``ledger project --follow`` in a subprocess."""

    def __init__(self, ex: ExampleLedger, key: Path, logs: Path, number: int):
        self.out = logs / f"worker-{number}.out"
        self.err = logs / f"worker-{number}.err"
        with open(self.out, "wb") as out, open(self.err, "wb") as err:
            self.proc = subprocess.Popen(
                [LEDGER, "project", "--follow", "--interval", "0.2", "--db", ex.url],
                stdout=out,
                stderr=err,
                env=environment(key),
            )

    def wait_following(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while b"following" not in self.err.read_bytes():
            assert self.proc.poll() is None, self.err.read_text()
            assert time.monotonic() < deadline, "the worker did not start"
            time.sleep(0.02)

    def kill(self) -> int:
        os.kill(self.proc.pid, signal.SIGKILL)
        return self.proc.wait(timeout=60)

    def terminate(self) -> int:
        os.kill(self.proc.pid, signal.SIGTERM)
        return self.proc.wait(timeout=60)


def wait_caught_up(probe: Probe, worker: Worker, timeout: float = 120.0) -> int:
    deadline = time.monotonic() + timeout
    while True:
        last = probe.last()
        position = probe.position()
        if position == last:
            return position
        assert worker.proc.poll() is None, (
            f"the worker exited ({worker.proc.returncode}): {worker.err.read_text()}"
        )
        assert time.monotonic() < deadline, f"the worker is stuck at {position}/{last}"
        time.sleep(0.02)


def test_a_killed_projection_worker_resumes_exactly_where_it_stood(tmp_path: Path):
    began = time.monotonic()
    backend = support.BACKEND["name"]
    rng = random.Random(f"crashes:worker:{backend}:20240918")
    key = tmp_path / "crash.key"
    logs = tmp_path / "logs"
    logs.mkdir()
    ex = new_ledger(tmp_path, "worker")
    ensure_key(ex.url, str(key))
    header, stream = statement_batches()
    probe = Probe(ex)
    number = 0

    # 1. The worker follows: what is recorded while it runs gets projected by it.
    worker = Worker(ex, key, logs, number)
    worker.wait_following()
    write_unprojected(ex, header + take(stream, 100))
    wait_caught_up(probe, worker)
    write_unprojected(ex, take(stream, 100))
    wait_caught_up(probe, worker)
    assert worker.terminate() == 0, worker.err.read_text()  # SIGTERM: a clean stop
    assert b"stopped after projecting" in worker.err.read_bytes()
    position, problems = probe.read_model_problems()
    assert problems == [] and position == probe.last(), problems

    # 2. A backlog saved without projecting; the worker killed while catching up.
    write_unprojected(ex, take(stream, BACKLOG_STATEMENTS))
    rounds = []

    def keep_a_backlog() -> None:
        position = probe.position()
        if sum(1 for seq, _ in probe.stored() if seq > position) < 2500:
            write_unprojected(ex, take(stream, 3000))

    def first_batch(worker: Worker, before: int, start: float) -> float:
        """Wait until the worker's first batch lands; seconds since its start."""
        while probe.position() == before:
            assert worker.proc.poll() is None, worker.err.read_text()
            assert time.monotonic() - start < 60, "the worker projects nothing"
            time.sleep(0.005)
        return time.monotonic() - start

    for _ in range(WORKER_KILLS):
        keep_a_backlog()
        before_position = probe.position()
        before_sessions = probe.sessions()
        number += 1
        start = time.monotonic()
        worker = Worker(ex, key, logs, number)
        # Once its first batch lands, it is catching up: kill it a moment later.
        first = first_batch(worker, before_position, start)
        time.sleep(rng.uniform(0.0, 0.3))
        delay = time.monotonic() - start
        code = worker.kill()
        assert code == -signal.SIGKILL, f"the worker ended by itself ({code})"
        probe.settle(before_sessions)
        position, problems = probe.read_model_problems()
        assert problems == [], problems
        last = probe.last()
        rounds.append((before_position, position, last, first, delay))

    # 3. Restarted, and recording meanwhile: SIGTERM while it catches up stops
    #    it cleanly (exit code 0) at a batch boundary.
    keep_a_backlog()
    number += 1
    before_position = probe.position()
    start = time.monotonic()
    worker = Worker(ex, key, logs, number)
    write_unprojected(ex, take(stream, 300))
    first_batch(worker, before_position, start)
    busy = probe.position() < probe.last()
    sent = time.monotonic()
    assert worker.terminate() == 0, worker.err.read_text()
    stop_after = time.monotonic() - sent
    assert b"stopped after projecting" in worker.err.read_bytes()
    position_at_term, problems = probe.read_model_problems()
    assert problems == [], problems
    last_at_term = probe.last()

    # 4. Restarted once more, it follows what is recorded; SIGTERM when idle.
    number += 1
    worker = Worker(ex, key, logs, number)
    worker.wait_following()
    write_unprojected(ex, take(stream, 100))
    final = wait_caught_up(probe, worker)
    assert worker.terminate() == 0, worker.err.read_text()
    assert b"stopped after projecting" in worker.err.read_bytes()

    stored = probe.stored()
    assert final == stored[-1][0]
    position, problems = probe.read_model_problems()
    assert problems == [], problems
    seqs = [r[0] for r in probe.rows("SELECT seq FROM ledger_events ORDER BY seq")]
    assert seqs == [seq for seq, _ in stored]  # each projected once, none skipped
    leaves = [
        r[0] for r in probe.rows("SELECT leaf_index FROM ledger_events ORDER BY seq")
    ]
    assert leaves == list(range(len(stored)))
    with Ledger(ex.url) as ledger:
        assert ledger.pending() == 0
        assert ledger.project() == 0  # the worker left nothing to do
    report = verify(ex, key)
    assert report.ok, [f.message for f in report.findings]
    assert report.events == len(stored)
    statements = probe.scalar("SELECT count(*) FROM statements")
    probe.close()
    drop(ex)

    mid = sum(1 for b, p, last, *_ in rounds if b < p < last)
    print(
        f"\n[crashes: worker, {backend}] {len(stored)} events, "
        f"{statements} statements; "
        f"worker killed {len(rounds)} times while catching up "
        f"({mid} with part of the backlog projected, the rest still pending), "
        f"SIGTERM exit 0 three times (idle twice; once while catching up: "
        f"{'yes' if busy else 'no, it had caught up'}, stopped {stop_after:.2f}s "
        f"after the signal, read models then at {position_at_term} of {last_at_term})\n"
        + "".join(
            f"  kill {i + 1}: read models {b} -> {p} of {last} "
            f"(first batch at {first:.2f}s, killed at {delay:.2f}s)\n"
            for i, (b, p, last, first, delay) in enumerate(rounds)
        )
        + "  events projected twice: 0, skipped: 0; "
        + f"time {time.monotonic() - began:.1f}s"
    )
    assert mid >= 1
