"""Bad input to the `ledger` command: one clear line naming the field, nothing written.

User mistakes exit with 1 (2 for click usage errors), print one line on stderr
that names the field (and, for imports, ``FILE:LINE``), leave the ledger as it
was, and never show a traceback. The incident is the made-up tanker seizure.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger.cli.main import main
from tests.support import EXAMPLES, ExampleLedger

INCIDENT = "tanker-seizure"
EXAMPLE = EXAMPLES["fictional-seizure"]
LEDGER_BIN = Path(sys.executable).with_name("ledger")

INCIDENT_LINE = {"type": "incident", "id": "ferry-fire", "title": "A ferry caught fire"}


def line(**record) -> str:
    return json.dumps(record)


def statement(**changes) -> dict:
    """A valid statement about the tanker seizure, with ``changes``."""
    record = {
        "type": "statement",
        "id": "raiders-deny",
        "incident": INCIDENT,
        "speaker": "pirate-group",
        "kind": "denial",
        "stated_at": "2021-06-15",
        "claims": [{"claim": "seized-by-navy-or-raiders"}],
        "quote": "We were nowhere near the strait.",
    }
    record.update(changes)
    return {k: v for k, v in record.items() if v is not None}


@pytest.fixture
def seized(tmp_path: Path) -> ExampleLedger:
    return ExampleLedger.new(tmp_path).holding("fictional-seizure")


def refused(result, exit_code: int = 1) -> str:
    """Assert a clean refusal; return the one line printed on stderr."""
    assert "Traceback" not in result.output
    assert "Traceback" not in result.stderr
    assert result.exit_code == exit_code, (result.output, result.exception)
    # click's runner turns a SystemExit into exit_code; anything else is a crash.
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception
    )
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    if exit_code == 1:
        assert len(lines) == 1, result.stderr
        return lines[0]
    return result.stderr


def unchanged(ledger: ExampleLedger) -> None:
    assert ledger.count_events() == ledger.events_before


# -- import ----------------------------------------------------------------------------


def import_lines(ledger: ExampleLedger, tmp_path: Path, *lines: str) -> tuple[str, str]:
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(f"{text}\n" for text in lines), encoding="utf-8")
    message = refused(ledger.cli("import", str(path)))
    unchanged(ledger)
    return str(path), message


IMPORT_CASES = {
    "invalid JSON": (
        [line(**INCIDENT_LINE), '{"type": "incident", "id": '],
        2,
        "(line)",
        "not valid JSON",
    ),
    "not an object": (
        [line(**INCIDENT_LINE), "[1, 2]"],
        2,
        "(line)",
        "one JSON object",
    ),
    "unknown field": (
        [line(**INCIDENT_LINE, colour="red")],
        1,
        "colour",
        "unknown field 'colour'; the fields are: type, id, title,",
    ),
    "bad slug": (
        [line(**{**INCIDENT_LINE, "id": "Ferry Fire"})],
        1,
        "id",
        "lower-case",
    ),
    "instant without offset": (
        [line(**statement(stated_at="2021-06-15T10:00:00"))],
        1,
        "stated_at",
        "no UTC offset",
    ),
    "unknown kind": (
        [line(**INCIDENT_LINE), line(**statement(kind="rumour"))],
        2,
        "kind",
        "Must be one of",
    ),
    "unknown type": (
        [line(type="widget", id="w1")],
        1,
        "type",
        "unknown type 'widget'; use one of: incident, actor,",
    ),
    "unknown speaker": (
        [line(**INCIDENT_LINE), line(**statement(speaker="harbour-master"))],
        2,
        "speaker",
        "no actor harbour-master",
    ),
    "unknown claim": (
        [line(**statement(claims=[{"claim": "tanker-sank"}]))],
        1,
        "claims.0.claim",
        "no claim tanker-sank",
    ),
    "unknown hop agent": (
        [line(**statement(provenance=[{"agent": "radio-x", "relation": "told"}]))],
        1,
        "provenance.0.agent",
        "no actor radio-x",
    ),
    "unknown affiliation": (
        [line(type="actor", id="harbour-master", name="H", kind="person",
              affiliation="port-authority")],
        1,
        "affiliation",
        "no actor port-authority",
    ),
    "claim of another incident": (
        [
            line(**INCIDENT_LINE),
            line(**statement(incident="ferry-fire")),
        ],
        2,
        "claims.0.claim",
        "belongs to incident tanker-seizure",
    ),
    "same id twice, different content": (
        [
            line(**INCIDENT_LINE),
            line(**statement()),
            line(**statement(quote="We were in port.")),
        ],
        3,
        "id",
        "given twice",
    ),
    "already recorded with different content": (
        [
            line(**INCIDENT_LINE),
            line(
                type="incident",
                id=INCIDENT,
                title="Tanker boarded and seized",
            ),
        ],
        2,
        "id",
        "already recorded with different content",
    ),
    "correction of an unknown statement": (
        [line(type="correction", id="cx-1", statement="no-such-statement",
              field="quote", value="x", reason="typo")],
        1,
        "statement",
        "no statement no-such-statement",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", IMPORT_CASES, ids=list(IMPORT_CASES))
def test_import_refuses_bad_line(seized: ExampleLedger, tmp_path: Path, case) -> None:
    lines, number, field, text = IMPORT_CASES[case]
    path, message = import_lines(seized, tmp_path, *lines)
    assert message.startswith(f"{path}:{number}: {field}: "), message
    assert text in message


def test_import_is_all_or_nothing(seized: ExampleLedger, tmp_path: Path) -> None:
    """Valid lines before a bad one are not recorded either."""
    before = seized.cli("state", INCIDENT, "--json").output
    path, message = import_lines(
        seized,
        tmp_path,
        line(**INCIDENT_LINE),
        line(**statement()),
        line(type="withdrawal", id="wd-1", statement="coastalia-denies", reason="dup"),
        line(**statement(id="raiders-again", speaker="nobody-at-all")),
    )
    assert message.startswith(f"{path}:4: speaker: ")
    assert seized.cli("state", INCIDENT, "--json").output == before
    listed = json.loads(seized.cli("incidents", "--json").output)
    assert [i["id"] for i in listed] == [INCIDENT]


def test_import_empty_file(seized: ExampleLedger, tmp_path: Path) -> None:
    for content in ("", "\n  \n\n"):
        path = tmp_path / "empty.jsonl"
        path.write_text(content)
        message = refused(seized.cli("import", str(path)))
        assert message.startswith(f"{path}: ")
        assert "empty" in message
        unchanged(seized)


def test_import_missing_file(seized: ExampleLedger, tmp_path: Path) -> None:
    path = tmp_path / "nowhere.jsonl"
    message = refused(seized.cli("import", str(path)))
    assert message.startswith(f"{path}: ")
    assert "No such file" in message
    unchanged(seized)


def test_import_non_utf8_file(seized: ExampleLedger, tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    text = json.dumps({**INCIDENT_LINE, "title": "café"}, ensure_ascii=False)
    path.write_bytes(text.encode("latin-1"))
    message = refused(seized.cli("import", str(path)))
    assert message.startswith(f"{path}: ")
    assert "UTF-8" in message
    unchanged(seized)


def test_import_error_in_a_real_process(seized: ExampleLedger, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(line(**INCIDENT_LINE) + "\n" + line(**statement(kind="rumour")))
    result = subprocess.run(
        [str(LEDGER_BIN), "import", str(path), "--db", seized.url],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")},
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"{path}:2: kind: Must be one of: report, assessment, demand, denial, "
        "corroboration, refusal, fulfilment, retraction, admission, comment."
    ]
    unchanged(seized)


# -- record ----------------------------------------------------------------------------

RECORD = (
    "record", "--incident", INCIDENT, "--speaker", "pirate-group",
    "--stated-at", "2021-06-15", "--claim", "seized-by-navy-or-raiders",
    "--quote", "We were nowhere near the strait.",
)  # fmt: skip


def test_record_without_kind(seized: ExampleLedger) -> None:
    message = refused(seized.cli(*RECORD))
    assert message.startswith("error: kind: ")
    unchanged(seized)


def test_record_bad_stated_at(seized: ExampleLedger) -> None:
    for bad in ("2021-13", "15 June 2021", "2021-06-15T10:00:00"):
        message = refused(seized.cli(*RECORD, "--kind", "denial", "--stated-at", bad))
        assert message.startswith("error: stated_at: "), message
        assert bad in message
    unchanged(seized)


def test_record_unknown_speaker(seized: ExampleLedger) -> None:
    message = refused(
        seized.cli(*RECORD, "--kind", "denial", "--speaker", "harbour-master")
    )
    assert message.startswith("error: speaker: ")
    assert "harbour-master" in message
    unchanged(seized)


def test_record_ambiguous_alias(seized: ExampleLedger, tmp_path: Path) -> None:
    other = tmp_path / "other.jsonl"
    other.write_text(
        line(type="actor", id="meridian-bank", name="Meridian Bank",
             kind="organisation", aliases=["Meridian"]) + "\n"
    )  # fmt: skip
    assert seized.cli("import", str(other)).exit_code == 0
    seized.events_before = seized.count_events()
    message = refused(seized.cli(*RECORD, "--kind", "denial", "--speaker", "meridian"))
    assert message.startswith("error: speaker: ")
    assert "meridian-bank" in message and "shipowner" in message
    message = refused(seized.cli(*RECORD, "--kind", "denial", "--via", "told:Meridian"))
    assert message.startswith("error: provenance.0.agent: ")
    unchanged(seized)


def test_record_bad_hop_and_stance(seized: ExampleLedger) -> None:
    message = refused(seized.cli(*RECORD, "--kind", "denial", "--via", "wire-service"))
    assert message.startswith("error: provenance.0: ")
    message = refused(
        seized.cli(*RECORD, "--kind", "report", "--claim", "tanker-was-seized=maybe")
    )
    assert message.startswith("error: claims.")
    assert "stance" in message
    unchanged(seized)


def test_record_breaking_a_rule_names_the_field(seized: ExampleLedger) -> None:
    # A denial may support a claim besides the one it denies...
    supports_only = [
        "seized-by-navy-or-raiders=supports" if arg == "seized-by-navy-or-raiders"
        else arg
        for arg in RECORD
    ]  # fmt: skip
    message = refused(
        seized.cli(
            *supports_only, "--kind", "denial", "--claim", "tanker-was-seized=supports"
        )
    )
    # ...but it denies at least one.
    assert message == "error: claims: a denial denies at least one of its claims"
    unchanged(seized)


@pytest.mark.parametrize(
    "text", ['{"incident": "tanker-seizure", ', "[1, 2]", "", "not json"]
)
def test_record_invalid_json_on_stdin(seized: ExampleLedger, text: str) -> None:
    message = refused(seized.cli("record", input=text))
    assert message.startswith("error: (stdin): ")
    unchanged(seized)


def test_record_stdin_unknown_field(seized: ExampleLedger) -> None:
    body = {k: v for k, v in statement(colour="red").items() if k != "type"}
    message = refused(seized.cli("record", input=json.dumps(body)))
    assert message.startswith("error: colour: unknown field 'colour'; the fields are:")
    unchanged(seized)


def test_record_existing_id_with_other_content(seized: ExampleLedger) -> None:
    message = refused(
        seized.cli(*RECORD, "--kind", "denial", "--id", "coastalia-denies")
    )
    assert message.startswith("error: id: ")
    assert "already recorded" in message
    unchanged(seized)


# -- correct ---------------------------------------------------------------------------


def correct(ledger: ExampleLedger, slug: str, field: str, value: str):
    return ledger.cli(
        "correct", slug, "--field", field, "--value", value, "--reason", "checked"
    )


def test_correct_unknown_statement(seized: ExampleLedger) -> None:
    message = refused(correct(seized, "no-such-statement", "quote", "x"))
    assert message.startswith("error: statement: ")
    assert "no-such-statement" in message
    unchanged(seized)


@pytest.mark.parametrize("field", ["id", "incident", "colour"])
def test_correct_field_not_correctable(seized: ExampleLedger, field: str) -> None:
    message = refused(correct(seized, "coastalia-denies", field, "x"))
    assert message.startswith("error: field: ")
    unchanged(seized)


def test_correct_to_an_invalid_statement_names_the_field(seized: ExampleLedger) -> None:
    # agency-attribution only supports its claim: a denial denies at least one.
    message = refused(correct(seized, "agency-attribution", "kind", "denial"))
    assert message.startswith("error: value (claims): ")
    message = refused(correct(seized, "agency-attribution", "kind", "rumour"))
    assert message.startswith("error: value (kind): ")
    message = refused(correct(seized, "agency-attribution", "stated_at", "2021-06-31"))
    assert message.startswith("error: value (stated_at): ")
    message = refused(correct(seized, "agency-attribution", "speaker", "nobody-at-all"))
    assert message.startswith("error: speaker: ")
    message = refused(correct(seized, "agency-attribution", "attribution", "not json"))
    assert message.startswith("error: value: attribution takes JSON (")
    message = refused(correct(seized, "agency-attribution", "claims", "not json"))
    assert message.startswith("error: value (claims.0.claim): ")
    unchanged(seized)


def test_correct_with_the_same_value(seized: ExampleLedger) -> None:
    message = refused(
        correct(
            seized, "coastalia-denies", "quote", "Our navy was in port; we hold no one."
        )
    )
    assert "quote" in message
    assert "already has this value" in message
    unchanged(seized)


# -- withdraw and grade ----------------------------------------------------------------


def test_withdraw_twice(seized: ExampleLedger) -> None:
    first = seized.cli("withdraw", "crew-corroborates", "--reason", "duplicate")
    assert first.exit_code == 0, first.output
    seized.events_before = seized.count_events()
    message = refused(seized.cli("withdraw", "crew-corroborates", "--reason", "again"))
    assert "already withdrawn" in message
    assert "crew-corroborates" in message
    unchanged(seized)


def test_withdraw_unknown_statement(seized: ExampleLedger) -> None:
    message = refused(seized.cli("withdraw", "no-such-statement", "--reason", "x"))
    assert message.startswith("error: statement: ")
    unchanged(seized)


def test_grade_without_any_grade(seized: ExampleLedger) -> None:
    # A usage error that names the options, not "error: (record): ...".
    message = refused(
        seized.cli("grade", "agency-attribution", "--reason", "hm"), exit_code=2
    )
    assert "Error: give --reliability (A-F), --credibility (1-6) or both" in message
    assert "(record)" not in message
    unchanged(seized)


def test_grade_out_of_range(seized: ExampleLedger) -> None:
    message = refused(seized.cli("grade", "agency-attribution", "--reliability", "Z"))
    assert message.startswith("error: reliability: ")
    message = refused(seized.cli("grade", "agency-attribution", "--credibility", "9"))
    assert message.startswith("error: credibility: ")
    usage = refused(
        seized.cli("grade", "agency-attribution", "--credibility", "abc"), exit_code=2
    )
    assert "--credibility" in usage
    unchanged(seized)


# -- reading unknown things and bad moments --------------------------------------------


@pytest.mark.parametrize(
    "args, text",
    [
        (("state", "no-such-incident"), "error: no incident no-such-incident"),
        (("history", "no-such-incident"), "error: no incident no-such-incident"),
        (("provenance", "no-such-thing"), "error: no statement or claim no-such-thing"),
        (
            ("state", "no-such-incident", "--json"),
            "error: no incident no-such-incident",
        ),
    ],
)
def test_reading_unknown_ids(seized: ExampleLedger, args, text: str) -> None:
    message = refused(seized.cli(*args))
    assert message.startswith(text)


def test_state_before_the_incident_was_recorded(seized: ExampleLedger) -> None:
    message = refused(seized.cli("state", INCIDENT, "--known-at", "2001"))
    assert message.startswith(f"error: no incident {INCIDENT}")


@pytest.mark.parametrize(
    "args, option",
    [
        (("state", INCIDENT, "--as-of", "2019-02-30"), "--as-of"),
        (("history", INCIDENT, "--as-of", "2019-02-30"), "--as-of"),
        (("state", INCIDENT, "--known-at", "yesterday"), "--known-at"),
        (("history", INCIDENT, "--known-at", "yesterday"), "--known-at"),
        (("provenance", "coastalia-denies", "--known-at", "yesterday"), "--known-at"),
        (("state", INCIDENT, "--known-at", "seq:x"), "--known-at"),
        (("state", INCIDENT, "--as-of", "2021-06-15T10:00"), "--as-of"),
    ],
)
def test_bad_moment_is_a_usage_error(seized: ExampleLedger, args, option: str) -> None:
    text = refused(seized.cli(*args), exit_code=2)
    assert f"Invalid value for '{option}'" in text


def test_usage_errors_exit_2(seized: ExampleLedger) -> None:
    for args in (("state",), ("frobnicate",), ("correct", "coastalia-denies")):
        text = refused(seized.cli(*args), exit_code=2)
        assert "Usage:" in text
    unchanged(seized)


# -- a database that was never initialised ---------------------------------------------

COMMANDS_ON_A_LEDGER = [
    ("state", INCIDENT),
    ("history",),
    ("provenance", "coastalia-denies"),
    ("incidents",),
    ("rebuild",),
    ("import", str(EXAMPLE)),
    ("record", *RECORD[1:], "--kind", "denial"),
    ("correct", "coastalia-denies", "--field", "quote", "--value", "x",
     "--reason", "y"),
    ("withdraw", "coastalia-denies", "--reason", "y"),
    ("grade", "coastalia-denies", "--reliability", "B"),
]  # fmt: skip


@pytest.mark.parametrize("args", COMMANDS_ON_A_LEDGER, ids=lambda a: a[0])
def test_uninitialised_database(tmp_path: Path, args) -> None:
    path = tmp_path / "sub" / "never.db"
    result = CliRunner().invoke(
        main, [*args, "--db", f"sqlite:///{path}"], env={"LEDGER_RECORDER": "t"}
    )
    message = refused(result)
    assert "run `ledger init`" in message
    assert not path.exists()
    assert not path.parent.exists()


def test_uninitialised_default_database_in_a_real_process(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    result = subprocess.run(
        [str(LEDGER_BIN), "state", INCIDENT],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert "run `ledger init`" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_existing_file_without_a_ledger(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    result = CliRunner().invoke(main, ["incidents", "--db", f"sqlite:///{path}"])
    message = refused(result)
    assert "run `ledger init`" in message


def test_unsupported_database_url(tmp_path: Path) -> None:
    for url in ("mysql://localhost/ledger", "sqlite:///:memory:"):
        message = refused(CliRunner().invoke(main, ["incidents", "--db", url]))
        assert message.startswith("error: ")
        assert re.search(r"sqlite|database file", message)


def test_unreachable_postgresql_server_is_a_clear_error(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:9/ledger"  # nothing listens on 9
    message = refused(CliRunner().invoke(main, ["incidents", "--db", url]))
    assert message.startswith("error: cannot reach the database")


# -- text that is not Unicode ----------------------------------------------------------


def test_import_non_utf8_on_stdin_in_a_real_process(seized: ExampleLedger) -> None:
    data = json.dumps({**INCIDENT_LINE, "title": "café"}, ensure_ascii=False)
    result = subprocess.run(
        [str(LEDGER_BIN), "import", "-", "--db", seized.url],
        input=(data + "\n").encode("latin-1"),
        capture_output=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")},
        timeout=60,
    )
    stderr = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr
    assert result.returncode == 1
    assert len(stderr.splitlines()) == 1, stderr
    assert "UTF-8" in stderr or "title" in stderr
    unchanged(seized)


def test_import_lone_surrogate_escape(seized: ExampleLedger, tmp_path: Path) -> None:
    """A JSON escape of half a surrogate pair is valid JSON but no text: refuse it."""
    path = tmp_path / "surrogate.jsonl"
    path.write_text(
        '{"type": "incident", "id": "ferry-fire", "title": "caf\\udce9"}\n',
        encoding="utf-8",
    )
    message = refused(seized.cli("import", str(path)))
    assert message.startswith(f"{path}:1: title: "), message
    unchanged(seized)


def test_record_lone_surrogate_escape_on_stdin(seized: ExampleLedger) -> None:
    body = {k: v for k, v in statement().items() if k != "type"}
    text = json.dumps(body).replace("nowhere", "nowh\\udce9re")
    message = refused(seized.cli("record", input=text))
    assert message.startswith("error: quote: "), message
    unchanged(seized)
