"""Corrections of incidents, actors and claims, and merges, over HTTP (issue 10
§2): the same service as ``ledger correct --of`` and ``ledger merge``, written
as the token's account, problems as problem+json."""

from __future__ import annotations

import pytest

from tests.integration.test_record_corrections import BASE, CLAIM, INCIDENT
from tests.integration.web_support import new_api


@pytest.fixture
def api(tmp_path):
    api = new_api(tmp_path)
    answer = api.call("POST", "/api/records", "recorder", json=BASE)
    assert answer.status_code == 200, answer.get_json()
    yield api
    api.close()


def speakers(api) -> list[str]:
    state = api.call("GET", f"/api/incidents/{INCIDENT}/state", "reader").get_json()
    return [e["speaker_name"] for e in state["claims"][0]["supporters"]]


def test_a_recorder_corrects_an_actor_a_claim_and_an_incident(api):
    before = api.ledger.count_events()
    for path, body in [
        ("actors/coast-guard", {"field": "name", "value": "Philippine Coast Guard"}),
        (f"claims/{CLAIM}", {"field": "proposition", "value": "It was stopped"}),
        (f"incidents/{INCIDENT}", {"field": "place", "value": "South China Sea"}),
    ]:
        answer = api.call(
            "POST", f"/api/{path}/corrections", "recorder",
            json={**body, "reason": "checked"},
        )  # fmt: skip
        assert answer.status_code == 200, answer.get_json()
        assert answer.get_json()["new"] == {"correction": 1}
    assert speakers(api)[0] == "Philippine Coast Guard"
    state = api.call("GET", f"/api/incidents/{INCIDENT}/state", "reader").get_json()
    assert state["incident"]["place"] == "South China Sea"
    assert state["claims"][0]["proposition"] == "It was stopped"
    then = api.call(
        "GET", f"/api/incidents/{INCIDENT}/state?known_at=seq:{before}", "reader"
    ).get_json()
    assert then["claims"][0]["proposition"] == "The tanker was stopped"
    history = api.call("GET", "/api/history", "reader").get_json()["events"]
    assert {e["recorded_by"] for e in history[-3:]} == {"the-recorder"}


def test_a_merge_over_http_shows_one_actor(api):
    answer = api.call(
        "POST", "/api/actors/national-guard/merges", "recorder",
        json={"into": "Coast Guard", "reason": "one body"},
    )  # fmt: skip
    assert answer.status_code == 200, answer.get_json()
    assert speakers(api) == ["Coast Guard", "Coast Guard"]


@pytest.mark.parametrize(
    "path, body, field",
    [
        (f"claims/{CLAIM}", {"field": "incident", "value": "x", "reason": "r"},
         "field"),
        ("actors/coast-guard", {"field": "kind", "value": "robot", "reason": "r"},
         "value (kind)"),
        ("actors/nobody", {"field": "name", "value": "X", "reason": "r"}, "actor"),
        ("actors/coast-guard", {"field": "name", "value": "X", "reason": "r",
                                "recorded_by": "someone"}, "recorded_by"),
        ("actors/coast-guard", {"field": "name", "reason": "r"}, "value"),
    ],
)  # fmt: skip
def test_bad_corrections_are_problems_naming_the_field(api, path, body, field):
    before = api.ledger.count_events()
    answer = api.call("POST", f"/api/{path}/corrections", "recorder", json=body)
    assert answer.status_code in (404, 409, 422), answer.get_json()
    assert answer.mimetype == "application/problem+json"
    problem = answer.get_json()
    assert field in {e["field"] for e in problem.get("errors", [])}, problem
    assert api.ledger.count_events() == before


def test_a_reader_cannot_correct(api):
    answer = api.call(
        "POST", "/api/actors/coast-guard/corrections", "reader",
        json={"field": "name", "value": "X", "reason": "r"},
    )  # fmt: skip
    assert answer.status_code == 403
