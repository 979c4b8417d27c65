"""History events written back as import lines (ledger/application/exports.py)."""

from __future__ import annotations

import pytest

from ledger.application.exports import CannotExport, actors_named, line_of
from ledger.exports.table import cell


def _event(kind: str, detail: dict, subject: str = "s1", incident: str = "i1"):
    return {
        "seq": 7,
        "type": kind,
        "subject": subject,
        "incident": incident,
        "detail": detail,
    }


def test_a_correction_that_removes_a_field_keeps_its_null_value() -> None:
    detail = {
        "change": "correction", "change_id": "cx-1", "field": "note",
        "before": "old", "after": None, "reason": "too much",
    }  # fmt: skip
    assert line_of(_event("Statement.Corrected", detail)) == {
        "type": "correction",
        "id": "cx-1",
        "statement": "s1",
        "field": "note",
        "value": None,
        "reason": "too much",
    }


def test_a_grade_without_reason_or_reliability_leaves_them_out() -> None:
    detail = {
        "change": "grade", "change_id": "gr-1", "reliability": None,
        "credibility": 3, "reason": "",
    }  # fmt: skip
    assert line_of(_event("Statement.Graded", detail)) == {
        "type": "grade",
        "id": "gr-1",
        "statement": "s1",
        "credibility": 3,
    }


def test_account_events_are_not_exported() -> None:
    assert line_of(_event("Account.Added", {}, subject="account:ana")) is None


def test_an_event_type_the_export_does_not_know_refuses_the_export() -> None:
    with pytest.raises(CannotExport, match=r"Actor\.Merged events \(seq 7\)"):
        line_of(_event("Actor.Merged", {}))


def test_a_corrected_value_names_its_actors() -> None:
    line = {
        "type": "correction",
        "field": "provenance",
        "value": [{"agent": "a1", "relation": "told", "document": {"outlet": "o1"}}],
    }
    assert actors_named(line) == {"a1", "o1"}
    assert actors_named({**line, "field": "speaker", "value": "a2"}) == {"a2"}
    assert actors_named({**line, "field": "note", "value": None}) == set()


@pytest.mark.parametrize(
    ("value", "shown"),
    [("=1+1", "'=1+1"), ("+x", "'+x"), ("-x", "'-x"), ("@x", "'@x"),
     ("\tx", "'\tx"), ("a=b", "a=b"), (None, ""), (True, "true"), (3, "3")],
)  # fmt: skip
def test_csv_cells_a_spreadsheet_would_run_are_quoted(value, shown) -> None:
    assert cell(value) == shown
