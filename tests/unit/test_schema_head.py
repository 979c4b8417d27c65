"""The schema revision every command expects is Alembic's head.

Commands check the database's revision with one query and without loading
Alembic (issue 11, start-up); ``SCHEMA_HEAD`` must then name the newest
migration, or every command would refuse a ledger ``init`` just upgraded.
"""

from __future__ import annotations

import subprocess
import sys

from alembic.script import ScriptDirectory

from ledger.bootstrap import SCHEMA_HEAD, alembic_config, init


def test_the_expected_revision_is_the_newest_migration():
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert scripts.get_current_head() == SCHEMA_HEAD


def test_a_command_on_sqlite_loads_neither_alembic_nor_psycopg_nor_the_web(tmp_path):
    """What `ledger state` loads on an initialised SQLite ledger."""
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    init(url)
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from ledger.cli.main import main\n"
        f"done = CliRunner().invoke(main, ['incidents', '--db', {url!r}])\n"
        "assert done.exit_code == 0, done.output\n"
        "heavy = ('alembic', 'psycopg', 'flask', 'rdflib', 'prov')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
