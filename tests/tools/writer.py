"""One writer of the concurrency tests, run in its own process.

    python -m tests.tools.writer URL WRITER COUNT SHARED OWN READY START

Opens the ledger, touches READY, waits until START exists, then records COUNT
statements one write each (like ``ledger record``), alternating between the
SHARED incident (even k) and the writer's OWN incident (odd k). Prints one JSON
object: the statement ids acknowledged in the order they were recorded, the
errors that surfaced, and how often the application retried internally.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from eventsourcing.persistence import IntegrityError

from ledger.bootstrap import Ledger
from ledger.schemas.lines import parse_line

SPEAKERS = ("harbour-authority", "ferry-operator", "coast-guard")


def statement_id(writer: int, k: int) -> str:
    """The id of writer ``writer``'s ``k``-th statement."""
    return f"w{writer:02d}-st-{k:05d}"


def incident_of(k: int, shared: str, own: str) -> str:
    """Even statements go to the shared incident, odd ones to the writer's own."""
    return shared if k % 2 == 0 else own


def claim_of(incident: str) -> str:
    """The one claim every test incident has."""
    return f"{incident}-ran-aground"


def statement(writer: int, k: int, shared: str, own: str) -> dict[str, Any]:
    """A made-up statement, as `ledger record` would validate it."""
    incident = incident_of(k, shared, own)
    data = {
        "type": "statement",
        "id": statement_id(writer, k),
        "incident": incident,
        "speaker": SPEAKERS[(writer + k) % len(SPEAKERS)],
        "kind": "report",
        "stated_at": f"2022-03-{1 + k % 28:02d}",
        "claims": [{"claim": claim_of(incident)}],
        "quote": f"Writer {writer}, statement {k}: the ferry ran aground.",
    }
    return parse_line(json.dumps(data), k + 1)


def run(
    url: str, writer: int, count: int, shared: str, own: str, ready: Path, start: Path
) -> dict[str, Any]:
    """Record ``count`` statements once ``start`` exists; what happened."""
    counts = {"integrity_retries": 0, "projection_races": 0}
    acknowledged: list[str] = []
    errors: list[str] = []
    records = [statement(writer, k, shared, own) for k in range(count)]
    with Ledger(url) as ledger:
        app_write = ledger.app.write
        project_batch = ledger._project_batch

        def counting_write(*args: Any, **kwargs: Any) -> Any:
            try:
                return app_write(*args, **kwargs)
            except IntegrityError:
                counts["integrity_retries"] += 1
                raise

        def counting_batch(*args: Any, **kwargs: Any) -> bool:
            done = project_batch(*args, **kwargs)
            if not done:
                counts["projection_races"] += 1
            return done

        ledger.app.write = counting_write  # type: ignore[method-assign]
        ledger._project_batch = counting_batch  # type: ignore[method-assign]
        ready.touch()
        while not start.exists():
            time.sleep(0.002)
        began = time.time()
        for record in records:
            try:
                ledger.write([(None, record)], f"writer-{writer:02d}")
            except Exception as error:  # reported to the test, which fails on it
                errors.append(f"{record['id']}: {type(error).__name__}: {error}")
                if len(errors) >= 20:
                    break
                continue
            acknowledged.append(record["id"])
        ended = time.time()
    return {
        "writer": writer,
        "acknowledged": acknowledged,
        "errors": errors,
        "began": began,
        "ended": ended,
        **counts,
    }


def main(argv: list[str]) -> int:
    url, writer, count, shared, own, ready, start = argv
    result = run(url, int(writer), int(count), shared, own, Path(ready), Path(start))
    print(json.dumps(result))
    return 0 if not result["errors"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
