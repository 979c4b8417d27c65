"""Full-text search over what is recorded, with the database's own index.

The projection adds one ``search_entries`` row per searchable text of a record
(``entries``); a correction of a quote or paraphrase adds a row that supersedes
the earlier one. SQLite searches them with FTS5, PostgreSQL with a tsvector and
a GIN index (revision 0006). Both index ``words``: the text's words, folded
here (case, accents) and joined by spaces, so that both tokenizers see the
same words and both backends find the same rows.

The user's text is taken as words, never as query syntax: it is split into
letters and digits, and every word must begin a word of the text.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import func, literal_column, select

from ledger.errors import LocatedError
from ledger.projections import tables as t
from ledger.projections.queries import _utc

# Letters and digits: what both backends' tokenizers keep as words.
_WORD = re.compile(r"[^\W_]+")

# The searchable fields of each kind of record, in the order hits show them.
FIELDS = {
    "incident": ("title", "description"),
    "actor": ("name", "aliases", "description"),
    "claim": ("proposition",),
    "statement": ("quote", "paraphrase"),
}


def fold(text: str) -> str:
    """``text`` in lower case without accents: what the index holds and matches."""
    if text.isascii():  # no accents to drop, nothing to decompose
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.casefold()


def words(text: str) -> list[str]:
    """The words of a query, folded; punctuation and query syntax are dropped."""
    return _WORD.findall(fold(text))


def entries(
    kind: str,
    subject: str,
    incident: str | None,
    values: dict[str, Any],
    recorded: dict[str, Any],
) -> list[dict[str, Any]]:
    """The rows of a record's searchable ``values`` (a profile, a statement's
    data, or one corrected field); a list field gives ``aliases.0``, ``aliases.1``."""
    rows = []
    for name in FIELDS[kind]:
        if name not in values:
            continue
        value = values[name]
        texts = value if isinstance(value, list) else [value]
        for i, text in enumerate(texts):
            if not isinstance(text, str) and text is not None:
                continue
            field = f"{name}.{i}" if isinstance(value, list) else name
            rows.append(
                {
                    "seq": recorded["seq"],
                    "field": field,
                    "kind": kind,
                    "subject": subject,
                    "incident": incident,
                    # an empty text: the field was removed by a correction
                    "text": text or "",
                    "words": " ".join(words(text or "")),
                    "recorded_at": recorded["recorded_at"],
                }
            )
    return rows


# A query word is a prefix, so a longer one adds nothing but risk (PostgreSQL
# refuses words over 2047 bytes in a tsquery).
_LONGEST = 200


def _match(dialect: str, found: list[str]) -> Any:
    """The full-text condition: every word begins a word of the entry."""
    found = [w[:_LONGEST] for w in found]
    if dialect == "postgresql":
        query = " & ".join(f"{w}:*" for w in found)
        return literal_column("document").op("@@")(func.to_tsquery("simple", query))
    query = " ".join(f'"{w}"*' for w in found)
    return literal_column("search_entries").op("MATCH")(query)


def search(
    read: Any, text: str, known: Any, limit: int, field_name: str = "text"
) -> list[dict[str, Any]]:
    """Entries whose current text has every word of ``text``, in ledger order.

    An entry a later correction (known by then) superseded is not a hit.
    """
    found = words(text)
    if not found:
        raise LocatedError(
            field_name, "give at least one word to search for (letters or digits)"
        )
    e = t.search_entries.c
    dialect = read.engine.dialect.name
    stmt = select(t.search_entries).where(_match(dialect, found)).order_by(e.seq)
    hits = read._all(known.where(t.search_entries, stmt))
    latest = _latest(read, {h.subject for h in hits}, known)
    current = [h for h in hits if latest.get((h.kind, h.subject, h.field)) == h.seq]
    found = [_hit(h) for h in current if h.text][:limit]
    withdrawn = _withdrawn(
        read, {h["id"] for h in found if h["kind"] == "statement"}, known
    )
    for hit in found:
        if hit["kind"] == "statement":
            hit["withdrawn"] = hit["id"] in withdrawn
    return found


def _withdrawn(read: Any, statements: set[str], known: Any) -> set[str]:
    """Which of these statements were withdrawn, as known: a hit still shows
    a withdrawn statement's words, marked."""
    if not statements:
        return set()
    c = t.statement_changes.c
    stmt = select(c.statement).where(
        c.change == "withdrawal", c.statement.in_(sorted(statements))
    )
    return {r.statement for r in read._all(known.where(t.statement_changes, stmt))}


def _latest(read: Any, subjects: set[str], known: Any) -> dict[tuple, int]:
    """The last entry of each field of these records, as known."""
    if not subjects:
        return {}
    e = t.search_entries.c
    stmt = (
        select(e.kind, e.subject, e.field, func.max(e.seq))
        .where(e.subject.in_(sorted(subjects)))
        .group_by(e.kind, e.subject, e.field)
    )
    rows = read._all(known.where(t.search_entries, stmt))
    return {(k, s, f): seq for k, s, f, seq in rows}


def _hit(row: Any) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "id": row.subject,
        "incident": row.incident,
        "field": row.field,
        "text": row.text,
        "seq": row.seq,
        "recorded_at": _utc(row.recorded_at),
    }
