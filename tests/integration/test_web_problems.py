"""Every error of the server is application/problem+json; the docs are local."""

from __future__ import annotations

import re

import pytest
import sqlalchemy.exc

from tests.integration.web_support import MAX_BODY, new_api

PROBLEM = "application/problem+json"


@pytest.fixture
def api(tmp_path):
    api = new_api(tmp_path)
    yield api
    api.close()


def problem_of(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status
    assert body["title"] and body["detail"] and body["type"]
    assert "Traceback" not in response.get_data(True)
    assert "<html" not in response.get_data(True).lower()
    return body


def test_401_without_token_bad_scheme_or_unknown_token(api):
    response = api.client.get("/api/me")
    problem_of(response, 401)
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="ledger"'
    for header in ("Basic dXNlcjpwYXNz", "Bearer ", "Bearer ldg_not-a-token"):
        response = api.client.get("/api/me", headers={"Authorization": header})
        problem_of(response, 401)
        assert "error=" in response.headers["WWW-Authenticate"]


def test_403_names_the_role_needed(api):
    body = problem_of(api.call("GET", "/api/users", "recorder"), 403)
    assert "admin" in body["detail"] and "recorder" in body["detail"]


def test_404_for_an_unknown_path_and_an_unknown_account(api):
    problem_of(api.call("GET", "/api/no-such-thing"), 404)
    body = problem_of(api.call("GET", "/api/users/nobody"), 404)
    assert "nobody" in body["detail"]


def test_405_lists_the_allowed_methods(api):
    response = api.call("DELETE", "/api/health")
    problem_of(response, 405)
    assert "GET" in response.headers["Allow"]


def test_413_for_a_body_over_the_limit(api):
    body = {"name": "x", "role": "reader", "padding": "x" * MAX_BODY}
    problem = problem_of(api.call("POST", "/api/users", json=body), 413)
    assert str(MAX_BODY) in problem["detail"]
    assert api.call("GET", "/api/users/x").status_code == 404


def test_415_for_another_content_type(api):
    response = api.call(
        "POST", "/api/users", data="name=x&role=reader", content_type="text/plain"
    )
    assert "application/json" in problem_of(response, 415)["detail"]


def test_422_lists_each_bad_field(api):
    response = api.call("POST", "/api/users", json={"name": "a\nb", "role": "boss"})
    errors = problem_of(response, 422)["errors"]
    assert {e["field"] for e in errors} == {"name", "role"}
    assert all(set(e) == {"line", "field", "message"} for e in errors)


def test_400_for_a_body_that_is_not_json(api):
    response = api.call(
        "POST", "/api/users", data="{not json", content_type="application/json"
    )
    problem_of(response, 400)


def test_409_for_an_account_that_exists(api):
    response = api.call("POST", "/api/users", json={"name": "TARGET", "role": "admin"})
    assert "target" in problem_of(response, 409)["detail"]


def test_500_without_a_trace(api):
    def fails():
        raise RuntimeError("secret internals")

    api.app.add_url_rule("/api/fails", view_func=fails)
    body = problem_of(api.client.get("/api/fails"), 500)
    assert "secret" not in body["detail"]


def test_openapi_document_lists_the_bearer_scheme(api):
    response = api.client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "a ledger token",
    }
    operations = {
        (method.upper(), path): op
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method != "parameters"
    }
    assert ("POST", "/api/users") in operations
    for key, op in operations.items():
        if key == ("GET", "/api/health"):
            assert op["security"] == []
        else:
            assert op["security"] == [{"bearerAuth": []}], key
            assert "401" in op["responses"], key


def test_docs_use_only_their_own_assets(api):
    page = api.client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(True)
    links = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert links, html
    for link in links:
        assert not re.match(r"(https?:)?//", link), link
        assert api.client.get(link).status_code == 200, link
    assert not re.search(r"https?://", html)


def test_503_when_the_database_cannot_be_reached(api, monkeypatch):
    def unreachable():
        raise sqlalchemy.exc.OperationalError("SELECT", {}, Exception("host secret"))

    monkeypatch.setattr(api.app.extensions["ledger"].app, "max_sequence", unreachable)
    response = api.client.get("/api/health")
    body = problem_of(response, 503)
    assert "secret" not in body["detail"]
    assert response.headers["Retry-After"] == "5"
