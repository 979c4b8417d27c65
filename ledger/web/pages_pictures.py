"""The pages' pictures as data for small SVG templates (docs/decisions.md).

``timeline`` places each statement on a claim's row by its stated interval:
an instant is a point, a day, month or year a bar over that interval. The
templates draw it (templates/pages/timeline.svg.html) with every text escaped
by Jinja; this module only computes coordinates.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ledger.domain.dates import PartialDate, PartialDateError

WIDTH = 960
LABEL = 260
LANE = 20  # one lane of marks; overlapping marks take the next lane
GAP = 14
MAX_LANES = 6  # beyond, marks share the last lane (the table lists them all)
TOP = 40
RIGHT = 20


def _interval(text: str | None, zone: str | None = None) -> PartialDate | None:
    try:
        return PartialDate.parse(text, zone) if text else None
    except PartialDateError:
        return None


def timeline(state: dict[str, Any], statements: list[dict[str, Any]]) -> dict:
    """Rows (one per claim) of marks (one per statement about it), the axis'
    ticks, and the *as of* line, in SVG user units."""
    undetermined = {s["statement"] for s in state.get("undetermined", [])}
    as_of = _interval(state.get("as_of"))
    claims = [c["id"] for c in state["claims"]]
    zone = (state.get("incident") or {}).get("time_zone")
    spans = [(s, _interval(s.get("stated_at"), zone)) for s in statements]
    spans = [(s, span) for s, span in spans if span is not None]
    moments = [span.start for _, span in spans] + [span.end for _, span in spans]
    if as_of is not None:
        moments.append(as_of.end)
    if not moments:
        return {
            "rows": [],
            "table": [],
            "marks": 0,
            "ticks": [],
            "as_of": None,
            "width": WIDTH,
            "height": TOP,
        }
    low, high = min(moments), max(moments)
    total = max((high - low).total_seconds(), 1.0)
    plot = WIDTH - LABEL - RIGHT

    def x(moment: datetime) -> float:
        return round(LABEL + plot * (moment - low).total_seconds() / total, 1)

    # Each statement's stances, bucketed by claim in one pass (not claims x
    # statements: 20 claims and 10,000 statements made 200,000 visits).
    by_claim: dict[str, list[tuple[dict[str, Any], Any, dict[str, Any]]]] = {}
    for s, span in spans:
        for stance in s.get("claims") or []:
            by_claim.setdefault(stance.get("claim"), []).append((s, span, stance))
    rows = []
    y = TOP
    for claim in claims:
        marks = []
        for s, span, stance in by_claim.get(claim, ()):
            left, right = x(span.start), x(span.end)
            marks.append(
                {
                    "statement": s["id"],
                    "speaker": s.get("speaker_name") or s.get("speaker"),
                    "stated_at": s.get("stated_at"),
                    "stance": stance.get("stance") or "none",
                    "point": span.precision == "instant",
                    "x": left,
                    "width": max(right - left, 3.0),
                    "undetermined": s["id"] in undetermined,
                    "after": as_of is not None and span.start >= as_of.end,
                    "withdrawn": bool(s.get("withdrawn")),
                }
            )
        lanes = _stack(marks, y)
        rows.append({"claim": claim, "y": y, "height": lanes * LANE, "marks": marks})
        y += lanes * LANE + GAP
    height = y + 10
    return {
        "rows": rows,
        "table": [(row, m) for row in rows for m in row["marks"]],
        "marks": sum(len(row["marks"]) for row in rows),
        "ticks": _ticks(low, high, x),
        "as_of": None if as_of is None else {"x": x(as_of.end), "text": as_of.text},
        "width": WIDTH,
        "height": height,
        "label": LABEL,
    }


def _stack(marks: list[dict[str, Any]], top: float) -> int:
    """Give each mark the first lane where it overlaps no other; the lane count."""
    ends: list[float] = []
    for mark in sorted(marks, key=lambda m: (m["x"], m["statement"])):
        lane = next((i for i, end in enumerate(ends) if end < mark["x"]), len(ends))
        if lane == MAX_LANES:
            lane -= 1
        elif lane == len(ends):
            ends.append(0.0)
        ends[lane] = mark["x"] + (12 if mark["point"] else mark["width"]) + 1
        mark["y"] = top + lane * LANE
    return max(len(ends), 1)


def _ticks(low: datetime, high: datetime, x: Any) -> list[dict[str, Any]]:
    """One tick at the start of each month in range (at most a dozen)."""
    months = []
    year, month = low.year, low.month
    while (year, month) <= (high.year, high.month):
        months.append(datetime(year, month, 1, tzinfo=low.tzinfo))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    step = max(1, len(months) // 12 + (1 if len(months) % 12 else 0))
    return [
        {"x": x(m), "text": m.strftime("%Y-%m")}
        for m in months[::step]
        if low <= m <= high and x(m) <= WIDTH - 50  # room for its label
    ]


def chain(hops: list[dict[str, Any]]) -> dict[str, Any]:
    """The provenance chain as boxes left to right, documents below their hop."""
    box, gap = 200, 40
    boxes = []
    for index, hop in enumerate(hops):
        document = hop.get("document")
        boxes.append(
            {
                "x": 10 + index * (box + gap),
                "name": hop.get("agent_name") or hop.get("agent"),
                "agent": hop.get("agent"),
                "relation": hop.get("relation"),
                "document": document,
            }
        )
    width = 20 + max(len(boxes), 1) * (box + gap)
    return {"boxes": boxes, "box": box, "gap": gap, "width": width, "height": 190}


MAX_MOMENTS = 12


def moments(statements: list[dict[str, Any]]) -> list[str]:
    """The stated times a claim's status can change at: the distinct stated
    dates of the statements, oldest first, at most a dozen spread evenly."""
    spans = {s.get("stated_at"): _interval(s.get("stated_at")) for s in statements}
    found = sorted((span.end, text) for text, span in spans.items() if span)
    texts = list(dict.fromkeys(text for _, text in found))
    if len(texts) > MAX_MOMENTS:
        step = (len(texts) - 1) / (MAX_MOMENTS - 1)
        texts = [texts[round(i * step)] for i in range(MAX_MOMENTS)]
    return texts


def statuses(claims: list[str], states: list[dict[str, Any]]) -> dict[str, Any]:
    """One row per claim, one band per moment, coloured by the claim's status
    as of that moment (``states``: the incident's state as of each moment)."""
    column = (WIDTH - LABEL - RIGHT) / max(len(states), 1)
    rows = []
    for index, claim in enumerate(claims):
        y = TOP + index * (LANE + GAP)
        bands = []
        for n, state in enumerate(states):
            status = next(
                (c["status"] for c in state["claims"] if c["id"] == claim), "absent"
            )
            bands.append({"x": round(LABEL + n * column, 1), "status": status})
        rows.append({"claim": claim, "y": y, "bands": bands})
    heads = [
        {"x": round(LABEL + n * column + 4, 1), "text": s["as_of"]}
        for n, s in enumerate(states)
    ]
    height = TOP + len(claims) * (LANE + GAP)
    return {
        "rows": rows,
        "heads": heads,
        "column": round(column - 2, 1),
        "width": WIDTH,
        "height": height,
        "label": LABEL,
    }
