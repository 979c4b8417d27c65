"""Lists over the read models: actors, claims, statements, and paged history.

Each takes a ``KnownAt`` whose ``seq`` is the read models' position when the
query began, so an answer made of several SELECTs reflects one moment even
while a projection commits in between.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select

from ledger.domain.dates import PartialDate, classify
from ledger.domain.profiles import shown_names
from ledger.domain.state import StatementFacts
from ledger.gcpause import paused_gc
from ledger.projections import tables as t
from ledger.projections.profiles import names_and_merges, profiles
from ledger.projections.queries import (
    KnownAt,
    ReadModel,
    _apply_change,
    _axes,
    _event_row,
    _utc,
)


def actors(read: ReadModel, known: KnownAt) -> list[dict[str, Any]]:
    """Every actor with its profile as known then, in the order registered; a
    merged actor shows the name of the actor it is one with (its ``same_as``)."""
    held = profiles(read, "actor", known)
    names = shown_names({slug: p for slug, (_, p) in held.items()})
    changed = _changed(read, "actor", known)
    return [
        {
            "id": r.slug,
            **profile,
            "display_name": names[r.slug],
            "version": 1 + len(changed.get(r.slug, ())),
            "recorded_at": _utc(r.recorded_at),
            "recorded_by": r.recorded_by,
        }
        for r, profile in held.values()
    ]


def _changed(read: ReadModel, kind: str, known: KnownAt) -> dict[str, list[int]]:
    c = t.record_changes.c
    stmt = select(c.subject, c.seq).where(c.kind == kind)
    found: dict[str, list[int]] = {}
    for subject, seq in read._all(known.where(t.record_changes, stmt)):
        found.setdefault(subject, []).append(seq)
    return found


def claims(
    read: ReadModel, incident: str | None, known: KnownAt
) -> list[dict[str, Any]]:
    """Every claim (of one incident), in the order defined."""
    changed = _changed(read, "claim", known)
    return [
        {
            "id": r.slug,
            "incident": r.incident,
            "proposition": profile["proposition"],
            "version": 1 + len(changed.get(r.slug, ())),
            "recorded_at": _utc(r.recorded_at),
            "recorded_by": r.recorded_by,
        }
        for r, profile in profiles(read, "claim", known, incident=incident).values()
    ]


def versions(read: ReadModel, known: KnownAt) -> dict[str, int]:
    """Each changed statement's aggregate version: 1, plus one per change."""
    c = t.statement_changes.c
    stmt = known.where(
        t.statement_changes, select(c.statement, func.count()).group_by(c.statement)
    )
    return {slug: 1 + count for slug, count in read._all(stmt)}


@paused_gc
def statements(
    read: ReadModel,
    known: KnownAt,
    *,
    incident: str | None = None,
    speaker: str | None = None,
    kind: str | None = None,
    claim: str | None = None,
    as_of: PartialDate | None = None,
) -> list[dict[str, Any]]:
    """Statements as the ledger held them (corrections applied), filtered.

    With ``as_of``, only those made by then, and those that may have been
    (stated in an interval that straddles it), marked ``undetermined``.
    """
    names, same = names_and_merges(read, known)
    version = versions(read, known)
    s = t.statements.c
    incident_of = dict(read._all(known.where(t.statements, select(s.slug, s.incident))))
    found = []
    for fact in read.statement_facts(incident, known):
        d = fact.data
        if speaker is not None and same.get(d["speaker"], d["speaker"]) != speaker:
            continue
        if kind is not None and d["kind"] != kind:
            continue
        if claim is not None and claim not in [c["claim"] for c in d.get("claims", [])]:
            continue
        entry = _statement(fact, names, version.get(fact.slug, 1))
        entry = {"id": fact.slug, "incident": incident_of[fact.slug], **entry}
        if as_of is not None:
            where = classify(PartialDate.parse(d["stated_at"], fact.zone), as_of)
            if where == "after":
                continue
            entry["undetermined"] = where == "undetermined"
        found.append(entry)
    return found


def statement(read: ReadModel, slug: str, known: KnownAt) -> dict[str, Any] | None:
    """One statement as the ledger held it (corrections applied), or None."""
    rows = read._all(
        known.where(
            t.statements, select(t.statements).where(t.statements.c.slug == slug)
        )
    )
    if not rows:
        return None
    fact = StatementFacts(slug, rows[0].seq, dict(rows[0].data))
    changes = read._all(
        known.where(
            t.statement_changes,
            select(t.statement_changes)
            .where(t.statement_changes.c.statement == slug)
            .order_by(t.statement_changes.c.seq),
        )
    )
    for change in changes:
        _apply_change(fact, change)
    found = _statement(fact, read.names(known), 1 + len(changes))
    return {"id": slug, "incident": rows[0].incident, **found}


def _statement(
    fact: StatementFacts, names: dict[str, str], version: int
) -> dict[str, Any]:
    return {
        "id": fact.slug,
        "seq": fact.seq,
        "version": version,
        **fact.data,
        "speaker_name": names.get(fact.data["speaker"], fact.data["speaker"]),
        "withdrawn": fact.withdrawn,
        "grades": fact.grades,
    }


def history(
    read: ReadModel,
    incident: str | None,
    as_of: PartialDate | None,
    known: KnownAt,
    *,
    recorded_by: str | None = None,
    event_type: str | None = None,
    after_seq: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """``ReadModel.history`` filtered by recorder and event type, paged by seq.

    ``event_type`` is a type (``Statement.Corrected``) or its aggregate
    (``Statement``). ``next_after_seq`` is where the next page starts, or None
    on the last page.
    """
    e = t.ledger_events.c
    stmt = select(t.ledger_events).order_by(e.seq)
    if incident is not None:
        read.incident(incident, known)
        stmt = stmt.where(e.incident == incident)
    if recorded_by is not None:
        stmt = stmt.where(e.recorded_by == recorded_by)
    if event_type is not None:
        stmt = stmt.where(
            or_(
                e.event_type == event_type,
                e.event_type.startswith(f"{event_type}.", autoescape=True),
            )
        )
    if after_seq is not None:
        stmt = stmt.where(e.seq > after_seq)
    if limit is not None and as_of is None:
        stmt = stmt.limit(limit + 1)
    events = [_event_row(r) for r in read._all(known.where(t.ledger_events, stmt))]
    if as_of is not None:
        events = read._stated_by(incident, events, as_of, known)
    following = None
    if limit is not None and len(events) > limit:
        events = events[:limit]
        following = events[-1]["seq"]
    return {
        "incident": incident,
        **_axes(as_of, known),
        "events": events,
        "next_after_seq": following,
    }
