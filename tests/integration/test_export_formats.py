"""``ledger export --format prov-json|prov-n|prov-o|csv``.

Each PROV export is read back with ``prov`` and the chain of a seed claim is
followed in it: claim <- statement (with its stance) <- speaker, then hop by
hop to the document the recorder read, then the ledger's record of it. What
the chain should be comes from ``ledger provenance``, not from this file.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from prov.model import (
    ProvAssociation,
    ProvAttribution,
    ProvDerivation,
    ProvDocument,
    ProvInfluence,
    ProvInvalidation,
)

from ledger.exports.prov import document_key
from tests.support import ExampleLedger, incident_of

SEED = "libya-drone"
CLAIM = "russia-knows-where-wreckage-is"
READ_BACK = {
    "prov-json": {"format": "json"},
    "prov-n": {"format": "provn"},
    "prov-o": {"format": "rdf", "rdf_format": "turtle"},
}


@pytest.fixture
def seed(tmp_path: Path) -> ExampleLedger:
    return ExampleLedger.new(tmp_path).holding(SEED)


def _export(ledger: ExampleLedger, *args: str) -> str:
    result = ledger.cli("export", *args)
    assert result.exit_code == 0, result.output
    return result.output


def _read(text: str, fmt: str) -> ProvDocument:
    return ProvDocument.deserialize(content=text, **READ_BACK[fmt])


def _pairs(doc: ProvDocument, kind: type) -> set[tuple[str, str]]:
    return {(str(r.args[0]), str(r.args[1])) for r in doc.get_records(kind)}


def _localparts(names) -> set[str]:
    return {name.split(":", 1)[1] for name in names}


@pytest.mark.parametrize("fmt", list(READ_BACK))
def test_prov_export_holds_the_chain_of_a_claim(seed: ExampleLedger, fmt) -> None:
    doc = _read(_export(seed, incident_of(SEED), "--format", fmt), fmt)
    expected = json.loads(seed.cli("provenance", CLAIM, "--json").output)
    influences = {
        (str(r.args[0]), str(r.args[1])): dict(r.extra_attributes)
        for r in doc.get_records(ProvInfluence)
    }
    attributed = _pairs(doc, ProvAttribution)
    derived = _pairs(doc, ProvDerivation)
    associated = _pairs(doc, ProvAssociation)
    assert expected["statements"]
    for statement in expected["statements"]:
        node = f"statement:{statement['id']}"
        stance = next(c for c in statement["claims"] if c["claim"] == CLAIM)
        attrs = influences[(f"claim:{CLAIM}", node)]
        assert [str(v) for k, v in attrs.items() if k.localpart == "stance"] == [
            stance["stance"]
        ]
        assert (node, f"actor:{statement['speaker']}") in attributed
        current = node
        for i, hop in enumerate(statement["chain"][1:], 1):
            if hop["relation"] == "contributed" and "document" not in hop:
                assert (
                    f"activity:relaying.{statement['id']}.{i - 1}",
                    f"actor:{hop['agent']}",
                ) in associated
                continue
            relayed = f"{node}.hop{i}"
            assert (relayed, current) in derived
            assert (relayed, f"actor:{hop['agent']}") in attributed
            current = relayed
            if "document" in hop:
                document = f"document:{document_key(hop['document'])}"
                assert (document, current) in derived
                outlet = hop["document"].get("outlet")
                if outlet:
                    assert (document, f"actor:{outlet}") in attributed
                current = document
        # The ledger's record was made from what the recorder read.
        assert (f"record:{statement['id']}.v1", current) in derived


@pytest.mark.parametrize("fmt", list(READ_BACK))
def test_prov_invalidates_withdrawn_and_retracted(seed: ExampleLedger, fmt) -> None:
    incident = incident_of(SEED)
    retraction = {
        "type": "statement",
        "id": "speaker-takes-it-back",
        "incident": incident,
        "speaker": "christopher-karns",
        "kind": "retraction",
        "stated_at": "2020-01",
        "retracts": "karns-assessment-contractors-or-lna",
        "paraphrase": "The assessment is withdrawn by its speaker.",
    }
    assert seed.cli("import", "-", input=json.dumps(retraction)).exit_code == 0
    withdrawn = seed.cli("withdraw", "officials-report-drone-missing", "--reason", "x")
    assert withdrawn.exit_code == 0, withdrawn.output
    doc = _read(_export(seed, incident, "--format", fmt), fmt)
    invalidated = _pairs(doc, ProvInvalidation)
    assert (
        "statement:karns-assessment-contractors-or-lna",
        "activity:stating.speaker-takes-it-back",
    ) in invalidated
    entities = {entity for entity, _ in invalidated}
    assert "record:officials-report-drone-missing.v1" in entities


def test_prov_a_retracted_retraction_invalidates_nothing(seed: ExampleLedger) -> None:
    incident = incident_of(SEED)
    target = "karns-assessment-contractors-or-lna"
    lines = [
        {"type": "statement", "id": "r1", "incident": incident,
         "speaker": "christopher-karns", "kind": "retraction", "stated_at": "2020-01",
         "retracts": target, "paraphrase": "Taken back."},
        {"type": "statement", "id": "r2", "incident": incident,
         "speaker": "christopher-karns", "kind": "retraction", "stated_at": "2020-02",
         "retracts": "r1", "paraphrase": "The taking back is taken back."},
    ]  # fmt: skip
    text = "\n".join(json.dumps(line) for line in lines)
    assert seed.cli("import", "-", input=text).exit_code == 0
    doc = _read(_export(seed, incident, "--format", "prov-json"), "prov-json")
    invalidated = _pairs(doc, ProvInvalidation)
    assert ("statement:r1", "activity:stating.r2") in invalidated
    assert not any(entity == f"statement:{target}" for entity, _ in invalidated)


def test_prov_statings_are_local_days_in_the_incidents_zone(
    seed: ExampleLedger,
) -> None:
    incident = incident_of(SEED)
    zoned = seed.cli(
        "correct", incident, "--of", "incident", "--field", "time_zone",
        "--value", "Africa/Tripoli", "--reason", "Tripoli's days.",
    )  # fmt: skip
    assert zoned.exit_code == 0, zoned.output
    doc = json.loads(_export(seed, incident, "--format", "prov-json"))
    stating = doc["activity"]["activity:stating.officials-report-drone-missing"]
    # 2019-11-21 in Tripoli (UTC+2) ran from 22:00 UTC the day before.
    assert stating["prov:startTime"] == "2019-11-20T22:00:00+00:00"
    assert stating["prov:endTime"] == "2019-11-21T22:00:00+00:00"


def test_prov_shows_a_merged_actor_as_the_same_as_the_other(
    seed: ExampleLedger,
) -> None:
    incident = incident_of(SEED)
    merged = seed.cli("merge", "us-military", "--into", "africom", "--reason", "test")
    assert merged.exit_code == 0, merged.output
    doc = json.loads(_export(seed, incident, "--format", "prov-json"))
    agent = doc["agent"]["actor:us-military"]
    assert agent["ledger:sameAs"] == {"$": "actor:africom", "type": "xsd:QName"}
    assert agent["prov:label"] == "U.S. Africa Command"


def test_prov_formats_agree(seed: ExampleLedger) -> None:
    incident = incident_of(SEED)
    texts = {fmt: _export(seed, incident, "--format", fmt) for fmt in READ_BACK}
    from_json = _read(texts["prov-json"], "prov-json")
    assert _read(texts["prov-n"], "prov-n") == from_json
    from_rdf = _read(texts["prov-o"], "prov-o")
    for kind in (ProvAttribution, ProvDerivation, ProvInfluence):
        assert _pairs(from_rdf, kind) == _pairs(from_json, kind)


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_has_one_row_per_statement_and_stance(seed: ExampleLedger) -> None:
    incident = incident_of(SEED)
    rows = _csv_rows(_export(seed, incident, "--format", "csv"))
    statements = json.loads(seed.cli("state", incident, "--json").output)
    expected = seed.query("statement_facts", incident)
    wanted = sum(max(1, len(f.data.get("claims") or [])) for f in expected)
    assert len(rows) == wanted
    by_claim = {c["id"]: c["status"] for c in statements["claims"]}
    for row in rows:
        if row["claim"]:
            assert row["claim_status"] == by_claim[row["claim"]]
            assert row["stance"] in ("supports", "denies")
    assert {row["statement"] for row in rows} == {f.slug for f in expected}


def test_csv_cells_that_a_spreadsheet_would_run_get_an_apostrophe(
    seed: ExampleLedger,
) -> None:
    incident = incident_of(SEED)
    for field, value in (("quote", '=HYPERLINK("x")'), ("note", "@SUM(A1)")):
        fixed = seed.cli(
            "correct", "officials-report-drone-missing", "--field", field,
            "--value", value, "--reason", "test",
        )  # fmt: skip
        assert fixed.exit_code == 0, fixed.output
    rows = _csv_rows(_export(seed, incident, "--format", "csv"))
    row = next(r for r in rows if r["statement"] == "officials-report-drone-missing")
    assert row["quote"] == '\'=HYPERLINK("x")'
    assert row["note"] == "'@SUM(A1)"
    assert row["version"] == "3"
    assert not any(
        cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r.values()
    )


def test_whole_ledger_csv_and_prov_cover_every_incident(seed: ExampleLedger) -> None:
    seed.holding("fictional-seizure")
    rows = _csv_rows(_export(seed, "--format", "csv"))
    assert {r["incident"] for r in rows} == {
        incident_of(SEED),
        incident_of("fictional-seizure"),
    }
    doc = _read(_export(seed, "--format", "prov-json"), "prov-json")
    incidents = _localparts(
        str(r.identifier)
        for r in doc.get_records()
        if str(r.identifier).startswith("incident:")
    )
    assert incidents == {incident_of(SEED), incident_of("fictional-seizure")}


@pytest.mark.parametrize("fmt", list(READ_BACK))
def test_prov_keeps_demands_and_their_answers(seed: ExampleLedger, fmt) -> None:
    incident = incident_of(SEED)
    doc = _read(_export(seed, incident, "--format", fmt), fmt)
    statements = json.loads(seed.cli("history", incident, "--json").output)["events"]
    answers = [
        e["detail"]["data"]
        for e in statements
        if e["type"] == "Statement.Recorded" and e["detail"]["data"].get("responds_to")
    ]
    assert answers
    influences = {
        (str(r.args[0]), str(r.args[1])): {str(v) for v in r.get_attribute("prov:type")}
        for r in doc.get_records(ProvInfluence)
    }
    for event in statements:
        data = event["detail"].get("data", {})
        if data.get("responds_to"):
            pair = (f"statement:{event['subject']}", f"statement:{data['responds_to']}")
            assert influences[pair] == {"ledger:respondsTo"}
        if data.get("demand"):
            record = doc.get_record(f"statement:{event['subject']}")[0]
            addressee = {str(v) for v in record.get_attribute("ledger:demandAddressee")}
            assert addressee == {f"actor:{data['demand']['addressee']}"}
