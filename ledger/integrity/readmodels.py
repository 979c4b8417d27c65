"""Are the read models exactly what the events give? Row by row, in one pass.

``verify`` feeds every stored event it decodes to ``ReadModelCheck``, which runs
the projection's own code on it (``LedgerProjection`` over a view that keeps the
rows in memory instead of inserting them) and compares the rows it gives with the
rows the database holds, read in one snapshot and in ledger order. Memory stays
bounded: the tables keyed by sequence number are read as streams, sorted by
``seq``, and compared event by event; the Merkle nodes are compared with the tree
``verify`` builds anyway.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from eventsourcing.persistence import Tracking
from sqlalchemy import JSON, Table, Text, cast, select

from ledger.integrity import merkle
from ledger.projections import tables as t
from ledger.projections.projection import LedgerProjection

STREAM_CHUNK = 2_000

# Tables whose rows each come from one event, named by their ``seq`` column.
SEQ_TABLES: tuple[Table, ...] = (
    t.incidents,
    t.actors,
    t.claims,
    t.statements,
    t.statement_changes,
    t.record_changes,
    t.actor_names,
    t.ledger_events,
    t.accounts,
    t.account_changes,
    t.account_tokens,
    t.search_entries,
)


def _key_columns(table: Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


def _json_columns(table: Table) -> frozenset[str]:
    return frozenset(c.name for c in table.columns if isinstance(c.type, JSON))


_JSON = {table.name: _json_columns(table) for table in t.READ_MODEL_TABLES}
_COLUMNS = {
    table.name: tuple((c.name, c.name in _JSON[table.name]) for c in table.columns)
    for table in t.READ_MODEL_TABLES
}


def _as_stored(table: Table, row: dict[str, Any], dumps: Any) -> dict[str, Any]:
    """A projected row as the database stores it: JSON columns as their text."""
    return {
        name: dumps(row.get(name)) if is_json else row.get(name)
        for name, is_json in _COLUMNS[table.name]
    }


def _query(table: Table) -> Any:
    """Every column, JSON ones as the text stored (so that any change shows)."""
    columns = [
        cast(c, Text).label(c.name) if c.name in _JSON[table.name] else c
        for c in table.columns
    ]
    return select(*columns)


def _difference(where: str, want: Any, have: Any) -> tuple[str, Any, Any]:
    """Where two values first differ, down into JSON objects and arrays."""
    if isinstance(want, dict) and isinstance(have, dict):
        for key in sorted(want.keys() | have.keys()):
            if key not in have or key not in want:
                return where, want, have
            if _text(want[key]) != _text(have[key]):
                return _difference(f"{where}.{key}", want[key], have[key])
    if isinstance(want, list) and isinstance(have, list) and len(want) == len(have):
        for i, (a, b) in enumerate(zip(want, have, strict=True)):
            if _text(a) != _text(b):
                return _difference(f"{where}[{i}]", a, b)
    return where, want, have


def _loads(text: str | None) -> Any:
    """Stored JSON text, decoded if it is JSON at all."""
    try:
        return json.loads(text) if text is not None else None
    except ValueError:
        return text


def _text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _shown(value: Any, width: int = 120) -> str:
    if isinstance(value, datetime):
        text = value.isoformat()
    elif isinstance(value, dict | list):
        text = _text(value)
    else:
        text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def _key_text(table: Table, row: dict[str, Any]) -> str:
    return ", ".join(f"{k}={row.get(k)}" for k in _key_columns(table))


class _Rows:
    """What the projection would insert, kept in memory for one event at a time."""

    def __init__(self) -> None:
        self.rows: dict[Table, list[dict[str, Any]]] = {}

    def add(self, table: Table, row: dict[str, Any]) -> None:
        if table is t.merkle_nodes:
            return  # compared with verify's own tree, level by level
        self.rows.setdefault(table, []).append(row)

    def insert_tracking(self, tracking: Tracking) -> None:
        pass

    def merkle_frontier(self) -> tuple[int, dict[int, tuple[int, bytes]]]:
        return 0, {}

    def take(self) -> dict[Table, list[dict[str, Any]]]:
        rows, self.rows = self.rows, {}
        return rows


class _Stream:
    """The rows of one table, in ``seq`` order, taken one event's group at a time."""

    def __init__(self, conn: Any, table: Table):
        self.table = table
        query = _query(table).order_by(table.c.seq)
        self._rows = iter(conn.execute(query.execution_options(yield_per=STREAM_CHUNK)))
        self._next: Any = None
        self._advance()

    def _advance(self) -> None:
        row = next(self._rows, None)
        self._next = None if row is None else dict(row._mapping)

    @property
    def next_seq(self) -> int | None:
        """The sequence number of the next row, if any is left."""
        return None if self._next is None else self._next["seq"]

    def before(self, seq: int | None) -> Iterator[dict[str, Any]]:
        """Rows numbered below ``seq`` (all that remain, if None), consumed."""
        while self._next is not None and (seq is None or self._next["seq"] < seq):
            yield self._next
            self._advance()

    def at(self, seq: int) -> list[dict[str, Any]]:
        """The rows numbered ``seq``, consumed."""
        found = []
        while self._next is not None and self._next["seq"] == seq:
            found.append(self._next)
            self._advance()
        return found


class ReadModelCheck:
    """Compares every read-model row with the projection of the stored events.

    Open it before reading the events: it reads the read models in one snapshot
    (their tracked position included) and covers the events up to that position;
    events stored later are not in the read models yet. ``finding`` is the first
    difference, or None.
    """

    def __init__(self, ledger: Any):
        self.name = ledger.app.name
        self.finding: tuple[str, int | None] | None = None
        self.fed = 0
        self.last_fed = 0
        self._rows = _Rows()
        self.projection = LedgerProjection(self._rows)  # type: ignore[arg-type]
        self.projection.resume()
        self._conn = ledger.engine.connect()
        # The text each JSON column holds is what this serialiser wrote.
        self._dumps = ledger.engine.dialect._json_serializer or json.dumps
        if ledger.engine.dialect.name == "postgresql":
            self._conn = self._conn.execution_options(isolation_level="REPEATABLE READ")
        self._conn.begin()
        tracked = self._conn.execute(select(t.tracking)).all()
        self.tracked = {r.application_name: r.notification_id for r in tracked}
        self.position = self.tracked.get(self.name, 0)
        self._streams = [_Stream(self._conn, table) for table in SEQ_TABLES]

    def close(self) -> None:
        """Give the snapshot back."""
        self._conn.close()

    def _found(self, message: str, seq: int | None) -> None:
        if self.finding is None:
            self.finding = (f"read model {message}", seq)

    def feed(self, event: Any, seq: int) -> bytes | None:
        """Project one stored event in memory and compare its rows.

        Returns the event's leaf hash as the projection computed it (None if
        the event is beyond the read models' position).
        """
        if seq > self.position:
            return None
        self.projection.process_event(event, Tracking(self.name, seq))
        self.fed += 1
        self.last_fed = seq
        expected = self._rows.take()
        if self.finding is None:
            for stream in self._streams:
                rows = expected.get(stream.table)
                following = stream.next_seq
                if rows is None and (following is None or following > seq):
                    continue
                self._extra(stream, stream.before(seq))
                self._compare(stream.table, seq, rows or [], stream.at(seq))
                if self.finding is not None:
                    break
        return bytes.fromhex(expected[t.ledger_events][0]["leaf_hash"])

    def _extra(self, stream: _Stream, rows: Iterator[dict[str, Any]]) -> None:
        for row in rows:
            key = _key_text(stream.table, row)
            self._found(
                f"{stream.table.name}: row {key} (seq {row['seq']}) "
                "is extra: no stored event gives it",
                row["seq"],
            )
            return

    def _compare(
        self,
        table: Table,
        seq: int,
        expected: list[dict[str, Any]],
        found: list[dict[str, Any]],
    ) -> None:
        if not expected and not found:
            return
        keys = _key_columns(table)
        want = {tuple(r[k] for k in keys): r for r in expected}
        have = {tuple(r[k] for k in keys): r for r in found}
        for key in sorted(want.keys() | have.keys(), key=repr):
            shown = ", ".join(f"{k}={v}" for k, v in zip(keys, key, strict=True))
            if key not in have:
                self._found(
                    f"{table.name}: row {shown} is missing (event {seq} gives it)", seq
                )
                return
            if key not in want:
                self._found(
                    f"{table.name}: row {shown} (seq {seq}) is extra: "
                    f"event {seq} does not give it",
                    seq,
                )
                return
            wanted = _as_stored(table, want[key], self._dumps)
            if wanted != have[key]:
                self._differs(table, shown, seq, wanted, have[key])
                return

    def _differs(
        self,
        table: Table,
        shown: str,
        seq: int,
        wanted: dict[str, Any],
        held: dict[str, Any],
    ) -> None:
        for column, value in wanted.items():
            other = held[column]
            if other == value and type(other) is type(value):
                continue
            where = column
            if column in _JSON[table.name]:
                where, value, other = _difference(column, *map(_loads, (value, other)))
            self._found(
                f"{table.name}: row {shown}, column {where}: event {seq} "
                f"gives {_shown(value)}, the database holds {_shown(other)}",
                seq,
            )
            return

    def finish(self, tree: merkle.MemoryTree) -> tuple[str, int | None] | None:
        """Check what is left: extra rows, the tree, tracking."""
        try:
            if self.finding is None:
                for stream in self._streams:
                    self._extra(stream, stream.before(None))
            if self.finding is None:
                self._compare_tree(tree)
            if self.finding is None:
                self._compare_tracking()
        finally:
            self.close()
        return self.finding

    def _compare_tree(self, tree: merkle.MemoryTree) -> None:
        """The stored perfect subtrees against the recomputed tree's first leaves."""
        size = self.fed
        nodes = t.merkle_nodes.c
        query = select(nodes.level, nodes.idx, nodes.hash).order_by(
            nodes.level, nodes.idx
        )
        found = iter(
            self._conn.execute(query.execution_options(yield_per=STREAM_CHUNK))
        )
        row = next(found, None)
        for level, idx in _perfect_nodes(size):
            while row is not None and (row.level, row.idx) < (level, idx):
                self._found(
                    f"merkle_nodes: node level={row.level}, idx={row.idx} is extra: "
                    f"the first {size} events give no such node",
                    None,
                )
                return
            digest = tree.lookup(level, idx).hex()
            if row is None or (row.level, row.idx) != (level, idx):
                self._found(
                    f"merkle_nodes: node level={level}, idx={idx} is missing", None
                )
                return
            if row.hash != digest:
                self._found(
                    f"merkle_nodes: node level={level}, idx={idx}: the events give "
                    f"{digest}, the database holds {row.hash}",
                    None,
                )
                return
            row = next(found, None)
        if row is not None:
            self._found(
                f"merkle_nodes: node level={row.level}, idx={row.idx} is extra: "
                f"the first {size} events give no such node",
                None,
            )

    def _compare_tracking(self) -> None:
        for name in sorted(self.tracked):
            if name != self.name:
                self._found(
                    f"projection_tracking: row application_name={name} is extra", None
                )
                return
        if self.position and self.position != self.last_fed:
            self._found(
                f"projection_tracking: the read models claim every event up to "
                f"{self.position}, but the last stored event up to there is "
                f"{self.last_fed}",
                None,
            )


def _perfect_nodes(size: int) -> Iterator[tuple[int, int]]:
    """(level, idx) of every perfect subtree of a tree of ``size`` leaves, sorted."""
    level = 0
    while size >> level:
        for idx in range(size >> level):
            yield level, idx
        level += 1
