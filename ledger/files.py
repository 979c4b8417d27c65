"""Writing files the user names: checked first, never over the ledger, atomically.

Every file a command writes goes through here. A path is refused when it is the
ledger's own database (or its -wal, -shm, -journal files) or one of its key files,
even with ``--force``; an existing file is replaced only with ``--force``; and a
path whose directory does not exist is refused before anything is recorded.
The bytes go to a temporary file in the same directory, are flushed to disk, and
only then take the file's name.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ledger.errors import BadInput

SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


class FileRefused(BadInput):
    """A file the command will not write: it exists, or it belongs to the ledger."""


def sqlite_files(database: str | Path) -> list[Path]:
    """A SQLite database file and the files SQLite keeps beside it."""
    return [Path(f"{database}{suffix}") for suffix in SQLITE_COMPANIONS]


def key_files(private: Path) -> list[Path]:
    """A private key file and its public key file."""
    return [private, private.with_name(private.name + ".pub")]


def _resolved(path: Path) -> Path:
    return Path(os.path.realpath(path))


def check_target(
    path: str | Path, *, force: bool = False, protected: Iterable[Path] = ()
) -> Path:
    """Refuse a path that cannot or must not be written; the path if it can."""
    path = Path(path)
    target = _resolved(path)
    if target in {_resolved(p) for p in protected}:
        raise FileRefused(
            f"refusing to write {path}: it is one of the ledger's own files "
            "(its database or a key), even with --force"
        )
    if path.is_dir():
        raise FileRefused(f"refusing to write {path}: it is a directory")
    if os.path.lexists(path) and not force:
        raise FileRefused(
            f"refusing to replace {path}: it exists (give --force to replace it)"
        )
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise FileRefused(f"cannot write {path}: the directory {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise FileRefused(
            f"cannot write {path}: the directory {parent} is not writable"
        )
    return path


def write_atomic(
    path: str | Path,
    data: bytes,
    *,
    force: bool = False,
    protected: Iterable[Path] = (),
    mode: int = 0o644,
) -> Path:
    """Write ``data`` to ``path``: a temporary file in its directory, fsync, rename.

    Without ``force`` the file is created only if nothing took its name meanwhile
    (a hard link, which fails on an existing name); with ``force`` it replaces.
    """
    protected = list(protected)
    path = check_target(path, force=force, protected=protected)
    parent = path.parent if str(path.parent) else Path(".")
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=".tmp", dir=parent
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if force:
            check_target(path, force=True, protected=protected)
            os.replace(temporary, path)
        else:
            _link_new(temporary, path)
    except BaseException:
        if os.path.lexists(temporary):
            os.unlink(temporary)
        raise
    _sync_directory(parent)
    return path


def move_new(source: Path, target: Path) -> None:
    """Give ``source`` the name ``target``, refusing if ``target`` exists."""
    _link_new(str(source), target)
    _sync_directory(target.parent if str(target.parent) else Path("."))


def _link_new(temporary: str, path: Path) -> None:
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise FileRefused(
            f"refusing to replace {path}: it exists (give --force to replace it)"
        ) from None
    except OSError:  # a file system without hard links: check, then rename
        if os.path.lexists(path):
            raise FileRefused(f"refusing to replace {path}: it exists") from None
        os.replace(temporary, path)
        return
    os.unlink(temporary)


def _sync_directory(directory: Path) -> None:
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
