"""Ed25519 actor keys named as C2SP signed-note keys, and their text forms.

A key has a *name* (non-empty, no Unicode space, no ``+``; a schema-less URL is recommended) and
a 32-bit *key ID*: ``SHA-256(name || 0x0A || type || public key)[:4]`` (C2SP signed-note,
"Signatures"). The type byte is 0x01 for Ed25519 note signatures and 0x04 for timestamped
Ed25519 witness cosignatures (C2SP tlog-cosignature). The text forms follow the Go reference
implementation (golang.org/x/mod/sumdb/note) that C2SP calls *vkeys*:

* verifier key: ``<name>+<key ID, 8 hex digits>+<base64(type || public key)>``;
* signer key: ``PRIVATE+KEY+<name>+<key ID>+<base64(0x01 || 32-byte seed)>``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from valueloop.core.errors import UserInputError

ED25519 = 0x01
"""Signature type of an Ed25519 note signature (C2SP signed-note)."""
COSIGNATURE_V1 = 0x04
"""Signature type of a timestamped Ed25519 witness cosignature (C2SP tlog-cosignature)."""
PRIVATE_PREFIX = "PRIVATE+KEY+"
_HEX8 = re.compile(r"[0-9a-f]{8}")


class KeyFormatError(UserInputError):
    """A key name, key text or key file that is malformed."""


def check_key_name(name: str) -> str:
    """Return ``name`` if it is a valid C2SP key name, else raise :class:`KeyFormatError`."""
    if not name or any(ch == "+" or ch.isspace() or unicodedata.category(ch) == "Zs"
                       or ord(ch) < 0x20 for ch in name):
        raise KeyFormatError(f"key name {name!r} is empty or has a space or '+'",
                             item="key name",
                             allowed="a non-empty name without spaces or '+', e.g. "
                                     "example.com/smelter-1")
    return name


def key_id(name: str, signature_type: int, public_key: bytes) -> int:
    """``SHA-256(name || 0x0A || type || public key)[:4]`` as a big-endian integer."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([signature_type]) + public_key)
    return int.from_bytes(digest.digest()[:4], "big")


@dataclass(frozen=True)
class VerifierKey:
    """A public key with its name, type and key ID: what a verifier is configured with."""

    name: str
    signature_type: int
    public_key: bytes

    @property
    def key_id(self) -> int:
        return key_id(self.name, self.signature_type, self.public_key)

    @property
    def label(self) -> str:
        """``name+keyid``: how an event names the key that signed it."""
        return f"{self.name}+{self.key_id:08x}"

    @property
    def text(self) -> str:
        """The vkey string ``name+keyid+base64(type || public key)``."""
        material = base64.b64encode(bytes([self.signature_type]) + self.public_key).decode()
        return f"{self.label}+{material}"

    @classmethod
    def parse(cls, text: str) -> VerifierKey:
        """Read a vkey string; the key ID must match the name and key it carries."""
        parts = text.strip().split("+", 2)
        if len(parts) != 3 or not _HEX8.fullmatch(parts[1]):
            raise KeyFormatError(f"{_short(text)!r} is not a verifier key", item="key",
                                 allowed="NAME+KEYID+BASE64, as written by valueloop log keygen")
        name, hex_id, material = parts
        check_key_name(name)
        raw = _b64(material, "key")
        if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE_V1):
            raise KeyFormatError(f"key {name!r} is not a 32-byte Ed25519 key of type 0x01/0x04",
                                 item="key")
        key = cls(name, raw[0], raw[1:])
        if key.key_id != int(hex_id, 16):
            raise KeyFormatError(f"key ID {hex_id} does not match key {name!r}", item="key",
                                 allowed="an undamaged verifier key")
        return key

    def verify(self, message: bytes, signature: bytes) -> bool:
        """True if ``signature`` is this key's Ed25519 signature of ``message``."""
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


class Signer:
    """A named Ed25519 private key: signs events, checkpoints and cosignatures."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        self.name = check_key_name(name)
        self._key = private_key
        self.public_key_bytes: bytes = private_key.public_key().public_bytes(
            Encoding.Raw, PublicFormat.Raw)

    @classmethod
    def generate(cls, name: str) -> Signer:
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_private_bytes(cls, name: str, raw: bytes) -> Signer:
        """A signer from its 32-byte Ed25519 seed."""
        if len(raw) != 32:
            raise KeyFormatError(f"an Ed25519 private key has 32 bytes, not {len(raw)}",
                                 item="private key")
        return cls(name, Ed25519PrivateKey.from_private_bytes(raw))

    @classmethod
    def parse(cls, text: str) -> Signer:
        """Read a ``PRIVATE+KEY+name+keyid+base64`` signer key."""
        body = text.strip()
        parts = body.removeprefix(PRIVATE_PREFIX).split("+", 2)
        if not body.startswith(PRIVATE_PREFIX) or len(parts) != 3 \
                or not _HEX8.fullmatch(parts[1]):
            raise KeyFormatError("not a private key", item="key",
                                 allowed="PRIVATE+KEY+NAME+KEYID+BASE64, from valueloop log "
                                         "keygen")
        name, hex_id, material = parts
        raw = _b64(material, "private key")
        if len(raw) != 33 or raw[0] != ED25519:
            raise KeyFormatError("private key is not a 32-byte Ed25519 seed of type 0x01",
                                 item="private key")
        signer = cls.from_private_bytes(name, raw[1:])
        if signer.key_id != int(hex_id, 16):
            raise KeyFormatError(f"key ID {hex_id} does not match private key {name!r}",
                                 item="private key")
        return signer

    def private_bytes(self) -> bytes:
        from cryptography.hazmat.primitives.serialization import NoEncryption, PrivateFormat

        return self._key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())

    @property
    def private_text(self) -> str:
        material = base64.b64encode(bytes([ED25519]) + self.private_bytes()).decode()
        return f"{PRIVATE_PREFIX}{self.name}+{self.key_id:08x}+{material}"

    def verifier(self, signature_type: int = ED25519) -> VerifierKey:
        return VerifierKey(self.name, signature_type, self.public_key_bytes)

    @property
    def key_id(self) -> int:
        return key_id(self.name, ED25519, self.public_key_bytes)

    @property
    def label(self) -> str:
        return self.verifier().label

    @property
    def verifier_key(self) -> str:
        """The C2SP vkey string of this key for note signatures (type 0x01)."""
        return self.verifier().text

    @property
    def cosigner_verifier_key(self) -> str:
        """The vkey string of this key as a witness (type 0x04, C2SP tlog-cosignature)."""
        return self.verifier(COSIGNATURE_V1).text

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)


def write_private_key(path: str | Path, signer: Signer) -> None:
    """Write ``signer`` to a new file readable by its owner only (mode 0600), atomically.

    An existing file is never overwritten: a lost private key cannot be recovered.
    """
    target = Path(path)
    if target.exists():
        raise KeyFormatError("exists already; a key file is never overwritten", file=target,
                             allowed="a new file name")
    if not target.parent.is_dir():
        raise KeyFormatError(f"folder {target.parent} does not exist", file=target)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    # O_EXCL and mode 0600 from the start: the key is never readable by others, not even briefly
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(signer.private_text + "\n")
            stream.flush()
            os.fsync(stream.fileno())
        os.link(temporary, target)  # fails if someone created the file meanwhile
    finally:
        os.unlink(temporary)


def read_signer(path: str | Path) -> Signer:
    """The signer in a private key file written by :func:`write_private_key`."""
    target = Path(path)
    try:
        text = target.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFormatError(f"cannot read the key file ({exc.__class__.__name__})",
                             file=target) from None
    try:
        return Signer.parse(text)
    except KeyFormatError as exc:
        raise exc.located(target) from None


def read_verifier_keys(path: str | Path) -> list[VerifierKey]:
    """Every verifier key in a file: one vkey a line; blank lines and ``#`` comments skipped."""
    target = Path(path)
    try:
        lines = target.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFormatError(f"cannot read the key file ({exc.__class__.__name__})",
                             file=target) from None
    keys = []
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith(PRIVATE_PREFIX):
            raise KeyFormatError("is a private key; give the public key (the .pub file)",
                                 file=target, line=number)
        try:
            keys.append(VerifierKey.parse(line))
        except KeyFormatError as exc:
            raise exc.located(target, number) from None
    if not keys:
        raise KeyFormatError("holds no verifier key", file=target)
    return keys


def _b64(text: str, item: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise KeyFormatError("key material is not base64", item=item) from None


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."
