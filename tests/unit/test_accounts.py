"""The account aggregate: roles, tokens and revocations as events."""

from __future__ import annotations

import pytest

from ledger.domain.accounts import ROLES, Account, account_key, allows
from ledger.domain.model import LedgerRuleError


def new_account() -> Account:
    account = Account(name="Ana", role="recorder", recorded_by="ops")
    account.issue_token(token_id="t1", token_hash="h1", recorded_by="ops")
    account.issue_token(token_id="t2", token_hash="h2", recorded_by="ops")
    return account


def test_roles_are_ordered():
    assert [r for r in ROLES if allows("recorder", r)] == ["reader", "recorder"]
    assert all(allows("admin", r) for r in ROLES)
    assert not allows("reader", "recorder")


def test_names_are_one_account_whatever_their_case():
    assert Account.create_id("Ana") == Account.create_id("ANA")
    assert account_key("Ana") == "ana"


def test_revoke_ends_every_token_and_only_once():
    account = new_account()
    assert account.revoke_tokens(recorded_by="ops") == ["t1", "t2"]
    events = account.collect_events()
    assert type(events[-1]).__qualname__ == "Account.TokensRevoked"
    assert account.revoke_tokens(recorded_by="ops") == []
    assert account.collect_events() == []


def test_role_change_to_the_same_role_is_refused():
    account = new_account()
    with pytest.raises(LedgerRuleError, match="already has role recorder"):
        account.change_role(role="recorder", recorded_by="ops")
    account.change_role(role="admin", recorded_by="ops")
    assert account.role == "admin"
    last = account.collect_events()[-1]
    assert (last.previous, last.role, last.recorded_by) == ("recorder", "admin", "ops")


def test_events_carry_the_token_hash_never_a_token():
    account = new_account()
    issued = [e for e in account.collect_events() if "TokenIssued" in type(e).__name__]
    assert [(e.token_id, e.token_hash) for e in issued] == [("t1", "h1"), ("t2", "h2")]
    assert not any(hasattr(e, "token") for e in issued)
