"""Partial dates: parsing, UTC intervals, placing a statement against an as-of date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.domain.dates import (
    PartialDate,
    PartialDateError,
    classify,
    parse_instant_bound,
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# --- parsing and intervals ---


def test_year_is_the_whole_utc_year():
    d = PartialDate.parse("2019")
    assert (d.precision, d.start, d.end) == ("year", utc(2019, 1, 1), utc(2020, 1, 1))


def test_month_is_the_whole_utc_month():
    d = PartialDate.parse("2019-12")
    assert (d.precision, d.start, d.end) == ("month", utc(2019, 12, 1), utc(2020, 1, 1))


def test_february_of_a_leap_year_ends_after_the_29th():
    assert PartialDate.parse("2020-02").end == utc(2020, 3, 1)


def test_day_is_the_whole_utc_day():
    d = PartialDate.parse("2019-11-21")
    assert (d.precision, d.start, d.end) == (
        "day",
        utc(2019, 11, 21),
        utc(2019, 11, 22),
    )


def test_instant_is_a_single_microsecond():
    d = PartialDate.parse("2019-12-03T10:00:00Z")
    assert d.precision == "instant"
    assert d.start == utc(2019, 12, 3, 10)
    assert d.end - d.start == timedelta(microseconds=1)


def test_precision_is_kept_in_the_text_never_invented():
    assert PartialDate.parse("2019-12").text == "2019-12"
    assert str(PartialDate.parse("2019")) == "2019"


def test_surrounding_whitespace_is_ignored():
    assert PartialDate.parse(" 2019-12 ").text == "2019-12"


def test_instant_offset_is_converted_to_utc():
    d = PartialDate.parse("2019-12-31T23:30:00-01:00")
    assert d.start == utc(2020, 1, 1, 0, 30)
    assert d.start.tzinfo == UTC


def test_instant_with_offset_late_in_2019_falls_in_2020_utc():
    d = PartialDate.parse("2019-12-31T23:30:00-01:00")
    assert classify(d, PartialDate.parse("2019")) == "after"
    assert classify(d, PartialDate.parse("2020-01-01")) == "by"


def test_instant_with_positive_offset_moves_back_a_day():
    d = PartialDate.parse("2020-01-01T00:30:00+02:00")
    assert d.start == utc(2019, 12, 31, 22, 30)


def test_instant_without_offset_is_rejected_with_the_fix_named():
    with pytest.raises(PartialDateError) as caught:
        PartialDate.parse("2019-12-03T10:00:00")
    message = str(caught.value)
    assert "offset" in message
    assert "2019-12-03T10:00:00Z" in message


def test_the_suggested_fix_for_a_naive_instant_parses():
    with pytest.raises(PartialDateError) as caught:
        PartialDate.parse("2019-12-03T10:00")
    assert "2019-12-03T10:00Z" in str(caught.value)
    assert PartialDate.parse("2019-12-03T10:00Z").start == utc(2019, 12, 3, 10)


@pytest.mark.parametrize(
    "text", ["2019-02-30", "2019-02-29", "2019-13", "2019-00", "2019-04-31"]
)
def test_impossible_calendar_dates_are_rejected(text):
    with pytest.raises(PartialDateError, match="not a valid calendar date"):
        PartialDate.parse(text)


@pytest.mark.parametrize(
    "text",
    ["2019-02-30T10:00:00Z", "2019-12-31T25:00:00Z", "2019-12-31T10:00:00+25:00"],
)
def test_impossible_instants_are_rejected_as_partial_date_errors(text):
    # PartialDateError is what the input schema turns into a field error;
    # any other exception escapes as a crash instead of a message.
    with pytest.raises(PartialDateError):
        PartialDate.parse(text)


@pytest.mark.parametrize(
    "text", ["19", "2019-1", "2019/12/03", "Dec 2019", "", "2019-12-03 10:00Z"]
)
def test_texts_that_are_not_partial_dates_are_rejected(text):
    with pytest.raises(PartialDateError):
        PartialDate.parse(text)


def test_a_non_string_is_rejected():
    with pytest.raises(PartialDateError):
        PartialDate.parse(2019)  # type: ignore[arg-type]


def test_instant_bound_is_the_last_microsecond_of_the_period():
    assert parse_instant_bound("2019-12-10") == utc(2019, 12, 10, 23, 59, 59, 999999)
    assert parse_instant_bound("2019-12") == utc(2019, 12, 31, 23, 59, 59, 999999)


def test_instant_bound_of_an_instant_is_that_instant():
    assert parse_instant_bound("2019-12-10T08:00:00+01:00") == utc(2019, 12, 10, 7)


# --- classify ---


def place(stated: str, as_of: str) -> str:
    return classify(PartialDate.parse(stated), PartialDate.parse(as_of))


def test_month_statement_against_a_day_inside_the_month_is_undetermined():
    assert place("2019-12", "2019-12-10") == "undetermined"


def test_month_statement_against_the_months_last_day_is_by():
    assert place("2019-12", "2019-12-31") == "by"


def test_month_statement_against_the_previous_month_is_after():
    assert place("2019-12", "2019-11") == "after"


def test_month_statement_against_its_own_month_is_by():
    assert place("2019-12", "2019-12") == "by"


def test_day_statement_against_the_same_day_is_by():
    assert place("2019-11-21", "2019-11-21") == "by"


def test_day_statement_against_the_previous_day_is_after():
    assert place("2019-11-21", "2019-11-20") == "after"


def test_instant_at_the_last_microsecond_of_the_as_of_day_is_by():
    assert place("2019-12-10T23:59:59.999999Z", "2019-12-10") == "by"
    assert place("2019-12-11T00:00:00Z", "2019-12-10") == "after"


def test_design_example_as_of_end_of_november():
    assert place("2019-11-21", "2019-11-30") == "by"
    assert place("2019-12", "2019-11-30") == "after"


def test_design_example_as_of_mid_december():
    assert place("2019-11-21", "2019-12-10") == "by"
    assert place("2019-12", "2019-12-10") == "undetermined"


def test_design_example_as_of_end_of_december():
    assert place("2019-11-21", "2019-12-31") == "by"
    assert place("2019-12", "2019-12-31") == "by"


# --- property ---

_OFFSETS = st.sampled_from(
    [timezone(timedelta(minutes=m)) for m in (-720, -90, -60, 0, 60, 330, 840)]
)


@st.composite
def partial_dates(draw) -> PartialDate:
    day = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
    precision = draw(st.sampled_from(["year", "month", "day", "instant"]))
    if precision == "year":
        text = f"{day.year:04d}"
    elif precision == "month":
        text = f"{day.year:04d}-{day.month:02d}"
    elif precision == "day":
        text = day.isoformat()
    else:
        moment = draw(
            st.datetimes(
                min_value=datetime(1900, 1, 2),
                max_value=datetime(2100, 12, 30),
                timezones=_OFFSETS,
            )
        )
        text = moment.isoformat()
    return PartialDate.parse(text)


@given(partial_dates())
def test_every_partial_date_is_a_nonempty_utc_interval(d):
    assert d.start.tzinfo is not None and d.start.utcoffset() == timedelta(0)
    assert d.start < d.end


@given(stated=partial_dates(), as_of=partial_dates())
def test_exactly_one_placement_and_by_iff_stated_end_not_after_as_of_end(stated, as_of):
    result = classify(stated, as_of)
    by = stated.end <= as_of.end
    after = stated.start >= as_of.end
    undetermined = stated.start < as_of.end < stated.end
    assert [by, undetermined, after].count(True) == 1
    assert result == ("by" if by else "undetermined" if undetermined else "after")


def test_the_last_representable_year_is_parsed_or_refused_cleanly():
    # 9999 matches the date grammar; its end (10000-01-01) is beyond datetime's range.
    try:
        d = PartialDate.parse("9999")
    except PartialDateError:
        return
    assert d.start == utc(9999, 1, 1)
