"""The ledger's Ed25519 signing key: a file beside the database, never printed."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)

from ledger.errors import Unavailable
from ledger.files import FileRefused, check_target, write_atomic


class KeyFileError(Unavailable, ValueError):
    """A signing or public key that cannot be used."""


def public_path(private_path: Path) -> Path:
    """Where the public key of a private key file is written."""
    return private_path.with_name(private_path.name + ".pub")


def create_key(path: Path, protected: Iterable[Path] = ()) -> bool:
    """Create a signing key (mode 0600) and its public key; False if one exists.

    Neither file is ever written over, nor a file in ``protected`` (the ledger's
    database); a missing public key is written again from the private key.
    """
    protected = list(protected)
    pub = public_path(path)
    if path.exists():
        if not os.path.lexists(pub):
            write_atomic(pub, public_pem(load_private(path).public_key()))
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    for target in (path, pub):
        try:
            check_target(target, protected=protected)
        except FileRefused as error:
            raise KeyFileError(f"cannot create the signing key: {error}") from None
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    write_atomic(path, pem, mode=0o600, protected=protected)
    write_atomic(pub, public_pem(key.public_key()), protected=protected)
    return True


def load_private(path: Path) -> Ed25519PrivateKey:
    """The signing key at ``path``."""
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as error:
        raise KeyFileError(f"cannot read the signing key {path}: {error}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path} is not an Ed25519 private key")
    return key


def load_public(path: Path) -> Ed25519PublicKey:
    """A public key from a PEM file."""
    try:
        key = load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as error:
        raise KeyFileError(f"cannot read the public key {path}: {error}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(f"{path} is not an Ed25519 public key")
    return key


def public_pem(key: Ed25519PublicKey) -> bytes:
    """The public key as PEM (SubjectPublicKeyInfo)."""
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def key_id(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, hex: names the key in every checkpoint."""
    raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    """An Ed25519 signature, base64."""
    return base64.b64encode(key.sign(message)).decode("ascii")


def signature_valid(key: Ed25519PublicKey, message: bytes, signature: str) -> bool:
    """Whether ``signature`` (base64) signs ``message`` with ``key``."""
    try:
        key.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
