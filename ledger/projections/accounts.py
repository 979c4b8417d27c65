"""The read-model rows and audit line of each account event.

The rows are inserts only, like every other read model: an account's role is its
latest ``role`` change, and a ``revoke`` change ends the tokens issued before it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select

from ledger.domain.accounts import Account, account_key
from ledger.projections import tables as t

Rows = list[tuple[Any, dict[str, Any]]]


def account_rows(
    event: Any, seq: int, when: datetime
) -> tuple[Rows, str, dict[str, Any]]:
    """The rows this account event adds, its history summary and detail."""
    key = account_key(event.name)
    who = {"seq": seq, "recorded_at": when, "recorded_by": event.recorded_by}
    change = {"account": key, **who}
    if isinstance(event, Account.Added):
        rows: Rows = [
            (t.accounts, {"account": key, "name": event.name, **who}),
            (t.account_changes, {**change, "change": "role", "role": event.role}),
        ]
        summary = f"account {event.name} added with role {event.role}"
        return rows, summary, {"account": event.name, "role": event.role}
    if isinstance(event, Account.RoleChanged):
        rows = [(t.account_changes, {**change, "change": "role", "role": event.role})]
        summary = f"account {event.name}: role {event.previous} -> {event.role}"
        detail = {"account": event.name, "role": event.role, "previous": event.previous}
        return rows, summary, detail
    if isinstance(event, Account.TokenIssued):
        token = {"token_hash": event.token_hash, "token_id": event.token_id}
        rows = [(t.account_tokens, {**token, "account": key, **who})]
        summary = f"account {event.name}: token {event.token_id} issued"
        return rows, summary, {"account": event.name, "token_id": event.token_id}
    if isinstance(event, Account.TokensRevoked):
        rows = [(t.account_changes, {**change, "change": "revoke", "role": None})]
        ids = ", ".join(event.token_ids)
        summary = f"account {event.name}: tokens revoked ({ids})"
        return rows, summary, {"account": event.name, "token_ids": event.token_ids}
    raise TypeError(f"not an account event: {type(event).__qualname__}")


class AccountReads:
    """Accounts, roles and tokens from the read models."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def token(self, token_hash: str) -> dict[str, Any] | None:
        """The live token with this hash: its id, account name, role; else None.

        A token is live if no revocation of its account came after it.
        """
        tokens, accounts, changes = t.account_tokens, t.accounts, t.account_changes
        with self.engine.connect() as conn:
            found = conn.execute(
                select(tokens, accounts.c.name)
                .join(accounts, accounts.c.account == tokens.c.account)
                .where(tokens.c.token_hash == token_hash)
            ).first()
            if found is None:
                return None
            revoked = conn.execute(
                select(changes.c.seq).where(
                    changes.c.account == found.account,
                    changes.c.change == "revoke",
                    changes.c.seq > found.seq,
                )
            ).first()
            if revoked is not None:
                return None
            role = self._roles(conn, [found.account])[found.account]
        return {
            "token_hash": found.token_hash,
            "token_id": found.token_id,
            "name": found.name,
            "role": role,
        }

    def accounts(self, name: str | None = None) -> list[dict[str, Any]]:
        """Every account (or the one named), with its role and live tokens."""
        stmt = select(t.accounts).order_by(t.accounts.c.account)
        if name is not None:
            stmt = stmt.where(t.accounts.c.account == account_key(name))
        with self.engine.connect() as conn:
            rows = list(conn.execute(stmt))
            keys = [r.account for r in rows]
            roles = self._roles(conn, keys)
            live = self._live_tokens(conn, keys)
        return [
            {
                "name": r.name,
                "role": roles[r.account],
                "tokens": live.get(r.account, []),
                "added_seq": r.seq,
                "added_at": r.recorded_at.replace(tzinfo=UTC),
                "added_by": r.recorded_by,
            }
            for r in rows
        ]

    @staticmethod
    def _roles(conn: Any, keys: list[str]) -> dict[str, str]:
        changes = t.account_changes
        rows = conn.execute(
            select(changes.c.account, changes.c.role)
            .where(changes.c.account.in_(keys), changes.c.change == "role")
            .order_by(changes.c.seq)
        )
        return {r.account: r.role for r in rows}

    @staticmethod
    def _live_tokens(conn: Any, keys: list[str]) -> dict[str, list[str]]:
        changes, tokens = t.account_changes, t.account_tokens
        last_revoke = dict(
            conn.execute(
                select(changes.c.account, func.max(changes.c.seq))
                .where(changes.c.account.in_(keys), changes.c.change == "revoke")
                .group_by(changes.c.account)
            ).all()
        )
        live: dict[str, list[str]] = {}
        rows = conn.execute(
            select(tokens.c.account, tokens.c.token_id, tokens.c.seq)
            .where(tokens.c.account.in_(keys))
            .order_by(tokens.c.seq)
        )
        for r in rows:
            if r.seq > last_revoke.get(r.account, 0):
                live.setdefault(r.account, []).append(r.token_id)
        return live
