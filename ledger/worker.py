"""The projection worker: keeps the read models current as events are stored.

On PostgreSQL it sleeps until the event store's notification (LISTEN on the
channel the library NOTIFYs on every insert), with a timeout in case one is
missed; on SQLite, which cannot notify, it polls. Every batch is projected with
its tracking position in one transaction, so a worker killed at any moment
resumes exactly where the read models stand: nothing twice, nothing skipped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from ledger.bootstrap import Ledger
from ledger.persistence import backend

CHANNEL = "stored_events"


class _Poll:
    """SQLite: wake up every ``interval`` seconds."""

    def __init__(self, interval: float):
        self.interval = interval

    def wait(self, stop: threading.Event) -> None:
        stop.wait(self.interval)

    def close(self) -> None:
        """Nothing to release."""


class _Listen:
    """PostgreSQL: wake up on the event store's NOTIFY, or after ``interval``."""

    def __init__(self, url: str, interval: float):
        import psycopg

        from ledger.persistence_pg import postgres_conninfo

        self.interval = interval
        self.conn = psycopg.connect(postgres_conninfo(url), autocommit=True)
        self.conn.execute(f"LISTEN {CHANNEL}")

    def wait(self, stop: threading.Event) -> None:
        for _ in self.conn.notifies(timeout=self.interval, stop_after=1):
            break

    def close(self) -> None:
        """Stop listening."""
        self.conn.close()


def follow(
    ledger: Ledger,
    stop: threading.Event,
    interval: float = 1.0,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Project every new event until ``stop`` is set; returns events projected."""
    postgres = backend(ledger.url) == "postgresql"
    waiter = _Listen(ledger.url, interval) if postgres else _Poll(interval)
    total = 0
    try:
        while not stop.is_set():
            done = ledger.project(stop=stop.is_set)
            total += done
            if done and on_batch:
                on_batch(done)
            if not done:
                waiter.wait(stop)
    finally:
        waiter.close()
    return total
