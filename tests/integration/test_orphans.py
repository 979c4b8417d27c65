"""A killed import leaves no worker behind.

Large files are validated by worker processes. When the importing process is
killed (kill -9) during validation, its workers must die with it, not linger
orphaned (parent PID 1) and blocked on a pipe forever.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import ExampleLedger

LEDGER_BIN = Path(sys.executable).with_name("ledger")


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after ")"
        fields = stat.rpartition(")")[2].split()
        if int(fields[1]) == pid:
            found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"  # a zombie has died


def _big_file(path: Path, count: int) -> None:
    lines = [json.dumps({"type": "incident", "id": "big", "title": "Big"})]
    lines += [
        json.dumps(
            {
                "type": "actor",
                "id": f"actor-{i}",
                "name": f"Actor {i}",
                "kind": "person",
                "aliases": [f"A{i}", f"Alias {i}"],
                "description": "x" * 200,
            }
        )
        for i in range(count)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.sqlite_only
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_workers_die_with_a_killed_import(tmp_path: Path):
    ledger = ExampleLedger.new(tmp_path)
    path = tmp_path / "big.jsonl"
    _big_file(path, 60_000)
    process = subprocess.Popen(
        [str(LEDGER_BIN), "import", str(path), "--db", ledger.url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "LEDGER_RECORDER": "test"},
    )
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    try:
        while len(workers) < 2 and time.monotonic() < deadline:
            assert process.poll() is None, "the import ended before validating"
            workers = _children(process.pid)
            time.sleep(0.05)
        assert len(workers) >= 2, "no worker processes were started"
        time.sleep(0.5)  # they are validating now
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        deadline = time.monotonic() + 5
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        survivors = [w for w in workers if _alive(w)]
        assert survivors == [], f"workers outlived their import: {survivors}"
    finally:
        for worker in workers:
            if _alive(worker):
                os.kill(worker, signal.SIGKILL)
        if process.poll() is None:
            process.kill()
    assert ledger.count_events() == 0
