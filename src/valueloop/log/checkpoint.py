"""C2SP tlog checkpoints: the signed tree head of the log, and witness cosignatures.

The note text (C2SP tlog-checkpoint, "Note text") is three lines: the origin (the log's name),
the tree size in decimal without leading zeros, and the base64 RFC 6962/9162 root hash; optional
extension lines follow. A witness cosigns a checkpoint with a timestamped Ed25519 signature of
type 0x04 (C2SP tlog-cosignature), appended as one more signature line.
"""

from __future__ import annotations

import base64
import binascii
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass

from valueloop.log.keys import COSIGNATURE_V1, ED25519, Signer, VerifierKey
from valueloop.log.merkle import HASH_SIZE
from valueloop.log.note import NoteError, parse_note, sign, verify_note

_SIZE = re.compile(r"0|[1-9][0-9]*")


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: origin, size and root hash."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode(),
                 *self.extensions]
        return "\n".join(lines) + "\n"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Read a checkpoint body (the note text, ending in a newline)."""
        if not text.endswith("\n"):
            raise NoteError("checkpoint text must end with a newline", item="checkpoint")
        lines = text[:-1].split("\n")
        if len(lines) < 3 or any(not line for line in lines):
            raise NoteError("a checkpoint has at least three non-empty lines: origin, size, "
                            "root", item="checkpoint")
        origin, size, root, *extensions = lines
        if not _SIZE.fullmatch(size):
            raise NoteError(f"tree size {size!r} is not a decimal without leading zeros",
                            item="checkpoint")
        try:
            raw = base64.b64decode(root, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != HASH_SIZE:
            raise NoteError("root hash is not 32 bytes of base64", item="checkpoint")
        return cls(origin, int(size), raw, tuple(extensions))


@dataclass(frozen=True)
class VerifiedCheckpoint:
    """A checkpoint with the log keys and witnesses whose signatures verified."""

    checkpoint: Checkpoint
    signers: tuple[str, ...]
    cosigners: tuple[tuple[str, int], ...]
    """(witness key label, cosignature time) of each verified cosignature."""


def sign_checkpoint(checkpoint: Checkpoint, signer: Signer) -> str:
    """The checkpoint as a signed note, signed by the log's key."""
    body = checkpoint.body()
    return body + "\n" + sign(body, signer).line


def cosign(checkpoint_text: str, witness_signer: Signer, *, timestamp: int | None = None,
           log_keys: Iterable[VerifierKey] = ()) -> str:
    """Add ``witness_signer``'s cosignature (C2SP tlog-cosignature v1) to a checkpoint.

    Parameters
    ----------
    checkpoint_text
        A signed checkpoint note, possibly already cosigned by others.
    witness_signer
        The witness's key; its cosigner key ID uses type 0x04.
    timestamp
        POSIX seconds of the cosignature; now when omitted.
    log_keys
        If given, the checkpoint must verify against them first: a witness vouches only for a
        checkpoint it has checked.
    """
    log_keys = list(log_keys)
    if log_keys:
        open_checkpoint(checkpoint_text, log_keys)
    note = parse_note(checkpoint_text)
    Checkpoint.parse(note.text)
    when = int(time.time()) if timestamp is None else timestamp
    line = sign(note.text, witness_signer, signature_type=COSIGNATURE_V1, timestamp=when)
    return note.with_signature(line).render()


def open_checkpoint(text: str, keys: Iterable[VerifierKey], *, origin: str | None = None,
                    witnesses_needed: int = 0) -> VerifiedCheckpoint:
    """Verify a checkpoint note and read it.

    At least one known log key (type 0x01) must have signed it; witness cosignatures from known
    type-0x04 keys are checked too, and ``witnesses_needed`` of them must be present.

    Raises
    ------
    NoteError
        If the note or the checkpoint is malformed, a known signature fails, no known log key
        signed it, its origin is not ``origin`` or too few witnesses cosigned it.
    """
    verified = verify_note(text, keys)
    checkpoint = Checkpoint.parse(verified.text)
    if origin is not None and checkpoint.origin != origin:
        raise NoteError(f"checkpoint is for log {checkpoint.origin!r}, not {origin!r}",
                        item="checkpoint")
    signers = tuple(k.label for k in verified.keys if k.signature_type == ED25519)
    if not signers:
        raise NoteError("no known log key signed the checkpoint (only witnesses did)",
                        item="checkpoint")
    cosigners = tuple((k.label, int(t or 0)) for k, t in
                      zip(verified.keys, verified.timestamps, strict=True)
                      if k.signature_type == COSIGNATURE_V1)
    if len(cosigners) < witnesses_needed:
        raise NoteError(f"{len(cosigners)} witness cosignatures, {witnesses_needed} needed",
                        item="checkpoint")
    return VerifiedCheckpoint(checkpoint, signers, cosigners)
