"""Synthetic incidents in the import format, for benchmarks and large tests.

Deterministic for a given seed. Every kind of statement, every date precision,
provenance chains, corrections, withdrawals and grades appear.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

_KINDS = (
    ["report"] * 4
    + ["assessment"] * 3
    + ["denial"] * 3
    + ["corroboration"] * 2
    + ["comment", "demand", "admission"]
)


def _date(rng: random.Random) -> str:
    year = rng.choice((2019, 2020, 2021))
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    shape = rng.random()
    if shape < 0.15:
        return f"{year}-{month:02d}"
    if shape < 0.2:
        return f"{year}"
    if shape < 0.3:
        return f"{year}-{month:02d}-{day:02d}T{rng.randint(0, 23):02d}:30:00Z"
    return f"{year}-{month:02d}-{day:02d}"


class _Incident:
    def __init__(self, slug: str, claims: list[str]):
        self.slug = slug
        self.claims = claims
        self.demands: list[str] = []
        self.by_speaker: dict[str, list[str]] = {}


def generate(
    statements: int, incidents: int = 1, actors: int = 40, seed: int = 7
) -> Iterator[str]:
    """JSON lines: incidents, actors, claims, ``statements`` statements and changes."""
    rng = random.Random(seed)
    actor_ids = [f"actor-{i:04d}" for i in range(actors)]
    outlets = actor_ids[: max(2, actors // 10)]
    for i, slug in enumerate(actor_ids):
        kind = (
            "outlet"
            if slug in outlets
            else rng.choice(("person", "organisation", "state"))
        )
        yield _line(
            type="actor", id=slug, name=f"Actor {i}", kind=kind, aliases=[f"A{i}"]
        )
    cases = []
    for n in range(incidents):
        slug = f"incident-{n:04d}"
        yield _line(
            type="incident",
            id=slug,
            title=f"Synthetic incident {n}",
            occurred_at="2019-06",
        )
        claims = [f"{slug}-claim-{c:03d}" for c in range(20)]
        for c in claims:
            yield _line(
                type="claim", id=c, incident=slug, proposition=f"Proposition {c}"
            )
        cases.append(_Incident(slug, claims))
    for s in range(statements):
        case = cases[s % incidents]
        yield from _statement(rng, case, f"st-{s:07d}", actor_ids, outlets)


def _statement(rng, case: _Incident, slug: str, actor_ids, outlets) -> Iterator[str]:
    speaker = rng.choice(actor_ids)
    kind = rng.choice(_KINDS)
    data: dict[str, Any] = {
        "type": "statement",
        "id": slug,
        "incident": case.slug,
        "speaker": speaker,
        "kind": kind,
        "stated_at": _date(rng),
        "quote": (
            f"Statement {slug}: what was said, word for word, as the source gives it."
        ),
        "provenance": [
            {"agent": rng.choice(outlets), "relation": "told"},
            {
                "agent": rng.choice(outlets),
                "relation": "reported",
                "document": {"outlet": rng.choice(outlets), "published_at": "2021-06"},
            },
        ],
    }
    own = case.by_speaker.get(speaker, [])
    if kind == "demand":
        data["demand"] = {
            "addressee": rng.choice(actor_ids),
            "action": "hand over the evidence",
        }
        case.demands.append(slug)
    elif kind == "comment" and own and rng.random() < 0.5:
        data["kind"] = "retraction"
        data["retracts"] = rng.choice(own)
    elif kind == "comment" and case.demands:
        data["kind"] = rng.choice(("refusal", "fulfilment"))
        data["responds_to"] = rng.choice(case.demands)
    else:
        stance = "denies" if kind == "denial" else "supports"
        data["claims"] = [
            {"claim": c, "stance": stance} for c in rng.sample(case.claims, 2)
        ]
        if kind == "assessment":
            data["hedging"] = rng.choice(("believes", "assessed", "appeared"))
            data["attribution"] = {"actors": rng.sample(actor_ids, 2), "mode": "either"}
    case.by_speaker.setdefault(speaker, []).append(slug)
    yield _line(**data)
    yield from _changes(rng, slug)


def _changes(rng: random.Random, slug: str) -> Iterator[str]:
    roll = rng.random()
    if roll < 0.01:
        yield _line(
            type="withdrawal",
            id=f"{slug}-wd",
            statement=slug,
            reason="entered in error",
        )
    elif roll < 0.03:
        yield _line(
            type="grade",
            id=f"{slug}-gr",
            statement=slug,
            reliability="B",
            credibility=2,
        )
    elif roll < 0.05:
        yield _line(
            type="correction",
            id=f"{slug}-cx",
            statement=slug,
            field="note",
            value="Checked against a second copy of the source.",
            reason="recorder's note added after review",
        )


def _line(**data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)
