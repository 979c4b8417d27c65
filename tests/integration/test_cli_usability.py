"""What a new user stumbles on (issue 7, section 9): progress, tables, help, grades.

Layout tests run the installed `ledger` with its output piped, as a script or
``| less`` would, where the console is 120 columns wide.
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ledger.domain.vocabulary import (
    ATTRIBUTION_MODES,
    CORRECTABLE,
    CORRECTABLE_FIELDS,
    HOP_RELATIONS,
    STANCES,
    STATEMENT_KINDS,
)
from tests.support import ExampleLedger, incident_of

LEDGER_BIN = Path(sys.executable).with_name("ledger")
EXAMPLE = Path(__file__).parent.parent / "data" / "fictional-seizure.jsonl"


def piped(ledger: ExampleLedger, *args: str) -> str:
    """What `ledger ARGS` prints to a pipe."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    result = subprocess.run(
        [str(LEDGER_BIN), *args, "--db", ledger.url],
        env={**env, "LEDGER_RECORDER": "ana"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def write_lines(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return path


# -- progress --------------------------------------------------------------------------


@pytest.mark.sqlite_only
def test_import_progress_counts_lines_not_chunks(tmp_path: Path) -> None:
    ledger = ExampleLedger.new(tmp_path)
    lines = len(EXAMPLE.read_text("utf-8").splitlines())
    main, secondary = pty.openpty()  # stderr is a terminal: the bar is shown
    try:
        result = subprocess.run(
            [str(LEDGER_BIN), "import", str(EXAMPLE), "--db", ledger.url],
            env={**os.environ, "LEDGER_RECORDER": "ana", "COLUMNS": "100"},
            stdout=subprocess.PIPE,
            stderr=secondary,
            timeout=60,
        )
        os.close(secondary)
        shown = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(main)
    assert result.returncode == 0
    text = shown.decode("utf-8", "replace")
    counts = re.findall(r"validating.*?(\d+)/(\d+)", text)
    assert counts, text
    assert all(int(done) <= int(total) for done, total in counts), counts
    assert (str(lines), str(lines)) in counts, counts


# -- tables and messages, piped -------------------------------------------------------

LONG_INCIDENT = "a-rather-long-incident-id-that-a-user-chose-for-herself-2021"
LONG_CLAIM = "operators-did-not-know-the-drone-was-shot-down-over-the-harbour"
PROSE = (
    "The harbour authority reported at length, in a statement that runs over "
    "several lines of any table, that the vessel was seen leaving at dawn"
)


def _long_ids(tmp_path: Path) -> ExampleLedger:
    ledger = ExampleLedger.new(tmp_path)
    records = [
        {"type": "incident", "id": LONG_INCIDENT, "title": PROSE, "place": PROSE},
        {"type": "actor", "id": "harbour-authority-of-a-long-name", "name": PROSE,
         "kind": "organisation"},
        {"type": "claim", "id": LONG_CLAIM, "incident": LONG_INCIDENT,
         "proposition": PROSE},
        {"type": "statement", "id": "harbour-authority-assesses-the-drone-loss",
         "incident": LONG_INCIDENT, "speaker": "harbour-authority-of-a-long-name",
         "kind": "assessment", "stated_at": "2021-05-03",
         "claims": [{"claim": LONG_CLAIM}], "hedging": "believes with some care",
         "quote": PROSE + ". " + PROSE,
         "attribution": {"actors": ["harbour-authority-of-a-long-name"]}},
    ]  # fmt: skip
    path = write_lines(tmp_path / "long.jsonl", records)
    assert ledger.cli("import", str(path)).exit_code == 0
    return ledger


@pytest.mark.sqlite_only
def test_tables_never_cut_ids(tmp_path: Path) -> None:
    ledger = _long_ids(tmp_path)
    incidents = piped(ledger, "incidents")
    assert LONG_INCIDENT in incidents, incidents
    state = piped(ledger, "state", LONG_INCIDENT)
    assert state.count(LONG_CLAIM) == 2, state  # the claims and the assessments
    provenance = piped(ledger, "provenance", LONG_CLAIM)
    assert LONG_CLAIM in provenance
    for output in (incidents, state, provenance):
        assert "…" not in output, output
        assert max(len(line) for line in output.splitlines() if "│" in line) <= 120


@pytest.mark.sqlite_only
def test_piped_one_line_messages_are_not_wrapped(tmp_path: Path) -> None:
    ledger = _long_ids(tmp_path)
    lines = piped(ledger, "provenance", "harbour-authority-assesses-the-drone-loss")
    assert f"  quote: {PROSE}. {PROSE}" in lines.splitlines(), lines
    state = piped(ledger, "state", LONG_INCIDENT).splitlines()
    assert f"{PROSE} ({LONG_INCIDENT})" in state
    assert f"occurred ? at {PROSE}" in state


# -- help ------------------------------------------------------------------------------


def _help(ledger: ExampleLedger, *command: str) -> str:
    result = ledger.cli(*command, "--help")
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())  # unwrapped


@pytest.mark.sqlite_only
def test_help_lists_the_values_from_the_vocabulary(tmp_path: Path) -> None:
    ledger = ExampleLedger.new(tmp_path)
    record = _help(ledger, "record")
    assert "see docs/cli.md" not in record
    assert f"What kind of statement: {', '.join(STATEMENT_KINDS)}." in record
    assert f"RELATION is one of {', '.join(HOP_RELATIONS)}" in record
    assert " or ".join(STANCES) in record
    assert "[" + "|".join(ATTRIBUTION_MODES) + "]" in record
    assert "How the --attribute actors are held responsible" in record
    correct = _help(ledger, "correct")
    assert f"A statement's: {', '.join(CORRECTABLE_FIELDS)}." in correct
    for kind in ("incident", "actor", "claim"):
        assert f"{kind}'s: {', '.join(CORRECTABLE[kind])}." in correct
    assert "CLAIM[=STANCE],CLAIM[=STANCE]" in correct
    assert "docs/import-format.md" in _help(ledger, "import")


# -- grades ----------------------------------------------------------------------------


def _grades(ledger: ExampleLedger, statement: str) -> list[dict]:
    result = ledger.cli("provenance", statement, "--json")
    return json.loads(result.output)["statement"]["grades"]


def test_lower_case_grades_are_accepted(tmp_path: Path) -> None:
    ledger = ExampleLedger.new(tmp_path).holding("fictional-seizure")
    result = ledger.cli("grade", "agency-attribution", "--reliability", "b")
    assert result.exit_code == 0, (result.output, result.exception)
    path = write_lines(
        tmp_path / "grade.jsonl",
        [{"type": "grade", "id": "g2", "statement": "coastalia-denies",
          "reliability": "c", "credibility": 3}],
    )  # fmt: skip
    assert ledger.cli("import", str(path)).exit_code == 0
    assert [g["reliability"] for g in _grades(ledger, "agency-attribution")] == ["B"]
    assert [g["reliability"] for g in _grades(ledger, "coastalia-denies")] == ["C"]
    # The same grade in upper case is the same record, not a new one.
    again = write_lines(
        tmp_path / "again.jsonl",
        [{"type": "grade", "id": "g2", "statement": "coastalia-denies",
          "reliability": "C", "credibility": 3}],
    )  # fmt: skip
    assert "nothing new" in ledger.cli("import", str(again)).output


# -- correct --value -------------------------------------------------------------------


def test_correct_claims_takes_bare_claim_ids(tmp_path: Path) -> None:
    ledger = ExampleLedger.new(tmp_path).holding("fictional-seizure")
    result = ledger.cli(
        "correct", "agency-attribution", "--field", "claims",
        "--value", "seized-by-navy-or-raiders, tanker-was-seized=supports",
        "--reason", "checked",
    )  # fmt: skip
    assert result.exit_code == 0, (result.output, result.exception)
    shown = json.loads(ledger.cli("provenance", "agency-attribution", "--json").output)
    # Without =STANCE, the kind's default stance (an assessment supports).
    assert shown["statement"]["claims"] == [
        {"claim": "seized-by-navy-or-raiders", "stance": "supports"},
        {"claim": "tanker-was-seized", "stance": "supports"},
    ]


def test_correct_claims_takes_a_json_list_of_claim_ids(tmp_path: Path) -> None:
    ledger = ExampleLedger.new(tmp_path).holding("fictional-seizure")
    result = ledger.cli(
        "correct", "agency-attribution", "--field", "claims",
        "--value", '["tanker-was-seized"]', "--reason", "checked",
    )  # fmt: skip
    assert result.exit_code == 0, (result.output, result.exception)
    shown = json.loads(ledger.cli("provenance", "agency-attribution", "--json").output)
    assert shown["statement"]["claims"] == [
        {"claim": "tanker-was-seized", "stance": "supports"}
    ]


@pytest.mark.parametrize(
    ("field", "example"),
    [
        ("attribution", """--value '{"actors": ["actor-id", "other-id"], """),
        ("demand", """--value '{"addressee": "actor-id", "action": """),
        ("provenance", """--value '[{"relation": "told", "agent": "actor-id"}]'"""),
        ("claims", """--value '[{"claim": "claim-id", "stance": "denies"}]'"""),
    ],
    ids=["attribution", "demand", "provenance", "claims"],
)
def test_correct_with_bad_json_shows_an_example(
    tmp_path: Path, field: str, example: str
) -> None:
    ledger = ExampleLedger.new(tmp_path).holding("fictional-seizure")
    result = ledger.cli(
        "correct", "agency-attribution", "--field", field, "--value", "[oops",
        "--reason", "checked",
    )  # fmt: skip
    assert result.exit_code == 1, (result.output, result.exception)
    message = result.stderr.strip()
    assert message.startswith(f"error: value: {field} takes JSON ("), message
    assert example in message, message
    assert ledger.count_events() == ledger.events_before


@pytest.mark.parametrize("option", ["--as-of", "--known-at"])
def test_an_empty_moment_is_refused_not_read_as_now(tmp_path: Path, option: str):
    """`--known-at "$T"` with T unset must not silently mean "now"."""
    ledger = ExampleLedger.new(tmp_path).holding("fictional-seizure")
    incident = incident_of("fictional-seizure")
    result = ledger.cli("state", incident, option, "")
    assert result.exit_code == 2, result.output
    assert "is empty" in result.stderr
