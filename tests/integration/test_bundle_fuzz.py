"""verify-bundle on hostile files: every input verifies or fails with a reason.

A bundle is read by an auditor who may be handed anything. Whatever the JSON,
``verify_bundle`` returns problems (or none) and never raises; through the CLI
a bad bundle is exit 3 (or 1 for a file that is not JSON) with no traceback.
These run once, on SQLite: the bundle is only a file.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.bootstrap import init
from ledger.cli.main import main
from ledger.integrity.bundle import verify_bundle
from ledger.integrity.keys import load_public, public_path
from tests.support import ExampleLedger

INCIDENT = "tanker-seizure"


@pytest.fixture(autouse=True)
def _on_backend():
    """No database per test: replaces the per-backend fixture of the conftest."""
    yield


@pytest.fixture(scope="module")
def bundle_and_key(tmp_path_factory) -> tuple[dict[str, Any], Any, Path]:
    directory = tmp_path_factory.mktemp("fuzz")
    path = directory / "ledger.db"
    init(f"sqlite:///{path}")
    ledger = ExampleLedger(f"sqlite:///{path}", path, directory / "ledger.db.key")
    assert ledger.cli("init").exit_code == 0
    ledger.holding("fictional-seizure")
    withdrawn = ledger.cli(
        "withdraw", "crew-corroborates", "--reason", "entered in error"
    )
    assert withdrawn.exit_code == 0, withdrawn.output
    out = directory / "good.json"
    made = ledger.cli("audit-bundle", INCIDENT, "--output", str(out))
    assert made.exit_code == 0, made.output
    bundle = json.loads(out.read_text(encoding="utf-8"))
    public = public_path(ledger.key)
    assert verify_bundle(bundle, load_public(public)) == []
    return bundle, load_public(public), public


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    """Every path to a value inside a JSON document."""
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, (*path, i))
    return found


def _replaced(document: Any, path: tuple, value: Any) -> Any:
    document = copy.deepcopy(document)
    if not path:
        return value
    parent = document
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return document


def _judged(problems: Any) -> None:
    assert isinstance(problems, list)
    assert all(isinstance(p, str) and p for p in problems)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data(), value=JSON)
def test_any_field_of_a_bundle_replaced_by_any_json_is_judged(
    bundle_and_key, data, value
):
    bundle, public, _ = bundle_and_key
    path = data.draw(st.sampled_from(_paths(bundle)))
    changed = _replaced(bundle, path, value)
    problems = verify_bundle(changed, public)
    _judged(problems)
    if changed != bundle:
        # Every field is covered by a hash, the signature or the state.
        assert problems or verify_bundle(changed, public) == [], path


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(value=JSON)
def test_any_json_is_judged(bundle_and_key, value):
    _, public, _ = bundle_and_key
    _judged(verify_bundle(value, public))


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_field_removed_is_judged(bundle_and_key, data):
    bundle, public, _ = bundle_and_key
    path = data.draw(st.sampled_from([p for p in _paths(bundle) if p]))
    changed = copy.deepcopy(bundle)
    parent = changed
    for step in path[:-1]:
        parent = parent[step]
    del parent[path[-1]]
    problems = verify_bundle(changed, public)
    _judged(problems)


def _one_failed_line(result) -> str:
    assert result.exit_code == 3, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("FAILED: ")
    return line


def _wrong(bundle: dict[str, Any], case: str) -> Any:
    bundle = copy.deepcopy(bundle)
    if case == "known_at is a number":
        bundle["known_at"] = 5
    elif case == "an envelope is a string":
        bundle["events"][0]["envelope"] = "x"
    elif case == "an event is a string":
        bundle["events"][1] = "x"
    elif case == "a path is a number":
        bundle["events"][0]["path"] = 7
    elif case == "the state is a list":
        bundle["state"] = []
    elif case == "the checkpoint's tree size is text":
        bundle["checkpoint"]["tree_size"] = "12"
    elif case == "a payload is null":
        bundle["events"][0]["envelope"]["payload"] = None
    return bundle


WRONG = {
    "known_at is a number": "the bundle's known_at is not a string or null",
    "an envelope is a string": "event 0 of the bundle: envelope is not an object",
    "an event is a string": "event 1 of the bundle: not an object",
    "a path is a number": "event 0 of the bundle: path is not a list",
    "the state is a list": "the bundle's state is not an object",
    "the checkpoint's tree size is text": "tree_size is not a whole number",
    "a payload is null": "event 0 of the bundle: payload is not an object",
}


def _verify_cli(path: Path, public: Path):
    return CliRunner().invoke(main, ["verify-bundle", str(path), "--key", str(public)])


@pytest.mark.parametrize("case", list(WRONG))
def test_verify_bundle_names_a_field_of_the_wrong_type(bundle_and_key, tmp_path, case):
    bundle, _, public = bundle_and_key
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(_wrong(bundle, case)), encoding="utf-8")
    assert WRONG[case] in _one_failed_line(_verify_cli(path, public))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[" * 10_000 + "]" * 10_000, "nested too deep"),
        ('{"a": ' * 10_000 + "1" + "}" * 10_000, "nested too deep"),
        ('{"format": 1' + "0" * 5000 + "}", "cannot read the bundle"),
        ("not json", "cannot read the bundle"),
    ],
    ids=["deep list", "deep object", "long number", "not JSON"],
)
def test_verify_bundle_on_a_file_that_is_no_bundle(
    bundle_and_key, tmp_path, text, reason
):
    _, _, public = bundle_and_key
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    assert reason in _one_failed_line(_verify_cli(path, public))
