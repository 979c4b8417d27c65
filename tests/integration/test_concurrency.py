"""Concurrent writers in real processes: nothing acknowledged is lost or doubled.

The counts come from the environment: LEDGER_TEST_WRITERS (default 8) processes
each record LEDGER_TEST_STATEMENTS_PER_WRITER (default 150) statements, one per
write, half to one shared incident and half to their own. Run with ``-s`` to
see the figures (wall time, statements/s, retries).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ledger.bootstrap import Ledger
from ledger.domain.model import stream_id
from ledger.integrity.service import Integrity, ensure_key
from ledger.projections import tables as t
from ledger.projections.tables import READ_MODEL_TABLES
from ledger.schemas.lines import parse_line
from ledger.synthetic import generate
from tests.support import ROOT, ExampleLedger
from tests.tools import writer as w

WRITERS = int(os.environ.get("LEDGER_TEST_WRITERS", "8"))
PER_WRITER = int(os.environ.get("LEDGER_TEST_STATEMENTS_PER_WRITER", "250"))
SHARED = "ferry-grounding"
START_TIMEOUT = 120
RUN_TIMEOUT = 600


def own_incident(writer: int) -> str:
    return f"ferry-grounding-writer-{writer:02d}"


def setup_records(writers: int) -> list[tuple[int, dict[str, Any]]]:
    """The incidents, actors and claims the writers need: made up, one write."""
    lines: list[dict[str, Any]] = [
        {
            "type": "actor",
            "id": "harbour-authority",
            "name": "Port of Example Harbour",
            "kind": "organisation",
            "aliases": ["Harbour Authority"],
        },
        {
            "type": "actor",
            "id": "ferry-operator",
            "name": "Example Ferries",
            "kind": "organisation",
        },
        {
            "type": "actor",
            "id": "coast-guard",
            "name": "Example Coast Guard",
            "kind": "organisation",
        },
    ]
    for n, incident in enumerate([SHARED, *map(own_incident, range(writers))]):
        lines.append(
            {
                "type": "incident",
                "id": incident,
                "title": f"Ferry runs aground near the harbour mouth ({n})",
                "occurred_at": "2022-03-01",
                "place": "Example Harbour",
            }
        )
        lines.append(
            {
                "type": "claim",
                "id": w.claim_of(incident),
                "incident": incident,
                "proposition": "The ferry ran aground on the sandbank",
            }
        )
    return [(n, parse_line(json.dumps(d), n)) for n, d in enumerate(lines, 1)]


# -- what the database holds, straight from the tables ---------------------------


def stored(ledger: ExampleLedger) -> list[tuple[int, str, int]]:
    """(sequence, stream id, version) of every stored event, in sequence order."""
    position = "rowid" if ledger.backend == "sqlite" else "notification_id"
    conn = ledger.connect()
    try:
        rows = conn.execute(
            f"SELECT {position}, originator_id, originator_version "
            f"FROM stored_events ORDER BY {position}"
        ).fetchall()
    finally:
        conn.close()
    # SQLite keeps the stream id as 32 hex digits, PostgreSQL as a uuid.
    return [
        (int(seq), str(uuid.UUID(str(stream))), int(version))
        for seq, stream, version in rows
    ]


def audited(ledger: ExampleLedger) -> list[tuple[int, int]]:
    """(seq, leaf_index) of every row of the read model's ledger_events, by seq."""
    conn = ledger.connect()
    try:
        return [
            (int(seq), int(index))
            for seq, index in conn.execute(
                "SELECT seq, leaf_index FROM ledger_events ORDER BY seq"
            ).fetchall()
        ]
    finally:
        conn.close()


def statement_rows(ledger: ExampleLedger) -> list[tuple[str, str, int]]:
    """(slug, incident, seq) of every statement of the read model."""
    conn = ledger.connect()
    try:
        return [
            (slug, incident, int(seq))
            for slug, incident, seq in conn.execute(
                "SELECT slug, incident, seq FROM statements"
            ).fetchall()
        ]
    finally:
        conn.close()


def read_models(url: str) -> dict[str, list[str]]:
    """Every read-model row and the tracking position, canonically, table by table."""
    with Ledger(url) as ledger, ledger.engine.connect() as conn:
        return {
            table.name: sorted(
                json.dumps(list(row), default=str, sort_keys=True)
                for row in conn.execute(select(table))
            )
            for table in (*READ_MODEL_TABLES, t.tracking)
        }


def check_sequence(ledger: ExampleLedger, events: int) -> list[tuple[int, str, int]]:
    """The ledger's sequence: no gaps (SQLite), no duplicates, all audited once."""
    rows = stored(ledger)
    seqs = [seq for seq, _, _ in rows]
    assert len(rows) == events
    assert len(set(seqs)) == len(seqs), "a sequence number is used twice"
    assert len({(s, v) for _, s, v in rows}) == len(rows), "an event is stored twice"
    if ledger.backend == "sqlite":
        assert seqs == list(range(1, events + 1)), "the rowids have gaps"
    # PostgreSQL's notification_id may skip numbers of rolled-back transactions;
    # the read model must then hold exactly the stored ids, each once, and
    # number its Merkle leaves 0..N-1 in sequence order without gaps.
    leaves = audited(ledger)
    assert [seq for seq, _ in leaves] == seqs
    assert [index for _, index in leaves] == list(range(events))
    return rows


def check_rebuild_and_verify(ledger: ExampleLedger, tmp_path: Path) -> None:
    """The read models equal a rebuild; a checkpoint verifies."""
    before = read_models(ledger.url)
    states_before = {i: ledger.state(i) for i in (SHARED, own_incident(0))}
    with Ledger(ledger.url) as opened:
        opened.rebuild()
    after = read_models(ledger.url)
    for table in before:
        assert after[table] == before[table], f"{table} differs after a rebuild"
    assert {i: ledger.state(i) for i in states_before} == states_before
    key = str(tmp_path / "k.key")
    ensure_key(ledger.url, key)
    with Ledger(ledger.url) as opened:
        integrity = Integrity(opened, key)
        checkpoint = integrity.checkpoint("t")
        report = integrity.verify()
    assert report.ok, [f.message for f in report.findings]
    assert checkpoint["tree_size"] == report.events == ledger.count_events()
    ledger.key = Path(key)
    result = ledger.cli("verify")
    assert result.exit_code == 0, result.output
    assert "verified" in result.output


# -- concurrent writers through the application --------------------------------


def start_writers(ledger: ExampleLedger, tmp_path: Path) -> tuple[list, float]:
    """Start the writer processes, wait until each is ready, then start them at once."""
    start = tmp_path / "start"
    processes = []
    for n in range(WRITERS):
        out = (tmp_path / f"writer-{n}.out").open("w")
        err = (tmp_path / f"writer-{n}.err").open("w")
        command = [
            sys.executable,
            "-m",
            "tests.tools.writer",
            ledger.url,
            str(n),
            str(PER_WRITER),
            SHARED,
            own_incident(n),
            str(tmp_path / f"ready-{n}"),
            str(start),
        ]
        processes.append(subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=err))
        out.close()
        err.close()
    deadline = time.monotonic() + START_TIMEOUT
    while not all((tmp_path / f"ready-{n}").exists() for n in range(WRITERS)):
        failed = [p.args[4] for p in processes if p.poll() is not None]
        assert not failed, f"writers {failed} exited before starting: see " + str(
            tmp_path
        )
        assert time.monotonic() < deadline, "the writers did not get ready"
        time.sleep(0.05)
    began = time.time()
    start.touch()
    return processes, began


def finish_writers(processes: list, tmp_path: Path) -> list[dict[str, Any]]:
    """Wait for every writer; what each printed."""
    results = []
    for n, process in enumerate(processes):
        try:
            process.wait(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            for other in processes:
                other.kill()
            raise
        printed = (tmp_path / f"writer-{n}.out").read_text()
        errors = (tmp_path / f"writer-{n}.err").read_text()
        code = process.returncode
        assert printed.strip(), f"writer {n} printed nothing (exit {code}):\n{errors}"
        result = json.loads(printed)
        result["exit"] = process.returncode
        result["stderr"] = errors
        results.append(result)
    return results


@pytest.mark.slow
def test_concurrent_writers_lose_nothing_and_keep_each_writers_order(tmp_path):
    ledger = ExampleLedger.new(tmp_path)
    setup = setup_records(WRITERS)
    ledger.write(setup)
    processes, began = start_writers(ledger, tmp_path)
    results = finish_writers(processes, tmp_path)
    ended = max(r["ended"] for r in results)
    wall = ended - began
    total = WRITERS * PER_WRITER
    acknowledged = [s for r in results for s in r["acknowledged"]]
    retries = sum(r["integrity_retries"] for r in results)
    races = sum(r["projection_races"] for r in results)

    # What the read model and the store hold, before judging the writers.
    rows = statement_rows(ledger)
    held = Counter(slug for slug, _, _ in rows)
    lost = sorted(set(acknowledged) - set(held))
    print(
        f"\n[{ledger.backend}] concurrent writers: writers={WRITERS} "
        f"statements={total} acknowledged={len(acknowledged)} lost={len(lost)} "
        f"wall={wall:.1f}s rate={len(acknowledged) / wall:.0f} statements/s "
        f"integrity_retries={retries} projection_races={races} "
        f"errors={sum(len(r['errors']) for r in results)}"
    )

    # Conflicts are retried by the application, never surfaced nor dropped.
    for r in results:
        assert r["errors"] == [], f"writer {r['writer']}: {r['errors'][:3]}"
        assert r["exit"] == 0, r["stderr"][-2000:]
        expected = [w.statement_id(r["writer"], k) for k in range(PER_WRITER)]
        assert r["acknowledged"] == expected
    assert len(acknowledged) == total

    # Every acknowledged statement is read back exactly once, in its incident.
    assert lost == []
    assert [s for s, n in held.items() if n > 1] == []
    assert set(held) == set(acknowledged)
    incident = {slug: inc for slug, inc, _ in rows}
    for r in results:
        n = r["writer"]
        for k, slug in enumerate(r["acknowledged"]):
            assert incident[slug] == w.incident_of(k, SHARED, own_incident(n)), slug

    # The store: one Recorded event per statement; a gapless, unique sequence.
    events = len(setup) + total
    stored_rows = check_sequence(ledger, events)
    streams = Counter(stream for _, stream, _ in stored_rows)
    for slug in acknowledged:
        assert streams[str(stream_id("statement", slug))] == 1, slug

    # Each writer's statements in the order it recorded them: in the store,
    # in the read model, and in the shared incident's history.
    position = {stream: seq for seq, stream, _ in stored_rows}
    seq_of = {slug: seq for slug, _, seq in rows}
    for r in results:
        seqs = [seq_of[s] for s in r["acknowledged"]]
        assert seqs == sorted(seqs), f"writer {r['writer']} out of order"
        streams_of = [str(stream_id("statement", s)) for s in r["acknowledged"]]
        assert seqs == [position[stream] for stream in streams_of]
    history = ledger.query("history", SHARED)["events"]
    subjects = [e["subject"] for e in history if e["type"] == "Statement.Recorded"]
    assert len(subjects) == len(set(subjects)) == WRITERS * ((PER_WRITER + 1) // 2)
    for r in results:
        mine = [s for s in subjects if s.startswith(f"w{r['writer']:02d}-")]
        assert mine == r["acknowledged"][0::2]
    for n in range(WRITERS):
        state = ledger.state(own_incident(n))
        assert state["incident"]["id"] == own_incident(n)

    check_rebuild_and_verify(ledger, tmp_path)


# -- two imports into one SQLite file at the same moment ------------------------

_OURS = re.compile(r"^(actor|incident|st)-\d")


def _prefixed(value: Any, prefix: str) -> Any:
    if isinstance(value, dict):
        return {k: _prefixed(v, prefix) for k, v in value.items()}
    if isinstance(value, list):
        return [_prefixed(v, prefix) for v in value]
    if isinstance(value, str) and _OURS.match(value):
        return prefix + value
    return value


def synthetic_file(path: Path, prefix: str, seed: int, statements: int) -> list[dict]:
    """A generated import file whose every id starts with ``prefix``; its records."""
    records = [
        _prefixed(json.loads(line), prefix)
        for line in generate(statements, incidents=2, seed=seed)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return records


def ledger_command() -> list[str]:
    installed = Path(sys.executable).parent / "ledger"
    if installed.exists():
        return [str(installed)]
    return [sys.executable, "-c", "from ledger.cli.main import main; main()"]


BUSY = re.compile(r"busy|locked", re.IGNORECASE)
RETRY = re.compile(r"retry|try again", re.IGNORECASE)


@pytest.mark.slow
@pytest.mark.sqlite_only
def test_two_imports_into_one_sqlite_file_at_once(tmp_path):
    ledger = ExampleLedger.new(tmp_path)
    statements = 2000
    files = {
        "alpha": (tmp_path / "alpha.jsonl", 11),
        "bravo": (tmp_path / "bravo.jsonl", 12),
    }
    records = {
        name: synthetic_file(path, f"{name}-", seed, statements)
        for name, (path, seed) in files.items()
    }
    start = tmp_path / "start"
    env = {**os.environ, "LEDGER_RECORDER": "importer"}
    processes = {}
    for name, (path, _) in files.items():
        # Both shells wait for the start file, then become the `ledger import`.
        command = " ".join(
            [
                f'while [ ! -e "{start}" ]; do sleep 0.005; done; exec',
                *(f'"{part}"' for part in ledger_command()),
                "import",
                f'"{path}"',
                "--db",
                f'"{ledger.url}"',
                "--json",
            ]
        )
        processes[name] = subprocess.Popen(
            ["bash", "-c", command],
            cwd=ROOT,
            env=env,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    time.sleep(0.2)
    began = time.monotonic()
    start.touch()
    outcome = {}
    for name, process in processes.items():
        out, err = process.communicate(timeout=RUN_TIMEOUT)
        outcome[name] = (process.returncode, out, err)
    wall = time.monotonic() - began

    conn = sqlite3.connect(ledger.path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()

    held = Counter(slug for slug, _, _ in statement_rows(ledger))
    rows = stored(ledger)
    print(
        f"\n[sqlite] two imports at once: statements={2 * statements} "
        f"exits={ {n: o[0] for n, o in outcome.items()} } wall={wall:.1f}s "
        f"rate={len(held) / wall:.0f} statements/s events={len(rows)}"
    )
    rerun = []
    for name, (code, out, err) in outcome.items():
        ids = [r["id"] for r in records[name] if r["type"] == "statement"]
        if code == 0:
            assert json.loads(out)["recorded"] == len(records[name]), out
            continue
        # Refused: a clear "busy, retry" error and nothing of that file recorded.
        assert BUSY.search(err) and RETRY.search(err), f"{name} exit {code}: {err}"
        assert not any(held[i] for i in ids), f"{name} failed yet left statements"
        rerun.append(name)
    for name in rerun:
        path = files[name][0]
        again = subprocess.run(
            [*ledger_command(), "import", str(path), "--db", ledger.url, "--json"],
            cwd=ROOT,
            env=env,
            text=True,
            capture_output=True,
            timeout=RUN_TIMEOUT,
        )
        assert again.returncode == 0, again.stderr
    held = Counter(slug for slug, _, _ in statement_rows(ledger))

    # Every statement of both files exactly once; each import one unbroken block.
    expected = [
        r["id"] for name in files for r in records[name] if r["type"] == "statement"
    ]
    assert sorted(held) == sorted(expected)
    assert all(n == 1 for n in held.values())
    rows = check_sequence(ledger, sum(len(r) for r in records.values()))
    for name in files:
        streams = {
            str(stream_id(r["type"], r["id"]))
            for r in records[name]
            if r["type"] in ("incident", "actor", "claim", "statement")
        }
        mine = [seq for seq, stream, _ in rows if stream in streams]
        assert len(mine) == len(records[name]), name
        assert mine == list(range(mine[0], mine[0] + len(mine))), (
            f"the import of {name} is not one unbroken transaction"
        )
