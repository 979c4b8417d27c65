"""Every bad line of an import at once, with messages that say how to fix it.

`ledger import` reports each bad line as ``FILE:LINE: field: message`` (up to
``--max-errors``), then ``N errors; nothing was recorded``, exits 1 and writes
nothing, on either backend. One bad line stays one line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.test_cli_errors import (
    INCIDENT,
    INCIDENT_LINE,
    line,
    statement,
    unchanged,
)
from tests.support import ExampleLedger


@pytest.fixture
def seized(tmp_path: Path) -> ExampleLedger:
    return ExampleLedger.new(tmp_path).holding("fictional-seizure")


def run_import(ledger: ExampleLedger, tmp_path: Path, *lines: str, options=()):
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(f"{text}\n" for text in lines), encoding="utf-8")
    return str(path), ledger.cli("import", *options, str(path))


def refused_lines(result) -> list[str]:
    """A clean refusal (exit 1, no traceback, nothing on stdout): its stderr lines."""
    assert "Traceback" not in result.output
    assert result.exit_code == 1, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.stdout == ""
    return result.stderr.splitlines()


def one_error(ledger: ExampleLedger, tmp_path: Path, *lines: str) -> tuple[str, str]:
    path, result = run_import(ledger, tmp_path, *lines)
    (message,) = refused_lines(result)
    unchanged(ledger)
    return path, message


def test_every_bad_line_is_reported_in_one_run(seized: ExampleLedger, tmp_path):
    path, result = run_import(
        seized,
        tmp_path,
        line(**{**INCIDENT_LINE, "colour": "red"}),
        line(**INCIDENT_LINE),
        line(**statement(kind="rumour")),
        "not json",
        line(**statement(id="raiders-again", stated_at="2021-13")),
    )
    assert refused_lines(result) == [
        f"{path}:1: colour: unknown field 'colour'; the fields are: type, id, "
        "title, description, occurred_at, place, time_zone",
        f"{path}:3: kind: Must be one of: report, assessment, demand, denial, "
        "corroboration, refusal, fulfilment, retraction, admission, comment.",
        f"{path}:4: (line): not valid JSON: Expecting value at column 1",
        f"{path}:5: stated_at: '2021-13' is not a valid calendar date",
        "4 errors; nothing was recorded",
    ]
    unchanged(seized)


def test_every_bad_reference_is_reported_in_one_run(seized: ExampleLedger, tmp_path):
    path, result = run_import(
        seized,
        tmp_path,
        line(**statement(speaker="harbour-master")),
        line(**INCIDENT_LINE),
        line(**statement(id="raiders-2", claims=[{"claim": "tanker-sank"}])),
        line(type="withdrawal", id="wd-1", statement="nothing-here", reason="typo"),
    )
    assert refused_lines(result) == [
        f"{path}:1: speaker: no actor harbour-master is recorded",
        f"{path}:3: claims.0.claim: no claim tanker-sank is recorded",
        f"{path}:4: statement: no statement nothing-here is recorded",
        "3 errors; nothing was recorded",
    ]
    unchanged(seized)


def test_max_errors_limits_what_is_shown_not_what_is_counted(
    seized: ExampleLedger, tmp_path
):
    bad = [line(type="widget", id=f"w{i}") for i in range(5)]
    path, result = run_import(seized, tmp_path, *bad, options=("--max-errors", "2"))
    lines = refused_lines(result)
    assert lines[:2] == [
        f"{path}:1: type: unknown type 'widget'; use one of: incident, actor, claim, "
        "statement, correction, withdrawal, grade",
        f"{path}:2: type: unknown type 'widget'; use one of: incident, actor, claim, "
        "statement, correction, withdrawal, grade",
    ]
    assert lines[2:] == [
        "5 errors; nothing was recorded (the first 2 shown; see --max-errors)"
    ]
    unchanged(seized)


def test_8000_bad_lines_validated_in_parallel_are_reported(
    seized: ExampleLedger, tmp_path
):
    """Past 8,000 lines, worker processes validate: their errors come back whole."""
    path = tmp_path / "empty-objects.jsonl"
    path.write_text("{}\n" * 8000, encoding="utf-8")
    lines = refused_lines(seized.cli("import", str(path)))
    assert len(lines) == 101
    assert lines[0] == (
        f"{path}:1: type: missing: give the line's type, one of: incident, actor, "
        "claim, statement, correction, withdrawal, grade"
    )
    assert lines[99].startswith(f"{path}:100: type: missing")
    assert lines[100] == (
        "8000 errors; nothing was recorded (the first 100 shown; see --max-errors)"
    )
    unchanged(seized)


MESSAGES = {
    "misspelt key": (
        line(**{**statement(stated_at=None), "stated-at": "2021-06-15"}),
        "stated-at: unknown field 'stated-at'; did you mean 'stated_at'?",
    ),
    "misspelt nested key": (
        line(**statement(claims=[{"claim": "tanker-was-seized", "stanse": "denies"}])),
        "claims.0.stanse: unknown field 'stanse'; did you mean 'stance'?",
    ),
    "missing type": (
        json.dumps({"id": "w1"}),
        "type: missing: give the line's type, one of: incident, actor, claim, "
        "statement, correction, withdrawal, grade",
    ),
    "misspelt type": (
        line(**{**statement(), "type": "statment"}),
        "type: unknown type 'statment'; did you mean 'statement'?",
    ),
    "claims item not an object": (
        line(**statement(claims=["tanker-was-seized"])),
        'claims.0: must be an object, for example {"claim": "claim-id", '
        '"stance": "supports"}',
    ),
    "provenance not a list": (
        line(**statement(provenance={"agent": "wire-service"})),
        'provenance: must be a list, for example [{"agent": "actor-id", '
        '"relation": "reported"}]',
    ),
    "answering an assessment": (
        line(**statement(id="r1", kind="refusal", claims=None,
                         responds_to="agency-attribution")),
        "responds_to: statement agency-attribution is not a demand but "
        "an assessment",
    ),
    "repeated kind": (
        line(**statement())[:-1] + ', "kind": "report"}',
        "kind: is given twice in one object; keep one",
    ),
    "repeated id": (
        '{"type": "incident", "id": "a", "title": "t", "id": "b"}',
        "id: is given twice in one object; keep one",
    ),
    "repeated type": (
        '{"type": "incident", "type": "claim", "id": "a", "title": "t"}',
        "type: is given twice in one object; keep one",
    ),
    "repeated nested key": (
        line(**statement())[:-1]
        + ', "attribution": {"actors": ["pirate-group"], "actors": ["coastal-navy"]}}',
        "actors: is given twice in one object; keep one",
    ),
    "full-width digits": (
        line(**statement(stated_at="２０２１")),
        "stated_at: '２０２１' is not a partial date (use 2019, 2019-12, 2019-12-03 "
        "or 2019-12-03T10:00:00Z); write its digits as 0-9",
    ),
    "Arabic-Indic digits": (
        line(**{**INCIDENT_LINE, "occurred_at": "٢٠١٩-١٢"}),
        "occurred_at: '٢٠١٩-١٢' is not a partial date (use 2019, 2019-12, "
        "2019-12-03 or 2019-12-03T10:00:00Z); write its digits as 0-9",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(MESSAGES))
def test_the_message_says_how_to_fix_the_line(seized: ExampleLedger, tmp_path, case):
    text, expected = MESSAGES[case]
    path, message = one_error(seized, tmp_path, text)
    assert message == f"{path}:1: {expected}"


@pytest.mark.parametrize("stated_at", ["9999", "9999-12", "9999-12-31"])
def test_years_up_to_9999_are_dates(seized: ExampleLedger, tmp_path, stated_at):
    path = tmp_path / "far.jsonl"
    path.write_text(line(**statement(id="far", stated_at=stated_at)) + "\n")
    result = seized.cli("import", str(path))
    assert result.exit_code == 0, result.output
    for moment in ("--as-of", "--known-at"):
        shown = seized.cli("state", INCIDENT, moment, stated_at, "--json")
        assert shown.exit_code == 0, shown.output
    state = json.loads(
        seized.cli("state", INCIDENT, "--as-of", "9999", "--json").output
    )
    denial = next(c for c in state["claims"] if c["id"] == "seized-by-navy-or-raiders")
    assert "far" in json.dumps(denial)


def test_changes_before_their_statement_in_the_same_file(
    seized: ExampleLedger, tmp_path
):
    """docs/import-format.md: a record may come before or after the line naming it."""
    path = tmp_path / "changes-first.jsonl"
    path.write_text(
        "\n".join(
            [
                line(type="correction", id="cx-1", statement="raiders-deny",
                     field="quote", value="We were elsewhere.", reason="transcript"),
                line(type="grade", id="gr-1", statement="raiders-deny",
                     reliability="C", credibility=3),
                line(type="withdrawal", id="wd-1", statement="raiders-deny",
                     reason="entered twice"),
                line(**statement()),
            ]
        )
        + "\n"
    )  # fmt: skip
    result = seized.cli("import", str(path), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["new"] == {
        "statement": 1,
        "correction": 1,
        "grade": 1,
        "withdrawal": 1,
    }
    history = seized.cli("history", INCIDENT, "--json").output
    assert "We were elsewhere." in history
    assert seized.count_events() == seized.events_before + 4
