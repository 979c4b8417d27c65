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
    _run_grants(
        ledger, "postgres-roles.sql", {"ledger_app": role, ":app_password": "'pw'"}
    )
    return (
        make_url(ledger.url)
        .set(username=role, password="pw")
        .render_as_string(hide_password=False)
    )


def _run_grants(ledger: ExampleLedger, file: str, names: dict[str, str]) -> None:
    """Run a documented grant file as the superuser, names replaced."""
    url = make_url(ledger.url)
    sql = (ROOT / "docs" / file).read_text()
    for old, new in names.items():
        sql = sql.replace(old, new)
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


READ_MODEL_FORGERIES = [
    "UPDATE actors SET display_name = 'FORGED NAME'",
    "UPDATE statements SET data = '{}'",
    "DELETE FROM statements",
    "INSERT INTO actor_names (seq, name_key, actor) "
    "VALUES (1, 'forged', 'coastal-navy')",
    "UPDATE ledger_events SET recorded_by = 'FORGED'",
    "UPDATE merkle_nodes SET hash = 'x'",
    "UPDATE projection_tracking SET notification_id = 1",
    "TRUNCATE statements",
    "UPDATE search_entries SET text = 'FORGED', words = 'forged'",
]


def test_with_team_roles_only_the_projector_writes_the_read_models(
    tmp_path, monkeypatch
):
    """docs/postgres-team-roles.sql: the recorder records and reads; the projector
    projects; the recorder cannot forge what readers see."""
    monkeypatch.setattr("ledger.bootstrap.PROJECTOR_WAIT_S", 0.0)
    ledger = ExampleLedger.new(tmp_path)
    assert ledger.cli("init").exit_code == 0  # the owner: tables and the key
    tag = uuid.uuid4().hex[:10]
    recorder, projector = f"rec_{tag}", f"proj_{tag}"
    names = {
        "ledger_recorder": recorder,
        "ledger_projector": projector,
        ":recorder_password": "'pw'",
        ":projector_password": "'pw'",
    }
    _run_grants(ledger, "postgres-team-roles.sql", names)
    url = make_url(ledger.url)

    def as_role(role: str) -> ExampleLedger:
        role_url = url.set(username=role, password="pw")
        return ExampleLedger(
            role_url.render_as_string(hide_password=False), None, ledger.key
        )

    as_recorder, as_projector = as_role(recorder), as_role(projector)

    imported = as_recorder.cli(
        "import", str(ROOT / "tests/data/fictional-seizure.jsonl")
    )
    assert imported.exit_code == 0, imported.output
    # the recorder could not project: nothing is visible until the projector runs
    assert as_recorder.cli("incidents", "--json").stdout.strip() == "[]"
    projected = as_projector.cli("project")
    assert projected.exit_code == 0, projected.output
    assert "tanker-seizure" in as_recorder.cli("incidents").output
    found = as_recorder.cli("search", "Coastalia")
    assert found.exit_code == 0 and "coastal-state" in found.output, found.output
    assert as_recorder.cli("checkpoint").exit_code == 0

    for sql in READ_MODEL_FORGERIES:
        assert "permission denied" in (_as(as_recorder.url, sql) or ""), sql
    refused = _as(as_projector.url, "DELETE FROM checkpoints")
    assert "permission denied" in (refused or "")
    refused = _as(
        as_projector.url,
        "INSERT INTO stored_events (originator_id, originator_version, topic, state) "
        "VALUES (gen_random_uuid(), 1, 'x', 'x')",
    )
    assert "permission denied" in (refused or "")

    # The projector can write the read models: verify, run by anyone, catches it,
    # and a rebuild by the projector repairs it.
    forged = (
        "UPDATE actors SET display_name = 'FORGED NAME' WHERE slug = 'coastal-navy'"
    )
    assert _as(as_projector.url, forged) is None
    caught = as_recorder.cli("verify")
    assert caught.exit_code == 3, caught.output
    assert "read model actors: row slug=coastal-navy" in caught.output
    assert as_projector.cli("rebuild").exit_code == 0
    assert as_recorder.cli("verify").exit_code == 0


def test_an_upgrade_keeps_the_roles_privileges_on_rebuilt_and_new_tables(tmp_path):
    """Revision 0007 rebuilds actor_names and adds record_changes: a role granted
    under 0006 keeps its privileges on the first and gets those of
    statement_changes on the second, so the deployment keeps working."""
    from alembic import command

    from ledger.bootstrap import alembic_config

    ledger = ExampleLedger.new(tmp_path)
    config = alembic_config(ledger.url)
    command.downgrade(config, "0006")
    role = f"old_{uuid.uuid4().hex[:10]}"
    url = make_url(ledger.url)
    with psycopg.connect(
        host=url.host, port=url.port, user=url.username, dbname=url.database,
        autocommit=True,
    ) as conn:  # fmt: skip
        conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'pw'")
        conn.execute(f"GRANT SELECT, INSERT ON actor_names TO {role}")
        conn.execute(f"GRANT SELECT, INSERT, DELETE ON statement_changes TO {role}")
        command.upgrade(config, "head")
        held = {
            (table, privilege): conn.execute(
                "SELECT has_table_privilege(%s, %s, %s)", (role, table, privilege)
            ).fetchone()[0]
            for table in ("actor_names", "record_changes")
            for privilege in ("SELECT", "INSERT", "DELETE", "UPDATE")
        }
    assert held == {
        ("actor_names", "SELECT"): True,
        ("actor_names", "INSERT"): True,
        ("actor_names", "DELETE"): False,
        ("actor_names", "UPDATE"): False,
        ("record_changes", "SELECT"): True,
        ("record_changes", "INSERT"): True,
        ("record_changes", "DELETE"): True,
        ("record_changes", "UPDATE"): False,
    }
