"""C2SP signed notes: text followed by a blank line and ``— <name> <base64>`` signature lines.

Format (C2SP signed-note, "Format" and "Signatures"): the text ends in a newline; a blank line
separates it from one or more signature lines, each an em dash (U+2014), a space, the key name,
a space and ``base64(4-byte key ID || signature)``. The note is UTF-8 with no control character
other than newline. A verifier ignores signatures from keys it does not know, rejects the note
if a known key's signature fails, and needs at least one known signature that verifies.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from valueloop.core.errors import UserInputError
from valueloop.log.keys import COSIGNATURE_V1, ED25519, Signer, VerifierKey, check_key_name

SIGNATURE_PREFIX = "\u2014 "
MAX_SIGNATURES = 100
"""The spec asks verifiers to accept at least 16; 100 is the Go reference limit."""
COSIGNATURE_HEADER = b"cosignature/v1\n"


class NoteError(UserInputError):
    """A signed note that is malformed or whose signatures do not verify."""


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: the key name, the key ID and the signature bytes after the ID."""

    name: str
    key_id: int
    signature: bytes

    @property
    def line(self) -> str:
        blob = base64.b64encode(self.key_id.to_bytes(4, "big") + self.signature).decode()
        return f"{SIGNATURE_PREFIX}{self.name} {blob}\n"


@dataclass(frozen=True)
class Note:
    """A note's text (with its final newline) and its signatures, in the order written."""

    text: str
    signatures: tuple[NoteSignature, ...]

    def render(self) -> str:
        return self.text + "\n" + "".join(s.line for s in self.signatures)

    def with_signature(self, signature: NoteSignature) -> Note:
        return Note(self.text, (*self.signatures, signature))


@dataclass(frozen=True)
class VerifiedNote:
    """A note whose text a known key vouches for."""

    text: str
    keys: tuple[VerifierKey, ...]
    """Known keys whose signatures verified, in note order."""
    timestamps: tuple[int | None, ...]
    """Cosignature time of each of ``keys`` (None for plain note signatures)."""


def check_text(text: str) -> None:
    """Raise :class:`NoteError` unless ``text`` can be the text of a note."""
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline", item="note")
    _check_characters(text)


def parse_note(message: str) -> Note:
    """Split a signed note into text and signatures (nothing is verified here)."""
    _check_characters(message)
    split = message.rfind("\n\n")
    if split < 0:
        raise NoteError("no blank line before the signatures", item="note",
                        allowed="text, a blank line, then '\u2014 name signature' lines")
    text, block = message[: split + 1], message[split + 2:]
    if not block.endswith("\n"):
        raise NoteError("the last signature line does not end with a newline", item="note")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"{len(lines)} signatures (at most {MAX_SIGNATURES})", item="note")
    return Note(text, tuple(_parse_line(line) for line in lines))


def _parse_line(line: str) -> NoteSignature:
    if not line.startswith(SIGNATURE_PREFIX):
        raise NoteError(f"signature line {line[:40]!r} does not start with an em dash",
                        item="note")
    name, space, blob = line.removeprefix(SIGNATURE_PREFIX).partition(" ")
    if not space or " " in blob:
        raise NoteError(f"signature line {line[:40]!r} is not '\u2014 name signature'",
                        item="note")
    try:
        check_key_name(name)
        raw = base64.b64decode(blob, validate=True)
    except (binascii.Error, ValueError, UserInputError):
        raise NoteError(f"signature line {line[:40]!r} is malformed", item="note") from None
    if len(raw) < 5:
        raise NoteError(f"signature of {name!r} is too short", item="note")
    return NoteSignature(name, int.from_bytes(raw[:4], "big"), raw[4:])


def signed_message(key: VerifierKey, text: str,
                   signature: bytes) -> tuple[bytes, bytes, int | None]:
    """``(message, Ed25519 signature, timestamp)`` that ``signature`` by ``key`` covers.

    Type 0x01 signs the note text (C2SP signed-note, "Ed25519 signatures"); type 0x04 signs
    ``cosignature/v1``, a ``time`` line and the text, and carries the time as a big-endian u64
    before the signature (C2SP tlog-cosignature, "Format" and "Ed25519 signed message").
    """
    if key.signature_type == ED25519:
        return text.encode(), signature, None
    if len(signature) != 8 + 64:
        return b"", b"", None
    timestamp = int.from_bytes(signature[:8], "big")
    message = COSIGNATURE_HEADER + b"time %d\n" % timestamp + text.encode()
    return message, signature[8:], timestamp


def sign(text: str, signer: Signer, *, signature_type: int = ED25519,
         timestamp: int | None = None) -> NoteSignature:
    """A signature line of ``signer`` over ``text`` (a cosignature when type is 0x04)."""
    check_text(text)
    key = signer.verifier(signature_type)
    if signature_type == COSIGNATURE_V1:
        if timestamp is None or not 0 <= timestamp < 2**63:
            raise NoteError("a cosignature needs a POSIX timestamp below 2^63", item="time")
        message = COSIGNATURE_HEADER + b"time %d\n" % timestamp + text.encode()
        return NoteSignature(key.name, key.key_id,
                             timestamp.to_bytes(8, "big") + signer.sign(message))
    return NoteSignature(key.name, key.key_id, signer.sign(text.encode()))


def sign_note(text: str, signers: Sequence[Signer]) -> str:
    """``text`` signed by every signer (type 0x01), as a signed note."""
    return Note(text, tuple(sign(text, s) for s in signers)).render()


def verify_note(message: str, keys: Iterable[VerifierKey]) -> VerifiedNote:
    """Check a signed note against known keys.

    Raises
    ------
    NoteError
        If the note is malformed, if a known key's signature fails, or if no known key signed.
    """
    note = parse_note(message)
    known = {(k.name, k.key_id): k for k in keys}
    verified: list[VerifierKey] = []
    times: list[int | None] = []
    for signature in note.signatures:
        key = known.get((signature.name, signature.key_id))
        if key is None:
            continue  # unknown keys are ignored (C2SP signed-note, "Signatures")
        signed, raw, timestamp = signed_message(key, note.text, signature.signature)
        if not key.verify(signed, raw):
            raise NoteError(f"the signature of {key.label} does not verify", item="note")
        verified.append(key)
        times.append(timestamp)
    if not verified:
        raise NoteError("no signature from a known key", item="note",
                        allowed="a note signed by one of the keys given")
    return VerifiedNote(note.text, tuple(verified), tuple(times))


def _check_characters(text: str) -> None:
    bad = next((ch for ch in text if ord(ch) < 0x20 and ch != "\n"), None)
    if bad is not None:
        raise NoteError(f"control character U+{ord(bad):04X} in a note", item="note",
                        allowed="UTF-8 text with newlines only")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise NoteError("a note must be valid UTF-8", item="note") from None
