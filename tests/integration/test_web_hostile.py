"""Hostile strings through the API (issue 8, "Checks"; the strings of issue 7).

Markup, ANSI escapes (clear screen, OSC 8 hyperlinks, window titles), C1
controls, line separators and bidi overrides, in every text field of a
statement and of its grade, sent through the write endpoints, are stored
exactly and returned exactly by the read endpoints. Single-line fields refuse
control characters (422, naming the field; nothing written) and accept bidi.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.integration.web_support import new_api

NDJSON = "application/x-ndjson"
HOSTILE = {
    "script": "<script>alert(1)</script></textarea>&amp;\"'",
    "clear-screen": "\x1b[2J",
    "hyperlink": "\x1b]8;;https://e.example/\x07go\x1b]8;;\x07",
    "window-title": "\x1b]0;x\x07",
    "c1-csi": "\x9b31m",
    "c1-next-line": "a\x85b",
    "line-separator": "a\u2028b\u2029c",
    "rlo": "\u202eevil\u202c \u2067x\u2069 \u200f",
}
# What single-line fields take: no control characters, no line separators.
ONE_LINE_OK = ("script", "rlo")

INCIDENT = "hostile-incident"
CLAIM = "hostile-claim"
SETUP = [
    {"type": "incident", "id": INCIDENT, "title": "Hostile text"},
    {"type": "actor", "id": "speaker", "name": "Speaker", "kind": "person"},
    {"type": "actor", "id": "agency", "name": "Agency", "kind": "organisation"},
    {"type": "actor", "id": "outlet", "name": "Outlet", "kind": "organisation"},
    {"type": "claim", "id": CLAIM, "incident": INCIDENT, "proposition": "It was"},
]


def statement(sid: str, text: str, one_line: str) -> dict[str, Any]:
    """A statement: ``text`` in every paragraph field, ``one_line`` in the others."""
    return {
        "id": sid,
        "incident": INCIDENT,
        "speaker": "speaker",
        "kind": "report",
        "stated_at": "2021-03",
        "claims": [{"claim": CLAIM}],
        "quote": f"Q {text}",
        "paraphrase": f"P {text}",
        "hedging": f"H {one_line}",
        "note": f"N {text}",
        "provenance": [
            {
                "agent": "agency",
                "relation": "told",
                "document": {"outlet": "outlet", "title": f"T {one_line}"},
            }
        ],
    }


def fields_of(found: dict[str, Any]) -> dict[str, Any]:
    """The text fields of a statement, in what the read endpoints return.

    A statement lists its hops as ``provenance``; its provenance gives the whole
    chain from the speaker (``chain``), so the document is on the hop after.
    """
    hops = found["provenance"] if "provenance" in found else found["chain"][1:]
    return {
        "quote": found.get("quote"),
        "paraphrase": found.get("paraphrase"),
        "hedging": found.get("hedging"),
        "note": found.get("note"),
        "provenance.0.document.title": hops[0]["document"]["title"],
    }


def expected(sid: str, text: str, one_line: str) -> dict[str, Any]:
    return fields_of(statement(sid, text, one_line))


@pytest.fixture
def api(tmp_path: Path):
    api = new_api(tmp_path)
    api.close()
    from ledger.web import create_app

    api.app = create_app(api.ledger.url, max_body_bytes=1_000_000)
    api.client = api.app.test_client()
    answer = api.call("POST", "/api/records", "recorder", json=SETUP)
    assert answer.status_code == 200, answer.get_data(True)
    yield api
    api.close()


def read_back(api, sid: str) -> list[dict[str, Any]]:
    """The statement as GET /api/statements/{id} and its provenance return it."""
    one = api.call("GET", f"/api/statements/{sid}", "reader")
    assert one.status_code == 200, one.get_data(True)
    provenance = api.call("GET", f"/api/statements/{sid}/provenance", "reader")
    assert provenance.status_code == 200, provenance.get_data(True)
    listed = api.call("GET", f"/api/statements?incident={INCIDENT}", "reader")
    assert listed.status_code == 200, listed.get_data(True)
    (in_list,) = [s for s in listed.get_json()["statements"] if s["id"] == sid]
    told = provenance.get_json()["statement"]
    (recorded,) = [e for e in told["events"] if e["type"] == "Statement.Recorded"]
    return [one.get_json(), told, recorded["detail"]["data"], in_list]


def as_json_text(value: Any) -> bytes:
    """Raw UTF-8 JSON: C1 controls and separators as characters, not escapes."""
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize("name", list(HOSTILE))
def test_statement_text_comes_back_exactly(api, name: str) -> None:
    text = HOSTILE[name]
    one_line = text if name in ONE_LINE_OK else "plain"
    sid = "hostile-statement"
    body = statement(sid, text, one_line)
    answer = api.call(
        "POST",
        "/api/statements",
        "recorder",
        data=as_json_text(body),
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.get_data(True)
    grade = api.call(
        "POST",
        f"/api/statements/{sid}/grades",
        "recorder",
        json={"reliability": "B", "reason": f"R {text}"},
    )
    assert grade.status_code == 200, grade.get_data(True)
    for found in read_back(api, sid):
        assert fields_of(found) == expected(sid, text, one_line)
    for found in read_back(api, sid)[:2]:
        assert [g["reason"] for g in found["grades"]] == [f"R {text}"]


@pytest.mark.parametrize("name", list(HOSTILE))
def test_import_lines_text_comes_back_exactly(api, name: str) -> None:
    """The same through POST /api/records as JSON Lines, unescaped UTF-8."""
    text = HOSTILE[name]
    one_line = text if name in ONE_LINE_OK else "plain"
    sid = "hostile-line"
    line = {"type": "statement", **statement(sid, text, one_line)}
    body = as_json_text(line) + b"\n"
    answer = api.call(
        "POST", "/api/records", "recorder", data=body, content_type=NDJSON
    )
    assert answer.status_code == 200, answer.get_data(True)
    for found in read_back(api, sid):
        assert fields_of(found) == expected(sid, text, one_line)


ONE_LINE_FIELDS = ["hedging", "provenance.0.document.title"]


@pytest.mark.parametrize("field", ONE_LINE_FIELDS)
@pytest.mark.parametrize(
    "name", [n for n in HOSTILE if n not in ONE_LINE_OK] + ["newline"]
)
def test_single_line_fields_refuse_control_characters(
    api, field: str, name: str
) -> None:
    text = HOSTILE.get(name, "a\nb")
    body = statement("refused-statement", "fine", "fine")
    if field == "hedging":
        body["hedging"] = f"H {text}"
    else:
        body["provenance"][0]["document"]["title"] = f"T {text}"
    before = api.call("GET", "/api/ledger", "reader").get_json()["latest_seq"]
    for path, data, kind in (
        ("/api/statements", as_json_text(body), "application/json"),
        (
            "/api/records",
            as_json_text({"type": "statement", **body}) + b"\n",
            NDJSON,
        ),
    ):
        answer = api.call("POST", path, "recorder", data=data, content_type=kind)
        assert answer.status_code == 422, (path, answer.get_data(True))
        assert answer.mimetype == "application/problem+json"
        problem = answer.get_json()
        assert [e["field"] for e in problem["errors"]] == [field], (path, problem)
        assert (
            "single line without control characters" in problem["errors"][0]["message"]
        )
    after = api.call("GET", "/api/ledger", "reader").get_json()["latest_seq"]
    assert after == before
    missing = api.call("GET", "/api/statements/refused-statement", "reader")
    assert missing.status_code == 404
