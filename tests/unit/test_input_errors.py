"""Input errors as plain data: they cross process boundaries and list every problem."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

import pytest

from ledger.application.problems import RecordError, Refused, problem_lines
from ledger.domain.dates import PartialDate, PartialDateError, parse_instant_bound
from ledger.projections.queries import KnownAt
from ledger.schemas.lines import InputError, check_line, loads


@pytest.mark.parametrize(
    "error",
    [
        InputError("type", "missing", 7),
        RecordError("speaker", "no actor x is recorded", 3),
        Refused([(1, "type", "missing"), (None, "(file)", "empty")]),
    ],
    ids=["InputError", "RecordError", "Refused"],
)
def test_errors_survive_pickling(error):
    """Worker processes send errors back pickled; they must arrive whole."""
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert (copy.field, copy.message, copy.line) == (
        error.field,
        error.message,
        error.line,
    )
    assert str(copy) == str(error)
    if isinstance(error, Refused):
        assert copy.problems == error.problems


def test_refused_reads_as_its_first_problem_and_lists_them_all():
    refused = Refused([(4, "kind", "bad"), (9, "id", "twice")])
    assert isinstance(refused, RecordError)
    assert (refused.line, refused.field, refused.message) == (4, "kind", "bad")
    assert problem_lines("f.jsonl", refused.problems) == [
        "f.jsonl:4: kind: bad",
        "f.jsonl:9: id: twice",
    ]
    assert problem_lines(None, [(4, "kind", "bad"), (None, "x", "y")]) == [
        "line 4: kind: bad",
        "x: y",
    ]


def test_a_line_with_several_mistakes_lists_each():
    record, problems = check_line(
        '{"type": "incident", "id": "Bad Id", "colour": "red"}', 3
    )
    assert record is None
    assert sorted(problems) == [
        (3, "colour", "unknown field 'colour'; the fields are: type, id, title, "
         "description, occurred_at, place, time_zone"),
        (3, "id", "use lower-case letters, digits, '.', '_' or '-' (at most 200)"),
        (3, "title", "Missing data for required field."),
    ]  # fmt: skip


@pytest.mark.parametrize("value", ['{"type": ["x"]}', '{"type": {}}', '{"type": 5}'])
def test_a_type_that_is_not_a_string(value):
    _, problems = check_line(value, 1)
    assert problems == [
        (1, "type", "must be one of: incident, actor, claim, statement, "
         "correction, withdrawal, grade (as a string)"),
    ]  # fmt: skip


def test_loads_names_the_repeated_key():
    with pytest.raises(InputError) as raised:
        loads('{"a": {"b": 1, "b": 2}}', "(line)", 5)
    assert raised.value.problem == (5, "b", "is given twice in one object; keep one")


@pytest.mark.parametrize("text", ["9999", "9999-12", "9999-12-31"])
def test_the_last_year_is_a_date_that_ends_cleanly(text):
    date = PartialDate.parse(text)
    assert date.end == datetime.max.replace(tzinfo=UTC)
    assert date.start < date.end
    assert parse_instant_bound(text) == datetime.max.replace(tzinfo=UTC)


def test_the_last_instant_is_a_date():
    date = PartialDate.parse("9999-12-31T23:59:59.999999Z")
    assert date.start == date.end == datetime.max.replace(tzinfo=UTC)


@pytest.mark.parametrize(
    "text", ["２０１９", "٢٠١٩-١٢", "2019-1٢", "२०१९-12-03", "2019-12-03T1０:00Z"]
)
def test_dates_in_other_digits_are_refused(text):
    with pytest.raises(PartialDateError, match="write its digits as 0-9"):
        PartialDate.parse(text)


@pytest.mark.parametrize("text", ["seq:١٨", "#１８"])
def test_sequence_numbers_in_other_digits_are_refused(text):
    with pytest.raises(PartialDateError):
        KnownAt.parse(text)


def test_sequence_numbers_past_64_bits_are_refused():
    assert KnownAt.parse("seq:999999999999999999").seq == 999999999999999999
    with pytest.raises(PartialDateError, match="too large"):
        KnownAt.parse("seq:9999999999999999999")
