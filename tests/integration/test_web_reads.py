"""The read endpoints answer what the command line's ``--json`` answers.

Same service call, same output schema: the JSON of each endpoint is compared
with the CLI's (or, for lists the CLI does not print, with the service's answer
dumped through the same schema), on both backends. Every endpoint under every
role; unknown ids are 404 and bad parameters 422, as problem+json naming the
parameter; proofs verify; several threads read through one app.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from ledger.application.service import LedgerService
from ledger.integrity import merkle
from ledger.integrity.bundle import verify_bundle
from ledger.integrity.checkpoints import checkpoint_problems
from ledger.integrity.keys import load_public, public_path
from ledger.schemas.resources import ActorOutput, ClaimOutput, StatementOutput
from tests.integration.web_support import ROLES, Api, new_api
from tests.support import incident_of, json_of

SEED = "libya-drone"
INCIDENT = incident_of(SEED)
STATEMENT = "russia-denies-using-contractors"
CLAIM = "russia-uses-military-contractors-abroad"


@pytest.fixture
def api(tmp_path, monkeypatch):
    """The seed example behind the API, with a signing key (and no checkpoint)."""
    made = new_api(tmp_path)
    # The app finds the ledger's key as `ledger serve` does: $LEDGER_KEY_PATH.
    monkeypatch.setenv("LEDGER_KEY_PATH", str(made.ledger.key))
    ok(made.ledger.cli("init"))
    made.ledger.holding(SEED)
    yield made
    made.close()


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.output
    return result


def cli_json(api: Api, *args: str) -> Any:
    return json_of(ok(api.ledger.cli(*args, "--json")))


def get(api: Api, path: str, role: str = "reader", **query: Any) -> Any:
    response = api.call("GET", path, role, query_string=query or None)
    assert response.status_code == 200, response.get_data(True)
    assert response.mimetype == "application/json"
    return response.get_json()


def problem(api: Api, path: str, status: int, **query: Any) -> dict[str, Any]:
    response = api.call("GET", path, "reader", query_string=query or None)
    assert response.status_code == status, response.get_data(True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status
    return body


def served(service_answer: Any, schema: type) -> Any:
    """A service answer dumped as the API dumps it, through JSON."""
    return json.loads(json.dumps(schema(many=True).dump(service_answer)))


# -- the same answers as the command line -------------------------------------------


def test_state_is_the_cli_state_on_both_axes(api):
    path = f"/api/incidents/{INCIDENT}/state"
    assert get(api, path) == cli_json(api, "state", INCIDENT)
    answers = {}
    for as_of in ("2019-11-30", "2019-12-10", "2019-12-31"):
        answers[as_of] = get(api, path, as_of=as_of)
        assert answers[as_of] == cli_json(api, "state", INCIDENT, "--as-of", as_of)
        assert answers[as_of]["known_at_seq"] == api.ledger.events_before
    # Before the December statements, between (made some time in December:
    # undetermined), and after them.
    counts = {
        k: (v["counts"]["statements"], len(v["undetermined"]))
        for k, v in answers.items()
    }
    assert counts == {
        "2019-11-30": (2, 0),
        "2019-12-10": (2, 16),
        "2019-12-31": (18, 0),
    }


def test_known_at_answers_what_the_ledger_held_then(api):
    position = api.ledger.events_before
    halfway = f"seq:{position - 10}"
    path = f"/api/incidents/{INCIDENT}/state"
    then = get(api, path, known_at=halfway)
    assert then == cli_json(api, "state", INCIDENT, "--known-at", halfway)
    assert then["known_at_seq"] == position - 10
    assert then["counts"]["statements"] < get(api, path)["counts"]["statements"]
    before = problem(api, path, 404, known_at="2000-01-01")
    assert INCIDENT in before["detail"]
    assert get(api, "/api/incidents", known_at="2000-01-01")["incidents"] == []


def test_incidents_are_the_cli_list(api):
    answer = get(api, "/api/incidents")
    assert answer == {
        "incidents": cli_json(api, "incidents"),
        "known_at_seq": api.ledger.events_before,
    }


def test_lists_are_the_service_lists_through_their_schemas(api):
    with LedgerService.open(api.ledger.url) as service:
        actors = served(service.actors(), ActorOutput)
        claims = served(service.claims(INCIDENT), ClaimOutput)
        denials = served(service.statements(kind="denial"), StatementOutput)
        on_claim = served(service.statements(claim=CLAIM), StatementOutput)
        everything = served(service.statements(), StatementOutput)
        speaker = everything[0]["speaker"]
        spoken = served(service.statements(speaker=speaker), StatementOutput)
    assert get(api, "/api/actors")["actors"] == actors
    assert get(api, "/api/claims", incident=INCIDENT)["claims"] == claims
    problem(api, "/api/claims", 404, incident="no-such-incident")
    problem(api, "/api/statements", 404, incident="no-such-incident")
    assert get(api, "/api/statements")["statements"] == everything
    assert get(api, "/api/statements", kind="denial")["statements"] == denials
    assert get(api, "/api/statements", claim=CLAIM)["statements"] == on_claim
    assert get(api, "/api/statements", speaker=speaker)["statements"] == spoken
    assert 0 < len(denials) < len(everything) and 0 < len(spoken) < len(everything)
    for path in ("/api/actors", "/api/claims", "/api/statements"):
        assert get(api, path)["known_at_seq"] == api.ledger.events_before


def test_history_is_the_cli_history_with_its_filters(api):
    cases = [
        ({}, []),
        ({"type": "Statement"}, ["--type", "Statement"]),
        ({"recorded_by": "test-recorder"}, ["--by", "test-recorder"]),
        ({"recorded_by": "operator"}, ["--by", "operator"]),
        ({"as_of": "2019-12-10"}, ["--as-of", "2019-12-10"]),
        ({"known_at": "seq:20"}, ["--known-at", "seq:20"]),
    ]
    for query, flags in cases:
        assert get(api, "/api/history", **query) == cli_json(api, "history", *flags)
        assert get(api, f"/api/incidents/{INCIDENT}/history", **query) == cli_json(
            api, "history", INCIDENT, *flags
        )
    whole = get(api, "/api/history")["events"]
    seed = get(api, "/api/history", recorded_by="test-recorder")["events"]
    assert 0 < len(seed) < len(whole)  # the accounts were added by the operator
    assert {e["recorded_by"] for e in seed} == {"test-recorder"}
    assert get(api, "/api/history")["known_at_seq"] == api.ledger.events_before


def test_history_pages_by_sequence_number(api):
    whole = get(api, "/api/history")["events"]
    pages, after = [], None
    while True:
        query = {"limit": 7} | ({"after_seq": after} if after is not None else {})
        page = get(api, "/api/history", **query)
        flags = ["--limit", "7"] + (["--after-seq", str(after)] if after else [])
        assert page == cli_json(api, "history", *flags)
        pages.append(page["events"])
        after = page["next_after_seq"]
        if after is None:
            break
        assert after == page["events"][-1]["seq"]
    assert [e for p in pages for e in p] == whole
    assert len(pages) == -(-len(whole) // 7)


def test_provenance_is_the_cli_provenance(api):
    statement = get(api, f"/api/statements/{STATEMENT}/provenance")
    assert statement == cli_json(api, "provenance", STATEMENT)
    assert statement["statement"]["id"] == STATEMENT
    claim = get(api, f"/api/claims/{CLAIM}/provenance")
    assert claim == cli_json(api, "provenance", CLAIM)
    assert claim["claim"]["id"] == CLAIM
    halfway = f"seq:{api.ledger.events_before - 10}"
    then = get(api, f"/api/claims/{CLAIM}/provenance", known_at=halfway)
    assert then == cli_json(api, "provenance", CLAIM, "--known-at", halfway)
    assert len(then["statements"]) < len(claim["statements"])
    # A claim is not a statement, and the other way round.
    problem(api, f"/api/statements/{CLAIM}/provenance", 404)
    problem(api, f"/api/claims/{STATEMENT}/provenance", 404)


def test_a_statement_carries_its_version_as_etag(api):
    response = api.call("GET", f"/api/statements/{STATEMENT}", "reader")
    first = response.get_json()
    assert response.headers["ETag"] == '"v1"'
    assert (first["id"], first["version"]) == (STATEMENT, 1)
    assert first["known_at_seq"] == api.ledger.events_before
    ok(
        api.ledger.cli(
            "correct", STATEMENT, "--field", "note", "--value", "x", "--reason", "typo"
        )
    )
    response = api.call("GET", f"/api/statements/{STATEMENT}", "reader")
    assert response.headers["ETag"] == '"v2"'
    assert response.get_json()["version"] == 2
    assert response.get_json()["note"] == "x"
    then = api.call(
        "GET",
        f"/api/statements/{STATEMENT}",
        "reader",
        query_string={"known_at": f"seq:{api.ledger.events_before}"},
    )
    assert then.headers["ETag"] == '"v1"'
    assert then.get_json() == first


# -- proofs and bundles ---------------------------------------------------------------


def test_checkpoint_and_proofs_verify(api):
    problem(api, "/api/checkpoints/latest", 404)
    signed = json_of(ok(api.ledger.cli("checkpoint")))
    latest = get(api, "/api/checkpoints/latest")
    assert latest == signed | {"known_at_seq": api.ledger.events_before}
    assert checkpoint_problems(latest, load_public(public_path(api.ledger.key))) == []
    size, root = latest["tree_size"], bytes.fromhex(latest["root_hash"])

    events = get(api, "/api/history")["events"]
    for event in (events[0], events[len(events) // 2], events[-1]):
        by_seq = get(api, "/api/proofs/inclusion", seq=event["seq"])
        by_hash = get(api, "/api/proofs/inclusion", leaf_hash=by_seq["leaf_hash"])
        assert by_seq == by_hash
        assert (by_seq["tree_size"], by_seq["root_hash"]) == (size, root.hex())
        assert merkle.verify_inclusion(
            bytes.fromhex(by_seq["leaf_hash"]),
            by_seq["leaf_index"],
            size,
            [bytes.fromhex(p) for p in by_seq["path"]],
            root,
        )
    smaller = get(api, "/api/proofs/inclusion", seq=events[0]["seq"], tree_size=3)
    assert smaller["tree_size"] == 3 and smaller["root_hash"] != root.hex()

    for first in (1, size // 2, size):
        proof = get(api, "/api/proofs/consistency", first=first)
        assert (proof["second"], proof["second_root"]) == (size, root.hex())
        assert merkle.verify_consistency(
            first,
            size,
            bytes.fromhex(proof["first_root"]),
            root,
            [bytes.fromhex(p) for p in proof["proof"]],
        )
    between = get(api, "/api/proofs/consistency", first=2, second=5)
    assert merkle.verify_consistency(
        2,
        5,
        bytes.fromhex(between["first_root"]),
        bytes.fromhex(between["second_root"]),
        [bytes.fromhex(p) for p in between["proof"]],
    )


def test_a_reader_gets_a_bundle_that_verifies(api, tmp_path):
    public = load_public(public_path(api.ledger.key))
    # No checkpoint yet: the bundle signs one, recorded by the reader who asked.
    bundle = get(api, f"/api/incidents/{INCIDENT}/bundle")
    assert verify_bundle(bundle, public) == []
    assert bundle["known_at_seq"] == api.ledger.events_before
    assert (
        bundle["state"]["counts"]
        == get(api, f"/api/incidents/{INCIDENT}/state")["counts"]
    )
    conn = api.ledger.connect()
    try:
        signers = conn.execute("SELECT recorded_by FROM checkpoints").fetchall()
    finally:
        conn.close()
    assert [s[0] for s in signers] == ["the-reader"]

    # The same bundle as `ledger audit-bundle` (the checkpoint now covers it).
    out = tmp_path / "cli.bundle.json"
    ok(api.ledger.cli("audit-bundle", INCIDENT, "--output", str(out)))
    assert json.loads(out.read_text(encoding="utf-8")) == bundle

    dated = get(api, f"/api/incidents/{INCIDENT}/bundle", as_of="2019-12-10")
    assert verify_bundle(dated, public) == []
    assert dated["as_of"] == "2019-12-10"
    assert len(dated["state"]["undetermined"]) == 16


def test_search_is_the_cli_search(api):
    for words in ("wreckage", "Hafter", "shot down", 'NEAR("drone" *'):
        assert get(api, "/api/search", q=words) == cli_json(api, "search", words)
    found = get(api, "/api/search", q="Hafter")["hits"]
    assert {(h["kind"], h["field"]) for h in found} == {
        ("actor", "aliases.1"),
        ("actor", "aliases.2"),
    }
    assert len(get(api, "/api/search", q="drone", limit=2)["hits"]) == 2
    then = get(api, "/api/search", q="wreckage", known_at="seq:1")
    assert then["hits"] == [] and then["known_at_seq"] == 1


def test_statements_as_of_are_the_cli_statements(api):
    path = "/api/statements"
    query = {"incident": INCIDENT, "as_of": "2019-12-10"}
    found = get(api, path, **query)["statements"]
    args = ("statements", INCIDENT, "--as-of", "2019-12-10")
    assert found == cli_json(api, *args)
    assert sum(s["undetermined"] for s in found) == 16


# -- roles, unknown ids, bad parameters ----------------------------------------------

READS = [
    "/api/incidents",
    "/api/actors",
    "/api/claims",
    f"/api/claims?incident={INCIDENT}",
    "/api/statements",
    f"/api/statements?kind=denial&claim={CLAIM}",
    f"/api/statements?incident={INCIDENT}&as_of=2019-12-10",
    "/api/search?q=wreckage",
    f"/api/statements/{STATEMENT}",
    f"/api/statements/{STATEMENT}/provenance",
    f"/api/claims/{CLAIM}/provenance",
    f"/api/incidents/{INCIDENT}/state?as_of=2019-12&known_at=seq:30",
    "/api/history?limit=3&after_seq=2&type=Statement",
    f"/api/incidents/{INCIDENT}/history",
    "/api/checkpoints/latest",
    "/api/proofs/inclusion?seq=5",
    "/api/proofs/consistency?first=3",
    f"/api/incidents/{INCIDENT}/bundle",
]


def test_every_read_under_every_role(api):
    ok(api.ledger.cli("checkpoint"))
    for path in READS:
        for role in ROLES:
            response = api.call("GET", path, role)
            want = 401 if role in ("none", "revoked") else 200
            assert response.status_code == want, (path, role, response.get_data(True))
            if want == 401:
                assert response.mimetype == "application/problem+json"
                assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_ids_are_404_problems(api):
    ok(api.ledger.cli("checkpoint"))
    for path in (
        "/api/incidents/no-such/state",
        "/api/incidents/no-such/history",
        "/api/incidents/no-such/bundle",
        "/api/statements/no-such",
        "/api/statements/no-such/provenance",
        "/api/claims/no-such/provenance",
        "/api/proofs/inclusion?seq=999999",
        "/api/proofs/inclusion?leaf_hash=" + "0" * 64,
    ):
        body = problem(api, path, 404)
        assert body["title"] == "Not Found" and body["detail"], path


BAD = [
    (f"/api/incidents/{INCIDENT}/state", {"as_of": "2019-13"}, "as_of"),
    (f"/api/incidents/{INCIDENT}/state", {"known_at": "yesterday"}, "known_at"),
    (f"/api/incidents/{INCIDENT}/bundle", {"as_of": "soon"}, "as_of"),
    ("/api/history", {"limit": "0"}, "limit"),
    ("/api/history", {"limit": "ten"}, "limit"),
    ("/api/history", {"after_seq": "-1"}, "after_seq"),
    ("/api/history", {"by": "ana"}, "by"),
    ("/api/statements", {"speaker": "nobody-at-all"}, "speaker"),
    ("/api/statements/" + STATEMENT, {"known_at": "seq:x"}, "known_at"),
    ("/api/proofs/inclusion", {}, "seq"),
    ("/api/proofs/inclusion", {"seq": "1", "leaf_hash": "0" * 64}, "seq"),
    ("/api/proofs/inclusion", {"leaf_hash": "xyz"}, "leaf_hash"),
    ("/api/proofs/inclusion", {"seq": "1", "tree_size": "99999"}, "tree_size"),
    ("/api/proofs/inclusion", {"seq": str(2**70)}, "seq"),
    ("/api/proofs/consistency", {}, "first"),
    ("/api/search", {}, "q"),
    ("/api/search", {"q": ""}, "q"),
    ("/api/search", {"q": '"*()'}, "q"),
    ("/api/search", {"q": "drone", "limit": "0"}, "limit"),
    ("/api/statements", {"as_of": "2019-13"}, "as_of"),
    ("/api/proofs/consistency", {"first": "9", "second": "4"}, "first"),
]


def test_bad_parameters_are_problems_naming_them(api):
    ok(api.ledger.cli("checkpoint"))
    for path, query, field in BAD:
        body = problem(api, path, 422, **query)
        assert [e["field"] for e in body["errors"]] == [field], (path, query, body)
        assert body["detail"].startswith(f"{field}: "), body


def test_the_openapi_document_describes_the_reads(api):
    document = api.client.get("/api/openapi.json").get_json()
    state = document["paths"]["/api/incidents/{incident_id}/state"]["get"]
    assert {p["name"] for p in state["parameters"] if p["in"] == "query"} == {
        "as_of",
        "known_at",
    }
    ok_schema = state["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok_schema["$ref"].endswith("/StateOutput")
    statement = document["paths"]["/api/statements/{statement_id}"]["get"]
    assert "ETag" in statement["responses"]["200"]["headers"]
    history = document["components"]["schemas"]["HistoryOutput"]["properties"]
    assert "next_after_seq" in history and "known_at_seq" in history
    for path in ("/api/proofs/inclusion", "/api/incidents/{incident_id}/bundle"):
        assert document["paths"][path]["get"]["x-required-role"] == "reader"


# -- one app, many threads -----------------------------------------------------------


def test_threads_read_concurrently_through_one_app(api):
    ok(api.ledger.cli("checkpoint"))
    paths = [p for p in READS if not p.endswith("/bundle")]
    expected = {p: get(api, p) for p in paths}
    token = {"Authorization": f"Bearer {api.tokens['reader']}"}

    def read(path: str) -> tuple[str, int, Any]:
        client = api.app.test_client()  # one client per thread, one shared app
        response = client.get(path, headers=token)
        return path, response.status_code, response.get_json()

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(read, paths * 6))
    assert len(answers) == len(paths) * 6
    for path, status, body in answers:
        assert status == 200, (path, body)
        assert body == expected[path], path


def test_each_answer_reflects_one_moment_while_a_writer_records(api):
    """Readers in threads while statements are recorded through the same app:
    every list answers exactly what the ledger held at its known_at_seq."""
    template = {
        "incident": INCIDENT,
        "speaker": "us-officials",
        "kind": "report",
        "stated_at": "2019-11-22",
        "claims": [{"claim": "drone-missing-over-tripoli"}],
        "paraphrase": "Recorded while others read.",
    }
    token = {"Authorization": f"Bearer {api.tokens['reader']}"}
    writes = 12

    def write() -> None:
        service = api.app.extensions["ledger.service"]
        for i in range(writes):
            service.record_statement({**template, "id": f"late-{i}"}, "writer")

    def read(_: int) -> list[dict[str, Any]]:
        client = api.app.test_client()
        answers = []
        for _ in range(writes):
            response = client.get(f"/api/statements?incident={INCIDENT}", headers=token)
            assert response.status_code == 200, response.get_data(True)
            answers.append(response.get_json())
        return answers

    with ThreadPoolExecutor(5) as pool:
        writing = pool.submit(write)
        read_answers = [a for answers in pool.map(read, range(4)) for a in answers]
        writing.result()
    recorded_at = {
        e["subject"]: e["seq"]
        for e in get(api, "/api/history", type="Statement.Recorded")["events"]
    }
    assert len(recorded_at) == 18 + writes
    for answer in read_answers:
        seq = answer["known_at_seq"]
        held = sorted(s for s, at in recorded_at.items() if at <= seq)
        assert sorted(s["id"] for s in answer["statements"]) == held
