"""`ledger serve`: a real server process answers, then stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

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


def test_serve_answers_and_stops_on_sigterm(tmp_path):
    ledger = ExampleLedger.new(tmp_path)
    token = json.loads(
        ledger.cli("users", "add", "ana", "--role", "reader", "--json").output
    )["token"]
    port = free_port()
    server = subprocess.Popen(
        [
            str(LEDGER_BIN),
            "serve",
            "--db",
            ledger.url,
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "LEDGER_MAX_BODY": "4096"},
    )
    try:
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
        assert get(f"{base}/api/me", token)[1]["name"] == "ana"
        assert get(f"{base}/api/me")[0] == 401
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=60)
    assert server.returncode == 0, err
    assert "bodies up to 4096 bytes" in err
    assert "Traceback" not in err


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
