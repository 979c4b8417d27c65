"""The state of an incident, folded from the statements that stand at a moment.

Pure: it is given the statements as the ledger held them (corrections applied,
withdrawals marked) and an optional as-of date, and returns plain data.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from ledger.domain.dates import PartialDate, classify
from ledger.domain.profiles import as_one
from ledger.domain.retractions import retractions as _retractions
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


def _mark_pending(rows, claims, standing, undetermined, names) -> None:
    """A claim whose status differs if every undetermined statement stands is
    ``undetermined``, with ``pending``: its status if none of them stands yet
    (``if_none``), if all of them do (``if_all``), and the statements it awaits."""
    if not undetermined:
        return
    every = sorted(standing + undetermined, key=lambda s: s.seq)
    settled = _claims(claims, every, _retractions(every), names)
    by_slug = {s.slug: s for s in every}
    for row, if_all in zip(rows, settled, strict=True):
        if row["status"] == if_all["status"]:
            continue
        row["pending"] = {
            "if_none": row["status"],
            "if_all": if_all["status"],
            "statements": [
                u.slug for u in undetermined if _bears_on(u, row["id"], by_slug)
            ],
        }
        row["status"] = "undetermined"


def _bears_on(s: StatementFacts, claim: str, by_slug) -> bool:
    """Whether a statement names the claim, or retracts (via others) one that does."""
    seen: set[str] = set()
    while s is not None and s.slug not in seen:
        if any(item["claim"] == claim for item in s.data.get("claims") or []):
            return True
        seen.add(s.slug)
        s = by_slug.get(s.data.get("retracts") or "")
    return False


def compute_state(
    claims: list[dict[str, Any]],
    statements: list[StatementFacts],
    names: dict[str, str],
    as_of: PartialDate | None = None,
    same_as: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Claims with their sides and status, demands with status, and counts.

    ``same_as`` maps merged actors to the actor they are one with: their
    statements are shown as that actor's.
    """
    if same_as:
        statements = [replace(s, data=as_one(s.data, same_as)) for s in statements]
    standing, undetermined = _standing(statements, as_of)
    retracted = _retractions(standing)
    claim_rows = _claims(claims, standing, retracted, names)
    _mark_pending(claim_rows, claims, standing, undetermined, names)
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
