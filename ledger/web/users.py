"""``/api/users`` (admins manage accounts and tokens) and ``/api/me`` (anyone)."""

from __future__ import annotations

from typing import Any

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint

from ledger.application.accounts import Accounts
from ledger.schemas.accounts import (
    AccountInput,
    AccountOutput,
    MeOutput,
    RevokedOutput,
    RoleInput,
    TokenOutput,
)
from ledger.web.auth import consumes, recorded_by, requires

blp = Blueprint(
    "users",
    __name__,
    url_prefix="/api",
    description="Accounts, their roles and tokens. Admins manage them; "
    "every change is an event in the ledger.",
)


def _accounts() -> Accounts:
    return current_app.extensions["ledger.accounts"]


def _writing(command: Any, *args: Any) -> Any:
    """Run an account command as the authenticated admin."""
    return command(*args, recorded_by())


@blp.route("/users")
class Users(MethodView):
    """The accounts."""

    @requires("admin")
    @blp.response(200, AccountOutput(many=True))
    def get(self) -> list[dict[str, Any]]:
        """Every account, with its role and live token ids."""
        return _accounts().list()

    @requires("admin")
    @consumes("application/json")
    @blp.arguments(AccountInput)
    @blp.response(201, TokenOutput)
    def post(self, data: dict[str, Any]) -> Any:
        """Add an account; the answer has its first token, shown this once."""
        return _writing(_accounts().add, data["name"], data["role"]).__dict__


@blp.route("/users/<name>")
class User(MethodView):
    """One account."""

    @requires("admin")
    @blp.response(200, AccountOutput)
    def get(self, name: str) -> dict[str, Any]:
        """The account, with its role and live token ids."""
        return _accounts().get(name)


@blp.route("/users/<name>/role")
class UserRole(MethodView):
    """An account's role."""

    @requires("admin")
    @consumes("application/json")
    @blp.arguments(RoleInput)
    @blp.response(200, AccountOutput)
    def put(self, data: dict[str, Any], name: str) -> dict[str, Any]:
        """Give the account another role; its tokens keep working with it."""
        _writing(_accounts().set_role, name, data["role"])
        return _accounts().get(name)


@blp.route("/users/<name>/tokens")
class UserTokens(MethodView):
    """An account's tokens."""

    @requires("admin")
    @blp.response(201, TokenOutput)
    def post(self, name: str) -> Any:
        """Issue another token; it is shown this once."""
        return _writing(_accounts().issue, name).__dict__

    @requires("admin")
    @blp.response(200, RevokedOutput)
    def delete(self, name: str) -> dict[str, Any]:
        """Revoke every token of the account at once."""
        revoked = _writing(_accounts().revoke, name)
        return {"name": _accounts().get(name)["name"], "revoked": revoked}


@blp.route("/me")
class Me(MethodView):
    """Who the token belongs to."""

    @requires("reader")
    @blp.response(200, MeOutput)
    def get(self) -> dict[str, Any]:
        """The account, role and token id of the request's token."""
        p = g.principal
        return {"name": p.name, "role": p.role, "token_id": p.token_id}
