"""The fold at the boundaries of issue 10: one statement with several stances, and
retractions of retractions (a retracted retraction no longer retracts).

The incident is test_state's made-up tanker seizure.
"""

from __future__ import annotations

import pytest

from ledger.domain.retractions import in_cycles
from tests.unit.test_state import (
    CREW,
    SEIZED,
    claim,
    demand,
    demand_row,
    retraction,
    state,
    status,
    stmt,
    supports,
)

# --- one speech act, several stances ---


def test_one_denial_denies_one_claim_and_supports_another_and_counts_once():
    both = stmt(
        "s1", "coastguard", "denial", claims=[(SEIZED, "denies"), (CREW, "supports")]
    )
    result = state([both])
    assert [e["statement"] for e in claim(result, SEIZED)["deniers"]] == ["s1"]
    assert claim(result, SEIZED)["supporters"] == []
    assert [e["statement"] for e in claim(result, CREW)["supporters"]] == ["s1"]
    assert claim(result, CREW)["deniers"] == []
    assert result["counts"]["statements"] == 1
    assert result["counts"]["claims"] == {"denied": 1, "uncontested": 1}


def test_an_admission_admits_only_the_claims_it_supports():
    both = stmt(
        "s1", "coastguard", "admission", claims=[(SEIZED, "denies"), (CREW, "supports")]
    )
    result = state([supports("s0", "owner"), both])
    assert claim(result, CREW)["status"] == "admitted"
    assert claim(result, SEIZED)["status"] == "contested"


def test_retracting_a_mixed_statement_retracts_both_its_stances():
    both = stmt(
        "s1", "coastguard", "denial", claims=[(SEIZED, "denies"), (CREW, "supports")]
    )
    result = state([both, retraction("r1", "coastguard", "s1")])
    assert claim(result, SEIZED)["status"] == "absent"
    assert claim(result, CREW)["status"] == "retracted"
    assert [e["stance"] for e in claim(result, SEIZED)["retracted"]] == ["denies"]


# --- retractions of retractions ---


def test_a_retracted_retraction_no_longer_retracts():
    statements = [
        supports("s1", "owner"),
        retraction("r1", "owner", "s1"),
        retraction("r2", "owner", "r1"),
    ]
    result = state(statements)
    row = claim(result)
    assert row["status"] == "uncontested"
    assert [e["statement"] for e in row["supporters"]] == ["s1"]
    assert row["retracted"] == []
    assert result["counts"]["retracted"] == 1  # r1, by r2


def test_a_third_retraction_retracts_again():
    statements = [
        supports("s1", "owner"),
        retraction("r1", "owner", "s1"),
        retraction("r2", "owner", "r1"),
        retraction("r3", "owner", "r2"),
    ]
    assert status(statements) == "retracted"
    assert claim(state(statements))["retracted"][0]["retracted_by"] == "r1"


def test_the_retraction_of_a_retraction_by_another_speaker_does_not_count():
    statements = [
        supports("s1", "owner"),
        retraction("r1", "owner", "s1"),
        retraction("r2", "coastguard", "r1"),
    ]
    assert status(statements) == "retracted"


def test_the_retraction_of_a_retraction_counts_from_its_date_on():
    statements = [
        supports("s1", "owner", stated_at="2021-03-01"),
        retraction("r1", "owner", "s1", stated_at="2021-03-02"),
        retraction("r2", "owner", "r1", stated_at="2021-03-05"),
    ]
    assert status(statements, as_of="2021-03-03") == "retracted"
    assert status(statements, as_of="2021-03-05") == "uncontested"


def test_a_withdrawn_retraction_of_a_retraction_leaves_the_first_in_force():
    statements = [
        supports("s1", "owner"),
        retraction("r1", "owner", "s1"),
        retraction("r2", "owner", "r1", withdrawn=True),
    ]
    assert status(statements) == "retracted"


def test_one_standing_retraction_of_two_is_enough():
    statements = [
        supports("s1", "owner"),
        retraction("r1", "owner", "s1"),
        retraction("r2", "owner", "s1"),
        retraction("r3", "owner", "r2"),
    ]
    row = claim(state(statements))
    assert row["status"] == "retracted"
    assert row["retracted"][0]["retracted_by"] == "r1"


def test_a_demand_whose_withdrawal_is_retracted_is_open_again():
    statements = [
        demand("d1"),
        retraction("r1", "owner", "d1"),
        retraction("r2", "owner", "r1"),
    ]
    assert demand_row(state(statements))["status"] == "open"


def test_a_cycle_retracts_nothing():
    # Refused when recorded; the fold still gives an answer rather than looping.
    statements = [
        supports("s1", "owner"),
        retraction("r1", "owner", "r2"),
        retraction("r2", "owner", "r1"),
        retraction("r3", "owner", "s1"),
    ]
    result = state(statements)
    assert claim(result)["status"] == "retracted"
    assert result["counts"]["retracted"] == 1


@pytest.mark.parametrize(
    ("edges", "cycle"),
    [
        ({}, set()),
        ({"a": "b"}, set()),
        ({"a": "a"}, {"a"}),
        ({"a": "b", "b": "a"}, {"a", "b"}),
        ({"x": "a", "a": "b", "b": "c", "c": "a"}, {"a", "b", "c"}),
        ({"a": "b", "b": "c", "d": "c"}, set()),
    ],
)
def test_in_cycles_finds_exactly_the_statements_on_a_cycle(edges, cycle):
    assert in_cycles(edges) == cycle


def test_a_long_chain_of_retractions_is_folded_without_recursion():
    statements = [supports("s0", "owner")]
    for i in range(1, 3001):
        statements.append(retraction(f"s{i}", "owner", f"s{i - 1}"))
    # s3000 stands, so s2999 does not, s2998 does...: s_k retracts when 3000 - k
    # is even, so s1 (2999) does not, and s0 counts.
    assert status(statements) == "uncontested"


# --- honest status while statements are undetermined ---


def test_a_claim_awaiting_only_undetermined_supporters_is_undetermined():
    result = state([supports("s1", "owner", stated_at="2021-03")], as_of="2021-03-10")
    row = claim(result)
    assert row["status"] == "undetermined"
    assert row["pending"] == {
        "if_none": "absent",
        "if_all": "uncontested",
        "statements": ["s1"],
    }
    assert row["supporters"] == []
    assert result["counts"]["claims"] == {"undetermined": 1, "absent": 1}


def test_a_status_the_undetermined_statements_cannot_change_is_given_plainly():
    statements = [
        supports("s1", "owner", stated_at="2021-03-01"),
        supports("s2", "monitor", stated_at="2021-03"),
    ]
    row = claim(state(statements, as_of="2021-03-10"))
    assert row["status"] == "uncontested"
    assert "pending" not in row


def test_once_the_as_of_covers_them_the_status_is_plain_again():
    statements = [supports("s1", "owner", stated_at="2021-03")]
    assert status(statements, as_of="2021-03-31") == "uncontested"
    assert "pending" not in claim(state(statements, as_of="2021-03-31"))
    assert status(statements, as_of="2021-02-28") == "absent"


def test_without_as_of_nothing_is_undetermined():
    row = claim(state([supports("s1", "owner", stated_at="2030")]))
    assert row["status"] == "uncontested" and "pending" not in row


def test_an_undetermined_retraction_of_a_retraction_is_awaited_by_the_claim():
    statements = [
        supports("s1", "owner", stated_at="2021-03-01"),
        retraction("r1", "owner", "s1", stated_at="2021-03-02"),
        retraction("r2", "owner", "r1", stated_at="2021-03"),
    ]
    row = claim(state(statements, as_of="2021-03-10"))
    assert row["pending"] == {
        "if_none": "retracted",
        "if_all": "uncontested",
        "statements": ["r2"],
    }


def test_only_the_claims_an_undetermined_statement_bears_on_are_undetermined():
    statements = [
        supports("s1", "owner", claim=CREW, stated_at="2021-03-01"),
        supports("s2", "monitor", stated_at="2021-03"),
    ]
    result = state(statements, as_of="2021-03-10")
    assert claim(result, CREW)["status"] == "uncontested"
    assert claim(result)["status"] == "undetermined"
