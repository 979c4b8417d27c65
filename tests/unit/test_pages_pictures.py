"""The timeline's geometry: intervals become bars, overlaps take new lanes."""

from __future__ import annotations

from ledger.web.pages_pictures import LANE, MAX_LANES, timeline


def _statement(slug: str, stated_at: str, stance: str = "supports") -> dict:
    return {
        "id": slug,
        "stated_at": stated_at,
        "claims": [{"claim": "c", "stance": stance}],
    }


def _state(as_of: str | None = None, undetermined: tuple[str, ...] = ()) -> dict:
    return {
        "as_of": as_of,
        "claims": [{"id": "c"}],
        "undetermined": [{"statement": s} for s in undetermined],
    }


def test_a_month_is_a_bar_over_its_interval_and_an_instant_a_point():
    statements = [
        _statement("month", "2019-12"),
        _statement("instant", "2019-11-01T10:00:00Z", "denies"),
    ]
    marks = {
        m["statement"]: m for m in timeline(_state(), statements)["rows"][0]["marks"]
    }
    assert not marks["month"]["point"] and marks["month"]["width"] > 100
    assert marks["instant"]["point"] and marks["instant"]["stance"] == "denies"
    assert marks["instant"]["x"] < marks["month"]["x"]


def test_overlapping_marks_take_separate_lanes_and_the_as_of_line_is_placed():
    statements = [_statement("a", "2019-12"), _statement("b", "2019-12-05")]
    picture = timeline(_state("2019-12-10", ("a",)), statements)
    row = picture["rows"][0]
    marks = {m["statement"]: m for m in row["marks"]}
    assert marks["a"]["y"] != marks["b"]["y"]
    assert row["height"] == 2 * (marks["b"]["y"] - marks["a"]["y"] or 20)
    assert marks["a"]["undetermined"] and not marks["b"]["undetermined"]
    assert (
        marks["a"]["x"] < picture["as_of"]["x"] < marks["a"]["x"] + marks["a"]["width"]
    )


def test_no_statements_no_marks():
    assert timeline(_state(), [])["rows"] == []


def test_marks_beyond_the_last_lane_share_it():
    statements = [_statement(f"s{i}", "2019-12") for i in range(20)]
    picture = timeline(_state(), statements)
    row = picture["rows"][0]
    assert row["height"] == MAX_LANES * LANE
    assert len({m["y"] for m in row["marks"]}) == MAX_LANES
    assert picture["marks"] == 20 and len(picture["table"]) == 20


def test_a_day_in_the_incidents_time_zone_is_drawn_over_its_local_day():
    statements = [
        _statement("manila", "2019-03-03"),
        _statement("utc", "2019-03-03[UTC]"),
    ]
    state = {**_state(), "incident": {"id": "i", "time_zone": "Asia/Manila"}}
    marks = {m["statement"]: m for m in timeline(state, statements)["rows"][0]["marks"]}
    # The Manila day starts eight hours before the UTC day of the same date.
    assert marks["manila"]["x"] < marks["utc"]["x"]
    unzoned = {
        m["statement"]: m for m in timeline(_state(), statements)["rows"][0]["marks"]
    }
    assert unzoned["manila"]["x"] == unzoned["utc"]["x"]
