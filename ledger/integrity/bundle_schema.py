"""The state an audit bundle carries, frozen: ``incident-ledger-audit-bundle/1``.

A bundle's state is hashed (canonically) and recomputed by ``verify-bundle``;
its shape therefore cannot follow the API's output schemas as they grow. These
schemas are the shape bundles of format 1 have carried since it was issued:
never change them; a new shape is a new format, with its own schemas here.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

FORMAT_1 = "incident-ledger-audit-bundle/1"


class _Frozen(Schema):
    class Meta:
        ordered = True


class StanceEntryV1(_Frozen):
    """A statement as it stands on one side of a claim."""

    statement = fields.String()
    speaker = fields.String()
    speaker_name = fields.String()
    kind = fields.String()
    stated_at = fields.String()
    hedging = fields.String()
    quote = fields.String()
    paraphrase = fields.String()
    attribution = fields.Dict()
    stance = fields.String()
    retracted_by = fields.String()


class ClaimStateV1(_Frozen):
    """A claim with its sides and status."""

    id = fields.String()
    proposition = fields.String()
    status = fields.String()
    supporters = fields.List(fields.Nested(StanceEntryV1))
    deniers = fields.List(fields.Nested(StanceEntryV1))
    retracted = fields.List(fields.Nested(StanceEntryV1))
    assessments = fields.List(fields.Nested(StanceEntryV1))


class DemandStateV1(StanceEntryV1):
    """A demand with its addressee, action, status and answers."""

    addressee = fields.String()
    addressee_name = fields.String()
    action = fields.String()
    status = fields.String()
    responses = fields.List(fields.Nested(StanceEntryV1))


class StateV1(_Frozen):
    """An incident's state as bundles of format 1 carry it."""

    as_of = fields.String(allow_none=True)
    known_at = fields.String(allow_none=True)
    known_at_seq = fields.Integer(allow_none=True)
    incident = fields.Dict()
    claims = fields.List(fields.Nested(ClaimStateV1))
    demands = fields.List(fields.Nested(DemandStateV1))
    statements = fields.List(fields.Nested(StanceEntryV1))
    undetermined = fields.List(fields.Nested(StanceEntryV1))
    counts = fields.Dict()


STATE_SCHEMAS: dict[str, type[Schema]] = {FORMAT_1: StateV1}


def dump_state(state: dict[str, Any], format_: str = FORMAT_1) -> dict[str, Any]:
    """The state in the shape bundles of ``format_`` carry."""
    return STATE_SCHEMAS[format_]().dump(state)
