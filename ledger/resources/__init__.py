"""Files the ledger ships beside its code: its migrations and the demo's example.

They live at the top of the repository (``alembic.ini``, ``migrations/``,
``examples/``); the links in this directory make them package data, so an
installed wheel carries them and the code finds them through
``importlib.resources``, wherever the package is installed.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def shipped(*parts: str) -> Path:
    """A shipped file or directory, as a path on disk (Alembic reads directories)."""
    resource = files(__name__).joinpath(*parts)
    if not isinstance(resource, Path):
        raise RuntimeError(
            f"the ledger's {'/'.join(parts)} is not on disk ({resource}); "
            "install the package unzipped (pip does)"
        )
    return resource


def alembic_ini() -> Path:
    """The Alembic configuration (its ``script_location`` is overridden)."""
    return shipped("alembic.ini")


def migrations() -> Path:
    """The directory of the Alembic migrations."""
    return shipped("migrations")


def demo_example() -> Path:
    """The import file ``ledger demo`` builds its throwaway ledger from.

    The package ships one example (``examples/*.jsonl``, with its ``.demo.json``
    sidecar and the article it was taken from); the first by name is the demo's.
    """
    return sorted(shipped("examples").glob("*.jsonl"))[0]
