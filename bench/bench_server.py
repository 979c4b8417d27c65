"""Load test: `ledger serve` under concurrent recorders and readers (issue 8).

    python bench/bench_server.py [--statements 1000] [--writers 16] [--readers 4]
                                 [--workers 8] [--postgres URL]

A real `ledger serve` (a subprocess on a free 127.0.0.1 port) on a temporary
SQLite file, and with --postgres on a new database of that server, holding the
seed example. --writers clients each record --statements statements through
POST /api/statements (one request each, keep-alive), while --readers clients
read the state and the history of the seed incident until the writers are done.
A write answered 503 (the database busy) is sent again: the same statement
twice is a no-op, so a retry cannot record it twice.

Afterwards: every statement is listed exactly once, the ledger's sequence grew
by exactly one event per statement (none twice), and `ledger verify` passes.
Prints statements/s, p50/p99 of writes and reads, and the ratio to the bare
eventsourcing rate of one event per save, measured in the same run on the same
backend (bench_import.bare_append_rate). Bounded: fixed numbers of clients and
requests, loopback only; the server is stopped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import bare_append_rate, fresh_database  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "libya-drone.jsonl"
LEDGER = str(Path(sys.executable).with_name("ledger"))
TIMEOUT = 60  # seconds a request may take before the run fails


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ledger(*args: str, env: dict[str, str]) -> str:
    """Run the `ledger` command; its output (the run stops if it fails)."""
    done = subprocess.run(
        [LEDGER, *args], capture_output=True, text=True, env=env, check=False
    )
    if done.returncode != 0:
        sys.exit(f"ledger {' '.join(args[:2])} failed: {done.stderr.strip()}")
    return done.stdout


def seed_targets() -> tuple[str, str, str]:
    """The seed example's first incident, an actor to speak, a claim of it."""
    records = [json.loads(line) for line in SEED.read_text("utf-8").splitlines()]
    incident = next(r["id"] for r in records if r.get("type") == "incident")
    actor = next(r["id"] for r in records if r.get("type") == "actor")
    claim = next(
        r["id"]
        for r in records
        if r.get("type") == "claim" and r.get("incident") == incident
    )
    return incident, actor, claim


class Client:
    """One keep-alive connection with a token; timings in seconds."""

    def __init__(self, port: int, token: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        self.headers = {"Authorization": f"Bearer {token}"}

    def send(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        headers = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self.conn.close()


def once(port: int, token: str, path: str) -> bytes:
    """One GET on a new connection (a keep-alive one idle for long is closed)."""
    client = Client(port, token)
    try:
        status, body = client.send("GET", path)
    finally:
        client.close()
    if status != 200:
        sys.exit(f"GET {path}: {status} {body[:200]!r}")
    return body


def wait_until_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"ledger serve stopped: {server.stderr.read()}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    sys.exit("ledger serve did not answer within 60 s")


def statement(client: int, n: int, targets: tuple[str, str, str]) -> dict[str, Any]:
    incident, speaker, claim = targets
    return {
        "id": f"load-c{client}-s{n}",
        "incident": incident,
        "speaker": speaker,
        "kind": "report",
        "stated_at": "2021-03",
        "claims": [{"claim": claim}],
        "quote": f"Statement {n} of client {client}, recorded by the load test.",
        "note": "bench/bench_server.py",
    }


def percentile(values: list[float], q: int) -> float:
    """The q-th percentile in milliseconds."""
    if len(values) < 2:
        return round(1000 * (values[0] if values else 0.0), 1)
    return round(1000 * statistics.quantiles(values, n=100)[q - 1], 1)


def run(
    name: str, url: str, args: argparse.Namespace, directory: Path
) -> dict[str, Any]:
    """Serve ``url`` (already created, empty) and load it; the figures."""
    env = {
        **os.environ,
        "LEDGER_DATABASE_URL": url,
        "LEDGER_KEY_PATH": str(directory / f"{name}.key"),
        "LEDGER_RECORDER": "bench-operator",
    }
    ledger("init", env=env)
    ledger("import", str(SEED), env=env)
    tokens = {}
    for name, role in [(f"writer{i}", "recorder") for i in range(args.writers)] + [
        ("reader", "reader"),
        ("admin", "admin"),
    ]:
        added = ledger("users", "add", name, "--role", role, "--json", env=env)
        tokens[name] = json.loads(added)["token"]
    port = free_port()
    server = subprocess.Popen(
        [LEDGER, "serve", "--port", str(port), "--workers", str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_up(port, server)
        return load(port, tokens, args, env)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def load(
    port: int, tokens: dict[str, str], args: argparse.Namespace, env: dict[str, str]
) -> dict[str, Any]:
    targets = seed_targets()
    incident = targets[0]
    before = json.loads(once(port, tokens["admin"], "/api/ledger"))["latest_seq"]
    writes: list[float] = []
    reads: dict[str, list[float]] = {"state": [], "history": []}
    retries = [0]
    failures: list[str] = []
    lock = threading.Lock()
    writing = threading.Event()
    writing.set()

    def writer(i: int) -> None:
        client = Client(port, tokens[f"writer{i}"])
        mine = []
        try:
            for n in range(args.statements):
                body = statement(i, n, targets)
                while True:
                    started = time.perf_counter()
                    status, answer = client.send("POST", "/api/statements", body)
                    mine.append(time.perf_counter() - started)
                    if status != 503:
                        break
                    with lock:
                        retries[0] += 1
                    time.sleep(0.05)
                if status != 200:
                    with lock:
                        failures.append(f"write {body['id']}: {status} {answer[:200]}")
                    return
        finally:
            client.close()
            with lock:
                writes.extend(mine)

    def reader(i: int) -> None:
        client = Client(port, tokens["reader"])
        paths = {
            "state": f"/api/incidents/{incident}/state",
            "history": f"/api/incidents/{incident}/history",
        }
        mine: dict[str, list[float]] = {"state": [], "history": []}
        try:
            while writing.is_set():
                for kind, path in paths.items():
                    started = time.perf_counter()
                    status, answer = client.send("GET", path)
                    mine[kind].append(time.perf_counter() - started)
                    if status != 200:
                        with lock:
                            failures.append(f"read {path}: {status} {answer[:200]}")
                        return
        finally:
            client.close()
            with lock:
                for kind in mine:
                    reads[kind].extend(mine[kind])

    writers = [threading.Thread(target=writer, args=(i,)) for i in range(args.writers)]
    readers = [threading.Thread(target=reader, args=(i,)) for i in range(args.readers)]
    started = time.perf_counter()
    for thread in writers + readers:
        thread.start()
    for thread in writers:
        thread.join()
    elapsed = time.perf_counter() - started
    writing.clear()
    for thread in readers:
        thread.join()

    expected = args.writers * args.statements
    body = once(port, tokens["admin"], f"/api/statements?incident={incident}")
    listed = [s["id"] for s in json.loads(body)["statements"]]
    ours = [s for s in listed if s.startswith("load-")]
    after = json.loads(once(port, tokens["admin"], "/api/ledger"))["latest_seq"]
    verify = subprocess.run([LEDGER, "verify"], capture_output=True, text=True, env=env)
    return {
        "statements": expected,
        "seconds": round(elapsed, 2),
        "statements_per_s": round(expected / elapsed, 1),
        "write_p50_ms": percentile(writes, 50),
        "write_p99_ms": percentile(writes, 99),
        "state_reads": len(reads["state"]),
        "state_p50_ms": percentile(reads["state"], 50),
        "state_p99_ms": percentile(reads["state"], 99),
        "history_reads": len(reads["history"]),
        "history_p50_ms": percentile(reads["history"], 50),
        "history_p99_ms": percentile(reads["history"], 99),
        "retries_after_503": retries[0],
        "failures": failures[:5],
        "each_statement_once": len(ours) == len(set(ours)) == expected,
        "one_event_per_statement": after - before == expected,
        "verify_exit_status": verify.returncode,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=1000, help="per writer")
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--workers", type=int, default=8, help="server threads")
    parser.add_argument("--bare-events", type=int, default=2000)
    parser.add_argument("--postgres", help="a PostgreSQL server URL to run on too")
    args = parser.parse_args()
    payload = json.dumps(statement(0, 0, ("incident", "speaker", "claim")))
    report: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "load_1_5_15": os.getloadavg()},
        "writers": args.writers,
        "readers": args.readers,
        "server_threads": args.workers,
    }
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        backends = [("sqlite", None)] + (
            [("postgresql", args.postgres)] if args.postgres else []
        )
        for name, server in backends:
            bare = bare_append_rate(
                fresh_database(server, directory, "bare"),
                args.bare_events,
                payload,
                per_save=1,
            )
            url = fresh_database(server, directory, f"served-{name}")
            served = run(name, url, args, directory)
            served["bare_events_per_s_one_per_save"] = round(bare, 1)
            served["ratio_to_bare"] = round(served["statements_per_s"] / bare, 3)
            report[name] = served
            print(name, json.dumps(served), file=sys.stderr, flush=True)
    report["machine"]["load_after"] = os.getloadavg()
    print(json.dumps(report, indent=2))
    ok = all(
        report[name]["each_statement_once"]
        and report[name]["one_event_per_statement"]
        and report[name]["verify_exit_status"] == 0
        and not report[name]["failures"]
        for name in ("sqlite", "postgresql")
        if name in report
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
