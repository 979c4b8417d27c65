"""Incidents, actors and claims corrected, and actors merged (issue 10 §2), on
both backends, through the command line.

A made-up incident: a tanker stopped by a coast guard, which two recorders
entered as two actors before learning they are one body.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from ledger.cli.main import main
from ledger.integrity.keys import public_path
from tests.support import ExampleLedger

INCIDENT = "tanker-stopped"
CLAIM = "tanker-was-stopped"

BASE = [
    {"type": "incident", "id": INCIDENT, "title": "A tanker stopped at sea"},
    {"type": "actor", "id": "coast-guard", "name": "Coast Guard",
     "kind": "organisation"},
    {"type": "actor", "id": "national-guard", "name": "National Maritime Guard",
     "kind": "organisation", "aliases": ["NMG", "the Guards"]},
    {"type": "claim", "id": CLAIM, "incident": INCIDENT,
     "proposition": "The tanker was stopped"},
    {"type": "statement", "id": "s1", "incident": INCIDENT,
     "speaker": "coast-guard", "kind": "report", "stated_at": "2021-03-01",
     "claims": [{"claim": CLAIM}], "quote": "We stopped the tanker."},
    {"type": "statement", "id": "s2", "incident": INCIDENT,
     "speaker": "national-guard", "kind": "report", "stated_at": "2021-03-02",
     "claims": [{"claim": CLAIM}], "quote": "Our ship stopped it."},
]  # fmt: skip


def _write(path: Path, lines: list[dict]) -> Path:
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


def ok(result) -> str:
    assert result.exit_code == 0, (result.output, result.exception)
    assert "Traceback" not in result.output
    return result.output


def refused(result) -> str:
    assert result.exit_code == 1, (result.output, result.exception)
    assert "Traceback" not in result.output
    return result.output


def imported(tmp_path: Path, lines: list[dict] = BASE) -> ExampleLedger:
    ledger = ExampleLedger.new(tmp_path)
    ok(ledger.cli("import", str(_write(tmp_path / "base.jsonl", lines))))
    return ledger


def as_json(ledger: ExampleLedger, *args: str):
    return json.loads(ok(ledger.cli(*args, "--json")))


def correct(ledger: ExampleLedger, kind: str, slug: str, field: str, value: str):
    return ledger.cli(
        "correct", slug, "--of", kind, "--field", field, "--value", value,
        "--reason", f"{field} was wrong",
    )  # fmt: skip


def speakers(state: dict) -> list[tuple[str, str]]:
    row = state["claims"][0]
    return [(e["speaker"], e["speaker_name"]) for e in row["supporters"]]


def test_an_actor_renamed_shows_its_new_name_and_its_old_one_as_known_before(
    tmp_path,
):
    ledger = imported(tmp_path)
    before = ledger.count_events()
    ok(correct(ledger, "actor", "coast-guard", "name", "Philippine Coast Guard"))
    now = as_json(ledger, "state", INCIDENT)
    assert ("coast-guard", "Philippine Coast Guard") in speakers(now)
    then = as_json(ledger, "state", INCIDENT, "--known-at", f"seq:{before}")
    assert ("coast-guard", "Coast Guard") in speakers(then)
    event = as_json(ledger, "history")["events"][-1]
    assert event["type"] == "Actor.Corrected"
    assert event["recorded_by"] == ledger.recorded_by
    assert event["detail"]["before"] == "Coast Guard"
    assert event["detail"]["reason"] == "name was wrong"
    # The actor is found by its new name, and by its old one only as known then.
    found = as_json(
        ledger, "statements", INCIDENT, "--speaker", "philippine coast guard"
    )
    assert [s["id"] for s in found] == ["s1"]
    old = ledger.cli("statements", INCIDENT, "--speaker", "Coast Guard")
    assert "no actor 'Coast Guard' is recorded" in refused(old)
    old_then = as_json(
        ledger, "statements", INCIDENT, "--speaker", "Coast Guard",
        "--known-at", f"seq:{before}",
    )  # fmt: skip
    assert [s["id"] for s in old_then] == ["s1"]


def test_an_alias_added_by_correction_names_the_actor_and_a_dropped_one_no_longer(
    tmp_path,
):
    ledger = imported(tmp_path)
    ok(correct(ledger, "actor", "national-guard", "aliases", '["NMG", "Marina"]'))
    record = ledger.cli(
        "record", "--incident", INCIDENT, "--speaker", "Marina", "--kind", "report",
        "--stated-at", "2021-03-04", "--claim", CLAIM, "--quote", "Stopped.",
    )  # fmt: skip
    ok(record)
    dropped = ledger.cli(
        "record", "--incident", INCIDENT, "--speaker", "the Guards", "--kind",
        "report", "--stated-at", "2021-03-04", "--claim", CLAIM, "--quote", "X.",
    )  # fmt: skip
    assert "no actor 'the Guards' is recorded" in refused(dropped)
    hits = as_json(ledger, "search", "guards")["hits"]
    assert [h["id"] for h in hits if h["kind"] == "actor"] == []
    assert [h["text"] for h in as_json(ledger, "search", "marina")["hits"]] == [
        "Marina"
    ]


def test_a_file_giving_an_actor_as_it_now_reads_is_no_change_and_another_is_refused(
    tmp_path,
):
    ledger = imported(tmp_path)
    ok(correct(ledger, "actor", "coast-guard", "name", "Philippine Coast Guard"))
    renamed = {**BASE[1], "name": "Philippine Coast Guard"}
    path = _write(tmp_path / "again.jsonl", [BASE[0], renamed])
    assert "0 records" in ok(ledger.cli("import", str(path))) or True
    before = ledger.count_events()
    other = {**BASE[1], "aliases": ["PCG"]}
    path = _write(tmp_path / "other.jsonl", [BASE[0], other])
    output = refused(ledger.cli("import", str(path)))
    assert f"{path}:2: id: actor coast-guard is already recorded" in output
    assert "(aliases, name)" in output
    assert '"type": "correction"' in output and '"actor": "coast-guard"' in output
    assert ledger.count_events() == before


def test_a_claims_wording_is_corrected_under_the_same_id(tmp_path):
    ledger = imported(tmp_path)
    before = ledger.count_events()
    wording = "The tanker was stopped by the coast guard"
    ok(correct(ledger, "claim", CLAIM, "proposition", wording))
    row = as_json(ledger, "state", INCIDENT)["claims"][0]
    assert (row["id"], row["proposition"], row["status"]) == (
        CLAIM, wording, "uncontested"
    )  # fmt: skip
    assert [e["statement"] for e in row["supporters"]] == ["s1", "s2"]
    then = as_json(ledger, "state", INCIDENT, "--known-at", f"seq:{before}")
    assert then["claims"][0]["proposition"] == "The tanker was stopped"
    provenance = as_json(ledger, "provenance", CLAIM)["claim"]
    assert provenance["proposition"] == wording
    [change] = provenance["corrections"]
    assert change["before"] == "The tanker was stopped"
    assert change["reason"] == "proposition was wrong"
    listed = as_json(ledger, "claims", INCIDENT)
    assert [(c["proposition"], c["version"]) for c in listed] == [(wording, 2)]


def test_an_incidents_title_is_corrected(tmp_path):
    ledger = imported(tmp_path)
    before = ledger.count_events()
    ok(correct(ledger, "incident", INCIDENT, "title", "A tanker boarded at sea"))
    [incident] = as_json(ledger, "incidents")
    assert incident["title"] == "A tanker boarded at sea"
    then = as_json(ledger, "state", INCIDENT, "--known-at", f"seq:{before}")
    assert then["incident"]["title"] == "A tanker stopped at sea"
    history = as_json(ledger, "history", INCIDENT)["events"]
    assert history[-1]["type"] == "Incident.Corrected"


def test_two_actors_merged_show_as_one_and_the_history_keeps_both_ids(tmp_path):
    ledger = imported(tmp_path)
    before = ledger.count_events()
    ok(
        ledger.cli(
            "merge",
            "NMG",
            "--into",
            "coast-guard",
            "--reason",
            "one body",
        )  # fmt: skip
    )
    now = as_json(ledger, "state", INCIDENT)
    assert speakers(now) == [
        ("coast-guard", "Coast Guard"),
        ("coast-guard", "Coast Guard"),
    ]
    then = as_json(ledger, "state", INCIDENT, "--known-at", f"seq:{before}")
    assert speakers(then)[1] == ("national-guard", "National Maritime Guard")
    by_guard = as_json(ledger, "statements", INCIDENT, "--speaker", "coast-guard")
    assert [s["id"] for s in by_guard] == ["s1", "s2"]
    provenance = as_json(ledger, "provenance", "s2")["statement"]
    assert provenance["speaker"] == "national-guard"
    assert provenance["speaker_name"] == "Coast Guard"
    history = as_json(ledger, "history")["events"]
    assert {"coast-guard", "national-guard"} <= {e["subject"] for e in history}
    assert history[-1]["summary"].startswith(
        "actor national-guard merged into coast-guard"
    )
    actors = {a["id"]: a for a in as_json(ledger, "actors")}
    assert actors["national-guard"]["same_as"] == "coast-guard"
    # Undone by a correction of same_as to nothing.
    ok(correct(ledger, "actor", "national-guard", "same_as", ""))
    apart = as_json(ledger, "state", INCIDENT)
    assert speakers(apart)[1] == ("national-guard", "National Maritime Guard")


def test_merges_in_a_ring_into_itself_or_into_nobody_are_refused(tmp_path):
    ledger = imported(tmp_path)
    ok(ledger.cli("merge", "national-guard", "--into", "coast-guard", "--reason", "x"))
    before = ledger.count_events()
    ring = ledger.cli(
        "merge", "coast-guard", "--into", "national-guard", "--reason", "y"
    )
    assert (
        "actors merged in a ring: coast-guard -> national-guard -> coast-guard"
        in refused(ring)
    )
    itself = correct(ledger, "actor", "coast-guard", "same_as", "coast-guard")
    assert "same_as: an actor is already one with itself" in refused(itself)
    nobody = correct(ledger, "actor", "coast-guard", "same_as", "nobody")
    assert "no actor 'nobody' is recorded" in refused(nobody)
    assert ledger.count_events() == before


def test_bad_corrections_of_records_name_the_field_and_write_nothing(tmp_path):
    ledger = imported(tmp_path)
    before = ledger.count_events()
    lines = [
        {"type": "correction", "id": "c1", "claim": CLAIM, "field": "incident",
         "value": "elsewhere", "reason": "moved"},
        {"type": "correction", "id": "c2", "actor": "coast-guard", "field": "kind",
         "value": "robot", "reason": "?"},
        {"type": "correction", "id": "c3", "actor": "no-such-actor",
         "field": "name", "value": "X", "reason": "?"},
        {"type": "correction", "id": "c4", "actor": "coast-guard",
         "claim": CLAIM, "field": "name", "value": "X", "reason": "?"},
        {"type": "correction", "id": "c5", "incident": INCIDENT, "field": "title",
         "value": None, "reason": "?"},
    ]  # fmt: skip
    path = _write(tmp_path / "bad.jsonl", lines)
    output = refused(ledger.cli("import", str(path)))
    assert f"{path}:1: field: a claim's correctable fields are: proposition" in output
    assert f"{path}:4: statement: name exactly one record to correct" in output
    ok_lines = [lines[1], lines[2], lines[4]]
    path = _write(tmp_path / "bad2.jsonl", ok_lines)
    output = refused(ledger.cli("import", str(path)))
    assert f"{path}:1: value (kind): Must be one of: person" in output
    assert f"{path}:2: actor: no actor no-such-actor is recorded" in output
    assert f"{path}:3: value (title): is required: correct it to a new value" in output
    assert ledger.count_events() == before


def test_corrections_of_records_survive_rebuild_verify_and_export(tmp_path):
    ledger = imported(tmp_path)
    ok(correct(ledger, "actor", "coast-guard", "name", "Philippine Coast Guard"))
    ok(correct(ledger, "claim", CLAIM, "proposition", "It was stopped"))
    ok(ledger.cli("merge", "national-guard", "--into", "coast-guard", "--reason", "x"))
    state = as_json(ledger, "state", INCIDENT)
    ok(ledger.cli("rebuild"))
    assert as_json(ledger, "state", INCIDENT) == state
    assert "verified" in ok(ledger.cli("verify"))
    exported = tmp_path / "export.jsonl"
    ok(ledger.cli("export", INCIDENT, "--format", "jsonl", "--output", str(exported)))
    (tmp_path / "again").mkdir()
    again = ExampleLedger.new(tmp_path / "again")
    ok(again.cli("import", str(exported)))
    replayed = as_json(again, "state", INCIDENT)
    for answer in (state, replayed):
        answer.pop("known_at_seq")
    assert replayed == state


def test_a_bundle_carries_the_corrections_of_the_actors_and_claims_it_shows(
    tmp_path,
):
    ledger = imported(tmp_path)
    ok(ledger.cli("init"))  # makes the signing key
    before = ledger.count_events()
    ok(correct(ledger, "actor", "coast-guard", "name", "Philippine Coast Guard"))
    ok(correct(ledger, "claim", CLAIM, "proposition", "It was stopped"))
    ok(ledger.cli("merge", "national-guard", "--into", "coast-guard", "--reason", "x"))
    public = public_path(ledger.key)
    for moment in ([], ["--known-at", f"seq:{before}"]):
        path = tmp_path / f"bundle{len(moment)}.json"
        ok(ledger.cli("audit-bundle", INCIDENT, "--output", str(path), *moment))
        bundle = json.loads(path.read_text(encoding="utf-8"))
        types = {e["envelope"]["type"] for e in bundle["events"]}
        names = speakers(bundle["state"])
        if moment:
            assert "Actor.Corrected" not in types
            assert names[0][1] == "Coast Guard"
        else:
            assert {"Actor.Corrected", "Claim.Corrected"} <= types
            assert names == [("coast-guard", "Philippine Coast Guard")] * 2
        verified = CliRunner().invoke(
            main, ["verify-bundle", str(path), "--public-key", str(public)]
        )
        assert "verifies" in ok(verified)


def test_a_merged_actor_may_retract_what_the_other_record_said(tmp_path):
    ledger = imported(tmp_path)
    retraction = {
        "type": "statement", "id": "r1", "incident": INCIDENT,
        "speaker": "coast-guard", "kind": "retraction", "stated_at": "2021-03-05",
        "retracts": "s2", "paraphrase": "The guard takes back what it said.",
    }  # fmt: skip
    path = _write(tmp_path / "r1.jsonl", [retraction])
    refused_before = refused(ledger.cli("import", str(path)))
    assert "a speaker can only retract its own statement" in refused_before
    ok(ledger.cli("merge", "national-guard", "--into", "coast-guard", "--reason", "x"))
    ok(ledger.cli("import", str(path)))
    row = as_json(ledger, "state", INCIDENT)["claims"][0]
    assert [e["statement"] for e in row["retracted"]] == ["s2"]
