"""Queries over the read models: incidents, state, history, provenance.

Each takes the two time axes: ``as_of`` (what had been stated by a partial
date) and ``known_at`` (what the ledger held at an instant or sequence number).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Select, func, select

from ledger.domain.dates import (
    PartialDate,
    PartialDateError,
    classify,
    parse_instant_bound,
)
from ledger.domain.state import StatementFacts, apply_change, compute_state
from ledger.errors import NotFound
from ledger.gcpause import paused_gc
from ledger.projections import tables as t
from ledger.projections.profiles import (
    actors_named,
    corrections,
    names_and_merges,
    profiles,
)


@dataclass(frozen=True)
class KnownAt:
    """A moment of the ledger: an instant (UTC) or a sequence number."""

    instant: datetime | None = None
    seq: int | None = None
    # False when ``seq`` is only the read models' position, not a moment asked for.
    seq_asked: bool = field(default=True, compare=False)

    @classmethod
    def parse(cls, text: str | None) -> KnownAt:
        """``seq:N`` (or ``#N``) for a sequence number, else a partial date or instant.

        A partial date means its end: ``2026-11-25`` is the last instant of that day.
        """
        if not text:
            return cls()
        for prefix in ("seq:", "#"):
            number = text[len(prefix) :]
            if text.startswith(prefix) and number.isascii() and number.isdigit():
                if len(number) > 18:  # a sequence number is a 64-bit integer
                    raise PartialDateError(f"sequence number {number} is too large")
                return cls(seq=int(number))
        bound = parse_instant_bound(text)
        return cls(instant=bound.astimezone(UTC).replace(tzinfo=None))

    def where(self, table: Any, stmt: Select) -> Select:
        """Keep only rows recorded at or before this moment."""
        if self.instant is not None:
            stmt = stmt.where(table.c.recorded_at <= self.instant)
        if self.seq is not None:
            stmt = stmt.where(table.c.seq <= self.seq)
        return stmt


_ALWAYS = KnownAt()
_CHUNK = 500


class ReadModel:
    """Answers queries from the read-model tables."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def _all(self, stmt: Select) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(stmt))

    # -- the catalogue the application plans writes with --------------------------

    def fingerprints(self, kind: str, slugs: Iterable[str]) -> dict[str, str]:
        """Fingerprints of recorded incidents, actors, claims or statements."""
        table = {"incident": t.incidents, "actor": t.actors, "claim": t.claims}.get(
            kind, t.statements
        )
        return dict(self._chunked(table, table.c.fingerprint, slugs))

    def claim_incidents(self, slugs: Iterable[str]) -> dict[str, str]:
        """The incident each recorded claim belongs to."""
        return dict(self._chunked(t.claims, t.claims.c.incident, slugs))

    def _chunked(
        self, table: Any, column: Any, slugs: Iterable[str]
    ) -> list[tuple[str, Any]]:
        slugs = sorted(set(slugs))
        rows: list[tuple[str, Any]] = []
        with self.engine.connect() as conn:
            for i in range(0, len(slugs), _CHUNK):
                part = slugs[i : i + _CHUNK]
                rows += conn.execute(
                    select(table.c.slug, column).where(table.c.slug.in_(part))
                )
        return rows

    # -- lookups -------------------------------------------------------------------

    def resolve_actor(self, ref: str, known: KnownAt = _ALWAYS) -> list[str]:
        """Actor slugs matching a slug, a name or an alias (case-insensitive),
        as known then; a merged actor as the actor it is one with."""
        return actors_named(self, ref, known)

    def merged(self, known: KnownAt = _ALWAYS) -> dict[str, str]:
        """Each merged actor and the actor it is one with, as known."""
        return names_and_merges(self, known)[1]

    def names(self, known: KnownAt = _ALWAYS) -> dict[str, str]:
        """Display name of every actor, as known (a merged one: its new name)."""
        return names_and_merges(self, known)[0]

    def incidents(self, known: KnownAt = _ALWAYS) -> list[dict[str, Any]]:
        """Every incident with its number of claims and statements (by ``known``)."""
        counts = {
            table.name: dict(
                self._all(
                    known.where(
                        table,
                        select(table.c.incident, func.count()).group_by(
                            table.c.incident
                        ),
                    )
                )
            )
            for table in (t.claims, t.statements)
        }
        return [
            {
                "id": r.slug,
                **profile,
                "claims": counts["claims"].get(r.slug, 0),
                "statements": counts["statements"].get(r.slug, 0),
                "recorded_at": _utc(r.recorded_at),
                "recorded_by": r.recorded_by,
            }
            for r, profile in profiles(self, "incident", known).values()
        ]

    def incident(self, slug: str, known: KnownAt = _ALWAYS) -> dict[str, Any]:
        """One incident's profile, as recorded by ``known``."""
        found = profiles(self, "incident", known, slugs=[slug])
        if not found:
            raise NotFound(f"no incident {slug} is recorded" + _moment(known))
        return {"id": slug, **found[slug][1]}

    # -- statements as the ledger held them ----------------------------------------

    def statement_facts(
        self, incident: str | None, known: KnownAt = _ALWAYS
    ) -> list[StatementFacts]:
        """An incident's (or every) statement, with the changes known by then."""
        statements = select(
            t.statements.c.slug,
            t.statements.c.seq,
            t.statements.c.data,
            t.statements.c.incident,
        ).order_by(t.statements.c.seq)
        changes = select(t.statement_changes).order_by(t.statement_changes.c.seq)
        only = None
        if incident is not None:
            statements = statements.where(t.statements.c.incident == incident)
            changes = changes.where(t.statement_changes.c.incident == incident)
            only = [incident]
        held = profiles(self, "incident", known, slugs=only)
        zone = {slug: p.get("time_zone") for slug, (_, p) in held.items()}
        rows = self._all(known.where(t.statements, statements))
        facts = {
            r.slug: StatementFacts(
                r.slug, r.seq, dict(r.data), zone=zone.get(r.incident)
            )
            for r in rows
        }
        changes = self._all(known.where(t.statement_changes, changes))
        for change in changes:
            _apply_change(facts.get(change.statement), change)
        return list(facts.values())

    def claims_of(
        self, incident: str, known: KnownAt = _ALWAYS
    ) -> list[dict[str, Any]]:
        """The incident's claims, in the order they were defined."""
        held = profiles(self, "claim", known, incident=incident)
        return [
            {"id": slug, "proposition": p["proposition"]}
            for slug, (_, p) in held.items()
        ]

    def state(
        self, incident: str, as_of: PartialDate | None = None, known: KnownAt = _ALWAYS
    ) -> dict[str, Any]:
        """Claims, sides, statuses, demands and counts of an incident at a moment."""
        return self.states(incident, [as_of], known)[0]

    @paused_gc
    def states(
        self,
        incident: str,
        as_ofs: list[PartialDate | None],
        known: KnownAt = _ALWAYS,
    ) -> list[dict[str, Any]]:
        """The incident's state as of each date, from one reading of the ledger
        as known (a timeline of statuses reads its statements once)."""
        profile = self.incident(incident, known)
        names, same = names_and_merges(self, known)
        claims = self.claims_of(incident, known)
        facts = self.statement_facts(incident, known)
        return [
            {
                "incident": profile,
                **_axes(as_of, known),
                **compute_state(claims, facts, names, as_of, same),
            }
            for as_of in as_ofs
        ]

    @paused_gc
    def history(
        self,
        incident: str | None,
        as_of: PartialDate | None = None,
        known: KnownAt = _ALWAYS,
    ) -> dict[str, Any]:
        """Every ledger event of an incident (or the whole ledger), in ledger order."""
        stmt = select(t.ledger_events).order_by(t.ledger_events.c.seq)
        if incident is not None:
            self.incident(incident, known)
            stmt = stmt.where(t.ledger_events.c.incident == incident)
        events = [_event_row(r) for r in self._all(known.where(t.ledger_events, stmt))]
        if as_of is not None:
            events = self._stated_by(incident, events, as_of, known)
        return {"incident": incident, **_axes(as_of, known), "events": events}

    def _stated_by(self, incident, events, as_of, known) -> list[dict[str, Any]]:
        place = {
            f.slug: classify(PartialDate.parse(f.data["stated_at"], f.zone), as_of)
            for f in self.statement_facts(incident, known)
        }
        kept = []
        for event in events:
            where = place.get(event["subject"], "by")
            if where != "after":
                kept.append({**event, "undetermined": where == "undetermined"})
        return kept

    @paused_gc
    def provenance(self, slug: str, known: KnownAt = _ALWAYS) -> dict[str, Any]:
        """Where a statement came from, or every statement behind a claim."""
        claim = profiles(self, "claim", known, slugs=[slug])
        if claim:
            return self._claim_provenance(*claim[slug], known)
        return {"statement": self._statement_provenance(slug, known)}

    def _statement_provenance(
        self, slug: str, known: KnownAt, names: dict[str, str] | None = None
    ) -> dict[str, Any]:
        names = self.names(known) if names is None else names
        found = self._provenances([slug], known, names)
        if slug not in found:
            raise NotFound(f"no statement or claim {slug} is recorded" + _moment(known))
        return found[slug]

    def _provenances(
        self, slugs: list[str], known: KnownAt, names: dict[str, str]
    ) -> dict[str, dict[str, Any]]:
        """Each statement's provenance, read a chunk of statements at a time (a
        claim's page names hundreds: three queries a chunk, not three each)."""
        found: dict[str, dict[str, Any]] = {}
        s, c, e = t.statements.c, t.statement_changes.c, t.ledger_events.c
        for i in range(0, len(slugs), _CHUNK):
            part = slugs[i : i + _CHUNK]
            rows = self._all(
                known.where(t.statements, select(t.statements).where(s.slug.in_(part)))
            )
            changes: dict[str, list[Any]] = {}
            for change in self._all(
                known.where(
                    t.statement_changes,
                    select(t.statement_changes)
                    .where(c.statement.in_(part))
                    .order_by(c.seq),
                )
            ):
                changes.setdefault(change.statement, []).append(change)
            events: dict[str, list[Any]] = {}
            for event in self._all(
                known.where(
                    t.ledger_events,
                    select(t.ledger_events).where(e.subject.in_(part)).order_by(e.seq),
                )
            ):
                events.setdefault(event.subject, []).append(event)
            for row in rows:
                found[row.slug] = _provenance(
                    row, changes.get(row.slug, []), events.get(row.slug, []), names
                )
        return found

    def _claim_provenance(
        self, claim: Any, profile: dict[str, Any], known: KnownAt
    ) -> dict[str, Any]:
        state = self.state(claim.incident, None, known)
        mine = next(c for c in state["claims"] if c["id"] == claim.slug)
        names = self.names(known)
        # Every statement that names the claim, withdrawn and retracted ones too.
        slugs = [
            f.slug
            for f in self.statement_facts(claim.incident, known)
            if any(c["claim"] == claim.slug for c in f.data.get("claims") or [])
        ]
        found = self._provenances(slugs, known, names)
        return {
            "claim": {
                "id": claim.slug,
                "incident": claim.incident,
                "proposition": profile["proposition"],
                "status": mine["status"],
                "recorded_at": _utc(claim.recorded_at),
                "recorded_by": claim.recorded_by,
                "corrections": [
                    {**c, "recorded_at": _utc(c["recorded_at"])}
                    for c in corrections(self, "claim", claim.slug, known)
                ],
            },
            "statements": [found[s] for s in slugs if s in found],
        }


def _provenance(
    row: Any, changes: list[Any], events: list[Any], names: dict[str, str]
) -> dict[str, Any]:
    """One statement's provenance from its row, its changes and its events."""
    fact = StatementFacts(row.slug, row.seq, dict(row.data))
    for change in changes:
        _apply_change(fact, change)
    return {
        "id": row.slug,
        "incident": row.incident,
        **fact.data,
        "speaker_name": names.get(fact.data["speaker"], fact.data["speaker"]),
        **_named_attribution(fact.data, names),
        "chain": _chain(fact.data, names),
        "withdrawn": fact.withdrawn,
        "withdrawal": next(
            (_change_row(c) for c in changes if c.change == "withdrawal"), None
        ),
        "grades": fact.grades,
        "corrections": [_change_row(c) for c in changes if c.change == "correction"],
        "events": [_event_row(e) for e in events],
    }


def _change_row(c: Any) -> dict[str, Any]:
    return {
        "seq": c.seq,
        "recorded_at": _utc(c.recorded_at),
        "recorded_by": c.recorded_by,
        **c.data,
    }


def _utc(value: datetime) -> datetime:
    """Read models store UTC without an offset; answers carry it."""
    return value.replace(tzinfo=UTC)


def _apply_change(fact: StatementFacts | None, row: Any) -> None:
    if fact is not None:
        apply_change(
            fact,
            {
                "change": row.change,
                "seq": row.seq,
                "data": row.data,
                "recorded_at": _utc(row.recorded_at),
                "recorded_by": row.recorded_by,
            },
        )


def _named_attribution(data: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    if not data.get("attribution"):
        return {}
    held = [names.get(a, a) for a in data["attribution"]["actors"]]
    return {"attribution": {**data["attribution"], "actor_names": held}}


def _chain(data: dict[str, Any], names: dict[str, str]) -> list[dict[str, Any]]:
    hops = [
        {
            "agent": data["speaker"],
            "agent_name": names.get(data["speaker"], data["speaker"]),
            "relation": "said",
        }
    ]
    for hop in data.get("provenance") or []:
        entry = {**hop, "agent_name": names.get(hop["agent"], hop["agent"])}
        document = hop.get("document")
        if document and document.get("outlet"):
            entry["document"] = {
                **document,
                "outlet_name": names.get(document["outlet"], document["outlet"]),
            }
        hops.append(entry)
    return hops


def _event_row(r: Any) -> dict[str, Any]:
    return {
        "seq": r.seq,
        "recorded_at": _utc(r.recorded_at),
        "recorded_by": r.recorded_by,
        "type": r.event_type,
        "subject": r.subject,
        "incident": r.incident,
        "summary": r.summary,
        "detail": r.detail,
        "hash": r.leaf_hash,
    }


def _axes(as_of: PartialDate | None, known: KnownAt) -> dict[str, Any]:
    return {
        "as_of": as_of.text if as_of else None,
        "known_at": known.instant.isoformat() + "Z" if known.instant else None,
        "known_at_seq": known.seq,
    }


def _moment(known: KnownAt) -> str:
    if known.instant is not None:
        return f" at {known.instant.isoformat()}Z"
    if known.seq is not None and known.seq_asked:
        return f" at sequence {known.seq}"
    return ""
