"""Every endpoint of the server under every role, on both backends.

No token or a revoked one gets 401, a role below the endpoint's gets 403, and
the rest get the endpoint's answer; every refusal is problem+json.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.integration.web_support import ROLES, new_api

# method, path, JSON body, the role it needs (None: public), status when allowed
ENDPOINTS = [
    ("GET", "/api/health", None, None, 200),
    ("GET", "/api/ledger", None, "reader", 200),
    ("GET", "/api/me", None, "reader", 200),
    ("GET", "/api/users", None, "admin", 200),
    ("POST", "/api/users", {"name": "newcomer", "role": "reader"}, "admin", 201),
    ("GET", "/api/users/target", None, "admin", 200),
    ("PUT", "/api/users/target/role", {"role": "recorder"}, "admin", 200),
    ("POST", "/api/users/target/tokens", None, "admin", 201),
    ("DELETE", "/api/users/target/tokens", None, "admin", 200),
]
RANK = {"reader": 0, "recorder": 1, "admin": 2}


def expected(needs: str | None, role: str, allowed: int) -> int:
    if needs is None:
        return allowed
    if role in ("none", "revoked"):
        return 401
    return allowed if RANK[role] >= RANK[needs] else 403


@pytest.mark.parametrize(
    "method, path, body, needs, allowed",
    ENDPOINTS,
    ids=[f"{m} {p}" for m, p, *_ in ENDPOINTS],
)
def test_endpoint_under_every_role(tmp_path, method, path, body, needs, allowed):
    api = new_api(tmp_path)
    try:
        for role in ROLES:  # admin last: its writes do not change the others' cases
            response = api.call(method, path, role, json=body)
            want = expected(needs, role, allowed)
            assert response.status_code == want, (role, response.get_data(True))
            if want >= 400:
                assert response.mimetype == "application/problem+json"
                assert response.get_json()["status"] == want
            if want == 401:
                assert response.headers["WWW-Authenticate"].startswith("Bearer")
    finally:
        api.close()


def test_me_and_ledger_answer_for_the_token(tmp_path):
    api = new_api(tmp_path)
    try:
        me = api.call("GET", "/api/me", "recorder").get_json()
        assert (me["name"], me["role"]) == ("the-recorder", "recorder")
        info = api.call("GET", "/api/ledger", "reader").get_json()
        assert info["latest_seq"] == api.ledger.count_events() > 0
        assert info["projected_seq"] == info["latest_seq"]
        assert info["backend"] == api.ledger.backend
    finally:
        api.close()


def test_admin_manages_accounts_recorded_as_the_admin(tmp_path):
    api = new_api(tmp_path)
    try:
        created = api.call("POST", "/api/users", json={"name": "Ana", "role": "reader"})
        assert created.status_code == 201
        token = created.get_json()["token"]
        api.tokens["ana"] = token
        assert api.call("GET", "/api/me", "ana").get_json()["name"] == "Ana"
        assert api.call("GET", "/api/users", "ana").status_code == 403

        promoted = api.call("PUT", "/api/users/ana/role", json={"role": "admin"})
        assert promoted.get_json()["role"] == "admin"
        assert api.call("GET", "/api/users", "ana").status_code == 200

        revoked = api.call("DELETE", "/api/users/ana/tokens").get_json()
        assert revoked == {"name": "Ana", "revoked": [created.get_json()["token_id"]]}
        assert api.call("GET", "/api/me", "ana").status_code == 401

        history = api.ledger.cli("history", "--json")
        events = [e for e in history_events(history) if e["subject"] == "account:Ana"]
        assert [e["type"] for e in events] == [
            "Account.Added",
            "Account.TokenIssued",
            "Account.RoleChanged",
            "Account.TokensRevoked",
        ]
        assert {e["recorded_by"] for e in events} == {"the-admin"}
    finally:
        api.close()


def test_a_client_cannot_set_who_records(tmp_path):
    api = new_api(tmp_path)
    try:
        response = api.call(
            "POST",
            "/api/users",
            json={"name": "mallory", "role": "reader", "recorded_by": "someone"},
        )
        assert response.status_code == 422
        assert response.get_json()["errors"][0]["field"] == "recorded_by"
    finally:
        api.close()


def history_events(result) -> list[dict]:
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["events"]


def test_concurrent_account_writes_through_one_app(tmp_path):
    api = new_api(tmp_path)
    headers = {"Authorization": f"Bearer {api.tokens['admin']}"}

    def add(name: str) -> int:
        client = api.app.test_client()  # one client per thread, one shared app
        body = {"name": name, "role": "reader"}
        return client.post("/api/users", json=body, headers=headers).status_code

    try:
        with ThreadPoolExecutor(8) as pool:
            distinct = list(pool.map(add, [f"user{i}" for i in range(12)]))
            same = list(pool.map(add, ["twin"] * 6))
        assert distinct == [201] * 12
        assert sorted(same) == [201] + [409] * 5
        listed = {a["name"]: a for a in api.call("GET", "/api/users").get_json()}
        assert all(len(listed[f"user{i}"]["tokens"]) == 1 for i in range(12))
        assert len(listed["twin"]["tokens"]) == 1
        assert api.ledger.cli("verify").exit_code == 0
    finally:
        api.close()
