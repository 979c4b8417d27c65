"""Retractions of retractions, and local days (issue 10 §3), on both backends.

A made-up incident: a ferry held in a harbour in Manila. Its port authority
reports, retracts, and retracts its retraction; its statements are dated in
Manila days.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ledger.cli.main import main
from ledger.integrity.keys import public_path
from tests.integration.web_support import new_api
from tests.support import ExampleLedger

INCIDENT = "ferry-held"
CLAIM = "ferry-was-held"

BASE = [
    {"type": "incident", "id": INCIDENT, "title": "A ferry held in harbour"},
    {"type": "actor", "id": "port-authority", "name": "Port Authority",
     "kind": "organisation"},
    {"type": "claim", "id": CLAIM, "incident": INCIDENT,
     "proposition": "The ferry was held in harbour"},
]  # fmt: skip


def statement(slug: str, stated_at: str, **fields) -> dict:
    record = {
        "type": "statement", "id": slug, "incident": INCIDENT,
        "speaker": "port-authority", "kind": "report", "stated_at": stated_at,
        "claims": [{"claim": CLAIM}], "paraphrase": f"The authority said ({slug}).",
    }  # fmt: skip
    record.update(fields)
    return {k: v for k, v in record.items() if v is not None}


def retraction(slug: str, stated_at: str, target: str) -> dict:
    return statement(slug, stated_at, kind="retraction", claims=None, retracts=target)


S1 = statement("s1", "2019-03-01")
R1 = retraction("r1", "2019-03-02", "s1")
R2 = retraction("r2", "2019-03-05", "r1")


def _write(path: Path, lines: list[dict]) -> Path:
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


def ok(result):
    assert result.exit_code == 0, (result.output, result.exception)
    assert "Traceback" not in result.output
    return result


def refused(result, exit_code: int = 1) -> str:
    assert result.exit_code == exit_code, (result.output, result.exception)
    assert "Traceback" not in result.output
    return result.output


def imported(tmp_path, lines: list[dict], name: str = "lines.jsonl") -> ExampleLedger:
    ledger = ExampleLedger.new(tmp_path)
    ok(ledger.cli("import", str(_write(tmp_path / name, lines))))
    return ledger


def state(ledger: ExampleLedger, *options: str) -> dict:
    return json.loads(ok(ledger.cli("state", INCIDENT, "--json", *options)).output)


def status(ledger: ExampleLedger, *options: str) -> str:
    return state(ledger, *options)["claims"][0]["status"]


# -- retractions of retractions ---------------------------------------------------


def test_a_retracted_retraction_no_longer_retracts(tmp_path):
    ledger = imported(tmp_path, [*BASE, S1, R1, R2])
    found = state(ledger)
    row = found["claims"][0]
    assert row["status"] == "uncontested"
    assert [e["statement"] for e in row["supporters"]] == ["s1"]
    assert row["retracted"] == []
    assert found["counts"]["retracted"] == 1
    # Before r2 was stated, r1 retracted s1.
    assert status(ledger, "--as-of", "2019-03-03") == "retracted"


def test_a_retraction_cycle_is_refused_with_its_statements_named(tmp_path):
    ledger = imported(tmp_path, BASE)
    before = ledger.count_events()
    cycle = [
        S1,
        retraction("r1", "2019-03-02", "r2"),
        retraction("r2", "2019-03-03", "r1"),
    ]
    path = _write(tmp_path / "cycle.jsonl", cycle)
    output = refused(ledger.cli("import", str(path)))
    assert f"{path}:2: retracts: retractions in a cycle: r1 -> r2 -> r1" in output
    assert ledger.count_events() == before


def test_a_longer_cycle_is_reported_once(tmp_path):
    ledger = imported(tmp_path, BASE)
    cycle = [
        retraction("r1", "2019-03-02", "r2"),
        retraction("r2", "2019-03-03", "r3"),
        retraction("r3", "2019-03-04", "r1"),
    ]
    path = _write(tmp_path / "cycle.jsonl", cycle)
    output = refused(ledger.cli("import", str(path)))
    assert output.count("retractions in a cycle") == 1
    assert "r1 -> r2 -> r3 -> r1" in output


def test_a_correction_that_would_close_a_cycle_is_refused(tmp_path):
    ledger = imported(tmp_path, [*BASE, S1, R1, R2])
    before = ledger.count_events()
    output = refused(
        ledger.cli(
            "correct",
            "r1",
            "--field",
            "retracts",
            "--value",
            "r2",
            "--reason",
            "misread",
        )  # fmt: skip
    )
    assert "retracts: retractions in a cycle: r1 -> r2 -> r1" in output
    assert ledger.count_events() == before


def test_a_cycle_against_recorded_statements_is_refused(tmp_path):
    ledger = imported(tmp_path, [*BASE, S1, R1])
    before = ledger.count_events()
    # r1 is recorded; a new r2 retracts it while a correction turns r1 on r2.
    path = _write(
        tmp_path / "more.jsonl",
        [
            R2,
            {"type": "correction", "id": "fix-r1", "statement": "r1",
             "field": "retracts", "value": "r2", "reason": "misread"},
        ],
    )  # fmt: skip
    output = refused(ledger.cli("import", str(path)))
    assert "retractions in a cycle" in output
    assert ledger.count_events() == before


# -- local days -------------------------------------------------------------------


def test_a_statement_in_a_manila_day_counts_as_of_that_manila_day(tmp_path):
    ledger = imported(tmp_path, [*BASE, statement("s1", "2019-03-03[Asia/Manila]")])
    # The Manila day ended at 16:00 UTC on 3 March: by the UTC day, and by itself.
    assert status(ledger, "--as-of", "2019-03-03") == "uncontested"
    assert status(ledger, "--as-of", "2019-03-03[Asia/Manila]") == "uncontested"
    # It began at 16:00 UTC on 2 March: undetermined as of the UTC 2 March.
    found = state(ledger, "--as-of", "2019-03-02")
    assert [e["statement"] for e in found["undetermined"]] == ["s1"]
    assert found["as_of"] == "2019-03-02"
    assert status(ledger, "--as-of", "2019-03-02[Asia/Manila]") == "absent"


def test_a_utc_day_is_undetermined_as_of_the_manila_day_of_that_date(tmp_path):
    ledger = imported(tmp_path, [*BASE, statement("s1", "2019-03-03")])
    found = state(ledger, "--as-of", "2019-03-03[Asia/Manila]")
    assert found["as_of"] == "2019-03-03[Asia/Manila]"
    assert [e["statement"] for e in found["undetermined"]] == ["s1"]
    assert status(ledger, "--as-of", "2019-03-03") == "uncontested"


def test_the_incidents_time_zone_is_the_default_of_its_statements(tmp_path):
    zoned = {**BASE[0], "time_zone": "Asia/Manila"}
    lines = [zoned, *BASE[1:], statement("s1", "2019-03-03"),
             statement("s2", "2019-03-04[UTC]", claims=[{"claim": CLAIM}])]  # fmt: skip
    ledger = imported(tmp_path, lines)
    found = state(ledger, "--as-of", "2019-03-02")
    assert [e["statement"] for e in found["undetermined"]] == ["s1"]
    found = state(ledger, "--as-of", "2019-03-03[Asia/Manila]")
    assert [e["statement"] for e in found["statements"]] == ["s1"]
    # s2 keeps its own zone: the UTC day of 4 March, not Manila's.
    found = state(ledger, "--as-of", "2019-03-04[Asia/Manila]")
    assert [e["statement"] for e in found["undetermined"]] == ["s2"]
    # History as of a date follows the same zones.
    history = json.loads(
        ok(ledger.cli("history", INCIDENT, "--json", "--as-of", "2019-03-02")).output
    )
    marked = {e["subject"]: e["undetermined"] for e in history["events"]}
    assert marked["s1"] is True and "s2" not in marked


def test_an_audit_bundle_of_a_zoned_incident_verifies(tmp_path):
    zoned = {**BASE[0], "time_zone": "Asia/Manila"}
    ledger = imported(tmp_path, [zoned, *BASE[1:], statement("s1", "2019-03-03")])
    ok(ledger.cli("init"))  # makes the signing key
    bundle = tmp_path / "ferry.bundle.json"
    ok(
        ledger.cli(
            "audit-bundle", INCIDENT, "--as-of", "2019-03-02", "--output", str(bundle)
        )
    )
    kept = json.loads(bundle.read_text())["state"]
    assert [e["statement"] for e in kept["undetermined"]] == ["s1"]
    result = CliRunner().invoke(
        main, ["verify-bundle", str(bundle), "--key", str(public_path(ledger.key))]
    )
    ok(result)
    assert "verifies" in result.output


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (statement("s1", "2019-03-03[Asia/Manilla]"),
         "stated_at: unknown time zone 'Asia/Manilla' (an IANA name; "
         "did you mean Asia/Manila?)"),
        ({**BASE[0], "id": "other", "time_zone": "Manila"},
         "time_zone: unknown time zone 'Manila'"),
        (statement("s1", "2019-03-03T10:00+08:00[Asia/Manila]"),
         "stated_at: instant '2019-03-03T10:00+08:00' carries its own offset"),
    ],
)  # fmt: skip
def test_a_bad_time_zone_is_refused_at_its_line_and_field(tmp_path, line, message):
    ledger = imported(tmp_path, BASE)
    before = ledger.count_events()
    path = _write(tmp_path / "bad.jsonl", [line])
    output = refused(ledger.cli("import", str(path)))
    assert f"{path}:1: {message}" in output
    assert ledger.count_events() == before


def test_a_bad_zone_in_as_of_is_a_clear_error(tmp_path):
    ledger = imported(tmp_path, BASE)
    output = ledger.cli("state", INCIDENT, "--as-of", "2019-03-03[Asia/Manilla]")
    assert output.exit_code in (1, 2), output.output
    assert "Traceback" not in output.output
    assert "Asia/Manilla" in output.output


# -- over HTTP --------------------------------------------------------------------


def test_the_api_takes_a_zoned_as_of_and_refuses_an_unknown_zone(tmp_path):
    api = new_api(tmp_path)
    try:
        lines = [*BASE, statement("s1", "2019-03-03[Asia/Manila]")]
        response = api.call("POST", "/api/records", "recorder", json=lines)
        assert response.status_code == 200, response.get_data(True)
        url = f"/api/incidents/{INCIDENT}/state"
        local = api.call("GET", url, "reader", query_string={"as_of": "2019-03-02"})
        assert [e["statement"] for e in local.get_json()["undetermined"]] == ["s1"]
        manila = api.call(
            "GET", url, "reader", query_string={"as_of": "2019-03-03[Asia/Manila]"}
        )
        assert manila.get_json()["as_of"] == "2019-03-03[Asia/Manila]"
        assert manila.get_json()["claims"][0]["status"] == "uncontested"
        bad = api.call(
            "GET", url, "reader", query_string={"as_of": "2019-03-03[Asia/Manilla]"}
        )
        assert bad.status_code in (400, 422), bad.get_data(True)
        assert "Asia/Manilla" in bad.get_data(True)
    finally:
        api.close()
