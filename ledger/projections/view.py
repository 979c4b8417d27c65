"""The read model as an eventsourcing tracking recorder on SQLAlchemy.

Rows and the tracking position are written in one transaction, so a crash
leaves the read model exactly at a tracked position: nothing projected twice,
nothing skipped. Rows are buffered and written in batches for speed.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import Tracking, TrackingRecorder
from sqlalchemy import Engine, Table, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ledger.projections.tables import READ_MODEL_TABLES, merkle_nodes, tracking


class ProjectedElsewhere(RuntimeError):
    """Another projector recorded this position first; this batch was rolled back."""


class ReadModelView(TrackingRecorder):
    """Buffered inserts into the read-model tables, committed with their tracking."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._rows: dict[Table, list[dict[str, Any]]] = defaultdict(list)
        # The connection of the batch under way, seen only by its own thread.
        self._local = threading.local()

    @property
    def _conn(self) -> Any:
        return getattr(self._local, "conn", None)

    @_conn.setter
    def _conn(self, conn: Any) -> None:
        self._local.conn = conn

    def add(self, table: Table, row: dict[str, Any]) -> None:
        """Buffer one row for the current batch."""
        self._rows[table].append(row)

    def insert_tracking(self, tracking_: Tracking) -> None:
        """Positions are claimed when a batch begins (see ``batch``)."""

    @contextmanager
    def batch(self, name: str, start: int, end: int) -> Iterator[None]:
        """One transaction: claim the move from ``start`` to ``end``, then the rows.

        The claim comes first, so a second projector racing for the same events
        waits on it and then gives up at once (``ProjectedElsewhere``) instead of
        building a batch it cannot write; the caller reads the position again.
        """
        self._rows.clear()
        try:
            with self.engine.begin() as conn:
                self._claim(conn, name, start, end)
                self._conn = conn
                yield
                for table in READ_MODEL_TABLES:
                    if self._rows.get(table):
                        conn.execute(insert(table), self._rows[table])
        except IntegrityError as error:
            if "projection_tracking" in str(error):
                raise ProjectedElsewhere(
                    "another projector took the position"
                ) from None
            raise
        finally:
            self._conn = None
            self._rows.clear()

    @staticmethod
    def _claim(conn: Any, name: str, start: int, end: int) -> None:
        moved = conn.execute(
            update(tracking)
            .where(tracking.c.application_name == name)
            .where(tracking.c.notification_id == start)
            .values(notification_id=end)
        )
        if moved.rowcount == 1:
            return
        if start == 0:
            # The first batch ever: a concurrent first batch fails on the key.
            conn.execute(
                insert(tracking).values(application_name=name, notification_id=end)
            )
            return
        raise ProjectedElsewhere(f"the read model is no longer at {start}")

    @contextmanager
    def _reading(self) -> Iterator[Any]:
        """The batch's own connection inside a batch, else a new one."""
        if self._conn is not None:
            yield self._conn
            return
        with self.engine.connect() as conn:
            yield conn

    def max_tracking_id(self, application_name: str) -> int | None:
        """The last sequence number projected for this application."""
        with self.engine.connect() as conn:
            return conn.execute(
                select(tracking.c.notification_id).where(
                    tracking.c.application_name == application_name
                )
            ).scalar()

    def merkle_frontier(self) -> tuple[int, dict[int, tuple[int, bytes]]]:
        """Leaves so far, and the last perfect node at each level of the tree.

        The tree's size gives the right edge: at level L the last complete node
        is number (size >> L) - 1, so it takes one lookup per level.
        """
        nodes = merkle_nodes.c
        with self._reading() as conn:
            last_leaf = conn.execute(
                select(func.max(nodes.idx)).where(nodes.level == 0)
            ).scalar()
            size = 0 if last_leaf is None else last_leaf + 1
            frontier = {}
            level = 0
            while size >> level:
                index = (size >> level) - 1
                digest = conn.execute(
                    select(nodes.hash).where(nodes.level == level, nodes.idx == index)
                ).scalar_one()
                frontier[level] = (index, bytes.fromhex(digest))
                level += 1
        return size, frontier

    def clear(self) -> None:
        """Empty every read-model table and forget the tracked position."""
        with self.engine.begin() as conn:
            for table in (*READ_MODEL_TABLES, tracking):
                conn.execute(delete(table))
