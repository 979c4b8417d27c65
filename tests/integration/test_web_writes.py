"""The write endpoints, on both backends: what they record, as whom, and what
they refuse (problem+json, nothing written)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from ledger.application.service import LedgerService
from ledger.bootstrap import Ledger
from ledger.errors import (
    BadInput,
    Conflict,
    LocatedError,
    NotFound,
    PreconditionFailed,
    Problem,
    Refused,
    Unavailable,
)
from ledger.integrity.service import ensure_key
from ledger.web import create_app
from ledger.web.problems import MAX_ERRORS, problem_of
from tests.integration.test_integrity import as_attacker
from tests.integration.web_support import ROLES, new_api
from tests.support import example_lines, incident_of

NDJSON = "application/x-ndjson"
SEED = "libya-drone"
SEIZURE = "fictional-seizure"
HOSTILE = (
    "<script>alert(1)</script> \x1b[2J \x1b]0;owned\x07 \u202eevil\u202c "
    "& \"quoted\" 'single' </textarea>"
)
# One-line fields refuse control characters; markup and bidi stay as given.
HOSTILE_LINE = "<script>alert(1)</script> \u202eevil\u202c </title>"


@pytest.fixture
def api(tmp_path):
    api = big_api(tmp_path)
    yield api
    api.close()


def big_api(tmp_path):
    """The role accounts' API, with room for a whole example, and a signing key."""
    api = new_api(tmp_path)
    api.close()
    ensure_key(api.ledger.url, str(api.ledger.key))
    api.app = create_app(
        api.ledger.url, max_body_bytes=10_000_000, key=str(api.ledger.key)
    )
    api.client = api.app.test_client()
    return api


def ndjson(name: str) -> str:
    return "\n".join(example_lines(name)) + "\n"


def post_lines(api, lines: list[str], as_array: bool = False, role="recorder"):
    if as_array:
        items = [json.loads(line) for line in lines if line.strip()]
        return api.call("POST", "/api/records", role, json=items)
    body = "\n".join(lines)
    return api.call("POST", "/api/records", role, data=body, content_type=NDJSON)


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["detail"]
    return body


def events(api) -> int:
    return api.ledger.count_events()


def history(api) -> list[dict]:
    result = api.ledger.cli("history", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["events"]


def comparable_state(ledger_cli, incident: str) -> dict:
    result = ledger_cli("state", incident, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


STATEMENT = {
    "incident": "tanker-seizure",
    "speaker": "Meridian",  # by alias, as `ledger record --speaker` takes it
    "kind": "report",
    "stated_at": "2021-05-04",
    "claims": [{"claim": "tanker-was-seized"}],
    "paraphrase": "the tanker was boarded",
}


@pytest.fixture
def seized(api):
    response = post_lines(api, example_lines(SEIZURE))
    assert response.status_code == 200, response.get_data(True)
    return api


def record(api, body=None, role="recorder"):
    return api.call("POST", "/api/statements", role, json=body or STATEMENT)


# -- POST /api/records ---------------------------------------------------------------


@pytest.mark.parametrize("as_array", [False, True], ids=["ndjson", "json-array"])
def test_import_of_the_seed_gives_the_state_the_cli_import_gives(
    tmp_path, api, as_array
):
    before = events(api)
    response = post_lines(api, example_lines(SEED), as_array)
    assert response.status_code == 200, response.get_data(True)
    answer = response.get_json()
    assert answer["recorded"] == len([x for x in example_lines(SEED) if x.strip()])
    assert answer["unchanged"] == {}
    assert answer["known_at_seq"] == events(api)

    by_cli = new_api(tmp_path / "cli")  # the same accounts, so the same sequence
    try:
        seed = tmp_path / "seed.jsonl"
        seed.write_text(ndjson(SEED), encoding="utf-8")
        assert by_cli.ledger.cli("import", str(seed)).exit_code == 0
        incident = incident_of(SEED)
        over_http = comparable_state(api.ledger.cli, incident)
        on_cli = comparable_state(by_cli.ledger.cli, incident)
        assert over_http == on_cli
    finally:
        by_cli.close()
    recorders = {e["recorded_by"] for e in history(api) if e["seq"] > before}
    assert recorders == {"the-recorder"}


@pytest.mark.parametrize("as_array", [False, True], ids=["ndjson", "json-array"])
def test_bad_lines_are_all_listed_and_nothing_is_written(api, as_array):
    lines = example_lines(SEIZURE)
    bad = {3: "actor", 12: "claim", len(lines): "statement"}
    broken = list(lines)
    for number in bad:
        record = json.loads(lines[number - 1])
        record["id"] = "Not A Slug"
        broken[number - 1] = json.dumps(record)
    before = events(api)
    body = problem(post_lines(api, broken, as_array), 422)
    assert [(e["line"], e["field"]) for e in body["errors"]] == [
        (number, "id") for number in bad
    ]
    assert "3 errors, nothing was recorded" in body["detail"]
    assert events(api) == before


def test_bad_lines_are_capped_like_max_errors(api):
    line = json.dumps({"type": "incident", "id": "BAD"})
    body = problem(post_lines(api, [line] * (MAX_ERRORS + 5)), 422)
    assert len(body["errors"]) == MAX_ERRORS
    assert f"{MAX_ERRORS + 5} errors" in body["detail"]
    assert f"the first {MAX_ERRORS} listed" in body["detail"]


def test_the_same_records_again_are_a_no_op_that_says_so(seized):
    before = events(seized)
    again = post_lines(seized, example_lines(SEIZURE), as_array=True)
    assert again.status_code == 200
    answer = again.get_json()
    assert answer["recorded"] == 0 and answer["new"] == {}
    assert sum(answer["unchanged"].values()) == len(example_lines(SEIZURE))
    assert events(seized) == before


def test_the_same_id_with_other_content_is_a_409_naming_it(seized):
    first = json.loads(example_lines(SEIZURE)[0])
    changed = json.dumps({**first, "title": "another title"})
    before = events(seized)
    body = problem(post_lines(seized, ["", changed]), 409)
    assert first["id"] in body["detail"]
    assert body["errors"][0]["line"] == 2
    assert events(seized) == before


def test_records_refuse_other_content_types_and_bodies(api):
    text = api.call(
        "POST", "/api/records", "recorder", data="x", content_type="text/plain"
    )
    assert NDJSON in problem(text, 415)["detail"]
    form = api.call("POST", "/api/records", "recorder", data={"a": "b"})
    problem(form, 415)
    for body in ('{"type": "incident"}', "[1,", ""):
        response = api.call(
            "POST",
            "/api/records",
            "recorder",
            data=body,
            content_type="application/json",
        )
        assert problem(response, 422)["errors"][0]["field"] == "(body)"
    empty = api.call("POST", "/api/records", "recorder", data="\n", content_type=NDJSON)
    problem(empty, 422)
    strings = api.call("POST", "/api/records", "recorder", json=["{}"])
    assert problem(strings, 422)["errors"][0]["line"] == 1


def test_records_over_the_size_limit_are_413(tmp_path):
    api = new_api(tmp_path)  # a small limit
    try:
        before = events(api)
        problem(post_lines(api, example_lines(SEED)), 413)
        assert events(api) == before
    finally:
        api.close()


# -- statements and their changes ---------------------------------------------------


def test_record_correct_withdraw_grade_as_the_account(seized):
    made = record(seized)
    assert made.status_code == 200, made.get_data(True)
    slug = made.get_json()["ids"][0]
    assert slug.startswith("st-")
    assert made.headers["ETag"] == '"v1"'
    assert made.headers["Location"] == f"/api/statements/{slug}"
    base = f"/api/statements/{slug}"
    steps = [
        ("corrections", {"field": "paraphrase", "value": "boarded", "reason": "typo"}),
        ("grades", {"reliability": "b", "credibility": 2, "reason": "checked"}),
        ("withdrawals", {"reason": "entered in error", "id": "wd-one"}),
    ]
    for version, (path, body) in enumerate(steps, 2):
        response = seized.call("POST", f"{base}/{path}", "recorder", json=body)
        assert response.status_code == 200, response.get_data(True)
        assert response.get_json()["recorded"] == 1
        assert response.headers["ETag"] == f'"v{version}"'
    service = LedgerService(Ledger(seized.ledger.url))
    try:
        held = service.statement(slug)
    finally:
        service.close()
    assert held["paraphrase"] == "boarded" and held["withdrawn"] is True
    assert held["speaker"] == "shipowner"
    mine = [e for e in history(seized) if slug in json.dumps(e)]
    assert len(mine) == 4
    assert {e["recorded_by"] for e in mine} == {"the-recorder"}


def test_a_statement_again_is_a_no_op_and_other_content_a_409(seized):
    body = {**STATEMENT, "id": "st-fixed"}
    assert record(seized, body).get_json()["recorded"] == 1
    again = record(seized, body)
    assert again.status_code == 200 and again.get_json()["recorded"] == 0
    before = events(seized)
    changed = problem(record(seized, {**body, "paraphrase": "other"}), 409)
    assert "st-fixed" in changed["detail"]
    assert events(seized) == before


def test_missing_things_and_refused_changes(seized):
    problem(
        seized.call(
            "POST", "/api/statements/nope/withdrawals", "recorder", json={"reason": "x"}
        ),
        404,
    )
    slug = record(seized).get_json()["ids"][0]
    base = f"/api/statements/{slug}"
    seized.call("POST", f"{base}/withdrawals", "recorder", json={"reason": "wrong"})
    before = events(seized)
    refused = seized.call("POST", f"{base}/grades", "recorder", json={"credibility": 1})
    assert refused.status_code == 409, refused.get_data(True)
    bad = seized.call("POST", f"{base}/grades", "recorder", json={"credibility": 9})
    assert problem(bad, 422)["errors"][0]["field"] == "credibility"
    no_value = seized.call(
        "POST", f"{base}/corrections", "recorder", json={"field": "note", "reason": "r"}
    )
    assert problem(no_value, 422)["errors"][0]["field"] == "value"
    listed = seized.call("POST", "/api/statements", "recorder", json=[STATEMENT])
    assert problem(listed, 422)["errors"][0]["field"] == "(body)"
    assert events(seized) == before


@pytest.mark.parametrize("path", ["corrections", "withdrawals", "grades"])
def test_if_match_stale_is_412_and_nothing_written_current_is_200(seized, path):
    slug = record(seized).get_json()["ids"][0]
    base = f"/api/statements/{slug}"
    seized.call("POST", f"{base}/grades", "recorder", json={"credibility": 3})
    body = {
        "corrections": {"field": "note", "value": "noted", "reason": "r"},
        "withdrawals": {"reason": "entered in error"},
        "grades": {"reliability": "C"},
    }[path]
    before = events(seized)
    for stale in ('"v1"', '"v9"', 'W/"v2"', "v2", '"2"'):
        response = seized.call(
            "POST", f"{base}/{path}", "recorder", json=body, headers={"If-Match": stale}
        )
        assert "v" in problem(response, 412)["detail"], stale
    assert events(seized) == before
    current = seized.call(
        "POST", f"{base}/{path}", "recorder", json=body, headers={"If-Match": '"v2"'}
    )
    assert current.status_code == 200, current.get_data(True)
    assert current.headers["ETag"] == '"v3"'
    assert events(seized) > before


def test_without_if_match_there_is_no_check(seized):
    slug = record(seized).get_json()["ids"][0]
    for credibility in (1, 2):
        response = seized.call(
            "POST",
            f"/api/statements/{slug}/grades",
            "recorder",
            json={"credibility": credibility},
        )
        assert response.status_code == 200


@pytest.mark.parametrize(
    "path, body",
    [
        (
            "/api/records",
            [{"type": "incident", "id": "x", "title": "t", "recorded_by": "m"}],
        ),
        ("/api/statements", {**STATEMENT, "recorded_by": "mallory"}),
        (
            "corrections",
            {"field": "note", "value": "n", "reason": "r", "recorded_by": "m"},
        ),
        ("withdrawals", {"reason": "r", "recorded_by": "mallory"}),
        ("grades", {"credibility": 1, "recorded_by": "mallory"}),
    ],
    ids=["records", "statements", "corrections", "withdrawals", "grades"],
)
def test_a_client_cannot_set_who_records(seized, path, body):
    if not path.startswith("/"):
        slug = record(seized).get_json()["ids"][0]
        path = f"/api/statements/{slug}/{path}"
    before = events(seized)
    response = seized.call("POST", path, "recorder", json=body)
    assert problem(response, 422)["errors"][0]["field"] == "recorded_by"
    assert events(seized) == before
    assert "mallory" not in json.dumps(history(seized))


@pytest.mark.parametrize("path", ["/api/statements", "corrections"])
def test_statement_writes_take_only_json(seized, path):
    if not path.startswith("/"):
        path = f"/api/statements/{record(seized).get_json()['ids'][0]}/{path}"
    response = seized.call(
        "POST", path, "recorder", data=json.dumps(STATEMENT), content_type=NDJSON
    )
    assert "application/json" in problem(response, 415)["detail"]


def test_hostile_text_is_stored_and_returned_exactly(seized):
    body = {
        **STATEMENT,
        "id": "st-hostile",
        "quote": HOSTILE,
        "paraphrase": HOSTILE,
        "note": HOSTILE,
        "hedging": HOSTILE_LINE,
        "provenance": [
            {
                "agent": "wire-service",
                "relation": "reported",
                "document": {"title": HOSTILE_LINE, "url": "https://e.example/a"},
            }
        ],
    }
    response = record(seized, body)
    assert response.status_code == 200, response.get_data(True)
    reason = seized.call(
        "POST",
        "/api/statements/st-hostile/grades",
        "recorder",
        json={"credibility": 2, "reason": HOSTILE},
    )
    assert reason.status_code == 200, reason.get_data(True)
    with LedgerService(Ledger(seized.ledger.url)) as service:
        found = service.provenance("st-hostile")["statement"]
    for name in ("quote", "paraphrase", "note"):
        assert found[name] == HOSTILE, name
    assert found["hedging"] == HOSTILE_LINE
    assert found["provenance"][0]["document"]["title"] == HOSTILE_LINE
    assert found["grades"][0]["reason"] == HOSTILE
    # Control characters in a one-line field are refused, not stored changed.
    refused = record(seized, {**STATEMENT, "hedging": "\x1b[2J"})
    assert problem(refused, 422)["errors"][0]["field"] == "hedging"


# -- who may write ------------------------------------------------------------------

WRITES = [
    ("/api/records", "recorder"),
    ("/api/statements", "recorder"),
    ("/api/statements/{slug}/corrections", "recorder"),
    ("/api/statements/{slug}/withdrawals", "recorder"),
    ("/api/statements/{slug}/grades", "recorder"),
    ("/api/checkpoints", "admin"),
    ("/api/verify", "admin"),
]
RANK = {"reader": 0, "recorder": 1, "admin": 2}


def test_every_write_under_every_role(seized):
    bodies = {
        "/api/records": [json.loads(example_lines(SEIZURE)[0])],
        "/api/statements": STATEMENT,
        "corrections": {"field": "note", "value": "n", "reason": "r"},
        "withdrawals": {"reason": "r"},
        "grades": {"credibility": 2},
    }
    for template, needs in WRITES:
        body = bodies.get(template) or bodies.get(template.rsplit("/", 1)[-1])
        for role in ROLES:  # admin last
            # A statement of its own for each change (a withdrawn one refuses more).
            slug = record(seized).get_json()["ids"][0] if "{" in template else ""
            path = template.format(slug=slug)
            before = events(seized)
            response = seized.call("POST", path, role, json=body)
            if role in ("none", "revoked"):
                want = 401
            elif RANK[role] < RANK[needs]:
                want = 403
            else:
                want = 200
            assert response.status_code == want, (path, role, response.get_data(True))
            if want != 200:
                problem(response, want)
                assert events(seized) == before, (path, role)


def test_checkpoint_and_verify_for_admins(seized):
    made = seized.call("POST", "/api/checkpoints", "admin")
    assert made.status_code == 200, made.get_data(True)
    checkpoint = made.get_json()
    assert checkpoint["tree_size"] == events(seized)
    assert checkpoint["signature"] and checkpoint["key_id"]
    report = seized.call("POST", "/api/verify", "admin").get_json()
    assert report == {
        "ok": True,
        "events": events(seized),
        "checkpoints": 1,
        "findings": [],
    }
    assert seized.ledger.cli("verify").exit_code == 0


def test_verify_reports_findings_as_ok_false(seized):
    seized.call("POST", "/api/checkpoints", "admin")
    as_attacker(seized.ledger, ("UPDATE checkpoints SET root_hash = ?", ("0" * 64,)))
    response = seized.call("POST", "/api/verify", "admin")
    assert response.status_code == 200
    report = response.get_json()
    assert report["ok"] is False and report["findings"]


def test_a_checkpoint_without_a_readable_key_is_503(tmp_path):
    api = new_api(tmp_path)  # no key was made
    try:
        problem(api.call("POST", "/api/checkpoints", "admin"), 503)
    finally:
        api.close()


# -- concurrency -----------------------------------------------------------------------


def test_eight_threads_writing_through_one_app(seized):
    headers = {"Authorization": f"Bearer {seized.tokens['recorder']}"}

    def write(thread: int) -> list[int]:
        client = seized.app.test_client()  # one client per thread, one shared app
        statuses = []
        for n in range(6):
            body = {**STATEMENT, "id": f"t{thread}-s{n}", "paraphrase": f"{thread}/{n}"}
            statuses.append(
                client.post("/api/statements", json=body, headers=headers).status_code
            )
            if n % 3 == 2:
                grade = client.post(
                    f"/api/statements/t{thread}-s{n}/grades",
                    json={"credibility": 2},
                    headers=headers,
                )
                statuses.append(grade.status_code)
        return statuses

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(write, range(8)))
    assert all(status == 200 for statuses in results for status in statuses), results
    with LedgerService(Ledger(seized.ledger.url)) as service:
        ids = [s["id"] for s in service.statements(incident="tanker-seizure")]
    written = [i for i in ids if i.startswith("t") and "-s" in i]
    assert sorted(written) == sorted(f"t{t}-s{n}" for t in range(8) for n in range(6))
    report = seized.call("POST", "/api/verify", "admin").get_json()
    assert report["ok"], report
    assert seized.ledger.cli("verify").exit_code == 0


# -- the one translation of errors -------------------------------------------------


@pytest.mark.parametrize(
    "error, status",
    [
        (NotFound("no statement x"), 404),
        (PreconditionFailed("changed"), 412),
        (Conflict("other content"), 409),
        (Refused("withdrawn"), 409),
        (BadInput("bad", [Problem(1, "id", "bad"), Problem(2, "kind", "bad")]), 422),
        (LocatedError("kind", "bad", 3), 422),
        (Unavailable("no key"), 503),
    ],
)
def test_problem_of_maps_each_category(api, error, status):
    with api.app.app_context():
        response = problem_of(error)
    assert response.status_code == status
    body = json.loads(response.get_data(True))
    assert body["status"] == status
    if isinstance(error, BadInput):
        assert body["errors"] == [
            {"line": p.line, "field": p.field, "message": p.message}
            for p in error.problems
        ]


def test_serve_signs_checkpoints_with_the_key_it_is_given(api, monkeypatch):
    given = {}
    monkeypatch.setattr(
        "ledger.web.server.serve", lambda url, **kwargs: given.update(kwargs)
    )
    key = str(api.ledger.key)
    result = api.ledger.cli("serve", "--port", "8123", "--private-key", key)
    assert result.exit_code == 0, result.output
    assert given["key"] == key
