"""Partial dates: a year, a month, a day, or an instant with an explicit offset.

Stated time keeps the precision it was given: ``2019-12`` is the whole of
December 2019 (UTC days), never silently the first of the month.

A year, month or day may carry an IANA time zone in brackets, as RFC 9557 writes
it (``2019-03-03[Asia/Manila]``): its interval is then that local day, month or
year. Without one it is UTC, unless the reader gives a default zone (the
incident's ``time_zone``). An instant carries its own offset and takes no zone.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from difflib import get_close_matches
from functools import cache, lru_cache
from zoneinfo import ZoneInfo, available_timezones

from ledger.errors import BadInput

# re.ASCII: \d would otherwise match any Unicode digit ("２０１９", "٢٠١٩").
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$", re.ASCII)
_INSTANT = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$",
    re.ASCII,
)
_NAIVE_INSTANT = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$", re.ASCII
)
_ZONED = re.compile(r"^(?P<date>[^\[\]]*)\[(?P<zone>[^\[\]]*)\]$")
_ZONE_NAME = re.compile(r"^[A-Za-z0-9_+-]{1,64}(/[A-Za-z0-9_+-]{1,64}){0,3}$", re.ASCII)
_TICK = timedelta(microseconds=1)
# The end of year 9999, the last time Python's datetime holds: an interval that
# would end later ends here.
END_OF_TIME = datetime.max.replace(tzinfo=UTC)
START_OF_TIME = datetime.min.replace(tzinfo=UTC)


def _later(start: datetime, delta: timedelta) -> datetime:
    try:
        return start + delta
    except OverflowError:
        return END_OF_TIME


class PartialDateError(BadInput):
    """A text that is not a partial date the ledger accepts."""


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def time_zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (``Asia/Manila``), or a PartialDateError."""
    if not isinstance(name, str) or not _ZONE_NAME.fullmatch(name):
        raise PartialDateError(
            f"{name!r} is not a time zone name; give an IANA name such as Asia/Manila"
        )
    if name not in _zone_names():
        near = get_close_matches(name, _zone_names(), n=1)
        hint = f"; did you mean {near[0]}?" if near else " such as Asia/Manila"
        raise PartialDateError(f"unknown time zone {name!r} (an IANA name{hint})")
    return ZoneInfo(name)


def _utc(year: int, month: int, day: int, zone: tzinfo) -> datetime:
    """Local midnight of a date, in UTC (clamped to the datetime range)."""
    if year > 9999:
        return END_OF_TIME
    try:
        return datetime(year, month, day, tzinfo=zone).astimezone(UTC)
    except OverflowError:
        return START_OF_TIME if year < 5000 else END_OF_TIME


@dataclass(frozen=True)
class PartialDate:
    """A stated time as an interval ``[start, end)`` in UTC, with its original text.

    ``zone`` is the IANA time zone whose local day, month or year the interval
    is (None: UTC, or an instant).
    """

    text: str
    precision: str  # "year" | "month" | "day" | "instant"
    start: datetime
    end: datetime
    zone: str | None = None

    @classmethod
    def parse(cls, text: str, default_zone: str | None = None) -> PartialDate:
        """Parse ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` (each optionally followed by
        ``[Area/City]``) or an instant with an offset.

        ``default_zone`` is the zone of a year, month or day given without one.
        A date is immutable, so the dates of a large incident (which repeat)
        are parsed once each.
        """
        if not isinstance(text, str):
            raise PartialDateError(
                "must be a string such as 2019, 2019-12 or 2019-12-03"
            )
        return _parsed(cls, text, default_zone)

    @classmethod
    def _parse(cls, text: str, default_zone: str | None) -> PartialDate:
        text = text.strip()
        zoned = _ZONED.fullmatch(text)
        if zoned:
            date, zone = zoned["date"].strip(), zoned["zone"].strip()
            if not _DATE.fullmatch(date):
                if _INSTANT.fullmatch(date):
                    raise PartialDateError(
                        f"instant {date!r} carries its own offset; "
                        f"drop the time zone [{zone}]"
                    )
                cls.parse(date)  # says what is wrong with the date
            return cls._parse_date(date, text, zone)
        if _DATE.fullmatch(text):
            return cls._parse_date(text, text, default_zone)
        if _INSTANT.fullmatch(text):
            try:
                start = datetime.fromisoformat(text).astimezone(UTC)
                return cls(text, "instant", start, _later(start, _TICK))
            except (ValueError, OverflowError):
                raise PartialDateError(f"{text!r} is not a valid instant") from None
        if _NAIVE_INSTANT.fullmatch(text):
            raise PartialDateError(
                f"instant {text!r} has no UTC offset; add one, e.g. {text}Z"
            )
        digits = "" if text.isascii() else "; write its digits as 0-9"
        raise PartialDateError(
            f"{text!r} is not a partial date (use 2019, 2019-12, 2019-12-03 "
            f"or 2019-12-03T10:00:00Z){digits}"
        )

    @classmethod
    def _parse_date(cls, date: str, text: str, zone: str | None) -> PartialDate:
        # EDTF level 0 dates are ISO 8601 calendar dates at year, month or day
        # precision; the stdlib validates them (see docs/decisions.md on edtf).
        parts = [int(p) for p in date.split("-")]
        year, month, day = parts + [1] * (3 - len(parts))
        precision = ("year", "month", "day")[len(parts) - 1]
        try:
            datetime(year, month, day)
        except ValueError:
            raise PartialDateError(f"{date!r} is not a valid calendar date") from None
        if zone is None:
            start = datetime(year, month, day, tzinfo=UTC)
            if len(parts) == 1:
                days = 366 if monthrange(year, 2)[1] == 29 else 365
            elif len(parts) == 2:
                days = monthrange(year, month)[1]
            else:
                days = 1
            return cls(text, precision, start, _later(start, timedelta(days=days)))
        local = time_zone(zone)
        if len(parts) == 1:
            after = (year + 1, 1, 1)
        elif len(parts) == 2:
            after = (year + month // 12, month % 12 + 1, 1)
        elif (year, month, day) == (9999, 12, 31):
            after = (10000, 1, 1)
        else:
            nxt = datetime(year, month, day) + timedelta(days=1)
            after = (nxt.year, nxt.month, nxt.day)
        start = _utc(year, month, day, local)
        return cls(text, precision, start, _utc(*after, local), zone)

    def __str__(self) -> str:
        return self.text


def classify(stated: PartialDate, as_of: PartialDate) -> str:
    """Place a stated interval against an as-of date: 'by', 'undetermined', 'after'."""
    if stated.end <= as_of.end:
        return "by"
    if stated.start < as_of.end:
        return "undetermined"
    return "after"


def parse_instant_bound(text: str) -> datetime:
    """The end of a partial date, as the latest instant it admits (for known_at)."""
    end = PartialDate.parse(text).end
    return end if end == END_OF_TIME else end - _TICK


@lru_cache(maxsize=4096)
def _parsed(cls: type[PartialDate], text: str, zone: str | None) -> PartialDate:
    return cls._parse(text, zone)
