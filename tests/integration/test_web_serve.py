"""`ledger serve`: a real server process answers, then stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from sqlalchemy import func, select

from ledger.bootstrap import Ledger
from ledger.projections import tables
from ledger.synthetic import generate
from tests.support import ExampleLedger

LEDGER_BIN = Path(sys.executable).with_name("ledger")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str, token: str | None = None):
    request = urllib.request.Request(url)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def start_server(ledger: ExampleLedger, env: dict[str, str] | None = None):
    """`ledger serve` on a free port, once it answers /api/health."""
    port = free_port()
    server = subprocess.Popen(
        [str(LEDGER_BIN), "serve", "--db", ledger.url, "--port", str(port)]
        + ["--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            status, body = get(f"{base}/api/health")
            break
        except (urllib.error.URLError, ConnectionError):
            assert server.poll() is None, server.communicate()
            assert time.time() < deadline, "the server did not answer"
            time.sleep(0.2)
    assert (status, body) == (200, {"status": "ok"})
    return server, base


def stop(server: subprocess.Popen) -> str:
    """SIGTERM; the server's standard error once it has exited cleanly."""
    server.send_signal(signal.SIGTERM)
    _, err = server.communicate(timeout=60)
    assert server.returncode == 0, err
    assert "Traceback" not in err
    return err


def test_serve_answers_and_stops_on_sigterm(tmp_path):
    ledger = ExampleLedger.new(tmp_path)
    token = json.loads(
        ledger.cli("users", "add", "ana", "--role", "reader", "--json").output
    )["token"]
    server, base = start_server(ledger, {"LEDGER_MAX_BODY": "4096"})
    try:
        assert get(f"{base}/api/me", token)[1]["name"] == "ana"
        assert get(f"{base}/api/me")[0] == 401
    finally:
        err = stop(server)
    assert "bodies up to 4096 bytes" in err


def test_a_request_under_way_at_sigterm_is_answered_and_kept(tmp_path):
    ledger = ExampleLedger.new(tmp_path)
    token = json.loads(
        ledger.cli("users", "add", "rita", "--role", "recorder", "--json").output
    )["token"]
    body = "\n".join(generate(400, incidents=2, seed=11)).encode()
    server, base = start_server(ledger)
    answers: list = []

    def post_records() -> None:
        request = urllib.request.Request(f"{base}/api/records", data=body)
        request.add_header("Authorization", f"Bearer {token}")
        request.add_header("Content-Type", "application/x-ndjson")
        with urllib.request.urlopen(request, timeout=120) as response:
            answers.append((response.status, json.loads(response.read())))

    try:
        poster = threading.Thread(target=post_records)
        poster.start()
        time.sleep(0.3)  # the import is under way: 400 statements take seconds
    finally:
        stop(server)
    poster.join(timeout=60)
    assert answers and answers[0][0] == 200, answers
    assert answers[0][1]["new"]["statement"] == 400, answers
    with Ledger(ledger.url) as opened, opened.engine.connect() as conn:
        # Kept: the next process reads every one of them.
        count = select(func.count()).select_from(tables.statements)
        assert conn.execute(count).scalar() == 400


def test_serve_refuses_a_taken_port_and_a_missing_ledger_in_one_line(tmp_path):
    ledger = ExampleLedger.new(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [str(LEDGER_BIN), "serve", "--db", ledger.url, "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines()[-1] == (
        f"error: cannot listen on 127.0.0.1:{port}: Address already in use"
    )
    assert "Traceback" not in result.stderr
    missing = f"sqlite:///{tmp_path / 'nothing.db'}"
    result = subprocess.run(
        [str(LEDGER_BIN), "serve", "--db", missing], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: there is no ledger at {missing}; run `ledger init` first"
    )
