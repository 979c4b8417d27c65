"""Every integration and feature test runs on SQLite and on PostgreSQL.

The PostgreSQL cluster is a throwaway one: `.ci/run` starts it and passes its
URL in LEDGER_TEST_POSTGRES_URL; otherwise the first test that needs it starts
one with the PostgreSQL 15 binaries of /usr/lib/postgresql/15/bin (or of
LEDGER_TEST_PGBIN), on 127.0.0.1, and the session stops it at the end. The
cluster never runs as root: run as root, the tests create the system user
`ledger-pg` (no home, no login shell) if there is none, and run it as that user.
Without the binaries, the run stops at once and says what to do.
LEDGER_TEST_BACKENDS=sqlite runs one backend only, for a quick local loop.
"""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

from tests import support

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = tuple(os.environ.get("LEDGER_TEST_BACKENDS", "sqlite,postgresql").split(","))
PGBIN = Path(os.environ.get("LEDGER_TEST_PGBIN", "/usr/lib/postgresql/15/bin"))
WITHOUT_POSTGRES = (
    "install PostgreSQL 15 (Debian, Ubuntu: apt-get install postgresql-15) or set "
    "LEDGER_TEST_PGBIN to its bin directory; or give a running server in "
    "LEDGER_TEST_POSTGRES_URL; or run the SQLite tests only: "
    "LEDGER_TEST_BACKENDS=sqlite"
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise every test of tests/integration and tests/bdd by backend."""
    if "backend" not in metafunc.fixturenames:
        return
    backends = list(BACKENDS)
    if metafunc.definition.get_closest_marker("sqlite_only"):
        backends = [b for b in backends if b == "sqlite"]
    if metafunc.definition.get_closest_marker("postgres_only"):
        backends = [b for b in backends if b == "postgresql"]
    metafunc.parametrize("backend", backends)


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Tests for a backend this run leaves out are deselected, not skipped."""
    chosen = set(BACKENDS)
    wanted = {"sqlite_only": "sqlite", "postgres_only": "postgresql"}
    keep, drop = [], []
    for item in items:
        needs = {wanted[m.name] for m in item.iter_markers() if m.name in wanted}
        (drop if needs - chosen else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    _check_postgres(keep)


def _check_postgres(items: list[pytest.Item]) -> None:
    """Stop before the first test if PostgreSQL tests cannot get a server."""
    if os.environ.get("LEDGER_TEST_POSTGRES_URL"):
        return
    wanted = any(
        item.callspec.params.get("backend") == "postgresql"
        for item in items
        if hasattr(item, "callspec")
    )
    binaries = [PGBIN / "initdb", PGBIN / "pg_ctl"]
    if wanted and not all(os.access(b, os.X_OK) for b in binaries):
        raise pytest.UsageError(
            f"the PostgreSQL tests need PostgreSQL 15, and there is no initdb "
            f"or pg_ctl in {PGBIN}: {WITHOUT_POSTGRES}"
        )


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory):
    """The URL of a PostgreSQL 15 server for the tests (started here if none given)."""
    given = os.environ.get("LEDGER_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    directory = Path("/tmp") / f"ledger-test-pg-{os.getpid()}"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    script = ROOT / ".ci" / "postgres.sh"
    started = subprocess.run(
        ["bash", str(script), "start", str(directory), str(port)],
        capture_output=True,
        text=True,
    )
    if started.returncode != 0:
        subprocess.run(["bash", str(script), "stop", str(directory)], check=False)
        reason = started.stderr.strip() or f"exit status {started.returncode}"
        pytest.fail(
            f"cannot start the test PostgreSQL cluster: {reason}\n{WITHOUT_POSTGRES}",
            pytrace=False,
        )
    url = started.stdout.strip()
    try:
        yield url
    finally:
        subprocess.run(["bash", str(script), "stop", str(directory)], check=False)


def on_backend(backend: str, request: pytest.FixtureRequest):
    """Point ExampleLedger at the backend this test was parametrised with."""
    postgres = backend == "postgresql"
    server = request.getfixturevalue("postgres_server") if postgres else None
    support.use_backend(backend, server)
    try:
        yield
    finally:
        support.use_backend("sqlite", None)
