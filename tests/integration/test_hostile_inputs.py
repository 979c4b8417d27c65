"""Hostile input is a one-line error, never a traceback (exit 1, or 2 for usage).

JSON nested hundreds or thousands deep, integers past Python's conversion limit,
sequence numbers past 64 bits, and dates written in other digits, through every
command that takes them. Nothing is written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.test_cli_errors import INCIDENT, refused, statement, unchanged
from tests.support import ExampleLedger


@pytest.fixture
def seized(tmp_path: Path) -> ExampleLedger:
    return ExampleLedger.new(tmp_path).holding("fictional-seizure")


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def nested_objects(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


DEEP = {
    "lists 500 deep": nested(500),
    "lists 10,000 deep": nested(10_000),
    "objects 500 deep": nested_objects(500),
    "objects 10,000 deep": nested_objects(10_000),
}
TOO_DEEP = "nested deeper than 32 levels; no record needs that"
LONG_NUMBER = "1" * 5000
TOO_LONG = "not valid JSON: a number has more than 4300 digits"


def _in_a_statement(value: str) -> str:
    """A statement line whose quote is ``value`` (raw JSON)."""
    return json.dumps(statement())[:-1] + f', "note": {value}}}'


@pytest.mark.parametrize("case", list(DEEP))
def test_deep_json_in_an_import(seized: ExampleLedger, tmp_path, case):
    path = tmp_path / "deep.jsonl"
    path.write_text(_in_a_statement(DEEP[case]) + "\n" + DEEP[case] + "\n")
    result = seized.cli("import", str(path))
    assert result.exit_code == 1, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.stderr.splitlines() == [
        f"{path}:1: (line): {TOO_DEEP}",
        f"{path}:2: (line): {TOO_DEEP}",
        "2 errors; nothing was recorded",
    ]
    unchanged(seized)


@pytest.mark.parametrize("case", list(DEEP))
def test_deep_json_on_record_stdin(seized: ExampleLedger, case):
    body = json.dumps({k: v for k, v in statement().items() if k != "type"})
    message = refused(
        seized.cli("record", input=body[:-1] + f', "note": {DEEP[case]}}}')
    )
    assert message == f"error: (stdin): {TOO_DEEP}"
    message = refused(seized.cli("record", input=DEEP[case]))
    assert message == f"error: (stdin): {TOO_DEEP}"
    unchanged(seized)


@pytest.mark.parametrize("case", list(DEEP))
def test_deep_json_in_a_corrected_value(seized: ExampleLedger, case):
    result = seized.cli(
        "correct", "coastalia-denies", "--field", "claims",
        "--value", DEEP[case], "--reason", "r",
    )  # fmt: skip
    assert refused(result).startswith(
        f"error: value: claims takes JSON ({TOO_DEEP}), e.g. --value "
    )
    unchanged(seized)


def test_a_number_too_long_to_convert(seized: ExampleLedger, tmp_path):
    path = tmp_path / "long.jsonl"
    path.write_text(
        json.dumps({"type": "grade", "id": "g1", "statement": "coastalia-denies"})[:-1]
        + f', "credibility": {LONG_NUMBER}}}\n'
    )
    assert refused(seized.cli("import", str(path))) == f"{path}:1: (line): {TOO_LONG}"
    body = json.dumps({k: v for k, v in statement().items() if k != "type"})
    message = refused(seized.cli("record", input=body[:-1] + f', "x": {LONG_NUMBER}}}'))
    assert message == f"error: (stdin): {TOO_LONG}"
    result = seized.cli(
        "correct", "coastalia-denies", "--field", "claims",
        "--value", f'[{{"claim": {LONG_NUMBER}}}]', "--reason", "r",
    )  # fmt: skip
    assert refused(result).startswith(
        f"error: value: claims takes JSON ({TOO_LONG}), e.g. --value "
    )
    unchanged(seized)


def test_nan_and_infinity_are_not_json(seized: ExampleLedger, tmp_path):
    path = tmp_path / "nan.jsonl"
    path.write_text(_in_a_statement("NaN") + "\n")
    message = refused(seized.cli("import", str(path)))
    assert message == f"{path}:1: (line): not valid JSON: NaN is not a JSON number"
    unchanged(seized)


HUGE_SEQ = "seq:99999999999999999999"


@pytest.mark.parametrize(
    "args",
    [
        ("state", INCIDENT),
        ("history", INCIDENT),
        ("provenance", "coastalia-denies"),
        ("audit-bundle", INCIDENT),
    ],
    ids=lambda a: a[0],
)
def test_a_sequence_number_past_64_bits(seized: ExampleLedger, args):
    text = refused(seized.cli(*args, "--known-at", HUGE_SEQ), exit_code=2)
    assert (
        "Invalid value for '--known-at': sequence number "
        "99999999999999999999 is too large"
    ) in text
    assert "Traceback" not in text
    unchanged(seized)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--as-of", "２０２１"),
        ("--as-of", "٢٠٢١-٠٦"),
        ("--known-at", "２０２１-０６-１５"),
        ("--known-at", "seq:１８"),
    ],
)
def test_moments_in_other_digits_are_refused(seized: ExampleLedger, option, value):
    text = refused(seized.cli("state", INCIDENT, option, value), exit_code=2)
    assert f"Invalid value for '{option}'" in text
    assert "write its digits as 0-9" in text


def test_the_largest_sequence_number_is_accepted(seized: ExampleLedger):
    result = seized.cli("state", INCIDENT, "--known-at", "seq:999999999999999999")
    assert result.exit_code == 0, result.output
