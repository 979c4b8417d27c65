"""Accounts: add, give a role, issue and revoke tokens, authenticate a token.

Account changes are saved as events through the ledger's application, so the
Merkle tree and the audit history cover them, then projected like any write.
Tokens are 256 random bits; only their SHA-256 is stored (docs/decisions.md).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from ledger.domain.accounts import ROLES, Account, AccountExists
from ledger.domain.model import LedgerRuleError
from ledger.projections.accounts import AccountReads
from ledger.projections.queries import NotFound

if TYPE_CHECKING:
    from ledger.bootstrap import Ledger

TOKEN_PREFIX = "ldg_"
_ATTEMPTS = 5


def token_hash(token: str) -> str:
    """The SHA-256 (hex) a token is stored and looked up by."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Issued:
    """A token just issued: shown once, never stored."""

    name: str
    role: str
    token: str
    token_id: str


@dataclass(frozen=True)
class Principal:
    """Who a request's token belongs to."""

    name: str
    role: str
    token_id: str


class Accounts:
    """The account commands and queries of one ledger."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger
        self.reads = AccountReads(ledger.engine)

    # -- commands ------------------------------------------------------------------

    def add(self, name: str, role: str, recorded_by: str) -> Issued:
        """A new account with ``role`` and its first token."""
        _check_role(role)
        account = Account(name=name, role=role, recorded_by=recorded_by)
        issued = _issue(account, recorded_by)
        try:
            self._save(account)
        except IntegrityError:
            existing = self._load(name)
            raise AccountExists(
                f"account {existing.name} already exists; "
                "use `users token` for another token"
            ) from None
        return issued

    def issue(self, name: str, recorded_by: str) -> Issued:
        """Another token for an existing account."""
        return self._change(name, lambda a: _issue(a, recorded_by))

    def revoke(self, name: str, recorded_by: str) -> list[str]:
        """Revoke every token of an account; the ids revoked (maybe none)."""
        return self._change(name, lambda a: a.revoke_tokens(recorded_by=recorded_by))

    def set_role(self, name: str, role: str, recorded_by: str) -> str:
        """Give an account another role; its previous role."""
        _check_role(role)

        def change(account: Account) -> str:
            previous = account.role
            account.change_role(role=role, recorded_by=recorded_by)
            return previous

        return self._change(name, change)

    # -- queries -------------------------------------------------------------------

    def authenticate(self, token: str) -> Principal | None:
        """The account a live token belongs to, or None (unknown or revoked)."""
        digest = token_hash(token)
        found = self.reads.token(digest)
        # The lookup is by hash; comparing again in constant time costs nothing.
        if found is None or not hmac.compare_digest(found["token_hash"], digest):
            return None
        return Principal(found["name"], found["role"], found["token_id"])

    def list(self) -> list[dict[str, Any]]:
        """Every account, with its role and live token ids."""
        return self.reads.accounts()

    def get(self, name: str) -> dict[str, Any]:
        """One account, or NotFound."""
        found = self.reads.accounts(name)
        if not found:
            raise NotFound(f"no account {name!r}")
        return found[0]

    # -- helpers -------------------------------------------------------------------

    def _change(self, name: str, command: Callable[[Account], Any]) -> Any:
        """Load, change and save; a concurrent change is retried on the newer one."""
        for attempt in range(_ATTEMPTS):
            account = self._load(name)
            result = command(account)
            try:
                self._save(account)
            except IntegrityError:
                if attempt == _ATTEMPTS - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
                continue
            return result
        raise AssertionError("unreachable")

    def _load(self, name: str) -> Account:
        try:
            return self.ledger.app.repository.get(Account.create_id(name))
        except AggregateNotFoundError:
            raise NotFound(f"no account {name!r}") from None

    def _save(self, account: Account) -> None:
        recordings = self.ledger.app.save(account)
        self.ledger.project_recordings(recordings, None)
        self.ledger.project()


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise LedgerRuleError(f"role must be one of {', '.join(ROLES)} (got {role!r})")


def _issue(account: Account, recorded_by: str) -> Issued:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    digest = token_hash(token)
    account.issue_token(
        token_id=digest[:12], token_hash=digest, recorded_by=recorded_by
    )
    return Issued(account.name, account.role, token, digest[:12])
