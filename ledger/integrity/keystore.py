"""Which key is the ledger's: recorded in ``signing_keys``, changed only by rotation.

The key files live outside the database (``key_path``); the database records the
id and public key of every key the ledger has had, and the handovers between
them. A checkpoint is signed only with the ledger's current key.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
)
from sqlalchemy import exc, insert, select

from ledger.bootstrap import Ledger
from ledger.files import check_target, key_files, move_new, sqlite_files, write_atomic
from ledger.integrity.keyring import FIELDS, FORMAT, chain_problems, make_link
from ledger.integrity.keys import (
    KeyFileError,
    create_key,
    key_id,
    load_private,
    public_path,
    public_pem,
)
from ledger.persistence import backend, sqlite_path
from ledger.projections import tables as t


class KeyMismatch(KeyFileError):
    """A signing key that is not the ledger's current key."""


def retired_path(key_file: Path, retired_id: str) -> Path:
    """Where rotation moves a key handed over: ``KEYFILE.<first 16 of its id>``."""
    return key_file.with_name(f"{key_file.name}.{retired_id[:16]}")


class KeyStore:
    """The ledger's record of its signing keys, and the key files beside it."""

    def __init__(self, ledger: Ledger, key_file: Path, *also: Path):
        self.ledger = ledger
        self.key_file = key_file
        self.also = also  # other key paths of this ledger (the default one)

    # -- what is recorded -------------------------------------------------------------

    def links(self) -> list[dict[str, Any]]:
        """Every key of the ledger, oldest first, as signed links."""
        k = t.signing_keys.c
        with self.ledger.engine.connect() as conn:
            rows = conn.execute(select(t.signing_keys).order_by(k.id)).all()
        return [
            {"format": FORMAT, **{f: getattr(r, f) for f in FIELDS if f != "format"}}
            for r in rows
        ]

    def current(self) -> str | None:
        """The id of the ledger's current key, if one is recorded."""
        links = self.links()
        return links[-1]["key_id"] if links else None

    def _signed_by(self) -> tuple[int, str | None]:
        """How many checkpoints are recorded, and the latest one's key id."""
        c = t.checkpoints.c
        with self.ledger.engine.connect() as conn:
            rows = conn.execute(select(c.key_id).order_by(c.id)).all()
        return len(rows), (rows[-1].key_id if rows else None)

    def _record(self, link: dict[str, Any], recorded_by: str) -> bool:
        """Record a link; False if another process recorded one in its place
        (each key and each handover from a key is unique)."""
        values = {f: link[f] for f in FIELDS if f != "format"}
        try:
            with self.ledger.engine.begin() as conn:
                conn.execute(
                    insert(t.signing_keys).values(**values, recorded_by=recorded_by)
                )
        except exc.IntegrityError:
            return False
        return True

    # -- files ------------------------------------------------------------------------

    def database_files(self) -> list[Path]:
        """The database file and the files SQLite keeps beside it."""
        url = self.ledger.url
        return sqlite_files(sqlite_path(url)) if backend(url) == "sqlite" else []

    def own_files(self) -> list[Path]:
        """Files no command writes over: the database, every key file, old ones too."""
        files = self.database_files()
        for path in (self.key_file, *self.also):
            files += key_files(path)
            files += [
                f
                for link in self.links()
                for f in key_files(retired_path(path, link["key_id"]))
            ]
        return files

    # -- the current key --------------------------------------------------------------

    def signing_key(self, recorded_by: str) -> Ed25519PrivateKey:
        """The private key in the key file, refused unless it is the ledger's own."""
        key = load_private(self.key_file)
        self.adopt(key, recorded_by)
        return key

    def adopt(self, key: Ed25519PrivateKey, recorded_by: str) -> None:
        """Check that ``key`` is the ledger's key; record it if the ledger has none."""
        found = key_id(key.public_key())
        current = self.current()
        if current is None:
            count, last = self._signed_by()
            if count and last != found:
                raise KeyMismatch(
                    f"the signing key {self.key_file} is key {found[:16]}, but the "
                    f"ledger's checkpoints are signed with key {last[:16]}: give "
                    "that key with --private-key"
                )
            if self._record(make_link(key, None, 0), recorded_by):
                return
            current = self.current()  # recorded meanwhile by another process
        if found != current:
            hint = retired_path(self.key_file, current)
            where = f" (is it {hint}?)" if hint.exists() else ""
            raise KeyMismatch(
                f"the signing key {self.key_file} is key {found[:16]}, not the "
                f"ledger's key {current[:16]}{where}: checkpoints are signed only "
                "with the ledger's key; `ledger key rotate` changes it"
            )

    def create_or_adopt(self, recorded_by: str) -> bool:
        """`ledger init`: create the key file if there is none, then adopt it."""
        if not self.key_file.exists():
            count, last = self._signed_by()
            current = self.current() or last
            if current:
                signed = (
                    f"{count} checkpoint{' was' if count == 1 else 's were'} "
                    f"signed with key {last[:16]}"
                    if count
                    else f"the ledger's key is {current[:16]}"
                )
                raise KeyFileError(
                    f"the signing key {self.key_file} is missing, and {signed}: "
                    "restore it (or give --private-key); a new key would make "
                    "them unverifiable"
                )
        created = create_key(self.key_file, protected=self.database_files())
        self.adopt(load_private(self.key_file), recorded_by)
        return created

    # -- rotation ---------------------------------------------------------------------

    def rotate(self, tree_size: int, recorded_by: str) -> tuple[dict[str, Any], Path]:
        """Hand over from the current key to a new one; the link, the old key's file.

        The new key is written beside the old one first, the handover recorded,
        then the old key files move to ``KEYFILE.<old id>`` and the new ones take
        the key file's name. Nothing existing is overwritten.
        """
        old = self.signing_key(recorded_by)
        new = Ed25519PrivateKey.generate()
        old_id, new_id = key_id(old.public_key()), key_id(new.public_key())
        problems = chain_problems(self.links())
        if problems:
            raise KeyFileError(f"the recorded keys do not verify: {problems[0]}")
        staged, archived = (
            retired_path(self.key_file, new_id),
            retired_path(self.key_file, old_id),
        )
        mine = self.database_files()
        for path in (*key_files(staged), *key_files(archived)):
            check_target(path, protected=mine)
        pem = new.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        write_atomic(staged, pem, mode=0o600, protected=mine)
        write_atomic(public_path(staged), public_pem(new.public_key()), protected=mine)
        link = make_link(new, old, tree_size)
        if not self._record(link, recorded_by) or self.current() != new_id:
            for path in key_files(staged):  # ours, written a moment ago
                path.unlink(missing_ok=True)
            raise KeyMismatch(
                f"key {old_id[:16]} was handed over meanwhile, by another "
                "`ledger key rotate`; nothing was changed here"
            )
        for source, target in (
            (self.key_file, archived),
            (public_path(self.key_file), public_path(archived)),
            (staged, self.key_file),
            (public_path(staged), public_path(self.key_file)),
        ):
            if os.path.lexists(source):
                move_new(source, target)
        return link, archived
