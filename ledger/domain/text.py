"""Characters that act on a terminal rather than print, and how to show them.

Recorded text reaches people's terminals. Control characters (C0, DEL, C1)
can clear the screen, set the window title or open hyperlinks; bidirectional
overrides, embeddings, isolates and marks reorder what is shown; line and
paragraph separators can fake whole lines. Single-line fields refuse
controls and line breaks at input (see ``ledger.schemas.inputs.Line``);
anything shown to people goes through :func:`visible`, which escapes them.
"""

from __future__ import annotations

import re

# C0 controls, DEL and C1 controls.
CONTROLS = "\x00-\x1f\x7f-\x9f"
# Bidirectional embeddings, overrides, isolates and marks; line/paragraph separators.
INVISIBLE = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"

_UNSAFE = re.compile(f"[{CONTROLS}{INVISIBLE}]")
# In paragraph fields, newlines (and tabs) are text: they are kept.
_UNSAFE_IN_PARAGRAPH = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{INVISIBLE}]")
# What a single-line field refuses: controls and line breaks.
_NOT_ONE_LINE = re.compile(f"[{CONTROLS}\u2028\u2029]")

_NAMES = {"\n": "a line break", "\r": "a carriage return", "\t": "a tab"}


def escaped(char: str) -> str:
    """One character as a visible escape: ``\\x1b``, ``\\u202e``."""
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, paragraph: bool = False) -> str:
    """``text`` with controls and bidi characters escaped, so a terminal shows them.

    With ``paragraph``, newlines and tabs are kept. Backslashes are not doubled:
    ``--json`` gives the exact text when that matters.
    """
    pattern = _UNSAFE_IN_PARAGRAPH if paragraph else _UNSAFE
    return pattern.sub(lambda m: escaped(m.group()), text)


def one_line_problem(text: str) -> str | None:
    """Why ``text`` cannot be a single-line value, or None if it can."""
    found = _NOT_ONE_LINE.search(text)
    if found is None:
        return None
    char = found.group()
    what = _NAMES.get(char) or f"the control character {escaped(char)}"
    if char in "\u2028\u2029":
        what = f"a line separator ({escaped(char)})"
    return (
        f"must be a single line without control characters; found {what} "
        f"at character {found.start() + 1}"
    )


def json_safe(text: str) -> str:
    """JSON text with DEL and C1 controls escaped too (JSON escapes only C0).

    In JSON text these characters can only stand inside strings, where
    ``\\u0080`` means the same: the value loads back exactly.
    """
    return re.sub("[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", text)


def a_or_an(word: str) -> str:
    """``an incident``, ``a claim``."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"
