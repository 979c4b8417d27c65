"""Which statements stand retracted: retractions, retractions of them, and so on.

Pure, on the facts of the statements that stand at a moment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ledger.domain.state import StatementFacts


def retractions(standing: list[StatementFacts]) -> dict[str, str]:
    """Map each retracted statement to the retraction that withdrew it.

    A retraction counts only against its own speaker's statement, and only while
    it is not itself retracted: s1, r1 retracting s1, r2 retracting r1 leaves s1
    standing (and r1 retracted). A cycle (refused when recorded) retracts nothing.
    """
    by_slug = {s.slug: s for s in standing}
    edge: dict[str, str] = {}  # each statement retracts at most one
    for s in standing:
        target = by_slug.get(s.data.get("retracts") or "")
        if target is not None and target.data["speaker"] == s.data["speaker"]:
            edge[s.slug] = target.slug
    for slug in in_cycles(edge):
        del edge[slug]
    retractors: dict[str, list[str]] = {}
    for r, target in edge.items():
        retractors.setdefault(target, []).append(r)
    # Settle each statement after all its retractors: a retraction retracts
    # when no retraction of it does.
    pending = {slug: len(retractors.get(slug, ())) for slug in by_slug}
    ready = [slug for slug, n in pending.items() if n == 0]
    effective: dict[str, bool] = {}
    while ready:
        slug = ready.pop()
        effective[slug] = not any(effective[r] for r in retractors.get(slug, ()))
        target = edge.get(slug)
        if target is not None:
            pending[target] -= 1
            if pending[target] == 0:
                ready.append(target)
    retracted = {}
    for target, rs in retractors.items():
        by = next((r for r in reversed(rs) if effective[r]), None)
        if by is not None:
            retracted[target] = by
    return retracted


def in_cycles(edge: dict[str, str]) -> set[str]:
    """The statements on a cycle of ``retracts`` (each names at most one)."""
    found: set[str] = set()
    done: set[str] = set()
    for start in edge:
        path: list[str] = []
        place: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in done and node not in place:
            place[node] = len(path)
            path.append(node)
            node = edge.get(node)
        if node is not None and node in place:
            found.update(path[place[node] :])
        done.update(path)
    return found
