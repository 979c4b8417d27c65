"""Tables for people. JSON goes through the output schemas instead.

Every public function here first passes its data through
:func:`ledger.cli.screen.shown`, so recorded text cannot act on the terminal.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from ledger.cli.screen import console, indented, shown
from ledger.cli.screen import table as new_table


@contextmanager
def progress(label: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr when it is a terminal; silent otherwise."""
    if not sys.stderr.isatty():
        yield lambda _n: None
        return
    columns = [TextColumn(label), BarColumn(), MofNCompleteColumn()]
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def _who(entry: dict[str, Any]) -> str:
    text = entry.get("speaker_name") or entry["speaker"]
    if entry.get("hedging"):
        text += f" ({entry['hedging']})"
    return f"{text} [{entry['stated_at']}]"


def _people(entries: list[dict[str, Any]]) -> str:
    return "\n".join(_who(e) for e in entries) or "-"


def _axes(data: dict[str, Any]) -> str:
    parts = []
    if data.get("as_of"):
        parts.append(f"as of {data['as_of']} (stated time)")
    if data.get("known_at"):
        parts.append(f"known at {data['known_at']} (recorded time)")
    if data.get("known_at_seq") is not None:
        parts.append(f"known at sequence {data['known_at_seq']}")
    return "; ".join(parts) or "now, everything recorded"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def write_summary(data: dict[str, Any]) -> None:
    """What a write recorded."""
    data = shown(data)
    if data.get("ids"):
        kinds = [*data["new"], *data["unchanged"]] or ["record"]
        verb = "recorded" if data["recorded"] else "nothing new: already recorded"
        console.print(f"{verb} {kinds[0]} {', '.join(data['ids'])}")
        console.print(f"id: {', '.join(data['ids'])}")
        return
    new = ", ".join(f"{kind}: {n}" for kind, n in sorted(data["new"].items()))
    unchanged = sum(data["unchanged"].values())
    if not data["recorded"]:
        console.print(
            f"nothing new: all {unchanged} records of {data['source']} "
            "are already recorded"
        )
        return
    console.print(
        f"recorded {_count(data['recorded'], 'record')} from {data['source']} ({new}); "
        f"{unchanged} already recorded"
    )


def incidents(rows: list[dict[str, Any]]) -> None:
    """The incidents table."""
    rows = shown(rows)
    table = new_table(
        "id", "title", "occurred", "place", "claims", "statements", ids=("id",)
    )
    for r in rows:
        table.add_row(
            r["id"],
            r["title"],
            r.get("occurred_at", "-"),
            r.get("place", "-"),
            str(r["claims"]),
            str(r["statements"]),
        )
    console.print(table)


def state(data: dict[str, Any], compact: bool = False) -> None:
    """The state of an incident: claims, assessments, demands, undetermined, counts."""
    data = shown(data)
    if compact:
        _state_compact(data)
        return
    incident = data["incident"]
    console.print(f"{incident['title']} ({incident['id']})", style="bold")
    if incident.get("occurred_at") or incident.get("place"):
        console.print(
            f"occurred {incident.get('occurred_at', '?')} "
            f"at {incident.get('place', '?')}"
        )
    console.print(_axes(data))
    claims = new_table(
        "claim",
        "proposition",
        "status",
        "supported by",
        "denied by",
        ids=("claim", "status"),
        title="Claims",
        show_lines=True,
    )
    for c in data["claims"]:
        supporters = _people(c["supporters"])
        if c["retracted"]:
            supporters += "\nretracted: " + ", ".join(
                f"{_who(e)} ({e.get('stance', 'supports')})" for e in c["retracted"]
            )
        claims.add_row(
            c["id"],
            c["proposition"],
            _status(c),
            supporters,
            _people(c["deniers"]),
        )
    console.print(claims)
    _assessments(data)
    _demands(data)
    if data["undetermined"]:
        table = new_table(
            "statement",
            "speaker",
            "kind",
            "stated",
            ids=("statement",),
            title="Undetermined at this date",
        )
        for e in data["undetermined"]:
            table.add_row(e["statement"], e["speaker_name"], e["kind"], e["stated_at"])
        console.print(table)
    _counts(data["counts"])


def _status(claim: dict[str, Any]) -> str:
    """A claim's status; an undetermined one with its two ends."""
    pending = claim.get("pending")
    if not pending:
        return claim["status"]
    return f"{claim['status']} ({pending['if_none']} -> {pending['if_all']})"


def _state_compact(data: dict[str, Any]) -> None:
    console.print(_axes(data))
    table = new_table(
        "claim", "status", "supporters", "deniers", ids=("claim", "status")
    )
    for c in data["claims"]:
        table.add_row(
            c["id"], _status(c), str(len(c["supporters"])), str(len(c["deniers"]))
        )
    console.print(table)
    for d in data["demands"]:
        console.print(
            f"demand {d['statement']} of {d['addressee_name']}: {d['status']}"
        )
    if data["undetermined"]:
        listed = ", ".join(e["statement"] for e in data["undetermined"][:4])
        more = len(data["undetermined"]) - 4
        console.print(
            f"undetermined at this date ({len(data['undetermined'])}): {listed}"
            + (f" and {more} more" if more > 0 else "")
        )
    _counts(data["counts"])


def _counts(counts: dict[str, Any]) -> None:
    console.print(
        f"{counts['statements']} statements stand, "
        f"{counts['undetermined']} undetermined, "
        f"{counts['withdrawn']} withdrawn, {counts['retracted']} retracted; claims: "
        + (", ".join(f"{n} {s}" for s, n in sorted(counts["claims"].items())) or "none")
    )


def _attribution(entry: dict[str, Any]) -> str:
    attribution = entry.get("attribution")
    if not attribution:
        return "-"
    joiner = {"either": " or ", "jointly": " and "}.get(attribution["mode"], ", ")
    held = attribution.get("actor_names") or attribution["actors"]
    return f"{attribution['mode']}: " + joiner.join(held)


def _assessments(data: dict[str, Any]) -> None:
    table = new_table(
        "claim", "assessed by", "attribution", ids=("claim",), title="Assessments"
    )
    for c in data["claims"]:
        for e in c["assessments"]:
            table.add_row(c["id"], _who(e), _attribution(e))
    if table.row_count:
        console.print(table)


def _demands(data: dict[str, Any]) -> None:
    table = new_table(
        "demand",
        "by",
        "of",
        "action",
        "status",
        ids=("demand",),
        title="Demands",
        show_lines=True,
    )
    for d in data["demands"]:
        answers = ", ".join(
            f"{a['kind']} by {a['speaker_name']}" for a in d["responses"]
        )
        status = d["status"] + (f"\n{answers}" if answers else "")
        table.add_row(d["statement"], _who(d), d["addressee_name"], d["action"], status)
    if table.row_count:
        console.print(table)


def history(data: dict[str, Any]) -> None:
    """The audit history table."""
    data = shown(data)
    title = (
        f"History of {data['incident']}"
        if data["incident"]
        else "History of the ledger"
    )
    console.print(_axes(data))
    table = new_table(
        "seq",
        "recorded at",
        "by",
        "event",
        "summary",
        "hash",
        ids=("seq", "recorded at", "event", "hash"),
        title=title,
    )
    for e in data["events"]:
        summary = e["summary"] + (" [undetermined]" if e.get("undetermined") else "")
        table.add_row(
            str(e["seq"]),
            e["recorded_at"].strftime("%Y-%m-%d %H:%M:%S"),
            e["recorded_by"],
            e["type"],
            summary,
            e["hash"][:12],
        )
    console.print(table)


def provenance(data: dict[str, Any]) -> None:
    """A statement's provenance, or a claim's and every statement behind it."""
    data = shown(data)
    if data.get("claim"):
        claim = data["claim"]
        console.print(f"claim {claim['id']}: {claim['proposition']}", style="bold")
        console.print(
            f"status {claim['status']}; defined by {claim['recorded_by']} "
            f"at {claim['recorded_at']:%Y-%m-%d %H:%M:%S}"
        )
        for s in data["statements"]:
            console.rule()
            _statement(s)
        return
    _statement(data["statement"])


def _statement(s: dict[str, Any]) -> None:
    flag = " (withdrawn from the ledger)" if s["withdrawn"] else ""
    withdrawal = s.get("withdrawal")
    console.print(
        f"statement {s['id']}{flag}: {s['kind']} by {s['speaker_name']}, "
        f"stated {s['stated_at']}",
        style="bold",
    )
    for key in ("quote", "paraphrase", "hedging", "note"):
        if s.get(key):
            console.print(f"  {key}: {indented(s[key])}")
    if s.get("attribution"):
        console.print(f"  attribution: {_attribution(s)}")
    for c in s.get("claims") or []:
        console.print(f"  {c['stance']} {c['claim']}")
    console.print("  chain: " + " -> ".join(_hop(h) for h in s["chain"]))
    for g in s["grades"]:
        console.print(
            f"  graded {g.get('reliability') or '-'}{g.get('credibility') or '-'} "
            f"by {g['recorded_by']}: {indented(g.get('reason', ''))}"
        )
    if withdrawal:
        console.print(
            f"  withdrawn by {withdrawal['recorded_by']}: "
            f"{indented(withdrawal['reason'])}"
        )
    for c in s["corrections"]:
        console.print(
            f"  corrected {c['field']}: {_value(c['before'])} -> {_value(c['after'])} "
            f"by {c['recorded_by']} ({indented(c['reason'])})"
        )
    table = new_table(
        "seq", "recorded at", "by", "event", "hash", ids=("seq", "event", "hash")
    )
    for e in s["events"]:
        table.add_row(
            str(e["seq"]),
            f"{e['recorded_at']:%Y-%m-%d %H:%M:%S}",
            e["recorded_by"],
            e["type"],
            e["hash"][:16],
        )
    console.print(table)


def _value(value: Any) -> str:
    if value is None:
        return "(none)"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _hop(hop: dict[str, Any]) -> str:
    text = (
        hop["agent_name"]
        if hop["relation"] == "said"
        else f"{hop['relation']} {hop['agent_name']}"
    )
    document = hop.get("document")
    if document:
        bits = [
            document.get("outlet_name") or document.get("outlet"),
            document.get("title"),
            document.get("url"),
            document.get("published_at"),
            document.get("content_hash"),
        ]
        text += " [document: " + ", ".join(b for b in bits if b) + "]"
    return text
