"""The ledger's event-sourced application: each write is planned, then saved at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import Recording

from ledger.application.planning import Catalogue, ImportResult, Plan
from ledger.domain.model import Statement, stream_id


class LedgerApplication(Application):
    """Records incidents, actors, claims, statements and their corrections."""

    name = "Ledger"

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        catalogue: Catalogue | None = None,
        validate: Callable[[str, dict[str, Any]], dict[str, Any]] | None = None,
    ):
        super().__init__(env)
        # psycopg's pipeline mode, which the library's PostgreSQL recorder uses,
        # can deadlock on one very large insert (psycopg issue 685): measured here,
        # 10,000 events in one save always passed, 15,000 sometimes hung. On
        # PostgreSQL a large write is saved 5,000 aggregates at a time.
        postgres = type(self.factory).__module__ == "ledger.persistence_pg"
        self.save_chunk = 5_000 if postgres else 0
        self.catalogue = catalogue
        self.validate = validate

    def write(
        self,
        records: list[tuple[int | None, dict[str, Any]]],
        recorded_by: str,
        expected: dict[str, int] | None = None,
    ) -> tuple[ImportResult, list[Recording]]:
        """Record validated records in one transaction, or nothing if any is refused.

        ``expected`` maps records (``statement:ID``, ``actor:ID``...) to the
        version their changes were written against; a record at another version
        refuses the write.

        Returns what was recorded, and the recordings (events with their sequence
        numbers) so that the caller can project them without reading them back.
        """
        assert self.catalogue is not None and self.validate is not None
        plan = Plan(
            catalogue=self.catalogue,
            load=self.find,
            validate=self.validate,
            recorded_by=recorded_by,
            expected=expected,
        )
        result = plan.add_all(records)
        aggregates = list(plan.aggregates.values())
        step = self.save_chunk or len(aggregates) or 1
        recordings: list[Recording] = []
        for i in range(0, len(aggregates), step):
            recordings += self.save(*aggregates[i : i + step])
        return result, recordings

    def find(self, kind: str, slug: str) -> Any:
        """The incident, actor, claim or statement aggregate with this slug, or None."""
        try:
            return self.repository.get(stream_id(kind, slug))
        except AggregateNotFoundError:
            return None

    def find_statement(self, slug: str) -> Statement | None:
        """The statement aggregate with this slug, or None."""
        return self.find("statement", slug)

    def max_sequence(self) -> int:
        """The ledger's latest sequence number (0 when empty)."""
        return self.recorder.max_notification_id() or 0
