"""Benchmark: waitress beside gunicorn (gthread) serving the ledger's API on loopback.

    pip install gunicorn  # (the bench extra); waitress is the server ledger uses
    python bench/bench_servers.py [--clients 8] [--seconds 4]

A temporary SQLite ledger gets one reader account. For each server and size,
the API is started as a subprocess on a free 127.0.0.1 port; --clients threads
send keep-alive GETs for --seconds to `/api/health` (no token: the server alone)
and to `/api/me` (token lookup in the read model). Prints requests/s, p50 and
p99 per run. Bounded: loopback only, a fixed time per run; nothing is asserted.
"""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from ledger.application.accounts import Accounts
from ledger.bootstrap import Ledger, init

# waitress: one process, N threads; gunicorn: N gthread workers of 4 threads each.
WAITRESS = (
    "from ledger.web.server import serve; "
    "serve({url!r}, host='127.0.0.1', port={port}, workers={size}, max_body=2**24)"
)
GUNICORN = """
from gunicorn.app.base import BaseApplication
from ledger.web import create_app
class Server(BaseApplication):
    def load_config(self):
        for k, v in dict(bind='127.0.0.1:{port}', workers={size},
                         worker_class='gthread', threads=4).items():
            self.cfg.set(k, v)
    def load(self):
        return create_app({url!r})
Server().run()
"""
CONFIGS = [("waitress", 4), ("waitress", 8), ("gunicorn", 1), ("gunicorn", 2)]


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(server: str, size: int, url: str, port: int) -> subprocess.Popen:
    """The API on ``server`` with ``size`` threads (waitress) or workers."""
    code = (WAITRESS if server == "waitress" else GUNICORN).format(
        url=url, port=port, size=size
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/health")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{server} did not start")


def load(port: int, path: str, token: str, clients: int, seconds: float) -> str:
    """Requests/s, p50 and p99 of ``clients`` threads GETting ``path``."""
    latencies: list[float] = []
    failures = [0]
    headers = {"Authorization": f"Bearer {token}"}
    end = time.time() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.time() < end:
            began = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                failures[0] += 1
            latencies.append(time.perf_counter() - began)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[int(len(latencies) * 0.99)] * 1000
    return (
        f"{len(latencies) / seconds:7.0f} req/s  p50 {p50:6.1f} ms  "
        f"p99 {p99:6.1f} ms  non-200 {failures[0]}"
    )


def main() -> None:
    """Run every configuration and print one line per server, size and path."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'ledger.db'}"
        init(url)
        with Ledger(url) as ledger:
            token = Accounts(ledger).add("bench", "reader", "bench").token
        print(
            f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
            f"{args.clients} clients, {args.seconds:.0f} s a run"
        )
        for server, size in CONFIGS:
            port = free_port()
            process = start(server, size, url, port)
            try:
                for path in ("/api/health", "/api/me"):
                    figures = load(port, path, token, args.clients, args.seconds)
                    print(f"{server:9} {size}  {path:12} {figures}", flush=True)
            finally:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)


if __name__ == "__main__":
    main()
