"""Every parameter of a PostgreSQL URL applies to every connection the ledger makes.

The read models' engine (SQLAlchemy), the event store (eventsourcing's pool) and
the worker's LISTEN connection are each asked, from inside the session, how they
got there: over which socket, under which application_name, with TLS or not.
Commands run as a separate `ledger` process, as a user runs them.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy.engine import make_url

from ledger.bootstrap import Ledger
from ledger.worker import _Listen
from tests.support import EXAMPLES, ROOT

pytestmark = pytest.mark.postgres_only

LEDGER_BIN = Path(sys.executable).with_name("ledger")
INCIDENT = "tanker-seizure"
# How this session reached the server: its application_name, whether over a unix
# socket (no server address), and whether over TLS.
SESSION = (
    "SELECT current_setting('application_name'), inet_server_addr() IS NULL, "
    "(SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid())"
)


def ledger_run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("LEDGER_", "PG"))}
    clean.update(env, LEDGER_RECORDER="url-tests")
    return subprocess.run(
        [str(LEDGER_BIN), *args],
        cwd=cwd,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def ok(run: subprocess.CompletedProcess) -> None:
    assert run.returncode == 0, (run.stdout, run.stderr)


def init_import_state(url: str, cwd: Path, **env: str) -> None:
    """`ledger init`, `ledger import`, `ledger state`, each in its own process."""
    ok(ledger_run("init", "--db", url, "--key", str(cwd / "k.key"), cwd=cwd, **env))
    example = str(EXAMPLES["fictional-seizure"])
    ok(ledger_run("import", example, "--db", url, cwd=cwd, **env))
    state = ledger_run("state", INCIDENT, "--db", url, "--json", cwd=cwd, **env)
    ok(state)
    assert '"incident"' in state.stdout


def sessions(url: str) -> dict[str, tuple]:
    """How the engine, the event store and the worker each reached the server."""
    found = {}
    with Ledger(url) as opened:
        with opened.engine.connect() as conn:
            found["engine"] = tuple(conn.exec_driver_sql(SESSION).one())
        with opened.app.recorder.datastore.get_connection() as conn:
            found["event store"] = tuple(conn.execute(SESSION).fetchone().values())
        assert opened.pending() == 0  # the event store read every event
    listen = _Listen(url, 0.1)
    try:
        found["worker"] = tuple(listen.conn.execute(SESSION).fetchone())
    finally:
        listen.close()
    return found


def new_database(admin: str) -> str:
    """A new database through the admin conninfo; its name."""
    name = f"u_{os.urandom(6).hex()}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


@pytest.fixture
def server(postgres_server):
    """The test server: its URL, its unix socket directory and its port."""
    url = make_url(postgres_server)
    admin = f"host={url.host} port={url.port} user={url.username} dbname=postgres"
    with psycopg.connect(admin) as conn:
        directories = conn.execute("SHOW unix_socket_directories").fetchone()[0]
    socket_dir = directories.split(",")[0].strip()
    return url, socket_dir, admin


def test_a_unix_socket_url_applies_to_every_connection(server, tmp_path):
    url, socket_dir, admin = server
    database = new_database(admin)
    ledger_url = (
        f"postgresql+psycopg://{url.username}@/{database}"
        f"?host={quote(socket_dir)}&port={url.port}&application_name=ledger-socket"
    )
    init_import_state(ledger_url, tmp_path)
    found = sessions(ledger_url)
    assert found == {
        kind: ("ledger-socket", True, False)
        for kind in ("engine", "event store", "worker")
    }


def test_the_pg_environment_variables_apply_to_every_connection(
    server, tmp_path, monkeypatch
):
    url, socket_dir, admin = server
    database = new_database(admin)
    env = {
        "PGHOST": socket_dir,
        "PGPORT": str(url.port),
        "PGUSER": url.username,
        "PGAPPNAME": "ledger-from-env",
    }
    ledger_url = f"postgresql+psycopg:///{database}"
    init_import_state(ledger_url, tmp_path, **env)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    found = sessions(ledger_url)
    assert found == {
        kind: ("ledger-from-env", True, False)
        for kind in ("engine", "event store", "worker")
    }


def test_a_bad_connection_option_is_one_line(server, tmp_path):
    url, _, _ = server
    bad = url.set(query={"no_such_option": "1"}).render_as_string(False)
    run = ledger_run("state", INCIDENT, "--db", bad, cwd=tmp_path)
    assert run.returncode == 1, (run.stdout, run.stderr)
    assert run.stderr.startswith("error: bad PostgreSQL URL: ")
    assert "no_such_option" in run.stderr and len(run.stderr.splitlines()) == 1


# --- a server that accepts TLS only ---------------------------------------------------

PASSWORD = "tls-only-secret"


def _certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "server.crt", directory / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """A throwaway cluster (.ci/postgres.sh) turned TLS-only: hostssl with a
    password (scram), every plain TCP connection rejected; the unix socket stays
    open for the test's own administration. Yields (admin conninfo, port, CA)."""
    directory = Path("/tmp") / f"ledger-tls-pg-{os.getpid()}"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    script = ROOT / ".ci" / "postgres.sh"
    subprocess.run(
        ["bash", str(script), "start", str(directory), str(port)],
        check=True,
        capture_output=True,
        text=True,
    )
    try:
        data = directory / "data"
        cert, key = _certificate(data)
        (data / "pg_hba.conf").write_text(
            "local all all trust\n"
            "hostssl all all 127.0.0.1/32 scram-sha-256\n"
            "hostnossl all all 0.0.0.0/0 reject\n",
            encoding="utf-8",
        )
        server_user = data.stat().st_uid
        for path in (cert, key, data / "pg_hba.conf"):
            os.chown(path, server_user, -1)
        admin = f"host={directory} port={port} user=ledger_owner dbname=postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("ALTER SYSTEM SET ssl = on")
            conn.execute(f"ALTER SYSTEM SET ssl_cert_file = '{cert}'")
            conn.execute(f"ALTER SYSTEM SET ssl_key_file = '{key}'")
            conn.execute(f"ALTER ROLE ledger_owner PASSWORD '{PASSWORD}'")
            conn.execute("SELECT pg_reload_conf()")
        ca = tmp_path_factory.mktemp("tls") / "ca.crt"
        shutil.copy(cert, ca)
        yield admin, port, ca
    finally:
        subprocess.run(["bash", str(script), "stop", str(directory)], check=False)


def _passfile(directory: Path, port: int) -> Path:
    path = directory / "pgpass"
    path.write_text(f"127.0.0.1:{port}:*:ledger_owner:{PASSWORD}\n", encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("verify", [False, True], ids=["require", "verify-full"])
def test_a_tls_only_server_with_sslmode_and_a_passfile(tls_server, tmp_path, verify):
    admin, port, ca = tls_server
    database = new_database(admin)
    passfile = _passfile(tmp_path, port)
    base = f"postgresql+psycopg://ledger_owner@127.0.0.1:{port}/{database}"
    ssl = f"verify-full&sslrootcert={quote(str(ca))}" if verify else "require"
    ledger_url = (
        f"{base}?sslmode={ssl}"
        f"&passfile={quote(str(passfile))}&application_name=ledger-tls"
    )
    init_import_state(ledger_url, tmp_path)
    found = sessions(ledger_url)
    assert found == {
        kind: ("ledger-tls", False, True)
        for kind in ("engine", "event store", "worker")
    }


@pytest.mark.slow
@pytest.mark.parametrize("command", [("init",), ("state", INCIDENT)], ids=str)
def test_a_tls_only_server_refuses_sslmode_disable_in_one_line(
    tls_server, tmp_path, command
):
    admin, port, _ = tls_server
    database = new_database(admin)
    passfile = _passfile(tmp_path, port)
    ledger_url = (
        f"postgresql+psycopg://ledger_owner@127.0.0.1:{port}/{database}"
        f"?sslmode=disable&passfile={quote(str(passfile))}"
    )
    run = ledger_run(*command, "--db", ledger_url, cwd=tmp_path)
    assert run.returncode == 1, (run.stdout, run.stderr)
    assert "Traceback" not in run.stderr
    (line,) = run.stderr.splitlines()
    assert line.startswith("error: cannot reach the database, or it refused: ")
    assert "no encryption" in line
