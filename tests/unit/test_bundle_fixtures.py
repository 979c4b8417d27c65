"""Bundles issued before the bundle schema was frozen still verify.

tests/data/bundle-v1*.json were written by `ledger audit-bundle` from the seed
example (then a correction, a withdrawal and a grade) before the service layer
and the output schemas changed; tests/data/bundle-v1.pub is the ledger's key.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from marshmallow import fields

from ledger.integrity.bundle import verify_bundle
from ledger.integrity.bundle_schema import dump_state
from ledger.integrity.keys import load_public
from ledger.schemas.outputs import StateOutput

DATA = Path(__file__).resolve().parent.parent / "data"
ISSUED = ["bundle-v1.json", "bundle-v1-as-of.json", "bundle-v1-changed.json"]


def _issued(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ISSUED)
def test_a_bundle_issued_before_the_change_still_verifies(name):
    assert verify_bundle(_issued(name), load_public(DATA / "bundle-v1.pub")) == []


def test_an_issued_bundle_whose_state_was_edited_fails():
    bundle = copy.deepcopy(_issued("bundle-v1-changed.json"))
    bundle["state"]["claims"][0]["status"] = "confirmed-by-edit"
    problems = verify_bundle(bundle, load_public(DATA / "bundle-v1.pub"))
    assert problems and "does not follow" in problems[0]


@pytest.mark.parametrize("name", ISSUED)
def test_the_frozen_schema_reproduces_the_issued_state(name):
    state = _issued(name)["state"]
    assert json.loads(json.dumps(dump_state(state))) == state


def test_output_schemas_can_grow_without_breaking_issued_bundles(monkeypatch):
    monkeypatch.setitem(StateOutput._declared_fields, "added", fields.Constant(1))
    assert StateOutput().dump({"claims": []})["added"] == 1
    bundle = _issued("bundle-v1-changed.json")
    assert verify_bundle(bundle, load_public(DATA / "bundle-v1.pub")) == []
