"""Merkle tree hashes, inclusion and consistency proofs (RFC 9162 section 2.1).

The hashing is that of Certificate Transparency (RFC 6962 and RFC 9162):

- leaf hash  = SHA-256(0x00 || leaf bytes)
- node hash  = SHA-256(0x01 || left || right)
- MTH([])    = SHA-256(b"")

A tree of n leaves is split at k, the largest power of two smaller than n; the
left part is always a *perfect* subtree (2**level leaves starting at a multiple of
2**level).  Storage only has to keep those perfect subtrees: ``NodeLookup`` reads
one of them, ``(level, index)`` covering leaves ``[index * 2**level,
(index + 1) * 2**level)``, level 0 being the leaf hashes.  Every other hash
(roots of any size, proof elements) is computed from O(log n) of them.

Proof generators raise ``ValueError`` on impossible arguments; the verifiers never
raise and answer ``False`` to anything malformed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import TypeAlias

HASH_SIZE = 32

NodeLookup: TypeAlias = Callable[[int, int], bytes]
"""``lookup(level, index)``: hash of the perfect subtree at that level and index."""

EMPTY_ROOT: bytes = hashlib.sha256(b"").digest()
"""MTH of the empty tree: SHA-256 of the empty string."""


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 leaf hash: SHA-256(0x00 || data)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


# --- computing hashes from stored perfect subtrees --------------------------------


def _split(n: int) -> int:
    """The largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _perfect_level(start: int, size: int) -> int | None:
    """The level of leaves[start:start + size] if it is a perfect subtree."""
    if size & (size - 1) == 0 and start % size == 0:
        return size.bit_length() - 1
    return None


def _check_range(start: int, end: int) -> None:
    """Refuse a leaf range that is not 0 <= start <= end."""
    if not 0 <= start <= end:
        raise ValueError(f"invalid leaf range [{start}, {end})")


def subtree_root(lookup: NodeLookup, start: int, end: int) -> bytes:
    """MTH of leaves[start:end], read from the perfect subtrees that make it up."""
    _check_range(start, end)
    return _subtree_root(lookup, start, end) if end > start else EMPTY_ROOT


def _subtree_root(lookup: NodeLookup, start: int, end: int) -> bytes:
    """MTH of a non-empty range (RFC 9162 2.1.1).

    O(log n) lookups when start is a multiple of the split point (as for every
    range in a proof); an unaligned range is a differently shaped tree and is
    hashed down to whatever perfect subtrees it contains.
    """
    size = end - start
    level = _perfect_level(start, size)
    if level is not None:
        return lookup(level, start >> level)
    mid = start + _split(size)
    return node_hash(_subtree_root(lookup, start, mid), _subtree_root(lookup, mid, end))


def root(lookup: NodeLookup, size: int) -> bytes:
    """MTH of the first size leaves."""
    return subtree_root(lookup, 0, size)


# --- proof generation (RFC 9162 2.1.3.1 and 2.1.4.1) ------------------------------


def inclusion_proof(lookup: NodeLookup, index: int, size: int) -> list[bytes]:
    """PATH(index, D[size]): the audit path of leaf index in the tree of size leaves."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of size {size}")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        mid = start + _split(end - start)
        if index < mid:
            path.append(subtree_root(lookup, mid, end))
            end = mid
        else:
            path.append(subtree_root(lookup, start, mid))
            start = mid
    path.reverse()
    return path


def consistency_proof(lookup: NodeLookup, old_size: int, new_size: int) -> list[bytes]:
    """PROOF(old_size, D[new_size]); empty when old_size is 0 or equals new_size."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to {new_size}")
    if old_size in (0, new_size):
        return []
    proof: list[bytes] = []
    start, end, m, known = 0, new_size, old_size, True
    while m != end - start:
        mid = start + _split(end - start)
        if m <= mid - start:
            proof.append(subtree_root(lookup, mid, end))
            end = mid
        else:
            proof.append(subtree_root(lookup, start, mid))
            m, start, known = m - (mid - start), mid, False
    if not known:
        proof.append(subtree_root(lookup, start, end))
    proof.reverse()
    return proof


# --- verification (RFC 9162 2.1.3.2 and 2.1.4.2) ----------------------------------


def _is_hash(value: object) -> bool:
    """Whether value is a 32-byte hash."""
    return isinstance(value, bytes | bytearray) and len(value) == HASH_SIZE


def _are_hashes(values: object) -> bool:
    """Whether values is a sequence of 32-byte hashes."""
    return isinstance(values, Sequence) and all(_is_hash(v) for v in values)


def _is_size(value: object) -> bool:
    """Whether value is a non-negative integer (and not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _shift_to_odd(fn: int, sn: int) -> tuple[int, int]:
    """Right-shift fn and sn equally until LSB(fn) is set or fn is 0."""
    while not fn & 1 and fn != 0:
        fn, sn = fn >> 1, sn >> 1
    return fn, sn


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether proof shows leaf hash `leaf` is leaf index of the tree (size, root)."""
    if not (_is_hash(leaf) and _is_hash(root) and _are_hashes(proof)):
        return False
    if not (_is_size(index) and _is_size(size)) or index >= size:
        return False
    fn, sn, r = index, size - 1, bytes(leaf)
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            fn, sn = _shift_to_odd(fn, sn)
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(
    old_size: int,
    new_size: int,
    old_root: bytes,
    new_root: bytes,
    proof: Sequence[bytes],
) -> bool:
    """Whether proof shows tree (new_size, new_root) extends (old_size, old_root)."""
    if not (_is_hash(old_root) and _is_hash(new_root) and _are_hashes(proof)):
        return False
    if not (_is_size(old_size) and _is_size(new_size)) or old_size > new_size:
        return False
    if old_size == 0 and old_root != EMPTY_ROOT:
        return False  # the only tree of size 0 is the empty tree
    if old_size == new_size:
        return len(proof) == 0 and old_root == new_root
    if old_size == 0:
        return len(proof) == 0
    return _verify_consistency_path(old_size, new_size, old_root, new_root, proof)


def _verify_consistency_path(
    first: int,
    second: int,
    first_hash: bytes,
    second_hash: bytes,
    proof: Sequence[bytes],
) -> bool:
    """RFC 9162 2.1.4.2, step by step, for 0 < first < second."""
    if len(proof) == 0:
        return False
    path = [first_hash, *proof] if first & (first - 1) == 0 else list(proof)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = bytes(path[0])
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            fn, sn = _shift_to_odd(fn, sn)
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_hash and sr == second_hash and sn == 0


# --- building the tree ------------------------------------------------------------


def new_perfect_nodes(
    index: int, leaf: bytes, left_sibling: NodeLookup
) -> list[tuple[int, int, bytes]]:
    """The (level, index, hash) perfect nodes completed by appending leaf index."""
    if index < 0:
        raise ValueError(f"negative leaf index {index}")
    level, position, current = 0, index, leaf
    nodes = [(level, position, current)]
    while position & 1:
        current = node_hash(left_sibling(level, position - 1), current)
        level, position = level + 1, position >> 1
        nodes.append((level, position, current))
    return nodes


class MemoryTree:
    """An append-only Merkle tree keeping every perfect subtree hash in memory."""

    def __init__(self, leaf_hashes: Sequence[bytes] = ()) -> None:
        """A tree holding the given leaf hashes, in order."""
        self._levels: list[list[bytes]] = []
        for leaf in leaf_hashes:
            self.append(leaf)

    @property
    def size(self) -> int:
        """The number of leaves."""
        return len(self._levels[0]) if self._levels else 0

    def append(self, leaf_hash: bytes) -> None:
        """Add a leaf hash, storing the O(log n) perfect nodes it completes."""
        if not _is_hash(leaf_hash):
            raise ValueError("a leaf hash is 32 bytes")
        for level, _, node in new_perfect_nodes(
            self.size, bytes(leaf_hash), self.lookup
        ):
            if level == len(self._levels):
                self._levels.append([])
            self._levels[level].append(node)

    def lookup(self, level: int, index: int) -> bytes:
        """The stored hash of the perfect subtree (level, index)."""
        if 0 <= level < len(self._levels) and 0 <= index < len(self._levels[level]):
            return self._levels[level][index]
        raise KeyError((level, index))

    def _size_or_current(self, size: int | None) -> int:
        """size, defaulting to the current size; refuses sizes the tree never had."""
        size = self.size if size is None else size
        if not 0 <= size <= self.size:
            raise ValueError(f"size {size} is outside 0..{self.size}")
        return size

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first size leaves (default: all of them)."""
        return root(self.lookup, self._size_or_current(size))

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """Audit path of leaf index in the tree of the first size leaves."""
        return inclusion_proof(self.lookup, index, self._size_or_current(size))

    def consistency_proof(
        self, old_size: int, new_size: int | None = None
    ) -> list[bytes]:
        """Proof that the tree of new_size leaves extends the one of old_size."""
        return consistency_proof(self.lookup, old_size, self._size_or_current(new_size))
