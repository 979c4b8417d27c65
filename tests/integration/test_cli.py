"""The `ledger` command as users drive it: init, import, record, change, replay, audit.

Everything runs on the made-up tanker seizure of ``tests/data/fictional-seizure.jsonl``,
through click's runner, and through the real executable where the process matters
(exit codes, stdout against stderr, the working directory, the environment).
"""

from __future__ import annotations

import getpass
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger.cli.main import main
from ledger.integrity.service import Finding, Integrity, Report
from tests.support import EXAMPLES, ROOT, ExampleLedger, json_of

INCIDENT = "tanker-seizure"
EXAMPLE = EXAMPLES["fictional-seizure"]
LEDGER_BIN = Path(sys.executable).with_name("ledger")
HEX64 = re.compile(r"^[0-9a-f]{64}$")


def clean_env(**extra: str) -> dict[str, str]:
    """The process environment without any LEDGER_* setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update(extra)
    return env


def run_ledger(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout=60):
    """Run the installed `ledger` executable as a separate process."""
    return subprocess.run(
        [str(LEDGER_BIN), *args],
        cwd=cwd,
        env=env if env is not None else clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def seized(tmp_path: Path) -> ExampleLedger:
    return ExampleLedger.new(tmp_path).holding("fictional-seizure")


def ok(result) -> None:
    """Assert a CliRunner run succeeded, showing what it printed if not."""
    assert result.exit_code == 0, (result.output, result.exception)
    assert "Traceback" not in result.output


def state_json(ledger: ExampleLedger, *options: str) -> dict:
    result = ledger.cli("state", INCIDENT, "--json", *options)
    ok(result)
    return json_of(result)


def history_json(ledger: ExampleLedger, *args: str) -> dict:
    result = ledger.cli("history", *args, "--json")
    ok(result)
    return json_of(result)


def provenance_json(ledger: ExampleLedger, slug: str, *options: str) -> dict:
    result = ledger.cli("provenance", slug, "--json", *options)
    ok(result)
    return json_of(result)


def claim_of(state: dict, claim: str) -> dict:
    return next(c for c in state["claims"] if c["id"] == claim)


def statement_ids(entries: list[dict]) -> list[str]:
    return [e["statement"] for e in entries]


# -- init and the database URL ---------------------------------------------------------


def test_init_twice_says_up_to_date(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    runner = CliRunner()
    first = runner.invoke(main, ["init", "--db", url])
    ok(first)
    assert "upgraded from nothing" in first.output
    second = runner.invoke(main, ["init", "--db", url])
    ok(second)
    assert "up to date" in second.output
    assert url in second.output


def test_db_before_the_subcommand_works_like_after(seized: ExampleLedger) -> None:
    runner = CliRunner()
    before = runner.invoke(main, ["--db", seized.url, "state", INCIDENT, "--json"])
    after = runner.invoke(main, ["state", INCIDENT, "--json", "--db", seized.url])
    ok(before)
    ok(after)
    assert json.loads(before.output) == json.loads(after.output)
    assert json.loads(before.output)["incident"]["id"] == INCIDENT
    up_to_date = runner.invoke(main, ["--db", seized.url, "init"])
    ok(up_to_date)
    assert "up to date" in up_to_date.output


def test_db_option_wins_over_the_environment(tmp_path: Path) -> None:
    by_option = tmp_path / "option.db"
    by_env = tmp_path / "env.db"
    result = run_ledger(
        "init",
        "--db",
        f"sqlite:///{by_option}",
        cwd=tmp_path,
        env=clean_env(LEDGER_DATABASE_URL=f"sqlite:///{by_env}"),
    )
    assert result.returncode == 0, result.stderr
    assert by_option.exists()
    assert not by_env.exists()
    assert not (tmp_path / "ledger.db").exists()


def test_environment_url_is_used_without_db_option(tmp_path: Path) -> None:
    by_env = tmp_path / "env.db"
    env = clean_env(LEDGER_DATABASE_URL=f"sqlite:///{by_env}")
    assert run_ledger("init", cwd=tmp_path, env=env).returncode == 0
    assert by_env.exists()
    assert not (tmp_path / "ledger.db").exists()
    imported = run_ledger("import", str(EXAMPLE), cwd=tmp_path, env=env)
    assert imported.returncode == 0, imported.stderr
    listed = run_ledger("incidents", "--json", cwd=tmp_path, env=env)
    assert listed.returncode == 0, listed.stderr
    assert [i["id"] for i in json.loads(listed.stdout)] == [INCIDENT]


def test_default_url_is_ledger_db_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("LEDGER_DATABASE_URL", "LEDGER_RECORDER"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()
    ok(runner.invoke(main, ["init"]))
    assert (tmp_path / "ledger.db").exists()
    ok(runner.invoke(main, ["import", str(EXAMPLE)]))
    # The same default, seen by a separate process started in that directory.
    listed = run_ledger("incidents", "--json", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert [i["id"] for i in json.loads(listed.stdout)] == [INCIDENT]


# -- who records -----------------------------------------------------------------------


def _recorders(ledger: ExampleLedger) -> dict[str, str]:
    return {e["subject"]: e["recorded_by"] for e in history_json(ledger)["events"]}


def test_recorded_by_option_wins_over_environment(seized: ExampleLedger) -> None:
    result = CliRunner().invoke(
        main,
        ["grade", "coastalia-denies", "--credibility", "3", "--id", "gr-opt"]
        + ["--recorded-by", "ana-analyst", "--db", seized.url],
        env={"LEDGER_RECORDER": "env-recorder"},
    )
    ok(result)
    graded = [
        e for e in history_json(seized)["events"] if e["type"] == "Statement.Graded"
    ]
    assert [e["recorded_by"] for e in graded] == ["ana-analyst"]


def test_recorded_by_comes_from_the_environment(seized: ExampleLedger) -> None:
    result = CliRunner().invoke(
        main,
        ["withdraw", "crew-corroborates", "--reason", "entered in error"]
        + ["--db", seized.url],
        env={"LEDGER_RECORDER": "env-recorder"},
    )
    ok(result)
    withdrawn = [
        e for e in history_json(seized)["events"] if e["type"] == "Statement.Withdrawn"
    ]
    assert [e["recorded_by"] for e in withdrawn] == ["env-recorder"]


def test_recorded_by_falls_back_to_the_os_user(tmp_path: Path) -> None:
    ledger = ExampleLedger.new(tmp_path)
    result = CliRunner().invoke(
        main,
        ["import", str(EXAMPLE), "--db", ledger.url],
        env={"LEDGER_RECORDER": None},
    )
    ok(result)
    recorders = set(_recorders(ledger).values())
    assert recorders == {getpass.getuser()}


def test_recorded_by_os_user_in_a_real_process(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'l.db'}"
    assert run_ledger("init", "--db", url, cwd=tmp_path).returncode == 0
    assert run_ledger("import", str(EXAMPLE), "--db", url, cwd=tmp_path).returncode == 0
    history = run_ledger("history", "--json", "--db", url, cwd=tmp_path)
    assert history.returncode == 0, history.stderr
    events = json.loads(history.stdout)["events"]
    assert {e["recorded_by"] for e in events} == {getpass.getuser()}


# -- import ----------------------------------------------------------------------------


def test_import_prints_counts_then_nothing_new(tmp_path: Path) -> None:
    ledger = ExampleLedger.new(tmp_path)
    first = ledger.cli("import", str(EXAMPLE))
    ok(first)
    text = " ".join(first.output.split())
    assert "recorded 18 records" in text
    for part in ("actor: 9", "claim: 3", "incident: 1", "statement: 5"):
        assert part in text
    events = ledger.count_events()
    assert events == 18

    again = ledger.cli("import", str(EXAMPLE))
    ok(again)
    assert "nothing new" in again.output
    assert ledger.count_events() == events


def test_import_json_has_source_recorded_new_unchanged(tmp_path: Path) -> None:
    ledger = ExampleLedger.new(tmp_path)
    first = ledger.cli("import", str(EXAMPLE), "--json")
    ok(first)
    data = json_of(first)
    assert data["source"] == str(EXAMPLE)
    assert data["recorded"] == 18
    assert data["new"] == {"incident": 1, "actor": 9, "claim": 3, "statement": 5}
    assert data["unchanged"] == {}

    again = json_of(ledger.cli("import", str(EXAMPLE), "--json"))
    assert again["recorded"] == 0
    assert again["new"] == {}
    assert again["unchanged"] == {"incident": 1, "actor": 9, "claim": 3, "statement": 5}
    assert ledger.count_events() == 18


def test_import_from_stdin_with_a_dash(tmp_path: Path) -> None:
    ledger = ExampleLedger.new(tmp_path)
    result = ledger.cli("import", "-", "--json", input=EXAMPLE.read_text("utf-8"))
    ok(result)
    assert json_of(result)["recorded"] == 18
    assert ledger.count_events() == 18


def test_import_real_process_counts_on_stdout_nothing_on_stderr(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'l.db'}"
    assert run_ledger("init", "--db", url, cwd=tmp_path).returncode == 0
    result = run_ledger("import", str(EXAMPLE), "--db", url, "--json", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr == ""
    assert json.loads(result.stdout)["recorded"] == 18


# -- record ----------------------------------------------------------------------------


def test_record_with_flags_resolves_alias_claim_stance_and_hop(
    seized: ExampleLedger,
) -> None:
    result = seized.cli(
        "record",
        "--id", "owner-denies-navy",
        "--incident", INCIDENT,
        "--speaker", "meridian",
        "--kind", "denial",
        "--stated-at", "2021-07-02",
        "--claim", "seized-by-navy-or-raiders=denies",
        "--quote", "It was not the navy.",
        "--via", "told:wire-service",
        "--json",
    )  # fmt: skip
    ok(result)
    written = json_of(result)
    assert written["recorded"] == 1
    assert written["new"] == {"statement": 1}
    assert written["ids"] == ["owner-denies-navy"]
    assert seized.count_events() == seized.events_before + 1

    state = state_json(seized)
    claim = claim_of(state, "seized-by-navy-or-raiders")
    denial = next(e for e in claim["deniers"] if e["statement"] == "owner-denies-navy")
    assert denial["speaker"] == "shipowner"
    assert denial["kind"] == "denial"
    assert denial["stated_at"] == "2021-07-02"
    assert "owner-denies-navy" in statement_ids(state["statements"])
    assert state["counts"]["statements"] == 6

    chain = provenance_json(seized, "owner-denies-navy")["statement"]["chain"]
    assert [(h["agent"], h["relation"]) for h in chain] == [
        ("shipowner", "said"),
        ("wire-service", "told"),
    ]


def test_record_speaker_alias_is_case_insensitive(seized: ExampleLedger) -> None:
    result = seized.cli(
        "record",
        "--id", "coastalia-comments",
        "--incident", INCIDENT,
        "--speaker", "COASTALIA",
        "--kind", "comment",
        "--stated-at", "2021-07",
        "--paraphrase", "Coastalia said it would look into the matter.",
    )  # fmt: skip
    ok(result)
    assert "id: coastalia-comments" in result.output
    statement = provenance_json(seized, "coastalia-comments")["statement"]
    assert statement["speaker"] == "coastal-state"


def test_record_one_json_object_on_stdin(seized: ExampleLedger) -> None:
    record = {
        "id": "navy-denies-holding",
        "incident": INCIDENT,
        "speaker": "coastal-navy",
        "kind": "denial",
        "stated_at": "2021-06-20",
        "claims": [{"claim": "coastalia-holds-crew"}],
        "quote": "No crew are held aboard our ships.",
    }
    result = seized.cli("record", "--json", input=json.dumps(record))
    ok(result)
    assert json_of(result)["ids"] == ["navy-denies-holding"]
    assert seized.count_events() == seized.events_before + 1
    state = state_json(seized)
    claim = claim_of(state, "coastalia-holds-crew")
    assert "navy-denies-holding" in statement_ids(claim["deniers"])
    assert "navy-denies-holding" in statement_ids(state["statements"])


def test_record_on_stdin_without_id_gets_a_new_one(seized: ExampleLedger) -> None:
    record = {
        "incident": INCIDENT,
        "speaker": "pirate-group",
        "kind": "comment",
        "stated_at": "2021-06-21",
        "paraphrase": "The raiders said nothing of substance.",
    }
    result = seized.cli("record", "--json", input=json.dumps(record))
    ok(result)
    (slug,) = json_of(result)["ids"]
    assert slug.startswith("st-")
    assert provenance_json(seized, slug)["statement"]["speaker"] == "pirate-group"


# -- correct, withdraw, grade ----------------------------------------------------------


def test_correct_is_visible_in_state_provenance_and_history(
    seized: ExampleLedger,
) -> None:
    result = seized.cli(
        "correct",
        "coastalia-denies",
        "--field", "quote",
        "--value", "Our navy was in port; we hold no one at all.",
        "--reason", "misquoted; checked against the broadcast",
        "--id", "cx-quote",
        "--json",
    )  # fmt: skip
    ok(result)
    assert json_of(result)["new"] == {"correction": 1}

    state = state_json(seized)
    denier = next(
        e
        for e in claim_of(state, "coastalia-holds-crew")["deniers"]
        if e["statement"] == "coastalia-denies"
    )
    assert denier["quote"] == "Our navy was in port; we hold no one at all."

    statement = provenance_json(seized, "coastalia-denies")["statement"]
    assert statement["quote"] == "Our navy was in port; we hold no one at all."
    (correction,) = statement["corrections"]
    assert correction["field"] == "quote"
    assert correction["before"] == "Our navy was in port; we hold no one."
    assert correction["after"] == "Our navy was in port; we hold no one at all."
    assert correction["reason"] == "misquoted; checked against the broadcast"
    assert correction["recorded_by"] == seized.recorded_by
    assert [e["type"] for e in statement["events"]] == [
        "Statement.Recorded",
        "Statement.Corrected",
    ]

    events = history_json(seized, INCIDENT)["events"]
    corrected = [e for e in events if e["type"] == "Statement.Corrected"]
    assert len(corrected) == 1
    assert corrected[0]["subject"] == "coastalia-denies"
    assert corrected[0]["detail"]["before"] == "Our navy was in port; we hold no one."


def test_correct_a_list_field_with_json(seized: ExampleLedger) -> None:
    result = seized.cli(
        "correct",
        "crew-corroborates",
        "--field", "claims",
        "--value", '[{"claim": "tanker-was-seized"}]',
        "--reason", "the crew member spoke of the boarding, not of the crew",
    )  # fmt: skip
    ok(result)
    state = state_json(seized)
    assert "crew-corroborates" in statement_ids(
        claim_of(state, "tanker-was-seized")["supporters"]
    )
    assert "crew-corroborates" not in statement_ids(
        claim_of(state, "coastalia-holds-crew")["supporters"]
    )


def test_withdraw_removes_from_state_but_stays_in_history(
    seized: ExampleLedger,
) -> None:
    before = state_json(seized)
    assert before["counts"]["withdrawn"] == 0
    result = seized.cli(
        "withdraw", "crew-corroborates", "--reason", "entered in error", "--json"
    )
    ok(result)
    assert json_of(result)["new"] == {"withdrawal": 1}

    state = state_json(seized)
    assert state["counts"]["withdrawn"] == 1
    assert state["counts"]["statements"] == before["counts"]["statements"] - 1
    assert "crew-corroborates" not in statement_ids(state["statements"])
    holds = claim_of(state, "coastalia-holds-crew")
    assert "crew-corroborates" not in statement_ids(holds["supporters"])

    statement = provenance_json(seized, "crew-corroborates")["statement"]
    assert statement["withdrawn"] is True
    assert [e["type"] for e in statement["events"]] == [
        "Statement.Recorded",
        "Statement.Withdrawn",
    ]
    events = history_json(seized, INCIDENT)["events"]
    assert [e["type"] for e in events if e["subject"] == "crew-corroborates"] == [
        "Statement.Recorded",
        "Statement.Withdrawn",
    ]


def test_grade_appears_in_provenance(seized: ExampleLedger) -> None:
    result = seized.cli(
        "grade",
        "agency-attribution",
        "--reliability", "B",
        "--credibility", "2",
        "--reason", "agency has a good record",
    )  # fmt: skip
    ok(result)
    statement = provenance_json(seized, "agency-attribution")["statement"]
    (grade,) = statement["grades"]
    assert grade["reliability"] == "B"
    assert grade["credibility"] == 2
    assert grade["reason"] == "agency has a good record"
    assert grade["recorded_by"] == seized.recorded_by
    assert statement["events"][-1]["type"] == "Statement.Graded"


def test_changes_appear_in_history_in_ledger_order(seized: ExampleLedger) -> None:
    ok(
        seized.cli(
            "correct", "owner-demands-release", "--field", "stated_at",
            "--value", "2021-06-04", "--reason", "date found in the press release",
        )
    )  # fmt: skip
    ok(seized.cli("withdraw", "crew-corroborates", "--reason", "duplicate"))
    ok(seized.cli("grade", "agency-attribution", "--reliability", "C"))

    events = history_json(seized, INCIDENT)["events"]
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs)
    assert len(set(seqs)) == len(seqs)
    for event in events:
        assert HEX64.match(event["hash"]), event
        assert event["recorded_by"]
        assert event["recorded_at"]
    changes = [
        (e["type"], e["subject"])
        for e in events
        if e["type"]
        in ("Statement.Corrected", "Statement.Withdrawn", "Statement.Graded")
    ]
    assert changes == [
        ("Statement.Corrected", "owner-demands-release"),
        ("Statement.Withdrawn", "crew-corroborates"),
        ("Statement.Graded", "agency-attribution"),
    ]
    assert events[-1]["type"] == "Statement.Graded"
    assert seized.count_events() == seized.events_before + 3


# -- replay: --as-of and --known-at ----------------------------------------------------


def test_state_as_of_before_june_keeps_only_the_report(seized: ExampleLedger) -> None:
    state = state_json(seized, "--as-of", "2021-05-31")
    assert state["as_of"] == "2021-05-31"
    assert statement_ids(state["statements"]) == ["owner-reports-seizure"]
    assert state["undetermined"] == []
    assert claim_of(state, "tanker-was-seized")["status"] == "uncontested"
    assert claim_of(state, "coastalia-holds-crew")["status"] == "absent"
    assert state["demands"] == []


def test_state_as_of_straddling_date_lists_undetermined(seized: ExampleLedger) -> None:
    state = state_json(seized, "--as-of", "2021-06-10")
    assert statement_ids(state["statements"]) == ["owner-reports-seizure"]
    assert sorted(statement_ids(state["undetermined"])) == sorted(
        [
            "agency-attribution",
            "owner-demands-release",
            "coastalia-denies",
            "crew-corroborates",
        ]
    )
    assert state["counts"]["undetermined"] == 4
    # Undetermined statements count neither for nor against a claim, and a
    # claim they could change says so (issue 10 §4).
    claim = claim_of(state, "seized-by-navy-or-raiders")
    assert claim["status"] == "undetermined"
    assert claim["supporters"] == [] and claim["deniers"] == []
    assert claim["pending"]["if_none"] == "absent"
    assert claim["pending"]["if_all"] != "absent"


def test_state_as_of_end_of_june_has_everything(seized: ExampleLedger) -> None:
    state = state_json(seized, "--as-of", "2021-06")
    assert len(state["statements"]) == 5
    assert state["undetermined"] == []
    assert claim_of(state, "seized-by-navy-or-raiders")["status"] == "contested"


def _correct_quote_after_capturing_moment(ledger: ExampleLedger) -> tuple[str, int]:
    time.sleep(0.05)
    instant = datetime.now(UTC).isoformat()
    seq = ledger.count_events()
    time.sleep(0.05)
    ok(
        ledger.cli(
            "correct", "coastalia-denies", "--field", "quote",
            "--value", "We hold no one.", "--reason", "the first quote was a summary",
        )
    )  # fmt: skip
    return instant, seq


def _denial_quote(state: dict) -> str:
    claim = claim_of(state, "coastalia-holds-crew")
    return next(
        e["quote"] for e in claim["deniers"] if e["statement"] == "coastalia-denies"
    )


def test_known_at_before_a_correction_shows_the_old_value(
    seized: ExampleLedger,
) -> None:
    instant, _ = _correct_quote_after_capturing_moment(seized)
    assert _denial_quote(state_json(seized)) == "We hold no one."
    then = state_json(seized, "--known-at", instant)
    assert _denial_quote(then) == "Our navy was in port; we hold no one."
    assert then["known_at"] is not None

    statement = provenance_json(seized, "coastalia-denies", "--known-at", instant)
    assert statement["statement"]["quote"] == "Our navy was in port; we hold no one."
    assert statement["statement"]["corrections"] == []


def test_known_at_sequence_number(seized: ExampleLedger) -> None:
    _, seq = _correct_quote_after_capturing_moment(seized)
    then = state_json(seized, "--known-at", f"seq:{seq}")
    assert then["known_at_seq"] == seq
    assert _denial_quote(then) == "Our navy was in port; we hold no one."
    now = state_json(seized, "--known-at", f"seq:{seq + 1}")
    assert _denial_quote(now) == "We hold no one."

    events = history_json(seized, INCIDENT, "--known-at", f"seq:{seq}")["events"]
    assert events and all(e["seq"] <= seq for e in events)
    assert "Statement.Corrected" not in [e["type"] for e in events]


def test_as_of_and_known_at_together(seized: ExampleLedger) -> None:
    instant, _ = _correct_quote_after_capturing_moment(seized)
    # The correction also moves the denial's date; known_at before it keeps the old one.
    ok(
        seized.cli(
            "correct", "coastalia-denies", "--field", "stated_at",
            "--value", "2021-05-20", "--reason", "the denial came earlier",
        )
    )  # fmt: skip
    now = state_json(seized, "--as-of", "2021-05-31")
    assert "coastalia-denies" in statement_ids(now["statements"])
    assert _denial_quote(now) == "We hold no one."

    then = state_json(seized, "--as-of", "2021-05-31", "--known-at", instant)
    assert then["as_of"] == "2021-05-31"
    assert then["known_at"] is not None
    assert statement_ids(then["statements"]) == ["owner-reports-seizure"]
    assert "coastalia-denies" not in statement_ids(then["undetermined"])

    straddling = state_json(seized, "--as-of", "2021-06-10", "--known-at", instant)
    assert "coastalia-denies" in statement_ids(straddling["undetermined"])


def test_history_as_of_drops_later_and_flags_straddling(seized: ExampleLedger) -> None:
    before_june = history_json(seized, INCIDENT, "--as-of", "2021-05-31")["events"]
    subjects = [e["subject"] for e in before_june]
    assert "owner-reports-seizure" in subjects
    for later in ("agency-attribution", "coastalia-denies", "crew-corroborates"):
        assert later not in subjects
    assert not any(e.get("undetermined") for e in before_june)

    mid_june = history_json(seized, INCIDENT, "--as-of", "2021-06-10")["events"]
    flags = {e["subject"]: e.get("undetermined") for e in mid_june}
    assert flags["agency-attribution"] is True
    assert flags["crew-corroborates"] is True
    assert flags["owner-reports-seizure"] is False


def test_history_as_of_without_incident_still_applies_the_date(
    seized: ExampleLedger,
) -> None:
    """``--as-of`` is accepted without an incident and echoed back: it must filter."""
    data = history_json(seized, "--as-of", "2021-05-31")
    assert data["as_of"] == "2021-05-31"
    subjects = [e["subject"] for e in data["events"]]
    assert "owner-reports-seizure" in subjects
    assert "agency-attribution" not in subjects
    assert "coastalia-denies" not in subjects


def test_history_without_incident_lists_the_whole_ledger(seized: ExampleLedger) -> None:
    data = history_json(seized)
    assert data["incident"] is None
    events = data["events"]
    assert len(events) == seized.count_events()
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    types = {e["type"] for e in events}
    assert {"Incident.Opened", "Claim.Defined", "Statement.Recorded"} <= types
    # Actors belong to no incident, yet the whole ledger lists them.
    assert "wire-service" in {e["subject"] for e in events}
    only_incident = history_json(seized, INCIDENT)["events"]
    assert len(only_incident) < len(events)
    assert all(e["incident"] == INCIDENT for e in only_incident)


# -- provenance ------------------------------------------------------------------------


def test_provenance_of_a_claim(seized: ExampleLedger) -> None:
    data = provenance_json(seized, "coastalia-holds-crew")
    assert data["claim"]["id"] == "coastalia-holds-crew"
    assert data["claim"]["incident"] == INCIDENT
    assert data["claim"]["status"] == "contested"
    assert data["claim"]["recorded_by"] == seized.recorded_by
    assert sorted(s["id"] for s in data["statements"]) == sorted(
        ["owner-demands-release", "crew-corroborates", "coastalia-denies"]
    )
    for statement in data["statements"]:
        assert statement["chain"][0]["agent"] == statement["speaker"]
        assert statement["chain"][0]["relation"] == "said"


def test_provenance_of_a_statement_starts_with_the_speaker(
    seized: ExampleLedger,
) -> None:
    statement = provenance_json(seized, "owner-reports-seizure")["statement"]
    assert statement["id"] == "owner-reports-seizure"
    assert statement["speaker"] == "shipowner"
    assert statement["speaker_name"] == "Meridian Shipping"
    chain = statement["chain"]
    assert [(h["agent"], h["relation"]) for h in chain] == [
        ("shipowner", "said"),
        ("wire-service", "told"),
        ("daily-paper", "reported"),
    ]
    document = chain[2]["document"]
    assert document["outlet_name"] == "The Example Daily"
    assert document["content_hash"].startswith("sha256:")
    assert statement["withdrawn"] is False
    assert statement["grades"] == [] and statement["corrections"] == []
    (event,) = statement["events"]
    assert event["type"] == "Statement.Recorded"
    assert HEX64.match(event["hash"])


def test_provenance_tables_render_for_people(seized: ExampleLedger) -> None:
    ok(seized.cli("grade", "agency-attribution", "--reliability", "B"))
    for args in (
        ("provenance", "agency-attribution"),
        ("provenance", "seized-by-navy-or-raiders"),
        ("state", INCIDENT),
        ("state", INCIDENT, "--as-of", "2021-06-10"),
        ("history", INCIDENT),
        ("history",),
        ("incidents",),
    ):
        result = seized.cli(*args)
        ok(result)
        assert result.output.strip(), args


# -- rebuild and incidents -------------------------------------------------------------


def test_rebuild_gives_the_same_answers(seized: ExampleLedger) -> None:
    ok(seized.cli("correct", "coastalia-denies", "--field", "hedging",
                  "--value", "firmly", "--reason", "as broadcast"))  # fmt: skip
    ok(seized.cli("withdraw", "crew-corroborates", "--reason", "duplicate"))
    ok(seized.cli("grade", "agency-attribution", "--credibility", "3"))
    questions = [
        ("state", INCIDENT, "--json"),
        ("state", INCIDENT, "--json", "--as-of", "2021-06-10"),
        ("history", INCIDENT, "--json"),
        ("history", "--json"),
        ("provenance", "coastalia-denies", "--json"),
        ("provenance", "coastalia-holds-crew", "--json"),
    ]
    before = [seized.cli(*q).output for q in questions]
    rebuilt = seized.cli("rebuild")
    ok(rebuilt)
    assert f"from {seized.count_events()} events" in rebuilt.output
    after = [seized.cli(*q).output for q in questions]
    for question, old, new in zip(questions, before, after, strict=True):
        assert json.loads(old) == json.loads(new), question


def test_incidents_json(seized: ExampleLedger) -> None:
    result = seized.cli("incidents", "--json")
    ok(result)
    (incident,) = json_of(result)
    assert incident["id"] == INCIDENT
    assert incident["title"] == "Tanker boarded and seized in a strait"
    assert incident["occurred_at"] == "2021-05-03"
    assert incident["place"] == "Strait of Example"
    assert incident["claims"] == 3
    assert incident["statements"] == 5
    assert incident["recorded_by"] == seized.recorded_by


def test_incidents_json_on_an_empty_ledger(tmp_path: Path) -> None:
    ledger = ExampleLedger.new(tmp_path)
    result = ledger.cli("incidents", "--json")
    ok(result)
    assert json_of(result) == []


# -- the real process ------------------------------------------------------------------


def test_real_process_state_json_on_stdout(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'l.db'}"
    assert run_ledger("--db", url, "init", cwd=tmp_path).returncode == 0
    assert run_ledger("--db", url, "import", str(EXAMPLE), cwd=tmp_path).returncode == 0
    result = run_ledger("--db", url, "state", INCIDENT, "--json", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr == ""
    assert json.loads(result.stdout)["incident"]["id"] == INCIDENT


def test_version_option(tmp_path: Path) -> None:
    result = run_ledger("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert "version" in result.stdout


# -- demo ------------------------------------------------------------------------------

DEMO_SECTIONS = ("The current state", "The audit history", "Provenance of claim")


def test_demo_runs_with_replay_sections(tmp_path: Path) -> None:
    example = tmp_path / "seizure.jsonl"
    shutil.copy(EXAMPLE, example)
    sidecar = {"incident": INCIDENT, "as_of": ["2021-05-31", "2021-06-10"]}
    (tmp_path / "seizure.demo.json").write_text(json.dumps(sidecar))
    started = time.perf_counter()
    result = run_ledger("demo", "--example", str(example), cwd=tmp_path)
    elapsed = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert elapsed < 30
    out = result.stdout
    for heading in DEMO_SECTIONS:
        assert heading in out
    assert "Replay: what had been stated as of 2021-05-31" in out
    assert "Replay: what had been stated as of 2021-06-10" in out
    assert out.index("The current state") < out.index("Replay")
    assert out.index("Replay") < out.index("The audit history")
    assert out.index("The audit history") < out.index("Provenance of claim")
    assert "Provenance of claim seized-by-navy-or-raiders" in out
    assert "demo finished" in out
    # A throwaway ledger: nothing is left in the working directory.
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "seizure.demo.json",
        "seizure.jsonl",
    ]


def test_demo_without_sidecar_shows_state_history_provenance(tmp_path: Path) -> None:
    example = ROOT / "examples" / "libya-drone.jsonl"
    args = ["demo"] if example.exists() else ["demo", "--example", str(EXAMPLE)]
    started = time.perf_counter()
    result = run_ledger(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert time.perf_counter() - started < 30
    assert "Traceback" not in result.stdout + result.stderr
    for heading in DEMO_SECTIONS:
        assert heading in result.stdout
    assert not (tmp_path / "ledger.db").exists()


SEIZURE_CORRECTION = {
    "id": "demo-hedging-fix",
    "statement": "agency-attribution",
    "field": "hedging",
    "value": "assesses with low confidence",
    "reason": "the report says low, not moderate",
}


def _seizure_demo(tmp_path: Path, **sidecar: object) -> Path:
    example = tmp_path / "seizure.jsonl"
    shutil.copy(EXAMPLE, example)
    (tmp_path / "seizure.demo.json").write_text(json.dumps(sidecar))
    return example


def test_demo_announces_its_correction_before_history_shows_it(
    tmp_path: Path,
) -> None:
    example = _seizure_demo(tmp_path, incident=INCIDENT, correction=SEIZURE_CORRECTION)
    result = run_ledger("demo", "--example", str(example), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    announced = out.index("A correction, recorded after the import")
    assert announced < out.index("The audit history")
    told = out[announced : out.index("1. The current state")]
    # What is corrected, by whom, why, and that it is a new event.
    assert "ledger-demo corrects statement agency-attribution" in told
    assert "field: hedging" in told
    assert "was: assesses with moderate confidence" in told
    assert "now: assesses with low confidence" in told
    assert "why: the report says low, not moderate" in told
    assert "new event" in told


def test_demo_ends_with_the_integrity_walk(tmp_path: Path) -> None:
    example = _seizure_demo(tmp_path, incident=INCIDENT)
    result = run_ledger("demo", "--example", str(example), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    walk = out.index("Integrity: checkpoint, verify, audit bundle, verify-bundle")
    assert out.index("Provenance of claim") < walk < out.index("demo finished")
    steps = [line.split(":")[0] for line in out[walk:].splitlines()[1:5]]
    expected = ["checkpoint", "verify", f"audit-bundle {INCIDENT}", "verify-bundle"]
    assert steps == expected
    assert "1 checkpoint recomputed: all as recorded and signed" in out
    assert "the signature, every proof and the state check out" in out


def test_demo_never_prints_the_path_of_its_throwaway_ledger(tmp_path: Path) -> None:
    example = _seizure_demo(tmp_path, incident=INCIDENT)
    # Not even when LEDGER_KEY_PATH names a key: a throwaway ledger gets its own.
    env = clean_env(LEDGER_KEY_PATH=str(tmp_path / "mine.key"))
    result = run_ledger("demo", "--example", str(example), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "ledger-demo-" not in result.stdout + result.stderr
    assert tempfile.gettempdir() not in result.stdout + result.stderr
    assert "sqlite:" not in result.stdout
    assert "into a throwaway ledger (deleted when the demo ends)" in result.stdout
    assert "the throwaway ledger is deleted" in result.stdout
    assert not (tmp_path / "mine.key").exists()


def test_demo_whose_integrity_check_fails_exits_3_with_the_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def tampered(self, *args, **kwargs) -> Report:
        return Report(events=1, findings=[Finding("event 1 differs (test)", 1)])

    monkeypatch.setattr(Integrity, "verify", tampered)
    example = _seizure_demo(tmp_path, incident=INCIDENT)
    result = CliRunner().invoke(main, ["demo", "--example", str(example)])
    assert result.exit_code == 3, result.output
    assert "FAILED: event 1 differs (test)" in result.output
    assert "demo finished" not in result.output


def test_demo_in_a_given_ledger_says_where_and_leaves_it_verifiable(
    tmp_path: Path,
) -> None:
    ledger = ExampleLedger.new(tmp_path)
    example = _seizure_demo(tmp_path, incident=INCIDENT, correction=SEIZURE_CORRECTION)
    result = ledger.cli("demo", "--example", str(example))
    ok(result)
    assert f"Imported seizure.jsonl into {ledger.url}" in result.output
    assert f"signing key created at {ledger.key}" in result.output
    assert "throwaway" not in result.output
    verified = ledger.cli("verify")
    ok(verified)
    assert "and 1 checkpoint: every stored event matches" in verified.output


# -- tables for people print what was recorded, verbatim -------------------------------


def _bracketed(title: str, quote: str) -> list[dict]:
    return [
        {"type": "incident", "id": "port-raid", "title": title},
        {"type": "actor", "id": "harbour-office", "name": "Harbour Office",
         "kind": "organisation"},
        {"type": "claim", "id": "pier-was-raided", "incident": "port-raid",
         "proposition": "Pier 4 was raided [sic]"},
        {"type": "statement", "id": "office-reports-raid", "incident": "port-raid",
         "speaker": "harbour-office", "kind": "report", "stated_at": "2022-02-01",
         "claims": [{"claim": "pier-was-raided"}], "hedging": "[probably]",
         "quote": quote},
    ]  # fmt: skip


def _ledger_with(tmp_path: Path, records: list[dict]) -> ExampleLedger:
    ledger = ExampleLedger.new(tmp_path)
    path = tmp_path / "raid.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    ok(ledger.cli("import", str(path)))
    return ledger


def test_human_output_keeps_editorial_brackets(tmp_path: Path) -> None:
    """Quotes carry editorial brackets ("[sic]"); the tables must not drop them."""
    ledger = _ledger_with(
        tmp_path, _bracketed("Raid on pier 4", "[The raiders] came at night [sic].")
    )
    expectations = {
        ("state", "port-raid"): [
            "Pier 4 was raided [sic]",
            "Harbour Office ([probably]) [2022-02-01]",
        ],
        ("provenance", "office-reports-raid"): [
            "quote: [The raiders] came at night [sic].",
            "hedging: [probably]",
        ],
        ("provenance", "pier-was-raided"): ["Pier 4 was raided [sic]"],
    }
    for args, texts in expectations.items():
        result = ledger.cli(*args)
        ok(result)
        for text in texts:
            assert text in result.output, (args, text, result.output)


def test_human_output_survives_text_that_looks_like_a_closing_tag(
    tmp_path: Path,
) -> None:
    """Recorded text such as "[/b]" must not crash the tables (exit 0, no traceback)."""
    ledger = _ledger_with(
        tmp_path, _bracketed("Raid on [/b] pier 4", "They came at night [/i].")
    )
    ok(
        ledger.cli(
            "correct", "office-reports-raid", "--field", "quote",
            "--value", "They came [/i] by night.", "--reason", "re-checked",
        )
    )  # fmt: skip
    expectations = {
        ("incidents",): "Raid on [/b] pier 4",
        ("state", "port-raid"): "Raid on [/b] pier 4",
        ("provenance", "office-reports-raid"): "They came [/i] by night.",
        ("history", "port-raid"): "[/i]",
    }
    for args, text in expectations.items():
        result = ledger.cli(*args)
        assert "Traceback" not in result.output, args
        assert result.exit_code == 0, (args, result.exception)
        assert text in " ".join(result.output.split()), (args, result.output)
