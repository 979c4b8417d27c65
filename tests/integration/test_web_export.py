"""``GET /api/incidents/<id>/export?format=``: the bytes ``ledger export`` writes."""

from __future__ import annotations

import pytest
from prov.model import ProvDocument

from ledger.exports import FORMATS, MEDIA_TYPES
from tests.integration.web_support import new_api
from tests.support import incident_of

SEED = "libya-drone"
INCIDENT = incident_of(SEED)


@pytest.fixture
def api(tmp_path):
    made = new_api(tmp_path)
    made.ledger.holding(SEED)
    yield made
    made.close()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_reader_gets_what_the_command_line_writes(api, fmt) -> None:
    response = api.call(
        "GET", f"/api/incidents/{INCIDENT}/export", "reader",
        query_string={"format": fmt},
    )  # fmt: skip
    assert response.status_code == 200, response.get_data(True)
    assert response.mimetype == MEDIA_TYPES[fmt]
    assert "attachment" in response.headers["Content-Disposition"]
    written = api.ledger.cli("export", INCIDENT, "--format", fmt)
    assert written.exit_code == 0, written.output
    body = response.get_data(True)
    if fmt == "prov-o":
        # Turtle orders blank nodes as it likes: compare what the documents say.
        def read(text):
            return ProvDocument.deserialize(
                content=text, format="rdf", rdf_format="turtle"
            )

        assert read(body) == read(written.stdout_bytes.decode())
    else:
        assert body == written.stdout_bytes.decode()


def test_jsonl_is_the_default(api) -> None:
    response = api.call("GET", f"/api/incidents/{INCIDENT}/export", "reader")
    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"


def test_unknown_incident_is_404_and_unknown_format_422(api) -> None:
    missing = api.call("GET", "/api/incidents/no-such/export", "reader")
    assert missing.status_code == 404
    bad = api.call(
        "GET", f"/api/incidents/{INCIDENT}/export", "reader",
        query_string={"format": "xml"},
    )  # fmt: skip
    assert bad.status_code == 422
    assert "format" in bad.get_data(True)


def test_no_token_no_export(api) -> None:
    response = api.call("GET", f"/api/incidents/{INCIDENT}/export", "none")
    assert response.status_code == 401
