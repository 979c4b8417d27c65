"""Canonical JSON: the fast encoder equals RFC 8785 on the ledger's data."""

from __future__ import annotations

import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.canonical import canonical_bytes, fingerprint, leaf_hash, nfc
from ledger.schemas.lines import parse_line
from ledger.synthetic import generate
from tests.support import EXAMPLES, example_lines

ascii_keys = st.text(alphabet=st.characters(max_codepoint=127), max_size=12)
values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.text(),  # any code point: controls, quotes, non-BMP
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(ascii_keys, children, max_size=4)
    ),
    max_leaves=20,
)


@given(values)
def test_canonical_bytes_equal_rfc8785_for_ascii_keys_and_integers(value):
    assert canonical_bytes(value) == rfc8785.dumps(value)


def test_every_record_of_the_examples_and_generated_data_is_canonical():
    lines = [line for name in EXAMPLES for line in example_lines(name) if line.strip()]
    lines += list(generate(300, incidents=2))
    for number, line in enumerate(lines, 1):
        record = parse_line(line, number)
        assert canonical_bytes(record) == rfc8785.dumps(record)


def test_key_order_does_not_change_the_fingerprint():
    assert fingerprint({"a": 1, "b": [1, "x"]}) == fingerprint({"b": [1, "x"], "a": 1})


def test_nfc_makes_equal_text_hash_equally():
    composed, decomposed = "caf\u00e9", "cafe\u0301"
    assert composed != decomposed
    assert leaf_hash(nfc({"t": composed})) == leaf_hash(nfc({"t": decomposed}))


def test_leaf_hash_is_rfc6962_leaf_of_the_canonical_bytes():
    import hashlib

    value = {"seq": 1, "payload": {"x": "y"}}
    expected = hashlib.sha256(b"\x00" + rfc8785.dumps(value)).hexdigest()
    assert leaf_hash(value) == expected
