"""The command line as a thin door onto the service: history paging, the
operator's catch-up before reading, and errors translated in one place."""

from __future__ import annotations

import pytest

from ledger.bootstrap import Ledger
from tests.support import ExampleLedger, json_of, records_of

INCIDENT = "tanker-seizure"


@pytest.fixture
def seized(tmp_path) -> ExampleLedger:
    return ExampleLedger.new(tmp_path).holding("fictional-seizure")


def _json(ledger: ExampleLedger, *args: str):
    result = ledger.cli(*args, "--json")
    assert result.exit_code == 0, result.output
    return json_of(result)


def test_history_filters_and_pages(seized):
    seized.cli("grade", "coastalia-denies", "--credibility", "4", "--recorded-by", "x")
    graded = _json(seized, "history", "--type", "Statement.Graded")["events"]
    assert [e["recorded_by"] for e in graded] == ["x"]
    assert _json(seized, "history", "--by", "x")["events"] == graded
    first = _json(seized, "history", INCIDENT, "--limit", "3")
    assert len(first["events"]) == 3
    after = str(first["next_after_seq"])
    second = _json(seized, "history", INCIDENT, "--after-seq", after, "--limit", "3")
    assert second["events"][0]["seq"] > first["events"][-1]["seq"]
    whole = _json(seized, "history", INCIDENT)
    assert whole["next_after_seq"] is None
    assert whole["events"][:6] == first["events"] + second["events"]


def test_reads_say_their_sequence_number_and_the_cli_catches_up(seized):
    assert _json(seized, "state", INCIDENT)["known_at_seq"] == seized.events_before
    # a writer that stopped after saving, before projecting
    with Ledger(seized.url) as ledger:
        late = {**records_of("fictional-seizure")[-1][1], "id": "late-report"}
        ledger.app.write([(None, late)], "crashed")
        assert ledger.pending() == 1
    state = _json(seized, "state", INCIDENT)
    assert state["known_at_seq"] == seized.events_before + 1
    provenance = _json(seized, "provenance", "late-report")
    assert provenance["known_at_seq"] == seized.events_before + 1
    assert provenance["statement"]["version"] == 1


def test_a_conflicting_record_is_one_line_naming_it(seized):
    args = ["record", "--id", "r1", "--incident", INCIDENT, "--speaker", "Meridian"]
    args += ["--kind", "report", "--stated-at", "2021-05-04", "--claim"]
    args += ["tanker-was-seized", "--quote", "A"]
    assert seized.cli(*args).exit_code == 0
    again = seized.cli(*args)
    assert again.exit_code == 0 and "already recorded" in again.output
    other = seized.cli(*args[:-1], "B")
    assert other.exit_code == 1
    assert other.output.strip().splitlines() == [
        "error: id: statement r1 is already recorded with different content "
        "(quote); to change it, record a correction with a reason, as "
        '{"type": "correction", "id": "…", "statement": "r1", "field": "quote", '
        '"value": "B", "reason": "…"}'
    ]


def test_not_found_names_a_moment_only_when_one_was_asked(seized):
    plain = seized.cli("state", "no-such-incident")
    assert plain.exit_code == 1
    assert plain.output.strip() == "error: no incident no-such-incident is recorded"
    asked = seized.cli("state", "no-such-incident", "--known-at", "seq:3")
    assert asked.output.strip().endswith("is recorded at sequence 3")
