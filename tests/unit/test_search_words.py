"""How search reads a query and what it indexes (ledger/projections/search.py)."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from ledger.projections.search import entries, fold, words

WHEN = {"seq": 7, "recorded_at": datetime(2026, 1, 2)}


def test_a_query_is_words_folded_and_its_syntax_dropped():
    assert words('NEAR("Café" AND x*') == ["near", "cafe", "and", "x"]
    assert words("Ærø's  ÉLYSÉE_2019:*") == ["ærø", "s", "elysee", "2019"]
    assert words('"*()^-') == []


def test_each_text_of_a_record_is_an_entry_with_its_words():
    found = entries(
        "actor",
        "hafter",
        None,
        {"name": "Khalifa Haftar", "aliases": ["Hafter", "Ḥafṭar"], "kind": "person"},
        WHEN,
    )
    assert [(e["field"], e["text"], e["words"]) for e in found] == [
        ("name", "Khalifa Haftar", "khalifa haftar"),
        ("aliases.0", "Hafter", "hafter"),
        ("aliases.1", "Ḥafṭar", "haftar"),
    ]
    assert {e["seq"] for e in found} == {7}


def test_a_correction_that_removes_a_text_gives_an_empty_entry():
    found = entries("statement", "s1", "i1", {"quote": None}, WHEN)
    assert [(e["field"], e["text"], e["words"]) for e in found] == [("quote", "", "")]
    assert entries("statement", "s1", "i1", {"kind": "denial"}, WHEN) == []


@given(st.text())
def test_folding_is_the_same_with_and_without_the_ascii_shortcut(text):
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    assert fold(text) == bare.casefold()
    ascii_only = text.encode("ascii", "ignore").decode()
    decomposed = unicodedata.normalize("NFKD", ascii_only)
    assert fold(ascii_only) == decomposed.casefold()
