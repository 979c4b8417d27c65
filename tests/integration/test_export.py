"""``ledger export --format jsonl``: import lines that rebuild the same ledger.

Export, import into an empty ledger: every state, history summary, provenance
and record fingerprint is the same, corrections, withdrawals and grades
included (see export_support.snapshot for what is compared).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ledger.schemas.lines import parse_line
from tests.integration.export_support import snapshot
from tests.support import ExampleLedger, incident_of, records_of

SEED = "libya-drone"


def _changed(ledger: ExampleLedger) -> ExampleLedger:
    """The seed, with a correction of each shape, a withdrawal and grades, each
    recorded by a later command than the statement it changes."""
    steps = [
        ("correct", "karns-assessment-contractors-or-lna", "--field", "stated_at",
         "--value", "2019-12-02", "--reason", "A wire report dates it."),
        ("correct", "africom-demands-wreckage", "--field", "provenance",
         "--value", '[{"agent": "reuters", "relation": "told"}]',
         "--reason", "Reuters carried it first."),
        ("correct", "officials-report-drone-missing", "--field", "note",
         "--value", "", "--reason", "The note said too much."),
        ("grade", "officials-report-drone-missing", "--reliability", "B",
         "--credibility", "2", "--reason", "Two sources."),
        ("grade", "officials-report-drone-missing", "--credibility", "3"),
        ("withdraw", "us-military-september-airstrikes", "--reason", "Context only."),
        ("correct", "russia", "--of", "actor", "--field", "aliases", "--value",
         '["Moscow"]', "--reason", "One alias was a paraphrase."),
        ("correct", "drone-shot-down-by-air-defenses", "--of", "claim", "--field",
         "proposition", "--value", "Air defences shot the drone down",
         "--reason", "Wording."),
        ("correct", incident_of(SEED), "--of", "incident", "--field", "place",
         "--value", "Tripoli", "--reason", "Shorter."),
        ("merge", "us-military", "--into", "africom", "--reason", "Test only."),
    ]  # fmt: skip
    for step in steps:
        result = ledger.cli(*step)
        assert result.exit_code == 0, result.output
    return ledger


def _new(tmp_path: Path, name: str) -> ExampleLedger:
    directory = tmp_path / name
    directory.mkdir()
    return ExampleLedger.new(directory)


def test_export_and_import_rebuild_the_same_ledger(tmp_path: Path) -> None:
    original = _changed(_new(tmp_path, "original").holding(SEED))
    out = tmp_path / "ledger.jsonl"
    exported = original.cli("export", "--output", str(out))
    assert exported.exit_code == 0, exported.output
    copy = _new(tmp_path, "copy")
    imported = copy.cli("import", str(out))
    assert imported.exit_code == 0, imported.output
    before, after = snapshot(original.url), snapshot(copy.url)
    assert after == before
    # Not vacuous: the changes are in what was compared.
    summaries = after["summaries"]
    assert any("withdrawn" in s for s in summaries["us-military-september-airstrikes"])
    assert len(summaries["officials-report-drone-missing"]) == 4
    assert after["changes"]["officials-report-drone-missing"]
    assert after["records"]["actor"]["us-military"][0]["same_as"] == "africom"
    assert after["records"]["actor"]["russia"][0]["aliases"] == ["Moscow"]


def test_export_again_gives_the_same_lines(tmp_path: Path) -> None:
    original = _changed(_new(tmp_path, "original").holding(SEED))
    first = original.cli("export")
    copy = _new(tmp_path, "copy")
    assert copy.cli("import", "-", input=first.output).exit_code == 0
    second = copy.cli("export")
    # The same records; a statement's changes follow it in one import.
    assert sorted(second.output.splitlines()) == sorted(first.output.splitlines())


def test_incident_export_carries_the_actors_it_names(tmp_path: Path) -> None:
    original = _changed(_new(tmp_path, "original").holding(SEED))
    original.holding("fictional-seizure")
    incident = incident_of(SEED)
    exported = original.cli("export", incident)
    assert exported.exit_code == 0, exported.output
    lines = [
        parse_line(text, n) for n, text in enumerate(exported.output.splitlines(), 1)
    ]
    assert {r["incident"] for r in lines if "incident" in r} == {incident}
    copy = _new(tmp_path, "copy")
    assert copy.cli("import", "-", input=exported.output).exit_code == 0
    before, after = snapshot(original.url, [incident]), snapshot(copy.url, [incident])
    actors_before = before["fingerprints"].pop("actor")
    actors_after = after["fingerprints"].pop("actor")
    profiles_before = before["records"].pop("actor")
    profiles_after = after["records"].pop("actor")
    listed_before = before["records"].pop("actors")
    listed_after = after["records"].pop("actors")
    assert after == before
    assert actors_after.items() <= actors_before.items()
    assert profiles_after.items() <= profiles_before.items()
    assert all(a in listed_before for a in listed_after)
    # The merged actor came with the actor it was merged into, corrections kept.
    assert profiles_after["us-military"][0]["same_as"] == "africom"
    other = incident_of("fictional-seizure")
    assert copy.cli("state", other).exit_code == 1


def test_every_line_is_an_import_line(tmp_path: Path) -> None:
    original = _changed(_new(tmp_path, "original").holding(SEED))
    exported = original.cli("export")
    types = [json.loads(line)["type"] for line in exported.output.splitlines()]
    assert {"incident", "actor", "claim", "statement"} <= set(types)
    assert {"correction", "withdrawal", "grade"} <= set(types)


def test_unknown_incident_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    ledger = _new(tmp_path, "one").holding(SEED)
    out = tmp_path / "out.jsonl"
    result = ledger.cli("export", "no-such-incident", "--output", str(out))
    assert result.exit_code == 1
    assert result.output.strip() == "error: no incident no-such-incident is recorded"
    assert not out.exists()


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    ledger = _new(tmp_path, "one").holding(SEED)
    out = tmp_path / "out.xml"
    result = ledger.cli("export", "--format", "xml", "--output", str(out))
    assert result.exit_code == 2
    assert "'xml' is not one of" in result.output
    assert not out.exists()


def test_an_existing_output_needs_force(tmp_path: Path) -> None:
    ledger = _new(tmp_path, "one").holding(SEED)
    out = tmp_path / "out.jsonl"
    out.write_text("keep me\n")
    refused = ledger.cli("export", "--output", str(out))
    assert refused.exit_code == 1
    assert "give --force" in refused.output
    assert out.read_text() == "keep me\n"
    forced = ledger.cli("export", "--output", str(out), "--force")
    assert forced.exit_code == 0, forced.output
    assert out.read_text().startswith('{"type": "incident"')


@pytest.mark.sqlite_only
def test_the_database_itself_is_never_written(tmp_path: Path) -> None:
    ledger = _new(tmp_path, "one").holding(SEED)
    result = ledger.cli("export", "--output", str(ledger.path), "--force")
    assert result.exit_code == 1
    assert "one of the ledger's own files" in result.output


def test_known_at_exports_what_the_ledger_held_then(tmp_path: Path) -> None:
    original = _new(tmp_path, "original").holding(SEED)
    before_changes = f"seq:{original.events_before}"
    _changed(original)
    exported = original.cli("export", "--known-at", before_changes)
    assert exported.exit_code == 0, exported.output
    types = {json.loads(line)["type"] for line in exported.output.splitlines()}
    assert not types & {"correction", "withdrawal", "grade"}
    copy = _new(tmp_path, "copy")
    assert copy.cli("import", "-", input=exported.output).exit_code == 0
    incident = incident_of(SEED)
    then = original.cli("state", incident, "--known-at", before_changes, "--json")
    now = copy.cli("state", incident, "--json")
    assert json.loads(now.output)["claims"] == json.loads(then.output)["claims"]


def test_importing_the_export_into_its_own_ledger_records_nothing(
    tmp_path: Path,
) -> None:
    original = _changed(_new(tmp_path, "original").holding(SEED))
    events = original.count_events()
    exported = original.cli("export")
    again = original.cli("import", "-", "--json", input=exported.output)
    assert again.exit_code == 0, again.output
    assert json.loads(again.output)["recorded"] == 0
    assert original.count_events() == events


def test_a_correction_given_in_another_form_keeps_its_fingerprint(
    tmp_path: Path,
) -> None:
    original = _new(tmp_path, "original").holding(SEED)
    statement = "officials-report-drone-missing"
    ((_, recorded),) = records_of(SEED, ids=[statement])
    others = [r["id"] for _, r in records_of(SEED, types=("claim",))]
    claims = [c["claim"] for c in recorded["claims"]]
    claims += [next(c for c in others if c not in claims)]
    raw = {
        "type": "correction", "id": "cx-raw", "statement": statement,
        "field": "claims", "value": [{"claim": c} for c in claims],
        "reason": "Stances left to the kind's default.",
    }  # fmt: skip
    assert original.cli("import", "-", input=json.dumps(raw)).exit_code == 0
    exported = original.cli("export")
    written = next(
        json.loads(line) for line in exported.output.splitlines() if "cx-raw" in line
    )
    assert written["value"] == [{"claim": c, "stance": "supports"} for c in claims]
    copy = _new(tmp_path, "copy")
    assert copy.cli("import", "-", input=exported.output).exit_code == 0
    assert snapshot(copy.url) == snapshot(original.url)
    for ledger, lines in ((original, exported.output), (copy, json.dumps(raw))):
        again = ledger.cli("import", "-", "--json", input=lines)
        assert again.exit_code == 0, again.output
        assert json.loads(again.output)["recorded"] == 0
