"""Bearer tokens: who is asking (``g.account``), and whether their role may.

Endpoints say what they need with ``@requires("reader" | "recorder" | "admin")``.
Writes take ``recorded_by`` from ``g.account``, never from the client.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import current_app, g, request
from flask_smorest import Blueprint

from ledger.application.accounts import Principal
from ledger.domain.accounts import allows
from ledger.web.problems import problem

SCHEME = "bearerAuth"
_CHALLENGE = 'Bearer realm="ledger"'


class Refusal(Exception):
    """A request without the right to go on: answered with this problem."""

    def __init__(self, response: Any):
        super().__init__(response.status)
        self.response = response


def _unauthorised(detail: str, error: str | None) -> Refusal:
    challenge = _CHALLENGE + (f', error="{error}"' if error else "")
    return Refusal(problem(401, detail, headers={"WWW-Authenticate": challenge}))


def authenticate() -> Principal:
    """The account of the request's bearer token; a 401 Refusal if there is none."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise _unauthorised("send Authorization: Bearer TOKEN", None)
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorised("use Authorization: Bearer TOKEN", "invalid_request")
    principal = current_app.extensions["ledger.accounts"].authenticate(token.strip())
    if principal is None:
        raise _unauthorised("the token is not valid, or was revoked", "invalid_token")
    return principal


def recorded_by() -> str:
    """Who a write is recorded by: the request's account, never the client's say."""
    return g.account


def requires(role: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Let the view run only for a token whose account has ``role`` (or above)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = authenticate()
            if not allows(principal.role, role):
                raise Refusal(
                    problem(
                        403,
                        f"account {principal.name} is a {principal.role}; "
                        f"this needs the {role} role",
                    )
                )
            g.account = principal.name
            g.principal = principal
            return view(*args, **kwargs)

        return Blueprint.doc(
            security=[{SCHEME: []}],
            responses={"401": "UNAUTHORIZED", "403": "FORBIDDEN"},
            **{"x-required-role": role},
        )(wrapper)

    return decorator


def consumes(*mimetypes: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Refuse a body of another content type with 415 (before it is parsed)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if request.mimetype not in mimetypes:
                given = request.mimetype or "none"
                raise Refusal(
                    problem(
                        415, f"send {' or '.join(mimetypes)} (the body was {given})"
                    )
                )
            return view(*args, **kwargs)

        return wrapper

    return decorator
