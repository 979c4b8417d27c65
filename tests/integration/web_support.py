"""A test client on the API of an example ledger, with one token per role."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from ledger.application.accounts import Accounts
from ledger.bootstrap import Ledger
from ledger.web import create_app
from tests.support import ExampleLedger

ROLES = ("none", "revoked", "reader", "recorder", "admin")
MAX_BODY = 2000


@dataclass
class Api:
    """The app, its client, and a token for each role (and a revoked one)."""

    ledger: ExampleLedger
    app: Flask
    client: FlaskClient
    tokens: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, path: str, role: str = "admin", **kwargs: Any):
        """Send a request as ``role`` ("none": no Authorization header)."""
        headers = dict(kwargs.pop("headers", {}))
        if role != "none":
            headers["Authorization"] = f"Bearer {self.tokens[role]}"
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def close(self) -> None:
        """Release the app's database connections."""
        self.app.extensions["ledger"].close()


def new_api(tmp_path: Path) -> Api:
    """An empty ledger with accounts reader, recorder, admin and a revoked one."""
    ledger = ExampleLedger.new(tmp_path)
    tokens = {}
    with Ledger(ledger.url) as opened:
        accounts = Accounts(opened)
        for role in ("reader", "recorder", "admin"):
            tokens[role] = accounts.add(f"the-{role}", role, "operator").token
        tokens["revoked"] = accounts.add("gone", "admin", "operator").token
        accounts.revoke("gone", "operator")
        accounts.add("target", "reader", "operator")
    app = create_app(ledger.url, max_body_bytes=MAX_BODY)
    return Api(ledger, app, app.test_client(), tokens)
