"""The Merkle tree of RFC 9162 §2.1: hashes, inclusion and consistency proofs, verification.

Hashes (§2.1.1): the empty tree is ``SHA-256()``, a leaf is ``SHA-256(0x00 || d)``, an interior
node is ``SHA-256(0x01 || left || right)``; a tree of n > 1 leaves splits at k, the largest power
of two smaller than n. The prefixes keep a leaf from ever being taken for a node.

Proofs are built from *perfect subtrees*: the subtree at ``(level, index)`` covers leaves
``[index * 2**level, (index + 1) * 2**level)``. Every hash the RFC's PATH and PROOF need is such a
subtree or a right fold of O(log n) of them, so a store that keeps the hash of every complete
subtree answers a proof with O(log n) reads (see :mod:`valueloop.log.store`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from valueloop.core.errors import ValueloopError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH({}) of RFC 9162 §2.1.1: the hash of an empty string."""

Subtrees = Callable[[int, int], bytes]
"""``(level, index) -> hash`` of a perfect subtree."""
Key = tuple[int, int]


class ProofError(ValueloopError):
    """An inclusion or consistency proof that does not verify."""


def leaf_hash(data: bytes) -> bytes:
    """``SHA-256(0x00 || data)``, RFC 9162 §2.1.1."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``, RFC 9162 §2.1.1."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(n: int) -> int:
    """k of RFC 9162 §2.1.1: the largest power of two smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def perfect_subtrees(start: int, end: int) -> list[Key]:
    """The perfect subtrees that tile ``[start, end)``, largest first.

    For the ranges the RFC recursion visits, ``MTH(D[start:end])`` is the right fold of these
    subtrees with :func:`node_hash`.
    """
    keys: list[Key] = []
    while start < end:
        level = (end - start).bit_length() - 1
        while start % (1 << level):  # the RFC's ranges are aligned; this keeps any range exact
            level -= 1
        keys.append((level, start >> level))
        start += 1 << level
    return keys


def fold(hashes: Sequence[bytes]) -> bytes:
    """Right fold of subtree hashes, largest (leftmost) first: the MTH of their union."""
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def range_hash(subtrees: Subtrees, start: int, end: int) -> bytes:
    """``MTH(D[start:end])`` from perfect subtree hashes."""
    return fold([subtrees(level, index) for level, index in perfect_subtrees(start, end)])


def inclusion_path(subtrees: Subtrees, index: int, size: int) -> list[bytes]:
    """``PATH(index, D[size])`` of RFC 9162 §2.1.3.1, deepest sibling first."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of {size} leaves")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index - start < k:
            path.append(range_hash(subtrees, start + k, end))
            end = start + k
        else:
            path.append(range_hash(subtrees, start, start + k))
            start += k
    path.reverse()  # the loop walks from the root down; the RFC lists siblings bottom-up
    return path


def consistency_proof(subtrees: Subtrees, old: int, new: int) -> list[bytes]:
    """``PROOF(old, D[new])`` of RFC 9162 §2.1.4.1 (SUBPROOF with b = true), bottom-up."""
    if not 0 <= old <= new:
        raise ProofError(f"no consistency proof from size {old} to size {new}")
    if old in (0, new):
        return []
    proof: list[bytes] = []
    start, end, complete = 0, new, True
    while True:
        m, n = old - start, end - start
        if m == n:
            if not complete:
                proof.append(range_hash(subtrees, start, end))
            break
        k = split_point(n)
        if m <= k:
            proof.append(range_hash(subtrees, start + k, end))
            end = start + k
        else:
            proof.append(range_hash(subtrees, start, start + k))
            start, complete = start + k, False
    proof.reverse()
    return proof


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes],
                     root: bytes) -> None:
    """Check an inclusion proof as RFC 9162 §2.1.3.2 prescribes.

    Raises
    ------
    ProofError
        If the proof does not lead from ``leaf`` at ``index`` to ``root`` of a tree of ``size``.
    """
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of {size} leaves")
    _check_lengths([leaf, root, *proof])
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("inclusion proof is shorter than the tree is deep")
    if r != root:
        raise ProofError(f"inclusion proof of leaf {index} does not lead to the root")


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> None:
    """Check a consistency proof as RFC 9162 §2.1.4.2 prescribes.

    The RFC's algorithm covers 0 < old < new; equal sizes need equal roots and an empty proof,
    and every tree is consistent with the empty one.

    Raises
    ------
    ProofError
        If the tree of ``old`` leaves is not shown to be a prefix of the tree of ``new``.
    """
    if not 0 <= old <= new:
        raise ProofError(f"a tree of {old} leaves cannot be a prefix of one of {new}")
    if old == 0 or old == new:
        if proof:
            raise ProofError("a consistency proof between these sizes must be empty")
        if old == new and old_root != new_root:
            raise ProofError("trees of the same size have different roots")
        return
    if not proof:
        raise ProofError("consistency proof is empty")
    _check_lengths([old_root, new_root, *proof])
    path = list(proof)
    if old & (old - 1) == 0:  # old is a power of two: its root is a node of the new tree
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("consistency proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("consistency proof is shorter than the tree is deep")
    if fr != old_root:
        raise ProofError(f"consistency proof does not lead to the root of size {old}")
    if sr != new_root:
        raise ProofError(f"consistency proof does not lead to the root of size {new}")


def _check_lengths(hashes: Iterable[bytes]) -> None:
    for value in hashes:
        if len(value) != HASH_SIZE:
            raise ProofError(f"a hash of {len(value)} bytes (SHA-256 hashes have 32)")


def needed_subtrees(compute: Callable[[Subtrees], object]) -> list[Key]:
    """The perfect subtrees ``compute`` reads, found by running it on placeholder hashes.

    The RFC recursions branch on sizes and indices only, never on hash values, so a store can
    fetch exactly these keys in one query and then run ``compute`` for real.
    """
    seen: dict[Key, None] = {}

    def record(level: int, index: int) -> bytes:
        seen[(level, index)] = None
        return bytes(HASH_SIZE)

    compute(record)
    return list(seen)


@dataclass
class Frontier:
    """The perfect subtrees of a growing tree (its compact range), for appending leaves.

    ``nodes`` holds ``(level, hash)`` of the subtrees that tile the tree, largest first.
    """

    size: int = 0
    nodes: list[tuple[int, bytes]] = field(default_factory=list)

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add a leaf hash; return the subtrees it completes as ``(level, index, hash)``."""
        self.size += 1
        self.nodes.append((0, leaf))
        completed = [(0, self.size - 1, leaf)]
        while len(self.nodes) > 1 and self.nodes[-1][0] == self.nodes[-2][0]:
            (level, right), (_, left) = self.nodes.pop(), self.nodes.pop()
            parent = node_hash(left, right)
            self.nodes.append((level + 1, parent))
            completed.append((level + 1, (self.size >> (level + 1)) - 1, parent))
        return completed

    def root(self) -> bytes:
        return fold([h for _, h in self.nodes])


def root_of_leaves(leaf_hashes: Iterable[bytes]) -> bytes:
    """MTH of a sequence of leaf hashes, streaming in O(log n) memory."""
    frontier = Frontier()
    for leaf in leaf_hashes:
        frontier.append(leaf)
    return frontier.root()


class MemoryTree:
    """Every complete subtree of a list of leaf hashes, in memory (tests, exports, baselines)."""

    def __init__(self, leaf_hashes: Sequence[bytes]) -> None:
        self.levels: list[list[bytes]] = [list(leaf_hashes)]
        while len(self.levels[-1]) > 1:
            below = self.levels[-1]
            self.levels.append([node_hash(below[i], below[i + 1])
                                for i in range(0, len(below) - 1, 2)])

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def subtree(self, level: int, index: int) -> bytes:
        return self.levels[level][index]

    def root(self, size: int | None = None) -> bytes:
        return range_hash(self.subtree, 0, self.size if size is None else size)
