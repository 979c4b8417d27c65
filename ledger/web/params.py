"""The query parameters of the read endpoints, as marshmallow schemas.

``as_of`` and ``known_at`` are parsed as the command line parses ``--as-of``
and ``--known-at``; a bad value, an unknown parameter or a number out of range
is a 422 problem naming the parameter. An empty value is no value.
"""

from __future__ import annotations

from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    pre_load,
    validate,
    validates_schema,
)

from ledger.domain.dates import PartialDate, PartialDateError
from ledger.projections.queries import KnownAt

# A sequence number or tree size is a 64-bit integer in the database.
MAX_INT = 2**63 - 1


def _as_of(text: str) -> None:
    try:
        PartialDate.parse(text)
    except PartialDateError as error:
        raise ValidationError(str(error)) from None


def _known_at(text: str) -> None:
    try:
        KnownAt.parse(text)
    except PartialDateError as error:
        hint = "" if str(error).startswith("sequence") else "; or use seq:N"
        raise ValidationError(f"{error}{hint}") from None


def _number(minimum: int, description: str) -> fields.Integer:
    return fields.Integer(
        strict=False,
        validate=validate.Range(min=minimum, max=MAX_INT),
        metadata={"description": description},
    )


class QuerySchema(Schema):
    """Query parameters: unknown ones are refused, empty ones are absent."""

    class Meta:
        unknown = RAISE

    @pre_load
    def _drop_empty(self, data: Any, **_: Any) -> dict[str, Any]:
        return {k: v for k, v in data.items() if v != ""}


class KnownAtArgs(QuerySchema):
    """``known_at``: only what the ledger held then."""

    known_at = fields.String(
        validate=_known_at,
        metadata={
            "description": "Only what the ledger held at WHEN: an instant, a partial "
            "date (its end), or seq:N.",
            "example": "2026-11-25",
        },
    )


class AxesArgs(KnownAtArgs):
    """``as_of`` and ``known_at``: the two time axes of a query."""

    as_of = fields.String(
        validate=_as_of,
        metadata={
            "description": "Only statements made by DATE (2019, 2019-12, "
            "2019-12-10; UTC, or local with an IANA zone: 2019-12-10[Asia/Manila]).",
            "example": "2019-12-10",
        },
    )


class ClaimsArgs(KnownAtArgs):
    """Filters of the claim list."""

    incident = fields.String(metadata={"description": "Only this incident's."})


class StatementsArgs(AxesArgs):
    """Filters of the statement list (with as_of, undetermined ones are marked)."""

    incident = fields.String(metadata={"description": "Only this incident's."})
    speaker = fields.String(
        metadata={"description": "Only this speaker's (an id, name or alias)."}
    )
    kind = fields.String(metadata={"description": "Only statements of this kind."})
    claim = fields.String(metadata={"description": "Only those taking a stance on it."})


class SearchArgs(KnownAtArgs):
    """What ``ledger search`` looks for."""

    q = fields.String(
        required=True,
        metadata={
            "description": "Words to find in quotes, paraphrases, claims, incident "
            "titles and actors' names and aliases; every word must begin a word of "
            "the text. Words, not query syntax: punctuation is ignored.",
            "example": "wreckage",
        },
    )
    limit = _number(1, "At most this many hits (default 50).")


class HistoryArgs(AxesArgs):
    """Filters and paging of the history (``ledger history``)."""

    recorded_by = fields.String(metadata={"description": "Only events recorded by."})
    type = fields.String(
        metadata={
            "description": "Only events of a type (Statement.Corrected) or of an "
            "aggregate (Statement)."
        }
    )
    after_seq = _number(0, "Only events after this sequence number (the next page).")
    limit = _number(1, "At most this many events; next_after_seq gives the next page.")


class InclusionArgs(QuerySchema):
    """Which event, in which tree."""

    seq = _number(1, "The event's sequence number (or give leaf_hash).")
    leaf_hash = fields.String(
        validate=validate.Regexp(
            r"^[0-9a-f]{64}$", error="give the 64 hex digits of a SHA-256 leaf hash"
        ),
        metadata={"description": "The event's leaf hash (or give seq)."},
    )
    tree_size = _number(
        1, "The tree's size (default: the latest checkpoint's tree_size)."
    )

    @validates_schema
    def _one_event(self, data: dict[str, Any], **_: Any) -> None:
        if ("seq" in data) == ("leaf_hash" in data):
            raise ValidationError("give seq or leaf_hash (one of them)", "seq")


class ConsistencyArgs(QuerySchema):
    """Two tree sizes."""

    first = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=MAX_INT),
        metadata={"description": "The older tree size."},
    )
    second = _number(1, "The newer tree size (default: the latest checkpoint's).")
