"""The test run itself: without PostgreSQL 15 it says what to do, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# One quick test that runs on both backends.
ON_BOTH = (
    "tests/integration/test_storage.py::"
    "test_init_twice_is_harmless_and_keeps_the_events"
)


def _pytest(pgbin: Path) -> subprocess.CompletedProcess[str]:
    """A nested test run that looks for PostgreSQL's binaries in ``pgbin``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env["LEDGER_TEST_PGBIN"] = str(pgbin)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", ON_BOTH],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_without_postgresql_the_run_stops_and_says_what_to_do(tmp_path: Path) -> None:
    result = _pytest(tmp_path / "no-such-bin")
    assert result.returncode == pytest.ExitCode.USAGE_ERROR
    out = result.stdout + result.stderr
    assert "the PostgreSQL tests need PostgreSQL 15" in result.stderr
    assert "apt-get install postgresql-15" in result.stderr
    assert "LEDGER_TEST_BACKENDS=sqlite" in result.stderr
    assert "CalledProcessError" not in out
    assert "Traceback" not in out


def test_a_cluster_that_cannot_start_fails_with_the_reason(tmp_path: Path) -> None:
    pgbin = tmp_path / "bin"
    pgbin.mkdir()
    for name in ("initdb", "pg_ctl"):
        tool = pgbin / name
        tool.write_text(f"#!/bin/sh\necho '{name}: cannot run here' >&2\nexit 1\n")
        tool.chmod(0o755)
    result = _pytest(pgbin)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "cannot start the test PostgreSQL cluster:" in out
    assert "LEDGER_TEST_BACKENDS=sqlite" in out
    assert "CalledProcessError" not in out
    # The SQLite half of the test still ran and passed.
    assert "1 passed" in out
