"""The state of an incident, folded from the statements that stand at a moment.

Pure: it is given the statements as the ledger held them (corrections applied,
withdrawals marked) and an optional as-of date, and returns plain data.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ledger.domain.dates import PartialDate, classify
from ledger.domain.vocabulary import DEMAND_RESPONSES


@dataclass
class StatementFacts:
    """A statement as the ledger held it: current data and whether it was withdrawn."""

    slug: str
    seq: int
    data: dict[str, Any]
    withdrawn: bool = False
    grades: list[dict[str, Any]] = field(default_factory=list)
    # The incident's default time zone, for a stated_at given without one.
    zone: str | None = None


def apply_change(fact: StatementFacts, change: dict[str, Any]) -> None:
    """Apply a correction, withdrawal or grade (in ledger order) to a statement."""
    kind, data = change["change"], change["data"]
    if kind == "withdrawal":
        fact.withdrawn = True
    elif kind == "grade":
        fact.grades.append(
            {k: change[k] for k in ("seq", "recorded_at", "recorded_by")} | data
        )
    elif data["after"] is None:
        fact.data.pop(data["field"], None)
    else:
        fact.data[data["field"]] = data["after"]


def _entry(s: StatementFacts, names: dict[str, str]) -> dict[str, Any]:
    d = s.data
    entry = {
        "statement": s.slug,
        "speaker": d["speaker"],
        "speaker_name": names.get(d["speaker"], d["speaker"]),
        "kind": d["kind"],
        "stated_at": d["stated_at"],
    }
    for key in ("hedging", "quote", "paraphrase"):
        if d.get(key):
            entry[key] = d[key]
    if d.get("attribution"):
        held = d["attribution"]["actors"]
        entry["attribution"] = {
            **d["attribution"],
            "actor_names": [names.get(a, a) for a in held],
        }
    return entry


def _standing(statements, as_of):
    standing, undetermined = [], []
    for s in statements:
        if s.withdrawn:
            continue
        place = (
            "by"
            if as_of is None
            else classify(PartialDate.parse(s.data["stated_at"], s.zone), as_of)
        )
        if place == "by":
            standing.append(s)
        elif place == "undetermined":
            undetermined.append(s)
    return standing, undetermined


def _retractions(standing: list[StatementFacts]) -> dict[str, str]:
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


def claim_status(supporters, deniers, retracted_supporters, admitted: bool) -> str:
    """The status of a claim from its active and retracted stances."""
    if admitted:
        return "admitted"
    if supporters and deniers:
        return "contested"
    if supporters:
        return "uncontested"
    if retracted_supporters:
        return "retracted"
    if deniers:
        return "denied"
    return "absent"


def _claims(claims, standing, retracted, names):
    sides: dict[str, dict[str, list]] = {
        c["id"]: {"supports": [], "denies": [], "retracted": [], "assessments": []}
        for c in claims
    }
    admitted: set[str] = set()
    for s in standing:
        for item in s.data.get("claims") or []:
            side = sides.get(item["claim"])
            if side is None:
                continue
            entry = _entry(s, names)
            if s.slug in retracted:
                entry["retracted_by"] = retracted[s.slug]
                entry["stance"] = item["stance"]
                side["retracted"].append(entry)
                continue
            side[item["stance"]].append(entry)
            if s.data["kind"] == "assessment":
                side["assessments"].append(entry)
            if s.data["kind"] == "admission" and item["stance"] == "supports":
                admitted.add(item["claim"])
    out = []
    for c in claims:
        side = sides[c["id"]]
        status = claim_status(
            side["supports"],
            side["denies"],
            [e for e in side["retracted"] if e["stance"] == "supports"],
            c["id"] in admitted,
        )
        out.append(
            {
                **c,
                "status": status,
                "supporters": side["supports"],
                "deniers": side["denies"],
                "retracted": side["retracted"],
                "assessments": side["assessments"],
            }
        )
    return out


def _demands(standing, retracted, names):
    responses: dict[str, list[StatementFacts]] = {}
    for s in standing:
        if s.data["kind"] in DEMAND_RESPONSES and s.slug not in retracted:
            responses.setdefault(s.data["responds_to"], []).append(s)
    out = []
    for s in standing:
        if s.data["kind"] != "demand":
            continue
        answers = responses.get(s.slug, [])
        found = {DEMAND_RESPONSES[a.data["kind"]] for a in answers}
        status = "open"
        if s.slug in retracted:
            status = "withdrawn"
        elif "met" in found:
            status = "met"
        elif "refused" in found:
            status = "refused"
        demand = s.data["demand"]
        out.append(
            {
                **_entry(s, names),
                "addressee": demand["addressee"],
                "addressee_name": names.get(demand["addressee"], demand["addressee"]),
                "action": demand["action"],
                "status": status,
                "responses": [_entry(a, names) for a in answers],
            }
        )
    return out


def compute_state(
    claims: list[dict[str, Any]],
    statements: list[StatementFacts],
    names: dict[str, str],
    as_of: PartialDate | None = None,
) -> dict[str, Any]:
    """Claims with their sides and status, demands with status, and counts."""
    standing, undetermined = _standing(statements, as_of)
    retracted = _retractions(standing)
    claim_rows = _claims(claims, standing, retracted, names)
    demand_rows = _demands(standing, retracted, names)
    return {
        "claims": claim_rows,
        "demands": demand_rows,
        "statements": [_entry(s, names) for s in standing],
        "undetermined": [_entry(s, names) for s in undetermined],
        "counts": {
            "statements": len(standing),
            "undetermined": len(undetermined),
            "withdrawn": sum(1 for s in statements if s.withdrawn),
            "retracted": len(retracted),
            "claims": dict(Counter(c["status"] for c in claim_rows)),
            "demands": dict(Counter(d["status"] for d in demand_rows)),
        },
    }
