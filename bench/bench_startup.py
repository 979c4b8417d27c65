"""Start-up: the wall time of one `ledger` command from a cold process (issue 11).

    python bench/bench_startup.py [--repeat 15]

A temporary SQLite ledger holding the seed example. Each run starts a new
process: the reference is ``python -c pass`` with the same interpreter;
then ``import sqlalchemy`` alone (the floor of any command that reads the
ledger), ``ledger state INCIDENT`` (the whole command: imports, the schema check,
the query, the table), ``ledger --version`` (imports only), and the imports
of ``ledger.cli.main`` alone. Prints each median and slowest time, and the
median's ratio to the reference, measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ledger.bootstrap import init
from ledger.resources import demo_example

GOAL_MS = 250.0  # issue 11: `ledger state` on a small incident, cold


def _timed(argv: list[str], env: dict[str, str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, env=env, check=True, capture_output=True)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'ledger.db'}"
        init(url)
        env = {**os.environ, "LEDGER_DATABASE_URL": url, "LEDGER_RECORDER": "bench"}
        cli = [str(Path(sys.executable).parent / "ledger")]
        example = demo_example()
        subprocess.run([*cli, "import", str(example)], env=env, check=True)
        first = json.loads(Path(example).read_text(encoding="utf-8").splitlines()[0])
        incident = first["id"]
        runs = {
            "python -c pass (reference)": [sys.executable, "-c", "pass"],
            "import sqlalchemy (a floor: the read models need it)": [
                sys.executable,
                "-c",
                "import sqlalchemy",
            ],
            "import ledger.cli.main": [sys.executable, "-c", "import ledger.cli.main"],
            "ledger --version": [*cli, "--version"],
            f"ledger state {incident}": [*cli, "state", incident],
        }
        found = {name: _timed(argv, env, args.repeat) for name, argv in runs.items()}
    reference = statistics.median(next(iter(found.values())))
    print(f"{args.repeat} cold processes each, SQLite, the seed example")
    print(f"{'command':<48} {'median ms':>10} {'max ms':>8} {'ratio':>7}")
    for name, times in found.items():
        median = statistics.median(times)
        print(
            f"{name:<48} {median:>10.1f} {max(times):>8.1f} {median / reference:>7.1f}"
        )
    state = statistics.median(list(found.values())[-1])
    verdict = "met" if state <= GOAL_MS else "missed"
    print(
        f"goal: `ledger state` in {GOAL_MS:.0f} ms or less: {state:.0f} ms, {verdict}"
    )


if __name__ == "__main__":
    main()
