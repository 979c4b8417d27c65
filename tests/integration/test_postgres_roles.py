"""PostgreSQL: the application's role, as docs/postgres-roles.sql grants it, can
record and project but can neither change stored events nor switch off the
triggers that refuse changes."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from sqlalchemy.engine import make_url

from ledger.integrity.service import ensure_key
from tests.support import ROOT, ExampleLedger

pytestmark = pytest.mark.postgres_only


def _grant(ledger: ExampleLedger, role: str) -> str:
    """Run the documented grants for a new role; the role's database URL."""
    url = make_url(ledger.url)
    sql = (ROOT / "docs" / "postgres-roles.sql").read_text()
    sql = sql.replace("ledger_app", role).replace(":app_password", "'pw'")
    sql = sql.replace(':"DBNAME"', f'"{url.database}"')
    statements = [s for s in _statements(sql) if s]
    with psycopg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        dbname=url.database,
        autocommit=True,
    ) as conn:
        for statement in statements:
            conn.execute(statement)
    return url.set(username=role, password="pw").render_as_string(hide_password=False)


def _statements(sql: str) -> list[str]:
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";")]


def _as(url: str, statement: str) -> str | None:
    parsed = make_url(url)
    with psycopg.connect(
        host=parsed.host,
        port=parsed.port,
        user=parsed.username,
        password=parsed.password,
        dbname=parsed.database,
        autocommit=True,
    ) as conn:
        try:
            conn.execute(statement)
        except psycopg.DatabaseError as error:
            return str(error)
    return None


def test_the_application_role_records_but_cannot_change_or_unguard_events(tmp_path):
    ledger = ExampleLedger.new(tmp_path)
    app = _grant(ledger, f"app_{uuid.uuid4().hex[:10]}")
    as_app = ExampleLedger(app, None, ledger.key)
    imported = as_app.cli("import", str(ROOT / "tests/data/fictional-seizure.jsonl"))
    assert imported.exit_code == 0, imported.output
    ensure_key(ledger.url, str(ledger.key))  # what the owner's `ledger init` does
    checkpoint = as_app.cli("checkpoint")
    assert checkpoint.exit_code == 0, checkpoint.output
    assert "must be owner" in _as(app, "ALTER TABLE stored_events DISABLE TRIGGER ALL")
    drop = "DROP TRIGGER stored_events_refuse_change ON stored_events"
    assert "must be owner" in _as(app, drop)
    assert "immutable" in _as(app, "UPDATE stored_events SET topic = 'forged'")
    assert "permission denied" in _as(app, "DELETE FROM stored_events")
    assert "permission denied" in _as(app, "TRUNCATE stored_events")
    assert "permission denied" in _as(app, "DELETE FROM checkpoints")
    assert as_app.cli("verify").exit_code == 0
