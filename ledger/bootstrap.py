"""Wiring: a database URL gives the event store, the read models and the projection."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from eventsourcing.persistence import (
    IntegrityError,
    Notification,
    Recording,
    Tracking,
)
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import DBAPIError

from ledger.application.app import LedgerApplication
from ledger.application.planning import ImportResult
from ledger.errors import Unavailable
from ledger.persistence import backend, event_store_env, make_engine, sqlite_path
from ledger.projections.projection import LedgerProjection
from ledger.projections.queries import ReadModel
from ledger.projections.view import ProjectedElsewhere, ReadModelView
from ledger.resources import alembic_ini, migrations
from ledger.schemas.validation import validate_body

# The newest revision in migrations/versions: the schema every command expects.
# Checking it is one query, without loading Alembic (tests/unit/test_schema_head.py
# checks that it is Alembic's head).
SCHEMA_HEAD = "0007"
WRITE_ATTEMPTS = 5
PROJECT_BATCH = 2000
# A role that may not write the read models waits this long for the projector.
PROJECTOR_WAIT_S = float(os.environ.get("LEDGER_PROJECTOR_WAIT_S", "10"))


class CannotProject(RuntimeError):
    """This role may not write the read models: a projector role does that."""


def _denied(error: DBAPIError) -> bool:
    """PostgreSQL refused for lack of a privilege (SQLSTATE 42501)."""
    return getattr(error.orig, "sqlstate", None) == "42501"


class NotInitialised(Unavailable):
    """The database has no ledger, or an older one: run `ledger init`."""


def alembic_config(url: str) -> Any:
    """Alembic's configuration for this ledger's database.

    The configuration and the migrations are the ones the package ships (see
    ledger.resources), so an installed ledger needs no source tree.
    """
    from alembic.config import Config

    config = Config(str(alembic_ini()))
    config.set_main_option("script_location", str(migrations()))
    # ConfigParser interpolation would read a password's "%" as syntax.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def init(url: str) -> tuple[str | None, str]:
    """Create or upgrade the ledger's tables (Alembic upgrade head); safe to repeat."""
    from alembic import command

    config = alembic_config(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            before = current_revision(conn)
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            conn.commit()
            after = current_revision(conn)
    finally:
        engine.dispose()
    return before, after or ""


def current_revision(conn: Connection) -> str | None:
    """The schema revision Alembic recorded in the database (None: no ledger)."""
    if not inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


class Ledger:
    """The ledger on one database: write, project, query."""

    def __init__(self, url: str):
        self.url = url
        if backend(url) == "sqlite" and not Path(sqlite_path(url)).exists():
            raise NotInitialised(
                f"there is no ledger at {url}; run `ledger init` first"
            )
        self.engine = make_engine(url)
        self._check_initialised()
        self.read = ReadModel(self.engine)
        self.view = ReadModelView(self.engine)
        self.app = LedgerApplication(
            event_store_env(url),
            catalogue=self.read,
            validate=validate_body,
        )
        self.projection = LedgerProjection(self.view)
        self._projecting = threading.Lock()

    def _check_initialised(self) -> None:
        with self.engine.connect() as conn:
            current = current_revision(conn)
        if current != SCHEMA_HEAD:
            self.engine.dispose()
            state = "has no ledger" if current is None else f"is at revision {current}"
            raise NotInitialised(
                f"the database at {self.url} {state}; run `ledger init` first"
            )

    def write(
        self,
        records: list[tuple[int | None, dict[str, Any]]],
        recorded_by: str,
        progress: Callable[[int], None] | None = None,
        expected: dict[str, int] | None = None,
    ) -> ImportResult:
        """Record all of ``records`` in one transaction, or none; then project them.

        A conflict with a concurrent writer is retried against the newer ledger
        (where an ``expected`` statement version may then refuse it).
        """
        for attempt in range(WRITE_ATTEMPTS):
            self.project()
            try:
                result, recordings = self.app.write(records, recorded_by, expected)
            except IntegrityError:
                if attempt == WRITE_ATTEMPTS - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
                continue
            self.project_recordings(recordings, progress)
            self.project(progress)
            return result
        raise AssertionError("unreachable")

    def project(
        self,
        progress: Callable[[int], None] | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> int:
        """Bring the read models up to the latest event; returns events projected.

        ``stop`` is asked between batches: a worker told to stop does not wait
        for a whole backlog.
        """
        done = 0
        while not (stop and stop()):
            start = self.view.max_tracking_id(self.app.name) or 0
            notifications = self.app.recorder.select_notifications(
                start=start, limit=PROJECT_BATCH, inclusive_of_start=False
            )
            if not notifications:
                return done
            to_event = self.app.mapper.to_domain_event
            events = ((to_event(n), n.id) for n in notifications)
            try:
                if not self._project_batch(start, notifications[-1].id, events):
                    continue
            except CannotProject:
                self._await_projector()
                return done
            done += len(notifications)
            if progress:
                progress(len(notifications))
        return done

    def project_recordings(
        self, recordings: list[Recording], progress: Callable[[int], None] | None
    ) -> None:
        """Project events just saved, without reading them back, if they come next.

        Only when the read model stands exactly before the first of them and
        they are consecutive; otherwise `project` reads the store as usual.
        """
        ids = [r.notification.id for r in recordings]
        start = self.view.max_tracking_id(self.app.name) or 0
        if not ids or ids[0] != start + 1 or ids[-1] - ids[0] != len(ids) - 1:
            return
        for i in range(0, len(recordings), PROJECT_BATCH):
            batch = recordings[i : i + PROJECT_BATCH]
            events = ((r.domain_event, r.notification.id) for r in batch)
            try:
                if not self._project_batch(start, batch[-1].notification.id, events):
                    return
            except CannotProject:
                return
            start = batch[-1].notification.id
            if progress:
                progress(len(batch))

    def _project_batch(
        self, start: int, end: int, events: Iterable[tuple[Any, int]]
    ) -> bool:
        """Project the events after ``start`` up to ``end`` at once; False if raced.

        The projection and its view hold a batch's rows: one thread of this
        process builds a batch at a time (other processes race on the claim).
        """
        try:
            with self._projecting, self.view.batch(self.app.name, start, end):
                self.projection.resume()
                for event, position in events:
                    tracking = Tracking(self.app.name, position)
                    self.projection.process_event(event, tracking)
        except ProjectedElsewhere:
            return False
        except DBAPIError as error:
            if _denied(error):
                raise CannotProject(str(error.orig).splitlines()[0]) from None
            raise
        return True

    def _await_projector(self) -> None:
        """Wait (a while) for the projector to take in every stored event.

        With separate roles the read models are the projector's: a recorder's
        command then reads them once the projector has caught up, or as they
        stand after ``PROJECTOR_WAIT_S`` seconds.
        """
        deadline = time.monotonic() + PROJECTOR_WAIT_S
        while self.pending() > 0 and time.monotonic() < deadline:
            time.sleep(0.05)

    def stored(
        self, after: int = 0, until: int | None = None, chunk: int = PROJECT_BATCH
    ) -> Iterator[Notification]:
        """Stored events after ``after`` (up to ``until``), in ledger order."""
        while True:
            batch = self.app.recorder.select_notifications(
                start=after, stop=until, limit=chunk, inclusive_of_start=False
            )
            yield from batch
            if len(batch) < chunk:
                return
            after = batch[-1].id

    def pending(self) -> int:
        """How many stored events the read models have not projected yet."""
        return self.app.max_sequence() - (self.view.max_tracking_id(self.app.name) or 0)

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Empty the read models and project every stored event again."""
        self.view.clear()
        return self.project(progress)

    def close(self) -> None:
        """Release the database connections."""
        self.app.close()
        self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
