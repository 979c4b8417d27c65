"""The service's queries: they answer from the read models and never write.

See ledger/application/service.py for the rule on reads and positions.
"""

from __future__ import annotations

from typing import Any

from ledger.bootstrap import Ledger
from ledger.domain.dates import PartialDate, PartialDateError
from ledger.errors import LocatedError, NotFound
from ledger.projections import listing
from ledger.projections.queries import KnownAt, ReadModel
from ledger.projections.search import search, words
from ledger.schemas.lines import InputError


class Reads:
    """Queries over one ledger's read models."""

    ledger: Ledger
    read: ReadModel

    # -- actors ---------------------------------------------------------------------

    def resolve_actor(
        self, ref: str, field_name: str = "actor", known: KnownAt | None = None
    ) -> str:
        """The id of the one actor with this id, name or alias (as known then)."""
        found = self.read.resolve_actor(ref, known or KnownAt())
        if len(found) == 1:
            return found[0]
        if not found:
            raise InputError(
                field_name, f"no actor {ref!r} is recorded (by id, name or alias)"
            )
        raise InputError(
            field_name, f"{ref!r} names several actors: {', '.join(found)}; use an id"
        )

    # -- reads ----------------------------------------------------------------------

    def position(self) -> int:
        """The last sequence number the read models reflect (0: nothing yet)."""
        return self.ledger.view.max_tracking_id(self.ledger.app.name) or 0

    def behind(self) -> int:
        """How many stored events the read models have not projected yet."""
        return self.ledger.pending()

    def catch_up(self) -> int:
        """Project what is pending (a write); for the operator's command line."""
        return self.ledger.project() if self.behind() else 0

    def known(self, known_at: str | KnownAt | None = None) -> KnownAt:
        """The moment a query answers at: as asked, at most the read models'
        position when it began (so its SELECTs agree with each other)."""
        if isinstance(known_at, KnownAt):
            asked = known_at
        else:
            try:
                asked = KnownAt.parse(known_at)
            except PartialDateError as error:
                raise LocatedError("known_at", str(error)) from None
        position = self.position()
        seq = position if asked.seq is None else min(asked.seq, position)
        return KnownAt(instant=asked.instant, seq=seq, seq_asked=asked.seq is not None)

    @staticmethod
    def as_of(as_of: str | PartialDate | None) -> PartialDate | None:
        """A partial date ("2019-12"), parsed; None for none."""
        if as_of is None or isinstance(as_of, PartialDate):
            return as_of
        try:
            return PartialDate.parse(as_of)
        except PartialDateError as error:
            raise LocatedError("as_of", str(error)) from None

    def state(
        self, incident: str, as_of: str | None = None, known_at: str | None = None
    ) -> dict[str, Any]:
        """Claims, sides, statuses, demands and counts of an incident."""
        return self.read.state(incident, self.as_of(as_of), self.known(known_at))

    def states(
        self, incident: str, as_ofs: list[str | None], known_at: str | None = None
    ) -> list[dict[str, Any]]:
        """The incident's state as of each date, all as known at one moment."""
        dates = [self.as_of(as_of) for as_of in as_ofs]
        return self.read.states(incident, dates, self.known(known_at))

    def history(
        self,
        incident: str | None = None,
        as_of: str | None = None,
        known_at: str | None = None,
        *,
        recorded_by: str | None = None,
        event_type: str | None = None,
        after_seq: int | None = None,
        limit: int | None = None,
    ) -> dict[str, Any]:
        """Ledger events in ledger order, filtered, a page at a time."""
        return listing.history(
            self.read,
            incident,
            self.as_of(as_of),
            self.known(known_at),
            recorded_by=recorded_by,
            event_type=event_type,
            after_seq=after_seq,
            limit=limit,
        )

    def provenance(self, slug: str, known_at: str | None = None) -> dict[str, Any]:
        """Where a statement came from, or every statement behind a claim."""
        known = self.known(known_at)
        found = self.read.provenance(slug, known)
        versions = listing.versions(self.read, known)
        for entry in [found.get("statement"), *found.get("statements", [])]:
            if entry is not None:
                entry["version"] = versions.get(entry["id"], 1)
        return {**found, "known_at_seq": known.seq}

    def statement(
        self, slug: str, known_at: str | KnownAt | None = None
    ) -> dict[str, Any]:
        """One statement as the ledger holds it, with its version."""
        found = listing.statement(self.read, slug, self.known(known_at))
        if found is None:
            raise NotFound(f"no statement {slug} is recorded")
        return found

    def incidents(self, known_at: str | KnownAt | None = None) -> list[dict[str, Any]]:
        """Every incident with its number of claims and statements."""
        return self.read.incidents(self.known(known_at))

    def actors(self, known_at: str | KnownAt | None = None) -> list[dict[str, Any]]:
        """Every actor, in the order registered."""
        return listing.actors(self.read, self.known(known_at))

    def claims(
        self, incident: str | None = None, known_at: str | KnownAt | None = None
    ) -> list[dict[str, Any]]:
        """Every claim, or an incident's (which must be recorded)."""
        known = self.known(known_at)
        if incident is not None:
            self.read.incident(incident, known)
        return listing.claims(self.read, incident, known)

    def statements(
        self,
        *,
        incident: str | None = None,
        speaker: str | None = None,
        kind: str | None = None,
        claim: str | None = None,
        as_of: str | PartialDate | None = None,
        known_at: str | KnownAt | None = None,
    ) -> list[dict[str, Any]]:
        """Statements (corrections applied), filtered; a speaker by id or name.

        With ``as_of``, those made by then and those undetermined (marked).
        """
        known = self.known(known_at)
        if incident is not None:
            self.read.incident(incident, known)
        if speaker is not None:
            speaker = self.resolve_actor(speaker, "speaker", known)
        return listing.statements(
            self.read,
            known,
            incident=incident,
            speaker=speaker,
            kind=kind,
            claim=claim,
            as_of=self.as_of(as_of),
        )

    def search(
        self,
        text: str,
        known_at: str | KnownAt | None = None,
        limit: int = 50,
        field_name: str = "text",
    ) -> dict[str, Any]:
        """Statements, claims, incidents and actors whose text has every word of
        ``text`` (quotes, paraphrases, propositions, titles, names, aliases)."""
        known = self.known(known_at)
        hits = search(self.read, text, known, limit, field_name)
        return {
            "query": text,
            "words": words(text),
            "hits": hits,
            "known_at_seq": known.seq,
        }
