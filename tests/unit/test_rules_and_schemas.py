"""Statement rules and input schemas, as a recorder meets them: through parse_line."""

from __future__ import annotations

import json
import unicodedata

import pytest

from ledger.domain.rules import statement_problems
from ledger.schemas.lines import InputError, parse_line

LINE = 12


def statement(**fields):
    """A valid report line about a made-up cyber attack, with ``fields`` changed."""
    record = {
        "type": "statement",
        "id": "cert-report-1",
        "incident": "grid-cyber-attack",
        "speaker": "national-cert",
        "kind": "report",
        "stated_at": "2023-06",
        "claims": [{"claim": "grid-outage-caused-by-malware"}],
        "paraphrase": "Malware on the grid operator's network caused the outage.",
    }
    record.update(fields)
    return {k: v for k, v in record.items() if v is not ...}


def load(record):
    return parse_line(json.dumps(record), LINE)


def refused(record) -> InputError:
    with pytest.raises(InputError) as caught:
        load(record)
    assert caught.value.line == LINE
    return caught.value


def test_valid_report_loads_with_its_type_and_id():
    loaded = load(statement())
    assert loaded["type"] == "statement"
    assert loaded["id"] == "cert-report-1"
    assert loaded["stated_at"] == "2023-06"


# --- rules, each through parse_line ---


def test_statement_needs_a_quote_or_a_paraphrase():
    assert refused(statement(paraphrase=...)).field == "quote"


def test_quote_alone_is_enough():
    assert (
        load(statement(paraphrase=..., quote="It was malware."))["quote"]
        == "It was malware."
    )


@pytest.mark.parametrize(
    "kind", ["report", "assessment", "corroboration", "denial", "admission"]
)
def test_kinds_about_claims_must_name_one(kind):
    error = refused(statement(kind=kind, claims=...))
    assert error.field == "claims"
    assert kind in error.message


def test_claim_named_twice_is_refused_at_the_second():
    claims = [
        {"claim": "grid-outage-caused-by-malware"},
        {"claim": "grid-outage-caused-by-malware"},
    ]
    assert refused(statement(claims=claims)).field == "claims.1.claim"


def test_denial_that_only_supports_is_refused_at_its_claims():
    claims = [{"claim": "grid-outage-caused-by-malware", "stance": "supports"}]
    error = refused(statement(kind="denial", claims=claims))
    assert (error.field, error.message) == (
        "claims",
        "a denial denies at least one of its claims",
    )


def test_admission_that_only_denies_is_refused_at_its_claims():
    claims = [{"claim": "grid-outage-caused-by-malware", "stance": "denies"}]
    error = refused(statement(kind="admission", claims=claims))
    assert (error.field, error.message) == (
        "claims",
        "an admission supports at least one of its claims",
    )


MIXED = [
    {"claim": "grid-outage-caused-by-malware"},
    {"claim": "operator-was-warned", "stance": "supports"},
    {"claim": "backup-failed", "stance": "denies"},
]


@pytest.mark.parametrize(
    ("kind", "first"), [("denial", "denies"), ("admission", "supports")]
)
def test_denial_or_admission_may_take_either_stance_on_its_other_claims(kind, first):
    loaded = load(statement(kind=kind, claims=MIXED))
    assert [c["stance"] for c in loaded["claims"]] == [first, "supports", "denies"]


def test_denial_whose_one_denying_claim_is_last_loads():
    claims = [
        {"claim": "operator-was-warned", "stance": "supports"},
        {"claim": "grid-outage-caused-by-malware", "stance": "denies"},
    ]
    assert load(statement(kind="denial", claims=claims))["kind"] == "denial"


@pytest.mark.parametrize("kind", ["report", "assessment", "corroboration"])
def test_other_kinds_may_deny_some_claims(kind):
    claims = [{"claim": "operator-was-warned", "stance": "denies"}, *MIXED[:1]]
    loaded = load(statement(kind=kind, claims=claims))
    assert [c["stance"] for c in loaded["claims"]] == ["denies", "supports"]


@pytest.mark.parametrize("kind", ["comment", "retraction"])
def test_kinds_without_a_default_stance_must_state_one(kind):
    extra = {"retracts": "cert-report-0"} if kind == "retraction" else {}
    error = refused(statement(kind=kind, **extra))
    assert error.field == "claims.0.stance"


def test_unknown_stance_is_refused():
    claims = [{"claim": "grid-outage-caused-by-malware", "stance": "maybe"}]
    assert refused(statement(claims=claims)).field == "claims.0.stance"


def test_demand_needs_what_it_demands():
    assert refused(statement(kind="demand", claims=...)).field == "demand"


def test_only_a_demand_carries_a_demand():
    error = refused(
        statement(demand={"addressee": "grid-operator", "action": "publish logs"})
    )
    assert error.field == "demand"


def test_demand_needs_an_addressee():
    error = refused(
        statement(kind="demand", claims=..., demand={"action": "publish logs"})
    )
    assert error.field == "demand.addressee"


@pytest.mark.parametrize("kind", ["refusal", "fulfilment"])
def test_answers_to_a_demand_need_responds_to(kind):
    assert refused(statement(kind=kind, claims=...)).field == "responds_to"


def test_only_answers_to_a_demand_carry_responds_to():
    assert refused(statement(responds_to="ministry-demand-1")).field == "responds_to"


def test_retraction_needs_what_it_retracts():
    assert refused(statement(kind="retraction", claims=...)).field == "retracts"


def test_only_a_retraction_carries_retracts():
    assert refused(statement(retracts="cert-report-0")).field == "retracts"


@pytest.mark.parametrize("kind", ["denial", "demand", "refusal", "retraction"])
def test_kinds_that_do_not_attribute_refuse_an_attribution(kind):
    problems = statement_problems(
        {
            "kind": kind,
            "quote": "q",
            "attribution": {"actors": ["apt-99"], "mode": "sole"},
        }
    )
    assert ("attribution", f"a {kind} does not attribute responsibility") in problems


def test_denial_with_attribution_is_refused_through_parse_line():
    error = refused(statement(kind="denial", attribution={"actors": ["apt-99"]}))
    assert error.field == "attribution"


def test_sole_attribution_names_exactly_one_actor():
    error = refused(statement(attribution={"actors": ["apt-99", "apt-41"]}))
    assert error.field == "attribution.actors"


@pytest.mark.parametrize("mode", ["either", "jointly"])
def test_alternative_or_joint_attribution_names_two_or_more(mode):
    error = refused(statement(attribution={"actors": ["apt-99"], "mode": mode}))
    assert error.field == "attribution.actors"


def test_either_attribution_of_two_actors_loads():
    attribution = {"actors": ["apt-99", "apt-41"], "mode": "either"}
    assert (
        load(statement(kind="assessment", attribution=attribution))["attribution"]
        == attribution
    )


def test_attribution_defaults_to_sole():
    loaded = load(statement(attribution={"actors": ["apt-99"]}))
    assert loaded["attribution"] == {"actors": ["apt-99"], "mode": "sole"}


def test_unknown_kind_is_refused():
    assert refused(statement(kind="rumour")).field == "kind"


def test_missing_speaker_is_refused():
    assert refused(statement(speaker=...)).field == "speaker"


def test_bad_slug_is_refused_at_its_field():
    assert refused(statement(speaker="National CERT")).field == "speaker"


def test_stated_at_without_offset_is_refused_with_the_fix():
    error = refused(statement(stated_at="2023-06-14T09:00:00"))
    assert error.field == "stated_at"
    assert "2023-06-14T09:00:00Z" in error.message


def test_impossible_stated_at_is_refused_at_the_field():
    assert refused(statement(stated_at="2023-02-30")).field == "stated_at"


def test_impossible_instant_is_refused_at_the_field_not_crashing():
    assert refused(statement(stated_at="2023-02-30T09:00:00Z")).field == "stated_at"


def test_provenance_hop_needs_a_known_relation():
    provenance = [{"agent": "wire-agency", "relation": "overheard"}]
    assert refused(statement(provenance=provenance)).field == "provenance.0.relation"


def test_document_hash_must_be_sha256():
    document = {"content_hash": "md5:1"}
    provenance = [
        {"agent": "wire-agency", "relation": "reported", "document": document}
    ]
    assert (
        refused(statement(provenance=provenance)).field
        == "provenance.0.document.content_hash"
    )


# --- default stances ---


@pytest.mark.parametrize(
    ("kind", "stance"),
    [
        ("report", "supports"),
        ("assessment", "supports"),
        ("corroboration", "supports"),
        ("admission", "supports"),
        ("denial", "denies"),
    ],
)
def test_default_stance_per_kind(kind, stance):
    loaded = load(statement(kind=kind))
    assert loaded["claims"] == [
        {"claim": "grid-outage-caused-by-malware", "stance": stance}
    ]


def test_stated_stance_overrides_the_default():
    claims = [{"claim": "grid-outage-caused-by-malware", "stance": "denies"}]
    assert (
        load(statement(kind="report", claims=claims))["claims"][0]["stance"] == "denies"
    )


# --- blanks, unknown fields, normalisation ---


def test_blank_optional_text_is_treated_as_absent():
    loaded = load(statement(hedging="", quote=""))
    assert "hedging" not in loaded and "quote" not in loaded


def test_null_optional_field_is_treated_as_absent():
    assert "hedging" not in load(statement(hedging=None))


def test_blank_paraphrase_with_no_quote_is_missing_words():
    assert refused(statement(paraphrase="")).field == "quote"


def test_blank_stance_takes_the_kinds_default():
    claims = [{"claim": "grid-outage-caused-by-malware", "stance": ""}]
    loaded = load(statement(kind="denial", claims=claims))
    assert loaded["claims"][0]["stance"] == "denies"


def test_blank_id_is_missing_not_an_empty_slug():
    assert refused(statement(id="")).field == "id"


def test_unknown_top_level_field_is_refused():
    error = refused(statement(confidence="high"))
    assert error.field == "confidence"


def test_unknown_nested_field_is_refused_with_its_path():
    claims = [{"claim": "grid-outage-caused-by-malware", "weight": 2}]
    assert refused(statement(claims=claims)).field == "claims.0.weight"


def test_unknown_type_is_refused_naming_the_choices():
    error = refused({"type": "rumour", "id": "x"})
    assert error.field == "type"
    assert "statement" in error.message


def test_line_that_is_not_json_is_refused():
    with pytest.raises(InputError) as caught:
        parse_line("{not json", 3)
    assert (caught.value.field, caught.value.line) == ("(line)", 3)


def test_line_that_is_not_an_object_is_refused():
    with pytest.raises(InputError) as caught:
        parse_line("[1, 2]", 4)
    assert caught.value.field == "(line)"


def test_error_renders_as_source_line_field_message():
    error = refused(statement(kind="rumour"))
    assert error.at("june.jsonl").startswith(f"june.jsonl:{LINE}: kind: ")


def test_decomposed_and_composed_text_load_equal():
    composed = "Le réseau est tombé"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    a = load(statement(quote=composed))
    b = load(statement(quote=decomposed))
    assert a == b
    assert b["quote"] == composed


def test_nested_text_is_normalised_too():
    decomposed = unicodedata.normalize("NFD", "coupé le réseau")
    demand = {"addressee": "grid-operator", "action": decomposed}
    loaded = load(statement(kind="demand", claims=..., demand=demand))
    assert loaded["demand"]["action"] == unicodedata.normalize("NFC", decomposed)


# --- other line types ---


def grade(**fields):
    record = {"type": "grade", "id": "grade-1", "statement": "cert-report-1", **fields}
    return {k: v for k, v in record.items() if v is not ...}


def test_grade_needs_reliability_or_credibility():
    error = refused(grade(reason="checked"))
    assert "reliability" in error.message and "credibility" in error.message


def test_grade_with_only_reliability_loads():
    assert load(grade(reliability="B"))["reliability"] == "B"


def test_grade_reliability_in_lower_case_is_read_in_upper_case():
    assert load(grade(reliability="b"))["reliability"] == "B"
    assert refused(grade(reliability="g")).field == "reliability"


def test_grade_with_only_credibility_loads():
    assert load(grade(credibility=2))["credibility"] == 2


def test_grade_outside_the_admiralty_scales_is_refused():
    assert refused(grade(reliability="G")).field == "reliability"
    assert refused(grade(credibility=7)).field == "credibility"


def test_credibility_given_as_text_is_refused():
    assert refused(grade(credibility="2")).field == "credibility"


def test_blank_grades_count_as_not_given():
    error = refused(grade(reliability="", credibility=None))
    assert "reliability" in error.message


def test_actor_needs_a_name_unless_anonymous():
    assert refused({"type": "actor", "id": "apt-99", "kind": "group"}).field == "name"


def test_anonymous_actor_needs_a_description():
    record = {
        "type": "actor",
        "id": "grid-insider",
        "kind": "person",
        "anonymous": True,
    }
    assert refused(record).field == "description"


def test_correction_of_an_unknown_field_is_refused():
    record = {
        "type": "correction",
        "id": "fix-1",
        "statement": "cert-report-1",
        "field": "incident",
        "value": "other",
        "reason": "wrong incident",
    }
    assert refused(record).field == "field"


def test_correction_may_clear_a_field_with_null():
    # CorrectionInput declares value as required but allow_none: null means "remove".
    record = {
        "type": "correction",
        "id": "fix-1",
        "statement": "cert-report-1",
        "field": "hedging",
        "value": None,
        "reason": "hedging was the recorder's, not the speaker's",
    }
    loaded = load(record)
    assert loaded["field"] == "hedging"
    assert loaded.get("value") is None
