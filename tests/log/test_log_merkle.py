"""RFC 9162 §2.1 against the Certificate Transparency test vectors and a brute-force oracle.

The vectors (leaves, roots, inclusion and consistency proofs) are those of the CT test suite as
published in transparency-dev/merkle ``proof/verify_test.go`` (leaf numbers there are 1-based).
The oracle below is the RFC's recursive definitions written out literally, independent of the
code under test.
"""

from __future__ import annotations

import functools
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from valueloop.log.merkle import (
    EMPTY_ROOT,
    Frontier,
    MemoryTree,
    ProofError,
    consistency_proof,
    inclusion_path,
    leaf_hash,
    needed_subtrees,
    root_of_leaves,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f")]
ROOTS = [bytes.fromhex(h) for h in (
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")]


def h(text: str) -> bytes:
    return bytes.fromhex(text)


# (leaf index from 0, tree size, proof): verify_test.go's inclusionProofs with leaf - 1
INCLUSION = [
    (0, 8, [h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")]),
    (5, 8, [h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]),
    (2, 3, [h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")]),
    (1, 5, [h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")]),
]
CONSISTENCY = [
    (1, 8, [h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")]),
    (6, 8, [h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]),
    (2, 5, [h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")]),
    (6, 7, [h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]),
]
TREE = MemoryTree([leaf_hash(d) for d in LEAVES])

# --- the oracle: RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1 written out recursively ------------

DATA = [i.to_bytes(2, "big") * (i % 5) for i in range(200)]


@functools.cache
def mth(start: int, end: int) -> bytes:
    n = end - start
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + DATA[start]).digest()
    k = 1 << ((n - 1).bit_length() - 1)
    return hashlib.sha256(b"\x01" + mth(start, start + k) + mth(start + k, end)).digest()


def path(m: int, start: int, end: int) -> list[bytes]:
    n = end - start
    if n == 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if m < k:
        return [*path(m, start, start + k), mth(start + k, end)]
    return [*path(m - k, start + k, end), mth(start, start + k)]


def subproof(m: int, start: int, end: int, complete: bool) -> list[bytes]:
    n = end - start
    if m == n:
        return [] if complete else [mth(start, end)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return [*subproof(m, start, start + k, complete), mth(start + k, end)]
    return [*subproof(m - k, start + k, end, False), mth(start, start + k)]


BIG = MemoryTree([leaf_hash(d) for d in DATA])


def test_ct_vector_roots_for_every_prefix() -> None:
    assert [TREE.root(n) for n in range(1, 9)] == ROOTS
    assert TREE.root(0) == EMPTY_ROOT == hashlib.sha256(b"").digest()
    assert root_of_leaves(leaf_hash(d) for d in LEAVES) == ROOTS[-1]


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_ct_vector_inclusion_proofs(index: int, size: int, proof: list[bytes]) -> None:
    assert inclusion_path(TREE.subtree, index, size) == proof
    leaf = leaf_hash(LEAVES[index])
    verify_inclusion(index, size, leaf, proof, ROOTS[size - 1])
    # the corruptions verify_test.go probes, each must fail
    bad = [(index - 1, size, leaf, proof, ROOTS[size - 1]),
           (index + 1, size, leaf, proof, ROOTS[size - 1]),
           (index ^ 2, size, leaf, proof, ROOTS[size - 1]),
           (index, size * 2, leaf, proof, ROOTS[size - 1]),
           (index, size // 2, leaf, proof, ROOTS[size - 1]),
           (index, size, leaf_hash(b"WrongLeaf"), proof, ROOTS[size - 1]),
           (index, size, leaf, proof, EMPTY_ROOT),
           (index, size, leaf, [*proof, b""], ROOTS[size - 1]),
           (index, size, leaf, [*proof, ROOTS[size - 1]], ROOTS[size - 1]),
           (index, size, leaf, [ROOTS[size - 1], *proof], ROOTS[size - 1]),
           (index, size, leaf, proof[:-1], ROOTS[size - 1])]
    for position in range(len(proof)):
        flipped = [bytes([p[0] ^ 8]) + p[1:] if i == position else p
                   for i, p in enumerate(proof)]
        bad.append((index, size, leaf, flipped, ROOTS[size - 1]))
    for args in bad:
        with pytest.raises(ProofError):
            verify_inclusion(*args)


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_ct_vector_consistency_proofs(old: int, new: int, proof: list[bytes]) -> None:
    assert consistency_proof(TREE.subtree, old, new) == proof
    r1, r2 = ROOTS[old - 1], ROOTS[new - 1]
    verify_consistency(old, new, r1, r2, proof)
    bad = [(old - 1, new, r1, r2, proof), (old + 1, new, r1, r2, proof),
           (old ^ 2, new, r1, r2, proof), (old, new * 2, r1, r2, proof),
           (old, new // 2, r1, r2, proof), (old, new, EMPTY_ROOT, r2, proof),
           (old, new, r1, EMPTY_ROOT, proof), (old, new, r2, r1, proof),
           (old, new, r1, r2, []), (old, new, r1, r2, [*proof, b""]),
           (old, new, r1, r2, [*proof, r1]), (old, new, r1, r2, [*proof, r2]),
           (old, new, r1, r2, [r1, *proof]), (old, new, r1, r2, [r2, *proof]),
           (old, new, r1, r2, [proof[0], *proof]), (old, new, r1, r2, proof[:-1])]
    for position in range(len(proof)):
        flipped = [bytes([p[0] ^ 16]) + p[1:] if i == position else p
                   for i, p in enumerate(proof)]
        bad.append((old, new, r1, r2, flipped))
    for args in bad:
        with pytest.raises(ProofError):
            verify_consistency(*args)


def test_trivial_consistency_cases() -> None:
    verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    verify_consistency(0, 5, EMPTY_ROOT, ROOTS[4], [])
    verify_consistency(3, 3, ROOTS[2], ROOTS[2], [])
    for args in [(3, 3, ROOTS[2], ROOTS[3], []), (2, 1, ROOTS[1], ROOTS[0], []),
                 (0, 1, EMPTY_ROOT, ROOTS[0], [EMPTY_ROOT]), (1, 2, ROOTS[0], ROOTS[1], [])]:
        with pytest.raises(ProofError):
            verify_consistency(*args)


def test_every_root_and_proof_up_to_200_leaves_matches_the_recursive_definitions() -> None:
    frontier = Frontier()
    for n in range(1, 201):
        frontier.append(leaf_hash(DATA[n - 1]))
        assert BIG.root(n) == frontier.root() == mth(0, n)
        for m in range(n):
            proof = inclusion_path(BIG.subtree, m, n)
            assert proof == path(m, 0, n)
            verify_inclusion(m, n, leaf_hash(DATA[m]), proof, mth(0, n))
        for m in range(1, n + 1):
            proof = consistency_proof(BIG.subtree, m, n)
            assert proof == subproof(m, 0, n, True)
            verify_consistency(m, n, mth(0, m), mth(0, n), proof)


def test_frontier_reports_every_completed_subtree_once() -> None:
    frontier, seen = Frontier(), {}
    for i, data in enumerate(DATA):
        for level, index, value in frontier.append(leaf_hash(data)):
            assert (level, index) not in seen
            seen[(level, index)] = value
            assert value == mth(index << level, (index + 1) << level)
        assert len(seen) == sum((i + 1) >> level for level in range(9))


def test_proofs_read_o_log_n_subtrees() -> None:
    n = 10**6 + 12345
    for m in (0, 1, n // 2, n - 1):
        assert len(needed_subtrees(lambda s, m=m: inclusion_path(s, m, n))) <= 2 * n.bit_length()
    for old in (1, 3, n // 3, n - 1):
        keys = needed_subtrees(lambda s, old=old: consistency_proof(s, old, n))
        assert len(keys) <= 2 * n.bit_length()


@given(st.integers(1, 200), st.data())
def test_any_flipped_bit_in_a_proof_is_rejected(n: int, data: st.DataObject) -> None:
    m = data.draw(st.integers(0, n - 1))
    proof = inclusion_path(BIG.subtree, m, n)
    if proof:
        i = data.draw(st.integers(0, len(proof) - 1))
        bit = data.draw(st.integers(0, 255))
        proof[i] = bytearray(proof[i])
        proof[i][bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(ProofError):
            verify_inclusion(m, n, leaf_hash(DATA[m]), [bytes(p) for p in proof], mth(0, n))
    old = data.draw(st.integers(1, n))
    proof = consistency_proof(BIG.subtree, old, n)
    if proof:
        i = data.draw(st.integers(0, len(proof) - 1))
        proof[i] = bytes([proof[i][0] ^ 1]) + proof[i][1:]
        with pytest.raises(ProofError):
            verify_consistency(old, n, mth(0, old), mth(0, n), proof)
