"""The import format: the JSON Schema in docs/ and ``parse_line`` agree.

(a) every line of the seed example passes both; (b) bad lines fail both, and
``parse_line`` names the field at fault; (c) the lines of an incident that is
not the seed pass both, and import into a ledger.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path

import jsonschema
import pytest

from ledger.domain import rules, vocabulary
from ledger.schemas.inputs import SLUG_PATTERN
from ledger.schemas.lines import InputError, parse_line

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "docs" / "import-format.schema.json"
DOC_PATH = ROOT / "docs" / "import-format.md"
SEED_PATH = ROOT / "examples" / "libya-drone.jsonl"
# The document the seed example was transcribed from, as the recorder read it.
SEED_ARTICLE = (
    Path(__file__).resolve().parents[2] / "examples" / "libya-drone-article.txt"
)
IMPORT = getattr(pytest.mark, "import")  # `import` is a keyword


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def schema_errors(validator, data) -> list[str]:
    return [e.message for e in validator.iter_errors(data)]


def schema_blames(validator, data, field: str) -> bool:
    """Whether some innermost JSON Schema error is about ``field`` (a dotted path)."""
    if field == "(record)":
        return True

    def leaves(errors):
        for error in errors:
            if error.context:
                yield from leaves(error.context)
            else:
                yield error

    parent, _, name = field.rpartition(".")
    for error in leaves(validator.iter_errors(data)):
        path = ".".join(str(p) for p in error.absolute_path)
        if path == field or (path == parent and repr(name) in error.message):
            return True
    return False


def seed_lines() -> list[tuple[int, str]]:
    return [
        (number, text)
        for number, text in enumerate(
            SEED_PATH.read_text(encoding="utf-8").splitlines(), 1
        )
        if text.strip()
    ]


# -- (a) the seed ------------------------------------------------------------------


@pytest.mark.seed
@pytest.mark.parametrize(("number", "text"), seed_lines(), ids=lambda v: str(v)[:40])
def test_seed_line_passes_schema_and_parse_line(validator, number, text):
    data = json.loads(text)
    assert schema_errors(validator, data) == []
    record = parse_line(text, number)
    assert record["type"] == data["type"]
    assert record["id"] == data["id"]


@pytest.mark.seed
def test_seed_has_every_core_record_type():
    types = {json.loads(text)["type"] for _, text in seed_lines()}
    assert {"incident", "actor", "claim", "statement"} <= types
    ids = [
        (json.loads(text)["type"], json.loads(text)["id"]) for _, text in seed_lines()
    ]
    assert len(ids) == len(set(ids)), "an id is given twice"


@pytest.mark.seed
def test_seed_quotes_are_verbatim_and_documents_hash_the_article():
    article = SEED_ARTICLE.read_bytes()
    digest = "sha256:" + hashlib.sha256(article).hexdigest()
    text = article.decode("utf-8")
    for _, line in seed_lines():
        data = json.loads(line)
        if data.get("quote"):
            assert data["quote"] in text, data["id"]
        for hop in data.get("provenance") or []:
            document = hop.get("document") or {}
            if "content_hash" in document:
                assert document["content_hash"] == digest, data["id"]


@pytest.mark.seed
@IMPORT
def test_seed_imports_with_every_reference_resolved_and_again_adds_nothing(tmp_path):
    from ledger.bootstrap import Ledger, init

    url = f"sqlite:///{tmp_path}/seed.db"
    init(url)
    records = [(n, parse_line(t, n)) for n, t in seed_lines()]
    with Ledger(url) as ledger:
        first = ledger.write(records, "test")
        again = ledger.write(records, "test")
    assert first.recorded == len(records)
    assert again.recorded == 0
    assert sum(again.unchanged.values()) == len(records)


# -- (b) bad lines -----------------------------------------------------------------

STATEMENT = {
    "type": "statement",
    "id": "navy-denies",
    "incident": "ferry-seized",
    "speaker": "veyra-navy",
    "kind": "denial",
    "stated_at": "2023-04",
    "claims": [{"claim": "navy-boarded-ferry"}],
    "paraphrase": "The navy says it did not board the ferry.",
}


def _statement(**changes):
    data = copy.deepcopy(STATEMENT)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


BAD_LINES = {
    "unknown field": (
        {
            "type": "incident",
            "id": "ferry-seized",
            "title": "Ferry seized",
            "colour": "red",
        },
        "colour",
    ),
    "unknown field in a provenance hop": (
        _statement(provenance=[{"agent": "wire", "relation": "told", "via": "phone"}]),
        "provenance.0.via",
    ),
    "bad slug (capitals and a space)": (
        {
            "type": "actor",
            "id": "Veyra Navy",
            "name": "Veyra Navy",
            "kind": "armed_group",
        },
        "id",
    ),
    "bad slug (starts with a hyphen)": (_statement(speaker="-navy"), "speaker"),
    "bad slug in a claim reference": (
        _statement(claims=[{"claim": "Navy_Boarded"}]),
        "claims.0.claim",
    ),
    "instant without offset": (_statement(stated_at="2023-04-10T10:00"), "stated_at"),
    "instant with seconds, without offset": (
        _statement(stated_at="2023-04-10T10:00:00"),
        "stated_at",
    ),
    "a day that is not a date": (
        {
            "type": "incident",
            "id": "ferry-seized",
            "title": "Ferry seized",
            "occurred_at": "2023-13",
        },
        "occurred_at",
    ),
    "a date in another format": (_statement(stated_at="10/04/2023"), "stated_at"),
    "bad statement kind": (_statement(kind="rumour"), "kind"),
    "bad actor kind": (
        {"type": "actor", "id": "veyra-navy", "name": "Veyra Navy", "kind": "navy"},
        "kind",
    ),
    "bad hop relation": (
        _statement(provenance=[{"agent": "wire", "relation": "whispered"}]),
        "provenance.0.relation",
    ),
    "bad content hash": (
        _statement(
            provenance=[
                {
                    "agent": "wire",
                    "relation": "reported",
                    "document": {"content_hash": "md5:abc"},
                }
            ]
        ),
        "provenance.0.document.content_hash",
    ),
    "missing required field (claim without proposition)": (
        {"type": "claim", "id": "navy-boarded-ferry", "incident": "ferry-seized"},
        "proposition",
    ),
    "missing required field (statement without stated_at)": (
        _statement(stated_at=None),
        "stated_at",
    ),
    "missing required field (hop without agent)": (
        _statement(provenance=[{"relation": "told"}]),
        "provenance.0.agent",
    ),
    "blank required field": (
        {"type": "incident", "id": "ferry-seized", "title": ""},
        "title",
    ),
    "neither quote nor paraphrase": (_statement(paraphrase=None), "quote"),
    "a denial that only supports": (
        _statement(claims=[{"claim": "navy-boarded-ferry", "stance": "supports"}]),
        "claims",
    ),
    "an admission that only denies": (
        _statement(
            kind="admission",
            claims=[
                {"claim": "navy-boarded-ferry", "stance": "denies"},
                {"claim": "crew-was-detained", "stance": "denies"},
            ],
        ),
        "claims",
    ),
    "a denial without claims": (_statement(claims=None), "claims"),
    "a comment on a claim without a stance": (
        _statement(kind="comment", claims=[{"claim": "navy-boarded-ferry"}]),
        "claims.0.stance",
    ),
    "a demand without a demand": (_statement(kind="demand", claims=None), "demand"),
    "a demand on a denial": (
        _statement(demand={"addressee": "veyra", "action": "Release the crew."}),
        "demand",
    ),
    "a refusal that answers nothing": (
        _statement(kind="refusal", claims=None),
        "responds_to",
    ),
    "a retraction that retracts nothing": (
        _statement(kind="retraction", claims=None),
        "retracts",
    ),
    "a denial that attributes": (
        _statement(attribution={"actors": ["veyra-navy"]}),
        "attribution",
    ),
    "a sole attribution naming two actors": (
        _statement(
            kind="assessment", attribution={"actors": ["veyra-navy", "raiders"]}
        ),
        "attribution.actors",
    ),
    "an either attribution naming one actor": (
        _statement(
            kind="assessment", attribution={"actors": ["veyra-navy"], "mode": "either"}
        ),
        "attribution.actors",
    ),
    "a named actor without a name": (
        {"type": "actor", "id": "veyra-navy", "kind": "armed_group"},
        "name",
    ),
    "an anonymous actor without a description": (
        {"type": "actor", "id": "a-sailor", "kind": "person", "anonymous": True},
        "description",
    ),
    "a correction of a field that cannot change": (
        {
            "type": "correction",
            "id": "fix-1",
            "statement": "navy-denies",
            "field": "id",
            "value": "x",
            "reason": "typo",
        },
        "field",
    ),
    "a correction without a reason": (
        {
            "type": "correction",
            "id": "fix-1",
            "statement": "navy-denies",
            "field": "note",
            "value": "x",
        },
        "reason",
    ),
    "a withdrawal without a reason": (
        {"type": "withdrawal", "id": "wd-1", "statement": "navy-denies"},
        "reason",
    ),
    "a reliability grade out of range": (
        {"type": "grade", "id": "g-1", "statement": "navy-denies", "reliability": "G"},
        "reliability",
    ),
    "a credibility grade out of range": (
        {"type": "grade", "id": "g-1", "statement": "navy-denies", "credibility": 7},
        "credibility",
    ),
    "a credibility grade as text": (
        {"type": "grade", "id": "g-1", "statement": "navy-denies", "credibility": "3"},
        "credibility",
    ),
    "a grade with no grade": (
        {"type": "grade", "id": "g-1", "statement": "navy-denies", "reason": "hmm"},
        "(record)",
    ),
    "an unknown line type": ({"type": "rumour", "id": "r-1"}, "type"),
    "a title on two lines": (
        {"type": "incident", "id": "i-1", "title": "Fire\nverified: ok"},
        "title",
    ),
    "an alias with an escape sequence": (
        {
            "type": "actor",
            "id": "a-1",
            "kind": "person",
            "name": "A",
            "aliases": ["A\u001b[2J"],
        },
        "aliases.0",
    ),  # fmt: skip
}


@pytest.mark.parametrize(("data", "field"), BAD_LINES.values(), ids=BAD_LINES.keys())
def test_bad_line_is_rejected_by_both_and_parse_line_names_the_field(
    validator, data, field
):
    assert schema_errors(validator, data), "the JSON Schema accepted a bad line"
    assert schema_blames(validator, data, field), schema_errors(validator, data)
    with pytest.raises(InputError) as caught:
        parse_line(json.dumps(data), 7)
    assert caught.value.field == field
    assert caught.value.line == 7
    assert caught.value.at("bad.jsonl").startswith(f"bad.jsonl:7: {field}: ")


@pytest.mark.parametrize(
    "text", ["not json", "[1, 2]", '"a string"', "{'type': 'incident'}"], ids=repr
)
def test_a_line_that_is_not_a_json_object_is_rejected(validator, text):
    with pytest.raises(InputError) as caught:
        parse_line(text, 3)
    assert caught.value.field == "(line)"
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return
    assert schema_errors(validator, data)


# -- (c) good lines of an incident that is not the seed ----------------------------

DOC = {
    "outlet": "harbour-gazette",
    "title": "Ferry held after boarding in the Strait of Veyra",
    "url": "https://news.example.org/veyra/ferry-held",
    "published_at": "2023-04-11T08:30:00+03:00",
    "retrieved_at": "2023-04-12T09:00:00Z",
    "content_hash": "sha256:" + "ab" * 32,
}
CHAIN = [
    {"agent": "wire-service", "relation": "told"},
    {"agent": "harbour-gazette", "relation": "reported", "document": DOC},
]
INC = "veyra-ferry-seizure"

GOOD_LINES = [
    {
        "type": "incident",
        "id": INC,
        "title": "Passenger ferry seized in the Strait of Veyra",
        "description": "A made-up incident: nothing may depend on the seed.",
        "occurred_at": "2023-04-10",
        "place": "Strait of Veyra",
    },
    {
        "type": "incident",
        "id": "veyra-minimal",
        "title": "A minimal incident",
        "description": None,
        "occurred_at": "",
        "place": None,
    },
    {
        "type": "actor",
        "id": "veyra",
        "name": "Republic of Veyra",
        "kind": "state",
        "aliases": ["Veyra", "the Republic"],
    },
    {
        "type": "actor",
        "id": "veyra-navy",
        "name": "Veyran Navy",
        "kind": "armed_group",
        "affiliation": "veyra",
        "aliases": [],
    },
    {
        "type": "actor",
        "id": "strait-raiders",
        "name": "Strait Raiders",
        "kind": "armed_group",
    },
    {
        "type": "actor",
        "id": "ferry-line",
        "name": "Bluewater Ferries",
        "kind": "organisation",
    },
    {
        "type": "actor",
        "id": "port-authority-chief",
        "name": "Ines Example",
        "kind": "person",
        "role": "Chief of the port authority",
        "affiliation": "ferry-line",
    },
    {
        "type": "actor",
        "id": "a-passenger",
        "kind": "person",
        "anonymous": True,
        "description": "a passenger on the ferry",
        "affiliation": "ferry-line",
    },
    {
        "type": "actor",
        "id": "coastal-residents",
        "kind": "group",
        "anonymous": False,
        "name": "Residents of the coast",
        "role": "",
    },
    {"type": "actor", "id": "wire-service", "name": "Example Wire", "kind": "outlet"},
    {
        "type": "actor",
        "id": "harbour-gazette",
        "name": "The Harbour Gazette",
        "kind": "outlet",
    },
    {
        "type": "claim",
        "id": "ferry-was-seized",
        "incident": INC,
        "proposition": "The ferry was boarded and seized on 10 April 2023.",
    },
    {
        "type": "claim",
        "id": "seized-by-navy-or-raiders",
        "incident": INC,
        "proposition": "The Veyran Navy or the Strait Raiders seized the ferry.",
    },
    {
        "type": "claim",
        "id": "passengers-held-ashore",
        "incident": INC,
        "proposition": "The passengers are being held ashore.",
    },
    {
        "type": "statement",
        "id": "line-reports-seizure",
        "incident": INC,
        "speaker": "ferry-line",
        "kind": "report",
        "stated_at": "2023-04-10T14:05+03:00",
        "claims": [{"claim": "ferry-was-seized"}],
        "quote": "Armed men boarded our ship and ordered the captain to change course.",
        "paraphrase": "The operator reports the ferry was boarded and diverted.",
        "provenance": CHAIN,
    },
    {
        "type": "statement",
        "id": "passenger-corroborates",
        "incident": INC,
        "speaker": "a-passenger",
        "kind": "corroboration",
        "stated_at": "2023-04-11",
        "claims": [{"claim": "ferry-was-seized", "stance": None}],
        "paraphrase": "A passenger says soldiers in grey took over the bridge.",
        "hedging": "",
        "attribution": {"actors": ["veyra-navy"]},
        "provenance": [
            {"agent": "harbour-gazette", "relation": "told", "document": DOC}
        ],
    },
    {
        "type": "statement",
        "id": "chief-assesses",
        "incident": INC,
        "speaker": "port-authority-chief",
        "kind": "assessment",
        "stated_at": "2023-04",
        "claims": [{"claim": "seized-by-navy-or-raiders", "stance": "supports"}],
        "hedging": "it is likely that",
        "attribution": {"actors": ["veyra-navy", "strait-raiders"], "mode": "either"},
        "paraphrase": "It is likely that the navy or the raiders took the ferry.",
        "provenance": [
            {"agent": "wire-service", "relation": "told"},
            {"agent": "harbour-gazette", "relation": "translated"},
        ],
    },
    {
        "type": "statement",
        "id": "line-demands-release",
        "incident": INC,
        "speaker": "ferry-line",
        "kind": "demand",
        "stated_at": "2023-04-11",
        "demand": {
            "addressee": "veyra",
            "action": "Release the ferry and its passengers.",
        },
        "paraphrase": "The operator demands that Veyra release the ferry.",
    },
    {
        "type": "statement",
        "id": "veyra-denies",
        "incident": INC,
        "speaker": "veyra",
        "kind": "denial",
        "stated_at": "2023-04-12",
        "claims": [
            {"claim": "seized-by-navy-or-raiders"},
            {"claim": "passengers-held-ashore", "stance": "denies"},
        ],
        "quote": "No Veyran sailor set foot on that ship.",
        "attribution": None,
    },
    {
        "type": "statement",
        "id": "veyra-refuses",
        "incident": INC,
        "speaker": "veyra",
        "kind": "refusal",
        "stated_at": "2023-04-13",
        "responds_to": "line-demands-release",
        "paraphrase": "Veyra says there is nothing to release.",
    },
    {
        "type": "statement",
        "id": "veyra-releases",
        "incident": INC,
        "speaker": "veyra",
        "kind": "fulfilment",
        "stated_at": "2023-05",
        "responds_to": "line-demands-release",
        "paraphrase": "Veyra says the passengers are free to leave.",
    },
    {
        "type": "statement",
        "id": "veyra-retracts-denial",
        "incident": INC,
        "speaker": "veyra",
        "kind": "retraction",
        "stated_at": "2023-05-02",
        "retracts": "veyra-denies",
        "paraphrase": "Veyra withdraws its denial.",
    },
    {
        "type": "statement",
        "id": "veyra-admits",
        "incident": INC,
        "speaker": "veyra",
        "kind": "admission",
        "stated_at": "2023-05-02",
        "claims": [{"claim": "seized-by-navy-or-raiders"}],
        "attribution": {"actors": ["veyra-navy"], "mode": "sole"},
        "paraphrase": "Veyra admits its navy took the ferry.",
    },
    {
        "type": "statement",
        "id": "residents-comment",
        "incident": INC,
        "speaker": "coastal-residents",
        "kind": "comment",
        "stated_at": "2023",
        "claims": [{"claim": "ferry-was-seized", "stance": "supports"}],
        "paraphrase": "Residents say they watched the ferry being escorted into port.",
        "note": "Recorded from a radio call-in; no document.",
    },
    {
        "type": "correction",
        "id": "fix-chief-date",
        "statement": "chief-assesses",
        "field": "stated_at",
        "value": "2023-04-11",
        "reason": "The wire dates it precisely.",
    },
    {
        "type": "correction",
        "id": "drop-chief-hedging",
        "statement": "chief-assesses",
        "field": "hedging",
        "value": None,
        "reason": "The hedging was the reporter's, not hers.",
    },
    {
        "type": "withdrawal",
        "id": "withdraw-comment",
        "statement": "residents-comment",
        "reason": "Entered against the wrong incident.",
    },
    {
        "type": "grade",
        "id": "grade-line-report",
        "statement": "line-reports-seizure",
        "reliability": "B",
        "credibility": 2,
        "reason": "Operator with direct knowledge.",
    },
    {
        "type": "grade",
        "id": "grade-passenger",
        "statement": "passenger-corroborates",
        "credibility": 3,
    },
    {
        "type": "grade",
        "id": "grade-chief",
        "statement": "chief-assesses",
        "reliability": "F",
        "credibility": None,
    },
    {
        "type": "grade",
        "id": "grade-lower-case",
        "statement": "chief-assesses",
        "reliability": "c",
    },
]


@pytest.mark.parametrize("data", GOOD_LINES, ids=[d["id"] for d in GOOD_LINES])
def test_good_line_of_another_incident_passes_both(validator, data):
    assert schema_errors(validator, data) == []
    record = parse_line(json.dumps(data), 1)
    assert record["type"] == data["type"]
    assert None not in record.values() and "" not in record.values()


@IMPORT
def test_good_lines_of_another_incident_import_into_a_ledger(tmp_path):
    from ledger.bootstrap import Ledger, init

    url = f"sqlite:///{tmp_path}/other.db"
    init(url)
    records = [(n, parse_line(json.dumps(d), n)) for n, d in enumerate(GOOD_LINES, 1)]
    with Ledger(url) as ledger:
        result = ledger.write(records, "test")
        assert result.recorded == len(records)
        state = ledger.read.state(INC)
    statuses = {c["id"]: c["status"] for c in state["claims"]}
    assert statuses["seized-by-navy-or-raiders"] == "admitted"
    assert statuses["ferry-was-seized"] == "uncontested"
    assert [d["status"] for d in state["demands"]] == ["met"]


# -- the schema follows the vocabulary ---------------------------------------------


def test_schema_enums_follow_the_vocabulary():
    defs = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))["$defs"]
    statement = defs["statement"]["properties"]
    assert statement["kind"]["enum"] == list(vocabulary.STATEMENT_KINDS)
    assert defs["actor"]["properties"]["kind"]["enum"] == list(vocabulary.ACTOR_KINDS)
    assert defs["hop"]["properties"]["relation"]["enum"] == list(
        vocabulary.HOP_RELATIONS
    )
    cases = defs["correction"]["oneOf"]
    assert {c["required"][0]: c["properties"]["field"]["enum"] for c in cases} == {
        kind: list(fields) for kind, fields in vocabulary.CORRECTABLE.items()
    }
    # ECMA-262's "$" is Python's "\Z" (no match before a trailing newline).
    assert defs["slug"]["pattern"] == SLUG_PATTERN.replace("\\Z", "$")
    text = json.dumps(defs)
    for values in (
        vocabulary.STANCES,
        vocabulary.ATTRIBUTION_MODES,
        vocabulary.RELIABILITY_GRADES,
        vocabulary.CREDIBILITY_GRADES,
    ):
        assert json.dumps(list(values)) in text
    rules_text = json.dumps(defs["statement"]["allOf"])
    assert json.dumps(list(rules._NEEDS_CLAIMS)) in rules_text
    assert json.dumps(list(rules._MAY_ATTRIBUTE)) in rules_text


def test_the_examples_in_the_docs_pass_both(validator):
    blocks = re.findall(
        r"```jsonl\n(.*?)```", DOC_PATH.read_text(encoding="utf-8"), re.S
    )
    assert blocks, "docs/import-format.md has no jsonl examples"
    for block in blocks:
        for number, text in enumerate(block.splitlines(), 1):
            if text.strip():
                assert schema_errors(validator, json.loads(text)) == [], text
                parse_line(text, number)
