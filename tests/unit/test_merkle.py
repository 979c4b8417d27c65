"""RFC 9162 Merkle trees: published reference vectors, then properties on random trees.

The reference tree, its node hashes, roots and proofs are the RFC 6962 test vectors
published in github.com/transparency-dev/merkle (testonly/constants.go and
proof/verify_test.go), which come from google/certificate-transparency.  The Go
file numbers inclusion leaves from 1; here they are 0-based.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.integrity.merkle import (
    EMPTY_ROOT,
    MemoryTree,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    new_perfect_nodes,
    node_hash,
    root,
    subtree_root,
    verify_consistency,
    verify_inclusion,
)

h = bytes.fromhex

# --- reference vectors --------------------------------------------------------------

LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    bytes(range(0x60, 0x70)),
]

EMPTY = h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")

# ROOTS[n] is the root of the tree of the first n leaves.
ROOTS = [
    EMPTY,
    h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
    h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
    h("aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
    h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
    h("4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
    h("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
    h("ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
    h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
]

# NODES[level][index]: every perfect subtree of the 8-leaf tree.
NODES = [
    [
        h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
        h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
        h("0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7"),
        h("07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7"),
        h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        h("4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658"),
        h("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
        h("46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"),
    ],
    [
        h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
        h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
        h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
        h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
    ],
    [
        h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
    ],
    [
        h("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
    ],
]

# (leaf index, tree size, audit path)
INCLUSION = [
    (0, 1, []),
    (0, 8, [NODES[0][1], NODES[1][1], NODES[2][1]]),
    (5, 8, [NODES[0][4], NODES[1][3], NODES[2][0]]),
    (2, 3, [NODES[1][0]]),
    (1, 5, [NODES[0][0], NODES[1][1], NODES[0][4]]),
]

# (old size, new size, consistency proof)
CONSISTENCY = [
    (1, 1, []),
    (1, 8, [NODES[0][1], NODES[1][1], NODES[2][1]]),
    (6, 8, [NODES[1][2], NODES[1][3], NODES[2][0]]),
    (2, 5, [NODES[1][1], NODES[0][4]]),
    (6, 7, [NODES[1][2], NODES[0][6], NODES[2][0]]),
]

# The same proofs as the published hex strings, so a typo in NODES cannot hide.
PUBLISHED_HEX = {
    ("inclusion", 0, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    ("inclusion", 5, 8): [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    ("inclusion", 2, 3): [
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    ],
    ("inclusion", 1, 5): [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
    ("consistency", 1, 8): [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
    ("consistency", 6, 8): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
    ("consistency", 2, 5): [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
    ("consistency", 6, 7): [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
}

SOME_HASH = h("abacaba000000000000000000000000000000000000000000060061e00123456")


def reference_tree() -> MemoryTree:
    return MemoryTree([leaf_hash(leaf) for leaf in LEAVES])


# --- independent helpers: the RFC 9162 recursions over a plain list ----------------


def largest_power_of_two_below(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def naive_mth(hashes: list[bytes]) -> bytes:
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    k = largest_power_of_two_below(len(hashes))
    return node_hash(naive_mth(hashes[:k]), naive_mth(hashes[k:]))


def naive_path(m: int, hashes: list[bytes]) -> list[bytes]:
    if len(hashes) == 1:
        return []
    k = largest_power_of_two_below(len(hashes))
    if m < k:
        return naive_path(m, hashes[:k]) + [naive_mth(hashes[k:])]
    return naive_path(m - k, hashes[k:]) + [naive_mth(hashes[:k])]


def naive_subproof(m: int, hashes: list[bytes], known: bool) -> list[bytes]:
    n = len(hashes)
    if m == n:
        return [] if known else [naive_mth(hashes)]
    k = largest_power_of_two_below(n)
    if m <= k:
        return naive_subproof(m, hashes[:k], known) + [naive_mth(hashes[k:])]
    return naive_subproof(m - k, hashes[k:], False) + [naive_mth(hashes[:k])]


def path_shape(m: int, n: int) -> list[str] | None:
    """Which side each audit path element sits on, or None for an impossible leaf."""
    if not 0 <= m < n:
        return None
    if n == 1:
        return []
    k = largest_power_of_two_below(n)
    if m < k:
        return [*path_shape(m, k), "right"]
    return [*path_shape(m - k, n - k), "left"]


def subproof_shape(m: int, n: int, known: bool = True) -> list[str] | None:
    """Which side each consistency proof element sits on, or None if impossible."""
    if not 0 < m <= n:
        return None
    if m == n:
        return [] if known else ["start"]
    k = largest_power_of_two_below(n)
    if m <= k:
        return [*subproof_shape(m, k, known), "right"]
    return [*subproof_shape(m - k, n - k, False), "left"]


def flip_bit(data: bytes, bit: int) -> bytes:
    changed = bytearray(data)
    changed[bit // 8 % len(data)] ^= 1 << (bit % 8)
    return bytes(changed)


def all_nodes(tree: MemoryTree) -> dict[tuple[int, int], bytes]:
    nodes = {}
    for level in range(tree.size.bit_length()):
        for index in range(tree.size >> level):
            nodes[level, index] = tree.lookup(level, index)
        with pytest.raises(KeyError):
            tree.lookup(level, tree.size >> level)
    return nodes


# --- wrong claims around a good proof ----------------------------------------------


def inclusion_probes(index, size, proof, root_hash, leaf):
    """Wrong claims around a good inclusion proof (transparency-dev's, and size ± 1)."""
    probes = {
        "index - 1": (leaf, index - 1, size, proof, root_hash),
        "index + 1": (leaf, index + 1, size, proof, root_hash),
        "index ^ 2": (leaf, index ^ 2, size, proof, root_hash),
        "size - 1": (leaf, index, size - 1, proof, root_hash),
        "size + 1": (leaf, index, size + 1, proof, root_hash),
        "size * 2": (leaf, index, size * 2, proof, root_hash),
        "size // 2": (leaf, index, size // 2, proof, root_hash),
        "wrong leaf": (b"WrongLeaf", index, size, proof, root_hash),
        "other leaf": (SOME_HASH, index, size, proof, root_hash),
        "empty root": (leaf, index, size, proof, EMPTY),
        "other root": (leaf, index, size, proof, SOME_HASH),
        "trailing garbage": (leaf, index, size, [*proof, b""], root_hash),
        "trailing root": (leaf, index, size, [*proof, root_hash], root_hash),
        "preceding garbage": (leaf, index, size, [b"", *proof], root_hash),
        "preceding root": (leaf, index, size, [root_hash, *proof], root_hash),
    }
    for i in range(len(proof)):
        changed = [*proof[:i], flip_bit(proof[i], 3), *proof[i + 1 :]]
        probes[f"proof[{i}] bit 3"] = (leaf, index, size, changed, root_hash)
    if proof:
        probes["removed last"] = (leaf, index, size, proof[:-1], root_hash)
        probes["removed first"] = (leaf, index, size, proof[1:], root_hash)
    if len(proof) > 1:
        inserted = [proof[0], SOME_HASH, *proof[1:]]
        probes["inserted"] = (leaf, index, size, inserted, root_hash)
    return probes


def consistency_probes(old, new, proof, old_root, new_root):
    """Wrong claims around a good consistency proof (transparency-dev's, new ± 1)."""
    probes = {
        "old - 1": (old - 1, new, old_root, new_root, proof),
        "old + 1": (old + 1, new, old_root, new_root, proof),
        "old ^ 2": (old ^ 2, new, old_root, new_root, proof),
        "new - 1": (old, new - 1, old_root, new_root, proof),
        "new + 1": (old, new + 1, old_root, new_root, proof),
        "new * 2": (old, new * 2, old_root, new_root, proof),
        "new // 2": (old, new // 2, old_root, new_root, proof),
        "wrong old root": (old, new, b"WrongRoot", new_root, proof),
        "wrong new root": (old, new, old_root, b"WrongRoot", proof),
        "other old root": (old, new, SOME_HASH, new_root, proof),
        "other new root": (old, new, old_root, SOME_HASH, proof),
        "swapped roots": (old, new, new_root, old_root, proof),
        "empty proof": (old, new, old_root, new_root, []),
        "trailing garbage": (old, new, old_root, new_root, [*proof, b""]),
        "trailing old root": (old, new, old_root, new_root, [*proof, old_root]),
        "trailing new root": (old, new, old_root, new_root, [*proof, new_root]),
        "preceding garbage": (old, new, old_root, new_root, [b"", *proof]),
        "preceding old root": (old, new, old_root, new_root, [old_root, *proof]),
        "preceding new root": (old, new, old_root, new_root, [new_root, *proof]),
        "preceding proof[0]": (old, new, old_root, new_root, [proof[0], *proof]),
        "truncated": (old, new, old_root, new_root, proof[:-1]),
    }
    for i in range(len(proof)):
        changed = [*proof[:i], flip_bit(proof[i], 4), *proof[i + 1 :]]
        probes[f"proof[{i}] bit 4"] = (old, new, old_root, new_root, changed)
    return probes


# A proof and a root cannot tell a tree size from another whose proof has the same
# length and the same sides (leaf 0 of 3 leaves or of 4, for instance): that other
# claim is about a tree nobody can build without inverting SHA-256.  So a changed
# (new) tree size verifies exactly when the shape of the proof is unchanged; every
# other change must fail.


def check_inclusion_probes(index, size, proof, root_hash, leaf):
    shape = path_shape(index, size)
    for name, probe in inclusion_probes(index, size, proof, root_hash, leaf).items():
        same = name.startswith("size") and path_shape(index, probe[2]) == shape
        assert verify_inclusion(*probe) is same, name


def check_consistency_probes(old, new, proof, old_root, new_root):
    shape = subproof_shape(old, new)
    for name, probe in consistency_probes(old, new, proof, old_root, new_root).items():
        same = name.startswith("new") and subproof_shape(old, probe[1]) == shape
        assert verify_consistency(*probe) is same, name


# --- reference vector tests ---------------------------------------------------------


def test_hashing_primitives_match_the_reference_tree():
    assert EMPTY_ROOT == EMPTY == hashlib.sha256(b"").digest()
    assert [leaf_hash(leaf) for leaf in LEAVES] == NODES[0]
    assert node_hash(NODES[0][0], NODES[0][1]) == NODES[1][0]
    assert node_hash(NODES[2][0], NODES[2][1]) == NODES[3][0]


def test_every_published_perfect_node_is_stored_and_nothing_else():
    tree = reference_tree()
    expected = {
        (level, index): node
        for level, nodes in enumerate(NODES)
        for index, node in enumerate(nodes)
    }
    assert all_nodes(tree) == expected


@pytest.mark.parametrize("size", range(9))
def test_published_root_at_every_size(size):
    hashes = [leaf_hash(leaf) for leaf in LEAVES[:size]]
    grown = MemoryTree(hashes)
    assert grown.root() == ROOTS[size]
    assert reference_tree().root(size) == ROOTS[size]
    assert root(reference_tree().lookup, size) == ROOTS[size]
    assert naive_mth(hashes) == ROOTS[size]


def test_published_proofs_are_the_hex_strings_above():
    for (kind, a, b), hexes in PUBLISHED_HEX.items():
        table = INCLUSION if kind == "inclusion" else CONSISTENCY
        [proof] = [p for x, y, p in table if (x, y) == (a, b)]
        assert proof == [h(x) for x in hexes]


@pytest.mark.parametrize(("index", "size", "expected"), INCLUSION)
def test_published_inclusion_proofs(index, size, expected):
    tree = reference_tree()
    leaf = NODES[0][index]
    assert tree.inclusion_proof(index, size) == expected
    assert inclusion_proof(tree.lookup, index, size) == expected
    assert verify_inclusion(leaf, index, size, expected, ROOTS[size])
    check_inclusion_probes(index, size, expected, ROOTS[size], leaf)


@pytest.mark.parametrize(("old", "new", "expected"), CONSISTENCY)
def test_published_consistency_proofs(old, new, expected):
    tree = reference_tree()
    assert tree.consistency_proof(old, new) == expected
    assert consistency_proof(tree.lookup, old, new) == expected
    assert verify_consistency(old, new, ROOTS[old], ROOTS[new], expected)
    if expected:
        check_consistency_probes(old, new, expected, ROOTS[old], ROOTS[new])


def test_every_proof_of_the_reference_tree_verifies_against_the_published_roots():
    tree = reference_tree()
    for size in range(1, 9):
        for index in range(size):
            proof = tree.inclusion_proof(index, size)
            assert verify_inclusion(NODES[0][index], index, size, proof, ROOTS[size])
        for old in range(size + 1):
            proof = tree.consistency_proof(old, size)
            assert verify_consistency(old, size, ROOTS[old], ROOTS[size], proof)


def test_a_reference_proof_proves_no_other_position_of_another_shape():
    tree = reference_tree()
    claims = [(a, b) for b in range(12) for a in range(-1, b + 2)]
    for size in range(1, 9):
        for index in range(size):
            proof, shape = tree.inclusion_proof(index, size), path_shape(index, size)
            for a, b in claims:
                verified = verify_inclusion(NODES[0][index], a, b, proof, ROOTS[size])
                assert verified is (path_shape(a, b) == shape), (index, size, a, b)
        for old in range(1, size):
            proof, shape = tree.consistency_proof(old, size), subproof_shape(old, size)
            for a, b in claims:
                verified = verify_consistency(a, b, ROOTS[old], ROOTS[size], proof)
                assert verified is (subproof_shape(a, b) == shape), (old, size, a, b)


# --- edge cases ---------------------------------------------------------------------


def test_single_leaf_tree_root_is_the_leaf_hash():
    leaf = leaf_hash(b"data")
    assert MemoryTree([leaf]).root() == leaf
    assert verify_inclusion(leaf, 0, 1, [], leaf)
    assert not verify_inclusion(leaf, 0, 1, [], b"")
    assert not verify_inclusion(b"", 0, 1, [], leaf)
    assert not verify_inclusion(b"", 0, 1, [], b"")


@pytest.mark.parametrize(("index", "size"), [(0, 0), (1, 0), (2, 1), (1, 1), (-1, 1)])
def test_inclusion_in_impossible_positions_fails(index, size):
    for leaf, root_hash in [(SOME_HASH, EMPTY), (EMPTY, EMPTY), (SOME_HASH, SOME_HASH)]:
        assert not verify_inclusion(leaf, index, size, [], root_hash)


def test_consistency_edge_cases():
    tree = reference_tree()
    r3, r5 = ROOTS[3], ROOTS[5]
    proof = tree.consistency_proof(3, 5)
    cases = [
        # Equal sizes: the empty proof, and only between equal roots.
        ((0, 0, EMPTY, EMPTY, []), True),
        ((5, 5, r5, r5, []), True),
        ((5, 5, r5, r3, []), False),
        ((5, 5, r5, r5, [r5]), False),
        ((0, 0, EMPTY, EMPTY, [EMPTY]), False),
        ((0, 0, SOME_HASH, SOME_HASH, []), False),
        # The empty tree is a prefix of every tree, with an empty proof.
        ((0, 5, EMPTY, r5, []), True),
        ((0, 5, EMPTY, r5, [EMPTY]), False),
        ((0, 5, SOME_HASH, r5, []), False),
        # Going back in time, negative sizes, missing proofs, malformed roots.
        ((5, 3, r5, r3, proof), False),
        ((1, 0, ROOTS[1], EMPTY, []), False),
        ((-1, 5, EMPTY, r5, []), False),
        ((3, -5, r3, r5, proof), False),
        ((3, 5, r3, r5, []), False),
        ((3, 5, r3[:31], r5, proof), False),
        ((3, 5, r3, r5 + b"\x00", proof), False),
        ((3, 5, r3, r5, [p[:16] for p in proof]), False),
        ((3, 5, r3, r5, proof), True),
    ]
    for args, expected in cases:
        assert verify_consistency(*args) is expected, args


def test_generators_refuse_impossible_requests():
    tree = reference_tree()
    for index, size in [(0, 0), (8, 8), (-1, 8), (3, 2)]:
        with pytest.raises(ValueError):
            inclusion_proof(tree.lookup, index, size)
    for old, new in [(3, 2), (-1, 4)]:
        with pytest.raises(ValueError):
            consistency_proof(tree.lookup, old, new)
    for start, end in [(3, 2), (-1, 2)]:
        with pytest.raises(ValueError):
            subtree_root(tree.lookup, start, end)
    with pytest.raises(ValueError):
        tree.root(9)
    with pytest.raises(ValueError):
        tree.inclusion_proof(0, 9)
    with pytest.raises(ValueError):
        tree.consistency_proof(1, 9)
    with pytest.raises(ValueError):
        tree.append(b"short")
    with pytest.raises(ValueError):
        new_perfect_nodes(-1, EMPTY, tree.lookup)
    for level, index in [(0, 8), (0, -1), (4, 0), (-1, 0), (1, 4)]:
        with pytest.raises(KeyError):
            tree.lookup(level, index)


def test_empty_tree():
    tree = MemoryTree()
    assert tree.size == 0
    assert tree.root() == EMPTY_ROOT
    assert tree.consistency_proof(0) == []
    assert subtree_root(tree.lookup, 0, 0) == EMPTY_ROOT
    with pytest.raises(ValueError):
        tree.inclusion_proof(0)


# --- properties on random trees -----------------------------------------------------


@st.composite
def trees(draw, max_size=300):
    """A random tree: its leaf hashes and a MemoryTree holding them."""
    size = draw(st.integers(min_value=1, max_value=max_size))
    salt = draw(st.binary(max_size=8))
    hashes = [leaf_hash(salt + i.to_bytes(2, "big")) for i in range(size)]
    return hashes, MemoryTree(hashes)


@st.composite
def positions(draw, size):
    """Some leaf indices of a tree: both ends and a few in between."""
    middle = draw(st.lists(st.integers(0, size - 1), max_size=6))
    return sorted({0, size - 1, *middle})


@settings(max_examples=60, deadline=None)
@given(trees(), st.data())
def test_inclusion_proofs_verify_and_any_tampering_fails(tree_and_hashes, data):
    hashes, tree = tree_and_hashes
    size, root_hash = tree.size, tree.root()
    assert root_hash == naive_mth(hashes)
    bit = st.integers(0, 255)
    for index in data.draw(positions(size)):
        leaf, proof = hashes[index], tree.inclusion_proof(index)
        assert proof == naive_path(index, hashes)
        assert verify_inclusion(leaf, index, size, proof, root_hash)
        check_inclusion_probes(index, size, proof, root_hash, leaf)
        leaf_flipped = flip_bit(leaf, data.draw(bit))
        assert not verify_inclusion(leaf_flipped, index, size, proof, root_hash)
        root_flipped = flip_bit(root_hash, data.draw(bit))
        assert not verify_inclusion(leaf, index, size, proof, root_flipped)
        for i in range(len(proof)):
            changed = [*proof[:i], flip_bit(proof[i], data.draw(bit)), *proof[i + 1 :]]
            assert not verify_inclusion(leaf, index, size, changed, root_hash)
        appended = [*proof, data.draw(st.binary(min_size=32, max_size=32))]
        assert not verify_inclusion(leaf, index, size, appended, root_hash)


@settings(max_examples=60, deadline=None)
@given(trees(), st.data())
def test_consistency_proofs_verify_and_any_tampering_fails(tree_and_hashes, data):
    hashes, tree = tree_and_hashes
    new = data.draw(st.integers(1, tree.size), label="new")
    olds = data.draw(st.lists(st.integers(0, new), min_size=1, max_size=4), label="old")
    new_root = tree.root(new)
    bit = st.integers(0, 255)
    for old in sorted({0, 1, new, *olds}):
        old_root, proof = tree.root(old), tree.consistency_proof(old, new)
        assert proof == (naive_subproof(old, hashes[:new], True) if old else [])
        assert verify_consistency(old, new, old_root, new_root, proof)
        appended = [*proof, data.draw(st.binary(min_size=32, max_size=32))]
        assert not verify_consistency(old, new, old_root, new_root, appended)
        if not proof:
            continue
        check_consistency_probes(old, new, proof, old_root, new_root)
        old_flipped = flip_bit(old_root, data.draw(bit))
        assert not verify_consistency(old, new, old_flipped, new_root, proof)
        new_flipped = flip_bit(new_root, data.draw(bit))
        assert not verify_consistency(old, new, old_root, new_flipped, proof)
        for i in range(len(proof)):
            changed = [*proof[:i], flip_bit(proof[i], data.draw(bit)), *proof[i + 1 :]]
            assert not verify_consistency(old, new, old_root, new_root, changed)


@settings(max_examples=60, deadline=None)
@given(trees(), st.data())
def test_a_proof_proves_no_other_position_of_another_shape(tree_and_hashes, data):
    hashes, tree = tree_and_hashes
    size, root_hash = tree.size, tree.root()
    limit = 2 * size + 2
    claims = st.lists(st.tuples(st.integers(-1, limit), st.integers(0, limit)))
    index = data.draw(st.integers(0, size - 1))
    proof, shape = tree.inclusion_proof(index), path_shape(index, size)
    for a, b in data.draw(claims):
        verified = verify_inclusion(hashes[index], a, b, proof, root_hash)
        assert verified is (path_shape(a, b) == shape)
    old = data.draw(st.integers(1, size))
    proof, shape = tree.consistency_proof(old), subproof_shape(old, size)
    for a, b in data.draw(claims):
        verified = verify_consistency(a, b, tree.root(old), root_hash, proof)
        assert verified is (subproof_shape(a, b) == shape)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.binary(max_size=12), min_size=1, max_size=70), st.data())
def test_subtree_root_from_stored_nodes_equals_the_naive_mth(leaves, data):
    hashes = [leaf_hash(leaf) for leaf in leaves]
    tree = MemoryTree(hashes)
    end = data.draw(st.integers(0, len(hashes)))
    start = data.draw(st.integers(0, end))
    assert subtree_root(tree.lookup, start, end) == naive_mth(hashes[start:end])
    assert tree.root(end) == naive_mth(hashes[:end])


@settings(max_examples=50, deadline=None)
@given(trees(max_size=1000), st.data())
def test_roots_and_proofs_cost_logarithmic_lookups(tree_and_hashes, data):
    _, tree = tree_and_hashes
    size = tree.size
    calls = []

    def counting(level, index):
        calls.append((level, index))
        return tree.lookup(level, index)

    assert root(counting, size) == tree.root()
    assert len(calls) == bin(size).count("1")
    index = data.draw(st.integers(0, size - 1))
    old = data.draw(st.integers(0, size))
    for make in (
        lambda: inclusion_proof(counting, index, size),
        lambda: consistency_proof(counting, old, size),
    ):
        calls.clear()
        make()
        assert len(calls) <= 2 * size.bit_length() + 1


@settings(max_examples=60, deadline=None)
@given(trees())
def test_new_perfect_nodes_leaf_by_leaf_reproduce_the_memory_tree(tree_and_hashes):
    hashes, tree = tree_and_hashes
    stored: dict[tuple[int, int], bytes] = {}

    def left_sibling(level, index):
        return stored[level, index]

    for index, leaf in enumerate(hashes):
        nodes = new_perfect_nodes(index, leaf, left_sibling)
        trailing_ones = (index ^ (index + 1)).bit_length() - 1
        assert len(nodes) == 1 + trailing_ones
        assert nodes[0] == (0, index, leaf)
        for level, position, node in nodes:
            assert (level, position) not in stored
            span = 1 << level
            assert (position + 1) * span == index + 1  # ends at the new leaf
            assert node == naive_mth(hashes[position * span : (position + 1) * span])
            stored[level, position] = node
    assert stored == all_nodes(tree)


hash_or_junk = st.one_of(
    st.binary(min_size=32, max_size=32),
    st.binary(max_size=40),
    st.sampled_from([EMPTY, SOME_HASH, ROOTS[8]]),
)
size_or_junk = st.one_of(
    st.integers(-3, 20), st.integers(-(2**70), 2**70), st.sampled_from([2**64 - 1])
)


@settings(max_examples=300, deadline=None)
@given(
    hash_or_junk,
    hash_or_junk,
    size_or_junk,
    size_or_junk,
    st.lists(hash_or_junk, max_size=6),
)
def test_verifiers_never_raise(a, b, x, y, proof):
    assert verify_inclusion(a, x, y, proof, b) in (True, False)
    assert verify_consistency(x, y, a, b, proof) in (True, False)
