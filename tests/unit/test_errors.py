"""Every error the ledger reports belongs to one hierarchy, in one category."""

from __future__ import annotations

import pytest

from ledger.application.refusals import (
    RecordConflict,
    RecordError,
    RecordRefused,
    StatementMissing,
    VersionMismatch,
)
from ledger.bootstrap import NotInitialised
from ledger.cli.demo import NotEmpty
from ledger.domain.dates import PartialDate, PartialDateError
from ledger.domain.model import LedgerRuleError
from ledger.errors import BadInput, LedgerError, category
from ledger.integrity.keys import KeyFileError
from ledger.persistence import UnsupportedDatabase, backend
from ledger.projections.queries import NotFound
from ledger.schemas.lines import InputError, parse_line


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (VersionMismatch("expected_version", "at 2, not 1"), "precondition_failed"),
        (RecordConflict("id", "recorded with other content", 3), "conflict"),
        (StatementMissing("statement", "no statement s1 is recorded"), "not_found"),
        (NotFound("no incident x is recorded"), "not_found"),
        (RecordRefused("withdrawal", "already withdrawn"), "refused"),
        (LedgerRuleError("already withdrawn"), "refused"),
        (RecordError("speaker", "no actor x is recorded", 2), "bad_input"),
        (InputError("kind", "must be one of …", 4), "bad_input"),
        (PartialDateError("not a date"), "bad_input"),
        (NotEmpty("not empty"), "bad_input"),
        (NotInitialised("no ledger"), "unavailable"),
        (UnsupportedDatabase("mysql"), "unavailable"),
        (KeyFileError("cannot read"), "unavailable"),
    ],
)
def test_each_error_has_one_category(error, expected):
    assert isinstance(error, LedgerError)
    assert category(error) == expected


def test_located_errors_list_their_problem():
    with pytest.raises(BadInput) as raised:
        parse_line('{"type": "claim", "id": "c"}', 7)
    (problem,) = raised.value.problems
    assert problem.line == 7 and problem.field in ("incident", "proposition")


def test_errors_raised_by_the_code_are_ledger_errors():
    with pytest.raises(LedgerError):
        PartialDate.parse("yesterday")
    with pytest.raises(LedgerError):
        backend("mysql://somewhere/db")
