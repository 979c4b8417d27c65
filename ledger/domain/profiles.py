"""Incidents, actors and claims as the ledger knew them at a moment.

Pure: given the profile a record was opened with and its corrections (in
ledger order, up to the moment), these give the profile, the name an actor is
shown by, and which actor records were merged into which (``same_as``). The
read models, audit bundles and exports all fold profiles with these, so an
auditor's recomputation and the ledger's own answer cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Actor fields whose value is a name the actor is looked up by.
NAME_FIELDS = ("name", "aliases")


def corrected(profile: Mapping[str, Any], field: str, value: Any) -> dict[str, Any]:
    """The profile with one field corrected; ``None`` removes the field."""
    changed = dict(profile)
    if value is None:
        changed.pop(field, None)
    else:
        changed[field] = value
    return changed


def display_name(profile: Mapping[str, Any]) -> str:
    """How an actor is shown: its name, or 'anonymous: description'."""
    if profile.get("name"):
        return profile["name"]
    return f"anonymous: {profile.get('description', '')}"


def name_keys(profile: Mapping[str, Any]) -> list[str]:
    """The case-folded names and aliases an actor is found by."""
    names = [profile.get("name"), *(profile.get("aliases") or [])]
    return sorted({n.casefold() for n in names if n})


def merged_into(profiles: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Each merged actor and the actor it is one with, chains followed
    (``a same_as b``, ``b same_as c``: ``a`` and ``b`` are ``c``).

    The ledger refuses cycles; should one be met anyway, its chain stops at the
    first actor seen twice rather than looping.
    """
    found: dict[str, str] = {}
    for slug, profile in profiles.items():
        target, seen = profile.get("same_as"), {slug}
        if not target:
            continue
        while target in profiles and profiles[target].get("same_as"):
            nxt = profiles[target]["same_as"]
            if target in seen or nxt in seen:
                break
            seen.add(target)
            target = nxt
        found[slug] = target
    return found


def shown_names(profiles: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Every actor's display name; a merged actor shows the one it is one with."""
    same = merged_into(profiles)
    return {
        slug: display_name(profiles.get(same.get(slug, slug), profile))
        for slug, profile in profiles.items()
    }


def as_one(data: dict[str, Any], same: Mapping[str, str]) -> dict[str, Any]:
    """A statement's data with merged actors given as the actor they are one with
    (speaker, attributed actors, a demand's addressee)."""
    if not same:
        return data
    data = dict(data)
    data["speaker"] = same.get(data["speaker"], data["speaker"])
    if data.get("attribution"):
        actors = [same.get(a, a) for a in data["attribution"]["actors"]]
        data["attribution"] = {**data["attribution"], "actors": actors}
    if data.get("demand"):
        addressee = data["demand"]["addressee"]
        data["demand"] = {**data["demand"], "addressee": same.get(addressee, addressee)}
    return data
