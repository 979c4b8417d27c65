"""Honest status while statements are undetermined (issue 10 §4), on both backends.

As of 2019-12-10 the seed's December statements are known only to the month:
the claims they bear on are `undetermined`, with their status if none of them
stands yet and if all of them do, in `state --json`, the counts, the human
output, the API, the board and an audit bundle.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from ledger.cli.main import main
from ledger.integrity.keys import public_path
from tests.support import ExampleLedger, incident_of

pytestmark = pytest.mark.seed

SEED = incident_of("libya-drone")
SHOT_DOWN = "drone-shot-down-by-air-defenses"


def ok(result):
    assert result.exit_code == 0, (result.output, result.exception)
    return result


@pytest.fixture
def seed(tmp_path) -> ExampleLedger:
    ledger = ExampleLedger.new(tmp_path).holding("libya-drone")
    ok(ledger.cli("init"))  # the signing key, for the bundle
    return ledger


def test_the_eight_claims_awaiting_december_are_undetermined(seed):
    state = json.loads(
        ok(seed.cli("state", SEED, "--as-of", "2019-12-10", "--json")).output
    )
    pending = {c["id"]: c["pending"] for c in state["claims"] if "pending" in c}
    assert len(pending) == 8
    assert all(p["if_none"] == "absent" for p in pending.values())
    assert {c["status"] for c in state["claims"] if c["id"] in pending} == {
        "undetermined"
    }
    shot = pending[SHOT_DOWN]
    assert shot["if_all"] == "uncontested"
    assert shot["statements"] and set(shot["statements"]) <= {
        e["statement"] for e in state["undetermined"]
    }
    assert state["counts"]["claims"] == {"uncontested": 2, "undetermined": 8}
    # Before December and after it, every status is plain.
    for as_of in ("2019-11-30", "2019-12-31"):
        plain = json.loads(
            ok(seed.cli("state", SEED, "--as-of", as_of, "--json")).output
        )
        assert "undetermined" not in plain["counts"]["claims"]
        assert not any("pending" in c for c in plain["claims"])


def test_the_human_state_shows_both_ends(seed):
    output = ok(seed.cli("state", SEED, "--as-of", "2019-12-10")).output
    assert "undetermined" in output and "absent -> uncontested" in " ".join(
        output.split()
    ).replace("│", "")


def test_an_audit_bundle_as_of_an_undetermined_date_verifies(seed, tmp_path):
    bundle = tmp_path / "seed.bundle.json"
    ok(seed.cli("audit-bundle", SEED, "--as-of", "2019-12-10", "--output", str(bundle)))
    kept = json.loads(bundle.read_text())["state"]
    assert kept["counts"]["claims"]["undetermined"] == 8
    result = CliRunner().invoke(
        main, ["verify-bundle", str(bundle), "--key", str(public_path(seed.key))]
    )
    ok(result)
    assert "verifies" in result.output
