"""Export round trips over generated ledgers (hypothesis).

Ledgers made by ledger/synthetic.py, recorded over several writes by several
recorders, then corrected, graded and withdrawn in later writes: the export
imported into an empty ledger gives the same snapshot (export_support).
Each example makes two SQLite files, so this runs on SQLite only; the seed's
round trip in test_export.py runs on both backends.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.application.service import LedgerService
from ledger.bootstrap import init
from ledger.synthetic import generate
from tests.integration.export_support import snapshot

pytestmark = pytest.mark.sqlite_only

CHANGES = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=10_000),
        st.sampled_from(
            [
                *("note", "quote", "hedging", "stated_at", "grade", "withdraw"),
                *("actor name", "actor aliases", "claim", "incident", "merge"),
            ]
        ),
    ),
    max_size=8,
)


def _ledger(directory: str, name: str) -> str:
    url = f"sqlite:///{Path(directory) / name}"
    init(url)
    return url


def _of(lines: list[str], kind: str) -> list[str]:
    return [json.loads(t)["id"] for t in lines if f'"type": "{kind}"' in t]


def _record_change(n: int, pick: int, what: str, ids: dict, merged: set) -> dict:
    """A correction of a generated actor, claim or incident, or a merge."""
    kind = what.split()[0] if what != "merge" else "actor"
    slug = ids[kind][pick % len(ids[kind])]
    head = {"type": "correction", "id": f"later-{n}", kind: slug,
            "reason": f"checked again ({n})"}  # fmt: skip
    if what == "merge":
        into = ids["actor"][(pick + 1) % len(ids["actor"])]
        if into == slug or {slug, into} & merged:
            return {}
        merged.update({slug, into})
        return {**head, "field": "same_as", "value": into}
    field, value = {
        "actor name": ("name", f"Actor renamed {n}"),
        "actor aliases": ("aliases", [f"alias {n}", f"other {n}"][: 1 + pick % 2]),
        "claim": ("proposition", f"Wording {n}"),
        "incident": ("title", f"Title {n}"),
    }[what]
    return {**head, "field": field, "value": value}


def _later(
    slugs: list[str], changes: list[tuple[int, str]], ids: dict | None = None
) -> list[dict]:
    """Changes to generated records, withdrawals last (nothing follows one)."""
    lines, withdrawn, merged = [], set(), set()
    ordered = sorted(changes, key=lambda change: change[1] == "withdraw")
    for n, (pick, what) in enumerate(ordered):
        if what.split()[0] in ("actor", "claim", "incident", "merge"):
            line = _record_change(n, pick, what, ids or {}, merged)
            lines += [line] if line else []
            continue
        slug = slugs[pick % len(slugs)]
        head = {"id": f"later-{n}", "statement": slug}
        if what == "withdraw":
            if slug not in withdrawn:
                withdrawn.add(slug)
                lines.append({"type": "withdrawal", **head, "reason": "duplicate"})
        elif what == "grade":
            lines.append({"type": "grade", **head, "reliability": "C"})
        else:
            value = f"2018-0{n % 9 + 1}" if what == "stated_at" else f"{what} {n}"
            lines.append(
                {"type": "correction", **head, "field": what, "value": value,
                 "reason": f"checked again ({n})"}
            )  # fmt: skip
    return lines


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    statements=st.integers(min_value=1, max_value=30),
    incidents=st.integers(min_value=1, max_value=3),
    actors=st.integers(min_value=2, max_value=12),
    seed=st.integers(min_value=0, max_value=2**32),
    writes=st.integers(min_value=1, max_value=4),
    changes=CHANGES,
)
def test_generated_ledgers_round_trip(
    statements, incidents, actors, seed, writes, changes
) -> None:
    lines = list(generate(statements, incidents, actors, seed))
    slugs = _of(lines, "statement")
    ids = {kind: _of(lines, kind) for kind in ("actor", "claim", "incident")}
    with tempfile.TemporaryDirectory() as directory:
        original = _ledger(directory, "original.db")
        with LedgerService.open(original) as service:
            step = -(-len(lines) // writes)
            for i in range(0, len(lines), step):
                service.import_lines(lines[i : i + step], f"recorder {i % 3}")
            later = _later(slugs, changes, ids)
            for line in later:
                service.import_lines([line], "reviewer")
            exported = list(service.export_lines())
        copy = _ledger(directory, "copy.db")
        with LedgerService.open(copy) as service:
            service.import_lines(exported, "importer")
        assert snapshot(copy) == snapshot(original)
