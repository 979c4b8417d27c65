"""Accounts of people who use the ledger over HTTP, recorded as events like the rest.

An account has a role and bearer tokens. Its events carry only a token's hash and
a short id, never the token: the token is shown once, to whoever issued it.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from ledger.domain.model import LedgerRuleError, stream_id

# Each role may do what the roles before it may do.
ROLES = ("reader", "recorder", "admin")


def allows(role: str, needed: str) -> bool:
    """Whether an account with ``role`` may do what ``needed`` may do."""
    return ROLES.index(role) >= ROLES.index(needed)


def account_key(name: str) -> str:
    """Names are case-insensitive: ``Alice`` and ``alice`` are one account."""
    return name.casefold()


class AccountExists(LedgerRuleError):
    """An account with this name is already recorded."""


class Account(Aggregate):
    """Who may read or write through the server, and with which tokens."""

    @staticmethod
    def create_id(name: str) -> UUID:  # type: ignore[override]
        """Accounts are addressed by their case-folded name."""
        return stream_id("account", account_key(name))

    @event("Added")
    def __init__(self, name: str, role: str, recorded_by: str):
        self.name = name
        self.role = role
        self.recorded_by = recorded_by
        self.tokens: list[str] = []

    def change_role(self, *, role: str, recorded_by: str) -> None:
        """Give the account another role; its tokens keep working with it."""
        if role == self.role:
            raise LedgerRuleError(f"account {self.name} already has role {role}")
        self._role_changed(
            name=self.name, role=role, previous=self.role, recorded_by=recorded_by
        )

    @event("RoleChanged")
    def _role_changed(
        self, name: str, role: str, previous: str, recorded_by: str
    ) -> None:
        self.role = role

    def issue_token(self, *, token_id: str, token_hash: str, recorded_by: str) -> None:
        """Record a new token by its SHA-256 hash and a short id for display."""
        self._token_issued(
            name=self.name,
            token_id=token_id,
            token_hash=token_hash,
            recorded_by=recorded_by,
        )

    @event("TokenIssued")
    def _token_issued(
        self, name: str, token_id: str, token_hash: str, recorded_by: str
    ) -> None:
        self.tokens.append(token_id)

    def revoke_tokens(self, *, recorded_by: str) -> list[str]:
        """Revoke every token issued so far; the ids revoked (none: no event)."""
        revoked = list(self.tokens)
        if revoked:
            self._tokens_revoked(
                name=self.name, token_ids=revoked, recorded_by=recorded_by
            )
        return revoked

    @event("TokensRevoked")
    def _tokens_revoked(
        self, name: str, token_ids: list[str], recorded_by: str
    ) -> None:
        self.tokens = []
