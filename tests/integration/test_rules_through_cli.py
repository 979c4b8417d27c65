"""Rules that only a pure-function test pinned down, checked where readers meet
them: `state`, `provenance` and `verify-bundle`, on both backends.

Each test was checked by planting the bug it names (see the test's docstring) and
seeing it fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger.cli.main import main
from ledger.integrity.keys import public_path
from tests.support import ExampleLedger

INCIDENT = "harbour-fire"

LINES = [
    {
        "type": "incident",
        "id": INCIDENT,
        "title": "Fire at a harbour warehouse",
        "occurred_at": "2022-03-01",
    },
    {"type": "actor", "id": "port-authority", "name": "Port Authority",
     "kind": "organisation"},
    {"type": "actor", "id": "fire-service", "name": "Fire Service",
     "kind": "organisation"},
    {"type": "claim", "id": "fire-was-arson", "incident": INCIDENT,
     "proposition": "The fire was set on purpose"},
    {"type": "claim", "id": "guard-was-present", "incident": INCIDENT,
     "proposition": "A guard was on duty"},
    # fire-was-arson: its only supporter retracts; a denial stands.
    {"type": "statement", "id": "authority-says-arson", "incident": INCIDENT,
     "speaker": "port-authority", "kind": "report", "stated_at": "2022-03-02",
     "claims": [{"claim": "fire-was-arson"}], "hedging": "probably",
     "paraphrase": "The authority said the fire was set."},
    {"type": "statement", "id": "service-denies-arson", "incident": INCIDENT,
     "speaker": "fire-service", "kind": "denial", "stated_at": "2022-03-03",
     "claims": [{"claim": "fire-was-arson"}],
     "paraphrase": "The fire service said it was an electrical fault."},
    {"type": "statement", "id": "authority-retracts", "incident": INCIDENT,
     "speaker": "port-authority", "kind": "retraction", "stated_at": "2022-03-04",
     "retracts": "authority-says-arson",
     "paraphrase": "The authority took back its report."},
    # guard-was-present: its only statement is a denial, which its speaker retracts.
    {"type": "statement", "id": "service-denies-guard", "incident": INCIDENT,
     "speaker": "fire-service", "kind": "denial", "stated_at": "2022-03-03",
     "claims": [{"claim": "guard-was-present"}], "paraphrase": "No guard was there."},
    {"type": "statement", "id": "service-retracts-guard", "incident": INCIDENT,
     "speaker": "fire-service", "kind": "retraction", "stated_at": "2022-03-05",
     "retracts": "service-denies-guard",
     "paraphrase": "The service took back what it said about the guard."},
]  # fmt: skip


def _write(path: Path, lines: list[dict]) -> Path:
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


def ok(result) -> None:
    assert result.exit_code == 0, (result.output, result.exception)
    assert "Traceback" not in result.output


@pytest.fixture
def harbour(tmp_path) -> ExampleLedger:
    ledger = ExampleLedger.new(tmp_path)
    ok(ledger.cli("init"))
    ok(ledger.cli("import", str(_write(tmp_path / "harbour.jsonl", LINES))))
    return ledger


def _status(ledger: ExampleLedger, claim: str, *options: str) -> str:
    result = ledger.cli("state", INCIDENT, "--json", *options)
    ok(result)
    claims = {c["id"]: c for c in json.loads(result.stdout)["claims"]}
    return claims[claim]["status"]


def test_a_claim_whose_supporters_all_retracted_while_a_denial_stands_is_retracted(
    harbour,
):
    """docs/decisions.md §7. Planted: `denied` checked before `retracted` in
    claim_status."""
    assert _status(harbour, "fire-was-arson") == "retracted"
    result = harbour.cli("state", INCIDENT, "--json")
    claims = {c["id"]: c for c in json.loads(result.stdout)["claims"]}
    claim = claims["fire-was-arson"]
    assert [d["statement"] for d in claim["deniers"]] == ["service-denies-arson"]


def test_a_claim_whose_only_denial_was_retracted_is_absent(harbour):
    """Planted: every retracted stance (denials too) counted as a retracted
    supporter."""
    assert _status(harbour, "guard-was-present") == "absent"


def test_a_correction_to_null_removes_the_field_from_provenance(harbour, tmp_path):
    """Planted: apply_change sets the field to None instead of removing it."""
    correction = {
        "type": "correction",
        "id": "drop-hedging",
        "statement": "authority-says-arson",
        "field": "hedging",
        "value": None,
        "reason": "The authority did not hedge.",
    }
    ok(harbour.cli("import", str(_write(tmp_path / "fix.jsonl", [correction]))))
    result = harbour.cli("provenance", "authority-says-arson", "--json")
    ok(result)
    statement = json.loads(result.stdout)["statement"]
    assert "hedging" not in statement, statement
    assert '"hedging": null' not in result.stdout
    assert statement["corrections"][-1]["after"] is None
    # and the same through `correct --value ''`
    ok(harbour.cli("correct", "service-denies-arson", "--field", "hedging",
                   "--value", "officially", "--reason", "said so"))  # fmt: skip
    ok(harbour.cli("correct", "service-denies-arson", "--field", "hedging",
                   "--value", "", "--reason", "it did not"))  # fmt: skip
    result = harbour.cli("provenance", "service-denies-arson", "--json")
    ok(result)
    assert "hedging" not in json.loads(result.stdout)["statement"]


def test_known_at_the_exact_recorded_at_of_an_event_includes_it(harbour, tmp_path):
    """ "At or before". Planted: `recorded_at < instant` in KnownAt.where."""
    late = {
        "type": "statement",
        "id": "service-confirms-arson",
        "incident": INCIDENT,
        "speaker": "fire-service",
        "kind": "report",
        "stated_at": "2022-03-09",
        "claims": [{"claim": "guard-was-present"}],
        "paraphrase": "A guard was there after all.",
    }
    ok(harbour.cli("import", str(_write(tmp_path / "late.jsonl", [late]))))
    history = harbour.cli("history", INCIDENT, "--json")
    ok(history)
    (event,) = [
        e
        for e in json.loads(history.stdout)["events"]
        if e["subject"] == "service-confirms-arson"
    ]
    instant = event["recorded_at"]
    assert _status(harbour, "guard-was-present", "--known-at", instant) == (
        "uncontested"
    )
    provenance = harbour.cli(
        "provenance", "service-confirms-arson", "--json", "--known-at", instant
    )
    ok(provenance)
    # one microsecond earlier, the statement is not known yet
    assert instant.endswith("+00:00") and "." in instant
    whole, fraction = instant[: -len("+00:00")].split(".")
    earlier = f"{whole}.{int(fraction) - 1:06d}+00:00"
    assert int(fraction) > 0, "the recorded instant fell on a whole second"
    assert _status(harbour, "guard-was-present", "--known-at", earlier) == "absent"


def test_an_audit_bundle_with_a_withdrawn_statement_verifies(harbour, tmp_path):
    """Planted: bundle verification reads a withdrawal as a grade."""
    ok(harbour.cli("withdraw", "service-denies-arson", "--reason", "wrong incident"))
    state = harbour.cli("state", INCIDENT, "--json")
    ok(state)
    claims = {c["id"]: c for c in json.loads(state.stdout)["claims"]}
    assert claims["fire-was-arson"]["deniers"] == []
    bundle = tmp_path / "harbour.bundle.json"
    ok(harbour.cli("audit-bundle", INCIDENT, "--output", str(bundle)))
    types = [e["envelope"]["type"] for e in json.loads(bundle.read_text())["events"]]
    assert "Statement.Withdrawn" in types
    result = CliRunner().invoke(
        main, ["verify-bundle", str(bundle), "--key", str(public_path(harbour.key))]
    )
    ok(result)
    assert "verifies" in result.output
