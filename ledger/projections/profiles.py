"""Incidents, actors and claims as the read models held them at a moment.

A record's row holds the profile it was opened with; ``record_changes`` holds
its corrections. Both are read as known at the moment asked, and folded with
the pure functions of ``ledger.domain.profiles``, as audit bundles fold them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from ledger.domain.profiles import corrected, merged_into, name_keys, shown_names
from ledger.projections import tables as t

TABLES = {"incident": t.incidents, "actor": t.actors, "claim": t.claims}


def profiles(
    read: Any,
    kind: str,
    known: Any,
    *,
    slugs: list[str] | None = None,
    incident: str | None = None,
) -> dict[str, tuple[Any, dict[str, Any]]]:
    """Each record's row and its profile as known, in the order recorded;
    only ``slugs``, or only the claims of ``incident``, if given."""
    table = TABLES[kind]
    rows: Select = select(table).order_by(table.c.seq)
    c = t.record_changes.c
    changes: Select = select(t.record_changes).where(c.kind == kind).order_by(c.seq)
    if slugs is not None:
        rows = rows.where(table.c.slug.in_(slugs))
        changes = changes.where(c.subject.in_(slugs))
    if incident is not None:
        rows = rows.where(table.c.incident == incident)
        changes = changes.where(c.incident == incident)
    found = {r.slug: (r, dict(r.profile)) for r in read._all(known.where(table, rows))}
    for change in read._all(known.where(t.record_changes, changes)):
        if change.subject in found:
            row, profile = found[change.subject]
            data = change.data
            found[change.subject] = (
                row,
                corrected(profile, data["field"], data["after"]),
            )
    return found


def corrections(read: Any, kind: str, slug: str, known: Any) -> list[dict[str, Any]]:
    """A record's corrections known by then, oldest first."""
    c = t.record_changes.c
    stmt = (
        select(t.record_changes)
        .where(c.kind == kind, c.subject == slug)
        .order_by(c.seq)
    )
    return [
        {
            "seq": r.seq,
            "change_id": r.change_id,
            "recorded_at": r.recorded_at,
            "recorded_by": r.recorded_by,
            **r.data,
        }
        for r in read._all(known.where(t.record_changes, stmt))
    ]


def actor_profiles(read: Any, known: Any) -> dict[str, dict[str, Any]]:
    """Every actor's profile as known."""
    return {slug: p for slug, (_, p) in profiles(read, "actor", known).items()}


def names_and_merges(read: Any, known: Any) -> tuple[dict[str, str], dict[str, str]]:
    """Every actor's display name, and the merged actors, as known then."""
    held = actor_profiles(read, known)
    return shown_names(held), merged_into(held)


def actors_named(read: Any, ref: str, known: Any) -> list[str]:
    """Actors whose id is ``ref``, or whose name or an alias was ``ref`` then
    (case-insensitive); a merged actor is given as the one it is one with."""
    held = actor_profiles(read, known)
    if ref in held:
        return [ref]
    key = ref.casefold()
    stmt = select(t.actor_names.c.actor).where(t.actor_names.c.name_key == key)
    candidates = {r.actor for r in read._all(known.where(t.actor_names, stmt))}
    same = merged_into(held)
    return sorted(
        {same.get(s, s) for s in candidates if s in held and key in name_keys(held[s])}
    )
