"""The console every human answer is printed on, and what makes text safe on it.

Recorded text cannot act on the terminal: :func:`shown` escapes control and
bidi characters (``\\x1b``, ``\\u202e``) and keeps newlines only in paragraph
fields; rich markup and emoji codes in recorded text are printed as written.
"""

from __future__ import annotations

import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from ledger.domain.text import visible

# Piped output is read in wider windows and files than a terminal's 80 columns.
# One-line messages are never wrapped (soft_wrap): a pipe or the terminal
# decides. Recorded text is shown verbatim: "[sic]" in a quote is not markup,
# ":warning:" is not an emoji.
console = Console(
    soft_wrap=True,
    markup=False,
    emoji=False,
    width=None if sys.stdout.isatty() else 120,
)

# Fields that hold paragraphs: their newlines (and tabs) are shown as such.
PARAGRAPH_FIELDS = frozenset({"quote", "paraphrase", "note", "description", "reason"})


def shown(value: Any, key: str | None = None) -> Any:
    """``value`` with every string made safe to print (see ledger.domain.text)."""
    if isinstance(value, str):
        return visible(value, paragraph=key in PARAGRAPH_FIELDS)
    if isinstance(value, dict):
        return {k: shown(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [shown(v, key) for v in value]
    return value


def table(*headers: str, ids: tuple[str, ...] = (), **kwargs: Any) -> Table:
    """A table whose ``ids`` columns are never cut or wrapped; prose wraps."""
    table = Table(**kwargs)
    for header in headers:
        if header in ids:
            table.add_column(header, no_wrap=True, overflow="fold")
        else:
            table.add_column(header, overflow="fold")
    return table


def indented(text: str) -> str:
    """A paragraph's later lines indented, so they cannot pass for output lines."""
    return text.replace("\n", "\n    ")
