"""One service shared by the threads of a process, as a server shares it."""

from __future__ import annotations

import threading
from collections import Counter

from ledger.application.service import LedgerService
from tests.support import ExampleLedger

INCIDENT = "tanker-seizure"
WRITERS, EACH, READERS = 6, 15, 3


def _statement(writer: int, n: int) -> dict:
    return {
        "id": f"w{writer}-s{n}",
        "incident": INCIDENT,
        "speaker": "Meridian" if n % 2 else "coastal-state",
        "kind": "report",
        "stated_at": "2021-05-04",
        "claims": [{"claim": "tanker-was-seized"}],
        "paraphrase": f"report {n} of writer {writer}",
    }


def test_concurrent_writes_and_reads_on_one_shared_service(tmp_path):
    seized = ExampleLedger.new(tmp_path).holding("fictional-seizure")
    service = LedgerService.open(seized.url)
    start = service.position()
    errors: list[BaseException] = []
    reads: list[tuple[int, dict, dict]] = []
    writing = threading.Event()
    writing.set()

    def writer(w: int) -> None:
        try:
            for n in range(EACH):
                service.record_statement(_statement(w, n), f"writer-{w}")
                if n % 5 == 4:
                    service.grade(f"w{w}-s{n}", f"writer-{w}", credibility=2)
        except BaseException as error:  # reported below, with the thread's name
            errors.append(error)

    def reader() -> None:
        try:
            last = 0
            while writing.is_set():
                state = service.state(INCIDENT)
                history = service.history(INCIDENT, limit=10_000)
                assert state["known_at_seq"] >= last
                last = state["known_at_seq"]
                reads.append((last, state, history))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    readers = [threading.Thread(target=reader) for _ in range(READERS)]
    for thread in [*threads, *readers]:
        thread.start()
    for thread in threads:
        thread.join()
    writing.clear()
    for thread in readers:
        thread.join()
    try:
        assert errors == []
        assert reads, "the readers answered nothing"
        ids = Counter(s["id"] for s in service.statements(incident=INCIDENT))
        wanted = {f"w{w}-s{n}" for w in range(WRITERS) for n in range(EACH)}
        assert wanted <= set(ids) and max(ids.values()) == 1
        events = service.history(INCIDENT, event_type="Statement")["events"]
        subjects = Counter(
            e["subject"] for e in events if e["type"] == "Statement.Recorded"
        )
        assert all(subjects[slug] == 1 for slug in wanted)
        graded = [e for e in events if e["type"] == "Statement.Graded"]
        assert len(graded) == WRITERS * (EACH // 5)
        assert service.position() == start + WRITERS * (EACH + EACH // 5)
        # every read was one consistent moment: asked again at its position,
        # the ledger gives the same answer
        for seq, state, history in reads[:: max(1, len(reads) // 20)]:
            assert service.state(INCIDENT, known_at=f"seq:{seq}") == state
            at = f"seq:{history['known_at_seq']}"
            again = service.history(INCIDENT, known_at=at, limit=10_000)
            assert again == history
        assert service.verify().ok
    finally:
        service.close()
