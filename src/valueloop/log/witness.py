"""A stateful witness: cosigns a log's checkpoint only if it extends the last one it cosigned.

C2SP tlog-witness ("add-checkpoint"): a witness keeps, for every log origin, the size and root
hash of the latest checkpoint it cosigned. A request names the size the client believes the
witness is at (``old``), gives an RFC 9162 consistency proof from that size to the new
checkpoint's size, and the checkpoint. The witness cosigns only if the checkpoint is signed by
the log's key, ``old`` is its own size for that origin, and the proof shows that the tree it saw
is a prefix of the new one. Two parties who both rely on the same witness therefore cannot be
shown diverging views (forks, rollbacks, a second root at a size already seen): the witness
refuses the second view, and its state is not touched by a refusal.

State lives in the table ``witness_state`` (component ``witness``), one row per (witness key,
origin), so several witness keys can share a database without sharing state. The check and the
update run in one transaction and the update is a compare-and-swap on the old size and root, so
two concurrent requests can never both advance the same state.

The proof file (:func:`format_proof`, :func:`parse_proof`) is the first part of the C2SP
add-checkpoint request body: a line ``old <size>`` and one base64 hash a line.
"""

from __future__ import annotations

import base64
import binascii
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from valueloop.core.db import Database, Transaction
from valueloop.core.errors import UserInputError
from valueloop.log.checkpoint import Checkpoint
from valueloop.log.keys import COSIGNATURE_V1, ED25519, Signer, VerifierKey
from valueloop.log.merkle import HASH_SIZE, ProofError, verify_consistency
from valueloop.log.note import NoteError, parse_note, sign, signed_message

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS witness_state (witness {TEXT} NOT NULL, origin {TEXT} NOT NULL, "
    "size {BIGINT} NOT NULL, root {BLOB} NOT NULL, note {TEXT} NOT NULL, "
    "cosigned_at {BIGINT} NOT NULL, PRIMARY KEY (witness, origin))",
]
MAX_PROOF_HASHES = 128
"""Our assumption, to refuse absurd input early: an RFC 9162 consistency proof has at most about
two hashes per tree level, so trees below 2**63 leaves need far fewer than 128."""
_OLD_LINE = re.compile(r"old (0|[1-9][0-9]*)")


class WitnessRefusedError(UserInputError):
    """The witness refuses to cosign; the subclass and the message say why."""


class UnknownLogKeyError(WitnessRefusedError):
    """No log key given to the witness signed the checkpoint (C2SP tlog-witness: 404/403)."""


class BadLogSignatureError(WitnessRefusedError):
    """A known log key's signature on the checkpoint does not verify (C2SP: 403)."""


class OldSizeMismatchError(WitnessRefusedError):
    """The request's old size is not the witness's size for the origin (C2SP: 409 Conflict)."""

    def __init__(self, problem: str, *, current_size: int, item: str | None = None,
                 allowed: str | None = None) -> None:
        self.current_size = current_size
        """The size the witness is at: the client retries with a proof from it."""
        super().__init__(problem, item=item, allowed=allowed)


class RollbackError(WitnessRefusedError):
    """The checkpoint is smaller than one the witness cosigned already."""


class EquivocationError(WitnessRefusedError):
    """A second root at a tree size the witness has cosigned: the log shows two views."""


class ProofRefusedError(WitnessRefusedError):
    """The consistency proof is malformed or does not verify (C2SP: 422)."""


@dataclass(frozen=True)
class WitnessState:
    """What the witness last cosigned for one origin."""

    origin: str
    size: int
    root: bytes
    note: str
    """The checkpoint note as it was submitted (without the witness's cosignature)."""
    cosigned_at: int
    """POSIX seconds of the cosignature."""


class Witness:
    """A witness key with its per-origin state in ``db`` (SQLite or PostgreSQL)."""

    def __init__(self, db: Database, signer: Signer) -> None:
        self.db = db
        self.signer = signer
        self.label = signer.verifier(COSIGNATURE_V1).label
        db.migrate("witness", 1, SCHEMA)

    def state(self, origin: str) -> WitnessState | None:
        """The last checkpoint cosigned for ``origin``, or None if it never cosigned one."""
        rows = self.db.query("SELECT origin, size, root, note, cosigned_at FROM witness_state "
                             "WHERE witness = ? AND origin = ?", (self.label, origin))
        return _state(rows[0]) if rows else None

    def states(self) -> list[WitnessState]:
        """Every origin this witness has cosigned, by origin."""
        return [_state(row) for row in self.db.query(
            "SELECT origin, size, root, note, cosigned_at FROM witness_state WHERE witness = ? "
            "ORDER BY origin", (self.label,))]

    def add_checkpoint(self, checkpoint_text: str, log_keys: Iterable[VerifierKey],
                       old_size: int, consistency_proof: Sequence[bytes], *,
                       timestamp: int | None = None) -> str:
        """Cosign ``checkpoint_text`` if it is consistent with what this witness saw.

        Parameters
        ----------
        checkpoint_text
            A signed checkpoint note (C2SP tlog-checkpoint), possibly cosigned by others.
        log_keys
            The log's public keys (type 0x01); at least one must have signed the checkpoint.
        old_size
            The size the witness last cosigned for the origin (0 for a log it has not seen).
        consistency_proof
            RFC 9162 proof from ``old_size`` to the checkpoint's size; empty when ``old_size``
            is 0 or equals the checkpoint's size.
        timestamp
            POSIX seconds of the cosignature; now when omitted.

        Returns
        -------
        str
            The cosignature line (C2SP tlog-cosignature v1), ending in a newline; append it
            to the note's signature lines to get the cosigned checkpoint.

        Raises
        ------
        WitnessRefusedError
            One of its subclasses, naming why; the witness's state is then unchanged.
        """
        text = self._checked_text(checkpoint_text, list(log_keys))
        checkpoint = Checkpoint.parse(text)
        proof = _checked_hashes(consistency_proof)
        when = int(time.time()) if timestamp is None else timestamp
        with self.db.transaction() as tx:
            current = self._state_in(tx, checkpoint.origin)
            _check_growth(checkpoint, current, old_size, proof)
            line = sign(text, self.signer, signature_type=COSIGNATURE_V1, timestamp=when).line
            self._store(tx, checkpoint, current, checkpoint_text, when)
        return line

    def _checked_text(self, checkpoint_text: str, log_keys: list[VerifierKey]) -> str:
        """The note text, once a log key has signed it and every known signature verifies."""
        try:
            note = parse_note(checkpoint_text)
            Checkpoint.parse(note.text)
        except NoteError as exc:
            raise WitnessRefusedError(exc.problem, item="checkpoint", allowed=exc.allowed) from None
        known = {(k.name, k.key_id): k for k in log_keys if k.signature_type == ED25519}
        signed = [(known[(s.name, s.key_id)], s) for s in note.signatures
                  if (s.name, s.key_id) in known]
        if not signed:
            names = ", ".join(sorted({s.name for s in note.signatures}))
            raise UnknownLogKeyError(f"none of the log keys given signed it (signed by: {names})",
                                     item="checkpoint",
                                     allowed="a checkpoint signed by one of the --log-key keys")
        for key, signature in signed:
            message, raw, _ = signed_message(key, note.text, signature.signature)
            if not key.verify(message, raw):
                raise BadLogSignatureError(f"the signature of log key {key.label} does not "
                                           "verify", item="checkpoint")
        return note.text

    def _state_in(self, tx: Transaction, origin: str) -> WitnessState | None:
        row = tx.execute("SELECT origin, size, root, note, cosigned_at FROM witness_state "
                         "WHERE witness = ? AND origin = ?", (self.label, origin)).fetchone()
        return None if row is None else _state(row)

    def _store(self, tx: Transaction, checkpoint: Checkpoint, current: WitnessState | None,
               note: str, when: int) -> None:
        """Insert or compare-and-swap the origin's state; a concurrent change is a conflict."""
        if current is None:
            row = tx.execute(
                "INSERT INTO witness_state (witness, origin, size, root, note, cosigned_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING size",
                (self.label, checkpoint.origin, checkpoint.size, checkpoint.root, note,
                 when)).fetchone()
        else:
            row = tx.execute(
                "UPDATE witness_state SET size = ?, root = ?, note = ?, cosigned_at = ? "
                "WHERE witness = ? AND origin = ? AND size = ? AND root = ? RETURNING size",
                (checkpoint.size, checkpoint.root, note, when, self.label, checkpoint.origin,
                 current.size, current.root)).fetchone()
        if row is None:
            # another request advanced the state between our read and our write
            raise OldSizeMismatchError("the witness's state changed while checking; retry",
                                       current_size=current.size if current else 0,
                                       item="old size")


def _check_growth(checkpoint: Checkpoint, current: WitnessState | None, old_size: int,
                  proof: Sequence[bytes]) -> None:
    """Raise unless ``checkpoint`` extends ``current`` as ``proof`` shows (C2SP tlog-witness)."""
    size, root = (current.size, current.root) if current else (0, b"")
    if current is not None and checkpoint.size < size:
        raise RollbackError(f"size {checkpoint.size} is below size {size}, which the witness "
                            f"cosigned already for {checkpoint.origin!r}", item="checkpoint",
                            allowed=f"a checkpoint of size {size} or more")
    if current is not None and checkpoint.size == size and checkpoint.root != root:
        raise EquivocationError(f"a different root at size {size} for {checkpoint.origin!r}: "
                                "the log shows two views", item="checkpoint")
    if old_size != size:
        raise OldSizeMismatchError(f"old size {old_size} is not the witness's size {size} for "
                                   f"{checkpoint.origin!r}", current_size=size, item="old size",
                                   allowed=f"a consistency proof from size {size}")
    if current is None:
        if proof:
            raise ProofRefusedError("the first checkpoint of a log needs no proof; an empty one "
                                    "is expected", item="proof")
        return
    try:
        verify_consistency(size, checkpoint.size, root, checkpoint.root, proof)
    except ProofError as exc:
        raise ProofRefusedError(f"{exc} (from size {size} to {checkpoint.size})",
                                item="proof") from None


def _checked_hashes(proof: Sequence[bytes]) -> tuple[bytes, ...]:
    hashes = tuple(bytes(h) for h in proof)
    if len(hashes) > MAX_PROOF_HASHES:
        raise ProofRefusedError(f"{len(hashes)} hashes (at most {MAX_PROOF_HASHES})",
                                item="proof")
    if any(len(h) != HASH_SIZE for h in hashes):
        raise ProofRefusedError("every proof hash has 32 bytes (SHA-256)", item="proof")
    return hashes


def _state(row: Sequence[Any]) -> WitnessState:
    origin, size, root, note, when = row
    return WitnessState(str(origin), int(size), bytes(root), str(note), int(when))


def format_proof(old_size: int, hashes: Sequence[bytes]) -> str:
    """The proof file: ``old <size>`` and one base64 hash a line (C2SP add-checkpoint head)."""
    return f"old {old_size}\n" + "".join(base64.b64encode(h).decode() + "\n" for h in hashes)


def parse_proof(text: str) -> tuple[int, tuple[bytes, ...]]:
    """``(old size, hashes)`` from a proof file written by :func:`format_proof`.

    A trailing blank line and anything after it (the rest of a C2SP add-checkpoint request
    body, i.e. the checkpoint) is ignored, so a whole request body is accepted too.
    """
    lines = text.split("\n\n", 1)[0].splitlines()
    if not lines or not _OLD_LINE.fullmatch(lines[0]):
        raise ProofRefusedError("the first line is not 'old <size>'", item="proof",
                                allowed="'old N' then one base64 hash a line, as written by "
                                        "valueloop log consistency --out")
    hashes = []
    for number, line in enumerate(lines[1:], start=2):
        try:
            value = base64.b64decode(line, validate=True)
        except (binascii.Error, ValueError):
            value = b""
        if len(value) != HASH_SIZE:
            raise ProofRefusedError(f"line {number} is not a base64 SHA-256 hash",
                                    item="proof")
        hashes.append(value)
    return int(lines[0].removeprefix("old ")), tuple(hashes)
