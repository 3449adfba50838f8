"""Ed25519 keys for certificates, in the C2SP signed-note text forms.

The forms match those of the event log (``valueloop.log``), so one actor key can sign both;
this module reads and writes them itself because the log is built in parallel and the two are
not coupled (merge them once both exist):

* private key: ``PRIVATE+KEY+<name>+<key ID, 8 hex>+<base64(0x01 || 32-byte seed)>``;
* public (verifier) key: ``<name>+<key ID>+<base64(0x01 || 32-byte public key)>``;
* key ID: ``SHA-256(name || 0x0A || 0x01 || public key)[:4]``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from valueloop.core.errors import UserInputError

ED25519 = 0x01
PRIVATE_PREFIX = "PRIVATE+KEY+"
_NAME = re.compile(r"^[^\s+]+$")
_HEX8 = re.compile(r"^[0-9a-f]{8}$")


class CertifyKeyError(UserInputError):
    """A key name, key file or key text that is malformed or does not match."""


def _check_name(name: str) -> str:
    if not _NAME.match(name):
        raise CertifyKeyError(f"key name {name!r} is empty or has a space or '+'",
                              item="NAME", allowed="e.g. example.com/certifier-1")
    return name


def _key_id(name: str, public: bytes) -> str:
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public).hexdigest()[:8]


def _decode(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise CertifyKeyError(f"{what} is not valid base64", item=what) from None
    if len(raw) != 33 or raw[0] != ED25519:
        raise CertifyKeyError(f"{what} is not a 32-byte Ed25519 key of type 0x01", item=what)
    return raw[1:]


@dataclass(frozen=True)
class PublicKey:
    """An Ed25519 verifier key with its name."""

    name: str
    raw: bytes

    @property
    def key_id(self) -> str:
        return _key_id(self.name, self.raw)

    @property
    def text(self) -> str:
        return f"{self.name}+{self.key_id}+{base64.b64encode(bytes([ED25519]) + self.raw).decode()}"

    def verify(self, signature: bytes, message: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(signature, message)
        except InvalidSignature:
            return False
        return True

    @classmethod
    def parse(cls, text: str) -> PublicKey:
        parts = text.strip().split("+", 2)
        if len(parts) != 3 or not _HEX8.match(parts[1]) or text.startswith(PRIVATE_PREFIX):
            raise CertifyKeyError("is not a public key", item="key",
                                  allowed="NAME+KEYID+BASE64 (the .pub file of certify keygen)")
        key = cls(_check_name(parts[0]), _decode(parts[2], "public key"))
        if key.key_id != parts[1]:
            raise CertifyKeyError(f"key ID {parts[1]} does not match the key", item="key")
        return key


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 private key with its name (the certifying actor)."""

    name: str
    seed: bytes

    @property
    def public(self) -> PublicKey:
        key = Ed25519PrivateKey.from_private_bytes(self.seed).public_key()
        return PublicKey(self.name, key.public_bytes(Encoding.Raw, PublicFormat.Raw))

    def sign(self, message: bytes) -> bytes:
        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(message)

    @property
    def text(self) -> str:
        material = base64.b64encode(bytes([ED25519]) + self.seed).decode()
        return f"{PRIVATE_PREFIX}{self.name}+{self.public.key_id}+{material}"

    @classmethod
    def parse(cls, text: str) -> SigningKey:
        body = text.strip()
        parts = body.removeprefix(PRIVATE_PREFIX).split("+", 2)
        if not body.startswith(PRIVATE_PREFIX) or len(parts) != 3 or not _HEX8.match(parts[1]):
            raise CertifyKeyError("is not a private key", item="key",
                                  allowed="PRIVATE+KEY+NAME+KEYID+BASE64 (certify keygen)")
        key = cls(_check_name(parts[0]), _decode(parts[2], "private key"))
        if key.public.key_id != parts[1]:
            raise CertifyKeyError(f"key ID {parts[1]} does not match the key", item="key")
        return key


def generate_key(name: str) -> SigningKey:
    """A new random Ed25519 key named ``name``."""
    seed = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw,
                                                      NoEncryption())
    return SigningKey(_check_name(name), seed)


def _write_new(path: Path, text: str, mode: int) -> None:
    # O_EXCL with the final mode from the start: a private key is never readable by others,
    # and an existing key file is never overwritten (a lost key cannot be recovered).
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text + "\n")
            stream.flush()
            os.fsync(stream.fileno())
        os.link(temporary, path)
    finally:
        os.unlink(temporary)


def write_key_pair(path: str | Path, key: SigningKey) -> tuple[Path, Path]:
    """Write the private key to ``path`` (mode 0600) and the public key to ``path.pub``."""
    private, public = Path(path), Path(f"{path}.pub")
    for target in (private, public):
        if target.exists():
            raise CertifyKeyError("exists already; key files are never overwritten",
                                  file=target, allowed="a new file name")
    if not private.parent.is_dir():
        raise CertifyKeyError(f"folder {private.parent} does not exist", file=private)
    _write_new(private, key.text, 0o600)
    _write_new(public, key.public.text, 0o644)
    return private, public


def _read(path: str | Path) -> str:
    try:
        return Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CertifyKeyError(f"cannot read the key file ({exc.__class__.__name__})",
                              file=path) from None


def read_signing_key(path: str | Path) -> SigningKey:
    try:
        return SigningKey.parse(_read(path))
    except CertifyKeyError as exc:
        raise exc.located(path) from None


def read_public_key(path: str | Path) -> PublicKey:
    try:
        return PublicKey.parse(_read(path))
    except CertifyKeyError as exc:
        raise exc.located(path) from None
