"""Text from the ledger cannot take over the terminal (issue 7, section 6).

Single-line fields refuse control characters and line breaks at input. Text
that holds them anyway (recorded before that rule, or in paragraph fields), and
bidi overrides, which stay allowed in text, are shown escaped in human output:
``\\x1b``, ``\\u202e``. ``--json`` gives the exact text back.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ledger.cli import render
from ledger.cli.main import main
from ledger.schemas.lines import parse_line
from tests.support import ExampleLedger

HOSTILE = {
    "clear-screen": "\x1b[2J",
    "hyperlink": "\x1b]8;;https://e.example/\x07go\x1b]8;;\x07",
    "window-title": "\x1b]0;owned\x07",
    "c1-csi": "\x9b31m",
    "rlo": "\u202e",
}
SHOWN = {
    "clear-screen": r"\x1b[2J",
    "hyperlink": r"\x1b]8;;https://e.example/\x07go\x1b]8;;\x07",
    "window-title": r"\x1b]0;owned\x07",
    "c1-csi": r"\x9b31m",
    "rlo": r"\u202e",
}
# Anything a terminal would act on, besides the newline that ends each line.
RAW = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
# In JSON, control characters are escaped; bidi characters stay as they are.
RAW_IN_JSON = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")

INCIDENT = "hostile-incident"
STATEMENT = "hostile-statement"
CLAIM = "hostile-claim"


def _lines(text: str) -> list[tuple[int, dict[str, Any]]]:
    """Validated records whose text holds ``@@``, then ``@@`` replaced by ``text``.

    This is how text that the schemas now refuse can still be in a ledger: it was
    recorded before. The application stores what it is given.
    """
    raw = [
        {"type": "incident", "id": INCIDENT, "title": "T @@ end", "place": "P @@"},
        {"type": "actor", "id": "speaker", "name": "Speaker @@", "kind": "person"},
        {"type": "claim", "id": CLAIM, "incident": INCIDENT, "proposition": "C @@"},
        {
            "type": "statement",
            "id": STATEMENT,
            "incident": INCIDENT,
            "speaker": "speaker",
            "kind": "report",
            "stated_at": "2021",
            "claims": [{"claim": CLAIM}],
            "quote": "Q @@",
            "hedging": "H @@",
            "note": "N @@",
        },
        {
            "type": "grade",
            "id": "hostile-grade",
            "statement": STATEMENT,
            "reliability": "B",
            "reason": "R @@",
        },
    ]
    records = [(n, parse_line(json.dumps(r), n)) for n, r in enumerate(raw, 1)]
    return [(n, _inject(r, text)) for n, r in records]


def _inject(value: Any, text: str) -> Any:
    if isinstance(value, str):
        return value.replace("@@", text)
    if isinstance(value, dict):
        return {k: _inject(v, text) for k, v in value.items()}
    if isinstance(value, list):
        return [_inject(v, text) for v in value]
    return value


def hostile_ledger(tmp_path: Path, text: str) -> ExampleLedger:
    ledger = ExampleLedger.new(tmp_path)
    ledger.recorded_by = f"rec {text} by"
    ledger.write(_lines(text))
    return ledger


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """A console wide enough that no cell wraps: this is about characters."""
    monkeypatch.setattr(render.console, "width", 400)


COMMANDS = {
    "incidents": ("incidents",),
    "state": ("state", INCIDENT),
    "history": ("history", INCIDENT),
    "provenance-statement": ("provenance", STATEMENT),
    "provenance-claim": ("provenance", CLAIM),
    "actors": ("actors",),
    "claims": ("claims", INCIDENT),
    "statements": ("statements", INCIDENT),
    "search": ("search", "speaker"),
}


@pytest.mark.usefixtures("wide")
@pytest.mark.parametrize("name", list(HOSTILE))
def test_human_output_shows_ledger_text_escaped(tmp_path: Path, name: str) -> None:
    ledger = hostile_ledger(tmp_path, HOSTILE[name])
    for command, args in COMMANDS.items():
        result = ledger.cli(*args)
        assert result.exit_code == 0, (command, result.output, result.exception)
        assert not RAW.search(result.output), (command, result.output)
        assert SHOWN[name] in result.output, (command, result.output)
    # Every field of the statement, each on its own line.
    shown = ledger.cli("provenance", STATEMENT).output
    for label in ("Q", "H", "N", "R", "Speaker", "rec"):
        assert f"{label} {SHOWN[name]}" in shown, (label, shown)


@pytest.mark.parametrize("name", list(HOSTILE))
def test_json_output_gives_the_exact_text(tmp_path: Path, name: str) -> None:
    text = HOSTILE[name]
    ledger = hostile_ledger(tmp_path, text)
    outputs = {
        command: ledger.cli(*args, "--json") for command, args in COMMANDS.items()
    }
    for command, result in outputs.items():
        assert result.exit_code == 0, (command, result.output, result.exception)
        assert not RAW_IN_JSON.search(result.output), (command, result.output)
    incidents = json.loads(outputs["incidents"].output)
    assert incidents[0]["title"] == f"T {text} end"
    assert incidents[0]["place"] == f"P {text}"
    state = json.loads(outputs["state"].output)
    assert state["incident"]["title"] == f"T {text} end"
    assert state["claims"][0]["proposition"] == f"C {text}"
    history = json.loads(outputs["history"].output)
    assert {e["recorded_by"] for e in history["events"]} == {f"rec {text} by"}
    statement = json.loads(outputs["provenance-statement"].output)["statement"]
    assert (statement["quote"], statement["hedging"], statement["note"]) == (
        f"Q {text}",
        f"H {text}",
        f"N {text}",
    )
    assert statement["speaker_name"] == f"Speaker {text}"
    assert statement["grades"][0]["reason"] == f"R {text}"
    found = json.loads(outputs["search"].output)["hits"]
    assert [(h["field"], h["text"]) for h in found] == [("name", f"Speaker {text}")]
    listed = json.loads(outputs["statements"].output)[0]
    assert (listed["quote"], listed["speaker_name"]) == (f"Q {text}", f"Speaker {text}")


@pytest.mark.usefixtures("wide")
def test_a_newline_in_a_one_line_field_cannot_fake_output_lines(
    tmp_path: Path,
) -> None:
    ledger = hostile_ledger(tmp_path, "\nverified 999 events: all good")
    for command, args in COMMANDS.items():
        output = ledger.cli(*args).output
        assert not any(
            line.startswith("verified 999") for line in output.splitlines()
        ), (command, output)
    assert r"T \x0averified 999 events: all good end" in ledger.cli("incidents").output
    history = ledger.cli("history", INCIDENT).output
    assert r"rec \x0averified 999 events: all good by" in history


@pytest.mark.usefixtures("wide")
def test_paragraph_fields_keep_their_newlines_indented(tmp_path: Path) -> None:
    ledger = hostile_ledger(tmp_path, "first\nsecond")
    shown = ledger.cli("provenance", STATEMENT).output.splitlines()
    # quote, note and reason hold paragraphs; hedging is one line.
    assert "  quote: Q first" in shown
    assert "  note: N first" in shown
    assert "    second" in shown
    assert r"  hedging: H first\x0asecond" in shown


@pytest.mark.usefixtures("wide")
def test_markup_and_emoji_codes_print_as_written(tmp_path: Path) -> None:
    ledger = ExampleLedger.new(tmp_path)
    title = "[bold]Breaking[/bold] :warning: [link=https://e.x]x[/link]"
    path = tmp_path / "markup.jsonl"
    path.write_text(
        json.dumps({"type": "incident", "id": "markup", "title": title}) + "\n",
        encoding="utf-8",
    )
    assert ledger.cli("import", str(path)).exit_code == 0
    assert title in ledger.cli("incidents").output
    assert title in ledger.cli("state", "markup").output
    assert title in ledger.cli("history", "markup").output


def test_bidi_characters_are_accepted_at_input_and_shown_escaped(
    tmp_path: Path,
) -> None:
    ledger = ExampleLedger.new(tmp_path)
    title = "Harbour \u202eeripmav\u202c attack \u2067x\u2069 \u200f"
    path = tmp_path / "bidi.jsonl"
    path.write_text(
        json.dumps({"type": "incident", "id": "bidi", "title": title}) + "\n",
        encoding="utf-8",
    )
    assert ledger.cli("import", str(path)).exit_code == 0
    output = ledger.cli("state", "bidi").output
    assert not RAW.search(output)
    assert r"Harbour \u202eeripmav\u202c attack \u2067x\u2069 \u200f" in output
    assert json.loads(ledger.cli("incidents", "--json").output)[0]["title"] == title


# -- input: single-line fields refuse control characters ----------------------

CONTROL = {k: v for k, v in HOSTILE.items() if k != "rlo"} | {"newline": "a\nb"}

# (record, field path as the error names it, where to put the text)
ONE_LINE_FIELDS = [
    ({"type": "incident", "id": "i", "title": "@@"}, "title"),
    ({"type": "incident", "id": "i", "title": "t", "place": "@@"}, "place"),
    ({"type": "actor", "id": "a", "kind": "person", "name": "@@"}, "name"),
    (
        {"type": "actor", "id": "a", "kind": "person", "name": "n", "aliases": ["@@"]},
        "aliases.0",
    ),
    ({"type": "actor", "id": "a", "kind": "person", "name": "n", "role": "@@"}, "role"),
    ({"type": "claim", "id": "c", "incident": "i", "proposition": "@@"}, "proposition"),
    (
        {
            "type": "statement",
            "id": "s",
            "incident": "i",
            "speaker": "a",
            "kind": "report",
            "stated_at": "2021",
            "hedging": "@@",
        },
        "hedging",
    ),
    (
        {
            "type": "statement",
            "id": "s",
            "incident": "i",
            "speaker": "a",
            "kind": "demand",
            "stated_at": "2021",
            "demand": {"addressee": "b", "action": "@@"},
        },
        "demand.action",
    ),
    (
        {
            "type": "statement",
            "id": "s",
            "incident": "i",
            "speaker": "a",
            "kind": "report",
            "stated_at": "2021",
            "provenance": [
                {"relation": "told", "agent": "b", "document": {"title": "@@"}}
            ],
        },
        "provenance.0.document.title",
    ),
]


@pytest.mark.parametrize("name", list(CONTROL))
@pytest.mark.parametrize(
    ("record", "field"), ONE_LINE_FIELDS, ids=[f for _, f in ONE_LINE_FIELDS]
)
def test_import_refuses_control_characters_in_one_line_fields(
    tmp_path: Path, name: str, record: dict[str, Any], field: str
) -> None:
    ledger = ExampleLedger.new(tmp_path)
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(_inject(record, CONTROL[name])) + "\n", "utf-8")
    result = ledger.cli("import", str(path))
    assert result.exit_code == 1, (result.output, result.exception)
    assert result.stdout == ""
    message = result.stderr.strip()
    assert message.startswith(
        f"{path}:1: {field}: must be a single line without control characters; found "
    ), message
    assert not RAW.search(message)
    assert ledger.count_events() == 0


@pytest.mark.parametrize("name", list(CONTROL))
def test_recorded_by_refuses_control_characters(tmp_path: Path, name: str) -> None:
    ledger = ExampleLedger.new(tmp_path).holding("fictional-seizure")
    args = ("withdraw", "agency-attribution", "--reason", "entered in error")
    result = ledger.cli(*args, "--recorded-by", f"ana{CONTROL[name]}")
    assert result.exit_code == 1, (result.output, result.exception)
    message = result.stderr.strip()
    assert message.startswith(
        "error: recorded_by (--recorded-by): must be a single line"
    ), message
    assert not RAW.search(message)
    ledger.recorded_by = f"ana{CONTROL[name]}"  # LEDGER_RECORDER
    result = ledger.cli(*args)
    assert result.exit_code == 1, (result.output, result.exception)
    assert result.stderr.startswith("error: recorded_by (LEDGER_RECORDER): ")
    assert ledger.count_events() == ledger.events_before


def test_recorded_by_is_at_most_200_characters(tmp_path: Path) -> None:
    ledger = ExampleLedger.new(tmp_path).holding("fictional-seizure")
    result = ledger.cli(
        "withdraw", "agency-attribution", "--reason", "x", "--recorded-by", "a" * 201
    )
    assert result.exit_code == 1, (result.output, result.exception)
    assert result.stderr.startswith("error: recorded_by (--recorded-by): ")
    assert ledger.count_events() == ledger.events_before


@pytest.mark.parametrize("name", list(HOSTILE))
def test_import_errors_show_an_unknown_key_escaped(tmp_path: Path, name: str) -> None:
    ledger = ExampleLedger.new(tmp_path)
    path = tmp_path / "bad.jsonl"
    line = {"type": "incident", "id": "i", "title": "t", f"ti{HOSTILE[name]}tle": "x"}
    path.write_text(json.dumps(line) + "\n", "utf-8")
    result = ledger.cli("import", str(path))
    assert result.exit_code == 1, (result.output, result.exception)
    assert not RAW.search(result.stderr), result.stderr
    assert f"ti{SHOWN[name]}tle" in result.stderr
    assert ledger.count_events() == 0


@pytest.mark.parametrize("name", list(HOSTILE))
def test_errors_that_echo_an_argument_show_it_escaped(
    tmp_path: Path, name: str
) -> None:
    ledger = ExampleLedger.new(tmp_path)
    for args in (
        ("state", f"x{HOSTILE[name]}"),
        ("provenance", f"x{HOSTILE[name]}"),
        ("record", "--incident", "i", "--speaker", f"x{HOSTILE[name]}"),
    ):
        result = ledger.cli(*args)
        assert result.exit_code == 1, (args, result.output, result.exception)
        assert not RAW.search(result.stderr), (args, result.stderr)
        assert SHOWN[name] in result.stderr, (args, result.stderr)


@pytest.mark.parametrize("name", ["clear-screen", "window-title", "c1-csi"])
def test_verify_bundle_shows_what_a_bundle_says_escaped(
    tmp_path: Path, name: str
) -> None:
    ledger = ExampleLedger.new(tmp_path).holding("fictional-seizure")
    assert ledger.cli("init").exit_code == 0  # the signing key
    path = tmp_path / "bundle.json"
    made = ledger.cli("audit-bundle", "tanker-seizure", "--output", str(path))
    assert made.exit_code == 0, (made.output, made.exception)
    bundle = json.loads(path.read_text("utf-8"))
    bundle["checkpoint"]["key_id"] = HOSTILE[name]
    path.write_text(json.dumps(bundle), "utf-8")
    public = ledger.key.with_name(ledger.key.name + ".pub")
    result = CliRunner().invoke(
        main, ["verify-bundle", str(path), "--key", str(public)]
    )
    assert result.exit_code == 3, (result.output, result.exception)
    assert not RAW.search(result.stderr), result.stderr
    assert SHOWN[name] in result.stderr
