"""Finding things (issue 10 §5): ``ledger actors``, ``claims``, ``statements``
and ``search``, on both backends, through the same service reads as the API.
"""

from __future__ import annotations

import json

import pytest
from alembic import command

from ledger.application.service import LedgerService
from ledger.bootstrap import alembic_config
from ledger.schemas.resources import ActorOutput, ClaimOutput, StatementOutput
from tests.support import ExampleLedger, json_of

INCIDENT = "tanker-seizure"


@pytest.fixture
def seized(tmp_path) -> ExampleLedger:
    return ExampleLedger.new(tmp_path).holding("fictional-seizure")


def ok(result):
    assert result.exit_code == 0, result.output
    return result


def listed(ledger: ExampleLedger, *args: str) -> list:
    return json_of(ok(ledger.cli(*args, "--json")))


def ids(rows: list) -> list[str]:
    return [r["id"] for r in rows]


def hits(ledger: ExampleLedger, *args: str) -> list[tuple[str, str, str]]:
    found = listed(ledger, "search", *args)
    return [(h["kind"], h["id"], h["field"]) for h in found["hits"]]


# -- listings -------------------------------------------------------------------


def test_the_lists_are_the_service_reads_through_their_schemas(seized):
    with LedgerService.open(seized.url) as service:
        actors = ActorOutput(many=True).dump(service.actors())
        claims = ClaimOutput(many=True).dump(service.claims(INCIDENT))
        statements = StatementOutput(many=True).dump(
            service.statements(incident=INCIDENT)
        )
    assert listed(seized, "actors") == actors
    assert listed(seized, "claims", INCIDENT) == claims
    assert listed(seized, "statements", INCIDENT) == statements
    assert ids(claims) == [
        "tanker-was-seized",
        "seized-by-navy-or-raiders",
        "coastalia-holds-crew",
    ]
    assert "coastal-state" in ids(actors) and len(statements) == 5


def test_the_human_lists_show_names_and_words(seized):
    assert "Republic of Coastalia" in ok(seized.cli("actors")).output
    assert "Coastalia is holding the crew" in ok(seized.cli("claims", INCIDENT)).output
    shown = ok(seized.cli("statements", INCIDENT, "--kind", "denial")).output
    assert "coastalia-denies" in shown and "owner-reports-seizure" not in shown


def test_statements_are_filtered_by_speaker_alias_kind_and_claim(seized):
    by_alias = listed(seized, "statements", INCIDENT, "--speaker", "Coastalia")
    assert ids(by_alias) == ["coastalia-denies"]
    owner = listed(seized, "statements", INCIDENT, "--speaker", "meridian shipping")
    assert ids(owner) == ["owner-reports-seizure", "owner-demands-release"]
    denials = listed(seized, "statements", INCIDENT, "--kind", "denial")
    assert ids(denials) == ["coastalia-denies"]
    on_crew = listed(seized, "statements", INCIDENT, "--claim", "coastalia-holds-crew")
    assert ids(on_crew) == [
        "owner-demands-release",
        "coastalia-denies",
        "crew-corroborates",
    ]


def test_statements_as_of_a_date_mark_the_undetermined_and_leave_out_later(seized):
    may = listed(seized, "statements", INCIDENT, "--as-of", "2021-05-31")
    assert ids(may) == ["owner-reports-seizure"]
    assert may[0]["undetermined"] is False
    mid_june = listed(seized, "statements", INCIDENT, "--as-of", "2021-06-10")
    assert len(mid_june) == 5
    assert [s["undetermined"] for s in mid_june] == [False, True, True, True, True]
    assert "undetermined" not in listed(seized, "statements", INCIDENT)[0]
    shown = ok(seized.cli("statements", INCIDENT, "--as-of", "2021-06-10")).output
    assert "(undetermined)" in shown


def test_lists_as_known_at_a_sequence_number(seized):
    first_statement = listed(seized, "statements", INCIDENT)[0]["seq"]
    at = f"seq:{first_statement}"
    assert ids(listed(seized, "statements", INCIDENT, "--known-at", at)) == [
        "owner-reports-seizure"
    ]
    assert (
        listed(seized, "actors", "--known-at", "seq:2") == listed(seized, "actors")[:1]
    )
    assert listed(seized, "claims", INCIDENT, "--known-at", "seq:2") == []


@pytest.mark.parametrize("command", ["claims", "statements"])
def test_an_unknown_incident_is_a_clear_error(seized, command):
    result = seized.cli(command, "no-such-incident")
    assert result.exit_code == 1
    assert result.output.strip() == "error: no incident no-such-incident is recorded"


def test_an_unknown_speaker_is_a_clear_error(seized):
    result = seized.cli("statements", INCIDENT, "--speaker", "nobody at all")
    assert result.exit_code == 1
    assert "speaker" in result.output and "Traceback" not in result.output


# -- search ---------------------------------------------------------------------


def test_search_finds_a_quote_a_claim_a_title_and_an_alias(seized):
    assert hits(seized, "port") == [("statement", "coastalia-denies", "quote")]
    assert hits(seized, "holding crew") == [
        ("claim", "coastalia-holds-crew", "proposition")
    ]
    assert ("actor", "coastal-state", "aliases.0") in hits(seized, "coastalia")
    assert hits(seized, "MERIDIAN") == [
        ("actor", "shipowner", "name"),
        ("actor", "shipowner", "aliases.0"),
    ]
    assert hits(seized, "strait")[0] == ("incident", INCIDENT, "title")
    # words begin words; a paraphrase is searched too
    assert ("statement", "crew-corroborates", "paraphrase") in hits(seized, "unifor")


def test_search_answers_what_and_where(seized):
    found = listed(seized, "search", "Our navy")
    assert found["query"] == "Our navy" and found["words"] == ["our", "navy"]
    assert found["hits"] == [
        {
            "kind": "statement",
            "id": "coastalia-denies",
            "incident": INCIDENT,
            "field": "quote",
            "text": "Our navy was in port; we hold no one.",
            "withdrawn": False,
            "seq": found["hits"][0]["seq"],
            "recorded_at": found["hits"][0]["recorded_at"],
        }
    ]
    assert found["known_at_seq"] >= found["hits"][0]["seq"]
    shown = ok(seized.cli("search", "navy port")).output
    assert "coastalia-denies" in shown and "quote" in shown


def test_search_ignores_case_and_accents_on_both_sides(tmp_path):
    ledger = ExampleLedger.new(tmp_path)
    actor = {"id": "cafe", "name": "Café Élysée", "kind": "organisation"}
    ledger.write([(1, {"type": "actor", **actor, "aliases": ["Ærø Ltd"]})])
    assert hits(ledger, "cafe elysee") == [("actor", "cafe", "name")]
    assert hits(ledger, "CAFÉ") == [("actor", "cafe", "name")]


@pytest.mark.parametrize(
    "hostile",
    [
        '"navy',
        'navy"',
        "NEAR(navy port)",
        "navy AND port",
        "navy OR crew",
        "NOT navy",
        "nav*",
        "^navy",
        "quote: navy",
        "navy & port | !crew",
        "navy:*",
        "'navy'",
        "navy -port",
        "(navy",
        "navy)",
        "{navy}",
        "x" * 5000,
        " ".join(["navy"] * 300),
        "navy\x00port",
        "\u202enavy",
    ],
)
def test_query_syntax_is_taken_as_words_and_never_fails(seized, hostile):
    result = seized.cli("search", hostile, "--json")
    assert result.exit_code == 0, result.output
    found = json_of(result)
    assert all(w.isalnum() for w in found["words"])
    if found["words"] and set(found["words"]) <= {"navy", "port", "nav"}:
        assert "coastalia-denies" in [h["id"] for h in found["hits"]]


@pytest.mark.parametrize("empty", ["", "   ", '"', "!!!", '"*"', "()", "_"])
def test_an_empty_or_punctuation_query_is_a_clear_error(seized, empty):
    result = seized.cli("search", empty)
    assert result.exit_code == 1
    assert result.output.strip() == (
        "error: text: give at least one word to search for (letters or digits)"
    )


def test_search_follows_corrections_and_known_at(seized):
    before = seized.count_events()
    fixed = seized.cli(
        "correct",
        "coastalia-denies",
        "--field",
        "quote",
        "--value",
        "Our fleet was at anchor.",
        "--reason",
        "misquoted",
    )
    ok(fixed)
    assert hits(seized, "port") == []
    assert hits(seized, "anchor") == [("statement", "coastalia-denies", "quote")]
    then = f"seq:{before}"
    assert hits(seized, "port", "--known-at", then) == [
        ("statement", "coastalia-denies", "quote")
    ]
    assert hits(seized, "anchor", "--known-at", then) == []
    assert ok(seized.cli("verify")).exit_code == 0


def test_search_is_limited(seized):
    assert len(hits(seized, "the")) > 2
    assert len(hits(seized, "the", "--limit", "2")) == 2


def test_an_upgraded_ledger_gets_the_search_rows_the_projection_gives(seized):
    """Revision 0006 fills the search table from what is already projected."""
    fixed = seized.cli(
        "correct",
        "coastalia-denies",
        "--field",
        "paraphrase",
        "--value",
        "Coastalia said its navy stayed in harbour.",
        "--reason",
        "added",
    )
    ok(fixed)
    before = hits(seized, "harbour") + hits(seized, "coastalia")
    config = alembic_config(seized.url)
    command.downgrade(config, "0005")
    command.upgrade(config, "head")
    assert hits(seized, "harbour") + hits(seized, "coastalia") == before
    verified = seized.cli("verify")
    assert verified.exit_code == 0, verified.output


def test_a_withdrawn_statement_is_still_found_and_marked_withdrawn(seized):
    before = seized.count_events()
    ok(seized.cli("withdraw", "coastalia-denies", "--reason", "wrong incident"))
    found = json.loads(ok(seized.cli("search", "port", "--json")).output)["hits"]
    assert [(h["id"], h["withdrawn"]) for h in found] == [("coastalia-denies", True)]
    then = json.loads(
        ok(seized.cli("search", "port", "--json", "--known-at", f"seq:{before}")).output
    )["hits"]
    assert [(h["id"], h["withdrawn"]) for h in then] == [("coastalia-denies", False)]
    table = ok(seized.cli("search", "port")).output
    assert "statement (withdrawn)" in table
