"""Audit bundles: a state, the events behind it, their proofs and a signed checkpoint.

``verify_bundle`` needs no database: an auditor runs it on the file alone, with
the ledger's public key obtained separately.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ledger.domain.canonical import canonical_bytes, leaf_hash
from ledger.domain.dates import PartialDate, PartialDateError
from ledger.domain.profiles import corrected, merged_into, shown_names
from ledger.domain.state import StatementFacts, apply_change, compute_state
from ledger.integrity import merkle
from ledger.integrity.bundle_schema import FORMAT_1, dump_state
from ledger.integrity.checkpoints import root_of
from ledger.integrity.keyring import keyring

FORMAT = FORMAT_1

# Corrections of the incident and its claims (actors' are carried for every actor).
_CORRECTED = ("Incident.Corrected", "Claim.Corrected")


def state_json(state: dict[str, Any]) -> Any:
    """The state as the bundle carries it: the frozen shape of its format."""
    return json.loads(json.dumps(dump_state(state, FORMAT), ensure_ascii=False))


def state_from_envelopes(
    envelopes: list[dict[str, Any]], incident: str, axes: dict[str, Any]
) -> dict[str, Any]:
    """Fold event envelopes (in ledger order) into the incident's state."""
    profile: dict[str, Any] | None = None
    claims: dict[str, dict[str, Any]] = {}
    actors: dict[str, dict[str, Any]] = {}
    facts: dict[str, StatementFacts] = {}
    for env in sorted(envelopes, key=lambda e: e["seq"]):
        kind, p = env["type"], env["payload"]
        if kind == "Actor.Registered":
            actors[p["slug"]] = p["profile"]
        elif kind == "Incident.Opened" and p["slug"] == incident:
            profile = {"id": p["slug"], **p["profile"]}
        elif kind == "Claim.Defined" and p["incident"] == incident:
            claims[p["slug"]] = p["profile"]
        elif (
            kind in _CORRECTED
            and p["incident"] == incident
            or kind == "Actor.Corrected"
        ):
            held = {"Actor": actors, "Claim": claims}.get(kind.split(".")[0])
            if held is None:
                if profile is not None:
                    profile = corrected(profile, p["field"], p["value"])
            elif p["subject"] in held:
                held[p["subject"]] = corrected(
                    held[p["subject"]], p["field"], p["value"]
                )
        elif kind == "Statement.Recorded" and p["incident"] == incident:
            facts[p["slug"]] = StatementFacts(p["slug"], env["seq"], dict(p["data"]))
        elif kind.startswith("Statement.") and p.get("statement") in facts:
            apply_change(facts[p["statement"]], _change_of(env))
    if profile is None:
        raise ValueError(f"the bundle holds no event opening incident {incident}")
    as_of = PartialDate.parse(axes["as_of"]) if axes.get("as_of") else None
    for fact in facts.values():
        fact.zone = profile.get("time_zone")
    rows = [{"id": slug, "proposition": c["proposition"]} for slug, c in claims.items()]
    folded = compute_state(
        rows, list(facts.values()), shown_names(actors), as_of, merged_into(actors)
    )
    return {"incident": profile, **axes, **folded}


def _change_of(env: dict[str, Any]) -> dict[str, Any]:
    p = env["payload"]
    kind = {"Statement.Corrected": "correction", "Statement.Withdrawn": "withdrawal"}
    change = kind.get(env["type"], "grade")
    if change == "correction":
        data = {"field": p["field"], "after": p["value"]}
    else:
        data = {k: p.get(k) for k in ("reliability", "credibility", "reason")}
    return {"change": change, "seq": env["seq"], "data": data, **_when(env)}


def _when(env: dict[str, Any]) -> dict[str, Any]:
    return {"recorded_at": env["recorded_at"], "recorded_by": env["recorded_by"]}


_TOP = {
    "incident": (str,),
    "as_of": (str, type(None)),
    "known_at": (str, type(None)),
    "known_at_seq": (int, type(None)),
    "state": (dict,),
    "checkpoint": (dict,),
    "events": (list,),
}
_EVENT = {"leaf_index": (int,), "leaf_hash": (str,), "path": (list,)}
_ENVELOPE = {
    "seq": (int,),
    "stream_id": (str,),
    "version": (int,),
    "type": (str,),
    "recorded_at": (str,),
    "recorded_by": (str,),
    "payload": (dict,),
}
_NAMES = {str: "a string", int: "a whole number", dict: "an object", list: "a list"}


def _wrong_type(value: Any, expected: dict[str, tuple[type, ...]], where: str):
    """The first field of ``value`` missing or of the wrong JSON type, as a problem."""
    for name, types in expected.items():
        if name not in value and type(None) not in types:
            return f"{where}{name} is missing"
        item = value.get(name)
        if isinstance(item, bool) or not isinstance(item, types):
            wanted = " or ".join(_NAMES.get(t, "null") for t in types)
            return f"{where}{name} is not {wanted}"
    return None


def shape_problems(bundle: dict[str, Any]) -> list[str]:
    """Fields of the wrong JSON type, named: checked before anything is computed."""
    problem = _wrong_type(bundle, _TOP, "the bundle's ")
    for i, event in enumerate(bundle.get("events") if not problem else []):
        where = f"event {i} of the bundle: "
        if not isinstance(event, dict):
            return [f"{where}not an object"]
        problem = _wrong_type(event, _EVENT, where)
        if not problem and not isinstance(event.get("envelope"), dict):
            problem = f"{where}envelope is not an object"
        problem = problem or _wrong_type(event["envelope"], _ENVELOPE, where)
        if not problem and not all(isinstance(p, str) for p in event["path"]):
            problem = f"{where}path is not a list of strings"
        if problem:
            break
    return [problem] if problem else []


def verify_bundle(bundle: Any, public: Ed25519PublicKey) -> list[str]:
    """Every problem found in an audit bundle; an empty list means it verifies.

    Whatever the bundle holds, the answer is a list of reasons, never an
    exception: an auditor may be handed anything.
    """
    if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
        return [f"not an audit bundle of format {FORMAT}"]
    problems = shape_problems(bundle)
    if problems:
        return problems
    try:
        return _problems(bundle, public)
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as error:
        return [f"the bundle is malformed: {type(error).__name__}: {error}"]
    except RecursionError:
        return ["the bundle is malformed: nested too deep"]


def _problems(bundle: dict[str, Any], public: Ed25519PublicKey) -> list[str]:
    checkpoint = bundle.get("checkpoint")
    ring, problems = keyring(bundle.get("keys", []), public)
    problems = problems or ring.problems(checkpoint)
    if problems:
        return problems
    events = bundle.get("events")
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        return ["the bundle's events are not a list of events"]
    for event in events:
        problems += _event_problems(event, checkpoint)
    problems += _moment_problems(bundle, events)
    problems += _version_gaps(events)
    if problems:
        return problems
    return _state_problems(bundle)


def _version_gaps(events: list[dict[str, Any]]) -> list[str]:
    """Each stream's events must run from version 1 without a gap: none left out."""
    versions: dict[str, list[int]] = {}
    for event in events:
        envelope = event.get("envelope") or {}
        versions.setdefault(str(envelope.get("stream_id")), []).append(
            envelope.get("version")
        )
    for stream, found in versions.items():
        if sorted(found) != list(range(1, len(found) + 1)):
            return [f"stream {stream}: its events {sorted(found)} have a gap"]
    return []


def _moment_problems(bundle: dict[str, Any], events: list[dict[str, Any]]) -> list[str]:
    """Events recorded after the bundle's known-at moment betray a relabelled bundle."""
    limit, instant = bundle.get("known_at_seq"), bundle.get("known_at")
    problems = []
    for event in events:
        envelope = event.get("envelope") or {}
        seq, recorded = envelope.get("seq"), str(envelope.get("recorded_at", ""))
        if isinstance(limit, int) and isinstance(seq, int) and seq > limit:
            problems.append(f"event {seq} was recorded after sequence {limit}")
        elif instant and recorded and _after(recorded, instant):
            problems.append(f"event {seq} was recorded after {instant}")
    return problems[:1]


def _after(recorded: str, instant: str) -> bool:
    from datetime import UTC, datetime

    try:
        when = datetime.fromisoformat(recorded)
        bound = datetime.fromisoformat(instant.replace("Z", "+00:00"))
    except ValueError:
        return True
    if bound.tzinfo is None:
        bound = bound.replace(tzinfo=UTC)
    return when > bound


def _event_problems(event: Any, checkpoint: dict[str, Any]) -> list[str]:
    try:
        seq = event["envelope"]["seq"]
        leaf = leaf_hash(event["envelope"])
        path = [bytes.fromhex(p) for p in event["path"]]
        index = event["leaf_index"]
    except (KeyError, TypeError, ValueError):
        return ["an event of the bundle is malformed"]
    if leaf != event.get("leaf_hash"):
        return [
            f"event {seq}: its envelope hashes to {leaf}, not {event.get('leaf_hash')}"
        ]
    size, root = checkpoint["tree_size"], root_of(checkpoint)
    if not merkle.verify_inclusion(bytes.fromhex(leaf), index, size, path, root):
        return [f"event {seq}: its inclusion proof does not lead to the signed root"]
    return []


def _state_problems(bundle: dict[str, Any]) -> list[str]:
    envelopes = [e["envelope"] for e in bundle.get("events", [])]
    axes = {k: bundle.get(k) for k in ("as_of", "known_at", "known_at_seq")}
    try:
        recomputed = state_json(
            state_from_envelopes(envelopes, bundle["incident"], axes)
        )
    except (KeyError, TypeError, ValueError, PartialDateError) as error:
        return [f"the state cannot be recomputed from the bundle's events: {error}"]
    if canonical_bytes(recomputed) != canonical_bytes(bundle.get("state")):
        where = _first_difference(recomputed, bundle.get("state"))
        return [
            f"the state does not follow from the bundle's events (first at {where})"
        ]
    return []


def _first_difference(a: Any, b: Any, path: str = "state") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                return _first_difference(a.get(key), b.get(key), f"{path}.{key}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, f"{path}.{i}")
    return path


def make_bundle(integrity: Any, incident: str, as_of: Any, known: Any, by: str) -> dict:
    """The state of an incident with every event behind it, proven to a checkpoint."""
    from sqlalchemy import or_, select

    from ledger.projections import tables as t

    ledger = integrity.ledger
    state = ledger.read.state(incident, as_of, known)
    size = integrity.size()
    found = integrity.checkpoints()
    checkpoint = found[-1] if found and found[-1]["tree_size"] == size else None
    checkpoint = checkpoint or integrity.checkpoint(by)
    e = t.ledger_events.c
    query = known.where(
        t.ledger_events,
        select(e.seq, e.leaf_index, e.leaf_hash)
        .where(
            or_(
                e.incident == incident,
                e.event_type.in_(("Actor.Registered", "Actor.Corrected")),
            )
        )
        .order_by(e.seq),
    )
    with ledger.engine.connect() as conn:
        rows = conn.execute(query).all()
    envelopes = integrity.envelopes([r.seq for r in rows])
    events = [
        {
            "leaf_index": r.leaf_index,
            "leaf_hash": r.leaf_hash,
            "path": [
                p.hex()
                for p in merkle.inclusion_proof(
                    integrity._lookup, r.leaf_index, checkpoint["tree_size"]
                )
            ],
            "envelope": envelopes[r.seq],
        }
        for r in rows
    ]
    axes = {k: state[k] for k in ("as_of", "known_at", "known_at_seq")}
    return {
        "format": FORMAT,
        "incident": incident,
        **axes,
        "state": state_json(state),
        "checkpoint": checkpoint,
        "keys": integrity.keys.links(),
        "events": events,
    }
