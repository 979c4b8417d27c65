"""One speech act, several stances (issue 10 §1), on both backends.

A made-up incident: a coast guard stops a tanker and says "we stopped the tanker,
and it was inside our waters". That one denial denies that the tanker was in
international waters and supports that the coast guard stopped it. The state,
the counts and the provenance follow the stances; a denial that denies nothing
is refused with the line and field named, and nothing is written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.web_support import new_api
from tests.support import ExampleLedger, speakers

INCIDENT = "tanker-stopped"
STOPPED = "coast-guard-stopped-tanker"
INTL = "tanker-in-international-waters"

BASE = [
    {"type": "incident", "id": INCIDENT, "title": "A tanker stopped off Osterland",
     "occurred_at": "2024-05-01"},
    {"type": "actor", "id": "osterland-coast-guard", "name": "Osterland Coast Guard",
     "kind": "organisation"},
    {"type": "actor", "id": "tanker-owner", "name": "Northwind Tankers",
     "kind": "organisation"},
    {"type": "claim", "id": STOPPED, "incident": INCIDENT,
     "proposition": "The coast guard stopped the tanker"},
    {"type": "claim", "id": INTL, "incident": INCIDENT,
     "proposition": "The tanker was in international waters"},
]  # fmt: skip

ANSWER = {
    "type": "statement", "id": "coast-guard-answers", "incident": INCIDENT,
    "speaker": "osterland-coast-guard", "kind": "denial", "stated_at": "2024-05-02",
    "claims": [{"claim": INTL}, {"claim": STOPPED, "stance": "supports"}],
    "quote": "We stopped the tanker, and it was inside our waters.",
}  # fmt: skip

OWNER = {
    "type": "statement", "id": "owner-reports", "incident": INCIDENT,
    "speaker": "tanker-owner", "kind": "report", "stated_at": "2024-05-01",
    "claims": [{"claim": INTL}],
    "paraphrase": "The owner said the tanker was in international waters.",
}  # fmt: skip


def _write(path: Path, lines: list[dict]) -> Path:
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


def ok(result):
    assert result.exit_code == 0, (result.output, result.exception)
    return result


@pytest.fixture
def stopped(tmp_path) -> ExampleLedger:
    ledger = ExampleLedger.new(tmp_path)
    ok(ledger.cli("import", str(_write(tmp_path / "base.jsonl", BASE))))
    return ledger


def _claim(state: dict, claim: str) -> dict:
    return next(c for c in state["claims"] if c["id"] == claim)


def test_one_statement_supports_one_claim_and_denies_another(stopped, tmp_path):
    ok(stopped.cli("import", str(_write(tmp_path / "a.jsonl", [OWNER, ANSWER]))))
    state = json.loads(ok(stopped.cli("state", INCIDENT, "--json")).output)
    stopped_claim, intl = _claim(state, STOPPED), _claim(state, INTL)
    assert speakers(stopped_claim["supporters"]) == ["osterland-coast-guard"]
    assert stopped_claim["deniers"] == []
    assert stopped_claim["status"] == "uncontested"
    assert speakers(intl["deniers"]) == ["osterland-coast-guard"]
    assert speakers(intl["supporters"]) == ["tanker-owner"]
    assert intl["status"] == "contested"
    # One speech act: counted once, whatever the number of its stances.
    assert state["counts"]["statements"] == 2
    assert [s["statement"] for s in state["statements"]] == [
        "owner-reports",
        "coast-guard-answers",
    ]
    assert state["counts"]["claims"] == {"uncontested": 1, "contested": 1}


def test_provenance_of_each_claim_shows_the_one_statement_and_its_stances(
    stopped, tmp_path
):
    ok(stopped.cli("import", str(_write(tmp_path / "a.jsonl", [ANSWER]))))
    for claim, status in ((STOPPED, "uncontested"), (INTL, "denied")):
        found = json.loads(ok(stopped.cli("provenance", claim, "--json")).output)
        assert found["claim"]["status"] == status
        assert [s["id"] for s in found["statements"]] == ["coast-guard-answers"]
        assert found["statements"][0]["claims"] == [
            {"claim": INTL, "stance": "denies"},
            {"claim": STOPPED, "stance": "supports"},
        ]


def test_an_admission_that_also_denies_admits_only_what_it_supports(stopped, tmp_path):
    admission = {
        **ANSWER,
        "id": "coast-guard-admits",
        "kind": "admission",
        "claims": [{"claim": STOPPED}, {"claim": INTL, "stance": "denies"}],
    }
    ok(stopped.cli("import", str(_write(tmp_path / "a.jsonl", [OWNER, admission]))))
    state = json.loads(ok(stopped.cli("state", INCIDENT, "--json")).output)
    assert _claim(state, STOPPED)["status"] == "admitted"
    assert _claim(state, INTL)["status"] == "contested"


@pytest.mark.parametrize(
    ("kind", "stances", "message"),
    [
        ("denial", ["supports", "supports"], "a denial denies"),
        ("admission", ["denies", "denies"], "an admission supports"),
    ],
)
def test_a_denial_or_admission_without_its_main_stance_is_refused_whole(
    stopped, tmp_path, kind, stances, message
):
    bad = {
        **ANSWER,
        "kind": kind,
        "claims": [
            {"claim": STOPPED, "stance": stances[0]},
            {"claim": INTL, "stance": stances[1]},
        ],
    }
    before = stopped.count_events()
    path = _write(tmp_path / "bad.jsonl", [OWNER, bad])
    result = stopped.cli("import", str(path))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert f"{path}:2: claims: {message} at least one of its claims" in result.output
    assert stopped.count_events() == before


def test_a_correction_that_leaves_a_denial_denying_nothing_is_refused(
    stopped, tmp_path
):
    ok(stopped.cli("import", str(_write(tmp_path / "a.jsonl", [ANSWER]))))
    before = stopped.count_events()
    result = stopped.cli(
        "correct", "coast-guard-answers", "--field", "claims",
        "--value", f"{STOPPED}=supports,{INTL}=supports", "--reason", "misread",
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "claims" in result.output and "denies at least one" in result.output
    assert stopped.count_events() == before


def test_the_command_line_records_a_denial_with_several_stances(stopped):
    ok(
        stopped.cli(
            "record",
            "--incident",
            INCIDENT,
            "--id",
            "cg-said",
            "--speaker",
            "osterland-coast-guard",
            "--kind",
            "denial",
            "--stated-at",
            "2024-05-02",
            "--claim",
            INTL,
            "--claim",
            f"{STOPPED}=supports",
            "--quote",
            "Inside our waters.",
        )  # fmt: skip
    )
    state = stopped.state(INCIDENT)
    assert _claim(state, STOPPED)["status"] == "uncontested"
    assert _claim(state, INTL)["status"] == "denied"
    assert state["counts"]["statements"] == 1


# -- over HTTP -------------------------------------------------------------------


@pytest.fixture
def api(tmp_path):
    api = new_api(tmp_path)
    response = api.call("POST", "/api/records", "recorder", json=BASE)
    assert response.status_code == 200, response.get_data(True)
    yield api
    api.close()


def test_post_statements_records_a_denial_that_also_supports(api):
    body = {k: v for k, v in ANSWER.items() if k != "type"}
    response = api.call("POST", "/api/statements", "recorder", json=body)
    assert response.status_code == 200, response.get_data(True)
    state = api.call("GET", f"/api/incidents/{INCIDENT}/state", "reader").get_json()
    assert _claim(state, STOPPED)["status"] == "uncontested"
    assert _claim(state, INTL)["status"] == "denied"
    assert state["counts"]["statements"] == 1


@pytest.mark.parametrize("path", ["/api/records", "/api/statements"])
def test_a_denial_that_denies_nothing_is_refused_over_http(api, path):
    bad = {**ANSWER, "claims": [{"claim": STOPPED, "stance": "supports"}]}
    if path == "/api/statements":
        bad = {k: v for k, v in bad.items() if k != "type"}
    else:
        bad = [bad]
    before = api.ledger.count_events()
    response = api.call("POST", path, "recorder", json=bad)
    assert response.status_code == 422, response.get_data(True)
    errors = response.get_json()["errors"]
    assert [(e["field"], e["message"]) for e in errors] == [
        ("claims", "a denial denies at least one of its claims")
    ]
    assert api.ledger.count_events() == before
