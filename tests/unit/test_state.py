"""Folding statements into an incident's state: claim and demand status, what counts.

The incident is made up: a tanker seized in a strait by a coastguard.
"""

from __future__ import annotations

import itertools

from ledger.domain.dates import PartialDate
from ledger.domain.state import StatementFacts, claim_status, compute_state

SEIZED = "tanker-seized-in-intl-waters"
CREW = "crew-detained"
CLAIMS = [
    {"id": SEIZED, "proposition": "The tanker was seized in international waters"},
    {"id": CREW, "proposition": "The crew is detained ashore"},
]
NAMES = {
    "coastguard": "Eastland Coastguard",
    "owner": "Meridian Shipping",
    "ministry": "Westland Ministry of Transport",
    "monitor": "Strait Maritime Monitor",
}

_seq = itertools.count(1)


def stmt(
    slug, speaker, kind, *, stated_at="2021-03-05", claims=(), withdrawn=False, **extra
):
    data = {
        "speaker": speaker,
        "kind": kind,
        "stated_at": stated_at,
        "claims": [{"claim": c, "stance": s} for c, s in claims],
        "paraphrase": f"{speaker} {kind}",
        **extra,
    }
    return StatementFacts(slug=slug, seq=next(_seq), data=data, withdrawn=withdrawn)


def supports(slug, speaker, claim=SEIZED, kind="report", **kw):
    return stmt(slug, speaker, kind, claims=[(claim, "supports")], **kw)


def denies(slug, speaker, claim=SEIZED, **kw):
    return stmt(slug, speaker, "denial", claims=[(claim, "denies")], **kw)


def retraction(slug, speaker, target, **kw):
    return stmt(slug, speaker, "retraction", retracts=target, **kw)


def demand(slug, speaker="owner", addressee="coastguard", **kw):
    return stmt(
        slug,
        speaker,
        "demand",
        demand={"addressee": addressee, "action": "release the tanker"},
        **kw,
    )


def state(statements, as_of=None):
    return compute_state(
        CLAIMS, statements, NAMES, None if as_of is None else PartialDate.parse(as_of)
    )


def claim(result, claim_id=SEIZED):
    return next(c for c in result["claims"] if c["id"] == claim_id)


def status(statements, claim_id=SEIZED, as_of=None):
    return claim(state(statements, as_of), claim_id)["status"]


def demand_row(result, slug="d1"):
    return next(d for d in result["demands"] if d["statement"] == slug)


# --- claim status ---


def test_claim_with_no_statements_is_absent():
    assert status([]) == "absent"


def test_claim_only_mentioned_about_another_claim_is_absent():
    assert status([supports("s1", "owner", claim=CREW)]) == "absent"


def test_claim_with_supporters_only_is_uncontested():
    statements = [
        supports("s1", "owner"),
        supports("s2", "monitor", kind="corroboration"),
    ]
    assert status(statements) == "uncontested"


def test_claim_with_supporters_and_deniers_is_contested():
    assert status([supports("s1", "owner"), denies("s2", "coastguard")]) == "contested"


def test_claim_with_deniers_only_is_denied():
    assert status([denies("s1", "coastguard")]) == "denied"


def test_admission_wins_over_contested():
    statements = [
        supports("s1", "owner"),
        denies("s2", "coastguard"),
        supports("s3", "coastguard", kind="admission"),
    ]
    assert status(statements) == "admitted"


def test_claim_whose_every_supporter_retracted_is_retracted():
    statements = [supports("s1", "owner"), retraction("r1", "owner", "s1")]
    assert status(statements) == "retracted"


def test_claim_with_one_of_two_supporters_retracted_stays_uncontested():
    statements = [
        supports("s1", "owner"),
        supports("s2", "monitor"),
        retraction("r1", "owner", "s1"),
    ]
    assert status(statements) == "uncontested"


def test_retraction_by_another_speaker_does_not_count():
    statements = [supports("s1", "owner"), retraction("r1", "coastguard", "s1")]
    result = state(statements)
    assert claim(result)["status"] == "uncontested"
    assert result["counts"]["retracted"] == 0


def test_retracted_denial_no_longer_denies():
    statements = [
        supports("s1", "owner"),
        denies("s2", "coastguard"),
        retraction("r1", "coastguard", "s2"),
    ]
    assert status(statements) == "uncontested"


def test_retracted_admission_no_longer_admits():
    statements = [
        supports("s1", "owner"),
        denies("s2", "coastguard"),
        supports("s3", "coastguard", kind="admission"),
        retraction("r1", "coastguard", "s3"),
    ]
    assert status(statements) == "contested"


def test_retracted_supporter_is_listed_with_its_retraction():
    result = state([supports("s1", "owner"), retraction("r1", "owner", "s1")])
    row = claim(result)
    assert row["supporters"] == []
    assert [(e["statement"], e["retracted_by"]) for e in row["retracted"]] == [
        ("s1", "r1")
    ]


def test_sides_name_the_speakers():
    row = claim(state([supports("s1", "owner"), denies("s2", "coastguard")]))
    assert [e["speaker_name"] for e in row["supporters"]] == ["Meridian Shipping"]
    assert [e["speaker_name"] for e in row["deniers"]] == ["Eastland Coastguard"]


def test_unknown_speaker_name_falls_back_to_the_slug():
    row = claim(state([supports("s1", "anonymous-sailor")]))
    assert row["supporters"][0]["speaker_name"] == "anonymous-sailor"


def test_claim_status_function_orders_admitted_then_contested():
    assert claim_status(["s"], ["d"], [], admitted=True) == "admitted"
    assert claim_status(["s"], ["d"], [], admitted=False) == "contested"
    assert claim_status(["s"], [], ["r"], admitted=False) == "uncontested"
    assert claim_status([], [], ["r"], admitted=False) == "retracted"
    assert claim_status([], ["d"], [], admitted=False) == "denied"
    assert claim_status([], [], [], admitted=False) == "absent"


# --- withdrawn and undetermined ---


def test_withdrawn_statement_is_not_counted():
    result = state([supports("s1", "owner", withdrawn=True)])
    assert claim(result)["status"] == "absent"
    assert result["statements"] == []
    assert result["counts"]["statements"] == 0
    assert result["counts"]["withdrawn"] == 1


def test_withdrawn_retraction_restores_the_statement():
    statements = [
        supports("s1", "owner"),
        retraction("r1", "owner", "s1", withdrawn=True),
    ]
    assert status(statements) == "uncontested"


def test_statement_after_as_of_is_left_out():
    result = state([supports("s1", "owner", stated_at="2021-04")], as_of="2021-03")
    assert claim(result)["status"] == "absent"
    assert result["statements"] == [] and result["undetermined"] == []


def test_undetermined_statement_is_listed_apart_and_not_counted():
    statements = [
        supports("s1", "owner", stated_at="2021-03-02"),
        denies("s2", "coastguard", stated_at="2021-03"),
    ]
    result = state(statements, as_of="2021-03-10")
    # Uncontested if s2 was not yet made, contested if it was: undetermined.
    assert claim(result)["status"] == "undetermined"
    assert claim(result)["pending"] == {
        "if_none": "uncontested",
        "if_all": "contested",
        "statements": ["s2"],
    }
    assert [e["statement"] for e in claim(result)["supporters"]] == ["s1"]
    assert claim(result)["deniers"] == []
    assert [e["statement"] for e in result["statements"]] == ["s1"]
    assert [e["statement"] for e in result["undetermined"]] == ["s2"]
    assert result["counts"]["statements"] == 1
    assert result["counts"]["undetermined"] == 1


def test_undetermined_retraction_does_not_yet_retract():
    statements = [
        supports("s1", "owner", stated_at="2021-03-02"),
        retraction("r1", "owner", "s1", stated_at="2021-03"),
    ]
    row = claim(state(statements, as_of="2021-03-10"))
    assert row["status"] == "undetermined"
    assert row["pending"]["if_none"] == "uncontested"
    assert row["pending"]["if_all"] == "retracted"
    assert row["pending"]["statements"] == ["r1"]
    assert status(statements, as_of="2021-03-31") == "retracted"


def test_without_as_of_every_statement_stands():
    result = state([supports("s1", "owner", stated_at="2030")])
    assert claim(result)["status"] == "uncontested"


def test_counts_tally_claim_statuses():
    result = state([supports("s1", "owner"), denies("s2", "coastguard", claim=CREW)])
    assert result["counts"]["claims"] == {"uncontested": 1, "denied": 1}


# --- assessments ---


def test_assessment_carries_hedging_and_attribution():
    attribution = {"actors": ["coastguard", "ministry"], "mode": "either"}
    a = supports(
        "s1",
        "monitor",
        kind="assessment",
        hedging="assesses with moderate confidence",
        attribution=attribution,
    )
    row = claim(state([a]))
    assert len(row["assessments"]) == 1
    entry = row["assessments"][0]
    assert entry["hedging"] == "assesses with moderate confidence"
    assert {k: entry["attribution"][k] for k in attribution} == attribution
    assert entry["attribution"]["actor_names"] == [
        NAMES[a] for a in attribution["actors"]
    ]
    assert entry["speaker_name"] == "Strait Maritime Monitor"


def test_report_is_not_listed_as_an_assessment():
    assert claim(state([supports("s1", "owner")]))["assessments"] == []


def test_quote_and_paraphrase_are_kept_apart():
    s = supports("s1", "owner", quote="They boarded us at dawn.")
    entry = claim(state([s]))["supporters"][0]
    assert entry["quote"] == "They boarded us at dawn."
    assert entry["paraphrase"] == "owner report"


# --- demands ---


def test_demand_without_response_is_open():
    row = demand_row(state([demand("d1")]))
    assert row["status"] == "open"
    assert row["addressee"] == "coastguard"
    assert row["addressee_name"] == "Eastland Coastguard"
    assert row["action"] == "release the tanker"


def test_refused_demand_is_refused():
    statements = [demand("d1"), stmt("x1", "coastguard", "refusal", responds_to="d1")]
    row = demand_row(state(statements))
    assert row["status"] == "refused"
    assert [r["statement"] for r in row["responses"]] == ["x1"]


def test_fulfilled_demand_is_met():
    statements = [
        demand("d1"),
        stmt("x1", "coastguard", "fulfilment", responds_to="d1"),
    ]
    assert demand_row(state(statements))["status"] == "met"


def test_met_wins_over_an_earlier_refusal():
    statements = [
        demand("d1"),
        stmt("x1", "coastguard", "refusal", responds_to="d1"),
        stmt("x2", "coastguard", "fulfilment", responds_to="d1"),
    ]
    assert demand_row(state(statements))["status"] == "met"


def test_demand_retracted_by_its_speaker_is_withdrawn():
    statements = [demand("d1"), retraction("r1", "owner", "d1")]
    assert demand_row(state(statements))["status"] == "withdrawn"


def test_demand_retracted_by_someone_else_stays_open():
    statements = [demand("d1"), retraction("r1", "coastguard", "d1")]
    assert demand_row(state(statements))["status"] == "open"


def test_retracted_refusal_leaves_the_demand_open():
    statements = [
        demand("d1"),
        stmt("x1", "coastguard", "refusal", responds_to="d1"),
        retraction("r1", "coastguard", "x1"),
    ]
    assert demand_row(state(statements))["status"] == "open"


def test_withdrawn_refusal_leaves_the_demand_open():
    statements = [
        demand("d1"),
        stmt("x1", "coastguard", "refusal", responds_to="d1", withdrawn=True),
    ]
    assert demand_row(state(statements))["status"] == "open"


def test_refusal_after_as_of_does_not_yet_refuse():
    statements = [
        demand("d1", stated_at="2021-03-05"),
        stmt("x1", "coastguard", "refusal", responds_to="d1", stated_at="2021-04-01"),
    ]
    assert demand_row(state(statements, as_of="2021-03-31"))["status"] == "open"
    assert demand_row(state(statements, as_of="2021-04-01"))["status"] == "refused"


def test_counts_tally_demand_statuses():
    statements = [
        demand("d1"),
        demand("d2"),
        stmt("x1", "coastguard", "refusal", responds_to="d2"),
    ]
    assert state(statements)["counts"]["demands"] == {"open": 1, "refused": 1}
