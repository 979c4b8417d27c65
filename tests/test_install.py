"""The package as users install it: a wheel, in a virtualenv of its own.

The wheel is built from a copy of the checkout and installed without its
dependencies into a new virtualenv whose only link to this one is a ``.pth``
file naming this environment's site-packages (so no download is needed). The
`ledger` it installs then runs in a directory outside the checkout, where a
path relative to the source tree finds nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOT_SHIPPED = shutil.ignore_patterns(
    ".git",
    ".venv",
    ".ci-venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
    ".hypothesis",
    "*.db",
    "*.db-*",
    "*.key",
    "*.key.pub",
)

pytestmark = pytest.mark.slow


def _run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None):
    result = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, (args, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built once from a copy of the checkout."""
    tmp_path = tmp_path_factory.mktemp("wheel")
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, symlinks=True, ignore=NOT_SHIPPED)
    wheels = tmp_path / "wheels"
    _run(
        sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
        "-w", wheels, source, cwd=tmp_path,
    )  # fmt: skip
    (built,) = wheels.glob("*.whl")
    return built


def _venv_with(wheel: Path, tmp_path: Path) -> Path:
    """A new virtualenv holding the wheel; its dependencies are this env's."""
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path)
    python = venv / "bin" / "python"
    purelib = _run(
        python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        cwd=tmp_path,
    ).stdout.strip()  # fmt: skip
    ours = {sysconfig.get_paths()[k] for k in ("purelib", "platlib")}
    Path(purelib, "_ledger_test_deps.pth").write_text("\n".join(sorted(ours)) + "\n")
    _run(
        sys.executable, "-m", "pip", "--python", python, "install", "--quiet",
        "--no-deps", "--no-index", wheel, cwd=tmp_path,
    )  # fmt: skip
    return venv


def test_the_wheel_ships_the_migrations_and_the_demo_example(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = "ledger/resources/"
    expected = {
        f"{shipped}alembic.ini",
        f"{shipped}migrations/env.py",
        f"{shipped}migrations/script.py.mako",
        *(
            f"{shipped}{p.relative_to(ROOT).as_posix()}"
            for pattern in ("migrations/versions/*.py", "examples/*")
            for p in ROOT.glob(pattern)
        ),
    }
    assert any(name.endswith(".jsonl") for name in expected)
    assert any(name.endswith(".demo.json") for name in expected)
    assert any(name.endswith("-article.txt") for name in expected)
    assert expected <= names, sorted(expected - names)


def test_the_installed_wheel_works_outside_the_checkout(
    wheel: Path, tmp_path: Path
) -> None:
    venv = _venv_with(wheel, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LEDGER_", "PYTHON", "VIRTUAL_ENV"))
    }
    python, ledger = venv / "bin" / "python", venv / "bin" / "ledger"
    where = _run(
        python, "-c",
        "import ledger.resources as r; print(r.__file__); print(r.demo_example())",
        cwd=elsewhere, env=env,
    ).stdout.split()  # fmt: skip
    package, example = (Path(p) for p in where)
    assert package.is_relative_to(venv) and example.is_relative_to(venv)

    initialised = _run(ledger, "init", cwd=elsewhere, env=env).stdout
    assert "upgraded from nothing" in initialised
    imported = _run(ledger, "import", example, cwd=elsewhere, env=env).stdout
    assert imported.startswith("recorded ")
    demo = _run(ledger, "demo", cwd=elsewhere, env=env).stdout
    assert "verify-bundle: with the public key alone" in demo
    assert "demo finished" in demo
    _run(ledger, "checkpoint", cwd=elsewhere, env=env)
    verified = _run(ledger, "verify", cwd=elsewhere, env=env).stdout
    assert "every stored event matches" in verified
    assert sorted(p.name for p in elsewhere.iterdir()) == [
        "ledger.db",
        "ledger.db.key",
        "ledger.db.key.pub",
    ]
