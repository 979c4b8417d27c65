"""Partial dates: a year, a month, a day, or an instant with an explicit offset.

Stated time keeps the precision it was given: ``2019-12`` is the whole of
December 2019 (UTC days), never silently the first of the month.
"""

from __future__ import annotations

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

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
_TICK = timedelta(microseconds=1)
# The end of year 9999, the last time Python's datetime holds: an interval that
# would end later ends here.
END_OF_TIME = datetime.max.replace(tzinfo=UTC)


def _later(start: datetime, delta: timedelta) -> datetime:
    try:
        return start + delta
    except OverflowError:
        return END_OF_TIME


class PartialDateError(BadInput):
    """A text that is not a partial date the ledger accepts."""


@dataclass(frozen=True)
class PartialDate:
    """A stated time as an interval ``[start, end)`` in UTC, with its original text."""

    text: str
    precision: str  # "year" | "month" | "day" | "instant"
    start: datetime
    end: datetime

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Parse ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or an instant with an offset."""
        if not isinstance(text, str):
            raise PartialDateError(
                "must be a string such as 2019, 2019-12 or 2019-12-03"
            )
        text = text.strip()
        if _DATE.fullmatch(text):
            return cls._parse_date(text)
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
    def _parse_date(cls, text: str) -> PartialDate:
        # EDTF level 0 dates are ISO 8601 calendar dates at year, month or day
        # precision; the stdlib validates them (see docs/decisions.md on edtf).
        parts = [int(p) for p in text.split("-")]
        year, month, day = parts + [1] * (3 - len(parts))
        try:
            start = datetime(year, month, day, tzinfo=UTC)
            if len(parts) == 1:
                days = 366 if monthrange(year, 2)[1] == 29 else 365
            elif len(parts) == 2:
                days = monthrange(year, month)[1]
            else:
                days = 1
            end = _later(start, timedelta(days=days))
        except (ValueError, OverflowError):
            raise PartialDateError(f"{text!r} is not a valid calendar date") from None
        return cls(text, ("year", "month", "day")[len(parts) - 1], start, end)

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
