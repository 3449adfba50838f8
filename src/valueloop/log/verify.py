"""Verify a log: every entry's signature and form, the Merkle roots, the checkpoints.

:func:`verify_export` needs nothing but an export folder and the public keys a verifier trusts;
:func:`verify_store` checks a log in its database, including the stored subtree hashes. Both
name the first bad entry. Signatures are the slow part (about 60 µs each), so a large export is
checked in chunks on a process pool, one worker per core.
"""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from valueloop.core.errors import UserInputError
from valueloop.log.checkpoint import open_checkpoint
from valueloop.log.event import check_entry
from valueloop.log.export import CHECKPOINTS_DIR, ENTRIES_FILE, FORMAT, KEYS_FILE, LOG_FILE
from valueloop.log.export import log_header as _header
from valueloop.log.keys import KeyFormatError, VerifierKey
from valueloop.log.merkle import Frontier, MemoryTree, leaf_hash
from valueloop.log.note import NoteError, parse_note
from valueloop.log.store import EventLog

MAX_PROBLEMS = 20
"""Problems listed in a report; the count of the rest is given."""
CHUNK = 4096
"""Entries per task on the process pool."""
PARALLEL_FROM = 20_000
"""Below this many entries (estimated from the file size) a pool costs more than it saves."""


class ExportError(UserInputError):
    """An export folder that cannot be read at all."""


@dataclass(frozen=True)
class VerifyReport:
    """The outcome of a verification."""

    origin: str | None
    entries: int
    checkpoints: int
    cosignatures: int
    covered: int
    """Entries under the largest checkpoint whose root matched."""
    first_bad_entry: int | None
    problems: tuple[str, ...]
    more_problems: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.ok:
            return (f"log {self.origin}: {self.entries} entries verify; {self.checkpoints} "
                    f"checkpoints ({self.cosignatures} cosignatures); roots match for the "
                    f"first {self.covered} entries")
        bad = "" if self.first_bad_entry is None else f"first bad entry: {self.first_bad_entry}; "
        return f"log {self.origin}: verification FAILED; {bad}{self.problems[0]}"


@dataclass
class _Findings:
    problems: list[str] = field(default_factory=list)
    count: int = 0
    first_bad: int | None = None

    def add(self, problem: str, entry: int | None = None) -> None:
        self.count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        if entry is not None and (self.first_bad is None or entry < self.first_bad):
            self.first_bad = entry

    def entry(self, index: int, problem: str) -> None:
        self.add(f"entry {index}: {problem}", index)

    def report(self, origin: str | None, entries: int, checkpoints: int, cosignatures: int,
               covered: int) -> VerifyReport:
        return VerifyReport(origin, entries, checkpoints, cosignatures, covered, self.first_bad,
                            tuple(self.problems), max(0, self.count - len(self.problems)))


def _by_label(keys: Iterable[VerifierKey]) -> dict[str, VerifierKey]:
    return {k.label: k for k in keys}


def check_chunk(origin: str, start: int, lines: Sequence[bytes],
                vkeys: Sequence[str]) -> tuple[list[bytes], list[tuple[int, str]]]:
    """Leaf hashes and problems of consecutive entries (a process-pool task).

    Each line must end in a newline; the leaf data is the line without it.
    """
    keys = _by_label(VerifierKey.parse(v) for v in vkeys)
    hashes, problems = [], []
    for offset, line in enumerate(lines):
        index = start + offset
        data = line[:-1] if line.endswith(b"\n") else line
        if not line.endswith(b"\n"):
            problems.append((index, "line does not end with a newline"))
        hashes.append(leaf_hash(data))
        problem = check_entry(origin, index, data, keys)
        if problem is not None:
            problems.append((index, problem))
    return hashes, problems


def verify_export(folder: str | Path, keys: Sequence[VerifierKey], *, workers: int | None = None,
                  allow_unknown_signers: bool = False) -> VerifyReport:
    """Verify an export folder written by :func:`valueloop.log.export.export_log`.

    Parameters
    ----------
    folder
        The export.
    keys
        Public keys the verifier trusts: the log's checkpoint key, the actors' keys and any
        witnesses' keys (type 0x04).
    workers
        Processes for signature checks; default: one per core for large exports, 1 otherwise.
    allow_unknown_signers
        Accept checkpoint signature lines from keys not given (C2SP lets a note verifier ignore
        them). Off by default, so that no byte of an export can change unnoticed.

    Returns
    -------
    VerifyReport
        ``ok`` when every check passed; otherwise the problems and the first bad entry.

    Raises
    ------
    ExportError
        If ``folder`` is not a folder or no keys are given (bad input, not a bad log).
    """
    root = Path(folder)
    if not root.is_dir():
        raise ExportError("is not an export folder", file=root,
                          allowed="a folder written by valueloop log export")
    if not keys:
        raise ExportError("no public keys given", item="--key",
                          allowed="files with the log's and the actors' verifier keys")
    findings = _Findings()
    origin, declared = _read_header(root / LOG_FILE, findings)
    _check_keys_file(root / KEYS_FILE, findings)
    checkpoints, cosignatures = _read_checkpoints(root / CHECKPOINTS_DIR, keys, origin,
                                                  allow_unknown_signers, findings)
    if origin is None:
        return findings.report(None, 0, len(checkpoints), cosignatures, 0)
    entries_path = root / ENTRIES_FILE
    if not entries_path.is_file():
        findings.add(f"{ENTRIES_FILE} is missing", 0)
        return findings.report(origin, 0, len(checkpoints), cosignatures, 0)
    if workers is None:
        workers = (os.cpu_count() or 1) if entries_path.stat().st_size > PARALLEL_FROM * 300 \
            else 1
    with entries_path.open("rb") as stream:
        results = _checked_chunks(origin, _chunks(stream), [k.text for k in keys], workers)
        count, covered = _roots(results, checkpoints, findings)
    if declared is not None and count != declared:
        findings.add(f"{LOG_FILE} declares {declared} entries, {ENTRIES_FILE} has {count}",
                     min(count, declared))
    return findings.report(origin, count, len(checkpoints), cosignatures, covered)


def _read_header(path: Path, findings: _Findings) -> tuple[str | None, int | None]:
    try:
        raw = path.read_bytes()
        header = json.loads(raw)
        origin, declared = header["origin"], header["entries"]
        if header.get("format") != FORMAT or raw != _header(origin, declared):
            raise ValueError(f"not a {FORMAT} header in canonical form")
    except (OSError, ValueError, KeyError, TypeError, UserInputError) as exc:
        findings.add(f"{LOG_FILE} is missing or damaged ({exc.__class__.__name__})")
        return None, None
    return origin, declared


def _check_keys_file(path: Path, findings: _Findings) -> None:
    # Not trusted (the verifier brings its own keys), but checked so that no byte goes unseen.
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        findings.add(f"{KEYS_FILE} is missing or not UTF-8")
        return
    if text and not text.endswith("\n"):
        findings.add(f"{KEYS_FILE} does not end with a newline")
    for number, line in enumerate(text.splitlines(), start=1):
        try:
            VerifierKey.parse(line)
        except KeyFormatError as exc:
            findings.add(f"{KEYS_FILE} line {number}: {exc.problem}")


def _read_checkpoints(folder: Path, keys: Sequence[VerifierKey], origin: str | None,
                      allow_unknown: bool, findings: _Findings
                      ) -> tuple[list[tuple[int, bytes, str]], int]:
    if not folder.is_dir():
        findings.add(f"{CHECKPOINTS_DIR}/ is missing")
        return [], 0
    known = {(k.name, k.key_id) for k in keys}
    checkpoints, cosignatures = [], 0
    for path in sorted(folder.iterdir()):
        name = f"{CHECKPOINTS_DIR}/{path.name}"
        try:
            text = path.read_bytes().decode("utf-8")
            verified = open_checkpoint(text, keys, origin=origin)
            unknown = [s.name for s in parse_note(text).signatures
                       if (s.name, s.key_id) not in known]
            if unknown and not allow_unknown:
                raise NoteError(f"signed by a key not given: {unknown[0]}")
        except (OSError, UnicodeDecodeError, NoteError) as exc:
            problem = exc.problem if isinstance(exc, NoteError) else exc.__class__.__name__
            findings.add(f"{name}: {problem}")
            continue
        cosignatures += len(verified.cosigners)
        checkpoints.append((verified.checkpoint.size, verified.checkpoint.root, name))
    if not checkpoints and not findings.problems:
        findings.add("no checkpoint verifies: the roots cannot be checked")
    return sorted(checkpoints), cosignatures


def _chunks(stream: Iterable[bytes]) -> Iterator[tuple[int, list[bytes]]]:
    chunk: list[bytes] = []
    start = 0
    for line in stream:
        chunk.append(line)
        if len(chunk) == CHUNK:
            yield start, chunk
            start, chunk = start + CHUNK, []
    if chunk:
        yield start, chunk


def _checked_chunks(origin: str, chunks: Iterator[tuple[int, list[bytes]]], vkeys: list[str],
                    workers: int) -> Iterator[tuple[list[bytes], list[tuple[int, str]]]]:
    if workers <= 1:
        for start, lines in chunks:
            yield check_chunk(origin, start, lines, vkeys)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        pending: deque[Future[tuple[list[bytes], list[tuple[int, str]]]]] = deque()
        for start, lines in chunks:
            pending.append(pool.submit(check_chunk, origin, start, lines, vkeys))
            if len(pending) >= 2 * workers:  # bounded: the file is never all in memory
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _roots(results: Iterable[tuple[list[bytes], list[tuple[int, str]]]],
           checkpoints: list[tuple[int, bytes, str]], findings: _Findings) -> tuple[int, int]:
    """Feed leaf hashes through a frontier and compare the root at every checkpoint size."""
    frontier = Frontier()
    pending = deque(checkpoints)
    covered = 0

    def compare() -> None:
        nonlocal covered
        while pending and pending[0][0] == frontier.size:
            size, root, name = pending.popleft()
            if frontier.root() == root:
                covered = max(covered, size)
            else:
                # an entry that fails on its own explains the root; otherwise blame the range
                named = findings.first_bad is not None and findings.first_bad < size
                findings.add(f"{name}: root of the first {size} entries does not match "
                             f"(entries {covered}..{size - 1} are suspect)",
                             None if named else covered)

    compare()
    for hashes, problems in results:
        for index, problem in problems:
            findings.entry(index, problem)
        for value in hashes:
            frontier.append(value)
            compare()
    for size, _, name in pending:
        findings.add(f"{name}: covers {size} entries but the log has {frontier.size} "
                     f"(first missing entry: {frontier.size})", frontier.size)
    return frontier.size, covered


def verify_store(log: EventLog, keys: Sequence[VerifierKey] | None = None) -> VerifyReport:
    """Verify a log in its database: entries, stored leaf and subtree hashes, checkpoints.

    ``keys`` defaults to the keys the log has recorded (trusting the database for them).
    """
    keys = list(log.public_keys() if keys is None else keys)
    by_label = _by_label(keys)
    findings = _Findings()
    size = log.size
    leaves: list[bytes] = []
    stored_leaves: list[bytes] = []
    for entry in log.entries(0, size):
        if entry.index != len(leaves):
            findings.entry(len(leaves), "missing from the database")
            break
        computed = leaf_hash(entry.data)
        if computed != entry.leaf_hash:
            findings.entry(entry.index, "stored leaf hash does not match its data")
        problem = check_entry(log.origin, entry.index, entry.data, by_label)
        if problem is not None:
            findings.entry(entry.index, problem)
        leaves.append(computed)
        stored_leaves.append(entry.leaf_hash)
    if len(leaves) != size:
        findings.add(f"the log says {size} entries, the database holds {len(leaves)}",
                     len(leaves))
    # stored subtrees must agree with the stored leaf hashes (what proofs are built from);
    # checkpoints must agree with the leaf data itself
    _check_nodes(log, MemoryTree(stored_leaves), findings)
    tree = MemoryTree(leaves)
    checkpoints = cosignatures = covered = 0
    for number, (cp_size, text) in enumerate(log.checkpoints(), start=1):
        try:
            verified = open_checkpoint(text, keys, origin=log.origin)
        except NoteError as exc:
            findings.add(f"checkpoint {number}: {exc.problem}")
            continue
        checkpoints += 1
        cosignatures += len(verified.cosigners)
        head = verified.checkpoint
        if head.size != cp_size or head.size > tree.size or tree.root(head.size) != head.root:
            findings.add(f"checkpoint {number}: root of the first {head.size} entries does "
                         "not match", None if _named_below(findings, head.size) else 0)
        else:
            covered = max(covered, head.size)
    return findings.report(log.origin, len(leaves), checkpoints, cosignatures, covered)


def _named_below(findings: _Findings, size: int) -> bool:
    return findings.first_bad is not None and findings.first_bad < size


def _check_nodes(log: EventLog, tree: MemoryTree, findings: _Findings) -> None:
    rows = log.db.query("SELECT level, idx, hash FROM log_nodes WHERE log_id = ? "
                        "ORDER BY level, idx", (log.id,))
    stored = {(int(level), int(index)): bytes(value) for level, index, value in rows}
    for level in range(1, len(tree.levels)):
        for index, value in enumerate(tree.levels[level]):
            if stored.pop((level, index), None) != value:
                first, last = index << level, ((index + 1) << level) - 1
                # a bad entry inside the subtree explains it; else the subtree itself is bad
                named = findings.first_bad is not None and first <= findings.first_bad <= last
                findings.add(f"stored subtree hash of entries {first}..{last} is wrong or "
                             "missing", None if named else first)
    for level, index in sorted(stored, key=lambda k: k[1] << k[0]):
        findings.add(f"stored subtree hash at level {level}, index {index} has no entries",
                     index << level)
