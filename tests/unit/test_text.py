"""Which characters are escaped for people, and refused in single-line fields."""

from __future__ import annotations

import json

import pytest

from ledger.domain.text import json_safe, one_line_problem, visible


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[2J", r"\x1b[2J"),
        ("a\x07b\x00", r"a\x07b\x00"),
        ("\x7f\x80\x9b\x9f", r"\x7f\x80\x9b\x9f"),
        ("\u202a\u202b\u202c\u202d\u202e", r"\u202a\u202b\u202c\u202d\u202e"),
        ("\u2066\u2067\u2068\u2069", r"\u2066\u2067\u2068\u2069"),
        ("\u200e\u200f\u061c", r"\u200e\u200f\u061c"),
        ("a\nb\tc\rd", r"a\x0ab\x09c\x0dd"),
        ("x\u2028y\u2029", r"x\u2028y\u2029"),
        ("plain café, Ελλάδα, العربية [bold]", "plain café, Ελλάδα, العربية [bold]"),
    ],
)
def test_visible_escapes_controls_and_bidi(text: str, shown: str) -> None:
    assert visible(text) == shown


def test_paragraphs_keep_newlines_and_tabs_only() -> None:
    assert visible("a\nb\tc\r\x1b", paragraph=True) == "a\nb\tc\\x0d\\x1b"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("a\nb", "a line break at character 2"),
        ("\tx", "a tab at character 1"),
        ("ab\x1b[2J", r"the control character \x1b at character 3"),
        ("\x9b", r"the control character \x9b at character 1"),
        ("a\u2028", r"a line separator (\u2028) at character 2"),
    ],
)
def test_one_line_problem_names_the_character(text: str, found: str) -> None:
    problem = one_line_problem(text)
    assert problem is not None
    assert problem.endswith(f"found {found}")


def test_one_line_allows_any_printable_text_and_bidi() -> None:
    assert one_line_problem("Tripoli \u202eإطلاق\u202c [x] :y:") is None


def test_json_safe_escapes_c1_and_round_trips() -> None:
    value = {"t": "\x1b\x7f\x85\x9b\u202e\n"}
    text = json_safe(json.dumps(value, ensure_ascii=False))
    assert "\x7f" not in text and "\x85" not in text and "\x9b" not in text
    assert "\u202e" in text
    assert json.loads(text) == value
