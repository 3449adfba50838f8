"""Certificate keys are the event log's actor keys (:mod:`valueloop.log.keys`).

One actor key signs both the certificate and the ``certificate.issue`` event that logs it, so
this module only adds the key-pair file convention of ``valueloop certify keygen`` (private key
in ``FILE``, mode 0600; public key in ``FILE.pub``) on top of the log's formats:

* private key: ``PRIVATE+KEY+<name>+<key ID, 8 hex>+<base64(0x01 || 32-byte seed)>``;
* public (verifier) key: ``<name>+<key ID>+<base64(0x01 || 32-byte public key)>``;
* key ID: ``SHA-256(name || 0x0A || 0x01 || public key)[:4]`` (C2SP signed-note).
"""

from __future__ import annotations

from pathlib import Path

from valueloop.core.tables import write_text
from valueloop.log.keys import (
    KeyFormatError,
    Signer,
    VerifierKey,
    read_signer,
    read_verifier_keys,
    write_private_key,
)

CertifyKeyError = KeyFormatError
"""Kept as the certify name of the log's key error (a malformed or mismatched key file)."""
SigningKey = Signer
PublicKey = VerifierKey


def generate_key(name: str) -> Signer:
    """A new random Ed25519 key named ``name``."""
    return Signer.generate(name)


def write_key_pair(path: str | Path, key: Signer) -> tuple[Path, Path]:
    """Write the private key to ``path`` (mode 0600) and the public key to ``path.pub``.

    Neither file may exist: a key file is never overwritten (a lost key cannot be recovered).
    """
    private, public = Path(path), Path(f"{path}.pub")
    if public.exists():
        raise KeyFormatError("exists already; a key file is never overwritten", file=public,
                             allowed="a new file name")
    write_private_key(private, key)
    write_text(public, key.verifier_key + "\n")
    return private, public


def read_signing_key(path: str | Path) -> Signer:
    """The private key in a file written by :func:`write_key_pair` (or ``log keygen``)."""
    return read_signer(path)


def read_public_key(path: str | Path) -> VerifierKey:
    """The one Ed25519 (type 0x01) public key in a ``.pub`` file."""
    keys = read_verifier_keys(path)
    if len(keys) != 1 or keys[0].signature_type != 0x01:
        raise KeyFormatError("holds more than one key, or a witness key", file=path,
                             allowed="one signer's public key (the .pub of certify keygen)")
    return keys[0]
