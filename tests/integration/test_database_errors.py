"""A database that is not one, or a setting that is not a number: one line, exit 1.

Run through the real executable, so that a traceback, a module-level crash, or a
wrong exit code shows as the user would see it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ExampleLedger

LEDGER_BIN = Path(sys.executable).with_name("ledger")
COMMANDS = [("init",), ("state", "tanker-seizure"), ("verify",)]


def run(*args: str, cwd: Path, **extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update(extra)
    return subprocess.run(
        [str(LEDGER_BIN), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def one_line_error(run: subprocess.CompletedProcess, *phrases: str) -> None:
    assert run.returncode == 1, (run.stdout, run.stderr)
    assert "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.stderr
    for phrase in phrases:
        assert phrase in lines[0], lines[0]


@pytest.mark.sqlite_only
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_db_naming_a_file_that_is_not_a_database(tmp_path, command):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database\n", encoding="utf-8")
    result = run(*command, "--db", f"sqlite:///{notes}", cwd=tmp_path)
    one_line_error(result, str(notes), "is not a SQLite database")
    assert notes.read_text(encoding="utf-8") == "not a database\n"


@pytest.mark.sqlite_only
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_db_naming_a_directory(tmp_path, command):
    folder = tmp_path / "folder"
    folder.mkdir()
    result = run(*command, "--db", f"sqlite:///{folder}", cwd=tmp_path)
    one_line_error(result, "names a directory, not a database file")
    assert list(folder.iterdir()) == []


@pytest.mark.sqlite_only
def test_db_under_a_file_instead_of_a_directory(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("x", encoding="utf-8")
    result = run("init", "--db", f"sqlite:///{notes}/ledger.db", cwd=tmp_path)
    one_line_error(result, str(notes))


@pytest.mark.parametrize(
    ("command", "value"),
    [(c, "abc") for c in COMMANDS]
    + [(("init",), v) for v in ("-5", "1.5", "99999999999999999999")],
    ids=lambda p: p[0] if isinstance(p, tuple) else p,
)
def test_a_busy_timeout_that_is_not_a_number(tmp_path, command, value):
    ledger = ExampleLedger.new(tmp_path)
    result = run(
        *command, "--db", ledger.url, cwd=tmp_path, LEDGER_BUSY_TIMEOUT_MS=value
    )
    one_line_error(result, "LEDGER_BUSY_TIMEOUT_MS", repr(value))


@pytest.mark.sqlite_only
def test_the_busy_timeout_is_applied_when_it_is_a_number(tmp_path):
    ledger = ExampleLedger.new(tmp_path)
    script = (
        "from ledger.persistence import make_engine\n"
        f"engine = make_engine({ledger.url!r})\n"
        "with engine.connect() as conn:\n"
        "    print(conn.exec_driver_sql('PRAGMA busy_timeout').scalar())\n"
    )
    env = {**os.environ, "LEDGER_BUSY_TIMEOUT_MS": "1234"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True
    )
    assert done.stdout.strip() == "1234", done.stderr
