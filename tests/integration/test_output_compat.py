"""`--json` answers only grow: what they said before the service layer, they say.

tests/data/outputs-v0/ holds the answers today's commands gave before the
output schemas got real fields, on the seed example with a correction, a
withdrawal and a grade (see tests/unit/test_bundle_fixtures.py). The same
ledger is built again; every key and value of the old answers must be in the
new ones, in the same order. Only the moment-bound values differ (when each
event was recorded, and the hashes that cover that) and ``known_at_seq``,
which now says which sequence number an answer reflects instead of null.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support import ROOT, ExampleLedger, json_of

OLD = Path(__file__).resolve().parent.parent / "data" / "outputs-v0"
INCIDENT = "libya-drone-2019-11-21"
MOMENT_BOUND = {"recorded_at", "hash"}


def _contains(old: Any, new: Any, path: str = "") -> None:
    if isinstance(old, dict):
        assert isinstance(new, dict), path
        assert [k for k in new if k in old] == list(old), f"key order at {path}"
        for key, value in old.items():
            if key in MOMENT_BOUND:
                continue
            if key == "known_at_seq" and value is None:
                assert isinstance(new[key], int), f"{path}.{key}"
                continue
            _contains(value, new[key], f"{path}.{key}")
    elif isinstance(old, list):
        assert isinstance(new, list) and len(new) == len(old), path
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            _contains(a, b, f"{path}.{i}")
    else:
        assert new == old, path


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory) -> ExampleLedger:
    ledger = ExampleLedger.new(tmp_path_factory.mktemp("compat"))
    ledger.recorded_by = "fixture"
    steps = [
        ("import", str(ROOT / "examples" / "libya-drone.jsonl")),
        (
            "correct",
            "townsend-not-buying-it",
            "--field",
            "hedging",
            "--value",
            "is not convinced",
            "--reason",
            "misheard",
            "--id",
            "cx-fixture",
        ),
        (
            "withdraw",
            "reuters-africom-gave-no-reason",
            "--reason",
            "entered in error",
            "--id",
            "wd-fixture",
        ),
        (
            "grade",
            "townsend-believes-russian-air-defenses-fired",
            "--reliability",
            "B",
            "--credibility",
            "3",
            "--reason",
            "fixture",
            "--id",
            "gr-fixture",
        ),
    ]
    for step in steps:
        assert ledger.cli(*step).exit_code == 0, step
    return ledger


@pytest.mark.sqlite_only
@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("state", ("state", INCIDENT)),
        ("history", ("history", INCIDENT)),
        ("provenance-statement", ("provenance", "townsend-not-buying-it")),
        ("provenance-claim", ("provenance", "drone-missing-over-tripoli")),
        ("incidents", ("incidents",)),
    ],
)
def test_json_answers_keep_every_old_field(rebuilt, name, args):
    result = rebuilt.cli(*args, "--json")
    assert result.exit_code == 0, result.output
    old = json.loads((OLD / f"{name}.json").read_text(encoding="utf-8"))
    _contains(old, json_of(result))
