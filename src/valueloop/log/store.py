"""The event log on :class:`~valueloop.core.db.Database`: entries, subtree hashes, checkpoints.

Tables (component ``log``):

* ``log_logs``: one row per log (origin, size); appends lock this row, so indices are dense and
  assigned in commit order on SQLite and PostgreSQL alike;
* ``log_entries``: index, leaf hash, event id and leaf data of every entry;
* ``log_nodes``: the hash of every complete subtree above the leaves, ``(level, idx)`` covering
  leaves ``[idx * 2**level, (idx + 1) * 2**level)``. Roots and proofs read O(log n) of them;
* ``log_checkpoints``: every signed (and cosigned) checkpoint;
* ``log_keys``: the public keys that signed entries or checkpoints.

An append is one transaction: the entry, the subtrees it completes and the new size commit
together or not at all, and it is durable when :meth:`EventLog.append` returns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from valueloop.core.db import Database, Transaction
from valueloop.core.errors import UserInputError
from valueloop.log.canonical import canonical_json
from valueloop.log.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from valueloop.log.event import EventError, LogEntry, make_entry, validate_event
from valueloop.log.keys import Signer, VerifierKey
from valueloop.log.merkle import (
    Frontier,
    Key,
    consistency_proof,
    fold,
    inclusion_path,
    needed_subtrees,
    perfect_subtrees,
    range_hash,
    verify_consistency,
    verify_inclusion,
)
from valueloop.log.note import NoteError

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS log_logs (id {ID}, origin {TEXT} NOT NULL UNIQUE, "
    "size {BIGINT} NOT NULL)",
    "CREATE TABLE IF NOT EXISTS log_entries (log_id {BIGINT} NOT NULL, idx {BIGINT} NOT NULL, "
    "event_id {TEXT} NOT NULL, leaf_hash {BLOB} NOT NULL, data {BLOB} NOT NULL, "
    "PRIMARY KEY (log_id, idx))",
    "CREATE INDEX IF NOT EXISTS log_entries_event ON log_entries (log_id, event_id)",
    "CREATE TABLE IF NOT EXISTS log_nodes (log_id {BIGINT} NOT NULL, level INTEGER NOT NULL, "
    "idx {BIGINT} NOT NULL, hash {BLOB} NOT NULL, PRIMARY KEY (log_id, level, idx))",
    "CREATE TABLE IF NOT EXISTS log_checkpoints (id {ID}, log_id {BIGINT} NOT NULL, "
    "size {BIGINT} NOT NULL, note {TEXT} NOT NULL)",
    "CREATE TABLE IF NOT EXISTS log_keys (log_id {BIGINT} NOT NULL, label {TEXT} NOT NULL, "
    "vkey {TEXT} NOT NULL, PRIMARY KEY (log_id, label))",
]
_BATCH = 5000
"""Rows per read when streaming entries or subtrees."""
Rows = Callable[[str, Sequence[Any]], list[Any]]


class LogError(UserInputError):
    """A log that does not exist, or a size or index outside the log."""


@dataclass(frozen=True)
class InclusionProof:
    """RFC 9162 inclusion proof of entry ``index`` in the tree of ``size`` entries."""

    index: int
    size: int
    leaf_hash: bytes
    hashes: tuple[bytes, ...]
    root: bytes

    def verify(self) -> None:
        verify_inclusion(self.index, self.size, self.leaf_hash, self.hashes, self.root)


@dataclass(frozen=True)
class ConsistencyProof:
    """RFC 9162 consistency proof that the tree of ``old`` entries is a prefix of ``new``."""

    old: int
    new: int
    old_root: bytes
    new_root: bytes
    hashes: tuple[bytes, ...]

    def verify(self) -> None:
        verify_consistency(self.old, self.new, self.old_root, self.new_root, self.hashes)


class EventLog:
    """One tamper-evident log, named by its origin, in a database."""

    def __init__(self, db: Database, log_id: int, origin: str) -> None:
        self.db = db
        self.id = log_id
        self.origin = origin
        self._lock = " FOR UPDATE" if db.dialect == "postgresql" else ""

    @classmethod
    def open(cls, db: Database, origin: str) -> EventLog:
        """The log called ``origin``, created (empty) if the database has none by that name."""
        if not origin or "\n" in origin or any(ord(c) < 0x20 for c in origin):
            raise LogError(f"origin {origin!r} cannot be a checkpoint's first line",
                           item="origin", allowed="a non-empty line, e.g. example.com/log")
        db.migrate("log", 1, SCHEMA)
        with db.transaction() as tx:
            row = tx.execute("SELECT id FROM log_logs WHERE origin = ?", (origin,)).fetchone()
            if row is None:
                tx.execute("INSERT INTO log_logs (origin, size) VALUES (?, 0)", (origin,))
                row = tx.execute("SELECT id FROM log_logs WHERE origin = ?",
                                 (origin,)).fetchone()
        return cls(db, int(row[0]), origin)

    @classmethod
    def find(cls, db: Database, origin: str | None = None) -> EventLog:
        """An existing log: the one called ``origin``, or the only log in the database."""
        db.migrate("log", 1, SCHEMA)
        rows = db.query("SELECT id, origin FROM log_logs ORDER BY id")
        if origin is not None:
            rows = [r for r in rows if r[1] == origin]
        if len(rows) != 1:
            names = ", ".join(r[0] for r in db.query("SELECT origin FROM log_logs")) or "none"
            problem = (f"no log called {origin!r}" if origin is not None and not rows
                       else "the database holds no log" if not rows
                       else "the database holds several logs")
            raise LogError(problem, item="--origin", allowed=f"one of: {names} "
                                                             "(create one with valueloop log init)")
        return cls(db, int(rows[0][0]), rows[0][1])

    # --- appending ------------------------------------------------------------------------

    def append(self, event: Mapping[str, Any], signer: Signer) -> LogEntry:
        """Sign ``event`` as ``signer`` and append it; durable when this returns."""
        return self.append_many([event], signer)[0]

    def append_many(self, events: Sequence[Mapping[str, Any]], signer: Signer) -> list[LogEntry]:
        """Append several events, all signed by ``signer``, in one transaction."""
        with self.db.transaction() as tx:
            return self.append_in(tx, events, signer)

    def append_in(self, tx: Transaction, events: Sequence[Mapping[str, Any]],
                  signer: Signer) -> list[LogEntry]:
        """Append inside the caller's open transaction ``tx`` (of this log's database).

        For callers whose own records must commit together with their log entries (the trace
        service): nothing is durable until the caller commits, and a rollback removes both.
        """
        prepared = [self._prepare(event, signer, position) for position, event in
                    enumerate(events)]
        entries: list[LogEntry] = []
        rows = _tx_rows(tx)
        size = int(rows(f"SELECT size FROM log_logs WHERE id = ?{self._lock}",
                        (self.id,))[0][0])
        frontier = self._frontier(rows, size)
        nodes: list[tuple[int, int, int, bytes]] = []
        for event, event_bytes in prepared:
            entry = make_entry(self.origin, frontier.size, event, event_bytes, signer)
            entries.append(entry)
            nodes.extend((self.id, level, index, value)
                         for level, index, value in frontier.append(entry.leaf_hash)
                         if level > 0)
        tx.executemany("INSERT INTO log_entries (log_id, idx, event_id, leaf_hash, data) "
                       "VALUES (?, ?, ?, ?, ?)",
                       [(self.id, e.index, e.event_id, e.leaf_hash, e.data) for e in entries])
        if nodes:
            tx.executemany("INSERT INTO log_nodes (log_id, level, idx, hash) "
                           "VALUES (?, ?, ?, ?)", nodes)
        tx.execute("UPDATE log_logs SET size = ? WHERE id = ?", (frontier.size, self.id))
        self._register(tx, signer.verifier())
        return entries

    def _prepare(self, event: Mapping[str, Any], signer: Signer,
                 position: int) -> tuple[Mapping[str, Any], bytes]:
        try:
            envelope = validate_event(event)
            if envelope.actor != signer.name:
                raise EventError(f"event of actor {envelope.actor!r} cannot be signed by key "
                                 f"{signer.name!r}", item="event.actor",
                                 allowed="the actor's own key (key name = actor id)")
            return event, canonical_json(event, where="event")
        except UserInputError as exc:
            if position:
                exc.item = f"[{position}] {exc.item or 'event'}"
                exc.args = (exc.render(),)
            raise

    def _frontier(self, rows: Rows, size: int) -> Frontier:
        keys = perfect_subtrees(0, size)
        found = self._subtrees(rows, keys)
        return Frontier(size, [(level, found[(level, index)]) for level, index in keys])

    def register_key(self, key: VerifierKey) -> None:
        """Remember a public key (witnesses, checkpoint keys) for exports."""
        with self.db.transaction() as tx:
            self._register(tx, key)

    def _register(self, tx: Any, key: VerifierKey) -> None:
        exists = tx.execute("SELECT vkey FROM log_keys WHERE log_id = ? AND label = ?",
                            (self.id, key.label)).fetchone()
        if exists is None:
            tx.execute("INSERT INTO log_keys (log_id, label, vkey) VALUES (?, ?, ?)",
                       (self.id, key.label, key.text))

    # --- reading --------------------------------------------------------------------------

    @property
    def size(self) -> int:
        return int(self.db.query("SELECT size FROM log_logs WHERE id = ?", (self.id,))[0][0])

    def _size_at_most(self, size: int | None, what: str = "--size") -> int:
        current = self.size
        if size is None:
            return current
        if not 0 <= size <= current:
            raise LogError(f"size {size} is outside the log (0..{current})", item=what)
        return size

    def root(self, size: int | None = None) -> bytes:
        """Root hash of the tree of the first ``size`` entries (default: all)."""
        size = self._size_at_most(size)
        keys = perfect_subtrees(0, size)
        found = self._subtrees(self.db.query, keys)
        return fold([found[k] for k in keys])

    def entry(self, index: int) -> LogEntry:
        rows = self.db.query("SELECT idx, leaf_hash, event_id, data FROM log_entries "
                             "WHERE log_id = ? AND idx = ?", (self.id, index))
        if not rows:
            raise LogError(f"no entry {index} (the log has {self.size})", item="--index")
        return _entry(rows[0])

    def entries(self, start: int = 0, end: int | None = None) -> Iterator[LogEntry]:
        """Entries ``start..end-1`` in index order, read in batches."""
        end = self.size if end is None else end
        while start < end:
            rows = self.db.query(
                "SELECT idx, leaf_hash, event_id, data FROM log_entries WHERE log_id = ? "
                "AND idx >= ? AND idx < ? ORDER BY idx", (self.id, start, min(end,
                                                                             start + _BATCH)))
            if not rows:
                return
            yield from (_entry(row) for row in rows)
            start = int(rows[-1][0]) + 1

    def find_event(self, event_id: str) -> list[LogEntry]:
        rows = self.db.query("SELECT idx, leaf_hash, event_id, data FROM log_entries "
                             "WHERE log_id = ? AND event_id = ? ORDER BY idx",
                             (self.id, event_id))
        return [_entry(row) for row in rows]

    def inclusion_proof(self, index: int, size: int | None = None) -> InclusionProof:
        """Proof that entry ``index`` is in the tree of ``size`` entries (O(log n) reads)."""
        size = self._size_at_most(size)
        if not 0 <= index < size:
            raise LogError(f"entry {index} is not in a tree of {size} entries", item="--index")
        root_keys = perfect_subtrees(0, size)
        keys = needed_subtrees(lambda s: inclusion_path(s, index, size))
        found = self._subtrees(self.db.query, [*keys, *root_keys, (0, index)])
        path = inclusion_path(_lookup(found), index, size)
        return InclusionProof(index, size, found[(0, index)], tuple(path),
                              fold([found[k] for k in root_keys]))

    def consistency_proof(self, old_size: int, new_size: int) -> ConsistencyProof:
        """Proof that the tree of ``old_size`` entries is a prefix of ``new_size``."""
        new_size = self._size_at_most(new_size, "--new")
        if not 0 <= old_size <= new_size:
            raise LogError(f"old size {old_size} is not in 0..{new_size}", item="--old")
        old_keys, new_keys = perfect_subtrees(0, old_size), perfect_subtrees(0, new_size)
        keys = needed_subtrees(lambda s: consistency_proof(s, old_size, new_size))
        found = self._subtrees(self.db.query, [*keys, *old_keys, *new_keys])
        hashes = consistency_proof(_lookup(found), old_size, new_size)
        return ConsistencyProof(old_size, new_size, fold([found[k] for k in old_keys]),
                                fold([found[k] for k in new_keys]), tuple(hashes))

    def subtree(self, level: int, index: int) -> bytes:
        """Hash of one complete subtree (for callers that walk the tree themselves)."""
        return self._subtrees(self.db.query, [(level, index)])[(level, index)]

    def range_hash(self, start: int, end: int) -> bytes:
        return range_hash(self.subtree, start, end)

    def _subtrees(self, rows: Rows, keys: Sequence[Key]) -> dict[Key, bytes]:
        """Hashes of perfect subtrees: leaves from log_entries, the rest from log_nodes."""
        found: dict[Key, bytes] = {}
        leaves = sorted({i for level, i in keys if level == 0})
        inner = sorted({k for k in keys if k[0] > 0})
        for chunk in _chunks(leaves, 200):
            marks = ", ".join("?" * len(chunk))
            for index, value in rows(f"SELECT idx, leaf_hash FROM log_entries WHERE log_id = ? "
                                     f"AND idx IN ({marks})", (self.id, *chunk)):
                found[(0, int(index))] = bytes(value)
        for chunk in _chunks(inner, 100):
            # one primary-key lookup per subtree, in one statement (one round trip)
            sql = " UNION ALL ".join(["SELECT level, idx, hash FROM log_nodes WHERE log_id = ? "
                                      "AND level = ? AND idx = ?"] * len(chunk))
            params = [v for key in chunk for v in (self.id, *key)]
            for level, index, value in rows(sql, params):
                found[(int(level), int(index))] = bytes(value)
        missing = [k for k in keys if k not in found]
        if missing:
            raise LogError(f"the stored tree lacks subtree {missing[0]}; the database is "
                           "damaged (run valueloop log verify on an export)", item="log")
        return found

    # --- checkpoints ----------------------------------------------------------------------

    def checkpoint(self, signer: Signer) -> str:
        """Sign the current tree head as a C2SP checkpoint, store it and return the note."""
        size = self.size
        text = sign_checkpoint(Checkpoint(self.origin, size, self.root(size)), signer)
        with self.db.transaction() as tx:
            tx.execute("INSERT INTO log_checkpoints (log_id, size, note) VALUES (?, ?, ?)",
                       (self.id, size, text))
            self._register(tx, signer.verifier())
        return text

    def record_checkpoint(self, text: str, keys: Sequence[VerifierKey]) -> Checkpoint:
        """Store a checkpoint signed elsewhere (e.g. cosigned by witnesses) after checking that
        it verifies against ``keys`` and matches this log's tree at its size."""
        verified = open_checkpoint(text, keys, origin=self.origin).checkpoint
        if verified.size > self.size or self.root(verified.size) != verified.root:
            raise NoteError(f"checkpoint at size {verified.size} does not match this log",
                            item="checkpoint")
        with self.db.transaction() as tx:
            tx.execute("INSERT INTO log_checkpoints (log_id, size, note) VALUES (?, ?, ?)",
                       (self.id, verified.size, text))
            for key in keys:
                self._register(tx, key)
        return verified

    def checkpoints(self) -> list[tuple[int, str]]:
        """Every stored checkpoint as ``(size, note)``, oldest first."""
        return [(int(s), n) for s, n in self.db.query(
            "SELECT size, note FROM log_checkpoints WHERE log_id = ? ORDER BY id", (self.id,))]

    def public_keys(self) -> list[VerifierKey]:
        """The public keys this log has seen, by label."""
        return [VerifierKey.parse(v) for (v,) in self.db.query(
            "SELECT vkey FROM log_keys WHERE log_id = ? ORDER BY label", (self.id,))]


def _lookup(found: Mapping[Key, bytes]) -> Callable[[int, int], bytes]:
    return lambda level, index: found[(level, index)]


def _tx_rows(tx: Any) -> Rows:
    return lambda sql, params: tx.execute(sql, params).fetchall()


def _entry(row: Sequence[Any]) -> LogEntry:
    return LogEntry(int(row[0]), bytes(row[1]), str(row[2]), bytes(row[3]))


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
