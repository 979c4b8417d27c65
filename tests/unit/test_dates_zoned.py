"""Local days (issue 10 §3): a year, month or day in an IANA time zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ledger.domain.dates import (
    END_OF_TIME,
    PartialDate,
    PartialDateError,
    classify,
    parse_instant_bound,
)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def interval(text: str, zone: str | None = None):
    d = PartialDate.parse(text, zone)
    return d.start, d.end


def test_a_manila_day_is_the_local_day_not_the_utc_day():
    d = PartialDate.parse("2019-03-03[Asia/Manila]")
    assert (d.precision, d.zone, d.text) == (
        "day",
        "Asia/Manila",
        "2019-03-03[Asia/Manila]",
    )
    assert (d.start, d.end) == (utc(2019, 3, 2, 16), utc(2019, 3, 3, 16))


def test_a_local_month_and_year_end_at_local_midnight():
    assert interval("2019-12[Asia/Manila]") == (
        utc(2019, 11, 30, 16),
        utc(2019, 12, 31, 16),
    )
    assert interval("2019[Asia/Manila]") == (
        utc(2018, 12, 31, 16),
        utc(2019, 12, 31, 16),
    )


def test_a_day_without_a_zone_stays_utc():
    assert interval("2019-03-03") == (utc(2019, 3, 3), utc(2019, 3, 4))


def test_a_default_zone_applies_to_a_date_without_one():
    assert interval("2019-03-03", "Asia/Manila") == (
        utc(2019, 3, 2, 16),
        utc(2019, 3, 3, 16),
    )


def test_the_dates_own_zone_wins_over_the_default():
    assert interval("2019-03-03[UTC]", "Asia/Manila") == (
        utc(2019, 3, 3),
        utc(2019, 3, 4),
    )


def test_a_default_zone_does_not_move_an_instant():
    d = PartialDate.parse("2019-03-03T10:00Z", "Asia/Manila")
    assert (d.start, d.zone) == (utc(2019, 3, 3, 10), None)


def test_a_local_day_across_a_daylight_saving_change_is_23_hours():
    start, end = interval("2024-03-10[America/New_York]")
    assert (start, end) == (utc(2024, 3, 10, 5), utc(2024, 3, 11, 4))


def test_a_manila_day_is_by_the_manila_as_of_and_not_before_it():
    stated = PartialDate.parse("2019-03-03[Asia/Manila]")
    assert classify(stated, PartialDate.parse("2019-03-03[Asia/Manila]")) == "by"
    assert classify(stated, PartialDate.parse("2019-03-02[Asia/Manila]")) == "after"
    # As of the UTC day of 3 March, the Manila day is over: it ended at 16:00Z.
    assert classify(stated, PartialDate.parse("2019-03-03")) == "by"
    # As of the UTC day of 2 March, it had begun (16:00Z) but not ended.
    assert classify(stated, PartialDate.parse("2019-03-02")) == "undetermined"


def test_a_utc_day_straddles_the_manila_day_of_the_same_date():
    stated = PartialDate.parse("2019-03-03")
    assert (
        classify(stated, PartialDate.parse("2019-03-03[Asia/Manila]")) == "undetermined"
    )


def test_known_at_a_local_day_ends_at_its_local_midnight():
    bound = parse_instant_bound("2019-03-03[Asia/Manila]")
    assert bound == utc(2019, 3, 3, 15, 59, 59, 999999)


def test_the_edges_of_the_calendar_are_clamped_not_crashed():
    assert interval("9999-12-31[America/New_York]")[1] == END_OF_TIME
    assert interval("9999[Pacific/Kiritimati]")[1] == END_OF_TIME
    assert interval("0001[Asia/Tokyo]")[0] == datetime.min.replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2019-03-03[Asia/Manilla]",
         "unknown time zone 'Asia/Manilla' (an IANA name; did you mean Asia/Manila?)"),
        ("2019-03-03[../../etc/passwd]", "'../../etc/passwd' is not a time zone name"),
        ("2019-03-03[]", "'' is not a time zone name"),
        ("2019-03-03T10:00Z[Asia/Manila]",
         "instant '2019-03-03T10:00Z' carries its own offset; drop the time zone"),
        ("2019-02-30[Asia/Manila]", "'2019-02-30' is not a valid calendar date"),
        ("03/03/2019[Asia/Manila]", "'03/03/2019' is not a partial date"),
        ("2019-03-03[Asia/Manila][UTC]", "is not a partial date"),
    ],
)  # fmt: skip
def test_a_bad_zone_or_zoned_date_is_refused_with_a_clear_message(text, message):
    with pytest.raises(PartialDateError) as caught:
        PartialDate.parse(text)
    assert message in str(caught.value)


def test_a_bad_default_zone_is_refused():
    with pytest.raises(PartialDateError):
        PartialDate.parse("2019-03-03", "Mars/Olympus")
