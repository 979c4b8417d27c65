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

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_INSTANT = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$"
)
_NAIVE_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")
_TICK = timedelta(microseconds=1)


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
                return cls(text, "instant", start, start + _TICK)
            except (ValueError, OverflowError):
                raise PartialDateError(f"{text!r} is not a valid instant") from None
        if _NAIVE_INSTANT.fullmatch(text):
            raise PartialDateError(
                f"instant {text!r} has no UTC offset; add one, e.g. {text}Z"
            )
        raise PartialDateError(
            f"{text!r} is not a partial date (use 2019, 2019-12, 2019-12-03 "
            "or 2019-12-03T10:00:00Z)"
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
                end = datetime(year + 1, 1, 1, tzinfo=UTC)
            elif len(parts) == 2:
                end = start + timedelta(days=monthrange(year, month)[1])
            else:
                end = start + timedelta(days=1)
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
    return PartialDate.parse(text).end - _TICK
